#!/bin/bash
# A detached Debian OpenRC machine rootless: nobody with the subid mapping (a test range
# bound over /etc/subuid and /etc/subgid, and the tree shifted into it, in a private mount
# namespace) returns once booted, is listed, exec'd (as root and as a user of the tree),
# and stopped through the tree's own shutdown with exit 0.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/machines-lib.sh"
nsb_need_subid_prep
nsb_pub_init
BASE=100000
if ! TREE=$(NSBOOT_SUBID_BASE=$BASE NSBOOT_SUBID_OWNER=65534:65534 "$NSB_SRC/scripts/mkrootfs" debian-openrc-subid); then
	not_ok "build the debian-openrc-subid tree"
	done_testing
fi
TMP=$(mktemp -d /tmp/nsb-35orcnobody.XXXXXX)
chmod 755 "$TMP"
mkdir -m 755 "$TMP/tree"
mkdir -m 700 "$TMP/run"
chown 65534:65534 "$TMP/run"
REG=$TMP/run/nsboot/machines
echo "nobody:$BASE:65536" >"$TMP/subuid"
printf 'nogroup:%s:65536\nnobody:%s:65536\n' "$BASE" "$BASE" >"$TMP/subgid"
chmod 644 "$TMP/subuid" "$TMP/subgid"
nsb_at_exit 'machines_killall "$REG"; rm -rf "$TMP"'
# nsb ARGS...: nsboot as nobody in a private mount namespace with the test ranges and the
# tree bound at $TMP/tree
nsb() {
	(cd / && timeout -k 5 "$GUARD" unshare -m sh -c 'mount --bind "$1" /etc/subuid &&
		mount --bind "$2" /etc/subgid && mount --bind "$3" "$4" && shift 4 &&
		exec env XDG_RUNTIME_DIR="$0" setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' \
		"$TMP/run" "$TMP/subuid" "$TMP/subgid" "$TREE" "$TMP/tree" "$NSB_PUB/bin/nsboot" "$@")
}

out=$(nsb -M orc --detach --wait-booted -D "$TMP/tree" 2>&1)
is "subid: --detach --wait-booted as nobody: exit 0" "$?" 0
like "...once booted" "$out" 'booted in [0-9]+ ms'
like "list: booted, subid" "$(nsb list)" "^orc +[0-9]+ +booted +[0-9]+s +$TMP/tree +subid$"
ps=$(nsb exec orc -- ps -eo pid=,args=)
like "exec: PID 1 is nsboot-init" "$ps" '^ *1 nsboot-init '
like "exec: sshd runs" "$ps" 'sshd: /usr/sbin/sshd'
like "exec: cron runs" "$ps" '/usr/sbin/cron'
is "exec: uid 0 inside" "$(nsb exec orc id -u)" 0
is "exec --user=nobody: a user of the tree, mapped by the subid range" "$(nsb exec --user=nobody orc id -un)" nobody
is "exec: exit status" "$(nsb exec orc sh -c 'exit 42'; echo $?)" 42
nsb stop orc
is "stop: exit 0" "$?" 0
check "the entry is gone" test ! -e "$REG/orc"
done_testing
