#!/bin/bash
# --network=zone:ZONE without privilege (nobody, --private-users=single and subid): the
# zone's bridge lives in the net namespace of a keeper process (a user namespace of the
# caller's); two machines reach each other by address and by name, fetch each other's
# httpd page, a later member is resolved; the keeper and the zone's state go with the
# last member, also when that member's nsboot was SIGKILLed. Inside namespaces of the
# test's own (the test's net namespace never sees a zone interface).
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/net-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root to become nobody and make its namespaces"
	done_testing
fi
nsb_net_isolate "$@"
TMP=$(mktemp -d /tmp/nsb-70rootless.XXXXXX)
chmod 755 "$TMP"
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
nsb_pub_init
# a tree copy with an /etc/hosts to bind over (nobody cannot make one in a tree of root's)
TREE=$TMP/tree
cp -a "$(nsb_pub_tree busybox)" "$TREE" && : >"$TREE/etc/hosts"
NSBOOT=$NSB_PUB/bin/nsboot
export XDG_RUNTIME_DIR=$TMP/xdg
mkdir -m 700 "$XDG_RUNTIME_DIR" && chown 65534:65534 "$XDG_RUNTIME_DIR"
Z=$XDG_RUNTIME_DIR/nsboot/zones
# the subid mode's ranges: files of the test's own over /etc/subuid and /etc/subgid (in
# the test's mount namespace)
echo 'nobody:300000:65536' >"$TMP/subuid"
cp "$TMP/subuid" "$TMP/subgid"
chmod 644 "$TMP/subuid" "$TMP/subgid"
touch /etc/subuid /etc/subgid 2>/dev/null
mount --bind "$TMP/subuid" /etc/subuid && mount --bind "$TMP/subgid" /etc/subgid
SERVE='echo "page of $(hostname)" >/tmp/index.html && httpd -p 80 -h /tmp && exec sleep 600'
# start_machine as nobody
start_nobody() {
	local name=$1
	shift
	rm -f "$TMP/$name.pid"
	as_nobody timeout -s KILL $((GUARD * 10)) "$NSBOOT" -q --hostname="$name" --pid-file="$TMP/$name.pid" -M "$name" "$@" \
		</dev/null >"$TMP/$name.out" 2>"$TMP/$name.err" &
	echo $! >"$TMP/$name.nsboot"
	wait_until test -s "$TMP/$name.pid"
}
# the PID of nobody's nsboot of machine NAME (below setpriv's timeout)
nsboot_of() { pgrep -u 65534 -f -x "$NSBOOT -q --hostname=$1 .*" | head -1; }
keepers() { pgrep -u 65534 -x nsboot-zone | wc -l; }
stop_nobody() {
	local sp
	sp=$(nsboot_of "$1")
	[ -n "$sp" ] && kill -TERM "$sp"
	wait_until eval "! kill -0 ${sp:-0} 2>/dev/null"
}
chmod 777 "$TMP"  # the pid files

