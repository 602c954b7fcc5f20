#!/bin/bash
# --network=veth as root: ve-NAME on the host, host0 inside with an IPv6 link-local
# address and an IPv4 /30 of the default pool (or --address), the host side as its
# default route; the host reaches the container's httpd; two containers get two /30s;
# SIGKILL of nsboot leaves no interface. All inside namespaces of the test's own.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/net-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (veth is root's)"
	done_testing
fi
nsb_net_isolate "$@"
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
TMP=$(mktemp -d /tmp/nsb-70veth.XXXXXX)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
SERVE='echo "page of $(hostname)" >/tmp/index.html && httpd -p 80 -h /tmp && exec sleep 600'
has_link() { ip link show "$1" >/dev/null 2>&1; }

start_machine web --network=veth -D "$TREE" -- /bin/sh -c "$SERVE"
check "web comes up" test -s "$TMP/web.pid"
check "ve-web is on the host" has_link ve-web
is "the host side has the pool's first /30" "$(ip -4 -o addr show ve-web | awk '{print $4}')" 10.124.0.1/30
is "host0 has the second address" "$(inside web ip -4 -o addr show host0 | awk '{print $4}')" 10.124.0.2/30
like "the host side is the default route" "$(inside web ip route show default)" '^default via 10\.124\.0\.1 dev host0'
check "host0 has an IPv6 link-local address" wait_until inside web sh -c 'ip -6 addr show host0 | grep -q "inet6 fe80:"'
is "the host fetches the container's httpd page" "$(timeout "$GUARD" wget -q -O - http://10.124.0.2/index.html 2>&1)" "page of web"
check "the container reaches the host side" inside web ping -c1 -W2 10.124.0.1
start_machine web2 --network=veth -D "$TREE" -- /bin/sleep 600
is "a second container gets the next /30" "$(inside web2 ip -4 -o addr show host0 | awk '{print $4}')" 10.124.0.6/30
stop_machine web2
check "its ve- goes with it" no_link ve-web2
OUT=$(timeout "$GUARD" "$NSBOOT" -q --hostname=fixed --network=veth --address=192.168.77.9/24 -D "$TREE" -- \
	/bin/sh -c 'ip -4 -o addr show host0; ip route show default' 2>&1)
like "--address sets the container's address" "$OUT" 'inet 192\.168\.77\.9/24'
like "... and the host side is the subnet's first" "$OUT" 'default via 192\.168\.77\.1 dev host0'
OUT=$(timeout "$GUARD" "$NSBOOT" -q --hostname=pooled --network=veth --address-pool=10.55.0.0/24 -D "$TREE" -- \
	/bin/sh -c 'ip -4 -o addr show host0' 2>&1)
like "--address-pool picks from that pool" "$OUT" 'inet 10\.55\.0\.2/30'
OUT=$(timeout "$GUARD" "$NSBOOT" -q --network=veth --address=10.0.0.0/24 -D "$TREE" -- /bin/true 2>&1)
is "an address that is the network's: exit 125" "$?" 125
like "... in one line" "$OUT" '^nsboot: --address=10\.0\.0\.0/24: '
OUT=$(timeout "$GUARD" "$NSBOOT" -q --network=private --address=10.0.0.2/24 -D "$TREE" -- /bin/true 2>&1)
is "--address without veth: exit 125" "$?" 125
name16=abcdefghijklmnopq
start_machine $name16 --network=veth -D "$TREE" -- /bin/sleep 600
check "a long name is cut to 15 bytes (ve-abcdefghijkl)" has_link ve-abcdefghijkl

cpid=$(pid_of web)
kill -KILL "$(nsboot_pid web)"
wait "$(cat "$TMP/web.nsboot")" 2>/dev/null
check "after SIGKILL of nsboot the container goes" wait_until gone "$cpid"
check "... and ve-web with it" wait_until no_link ve-web
stop_machine $name16
is "no ve- interface is left" "$(ip -o link show | grep -c 've-')" 0
is "no nsboot process is left" "$(pgrep -x nsboot | wc -l)" 0
done_testing
