#!/bin/bash
# A Debian 12 tree with OpenRC booted as root with the default (pick) mapping: the openrc
# preset is detected, the default drop list masks the bare-metal services, sshd and cron
# come up in the container, SIGTERM stops them through "openrc shutdown", the host is
# untouched. The tree is built once (debootstrap, about 35 s) and cached.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (debootstrap, the pick mapping)"
	done_testing
fi
if ! TREE=$("$NSB_SRC/scripts/mkrootfs" debian-openrc); then
	not_ok "build the debian-openrc tree (scripts/mkrootfs debian-openrc)"
	done_testing
fi
debian_boot "$TREE" openrc
done_testing