for mode in single subid; do
	start_nobody alpha --private-users=$mode --network=zone:lab -D "$TREE" -- /bin/sh -c "$SERVE"
	check "$mode: alpha comes up in zone lab as nobody" test -s "$TMP/alpha.pid"
	[ -s "$TMP/alpha.pid" ] || diag "$(cat "$TMP/alpha.err")"
	start_nobody beta --private-users=$mode --network=zone:lab -D "$TREE" -- /bin/sh -c "$SERVE"
	check "$mode: beta comes up" test -s "$TMP/beta.pid"
	is "$mode: one keeper holds the zone" "$(keepers)" 1
	is "$mode: the bridge is not in the test's net namespace" "$(ip -o link show | grep -c 'vz-\|vb-')" 0
	is "$mode: alpha's nsboot is in the keeper's user namespace" "$(readlink /proc/"$(nsboot_of alpha)"/ns/user)" \
		"$(readlink /proc/"$(pgrep -u 65534 -x nsboot-zone)"/ns/user)"
	if [ $mode = subid ]; then
		like "subid: alpha's ids are nobody's and its subid range" "$(tr -s ' \n' ' ' </proc/"$(pid_of alpha)"/uid_map)" \
			'^ ?0 65534 1 1 300000 65536 $'
	fi
	addr_a=$(inside alpha ip -4 -o addr show host0 | awk '{print $4}')
	like "$mode: alpha has an address of the zone" "$addr_a" '^10\.123\.[0-9]+\.[0-9]+/24$'
	check "$mode: beta pings alpha by address" inside beta ping -c1 -W2 "${addr_a%/*}"
	check "$mode: beta pings alpha by name" inside beta ping -c1 -W2 alpha
	check "$mode: alpha pings beta by name" inside alpha ping -c1 -W2 beta
	is "$mode: beta fetches alpha's httpd page" "$(inside beta wget -q -O - http://alpha/index.html 2>&1)" "page of alpha"
	# machine:alpha without privilege: born below the keeper's user namespace, beside
	# alpha's, in alpha's net namespace
	OUT=$(as_nobody timeout "$GUARD" "$NSBOOT" -q --private-users=$mode --network=machine:alpha \
		-D "$TREE" -- /bin/sh -c 'readlink /proc/1/ns/net; wget -q -O - http://127.0.0.1/index.html' 2>&1)
	is "$mode: machine:alpha is in alpha's net namespace" "$(head -1 <<<"$OUT")" \
		"$(readlink /proc/"$(pid_of alpha)"/ns/net)"
	is "$mode: ... and reaches alpha's httpd on loopback" "$(sed -n 2p <<<"$OUT")" "page of alpha"
	start_nobody gamma --private-users=$mode --network=zone:lab -D "$TREE" -- /bin/sleep 600
	check "$mode: alpha resolves gamma, which joined later" inside alpha ping -c1 -W2 gamma
	for m in gamma beta; do stop_nobody $m; done
	is "$mode: the keeper stays while alpha is in the zone" "$(keepers)" 1
	stop_nobody alpha
	check "$mode: the keeper goes with the last member" wait_until eval '[ "$(keepers)" = 0 ]'
	check "$mode: so does the zone's state" wait_until test ! -e "$Z/lab"
done

# one member after the other, each alone: each makes the zone anew, while the keeper of
# the one before may still be on its way out (it must leave the new zone alone)
rcs=""
for i in 1 2 3 4; do
	as_nobody timeout "$GUARD" "$NSBOOT" -q --hostname=seq$i --network=zone:seq -D "$TREE" -- \
		/bin/sh -c 'grep -q " seq'$i' *$" /etc/hosts' 2>>"$TMP/seq.err"
	rcs="$rcs$? "
done
is "members one after the other each find themselves in the zone's hosts file" "$rcs" "0 0 0 0 "
[ "$rcs" = "0 0 0 0 " ] || diag "$(cat "$TMP/seq.err")"
check "... and the last keeper goes" wait_until eval '[ "$(keepers)" = 0 ]'

# a machine outside any zone: its net namespace is its own user namespace's, which
# nobody cannot enter from the host's
start_nobody solo -D "$TREE" -- /bin/sleep 600
OUT=$(as_nobody timeout "$GUARD" "$NSBOOT" -q --network=machine:solo -D "$TREE" -- /bin/true 2>&1)
is "machine: of a machine in no zone, without privilege: exit 125" "$?" 125
is "... in one line" "$OUT" "nsboot: --network=machine:solo: without privilege only a machine in a zone (--network=zone:ZONE) can share its net namespace"
stop_nobody solo

# a tree of root's without /etc/hosts: nobody cannot make the mount point for the zone's
cp -a "$TREE" "$TMP/nohosts" && rm "$TMP/nohosts/etc/hosts"
OUT=$(as_nobody timeout "$GUARD" "$NSBOOT" -q --network=zone:nh -D "$TMP/nohosts" -- /bin/true 2>&1)
is "a zone member's tree of root's without /etc/hosts: exit 125" "$?" 125
is "... in one line saying what to do" "$OUT" "nsboot: --network=zone:nh: $TMP/nohosts has no /etc/hosts to bind the zone's over, and its /etc (root's) takes no new file without privilege: create an empty $TMP/nohosts/etc/hosts"
check "... and no zone is left" test ! -e "$Z/nh"

# SIGKILL of the last member's nsboot: its container goes, then the keeper with the zone
start_nobody eps --network=zone:kz -D "$TREE" -- /bin/sleep 600
cpid=$(pid_of eps)
kill -KILL "$(nsboot_of eps)"
check "after SIGKILL of nsboot the container goes" wait_until gone "$cpid"
check "... the keeper too" wait_until eval '[ "$(keepers)" = 0 ]'
check "... and the zone's state" wait_until test ! -e "$Z/kz"
is "no process of nobody is left" "$(pgrep -u 65534 | wc -l)" 0
done_testing
