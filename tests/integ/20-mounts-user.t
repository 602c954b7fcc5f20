#!/bin/bash
# Root modes, user mounts (--bind, --bind-ro, --tmpfs, --overlay, --fstab), /etc/hostname,
# --network=host files and service masks, through nsboot-init standalone.
source "$NSB_SRC/tests/integ/lib.sh"
nsb_pub_init

TREE=$(nsb_pub_tree busybox) # nobody reads it too
source "$NSB_SRC/tests/integ/mounts-lib.sh"
W=$(mktemp -d /tmp/nsb-mnt-user.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W" "$NSB_PUB"' EXIT
MOUNTS_BEFORE=$(cat /proc/self/mountinfo)

mntline() { printf '%s\n' "$OUT" | awk -v p="$1" '$5 == p { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1), $6; exit } }'; }
MI='cat /proc/self/mountinfo'

# --- root modes ---
sum=$(tree_sum)
ctr root -D "$TREE" --read-only -- /bin/sh -c "$MI; touch /nsb-ro 2>/dev/null && echo WROTE; touch /tmp/x /run/x && echo TMPOK"
is "read-only: exit status" "$RC" 0
like "read-only: / is read-only" "$(mntline /)" '^ext4 ro|^[a-z0-9]+ ro'
unlike "read-only: a write to the tree is refused" "$OUT" WROTE
like "read-only: /tmp and /run are writable tmpfs" "$OUT" TMPOK
is "read-only: TREE unchanged" "$(tree_sum)" "$sum"

ctr root -D "$TREE" --read-only --tmpfs=/nsb-missing-dir -- /bin/true
is "read-only: a missing mount point cannot be made: 125" "$RC" 125
like "read-only: ... naming the path" "$OUT" '^nsboot-init: mount: tmpfs -> /nsb-missing-dir: mount point /nsb-missing-dir: Read-only file system$'
check "read-only: ... and nothing was created in TREE" test ! -e "$TREE/nsb-missing-dir"

COPY=$W/copy
cp -a "$TREE" "$COPY"
ctr root -D "$COPY" --writable -- /bin/sh -c 'echo kept > /nsb-writable'
is "writable: exit status" "$RC" 0
is "writable: writes persist in TREE" "$(cat "$COPY/nsb-writable" 2>&1)" kept

ctr root --tmpfs-root --bind-ro="$TREE/bin:/bin" -- /bin/sh -c "$MI; stat -c %a /; ls /"
is "tmpfs-root: exit status" "$RC" 0
like "tmpfs-root: / is a tmpfs" "$(mntline /)" '^tmpfs rw'
like "tmpfs-root: / has mode 755" "$OUT" $'\n755\n'
like "tmpfs-root: the bound /bin is read-only" "$(mntline /bin)" ' ro,'

ctr nobody --tmpfs-root --bind-ro="$TREE/bin:/bin" -- /bin/sh -c "stat -c %a /"
is "tmpfs-root as nobody: exit status" "$RC" 0
like "tmpfs-root as nobody: / mode 755" "$OUT" '^755$'

# --- user mounts ---
mkdir -p "$W/rw" "$W/ro/sub" "$W/l1" "$W/l2"
echo lower1 > "$W/l1/a"
echo lower2 > "$W/l2/b"
echo file > "$W/afile"
chmod -R a+rwX "$W"
lsum=$(tree_sum "$W/l1")
for mode in root userns nobody; do
	rm -f "$W/rw/out"
	ctr $mode -D "$TREE" --bind="$W/rw:/srv/rw" --bind-ro="$W/ro:/srv/ro" --bind-ro="$W/afile:/srv/afile" \
		--tmpfs=/srv/t:size=1m,mode=700 --overlay="$W/l1:$W/l2:/srv/ov" -- /bin/sh -c "
		$MI
		echo $mode > /srv/rw/out
		touch /srv/ro/x 2>/dev/null && echo ROWRITE
		touch /srv/ro/sub/x 2>/dev/null && echo ROSUBWRITE
		echo x 2>/dev/null > /srv/afile && echo FILEWRITE
		echo afile=\$(cat /srv/afile)
		echo tmode=\$(stat -c %a /srv/t)
		echo ov=\$(cat /srv/ov/a /srv/ov/b | tr '\n' ,)
		echo new > /srv/ov/c && echo ovwrite=\$(cat /srv/ov/c)
		echo done"
	is "$mode: user mounts: exit status" "$RC" 0
	[ "$RC" = 0 ] || diag "$OUT"
	is "$mode: --bind writes reach the host" "$(cat "$W/rw/out" 2>&1)" $mode
	like "$mode: --bind-ro is read-only" "$(mntline /srv/ro)" ' ro,'
	unlike "$mode: --bind-ro refuses writes, also below" "$OUT" 'ROWRITE|ROSUBWRITE'
	like "$mode: --bind-ro of a file (mount point made as a file)" "$OUT" 'afile=file'
	unlike "$mode: ... read-only" "$OUT" FILEWRITE
	like "$mode: --tmpfs with options" "$(mntline /srv/t)" '^tmpfs rw'
	like "$mode: ... mode=700 applied" "$OUT" 'tmode=700'
	like "$mode: --overlay stacks the lower dirs" "$OUT" 'ov=lower1,lower2,'
	like "$mode: --overlay is writable" "$OUT" 'ovwrite=new'
	is "$mode: ... and its lower dirs are untouched" "$(tree_sum "$W/l1")" "$lsum"
	check "$mode: ... (no new file in them)" test ! -e "$W/l1/c" -a ! -e "$W/l2/c"
	check "$mode: mount points were made in the overlay, not in TREE" test ! -e "$TREE/srv"
done

# --- read-only binds of a source with locked flags (nosuid,nodev,noexec from the parent
# user namespace): the read-only change must keep them, or the kernel refuses it ---
mkdir -p "$W/locked"
for mode in userns nobody; do
	if [ $mode = userns ]; then run=(unshare -Urmpfniu --mount-proc "$NSB_BUILD/nsboot-init")
	else run=(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urmpfniu --mount-proc "$NSB_PUB/bin/nsboot-init"); fi
	OUT=$(cd / && timeout "$GUARD" unshare -m sh -c 'mount -t tmpfs -o nosuid,nodev,noexec,mode=777 nsb-locked "$0" && exec "$@"' \
		"$W/locked" "${run[@]}" -D "$TREE" --bind-ro="$W/locked:/srv/locked" -- /bin/sh -c "
		$MI; touch /srv/locked/x 2>/dev/null && echo LOCKEDWRITE; true" 2>&1)
	RC=$?
	is "$mode: --bind-ro of a nosuid,nodev,noexec source: exit status" "$RC" 0
	[ "$RC" = 0 ] || diag "$OUT"
	like "$mode: ... read-only with its locked flags" "$(mntline /srv/locked)" '^tmpfs ro,nosuid,nodev,noexec'
	unlike "$mode: ... refuses writes" "$OUT" LOCKEDWRITE
done

# a single-id map over a tree nobody does not own: no mount point can be made in its /etc
ctr nobody -D "$TREE" --bind-ro="$W/afile:/etc/nsb-afile" -- /bin/true
is "nobody: mount point in a foreign tree's /etc: 125" "$RC" 125
is "nobody: ... naming the path" "$OUT" "nsboot-init: mount: bind $W/afile -> /etc/nsb-afile: mount point /etc/nsb-afile: Permission denied"

# --- fstab ---
cat > "$W/fstab" <<EOF2
# a comment, then the lines
tmpfs      /mnt/scratch  tmpfs  size=2m,mode=711  0 0
$W/rw      /mnt/rw       none   bind              0 0
$W/ro      /mnt/ro       none   rbind,ro          0 0
$W/afile   /srv/fafile   none   bind,ro           0 0
overlay    /srv/fov      overlay lowerdir=$W/l1:$W/l2,upperdir=$W/fup,workdir=$W/fwork 0 0
EOF2
chmod 644 "$W/fstab"
for mode in root nobody; do
	rm -rf "$W/rw/fout" "$W/fup" "$W/fwork"
	mkdir -p "$W/fup" "$W/fwork"
	[ $mode = nobody ] && chown 65534:65534 "$W/fup" "$W/fwork"
	ctr $mode -D "$TREE" --fstab="$W/fstab" -- /bin/sh -c "
		$MI
		echo fstab-$mode > /mnt/rw/fout
		touch /mnt/ro/x 2>/dev/null && echo ROWRITE
		echo smode=\$(stat -c %a /mnt/scratch)
		echo ff=\$(cat /srv/fafile)
		echo fov=\$(cat /srv/fov/a /srv/fov/b | tr '\n' ,)
		echo persisted > /srv/fov/new"
	is "$mode: --fstab: exit status" "$RC" 0
	[ "$RC" = 0 ] || diag "$OUT"
	like "$mode: fstab tmpfs line" "$(mntline /mnt/scratch)" '^tmpfs rw'
	like "$mode: ... with its options" "$OUT" 'smode=711'
	is "$mode: fstab bind line" "$(cat "$W/rw/fout" 2>&1)" fstab-$mode
	like "$mode: fstab rbind,ro line is read-only" "$(mntline /mnt/ro)" ' ro,'
	unlike "$mode: ... and refuses writes" "$OUT" ROWRITE
	like "$mode: fstab bind,ro of a file" "$OUT" 'ff=file'
	like "$mode: ... read-only" "$(mntline /srv/fafile)" ' ro,'
	like "$mode: fstab overlay line with host lower dirs" "$OUT" 'fov=lower1,lower2,'
	is "$mode: ... and a host upper dir that keeps the writes" "$(cat "$W/fup/new" 2>&1)" persisted
	check "$mode: ... lower dirs untouched" test ! -e "$W/l1/new"
done

# --- /etc/hostname, --network=host, service masks ---
printf '# masks\nrc\nnsb-not-there\n' > "$W/drop.list"
chmod 644 "$W/drop.list"
rc_sum=$(sha256sum < "$TREE/etc/init.d/rc")
ctr nobody -v -D "$TREE" --hostname=nsbhost --drop-services="$W/drop.list" -- /bin/sh -c "
	$MI
	echo hn=\$(cat /etc/hostname)
	echo x 2>/dev/null > /etc/hostname && echo HNWRITE
	echo rc=\$(tail -1 /etc/init.d/rc)
	/etc/init.d/rc 2 && echo rcexit=\$?
	echo x 2>/dev/null > /etc/init.d/rc && echo RCWRITE; true"
is "hostname+masks: exit status" "$RC" 0
like "--hostname: a generated /etc/hostname" "$OUT" 'hn=nsbhost'
like "--hostname: bound read-only" "$(mntline /etc/hostname)" ' ro,'
unlike "--hostname: ... refuses writes" "$OUT" HNWRITE
like "--drop-services: /etc/init.d/rc is the stub" "$OUT" 'rc=exit 0'
like "--drop-services: the stub succeeds" "$OUT" 'rcexit=0'
like "--drop-services: bound read-only" "$(mntline /etc/init.d/rc)" ' ro,'
unlike "--drop-services: ... refuses writes" "$OUT" RCWRITE
like "--drop-services: an absent name is skipped with a verbose note" "$OUT" 'nsb-not-there not in the tree: skipped'
is "--drop-services: the tree's script is untouched" "$(sha256sum < "$TREE/etc/init.d/rc")" "$rc_sum"

OUT=$(cd / && timeout "$GUARD" unshare -mpfu --mount-proc "$NSB_BUILD/nsboot-init" -D "$TREE" --network=host -- /bin/sh -c "$MI; cat /etc/resolv.conf" 2>&1)
RC=$?
is "network=host: exit status" "$RC" 0
like "network=host: /sys is the host's, bound read-only" "$(mntline /sys)" '^sysfs ro'
if [ -e /etc/resolv.conf ]; then
	like "network=host: /etc/resolv.conf bound read-only" "$(mntline /etc/resolv.conf)" ' ro'
	check "network=host: ... with the host's content" test "$(printf '%s\n' "$OUT" | tail -n "$(wc -l < /etc/resolv.conf)")" = "$(cat /etc/resolv.conf)"
else
	skip "no /etc/resolv.conf on this host"
	skip "no /etc/resolv.conf on this host"
fi
like "network=host: /etc/hosts bound read-only" "$(mntline /etc/hosts)" ' ro'

# as nobody sharing the host's network namespace: no sysfs of our own can be mounted, so
# the host's /sys is bound, read-only throughout (every submount too); the tree is a copy
# nobody owns, so the host's resolv.conf and hosts get mount points in it
NCOPY=$W/nobody-copy
cp -a "$TREE" "$NCOPY"
chown -R 65534:65534 "$NCOPY"
OUT=$(cd / && as_nobody timeout "$GUARD" unshare -Urmpfiu --mount-proc "$NSB_PUB/bin/nsboot-init" -D "$NCOPY" --network=host -- /bin/sh -c "
	$MI; for f in \$(awk '\$5 ~ \"^/sys/\" { print \$5 }' /proc/self/mountinfo); do touch \$f/nsb-x 2>/dev/null && echo SUBWRITE \$f; done; cat /etc/hosts" 2>&1)
RC=$?
is "nobody, network=host: exit status" "$RC" 0
[ "$RC" = 0 ] || diag "$OUT"
like "nobody, network=host: /sys is the host's, read-only" "$(mntline /sys)" '^sysfs ro'
subs=$(printf '%s\n' "$OUT" | awk '$5 ~ "^/sys/" { print $6 }')
if [ -n "$subs" ]; then
	unlike "nobody, network=host: every /sys submount is read-only" "$subs" '^rw'
else
	skip "the host has no mounts below /sys"
fi
unlike "nobody, network=host: ... and refuses writes" "$OUT" SUBWRITE
like "nobody, network=host: /etc/hosts is the host's" "$(mntline /etc/hosts)" ' ro'
is "host mount table unchanged by every run" "$(cat /proc/self/mountinfo)" "$MOUNTS_BEFORE"
done_testing
