#!/bin/bash
# Locked mounts: inside the container its root, with every capability of its namespaces,
# cannot make a read-only mount writable (mount_setattr clearing MOUNT_ATTR_RDONLY, a
# "remount,bind" without ro) and write through it (a --read-only /, a --bind-ro bind, a
# --bind-ro ro,idmap bind, /proc/sys, /sys), cannot unmount the masks over /proc nor
# /proc/sys, and cannot mount a new proc beside the masked one; the host files behind each
# mount stay as they were. In every mapping (security-lib.sh); the attacks are
# tests/helpers/attack's.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/security-lib.sh"

MARK='nsboot busybox tree
'
HOSTF='a host file
'

# The attacks, in busybox sh inside the container: METHOD on every read-only mount, each
# followed by writes through it. $1 METHOD, $2 1 when the idmap bind is there.
cat >"$SEC_W/unlock.sh" <<'SH'
m=$1
[ "$m" = clear-ro ] && /attack mount-proc /tmp/nsb-proc
/attack $m /
/attack write /etc/nsboot-marker
/attack write /nsb-new
/attack $m /mnt/ro
/attack write /mnt/ro/f
/attack write /mnt/ro/g
if [ "$2" = 1 ]; then
	/attack $m /mnt/idm
	/attack write /mnt/idm/f
	/attack write /mnt/idm/g
fi
/attack $m /proc/sys
/attack write /proc/sys/net/ipv4/ip_forward 0
/attack $m /sys
/attack write /sys/class/net/lo/mtu 65536
if [ "$m" = remount-rw ]; then
	/attack remount-sb-rw /sys
	/attack write /sys/class/net/lo/tx_queue_len 1000
fi
exit 0
SH
# Every mask of the mount plan that is a mount here, /proc/sys last; $1 (identity only)
# the host's swappiness, written back unchanged once /proc/sys is gone.
cat >"$SEC_W/umount.sh" <<'SH'
for p in /proc/keys /proc/timer_list /proc/kcore /proc/sysrq-trigger /proc/irq /proc/bus /proc/sys; do
	if cut -d' ' -f5 /proc/self/mountinfo | grep -qx "$p"; then
		/attack umount "$p"
	else
		echo "attack umount $p: not tried: not a mount in this container"
	fi
done
[ -n "$1" ] && /attack write /proc/sys/vm/swappiness "$1"
exit 0
SH

