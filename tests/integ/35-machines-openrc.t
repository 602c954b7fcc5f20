#!/bin/bash
# A detached Debian OpenRC machine as root (pick): nsboot returns once it has booted
# (--wait-booted), exec sees its services, wait --booted agrees, logs -f follows its
# console, and stop runs the tree's own shutdown (sshd and cron stop) and exits 0.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/machines-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (debootstrap, the pick mapping)"
	done_testing
fi
machines_isolate "$0"
if ! TREE=$("$NSB_SRC/scripts/mkrootfs" debian-openrc); then
	not_ok "build the debian-openrc tree (scripts/mkrootfs debian-openrc)"
	done_testing
fi
REG=/run/nsboot/machines
TMP=$(mktemp -d /tmp/nsb-35openrc.XXXXXX)
trap 'machines_killall "$REG"; kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
nsb() { timeout -k 5 "$GUARD" "$NSB_BUILD/nsboot" "$@"; }

out=$(nsb -M orc --detach --wait-booted -D "$TREE" 2>&1)
is "--detach --wait-booted: exit 0" "$?" 0
like "...once booted" "$out" 'booted in [0-9]+ ms'
like "list: booted" "$(nsb list)" "^orc +[0-9]+ +booted +[0-9]+s +$TREE +pick$"
is "wait --booted --timeout: at once" "$(nsb wait --booted --timeout=5 orc; echo $?)" 0
ps=$(nsb exec orc -- ps -eo pid=,args=)
like "exec: PID 1 is nsboot-init" "$ps" '^ *1 nsboot-init '
like "exec: sshd runs" "$ps" 'sshd: /usr/sbin/sshd'
like "exec: cron runs" "$ps" '/usr/sbin/cron'
is "exec: a NixOS-driver style command and its status" \
	"$(nsb exec orc -- /bin/bash -c 'set -eo pipefail; . /etc/profile; test -x /usr/sbin/sshd; exit 7'; echo $?)" 7
is "exec --user=nobody" "$(nsb exec --user=nobody orc id -un)" nobody
like "logs: the OpenRC boot" "$(nsb logs orc)" 'OpenRC'
nsb logs -f orc >"$TMP/follow" &
follow=$!
nsb stop orc
is "stop: exit 0" "$?" 0
timeout "$GUARD" tail --pid="$follow" -f /dev/null
like "logs -f followed the shutdown: sshd stopped by the tree's scripts" "$(cat "$TMP/follow")" 'Stopping OpenBSD Secure Shell server'
like "...cron too" "$(cat "$TMP/follow")" 'Stopping periodic command scheduler'
check "...and logs -f ended with the machine" sh -c "! kill -0 $follow 2>/dev/null"
check "the entry is gone" test ! -e "$REG/orc"
done_testing
