#!/bin/bash
# The essential mounts of the default overlay root, through nsboot-init
# standalone on the busybox tree: as root, as root in a user namespace, and as nobody.
source "$NSB_SRC/tests/integ/lib.sh"
nsb_pub_init

TREE=$(nsb_pub_tree busybox) # nobody reads it too
source "$NSB_SRC/tests/integ/mounts-lib.sh"
host_mounts() { cat /proc/self/mountinfo; }


# The checks, run by the tree's busybox sh inside; one "key value" line each.
read -r -d '' INNER <<'SH'
mnt() { awk -v p="$1" '$5 == p { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1), $6, $(i + 3); exit } }' /proc/self/mountinfo; }
for p in / /proc /proc/sys /proc/irq /proc/bus /proc/keys /proc/timer_list /sys /dev /dev/pts /dev/shm /dev/mqueue /run /tmp /dev/null; do
	echo "mnt $p $(mnt $p)"
done
for d in null zero full random urandom tty; do echo "dev $d $(stat -c '%F %t:%T' /dev/$d)"; done
echo "keys $(wc -c < /proc/keys)"
echo "timer_list $(wc -c < /proc/timer_list)"
if echo nsb > /proc/sys/kernel/domainname; then echo "procsys writable"; else echo "procsys refused"; fi
if echo 1 > /sys/kernel/profiling; then echo "sys writable"; else echo "sys refused"; fi
if exec 3<>/dev/ptmx; then echo "pty $(ls /dev/pts | tr '\n' ' ')"; exec 3>&-; else echo "pty failed"; fi
echo "ptmx $(readlink /dev/ptmx)"
echo "fd $(readlink /dev/fd) $(readlink /dev/stdin) $(readlink /dev/stdout) $(readlink /dev/stderr)"
echo "rootmode $(stat -c %a /)"
echo "oldroot $(awk '$5 ~ /oldroot/' /proc/self/mountinfo | wc -l) $(ls -d /oldroot 2>/dev/null)"
echo "rootmounts $(awk '$5 == "/"' /proc/self/mountinfo | wc -l)"
echo "hostfile $(ls HOSTFILE 2>&1 >/dev/null | wc -l)"
echo "devptsopts $(awk '$5 == "/dev/pts" { print $NF }' /proc/self/mountinfo)"
echo nsb-was-here > /nsb-overlay-file && echo "write $(cat /nsb-overlay-file)"
SH
INNER=${INNER//HOSTFILE/$NSB_SRC/Makefile}

# val KEY: the rest of the line "KEY ..." in OUT.
val() { printf '%s\n' "$OUT" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
mntline() { printf '%s\n' "$OUT" | awk -v p="$1" '$1 == "mnt" && $2 == p { $1 = ""; $2 = ""; sub(/^  /, ""); print; exit }'; }

for mode in root userns nobody; do
	sum_before=$(tree_sum)
	mounts_before=$(host_mounts)
	ctr $mode -D "$TREE" -- /bin/sh -c "$INNER"
	is "$mode: exit status" "$RC" 0
	[ "$RC" = 0 ] || diag "$OUT"
	like "$mode: / is the overlay" "$(mntline /)" '^overlay rw'
	like "$mode: /proc is proc nosuid,nodev,noexec" "$(mntline /proc)" '^proc rw,nosuid,nodev,noexec'
	for p in /proc/sys /proc/irq /proc/bus; do
		like "$mode: $p read-only" "$(mntline $p)" '^proc ro,'
	done
	for p in /proc/keys /proc/timer_list; do
		like "$mode: $p masked read-only" "$(mntline $p)" '^[a-z]+ ro'
	done
	is "$mode: /proc/keys reads nothing" "$(val keys)" 0
	is "$mode: /proc/timer_list reads nothing" "$(val timer_list)" 0
	like "$mode: /sys is sysfs read-only" "$(mntline /sys)" '^sysfs ro,'
	like "$mode: /dev is tmpfs mode=755" "$(mntline /dev)" '^tmpfs rw,nosuid.* .*mode=755'
	like "$mode: /dev/pts is a devpts" "$(mntline /dev/pts)" '^devpts rw,nosuid,noexec'
	like "$mode: devpts newinstance ptmxmode=666 mode=620" "$(val devptsopts)" 'mode=620,ptmxmode=666'
	if [ $mode = root ]; then
		like "$mode: devpts gid=5 (mapped)" "$(val devptsopts)" 'gid=5'
	else
		unlike "$mode: no devpts gid=5 (gid 5 unmapped)" "$(val devptsopts)" 'gid='
	fi
	like "$mode: /dev/shm tmpfs" "$(mntline /dev/shm)" '^tmpfs rw,nosuid,nodev'
	like "$mode: /dev/mqueue mqueue" "$(mntline /dev/mqueue)" '^mqueue rw,nosuid,nodev,noexec'
	like "$mode: /run tmpfs" "$(mntline /run)" '^tmpfs rw,nosuid,nodev'
	like "$mode: /tmp tmpfs" "$(mntline /tmp)" '^tmpfs rw,nosuid,nodev'
	ok_nodes=yes
	for d in null zero full random urandom tty; do
		want="$(stat -c '%F %t:%T' /dev/$d)"
		got=$(printf '%s\n' "$OUT" | awk -v d=$d '$1 == "dev" && $2 == d { $1 = ""; $2 = ""; sub(/^  /, ""); print }')
		[ "$got" = "$want" ] || { ok_nodes=no; diag "/dev/$d: got '$got', want '$want'"; }
	done
	is "$mode: device nodes are character devices with the host's numbers" $ok_nodes yes
	is "$mode: writing /proc/sys fails" "$(val procsys)" refused
	is "$mode: writing /sys fails" "$(val sys)" refused
	like "$mode: a pty opens" "$(val pty)" '^0 '
	is "$mode: /dev/ptmx -> pts/ptmx" "$(val ptmx)" pts/ptmx
	is "$mode: /dev/fd and std links" "$(val fd)" "/proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2"
	is "$mode: / has mode 755" "$(val rootmode)" 755
	is "$mode: the old root is gone" "$(val oldroot)" 0
	is "$mode: one mount at /" "$(val rootmounts)" 1
	is "$mode: host files are out of reach" "$(val hostfile)" 1
	is "$mode: a write to / is visible inside" "$(val write)" nsb-was-here
	check "$mode: ... and absent from TREE afterwards" test ! -e "$TREE/nsb-overlay-file"
	is "$mode: TREE byte-identical" "$(tree_sum)" "$sum_before"
	is "$mode: host mount table unchanged" "$(host_mounts)" "$mounts_before"
done
# /dev/console is the terminal on stdin (a pty from script(1) here)
if command -v script >/dev/null; then
	OUT=$(cd / && timeout "$GUARD" script -qec "unshare -mpfniu --mount-proc '$NSB_BUILD/nsboot-init' -D '$TREE' -- /bin/sh -c 'stat -c \"console %F %t:%T\" /dev/console'; stat -c 'host %F %t:%T' \$(tty)" /dev/null 2>&1 | tr -d '\r')
	con=$(printf '%s\n' "$OUT" | sed -n 's/^console //p')
	like "/dev/console is a character device" "$con" '^character special file'
	is "/dev/console is the terminal on stdin" "$con" "$(printf '%s\n' "$OUT" | sed -n 's/^host //p')"
	OUT=$(cd / && timeout "$GUARD" unshare -mpfniu --mount-proc "$NSB_BUILD/nsboot-init" -D "$TREE" -- /bin/sh -c 'test -e /dev/console && echo CONSOLE' </dev/null 2>&1)
	unlike "no /dev/console without a terminal on stdin" "$OUT" CONSOLE
else
	skip "no script(1)"; skip "no script(1)"; skip "no script(1)"
fi
done_testing
