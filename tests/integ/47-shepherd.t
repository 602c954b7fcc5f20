#!/bin/bash
# A Debian 13 tree with GNU Shepherd 1.0 and a system configuration that runs sshd and
# cron as Shepherd services (scripts/mkrootfs debian-shepherd) booted by the shepherd
# preset it is detected as, as root with the pick mapping and rootless by nobody with the
# subid mapping: shepherd runs as a process under nsboot-init, booted once it has started
# every service its configuration asked for, sshd listens in the container's network
# namespace, no known bare-metal failure on the console, SIGTERM makes shepherd stop its
# services and exit, nsboot exits 0, the host untouched.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
debian_boot_root shepherd debian-shepherd
# a service the configuration asks for that fails to start is named by "booted"
if [ "$(id -u)" = 0 ] && TREE=$("$NSB_SRC/scripts/mkrootfs" debian-shepherd); then
	cat >"$BOOT_TMP/broken.scm" <<'SCM'
(register-services
 (list (service '(broken) #:start (const #f) #:stop (const #f))))
(start-in-the-background '(broken))
SCM
	chmod 644 "$BOOT_TMP/broken.scm"
	boot_start "$BOOT_TMP/broken.out" "$NSB_BUILD/nsboot" -D "$TREE" --console=pipe \
		--bind-ro="$BOOT_TMP/broken.scm:/etc/shepherd.scm"
	if boot_wait_line "$BOOT_TMP/broken.out" '^nsboot: booted in [0-9]+ ms \(1 service failed: broken\)$'; then
		ok "shepherd: a service that failed to start is named when booted is reported"
	else
		not_ok "shepherd: a service that failed to start is named when booted is reported"
		diag "$(cat "$BOOT_TMP/broken.out")"
	fi
	boot_stop TERM
	is "shepherd: with a failed service, SIGTERM: nsboot exits 0" "$BOOT_STATUS" 0
fi
debian_boot_rootless shepherd debian-shepherd
done_testing
