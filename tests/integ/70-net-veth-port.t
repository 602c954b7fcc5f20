#!/bin/bash
# --network=veth --port as root: DNAT on the host, one nftables table per container
# (ip nsboot-ve-NAME, owned by nsboot's netlink socket). The host's own programs reach
# the container's httpd at the host side's address and at another local address
# (192.0.2.1 on a veth of the test's), a client in a namespace behind that veth reaches
# it too (forwarded: the test turns ip_forward on in its own namespace, nsboot never
# does), and a UDP port (5353 -> 53) is forwarded as well; a HOSTADDR matches only
# itself; a port another container forwards, a loopback or IPv6 HOSTADDR, a HOSTADDR
# that is no local address: one line, exit 125, nothing made; the table goes with a
# stopped container and with a SIGKILLed nsboot (at once: the kernel removes it; also
# killed at random moments of its start), the port free again; rootless --network=veth
# is still refused. All in namespaces of the test's own.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/net-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (veth is root's)"
	done_testing
fi
if ! command -v nft >/dev/null; then
	skip "nft is not installed (Debian package nftables; scripts/install-deps)"
	done_testing
fi
nsb_net_isolate "$@"
ip link add nsbt0 type veth peer name nsbt1 && ip addr add 192.0.2.1/24 dev nsbt0 &&
	ip link set nsbt0 up && ip link set nsbt1 up
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
TMP=$(mktemp -d /tmp/nsb-70vport.XXXXXX)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
UDP=$NSB_BUILD/tests/helpers/udp-echo
SERVE='echo "page of $(hostname)" >/tmp/index.html && httpd -p 80 -h /tmp && /udp-echo serve 53 & exec sleep 600'
# listening NAME tcp|udp PORT: whether a socket of machine NAME is bound to PORT (IPv4
# or IPv6: busybox's httpd listens on [::])
listening() { inside "$1" grep -qi "^ *[0-9]*: [0-9A-F]*:$(printf %04X "$3") " "/proc/net/$2" "/proc/net/${2}6"; }
tables() { nft list tables ip | awk '{print $3}' | sort | tr '\n' ' '; }
# fetch ADDR:PORT: the page of the httpd there, or wget's complaint
fetch() { timeout "$GUARD" busybox wget -q -O - "http://$1/index.html" 2>&1; }
# from_client ADDR:PORT: fetch from the client's namespace (behind nsbt1)
from_client() { timeout "$GUARD" nsenter -t "$CLIENT" -n busybox wget -q -O - "http://$1/index.html" 2>&1; }
# run_one ARGS...: a container that runs /bin/true; its output (exit status in $?)
run_one() { timeout "$GUARD" "$NSBOOT" -q --hostname=other "$@" -D "$TREE" -- /bin/true 2>&1; }

start_machine web --network=veth --port=8080:80 --port=5353:53/udp --bind-ro="$UDP:/udp-echo" \
	-D "$TREE" -- /bin/sh -c "$SERVE"
check "web comes up with --port" test -s "$TMP/web.pid"
[ -s "$TMP/web.pid" ] || fdiag "$(cat "$TMP/web.err")"
is "one table, named after the host side" "$(tables)" "nsboot-ve-web "
like "... owned by nsboot (the kernel removes it with nsboot's socket)" "$(nft list table ip nsboot-ve-web)" 'flags owner'
OUT=$(nft delete table ip nsboot-ve-web 2>&1)
is "... which no other process may delete" "$?" 1
check "its httpd listens" wait_until listening web tcp 80
check "... and its UDP server" wait_until listening web udp 53
is "the host reaches the httpd at the host side's address, port 8080" "$(fetch 10.124.0.1:8080)" "page of web"
is "... and at another local address" "$(fetch 192.0.2.1:8080)" "page of web"
like "... but not on loopback (never forwarded)" "$(fetch 127.0.0.1:8080)" "refused"
is "a UDP port is forwarded too (5353 -> 53)" \
	"$(timeout "$GUARD" "$UDP" ask 192.0.2.1 5353 hello 2>&1)" "echo: hello"

# a client behind nsbt1: its packets are forwarded, which the test allows in its own
# namespace (a new net namespace starts with ip_forward off; nsboot never changes it)
unshare -n sleep 600 &
CLIENT=$!
wait_until test "$(readlink /proc/$CLIENT/ns/net)" != "$(readlink /proc/self/ns/net)"
ip link set nsbt1 netns "$CLIENT"
nsenter -t "$CLIENT" -n sh -c 'ip link set lo up && ip addr add 192.0.2.2/24 dev nsbt1 &&
	ip link set nsbt1 up && ip route add default via 192.0.2.1'
sysctl -qw net.ipv4.ip_forward=1
is "a client in another namespace reaches it at 192.0.2.1:8080 (prerouting)" \
	"$(from_client 192.0.2.1:8080)" "page of web"

