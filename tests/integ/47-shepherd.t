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
debian_boot_rootless shepherd debian-shepherd
done_testing
