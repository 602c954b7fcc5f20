#!/bin/bash
# Machines rootless: nobody with the single and the subid mapping (a test range bound over
# /etc/subuid and /etc/subgid in the test's private mount namespace) and the busybox tree:
# a detached machine in nobody's own registry ($XDG_RUNTIME_DIR), listed, exec'd, stopped;
# another user neither sees nor drives it; the fallback registry in the shared /tmp is
# refused when someone else made it or it is a symlink.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/machines-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root to prepare (the test users and subid ranges)"
	done_testing
fi
machines_isolate "$0"
nsb_pub_init
TREE=$(nsb_pub_tree busybox)
TMP=$(mktemp -d /tmp/nsb-35rootless.XXXXXX)
chmod 755 "$TMP"
RUNDIR=$TMP/run-nobody
mkdir -m 700 "$RUNDIR"
chown 65534:65534 "$RUNDIR"
REG=$RUNDIR/nsboot/machines
nsb_at_exit 'machines_killall "$REG"; rm -rf "$TMP" /tmp/nsboot-54321'
NSBOOT=$NSB_PUB/bin/nsboot
# as USER: runs nsboot as nobody (or the uid $AS) with its own runtime directory
nsb() { (cd / && XDG_RUNTIME_DIR=$RUNDIR timeout -k 5 "$GUARD" setpriv --reuid="${AS:-65534}" \
	--regid="${AS:-65534}" --clear-groups "$NSBOOT" "$@"); }

HAVE_SUBID=
if [ -e /etc/subuid ] && [ -e /etc/subgid ] && command -v newuidmap >/dev/null; then
	echo 'nobody:200000:65536' >"$TMP/subuid"
	echo 'nobody:300000:65536' >"$TMP/subgid"
	chmod 644 "$TMP/subuid" "$TMP/subgid"
	mount --bind "$TMP/subuid" /etc/subuid && mount --bind "$TMP/subgid" /etc/subgid && HAVE_SUBID=1
fi

for mode in single subid; do
	if [ "$mode" = subid ] && [ -z "$HAVE_SUBID" ]; then
		skip "subid: /etc/subuid, /etc/subgid or newuidmap missing"
		continue
	fi
	out=$(nsb -M "bb-$mode" --private-users="$mode" --detach -D "$TREE" 2>&1)
	is "$mode: --detach as nobody: exit 0" "$?" 0
	like "$mode: the hint says nsboot shell" "$out" "or: nsboot shell bb-$mode"
	check "$mode: the entry is in nobody's runtime directory" test -d "$REG/bb-$mode"
	is "$mode: ...a private directory of nobody's" "$(stat -c '%U %a' "$REG" "$REG/bb-$mode" | tr '\n' ' ')" \
		"nobody 700 nobody 700 "
	like "$mode: list" "$(nsb list)" "^bb-$mode +[0-9]+ +(running|booted) +[0-9]+s +$TREE +$mode$"
	for st in 0 42 127; do
		nsb exec "bb-$mode" -- sh -c "exit $st" 2>/dev/null
		is "$mode: exec: exit status $st" "$?" "$st"
	done
	nsb exec "bb-$mode" -- sh -c 'kill -KILL $$'
	is "$mode: exec: killed by SIGKILL: 137" "$?" 137
	is "$mode: exec: uid 0 inside, in its own pid namespace" "$(nsb exec "bb-$mode" sh -c 'id -u; echo $PPID')" "0
0"
	# nsboot exec itself is not dumpable once it joined, so the container's root (the
	# same user here) cannot ptrace it or open its fds through /proc
	(cd / && XDG_RUNTIME_DIR=$RUNDIR timeout "$GUARD" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$NSBOOT" exec "bb-$mode" sleep 3) &
	bg=$!
	# (the exec is the oldest process with its command line: its forked child has the same
	# one until it execs sleep; it has joined once that sleep runs as its child)
	ex=
	for _ in $(seq 200); do
		ex=$(pgrep -o -x -f "$NSBOOT exec bb-$mode sleep 3")
		[ -n "$ex" ] && pgrep -P "$ex" -x sleep >/dev/null && break
		sleep 0.05
	done
	is "$mode: nsboot exec runs as nobody" "$(ps -o uid= -p "$ex" | tr -d ' ')" 65534
	check "$mode: ...but is not dumpable: its own user cannot read its /proc/PID/cwd" \
		sh -c "! setpriv --reuid=65534 --regid=65534 --clear-groups readlink /proc/$ex/cwd >/dev/null 2>&1"
	check "$mode: ...(which nobody can for a process of its own)" \
		setpriv --reuid=65534 --regid=65534 --clear-groups readlink /proc/self/cwd
	wait $bg
	is "$mode: exec: stdin piped through" "$(echo hello | nsb exec "bb-$mode" cat)" hello
	out=$(nsb exec --user=nobody "bb-$mode" id -u 2>&1)
	rc=$?
	if [ "$mode" = single ]; then
		is "single: exec --user=nobody: 125 (only root is mapped)" "$rc" 125
		like "...one line saying so" "$out" '^nsboot: exec: gid 65534 of nobody: .*not mapped'
	else
		is "subid: exec --user=nobody: its uid" "$out" 65534
	fi
	out=$(AS=54321 nsb exec "bb-$mode" true 2>&1)
	is "$mode: another user cannot drive it: 125" "$?" 125
	unlike "$mode: ...nor sees it" "$(AS=54321 nsb list 2>&1)" "bb-$mode"
	like "$mode: logs: the rc output" "$(nsb logs "bb-$mode")" 'rc: up'
	nsb stop "bb-$mode"
	is "$mode: stop: exit 0" "$?" 0
	check "$mode: ...the entry is gone" test ! -e "$REG/bb-$mode"
done

# the fallback in /tmp: used only when it is the user's own private directory
fallback() { (cd / && env -u XDG_RUNTIME_DIR setpriv --reuid=54321 --regid=54321 --clear-groups "$NSBOOT" list 2>&1); }
rm -rf /tmp/nsboot-54321
mkdir -m 755 /tmp/nsboot-54321
out=$(fallback)
is "a fallback registry someone else made: refused (125)" "$?" 125
like "...one line naming it" "$out" '^nsboot: list: /tmp/nsboot-54321: not a private directory of uid 54321 \(owner 0, mode 0755\)'
out=$(cd / && env -u XDG_RUNTIME_DIR setpriv --reuid=54321 --regid=54321 --clear-groups "$NSBOOT" -q \
	--private-users=single -D "$TREE" -- /bin/echo ran 2>&1)
is "...a plain run without -M still starts (no registry needed)" "$?" 0
like "...and warns that it has no name" "$out" 'warning: /tmp/nsboot-54321: not a private directory.*runs without a machine name'
out=$(cd / && env -u XDG_RUNTIME_DIR setpriv --reuid=54321 --regid=54321 --clear-groups "$NSBOOT" -q \
	-M named --private-users=single -D "$TREE" -- /bin/echo ran 2>&1)
is "...a run with -M needs it: 125" "$?" 125
rm -rf /tmp/nsboot-54321
ln -s "$TMP" /tmp/nsboot-54321
out=$(fallback)
is "a fallback registry that is a symlink: refused (125)" "$?" 125
like "...one line naming it" "$out" '^nsboot: list: /tmp/nsboot-54321: a symlink: refusing'
rm -f /tmp/nsboot-54321
out=$(fallback)
is "no registry yet: an empty list" "$out" "$(printf '%-16s %-8s %-9s %-8s %-30s %s' NAME PID STATE UPTIME TREE MAPPING)"
done_testing
