#!/bin/bash
# A Debian 12 tree with sysv-rc booted as root with the default (pick) mapping: the sysv
# preset is detected, the default drop list masks the bare-metal services, sshd and cron
# come up in the container, SIGTERM stops them through runlevel 0, the host is
# untouched. The tree is built once (debootstrap, about 35 s) and cached.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
debian_boot_as_root sysv
