#!/bin/bash
# nsboot-init forwards SIGHUP SIGINT SIGQUIT SIGTERM SIGUSR1 SIGUSR2 SIGWINCH SIGCONT to the
# command (or its group with --kill-group), and starts it with a clean signal state.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/helpers/init-lib.sh"

SIGS="HUP INT QUIT USR1 USR2 WINCH CONT"

# forwarding MODE GROUP_FLAG: sends each signal to the init from outside its namespace
# and waits for the command (and with --kill-group its grandchild) to record it.
forwarding() {
	local mode=$1 flag=$2 d log ipid sig st what
	d=$(init_dir); log=$d/log
	if [ -n "$flag" ]; then
		start_init --kill-group -- "$H/init-sigrecord" "$log" --group
		wait_for has_line "$log" "grandchild ready"
	else
		start_init -- "$H/init-sigrecord" "$log" --group
	fi
	wait_for has_line "$log" "child ready"
	ipid=$(init_pid)
	what="$mode${flag:+ --kill-group}"
	for sig in $SIGS; do
		kill -s "$sig" "$ipid"
		if wait_for has_line "$log" "child SIG$sig" &&
			{ [ -z "$flag" ] || wait_for has_line "$log" "grandchild SIG$sig"; }; then
			ok "$what: SIG$sig reaches the command${flag:+ and its group}"
		else
			not_ok "$what: SIG$sig reaches the command${flag:+ and its group}"
			diag "$(cat "$log")"
		fi
	done
	before=$(cat "$log")
	kill -s TERM "$ipid"
	wait "$BG"; st=$?
	check "$what: SIGTERM reaches the command" has_line "$log" "child SIGTERM"
	is "$what: the command's status after SIGTERM (it exits 0)" "$st" 0
	if [ -z "$flag" ]; then
		# the grandchild got only the shutdown's SIGTERM (and SIGCONT), none of the
		# forwarded ones
		unlike "$what: the grandchild got nothing forwarded" "$before" \
			"grandchild SIG(HUP|INT|QUIT|USR1|USR2|WINCH|CONT)"
		check "$what: the grandchild got the shutdown's SIGTERM" \
			has_line "$log" "grandchild SIGTERM"
	fi
}

for mode in $INIT_MODES; do
	init_mode "$mode"
	forwarding "$mode" ""
	forwarding "$mode" group

	# a clean signal state for the command, even when the init was started with SIGINT
	# and SIGQUIT ignored (as a background job of a script is)
	out=$(trap '' INT QUIT; run_init -- grep -E '^Sig(Blk|Ign):' /proc/self/status)
	is "$mode: the command's SigBlk and SigIgn are zero (init started with INT/QUIT ignored)" \
		"$out" $'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000'
	ign=$(trap '' INT QUIT; run_init -- sh -c 'grep ^SigIgn: /proc/$PPID/status')
	if [ "$mode" != subreaper ]; then
		unlike "$mode: (the init itself did inherit them ignored)" "$ign" 'SigIgn:\t0+$'
	fi

	# SIGINT still reaches the command when the init inherited it ignored
	d=$(init_dir)
	(trap '' INT QUIT; start_init -- "$H/init-sigrecord" "$d/log"; wait "$BG"; echo $? > "$d/st") &
	sub=$!
	wait_for has_line "$d/log" "child ready"
	BG=$(ps -o pid= --ppid "$sub" | head -1 | tr -d ' ')
	ipid=$(init_pid)
	kill -s INT "$ipid"
	check "$mode: SIGINT is forwarded although the init inherited it ignored" \
		wait_for has_line "$d/log" "child SIGINT"
	kill -s TERM "$ipid"
	wait "$sub"
	is "$mode: ... and the command ends on SIGTERM" "$(cat "$d/st")" 0

	# a command killed by a forwarded signal: 128+N
	start_init -- sleep 1000
	ipid=$(init_pid)
	wait_for sh -c "ps -o comm= --ppid $ipid | grep -qx sleep"
	kill -s USR1 "$ipid"
	wait "$BG"; st=$?
	is "$mode: a command killed by a forwarded SIGUSR1: 138" "$st" 138
done
done_testing
