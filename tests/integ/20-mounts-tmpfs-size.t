#!/bin/bash
# Every tmpfs of a container has a size= (the staging tmpfs under the overlay's upper
# layer, /dev, /dev/shm, /run, /tmp, --tmpfs, --tmpfs-root): by default at most a quarter
# of the RAM in all, --tmpfs-size=SIZE sets that budget, a size= of the user's own wins.
# Writing past a mount's size is "No space left on device" inside, as root and as nobody.
source "$NSB_SRC/tests/integ/lib.sh"
nsb_pub_init

TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
W=$(mktemp -d /tmp/nsb-tmpfs-size.XXXXXX)
chmod 755 "$W"
nsb_at_exit "rm -rf '$W'"
# nobody's own copy (the cache may not be readable by nobody): owned by nobody, so that
# the container's root (nobody, under the single map) may write into its /
NTREE=$W/nobody-tree
cp -a "$TREE" "$NTREE"
chown -R 65534:65534 "$NTREE"

# The checks, run by the tree's busybox sh: 80 MiB into /, /tmp and /dev/shm (more than the
# whole 64m budget), then every tmpfs with its options, and the size of / (the overlay
# reports its upper layer's file system: the staging tmpfs).
read -r -d '' INNER <<'SH'
fill() {
	out=$(dd if=/dev/zero of="$1/nsb-fill" bs=1048576 count=80 2>&1)
	rc=$?
	echo "fill $1 rc=$rc bytes=$(stat -c %s "$1/nsb-fill") enospc=$(echo "$out" | grep -c 'No space left on device')"
	rm -f "$1/nsb-fill"
}
fill /; fill /tmp; fill /dev/shm
awk '$3 == "tmpfs" { print "tmpfs", $2, $4 }' /proc/mounts
df -k / | awk 'NR == 2 { print "rootdf", $2 }'
SH