# prepare: the mode's mount points in its tree copy and the bind sources on the host.
# Plain bind sources are writable by anyone: only the read-only flag stands in the way.
prepare() {
	mkdir -p "$D/tree/mnt/ro" "$D/tree/mnt/idm" "$D/src" "$D/isrc"
	touch "$D/tree/attack"
	cp "$SEC_W/unlock.sh" "$SEC_W/umount.sh" "$D/tree/"
	chown -R -h "$OWNER" "$D/tree/mnt" "$D/tree/attack" "$D/tree/unlock.sh" "$D/tree/umount.sh" "$D/src" "$D/isrc"
	chmod 777 "$D/src"
	reset_host
}
# reset_host: the host files as they were before any attack.
reset_host() {
	rm -f "$D/tree/nsb-new" "$D/src/g" "$D/isrc/g"
	sec_put "$D/tree/etc/nsboot-marker" "$MARK"
	sec_put "$D/src/f" "$HOSTF" && chmod 666 "$D/src/f"
	sec_put "$D/isrc/f" "$HOSTF"
}
# host_same DESC FILE NEW WANT: FILE still holds WANT and NEW was not made (its owner
# on the host is said when it was: root under pick is a write as host root).
host_same() {
	local got=
	IFS= read -r -d '' got <"$2"
	if [ "$got" = "$4" ] && [ ! -e "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "$2 holds $(printf %q "$got") (want $(printf %q "$4")); $3: $(sec_sum "$3") (owner uid:gid on the host, checksum)"
	fi
}

for mode in $SEC_MODES; do
	why=$(sec_unavailable "$mode")
	if [ -n "$why" ]; then
		skip "$mode: every mount-locking check: $why"
		continue
	fi
	sec_mode "$mode"
	prepare
	binds=(--bind-ro="$ATTACK:/attack" --bind-ro="$D/src:/mnt/ro")
	[ -n "$IDMAP" ] && binds+=(--bind-ro="$D/isrc:/mnt/idm:ro,idmap")
	for method in clear-ro remount-rw; do
		sec_run --read-only "${binds[@]}" -D "$D/tree" -- /bin/sh /unlock.sh "$method" "$IDMAP"
		[ "$RC" = 0 ] || diag "$mode, $method: exit status $RC"
		if [ "$method" = clear-ro ]; then
			sec_refused "$mode: a new proc mount beside the masked /proc is refused" mount-proc /tmp/nsb-proc
		fi
		sec_refused "$mode: $method on / (--read-only) is refused" "$method" /
		sec_refused "$mode: $method on /: a write to /etc/nsboot-marker is then refused" write /etc/nsboot-marker
		sec_refused "$mode: $method on /: a new file /nsb-new is then refused" write /nsb-new
		host_same "$mode: $method on /: the tree on disk is unchanged (no file made as host root either)" \
			"$D/tree/etc/nsboot-marker" "$D/tree/nsb-new" "$MARK"
		sec_refused "$mode: $method on a --bind-ro bind is refused" "$method" /mnt/ro
		sec_refused "$mode: $method on the --bind-ro bind: a write to its file is then refused" write /mnt/ro/f
		sec_refused "$mode: $method on the --bind-ro bind: a new file in it is then refused" write /mnt/ro/g
		host_same "$mode: $method on the --bind-ro bind: its host source is unchanged" "$D/src/f" "$D/src/g" "$HOSTF"
		if [ -n "$IDMAP" ]; then
			sec_refused "$mode: $method on a --bind-ro ro,idmap bind is refused" "$method" /mnt/idm
			sec_refused "$mode: $method on the ro,idmap bind: a write to its file is then refused" write /mnt/idm/f
			sec_refused "$mode: $method on the ro,idmap bind: a new file in it is then refused" write /mnt/idm/g
			host_same "$mode: $method on the ro,idmap bind: its host source is unchanged (no file made as host root)" \
				"$D/isrc/f" "$D/isrc/g" "$HOSTF"
		fi
		sec_refused "$mode: $method on /proc/sys is refused" "$method" /proc/sys
		sec_refused "$mode: $method on /proc/sys: a write to /proc/sys/net/ipv4/ip_forward is then refused" write /proc/sys/net/ipv4/ip_forward
		sec_refused "$mode: $method on /sys is refused" "$method" /sys
		sec_refused "$mode: $method on /sys: a write to /sys/class/net/lo/mtu is then refused" write /sys/class/net/lo/mtu
		if [ "$method" = remount-rw ]; then
			sec_refused "$mode: a remount of /sys's file system read-write is refused" remount-sb-rw /sys
			sec_refused "$mode: remount of /sys's file system: a write to /sys/class/net/lo/tx_queue_len is then refused" write /sys/class/net/lo/tx_queue_len
		fi
		reset_host
	done

	cur=
	[ "$mode" = identity ] && cur=$(cat /proc/sys/vm/swappiness)
	sec_run --read-only --bind-ro="$ATTACK:/attack" -D "$D/tree" -- /bin/sh /umount.sh $cur
	[ "$RC" = 0 ] || diag "$mode, umount: exit status $RC"
	for p in /proc/keys /proc/timer_list /proc/kcore /proc/sysrq-trigger /proc/irq /proc/bus /proc/sys; do
		sec_refused "$mode: umount of $p is refused" umount "$p"
	done
	if [ -n "$cur" ]; then
		# (the value written is the host's own: nothing changes if the write goes through)
		sec_refused "$mode: umount of /proc/sys: a write to the host's /proc/sys/vm/swappiness is then refused" write /proc/sys/vm/swappiness
		is "$mode: umount of /proc/sys: the host's swappiness is unchanged" "$(cat /proc/sys/vm/swappiness)" "$cur"
	fi
done
done_testing
