#!/bin/bash
# A Debian 13 (trixie) tree with OpenRC 0.56 (scripts/mkrootfs debian13-openrc, mmdebstrap)
# booted by the openrc preset it is detected as, as root with the pick mapping and
# rootless by nobody with the subid mapping: booted, sshd and cron up, sshd listening in
# the container's network namespace, no known bare-metal failure on the console, SIGTERM
# runs "openrc shutdown" and nsboot exits 0, the host untouched. The preset's rc_sys makes
# OpenRC drop Debian's cgroups by its own keyword: -v says so, OpenRC's banner names the
# system, the service is not in the sysinit runlevel's list, and booted names no failure.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
debian_boot_root openrc debian13-openrc
if [ "$(id -u)" = 0 ] && TREE=$("$NSB_SRC/scripts/mkrootfs" debian13-openrc); then
	out=$BOOT_TMP/rcsys.out
	boot_start "$out" "$NSB_BUILD/nsboot" -v -D "$TREE" --console=pipe
	if boot_wait_line "$out" '^nsboot: booted in [0-9]+ ms$'; then
		ok "openrc rc_sys: booted with no failed service"
	else
		not_ok "openrc rc_sys: booted with no failed service"
		diag "$(cat "$out")"
	fi
	like "openrc rc_sys: -v names what the tree's keywords drop" "$(cat "$out")" \
		'^nsboot: drop-services: 1 left to the tree.s own keywords \(-systemd-nspawn -containers, set by /etc/rc.conf.d/nsboot.conf\): cgroups$'
	unlike "openrc rc_sys: the drop list no longer masks cgroups" \
		"$(grep 'drop-openrc.list' "$out")" 'cgroups'
	like "openrc rc_sys: OpenRC says which system it runs on" "$(cat "$out")" '\[SYSTEMD-NSPAWN\]'
	# shellcheck disable=SC2046
	st=$(timeout "$GUARD" $(boot_hint "$out") rc-status sysinit 2>&1)
	like "openrc rc_sys: the sysinit runlevel holds procps" "$st" 'procps'
	unlike "openrc rc_sys: ... and not cgroups" "$st" 'cgroups'
	boot_stop TERM
	is "openrc rc_sys: SIGTERM: nsboot exits 0" "$BOOT_STATUS" 0
fi
debian_boot_rootless openrc debian13-openrc
done_testing
