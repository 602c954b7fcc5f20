# A busybox httpd in one machine, fetched by name from a second machine of the zone.
tree=$(../../scripts/mkrootfs busybox) || exit 1
machine server -D "$tree" --volatile
machine client -D "$tree" --volatile
succeed server 'mkdir -p /srv && echo "hello from server" >/srv/index.html'
succeed server 'httpd -p 8080 -h /srv'
wait_for_port server 8080
succeed client 'wget -q -O- http://server:8080/ | grep -qx "hello from server"'
fail client 'wget -q -O- http://server:8080/no-such-page'
stop server
fail client 'wget -q -T 2 -O- http://server:8080/'
stop client
