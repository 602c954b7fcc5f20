#!/bin/bash
# The container's root can ptrace its PID 1 and take its end of the channel to nsboot
# (pidfd_getfd): what it writes there is read in small batches between nsboot's other
# work, printed a bounded number of times, and never reaches the caller's terminal as an
# escape sequence or a line of its own. As root and as nobody.
source "$NSB_SRC/tests/integ/lib.sh"
nsb_pub_init
TREE=$(nsb_pub_tree busybox)
TMP=$(mktemp -d /tmp/nsb-60chan.XXXXXX)
chmod 755 "$TMP"
nsb_at_exit "rm -rf '$TMP'"
ATTACK=$NSB_PUB/bin/helpers/attack
N=20000

for who in root nobody; do
	run=()
	[ "$who" = nobody ] && run=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	out=$(cd / && timeout "$GUARD" "${run[@]}" "$NSB_PUB/bin/nsboot" --private-users=single \
		--bind-ro="$ATTACK:/attack" -D "$TREE" -- /bin/sh -c "/attack flood-channel $N; echo done" \
		2>"$TMP/err")
	rc=$?
	like "$who: the container's root floods PID 1's channel" "$out" "^attack flood-channel $N: SUCCEEDED \\($((2 * N)) records sent\\)$"
	is "$who: ...the command goes on and its status is nsboot's" "$rc/$(tail -n 1 <<<"$out")" "0/done"
	lines=$(wc -l <"$TMP/err")
	check "$who: ...nsboot printed a bounded number of lines ($lines)" [ "$lines" -le 40 ]
	like "$who: ...and said that it stopped showing them" "$(cat "$TMP/err")" 'further messages and malformed records not shown$'
	is "$who: ...no escape byte reached the caller's stderr" "$(tr -dc '\033\007' <"$TMP/err" | wc -c)" 0
	is "$who: ...no line of the container's passes for nsboot's own" "$(grep -c '^nsboot: forged line' "$TMP/err")" 0
done
done_testing