# val KEY: the rest of the line "KEY ..." in OUT.
val() { printf '%s\n' "$OUT" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
# tmpfs_opts PATH: the options of the tmpfs at PATH inside.
tmpfs_opts() { printf '%s\n' "$OUT" | awk -v p="$1" '$1 == "tmpfs" && $2 == p { print $3; exit }'; }
# size_k PATH: its size= in KiB.
size_k() { tmpfs_opts "$1" | tr , '\n' | sed -n 's/^size=\([0-9]*\)k$/\1/p'; }
# fill_ok WHO DIR SIZE_K: the dd into DIR failed with ENOSPC, having written at most SIZE_K.
fill_ok() {
	local line bytes
	line=$(printf '%s\n' "$OUT" | awk -v d="$2" '$1 == "fill" && $2 == d')
	like "$1: dd into $2 fails" "$line" 'rc=[1-9]'
	like "$1: ... with No space left on device" "$line" 'enospc=1'
	bytes=$(printf '%s\n' "$line" | sed -n 's/.*bytes=\([0-9]*\).*/\1/p')
	check "$1: ... having written ${bytes:-?} bytes, at most ${3}k (of the 80m asked)" \
		test -n "$bytes" -a "${bytes:-0}" -le $(($3 * 1024)) -a "${bytes:-0}" -gt 0
}
# all_sized WHO N: N tmpfs mounts inside, every one with a size=.
all_sized() {
	local unsized
	unsized=$(printf '%s\n' "$OUT" | awk '$1 == "tmpfs" && $3 !~ /(^|,)size=/ { print $2 }')
	is "$1: $2 tmpfs mounts" "$(printf '%s\n' "$OUT" | awk '$1 == "tmpfs"' | wc -l)" "$2"
	is "$1: every tmpfs has a size=" "$unsized" ""
}

# --- --tmpfs-size=64m: the split (KiB): /dev 2048 (with nr_inodes), of the other 63488 the
# root's layer 31744, /tmp 15872, /dev/shm 7936, /run 3968, the unsized --tmpfs 3968 ---
for who in root nobody; do
	if [ $who = root ]; then
		OUT=$(cd / && timeout "$GUARD" "$NSB_BUILD/nsboot" -q --tmpfs-size=64m -D "$TREE" \
			--tmpfs=/srv/t --tmpfs=/srv/u:size=1m -- /bin/sh -c "$INNER" 2>&1)
	else
		OUT=$(cd / && as_nobody timeout "$GUARD" "$NSB_PUB/bin/nsboot" -q --private-users=single \
			--tmpfs-size=64m -D "$NTREE" --tmpfs=/srv/t --tmpfs=/srv/u:size=1m -- /bin/sh -c "$INNER" 2>&1)
	fi
	RC=$?
	is "$who: --tmpfs-size=64m: exit status" "$RC" 0
	[ "$RC" = 0 ] || diag "$OUT"
	fill_ok "$who" / 31744
	fill_ok "$who" /tmp 15872
	fill_ok "$who" /dev/shm 7936
	all_sized "$who" 7 # /dev /dev/shm /run /tmp /etc/hostname /srv/t /srv/u
	is "$who: / (the staging tmpfs under the overlay) is 31744k" "$(val rootdf)" 31744
	is "$who: ... as its generated /etc/hostname shows" "$(size_k /etc/hostname)" 31744
	is "$who: /tmp 15872k" "$(size_k /tmp)" 15872
	is "$who: /dev/shm 7936k" "$(size_k /dev/shm)" 7936
	is "$who: /run 3968k" "$(size_k /run)" 3968
	is "$who: /dev 2048k" "$(size_k /dev)" 2048
	like "$who: /dev has few inodes" "$(tmpfs_opts /dev)" '(^|,)nr_inodes=4096(,|$)'
	is "$who: --tmpfs without a size: the user share" "$(size_k /srv/t)" 3968
	is "$who: --tmpfs with size=1m keeps it" "$(size_k /srv/u)" 1024
	is "$who: ... and no second size=" "$(tmpfs_opts /srv/u | tr , '\n' | grep -c '^size=')" 1
	total=$(( $(val rootdf) + $(size_k /tmp) + $(size_k /dev/shm) + $(size_k /run) + $(size_k /dev) + $(size_k /srv/t) ))
	check "$who: the sizes add up to the budget at most ($total of 65536 KiB)" test "$total" -le 65536
done

# --- the default: a quarter of the RAM in all ---
OUT=$(cd / && timeout "$GUARD" "$NSB_BUILD/nsboot" -q -D "$TREE" --tmpfs=/srv/t -- /bin/sh -c "
	awk '\$3 == \"tmpfs\" { print \"tmpfs\", \$2, \$4 }' /proc/mounts
	df -k / | awk 'NR == 2 { print \"rootdf\", \$2 }'" 2>&1)
RC=$?
is "default: exit status" "$RC" 0
[ "$RC" = 0 ] || diag "$OUT"
all_sized default 6
ram_k=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
total=$(( $(val rootdf) + $(size_k /tmp) + $(size_k /dev/shm) + $(size_k /run) + $(size_k /dev) + $(size_k /srv/t) ))
check "default: the sizes add up to a quarter of the RAM at most ($total of $((ram_k / 4)) KiB)" \
	test "$total" -le $((ram_k / 4))
check "default: ... and to more than a fifth of it (the budget is used)" test "$total" -gt $((ram_k / 5))
is "default: /dev 4096k" "$(size_k /dev)" 4096
diag "default sizes (KiB) with MemTotal $ram_k kB: / $(val rootdf), /tmp $(size_k /tmp), /dev/shm $(size_k /dev/shm), /run $(size_k /run), /dev $(size_k /dev), --tmpfs $(size_k /srv/t); $total in all"

# --- nsboot-init standalone (its helper parses the option too), and --tmpfs-root ---
OUT=$(cd / && timeout "$GUARD" unshare -mpfniu --mount-proc "$NSB_BUILD/nsboot-init" --tmpfs-size=64m \
	-D "$TREE" -- /bin/sh -c "$INNER" 2>&1)
RC=$?
is "nsboot-init: exit status" "$RC" 0
[ "$RC" = 0 ] || diag "$OUT"
fill_ok nsboot-init /tmp 15872
all_sized nsboot-init 4 # no /etc/hostname without --hostname
is "nsboot-init: / is 31744k" "$(val rootdf)" 31744

OUT=$(cd / && timeout "$GUARD" unshare -mpfniu --mount-proc "$NSB_BUILD/nsboot-init" --tmpfs-size=64m \
	--tmpfs-root --bind-ro="$TREE/bin:/bin" --bind-ro="$TREE/usr:/usr" -- /bin/sh -c "$INNER" 2>&1)
RC=$?
is "tmpfs-root: exit status" "$RC" 0
[ "$RC" = 0 ] || diag "$OUT"
fill_ok tmpfs-root / 27776
is "tmpfs-root: / gets 7/8 of the root's layer" "$(size_k /)" 27776
all_sized tmpfs-root 5

# --- bad values: one line naming the option, exit 125 ---
for prog in nsboot nsboot-init; do
	for v in 25% 0 1.5g lots 15m; do
		OUT=$(cd / && timeout "$GUARD" "$NSB_BUILD/$prog" --tmpfs-size=$v -D "$TREE" -- /bin/true 2>&1)
		RC=$?
		is "$prog --tmpfs-size=$v: exit 125" "$RC" 125
		like "$prog --tmpfs-size=$v: one line naming the option" "$(printf '%s\n' "$OUT" | head -1)" \
			"^$prog: --tmpfs-size=$v: (want bytes with an optional k, m or g suffix|less than the minimum, 16m)\$"
	done
done
done_testing
