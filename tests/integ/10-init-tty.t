#!/bin/bash
# The terminal (nsboot-init(8), THE COMMAND): with stdin a terminal and the init in its foreground
# group, the command gets a group of its own made the foreground group; otherwise (the
# init started in the background) a new session, and the caller's shell keeps the
# terminal. script(1) provides the terminal.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/helpers/init-lib.sh"

if ! command -v script >/dev/null; then
	skip "script(1) is not installed"
	done_testing
fi
# the command prints "PID PGID SID TPGID" of itself, as seen in its pid namespace
SHOW='ps -o pid=,pgid=,sid=,tpgid= -p $$'
# script(1) runs its command with $SHELL -c. dash forks for it rather than exec'ing it, and
# a timeout that is not the session leader takes a process group of its own, which is
# then not the terminal's foreground group: "exec" and --foreground keep the init in the
# foreground group whatever $SHELL is (CI's is not the same as a login shell's).
export SHELL=/bin/sh

for mode in root nobody; do
	init_mode "$mode"
	cmd=$(printf '%q ' timeout --foreground -k 5 "$GUARD" "${RUN[@]}" "$INIT" -- sh -c "$SHOW")
	read -r pid pgid sid tpgid < <(script -qec "exec $cmd" /dev/null | tr -d '\r')
	is "$mode, foreground: the command leads its own process group" "$pgid" "$pid"
	is "$mode, foreground: ... which is the terminal's foreground group" "$tpgid" "$pid"
	isnt_session=$([ "$sid" != "$pid" ] && echo yes)
	is "$mode, foreground: ... in the caller's session (no new session)" "$isnt_session" yes

	# the init as a background job of a job-control shell: not the foreground group
	out=$(script -qec "bash -c 'set -m; $cmd & wait; ps -o pgid=,tpgid= -p \$\$'" /dev/null |
		tr -d '\r' | grep -v Done)
	read -r pid pgid sid tpgid <<< "$(sed -n 1p <<< "$out")"
	is "$mode, background: the command leads a new session" "$sid" "$pid"
	is "$mode, background: ... without the terminal" "$tpgid" -1
	read -r shpgid shtpgid <<< "$(sed -n 2p <<< "$out")"
	is "$mode, background: the caller's shell keeps its terminal" "$shtpgid" "$shpgid"
done

# no terminal on stdin: a new session
init_mode root
read -r pid pgid sid tpgid < <(run_init -- sh -c "$SHOW" < /dev/null)
is "no terminal: the command leads a new session" "$sid" "$pid"
done_testing
