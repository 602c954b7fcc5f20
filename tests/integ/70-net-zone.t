#!/bin/bash
# --network=zone:ZONE as root: machines of one zone on bridge vz-ZONE reach each other by
# address and by name (the zone's hosts file over /etc/hosts, kept current as members
# come and go); a member that stops frees its address; the bridge goes with the last
# member; a SIGKILLed nsboot leaves nothing the next one does not clear; bad input is
# one line and exit 125, leaving nothing behind. All inside namespaces of the test's own.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/net-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (the rootless zones are 70-net-rootless.t)"
	done_testing
fi
nsb_net_isolate "$@"
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
TMP=$(mktemp -d /tmp/nsb-70zone.XXXXXX)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
Z=/run/nsboot/zones
SERVE='echo "page of $(hostname)" >/tmp/index.html && httpd -p 80 -h /tmp && exec sleep 600'

start_machine alpha --network=zone:lab -D "$TREE" -- /bin/sh -c "$SERVE"
check "alpha comes up in zone lab" test -s "$TMP/alpha.pid"
start_machine beta --network=zone:lab -D "$TREE" -- /bin/sh -c "$SERVE"
check "beta comes up in zone lab" test -s "$TMP/beta.pid"
has_link() { ip link show "$1" >/dev/null 2>&1; }
check "the zone's bridge vz-lab is on the host" has_link vz-lab
addr_a=$(inside alpha ip -4 -o addr show host0 | awk '{print $4}')
addr_b=$(inside beta ip -4 -o addr show host0 | awk '{print $4}')
like "alpha has host0 with an address of the zone's /24 before its command runs" "$addr_a" '^10\.123\.[0-9]+\.2/24$'
like "beta has the next one" "$addr_b" '^10\.123\.[0-9]+\.3/24$'
check "beta pings alpha by address" inside beta ping -c1 -W2 "${addr_a%/*}"
check "alpha pings beta by name" inside alpha ping -c1 -W2 beta
check "beta pings alpha by name" inside beta ping -c1 -W2 alpha
is "beta fetches alpha's httpd page by name" "$(inside beta wget -q -O - http://alpha/index.html 2>&1)" "page of alpha"
check "host0 has an IPv6 link-local address" wait_until inside alpha sh -c 'ip -6 addr show host0 | grep -q "inet6 fe80:"'
check "/etc/hosts is read-only inside" inside alpha sh -c '! (echo x >>/etc/hosts) 2>/dev/null'

# a member that joins later is resolved by the others
start_machine gamma --network=zone:lab -D "$TREE" -- /bin/sleep 600
check "alpha resolves gamma, which joined after it" inside alpha ping -c1 -W2 gamma
check "beta resolves gamma" inside beta ping -c1 -W2 gamma
addr_g=$(inside gamma ip -4 -o addr show host0 | awk '{print $4}')
# a name twice in a zone is refused, and leaves nothing behind
OUT=$(timeout "$GUARD" "$NSBOOT" -q --hostname=beta --network=zone:lab -D "$TREE" -- /bin/true 2>&1)
RC=$?
is "a second machine named beta is refused: exit 125" "$RC" 125
like "... in one line naming the zone and the name" "$OUT" '^nsboot: --network=zone:lab: a machine named beta is in it already'
is "... and takes no slot" "$(ls $Z/lab | grep -c '^member\.')" 3

# stopping frees the address and the name
stop_machine gamma
check "gamma's nsboot is gone" gone "$(cat "$TMP/gamma.nsboot")"
unlike "alpha's /etc/hosts no longer names gamma" "$(inside alpha cat /etc/hosts)" gamma
is "gamma's slot is free again" "$(ls $Z/lab | grep -c '^member\.')" 2
start_machine delta --network=zone:lab -D "$TREE" -- /bin/sleep 600
addr_d=$(inside delta ip -4 -o addr show host0 | awk '{print $4}')
like "delta gets the next address (a freed one only after all the others)" "$addr_d" '^10\.123\.[0-9]+\.5/24$'
check "alpha resolves delta" inside alpha ping -c1 -W2 delta
for m in delta beta; do stop_machine $m; done
check "the bridge stays while alpha is in the zone" has_link vz-lab
stop_machine alpha
check "the bridge goes with the last member" no_link vz-lab
check "so does the zone's state" test ! -e $Z/lab
is "no vb- interface is left" "$(ip -o link show | grep -c 'vb-')" 0

# SIGKILL of nsboot: the container goes (its init outlives nsboot only briefly), its veth
# with its net namespace; the bridge is cleared by the next nsboot that joins a zone
start_machine eps --network=zone:kz -D "$TREE" -- /bin/sleep 600
cpid=$(pid_of eps)
kill -KILL "$(nsboot_pid eps)"
wait "$(cat "$TMP/eps.nsboot")" 2>/dev/null
check "after SIGKILL of nsboot the container goes" wait_until gone "$cpid"
check "... and its interface with it" wait_until no_link vb-eps
OUT=$(timeout "$GUARD" "$NSBOOT" -q --hostname=zeta --network=zone:other -D "$TREE" -- /bin/true 2>&1)
RC=$?
is "the next nsboot in any zone runs" "$RC" 0
[ "$RC" = 0 ] || diag "$OUT"
check "... and removed the killed member's empty zone and its bridge" no_link vz-kz
check "... its state too" test ! -e $Z/kz
check "... and its own zone went with it" no_link vz-other
is "no nsboot process is left" "$(pgrep -x nsboot | wc -l)" 0

# bad input: one line, exit 125, nothing made
for arg in zone: zone:has/slash zone:abcdefghijklm "zone:a b" bridge; do
	OUT=$(timeout "$GUARD" "$NSBOOT" -q --network="$arg" -D "$TREE" -- /bin/true 2>&1)
	RC=$?
	is "--network=$arg: exit 125" "$RC" 125
	like "... naming the option" "$(head -1 <<<"$OUT")" "^nsboot: --network=$arg: "
done
OUT=$(timeout "$GUARD" "$NSBOOT" -q --hostname='bad name' --network=zone:lab -D "$TREE" -- /bin/true 2>&1)
is "a machine name that is no host name is refused: exit 125" "$?" 125
check "... nothing is left behind" no_link vz-lab
done_testing
