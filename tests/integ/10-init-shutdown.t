#!/bin/bash
# When the command exits, nsboot-init sends SIGTERM to every process left, waits up to
# --grace (ending early when nothing is left), then SIGKILL; a second SIGTERM or SIGINT
# during the grace kills at once. Exit status: the command's.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/helpers/init-lib.sh"

for mode in $INIT_MODES; do
	init_mode "$mode"

	# a leftover that handles SIGTERM runs its handler; a 1000 s grace ends when it is gone
	d=$(init_dir)
	run_init --grace=1000 -- "$H/init-leftover" "$d" handle 3; st=$?
	is "$mode: the command's status with a leftover" "$st" 3
	check "$mode: the leftover's SIGTERM handler ran" test -e "$d/term"

	# a leftover that ignores SIGTERM gets it, then SIGKILL after the grace
	d=$(init_dir)
	err=$(run_init --grace=0.3 -- "$H/init-leftover" "$d" ignore 4 2>&1); st=$?
	is "$mode: SIGTERM, grace, SIGKILL: the init exits with the command's status" "$st" 4
	check "$mode: the leftover got SIGTERM first" test -e "$d/term"
	is "$mode: the leftover died of the SIGKILL (no complaint)" "$err" ""

	# --grace=0: SIGKILL at once, no SIGTERM
	d=$(init_dir)
	run_init --grace=0 -- "$H/init-leftover" "$d" ignore 6; st=$?
	is "$mode: --grace=0 kills at once" "$st" 6
	check "$mode: --grace=0 sends no SIGTERM" test ! -e "$d/term"

	# a second SIGTERM (or SIGINT) during a long grace kills at once
	for sig in TERM INT; do
		d=$(init_dir)
		start_init --grace=1000 -- "$H/init-leftover" "$d" ignore 5
		ipid=$(init_pid)
		wait_for test -e "$d/term" # the grace has begun
		kill -s "$sig" "$ipid"
		wait "$BG"; st=$?
		is "$mode: SIG$sig during the grace kills now (the guard did not fire)" "$st" 5
	done

	# the same signals while the command runs are only forwarded
	d=$(init_dir)
	start_init --grace=1000 -- "$H/init-leftover" "$d" stay
	ipid=$(init_pid)
	wait_for test -e "$d/ready"
	kill -s INT "$ipid"
	wait_for test -e "$d/SIGINT"
	kill -s TERM "$ipid"
	wait_for test -e "$d/term"
	sleep 0.2
	check "$mode: SIGINT and SIGTERM while the command runs do not end the init" kill -0 "$ipid"
	kill -s TERM "$ipid" 2>/dev/null # the command ignores it: still forwarded only
	kill -s KILL "$(ps -o pid= --ppid "$ipid" | head -1)" # end the command
	wait "$BG"; st=$?
	is "$mode: ... and it exits with the command's 128+9" "$st" 137
done

# As PID 1, processes that joined with nsenter are not the init's children but are waited
# for and ended as well (judged with kill(-1, 0)).
init_mode root
d=$(init_dir)
start_init --grace=1 -- sh -c "while ! test -e $d/go; do sleep 0.01; done; exit 7"
ipid=$(init_pid)
mkdir "$d/n"
{ timeout -k 5 "$GUARD" nsenter -t "$ipid" -p -m "$H/init-leftover" "$d/n" stay
  echo $? > "$d/nsenter-status"; } 2>/dev/null &
nsb=$!
wait_for test -e "$d/n/ready"
touch "$d/go"
wait_for test -e "$d/n/term"
check "root: a process entered with nsenter gets the SIGTERM" test -e "$d/n/term"
sleep 0.3
check "root: the init waits for it during the grace" kill -0 "$ipid"
wait "$BG"; st=$?
is "root: then kills it and exits with the command's status" "$st" 7
wait "$nsb"
is "root: the entered process died of SIGKILL" "$(cat "$d/nsenter-status")" 137
done_testing
