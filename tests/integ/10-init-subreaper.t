#!/bin/bash
# Not PID 1, nsboot-init is a child subreaper and at shutdown signals only its own
# descendants: a process beside it in the (throwaway) pid namespace is left alone. Every
# run here is inside `unshare -pf --mount-proc`, so a mistake cannot reach the machine.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/helpers/init-lib.sh"

init_mode subreaper
d=$(init_dir)
mkdir -p "$d/by" "$d/x" "$d/deep"
# PID 1 of the namespace: a bystander (records any SIGTERM), then the init whose command
# leaves a TERM-ignoring process and a deeper, double-forked one behind; then the report.
out=$(timeout -k 5 "$GUARD" unshare --kill-child -pf --mount-proc bash -c '
	init=$1 h=$2 d=$3
	"$h/init-leftover" "$d/by" stay &
	by=$!
	while ! test -e "$d/by/ready"; do sleep 0.01; done
	"$init" --grace=0.3 -- sh -c "
		(\"$h/init-leftover\" \"$d/deep\" handle 0 &) ;
		while ! test -e \"$d/deep/ready\"; do sleep 0.01; done;
		exec \"$h/init-leftover\" \"$d/x\" ignore 3"
	echo "status $?"
	sleep 0.2
	kill -0 "$by" && echo "bystander alive"
	test -e "$d/by/term" && echo "bystander got SIGTERM"
	ps -eo pid=,stat=,comm= | awk "\$2 ~ /^Z/ { print \"zombie \" \$3 }"
	kill -KILL "$by"
	exit 0' bash "$INIT" "$H" "$d" 2>&1)
like "subreaper: the init exits with the command's status" "$out" '(^|\n)status 3'
like "subreaper: the bystander beside the init is alive" "$out" 'bystander alive'
unlike "subreaper: the bystander got no SIGTERM" "$out" 'bystander got SIGTERM'
check "subreaper: the leftover descendant got SIGTERM" test -e "$d/x/term"
check "subreaper: the double-forked descendant got SIGTERM" test -e "$d/deep/term"
unlike "subreaper: no zombie left" "$out" zombie

# A leftover ignoring SIGTERM gets SIGKILL when the grace is over (or at once with 0).
for grace in 0.3 0; do
	d=$(init_dir)
	mkdir -p "$d/by" "$d/x"
	out=$(timeout -k 5 "$GUARD" unshare --kill-child -pf --mount-proc bash -c '
		init=$1 h=$2 d=$3 grace=$4
		"$h/init-leftover" "$d/by" stay &
		by=$!
		while ! test -e "$d/by/ready"; do sleep 0.01; done
		"$init" --grace=$grace -- "$h/init-leftover" "$d/x" ignore 4
		echo "status $?"
		pgrep -f "init-leftover $d/x" >/dev/null && echo "leftover alive"
		kill -0 "$by" && echo "bystander alive"
		kill -KILL "$by"
		exit 0' bash "$INIT" "$H" "$d" "$grace" 2>&1)
	like "subreaper, --grace=$grace: status" "$out" '(^|\n)status 4'
	unlike "subreaper, --grace=$grace: the leftover is gone when the init exits" "$out" \
		'leftover alive'
	like "subreaper, --grace=$grace: the bystander is alive" "$out" 'bystander alive'
	unlike "subreaper, --grace=$grace: nothing to complain about" "$out" 'nsboot-init:'
done

# A leftover whose main thread called pthread_exit shows as a zombie in /proc while its
# other thread runs on: it is still a live descendant, and gets SIGTERM, then SIGKILL.
d=$(init_dir)
mkdir -p "$d/t"
out=$(timeout -k 5 "$GUARD" unshare --kill-child -pf --mount-proc bash -c '
	init=$1 h=$2 d=$3
	"$init" --grace=0.3 -- "$h/init-leftover" "$d/t" threads 6
	echo "status $?"
	# (its cmdline is empty once the main thread is gone: find it by pid; a thread
	# still running shows as a second entry under task/)
	p=$(cat "$d/t/pid")
	[ -n "$p" ] && [ "$(ls "/proc/$p/task" 2>/dev/null | wc -l)" -ge 2 ] && echo "leftover alive"
	exit 0' bash "$INIT" "$H" "$d" 2>&1)
like "subreaper, a zombie leader with a live thread: status" "$out" '(^|\n)status 6'
check "subreaper, a zombie leader with a live thread: it got SIGTERM" test -e "$d/t/term"
unlike "subreaper, a zombie leader with a live thread: gone when the init exits" "$out" \
	'leftover alive'

# The init says so when it is not PID 1 and cannot trust /proc (another namespace's).
out=$(timeout -k 5 "$GUARD" unshare --kill-child -pf bash -c '"$1" -- sh -c "sleep 1 & exit 0"; echo "status $?"' \
	bash "$INIT" 2>&1)
like "subreaper without its own /proc: still exits with the status" "$out" 'status 0'
like "subreaper without its own /proc: refuses to signal strangers, says why" "$out" \
	'nsboot-init: warning: /proc is not of this pid namespace'
done_testing
