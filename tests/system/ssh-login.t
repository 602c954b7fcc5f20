# OpenSSH across a zone: a client machine logs into a server machine by its name with a
# key made in the client, and runs a command there.
tree=$(../../scripts/mkrootfs debian-openrc) || exit 1
machine server -D "$tree" --volatile
machine client -D "$tree" --volatile
succeed client 'mkdir -p -m 700 /root/.ssh; ssh-keygen -q -t ed25519 -N "" -f /root/.ssh/id_ed25519'
copy_from client /root/.ssh/id_ed25519.pub "$NSBOOT_TEST_DIR/client.pub"
succeed server 'mkdir -p -m 700 /root/.ssh'
copy_to server "$NSBOOT_TEST_DIR/client.pub" /root/.ssh/authorized_keys
wait_for_service server ssh
wait_for_port server 22
succeed client 'test "$(ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new root@server hostname)" = server'
succeed client 'ssh -o BatchMode=yes root@server "touch /root/was-here"'
succeed server 'test -e /root/was-here'
# a wrong key is refused
succeed client 'ssh-keygen -q -t ed25519 -N "" -f /root/other'
fail client 'ssh -o BatchMode=yes -i /root/other -o IdentitiesOnly=yes root@server true'
stop client
stop server
