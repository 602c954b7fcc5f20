#!/bin/bash
# A Debian 13 (trixie) tree with OpenRC 0.56 (scripts/mkrootfs debian13-openrc, mmdebstrap)
# booted by the openrc preset it is detected as, as root with the pick mapping and
# rootless by nobody with the subid mapping: booted, sshd and cron up, sshd listening in
# the container's network namespace, no known bare-metal failure on the console, SIGTERM
# runs "openrc shutdown" and nsboot exits 0, the host untouched.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
debian_boot_root openrc debian13-openrc
debian_boot_rootless openrc debian13-openrc
done_testing
