#!/bin/bash
# --network=pasta, as root and as nobody: --port=127.0.0.1:8080:80 brings the host's
# wget to the container's httpd; from inside, a TCP server on the host's loopback
# (started here) answers at the gateway's address; pasta goes with the container, also
# after SIGKILL of nsboot; pasta missing from PATH or a port taken: one line, exit 125.
# In namespaces of the test's own: its "outside" is a veth pair with a default route that
# leads nowhere, so nothing leaves them.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/net-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root to make its namespaces and to become nobody"
	done_testing
fi
if ! command -v pasta >/dev/null; then
	skip "pasta is not installed (Debian package passt; scripts/install-deps)"
	done_testing
fi
nsb_net_isolate "$@"
ip link add nsbt0 type veth peer name nsbt1 && ip addr add 192.0.2.1/24 dev nsbt0 &&
	ip link set nsbt1 up && ip link set nsbt0 up && ip route add default via 192.0.2.254 dev nsbt0
TMP=$(mktemp -d /tmp/nsb-70pasta.XXXXXX)
chmod 777 "$TMP"
# rootless pasta opens /dev/net/tun, which Debian makes 0666 and some hosts 0600: a 0666
# node of the test's own over it, in the test's mount namespace
if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -w /dev/net/tun; then
	mkdir "$TMP/dev" && mount -t tmpfs -o mode=755 nsb-tun "$TMP/dev" &&
		mknod -m 666 "$TMP/dev/tun" c 10 200 && mount --bind "$TMP/dev/tun" /dev/net/tun
fi
trap 'kill -KILL $(jobs -p) 2>/dev/null; umount /dev/net/tun "$TMP/dev" 2>/dev/null; rm -rf "$TMP"' EXIT
nsb_pub_init
TREE=$(nsb_pub_tree busybox)
SERVE='echo "page of $(hostname)" >/tmp/index.html && httpd -p 80 -h /tmp && exec sleep 600'
pastas() { pgrep -f '^pasta ' | wc -l; }

for who in root nobody; do
	NSB_AS=(); [ $who = nobody ] && NSB_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	NSBOOT=$NSB_PUB/bin/nsboot
	start_machine web --network=pasta --port=127.0.0.1:8080:80 -D "$TREE" -- /bin/sh -c "$SERVE"
	check "$who: the container comes up with pasta" test -s "$TMP/web.pid"
	[ -s "$TMP/web.pid" ] || diag "$(cat "$TMP/web.err")"
	is "$who: one pasta runs" "$(pastas)" 1
	is "$who: the host's wget reaches the container's httpd through 127.0.0.1:8080" \
		"$(timeout "$GUARD" busybox wget -q -O - http://127.0.0.1:8080/index.html 2>&1)" "page of web"
	echo "hello from the host" | timeout "$GUARD" busybox nc -l -p 9999 127.0.0.1 >/dev/null &
	sleep 0.3
	like "$who: inside, the host's loopback server answers at the gateway" \
		"$(inside web sh -c 'nc 192.0.2.254 9999 </dev/null & sleep 1; kill $! 2>/dev/null' 2>&1)" "^hello from the host$"
	OUT=$(timeout "$GUARD" "${NSB_AS[@]}" "$NSBOOT" -q --hostname=second --network=pasta --port=127.0.0.1:8080:80 -D "$TREE" -- /bin/true 2>&1)
	is "$who: a port in use: exit 125" "$?" 125
	like "$who: ... in one line" "$OUT" '^nsboot: --network=pasta: pasta exited'
	stop_machine web
	check "$who: pasta goes with the container" wait_until eval '[ "$(pastas)" = 0 ]'
	start_machine web2 --network=pasta -D "$TREE" -- /bin/sleep 600
	cpid=$(pid_of web2)
	kill -KILL "$(pgrep -f -x "$NSB_PUB/bin/nsboot -q --hostname=web2 .*" | head -1)"
	wait "$(cat "$TMP/web2.nsboot")" 2>/dev/null
	check "$who: after SIGKILL of nsboot the container goes" wait_until gone "$cpid"
	check "$who: ... and pasta" wait_until eval '[ "$(pastas)" = 0 ]'
done
OUT=$(timeout "$GUARD" env PATH=/nonexistent "$NSB_PUB/bin/nsboot" -q --network=pasta -D "$TREE" -- /bin/true 2>&1)
is "pasta not in PATH: exit 125" "$?" 125
is "... saying so in one line" "$OUT" "nsboot: --network=pasta: pasta not found in PATH (Debian package passt)"
is "no nsboot process is left" "$(pgrep -x nsboot | wc -l)" 0
done_testing
