#!/bin/bash
# Conveniences stay optional: the generated /etc/hostname (and with --network=host the
# host's /etc/resolv.conf and /etc/hosts) is skipped with a -v note when the tree lacks
# the file and its mount point cannot be made (--read-only: Read-only file system; nobody
# on a root-owned tree: Permission denied). What the user asked for stays fatal.
source "$NSB_SRC/tests/integ/lib.sh"
nsb_pub_init

TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
W=$(mktemp -d /tmp/nsb-conveniences.XXXXXX)
chmod 755 "$W"
nsb_at_exit "rm -rf '$W'"
# a root-owned copy without /etc/hostname (the directory's name is the host name)
NOHN=$W/nohn
cp -a "$TREE" "$NOHN"
rm -f "$NOHN/etc/hostname" "$NOHN/etc/resolv.conf" "$NOHN/etc/hosts"
echo file > "$W/afile"
chmod 644 "$W/afile"
sum=$(tar -C "$NOHN" -cf - . | sha256sum)
CMD='echo ran; echo "uts $(hostname)"; test -e /etc/hostname && echo HOSTNAME-FILE; true'

# run WHO ARGS...: nsboot as root or as nobody (single map); sets OUT (stdout and stderr), RC.
run() {
	local who=$1
	shift
	if [ "$who" = root ]; then
		OUT=$(cd / && timeout "$GUARD" "$NSB_BUILD/nsboot" "$@" 2>&1)
	else
		OUT=$(cd / && as_nobody timeout "$GUARD" "$NSB_PUB/bin/nsboot" --private-users=single "$@" 2>&1)
	fi
	RC=$?
}

for who in root nobody; do
	if [ $who = root ]; then mode=--read-only why='Read-only file system'
	else mode=--volatile=overlay why='Permission denied'; fi
	run $who -v $mode -D "$NOHN" -- /bin/sh -c "$CMD"
	is "$who $mode, no /etc/hostname: exit status 0" "$RC" 0
	[ "$RC" = 0 ] || diag "$OUT"
	like "$who $mode: the command ran" "$OUT" '^ran$'
	like "$who $mode: the host name is still set" "$OUT" '^uts nohn$'
	unlike "$who $mode: ... but no /etc/hostname was bound" "$OUT" 'HOSTNAME-FILE'
	like "$who $mode: -v says /etc/hostname was skipped, and why" "$OUT" \
		"^nsboot: skipped: bind /hostname -> /etc/hostname: mount point /etc/hostname: $why\$"

	run $who $mode -D "$NOHN" -- /bin/sh -c "$CMD"
	is "$who $mode without -v: exit status 0" "$RC" 0
	unlike "$who $mode without -v: no note" "$OUT" 'skipped'

	# --network=host: the host's resolv.conf and hosts are conveniences too
	run $who -v $mode --network=host -D "$NOHN" -- /bin/sh -c "$CMD"
	is "$who $mode --network=host: exit status 0" "$RC" 0
	[ "$RC" = 0 ] || diag "$OUT"
	like "$who $mode --network=host: the command ran" "$OUT" '^ran$'
	for f in /etc/resolv.conf /etc/hosts; do
		if [ -e "$f" ]; then
			like "$who $mode --network=host: -v says $f was skipped" "$OUT" \
				"^nsboot: skipped: bind $f -> $f: mount point $f: $why\$"
		else
			skip "no $f on this host"
		fi
	done

	# what the user asked for is fatal
	run $who $mode --bind-ro="$W/afile:/etc/nsb-afile" -D "$NOHN" -- /bin/true
	is "$who $mode: an asked-for bind whose mount point cannot be made: 125" "$RC" 125
	is "$who $mode: ... one line naming it" "$OUT" \
		"nsboot: mount: bind $W/afile -> /etc/nsb-afile: mount point /etc/nsb-afile: $why"
done

# the standalone init: its --hostname bind is the same convenience
OUT=$(cd / && timeout "$GUARD" unshare -mpfniu --mount-proc "$NSB_BUILD/nsboot-init" -v --read-only \
	--hostname=nsbhost -D "$NOHN" -- /bin/sh -c "$CMD" 2>&1)
RC=$?
is "nsboot-init --read-only --hostname: exit status 0" "$RC" 0
[ "$RC" = 0 ] || diag "$OUT"
like "nsboot-init: -v names /etc/hostname" "$OUT" \
	'^nsboot-init: skipped: bind /hostname -> /etc/hostname: mount point /etc/hostname: Read-only file system$'

# a tree that has the file still gets the generated one, read-only
run root --read-only --hostname=nsbhost -D "$TREE" -- /bin/sh -c 'cat /etc/hostname; echo x 2>/dev/null > /etc/hostname && echo WROTE; true'
is "read-only tree with /etc/hostname: exit status 0" "$RC" 0
like "... the generated file is bound" "$OUT" '^nsbhost$'
unlike "... read-only" "$OUT" WROTE
is "the tree was never written" "$(tar -C "$NOHN" -cf - . | sha256sum)" "$sum"
check "... no /etc/hostname made in it" test ! -e "$NOHN/etc/hostname"
done_testing
