#!/bin/bash
# nsboot-init driven by a spawner over --sync-fd: GO, READY, EOF before GO, and the
# spawner's hang-up after READY as an orderly shutdown.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/helpers/init-lib.sh"

for mode in ${SYNC_MODES:-root nobody}; do
	init_mode "$mode"
	# the spawner helper runs outside; -p makes the init PID 1 of a new pid namespace
	if [ "$mode" = nobody ]; then
		SP=(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur "$H/init-spawner" -p)
		# an init told --setup-done makes its readiness socket and FIFO in /run/nsboot:
		# a /run of its own, never the host's
		SPR=(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urm sh -c \
			'mount -t tmpfs nsb-run /run && exec "$@"' sh "$H/init-spawner" -p)
	else
		SP=("$H/init-spawner" -p)
		SPR=(unshare -m sh -c 'mount -t tmpfs nsb-run /run && exec "$@"' sh "$H/init-spawner" -p)
	fi
	d=$(init_dir)
	out=$(timeout -k 5 "$GUARD" "${SP[@]}" eof "$INIT" -- touch "$d/ran" 2>&1)
	like "$mode: EOF before GO: exit 125" "$out" 'status 125'
	like "$mode: EOF before GO: says so" "$out" 'nsboot-init: the spawner is gone before GO'
	check "$mode: EOF before GO: the command never ran" test ! -e "$d/ran"

	out=$(timeout -k 5 "$GUARD" "${SP[@]}" bad "$INIT" -- touch "$d/ran" 2>&1)
	like "$mode: a record other than GO first: exit 125" "$out" 'status 125'
	check "$mode: ... the command never ran" test ! -e "$d/ran"

	out=$(timeout -k 5 "$GUARD" "${SP[@]}" hangup "$INIT" -- sleep 1000 2>&1)
	like "$mode: GO, then READY" "$out" '(^|\n)ready'
	like "$mode: the spawner's hang-up shuts down: SIGTERM to the command (143)" "$out" \
		'status 143'

	# the spawner dies: the init is not killed with it (PR_SET_PDEATHSIG was dropped at
	# READY) but shuts down in order: the command records the SIGTERM
	out=$(timeout -k 5 "$GUARD" "${SP[@]}" "die=$d/log" "$INIT" -- "$H/init-sigrecord" "$d/log" 2>&1)
	like "$mode: spawner dies after READY" "$out" '(^|\n)ready'
	check "$mode: its death shuts the container down in order (the command got SIGTERM)" \
		wait_for has_line "$d/log" "child SIGTERM"

	out=$(timeout -k 5 "$GUARD" "${SPR[@]}" setup-done "$INIT" -- sh -c 'exit 9' 2>&1)
	like "$mode: --setup-done: READY without GO" "$out" '(^|\n)ready'
	like "$mode: --setup-done: the command's status" "$out" 'status 9'

	out=$(timeout -k 5 "$GUARD" "${SPR[@]}" setup-done "$INIT" -- sh -c 'ls /proc/self/fd' 2>&1)
	ch=$(sed -n 's/^channel //p' <<< "$out")
	fds=$(grep -E '^[0-9]+$' <<< "$out" | tr '\n' ' ')
	like "$mode: (the command listed its fds)" "$fds" '^0 1 '
	unlike "$mode: the command does not inherit the channel (fd $ch)" "$fds" "(^| )$ch( |\$)"
done
done_testing