OUT=$(run_one --network=veth --port=8080:81)
is "a second container asking for port 8080: exit 125" "$?" 125
is "... in one line naming the port" "$OUT" \
	"nsboot: --port=8080:81: *:8080/tcp is taken on the host (by another container's --port or a host program)"
check "... and nothing of it is left: no ve-other" no_link ve-other
is "... no table" "$(tables)" "nsboot-ve-web "
is "... and the first one still answers" "$(fetch 192.0.2.1:8080)" "page of web"
OUT=$(run_one --network=veth --port=192.0.2.1:8080:80)
is "that port on one address of the host: exit 125 too" "$?" 125
OUT=$(run_one --network=veth --port=5353/udp)
is "the UDP port as well" "$?" 125
OUT=$(run_one --network=veth --port=8081:80 --port=192.0.2.1:8081:81)
is "one host port asked for twice: exit 125" "$?" 125
like "... naming both" "$OUT" "^nsboot: --port=192\.0\.2\.1:8081:81: the same host port as --port=8081:80$"
OUT=$(run_one --network=veth --port=127.0.0.1:8081:80)
is "a loopback HOSTADDR: exit 125" "$?" 125
like "... in a line that points to pasta" "$OUT" \
	"^nsboot: --port=127\.0\.0\.1:8081:80: --network=veth cannot forward the host's loopback \(a forward on it: --network=pasta\)$"
OUT=$(run_one --network=veth --port='[::1]:8081:80')
is "an IPv6 HOSTADDR: exit 125" "$?" 125
like "... saying veth forwards IPv4 only" "$OUT" "^nsboot: --port=\[::1\]:8081:80: --network=veth forwards IPv4 only"
OUT=$(run_one --network=veth --port=192.0.2.77:8081:80)
is "a HOSTADDR that is no address of the host: exit 125" "$?" 125
is "... in one line" "$OUT" "nsboot: --port=192.0.2.77:8081:80: 192.0.2.77 is no address of the host"
OUT=$(run_one --network=private --port=8081:80)
is "--port without veth or pasta: exit 125" "$?" 125
like "... naming both" "$OUT" "^nsboot: --port=8081:80: needs --network=veth or --network=pasta$"
nsb_pub_init
OUT=$(timeout "$GUARD" setpriv --reuid=65534 --regid=65534 --clear-groups "$NSB_PUB/bin/nsboot" \
	-q --network=veth --port=8081:80 -D "$(nsb_pub_tree busybox)" -- /bin/true 2>&1)
is "rootless --network=veth --port: exit 125" "$?" 125
is "... refused as before" "$OUT" \
	"nsboot: --network=veth: needs root (rootless: --network=zone:ZONE or --network=pasta)"

start_machine one --network=veth --port=192.0.2.1:8082:80 --bind-ro="$UDP:/udp-echo" \
	-D "$TREE" -- /bin/sh -c "$SERVE"
wait_until listening one tcp 80
is "a HOSTADDR forward answers there" "$(fetch 192.0.2.1:8082)" "page of one"
like "... and only there" "$(fetch 10.124.0.5:8082)" "refused"
is "... also to the client" "$(from_client 192.0.2.1:8082)" "page of one"
is "two tables" "$(tables)" "nsboot-ve-one nsboot-ve-web "
stop_machine one
is "a stopped container's table goes with it" "$(tables)" "nsboot-ve-web "

cpid=$(pid_of web)
kill -KILL "$(nsboot_pid web)"
wait "$(cat "$TMP/web.nsboot")" 2>/dev/null
is "after SIGKILL of nsboot its table is gone at once" "$(tables)" ""
check "... the container goes" wait_until gone "$cpid"
start_machine web --network=veth --port=8080:80 --bind-ro="$UDP:/udp-echo" -D "$TREE" -- \
	/bin/sh -c "$SERVE"
check "... and port 8080 can be forwarded again right away" test -s "$TMP/web.pid"
wait_until listening web tcp 80
is "... to the new container" "$(fetch 192.0.2.1:8080)" "page of web"
stop_machine web
# SIGKILL at random moments of the start (it takes some 30 ms to the command here),
# before, while and after the table is made: never a table left
left=0
for i in $(seq 10); do
	"$NSBOOT" -q --hostname=k --network=veth --port=8080:80 -D "$TREE" -- /bin/sleep 600 2>/dev/null &
	sleep "$(printf '0.%03d' $((RANDOM % 61)))"
	kill -KILL $!
	wait $! 2>/dev/null
	[ -z "$(tables)" ] || left=$((left + 1))
	wait_until no_link ve-k
done
is "10 SIGKILLs at random moments of the start leave no table" "$left" 0
kill -KILL "$CLIENT"
wait "$CLIENT" 2>/dev/null
is "no table is left" "$(tables)" ""
is "no ve- interface is left" "$(ip -o link show | grep -c 've-')" 0
is "no nsboot process is left" "$(pgrep -x nsboot | wc -l)" 0
done_testing
