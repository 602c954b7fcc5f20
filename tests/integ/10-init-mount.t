#!/bin/bash
# nsboot-init standalone with mount options: it unshares its mount namespace, runs
# nsboot-mount with its option words (and GO's tree fd), exits 125 when that fails, and
# runs COMMAND in the new root. (The mounts themselves are tested in 20-mounts-*.t.)
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/helpers/init-lib.sh"

# (init-lib.sh ran nsb_pub_init: the nobody mode reads the tree from a public copy)
TREE=$(nsb_pub_tree busybox 2>/dev/null)
if [ -z "$TREE" ] || [ ! -x "$TREE/bin/busybox" ]; then
	skip "no busybox tree (scripts/mkrootfs busybox)"
	done_testing
fi

for mode in root nobody; do
	init_mode "$mode"
	d=$(init_dir)
	out=$(run_init -D "$TREE" -- /bin/sh -c 'test -e /linuxrc && test ! -e /etc/debian_version && echo "ppid $PPID"; exit 3' 2>&1); st=$?
	is "$mode: -D TREE: COMMAND's status" "$st" 3
	like "$mode: -D TREE: COMMAND runs in the tree, as the child of PID 1" "$out" '^ppid 1$'

	err=$(run_init -D /nonexistent/tree -- /bin/touch "$d/ran" 2>&1); st=$?
	is "$mode: the helper failed: 125" "$st" 125
	is "$mode: the helper's one line, nothing more" "$err" \
		"nsboot-init: tree: /nonexistent/tree: No such file or directory"
	check "$mode: ... and COMMAND did not run" test ! -e "$d/ran"

	# with COMMAND, no preset's default drop list is looked for (the busybox tree would be
	# detected as sysv-rc): nsboot-init and nsboot-mount alone, without the data folder
	mkdir "$d/pair" && cp "$INIT" "$NSB_BUILD/nsboot-mount" "$d/pair/" && chmod -R a+rX "$d/pair"
	err=$(timeout -k 5 "$GUARD" "${RUN[@]}" "$d/pair/nsboot-init" -D "$TREE" -- /bin/sh -c 'exit 4' 2>&1); st=$?
	is "$mode: COMMAND needs no drop list data: COMMAND's status" "$st" 4
	is "$mode: COMMAND needs no drop list data: nothing said" "$err" ""

	# without nsboot-mount next to it (nor installed) the init says what is missing
	mkdir "$d/lone" && cp "$INIT" "$d/lone/" && chmod -R a+rX "$d/lone"
	if [ -e /usr/local/libexec/nsboot/nsboot-mount ]; then
		skip "$mode: nsboot-mount is installed: cannot test its absence"
	else
		err=$(timeout -k 5 "$GUARD" "${RUN[@]}" "$d/lone/nsboot-init" -D "$TREE" -- /bin/true 2>&1); st=$?
		is "$mode: no nsboot-mount: 125" "$st" 125
		like "$mode: no nsboot-mount: named" "$err" '^nsboot-init: nsboot-mount: No such file or directory'
	fi

	# driven by a spawner: GO's tree fd is the tree (-D names an empty folder here)
	if [ "$mode" = nobody ]; then
		SP=(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urm "$H/init-spawner" -p)
		# an init told --setup-done makes its readiness socket and FIFO in /run/nsboot:
		# a /run of its own, never the host's
		SPR=(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urm sh -c \
			'mount -t tmpfs nsb-run /run && exec "$@"' sh "$H/init-spawner" -p)
	else
		SP=("$H/init-spawner" -p)
		SPR=(unshare -m sh -c 'mount -t tmpfs nsb-run /run && exec "$@"' sh "$H/init-spawner" -p)
	fi
	mkdir "$d/empty" && chmod 755 "$d/empty"
	out=$(timeout -k 5 "$GUARD" "${SP[@]}" "tree=$TREE" "$INIT" -D "$d/empty" -- \
		/bin/sh -c 'test -x /bin/busybox && exit 5' 2>&1)
	like "$mode: GO's tree fd is passed on as --tree-fd and used" "$out" 'status 5'
	out=$(timeout -k 5 "$GUARD" "${SP[@]}" hangup "$INIT" -D /nonexistent/tree -- /bin/true 2>/dev/null)
	like "$mode: the helper's ERROR reaches the spawner" "$out" \
		'^error tree: /nonexistent/tree: No such file or directory$'
	like "$mode: ... and the init exits 125" "$out" 'status 125'
	out=$(timeout -k 5 "$GUARD" "${SP[@]}" hangup "$INIT" -D "$TREE" --boot=nonsense 2>/dev/null)
	like "$mode: a bad --boot is an ERROR in phase boot" "$out" '^error boot: --boot=nonsense'
	out=$(timeout -k 5 "$GUARD" "${SPR[@]}" setup-done "$INIT" --setup-done --boot=nonsense 2>/dev/null)
	like "$mode: ... also when the spawner built the root (the init's own check)" "$out" \
		'^error boot: --boot=nonsense'
done
done_testing
