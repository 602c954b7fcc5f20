#!/bin/bash
# --network=ns:PATH: the container joins an existing net namespace (one made with
# `ip netns add`, in the test's own namespaces) and sees its interfaces; a path that is
# no net namespace, or does not exist, is one line and exit 125.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/net-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (ip netns)"
	done_testing
fi
nsb_net_isolate "$@"
TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
ip netns add nsbt && ip -n nsbt link add nsbv0 type veth peer name nsbv1 && ip -n nsbt link set nsbv0 up
OUT=$(timeout "$GUARD" "$NSBOOT" -q --network=ns:/run/netns/nsbt -D "$TREE" -- /bin/sh -c 'ip -o link show | cut -d: -f2 | tr -d " " | sort | tr "\n" " "' 2>&1)
is "the container sees the namespace's interfaces" "$OUT" "lo nsbv0@nsbv1 nsbv1@nsbv0 "
is "... it is the same namespace" "$(timeout "$GUARD" "$NSBOOT" -q --network=ns:/run/netns/nsbt -D "$TREE" -- /bin/readlink /proc/1/ns/net 2>&1)" \
	"$(ip netns exec nsbt readlink /proc/self/ns/net)"
OUT=$(timeout "$GUARD" "$NSBOOT" -q --network=ns:/etc/passwd -D "$TREE" -- /bin/true 2>&1)
is "a file that is no net namespace: exit 125" "$?" 125
is "... in one line" "$OUT" "nsboot: --network=ns:/etc/passwd: not a net namespace"
OUT=$(timeout "$GUARD" "$NSBOOT" -q --network=ns:/run/netns/none -D "$TREE" -- /bin/true 2>&1)
is "a path that does not exist: exit 125" "$?" 125
is "... in one line" "$OUT" "nsboot: --network=ns:/run/netns/none: No such file or directory"
ip netns del nsbt
done_testing
