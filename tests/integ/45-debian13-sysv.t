#!/bin/bash
# A Debian 13 (trixie) tree with sysv-rc (scripts/mkrootfs debian13-sysv, mmdebstrap)
# booted by the sysv preset it is detected as, as root with the pick mapping and rootless
# by nobody with the subid mapping: booted, sshd and cron up, sshd listening in the
# container's network namespace, no known bare-metal failure on the console, SIGTERM runs
# runlevel 0 and nsboot exits 0, the host untouched.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
debian_boot_root sysv debian13-sysv
debian_boot_rootless sysv debian13-sysv
done_testing
