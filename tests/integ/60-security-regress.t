#!/bin/bash
# Escapes that today's containers already stop, kept stopped: a host kernel parameter stays
# out of reach after the container's root tried to unmount /proc/sys (not as identity,
# whose root is host root by design: see 60-security-mounts.t), a new sysfs mount is
# refused, device nodes cannot be made, a forged file handle does not open the file
# system's root, and hostile links in a writable tree (/tmp, /run, /etc/hostname,
# /etc/resolv.conf, /etc/hosts pointing at host paths) lead no mount and no write out of
# the tree with --network=host. In every mapping (security-lib.sh).
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/security-lib.sh"
# Host targets of the hostile links: outside /tmp, which the tree's own /tmp link would
# otherwise lead through itself.
HOST=$(mktemp -d /var/tmp/nsb-sec-host.XXXXXX)
chmod 755 "$HOST"
nsb_at_exit "rm -rf '$HOST'"

# $1: the host's swappiness to write back unchanged once /proc/sys is unmounted (empty:
# not tried)
cat >"$SEC_W/regress.sh" <<'SH'
/attack mount-sysfs /tmp/nsb-sysfs
/attack mknod /dev/nsb-mem
/attack mknod /tmp/nsb-mem
/attack open-by-handle /attack
/attack open-by-handle /etc/nsboot-marker
if [ -n "$1" ]; then
	/attack umount /proc/sys
	/attack write /proc/sys/vm/swappiness "$1"
fi
exit 0
SH
# what a booted system does with those paths: files in /tmp and /run, the host name, the
# resolver's and the hosts files rewritten (the last three are read-only binds: refused)
HOSTILE_CMD='echo in >/tmp/nsb-file; echo in >/run/nsb-file; mkdir -p /run/nsb-dir;
	hostname -F /etc/hostname; echo in >/etc/hostname; echo in >/etc/resolv.conf; echo in >/etc/hosts;
	echo ran'

# host_dir_sum DIR: names, types, modes, owners, sizes and contents under DIR.
host_dir_sum() { tar -C "$1" -cf - . 2>/dev/null | sha256sum | cut -d' ' -f1; }

for mode in $SEC_MODES; do
	why=$(sec_unavailable "$mode")
	if [ -n "$why" ]; then
		skip "$mode: every regression check: $why"
		continue
	fi
	sec_mode "$mode"
	touch "$D/tree/attack"
	cp "$SEC_W/regress.sh" "$D/tree/"
	chown -h "$OWNER" "$D/tree/attack" "$D/tree/regress.sh"

	cur=
	[ "$mode" != identity ] && cur=$(cat /proc/sys/vm/swappiness)
	sec_run --read-only --bind-ro="$ATTACK:/attack" -D "$D/tree" -- /bin/sh /regress.sh $cur
	[ "$RC" = 0 ] || diag "$mode: exit status $RC: $OUT"
	sec_refused "$mode: a new sysfs mount is refused" mount-sysfs /tmp/nsb-sysfs
	sec_refused "$mode: mknod of a char device (1,1) in /dev is refused" mknod /dev/nsb-mem
	sec_refused "$mode: mknod of a char device (1,1) in /tmp is refused" mknod /tmp/nsb-mem
	sec_refused "$mode: a forged handle of the root of /attack's file system does not open" open-by-handle /attack
	sec_refused "$mode: a forged handle of the root of the tree's file system does not open" open-by-handle /etc/nsboot-marker
	if [ -n "$cur" ]; then
		# (the value written is the host's own: nothing changes if the write goes through)
		sec_refused "$mode: after an umount of /proc/sys, a write to the host's vm.swappiness is refused" \
			write /proc/sys/vm/swappiness
		is "$mode: after an umount of /proc/sys, the host's swappiness is unchanged" "$(cat /proc/sys/vm/swappiness)" "$cur"
	fi

	# --- hostile links in a writable tree, --network=host ---
	# The host targets are writable by the container's root, so that only the mount
	# plan's confinement stands in the way.
	H=$HOST/$mode
	mkdir -p "$H/tmp" "$H/run"
	echo host-tmp >"$H/tmp/sentinel"
	echo host-run >"$H/run/sentinel"
	echo host-hostname >"$H/hostname"
	echo 127.0.0.9 host-hosts >"$H/hosts"
	chown -R "$OWNER" "$H"
	chmod 777 "$H" "$H/tmp" "$H/run"
	chmod 666 "$H/tmp/sentinel" "$H/run/sentinel" "$H/hostname" "$H/hosts"
	rm -rf "$D/tree/tmp" "$D/tree/run" "$D/tree/etc/hostname" "$D/tree/etc/resolv.conf" "$D/tree/etc/hosts"
	ln -s "$H/tmp" "$D/tree/tmp"
	ln -s "$H/run" "$D/tree/run"
	ln -s "../../../../../../../../..$H/hostname" "$D/tree/etc/hostname"
	ln -s "$H/resolv-missing" "$D/tree/etc/resolv.conf"
	ln -s "$H/hosts" "$D/tree/etc/hosts"
	chown -h "$OWNER" "$D/tree/tmp" "$D/tree/run" "$D/tree/etc/hostname" "$D/tree/etc/resolv.conf" "$D/tree/etc/hosts"
	before_tmp=$(host_dir_sum "$H/tmp") before_run=$(host_dir_sum "$H/run")
	before_hn=$(sec_sum "$H/hostname") before_hosts=$(sec_sum "$H/hosts")
	mounts_before=$(grep -c -F "$HOST" /proc/self/mountinfo)
	sec_run --writable --network=host --hostname=nsb-sec -D "$D/tree" -- /bin/sh -c "$HOSTILE_CMD"
	if printf '%s\n' "$OUT" | grep -qx ran; then
		ok "$mode, hostile links: the container ran its command"
	else
		not_ok "$mode, hostile links: the container ran its command"
		diag "exit status $RC: $OUT"
	fi
	is "$mode, hostile links: /tmp -> host dir: the host dir is unchanged" "$(host_dir_sum "$H/tmp")" "$before_tmp"
	is "$mode, hostile links: /run -> host dir: the host dir is unchanged" "$(host_dir_sum "$H/run")" "$before_run"
	is "$mode, hostile links: /etc/hostname -> ../..host file: unchanged" "$(sec_sum "$H/hostname")" "$before_hn"
	is "$mode, hostile links: /etc/hosts -> host file: unchanged" "$(sec_sum "$H/hosts")" "$before_hosts"
	check "$mode, hostile links: /etc/resolv.conf -> a missing host path: not made on the host" test ! -e "$H/resolv-missing"
	is "$mode, hostile links: no mount left on the host" "$(grep -c -F "$HOST" /proc/self/mountinfo)" "$mounts_before"
done
done_testing
