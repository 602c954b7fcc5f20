#!/bin/bash
# A Debian 13 tree with runit as its init (scripts/mkrootfs debian-runit) booted by the
# runit preset it is detected as, as root with the pick mapping and rootless by nobody
# with the subid mapping: runit's stages 1 and 2 run under nsboot-init, booted once
# `sv check` finds every enabled service up, sshd and cron run under runsv, sshd listens in
# the container's network namespace, no known bare-metal failure on the console, SIGTERM
# ends stage 2 and runs stage 3 (which stops the services), nsboot exits 0, the host
# untouched.
source "$NSB_SRC/tests/integ/lib.sh"
source "$NSB_SRC/tests/integ/boot-lib.sh"
debian_boot_root runit debian-runit
debian_boot_rootless runit debian-runit
done_testing
