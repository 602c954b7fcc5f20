#!/bin/bash
# nsboot-init's command line and exit statuses, in each mode (nsboot-init(8)).
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/helpers/init-lib.sh"

init_mode root
out=$(timeout -k 5 "$GUARD" "$INIT" -h 2>&1); st=$?
is "-h exits 0" "$st" 0
like "-h prints the usage" "$out" '^Usage: nsboot-init \[OPTIONS\]'
like "-h names --kill-group and --grace" "$out" '--kill-group.*' 
like "-h names --grace" "$out" '--grace=SECONDS'
out=$(timeout -k 5 "$GUARD" "$INIT" --help 2>/dev/null); st=$?
is "--help exits 0 and prints to stdout" "$st:${out:0:18}" "0:Usage: nsboot-init"
out=$(timeout -k 5 "$GUARD" "$INIT" --version 2>/dev/null); st=$?
is "--version exits 0" "$st" 0
like "--version prints the version" "$out" '^nsboot-init [0-9]+\.[0-9]+\.[0-9]+$'

d=$(init_dir)
err=$(timeout -k 5 "$GUARD" "$INIT" --bogus touch "$d/ran" 2>&1 >/dev/null); st=$?
is "unknown option: 125" "$st" 125
is "unknown option: the reason, then the usage line" "$err" \
	"nsboot-init: unknown option '--bogus'
Usage: nsboot-init [OPTIONS] [--] COMMAND [ARG]..."
check "unknown option: COMMAND did not run" test ! -e "$d/ran"
err=$(timeout -k 5 "$GUARD" "$INIT" 2>&1); st=$?
is "missing COMMAND: 125" "$st" 125
like "missing COMMAND: says so" "$err" '^nsboot-init: missing COMMAND'
like "missing COMMAND: usage line" "$err" $'\nUsage: nsboot-init '
err=$(timeout -k 5 "$GUARD" "$INIT" --grace=soon true 2>&1); st=$?
is "bad --grace: 125" "$st" 125
like "bad --grace: named" "$err" "^nsboot-init: --grace=soon"
err=$(timeout -k 5 "$GUARD" "$INIT" --pid-file=/x true 2>&1); st=$?
is "a spawner-only option is unknown to the init: 125" "$st" 125
err=$(timeout -k 5 "$GUARD" "$INIT" --sync-fd=73 -- true 2>&1); st=$?
is "--sync-fd on a closed fd: 125" "$st" 125
like "--sync-fd on a closed fd: named" "$err" '^nsboot-init: --sync-fd=73: Bad file descriptor$'

for mode in $INIT_MODES; do
	init_mode "$mode"
	d=$(init_dir)
	printf 'echo hi\n' > "$d/script"; chmod 644 "$d/script"

	err=$(run_init /nonexistent/cmd 2>&1); st=$?
	is "$mode: command not found: 127" "$st" 127
	is "$mode: command not found: one line naming it" "$err" \
		"nsboot-init: exec /nonexistent/cmd: No such file or directory"
	err=$(run_init nsb-no-such-command-anywhere 2>&1); st=$?
	is "$mode: not in PATH: 127" "$st" 127
	like "$mode: not in PATH: named" "$err" '^nsboot-init: exec nsb-no-such-command-anywhere: '
	err=$(run_init "$d/script" 2>&1); st=$?
	is "$mode: not executable: 126" "$st" 126
	is "$mode: not executable: one line naming it" "$err" \
		"nsboot-init: exec $d/script: Permission denied"
	run_init "$d" 2>/dev/null; st=$?
	is "$mode: a directory: 126" "$st" 126
	out=$(run_init -- sh -c 'echo "$0 $1"' a b 2>&1); st=$?
	is "$mode: COMMAND's arguments and output pass through" "$st:$out" "0:a b"

	# started with SIGCHLD ignored (the kernel would reap for it): the status still passes
	st=$(timeout -k 5 "$GUARD" "${RUN[@]}" perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV or die' \
		"$INIT" -- sh -c 'exit 42'; echo $?)
	is "$mode: started with SIGCHLD ignored: the status still passes" "$st" 42

	# all 256 exit codes
	bad=""
	if [ "$mode" = subreaper ]; then
		# one throwaway namespace, 256 inits in it
		got=$(timeout -k 5 "$GUARD" unshare --kill-child -pf --mount-proc sh -c '
			i=0; while [ $i -lt 256 ]; do
				"$0" sh -c "exit $i"; echo "$i $?"; i=$((i + 1)); done' "$INIT")
		while read -r want have; do
			[ "$want" = "$have" ] || bad="$bad $want->$have"
		done <<< "$got"
		[ "$(wc -l <<< "$got")" = 256 ] || bad="$bad (only $(wc -l <<< "$got") runs)"
	else
		for i in $(seq 0 255); do
			run_init sh -c "exit $i"; st=$?
			[ "$st" = "$i" ] || bad="$bad $i->$st"
		done
	fi
	is "$mode: all 256 exit codes pass through" "${bad:-none wrong}" "none wrong"

	# killed by signal N: 128+N (signals whose default action is to end the process)
	bad=""
	for sig in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 24 25 26 27 29 30 31; do
		run_init sh -c "kill -$sig \$\$" 2>/dev/null; st=$?
		[ "$st" = $((128 + sig)) ] || bad="$bad $sig->$st"
	done
	is "$mode: a child killed by signal N gives 128+N" "${bad:-none wrong}" "none wrong"
done
done_testing
