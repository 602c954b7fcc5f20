# A Debian sysv-rc machine and a Debian OpenRC machine in one zone: each one's sshd is
# reached by name from the other, and each stops through its own shutdown.
sysv=$(../../scripts/mkrootfs debian-sysv) || exit 1
openrc=$(../../scripts/mkrootfs debian-openrc) || exit 1
machine sysv -D "$sysv" --volatile
machine openrc -D "$openrc" --volatile
wait_for_service sysv ssh
wait_for_service openrc ssh
succeed sysv 'test -x /sbin/init && test ! -e /sbin/openrc'
succeed openrc 'test -x /sbin/openrc'
succeed sysv 'ssh-keyscan -T 10 openrc 2>/dev/null | grep -q "^openrc ssh-ed25519 "'
succeed openrc 'ssh-keyscan -T 10 sysv 2>/dev/null | grep -q "^sysv ssh-ed25519 "'
stop sysv
stop openrc
