#!/bin/bash
# exec -t and shell under a pty (tests/helpers/boot-pty plays the user), as root and as
# nobody: the command gets a new pty from the container's devpts (never the caller's
# terminal), window sizes follow, Ctrl-C reaches it, shell starts USER's login shell as a
# login shell, and the caller's terminal modes are restored every time.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/machines-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root"
	done_testing
fi
machines_isolate "$0"
nsb_pub_init
TREE=$(nsb_pub_tree busybox)
TMP=$(mktemp -d /tmp/nsb-35tty.XXXXXX)
chmod 755 "$TMP"
RUNDIR=$TMP/run-nobody
mkdir -m 700 "$RUNDIR"
chown 65534:65534 "$RUNDIR"
nsb_at_exit 'machines_killall /run/nsboot/machines; machines_killall "$RUNDIR/nsboot/machines"; rm -rf "$TMP"'
NSBOOT=$NSB_PUB/bin/nsboot
PTY=$NSB_PUB/bin/helpers/boot-pty

for who in root nobody; do
	run=()
	[ "$who" = nobody ] && run=(env XDG_RUNTIME_DIR="$RUNDIR" setpriv --reuid=65534 --regid=65534 --clear-groups)
	(cd / && timeout "$GUARD" "${run[@]}" "$NSBOOT" -q -M tty --detach -D "$TREE")
	is "$who: a detached machine" "$?" 0
	out=$(cd / && TERM=vt100 timeout "$GUARD" "${run[@]}" "$PTY" -t 20 -- "$NSBOOT" exec -t tty \
		sh -c 'tty; ls /dev/pts; echo "term=$TERM"; [ -t 0 ] && echo stdin-tty; exit 3' 2>"$TMP/err")
	is "$who: exec -t: the command's status" "$(sed -n 's/^status //p' "$TMP/err")" 3
	is "$who: ...the caller's terminal modes restored" "$(grep -c '^modes restored' "$TMP/err")" 1
	like "$who: ...a pty of the container's devpts" "$out" '^/dev/pts/0'
	like "$who: ...which holds only its own ptys" "$(tr -d '\r' <<<"$out" | sed -n 2p)" '^0( +ptmx)?$'
	like "$who: ...TERM is the caller's" "$out" 'term=vt100'
	like "$who: ...stdin is that terminal" "$out" 'stdin-tty'
	out=$(cd / && timeout "$GUARD" "${run[@]}" "$PTY" -t 20 -e ready -s '\x03' -- "$NSBOOT" exec -t tty \
		sh -c 'echo ready; sleep 100' 2>"$TMP/err")
	is "$who: exec -t: Ctrl-C reaches the command (130)" "$(sed -n 's/^status //p' "$TMP/err")" 130
	is "$who: ...modes restored" "$(grep -c '^modes restored' "$TMP/err")" 1
	out=$(cd / && timeout "$GUARD" "${run[@]}" "$PTY" -t 20 -e '# ' -w 33x77 -p 300 \
		-s 'echo "0=$0 home=$HOME"; stty size; exit 4\n' -- "$NSBOOT" shell tty 2>"$TMP/err")
	is "$who: shell: its exit status" "$(sed -n 's/^status //p' "$TMP/err")" 4
	like "$who: ...root's login shell as a login shell, in HOME" "$out" '0=-sh home=/root'
	like "$who: ...the window size follows the caller's" "$out" '33 77'
	is "$who: ...modes restored" "$(grep -c '^modes restored' "$TMP/err")" 1
	(cd / && timeout "$GUARD" "${run[@]}" "$NSBOOT" stop tty)
	is "$who: stop" "$?" 0
done
done_testing
