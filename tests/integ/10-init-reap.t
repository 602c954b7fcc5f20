#!/bin/bash
# nsboot-init reaps every process that becomes its child: 5000 orphans exiting together
# leave no zombie; in subreaper mode orphans come to it rather than to PID 1.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/helpers/init-lib.sh"

for mode in $INIT_MODES; do
	init_mode "$mode"
	out=$(run_init -- "$H/init-orphans" burst 5000 2>&1); st=$?
	is "$mode: 5000 orphans exiting at once: all reaped, no zombie" "$st" 0
	[ "$st" = 0 ] || diag "$out"
	like "$mode: (the helper counted them)" "$out" '^orphans 5000: 0 left, 0 zombies$'

	# no zombie either once the command is gone and the init exits
	out=$(run_init -- sh -c 'for i in 1 2 3 4 5 6 7 8; do (sleep 0.2 &) ; done; exit 0'); st=$?
	is "$mode: leftovers are ended and reaped: the init exits" "$st" 0
done

# subreaper: the orphan's new parent is the init, not the namespace's PID 1
init_mode subreaper
out=$(run_init -- "$H/init-orphans" reparent 2>&1); st=$?
is "subreaper: an orphan is reparented to the init" "$st" 0
[ "$st" = 0 ] || diag "$out"
# as PID 1 the same holds trivially
init_mode root
out=$(run_init -- "$H/init-orphans" reparent 2>&1); st=$?
is "root: an orphan is reparented to the init (PID 1)" "$st" 0
# and the helper can tell: outside an init it is not the caller's child
init_mode subreaper
out=$(timeout -k 5 "$GUARD" unshare --kill-child -pf --mount-proc sh -c \
	'sh -c "\"\$0\" reparent; exit \$?" "$0"; exit $?' "$H/init-orphans" 2>&1); st=$?
is "(control: under a plain shell the orphan goes to PID 1, not to the helper's parent)" "$st" 1
done_testing
