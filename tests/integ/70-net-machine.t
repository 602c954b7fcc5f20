#!/bin/bash
# --network=machine:NAME (root): a second container shares a running machine's net
# namespace, as a pod does: it sees the first's interfaces and reaches its listening
# socket on loopback; an unknown machine is one line and exit 125. In namespaces of the
# test's own (with a private /run, so the machine registry is the test's too).
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/net-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root"
	done_testing
fi
nsb_net_isolate "$@"
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
TMP=$(mktemp -d /tmp/nsb-70machine.XXXXXX)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
SERVE='echo "page of $(hostname)" >/tmp/index.html && httpd -p 127.0.0.1:80 -h /tmp && exec sleep 600'
start_machine web -M web --network=veth -D "$TREE" -- /bin/sh -c "$SERVE"
check "machine web comes up" test -s "$TMP/web.pid"
OUT=$(timeout "$GUARD" "$NSBOOT" -q --hostname=side --network=machine:web -D "$TREE" -- \
	/bin/sh -c 'readlink /proc/1/ns/net; ip -o link show host0 | cut -d: -f2; wget -q -O - http://127.0.0.1/index.html' 2>&1)
is "the second container is in web's net namespace" "$(head -1 <<<"$OUT")" "$(readlink /proc/"$(pid_of web)"/ns/net)"
like "... sees its host0" "$(sed -n 2p <<<"$OUT")" '^ host0@'
is "... and reaches its httpd on loopback" "$(sed -n 3p <<<"$OUT")" "page of web"
OUT=$(timeout "$GUARD" "$NSBOOT" -q --network=machine:nosuch -D "$TREE" -- /bin/true 2>&1)
is "an unknown machine: exit 125" "$?" 125
is "... in one line" "$OUT" "nsboot: --network=machine:nosuch: no such running machine"
stop_machine web
done_testing
