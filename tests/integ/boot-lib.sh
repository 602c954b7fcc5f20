# Shared by the boot tests (40-debian-*.t, 50-boot-*.t); sourced after lib.sh.
# A container runs in the background with its output in a file; the tests wait for lines.

BOOT_TMP=$(mktemp -d /tmp/nsb-boot.XXXXXX)
chmod 755 "$BOOT_TMP"
BOOT_PID=
nsb_at_exit boot_cleanup
boot_cleanup() {
	if [ -n "$BOOT_PID" ] && kill -0 "$BOOT_PID" 2>/dev/null; then
		kill -KILL "$BOOT_PID" 2>/dev/null
		wait "$BOOT_PID" 2>/dev/null
	fi
	rm -rf "$BOOT_TMP"
	[ -n "${NSB_PUB:-}" ] && rm -rf "$NSB_PUB"
	return 0
}

# boot_start OUTFILE CMD...: runs CMD (under timeout) in the background, stdout and stderr
# into OUTFILE, stdin from /dev/null; sets BOOT_PID to the timeout process (which passes
# signals on to CMD).
boot_start() {
	local out=$1
	shift
	: >"$out"
	timeout -s KILL "$GUARD" "$@" </dev/null >"$out" 2>&1 &
	BOOT_PID=$!
}

# boot_wait_line OUTFILE REGEX: waits (GUARD seconds at most) until OUTFILE has a line
# matching REGEX (grep -E) or the background command ended; true when the line is there.
boot_wait_line() {
	local i
	for ((i = 0; i < GUARD * 20; i++)); do
		grep -Eq -- "$2" "$1" && return 0
		kill -0 "$BOOT_PID" 2>/dev/null || break
		sleep 0.05
	done
	grep -Eq -- "$2" "$1"
}

# boot_stop [SIGNAL]: sends SIGNAL (TERM) to the background command's child (nsboot, not
# the timeout wrapper) and waits; sets BOOT_STATUS.
boot_stop() {
	local sig=${1:-TERM} child
	child=$(pgrep -P "$BOOT_PID" | head -n 1)
	kill -"$sig" "${child:-$BOOT_PID}" 2>/dev/null
	wait "$BOOT_PID"
	BOOT_STATUS=$?
	BOOT_PID=
}

# boot_hint OUTFILE: the nsenter command nsboot printed ("false" when there is none: a
# command run through a missing hint must fail, not run on the host).
boot_hint() {
	local h
	h=$(sed -n 's/.*enter it with: //p' "$1" | head -n 1)
	echo "${h:-false}"
}
# boot_cpid OUTFILE: the host PID of the container's PID 1, from the hint.
boot_cpid() { boot_hint "$1" | sed -n 's/.* -t \([0-9]*\).*/\1/p'; }

# The failures seen in Debian boots before their services were masked, that no boot line may show.
BOOT_FAILURES='securityfs|pstore|dmesg|hardware clock|hwclock|sysctl|swapon|swapoff|configfs|backlight|cgroup|[Pp]ermission denied|[Oo]peration not permitted|[Rr]ead-only file system|no hostkeys|\.depend\.|fsck|remount|failed|[Ee]rror|[Cc]annot|[Cc]an.t '

# boot_host_state TREE: what a boot must leave alone on the host, as text: the mount table
# (mount point and type), the host's values of the kernel parameters the tree's procps
# would set (and vm.swappiness, which the tests' own sysctl.d file asks to change), and a
# listing of the tree with sizes, modes, owners and times.
boot_host_state() {
	local tree=$1 key
	echo "== mounts"
	findmnt -rn -o TARGET,FSTYPE | sort
	echo "== sysctl"
	for key in $(cat "$tree"/etc/sysctl.conf "$tree"/etc/sysctl.d/*.conf "$tree"/usr/lib/sysctl.d/*.conf 2>/dev/null |
		sed -n 's/^[[:space:]]*-\{0,1\}\([a-z][a-z0-9_.]*\)[[:space:]]*=.*/\1/p' | sort -u) vm.swappiness; do
		echo "$key = $(sysctl -n "$key" 2>&1)"
	done
	echo "== tree"
	find "$tree" -xdev -printf '%P %s %m %U %G %T@ %C@\n' | sort | md5sum
}

# boot_sysctl_conf FILE: a sysctl.d file that asks for a host-visible change.
boot_sysctl_conf() {
	local v
	v=$(sysctl -n vm.swappiness)
	echo "vm.swappiness = $((v == 1 ? 2 : 1))" >"$1"
	echo "fs.protected_regular = $(($(sysctl -n fs.protected_regular) == 2 ? 0 : 2))" >>"$1"
	chmod 644 "$1"
}

# debian_boot_as_root KIND: the whole test of a Debian tree booted as root with the pick
# mapping: builds (or finds cached) scripts/mkrootfs debian-KIND, runs debian_boot on it
# and ends the test (skipped without root, failed when the tree cannot be built).
debian_boot_as_root() {
	local kind=$1 tree
	if [ "$(id -u)" != 0 ]; then
		skip "needs root (debootstrap, the pick mapping)"
		done_testing
	fi
	if ! tree=$("$NSB_SRC/scripts/mkrootfs" "debian-$kind"); then
		not_ok "build the debian-$kind tree (scripts/mkrootfs debian-$kind)"
		done_testing
	fi
	debian_boot "$tree" "$kind"
	done_testing
}

# debian_boot TREE KIND [RUNNER...]: boots TREE (KIND openrc or sysv) with the preset it
# detects, as RUNNER (e.g. as_nobody) when given (nsboot is given $BOOT_TREE_AS instead of
# TREE when set: where a RUNNER shows TREE to its user), and checks: booted,
# sshd and cron up, sshd listening in the container's net namespace, the nsenter hint
# sees nsboot-init as PID 1, no failure line, shutdown through the tree's own scripts on
# SIGTERM with exit 0, and the host untouched.
debian_boot() {
	local tree=$1 kind=$2 out=$BOOT_TMP/boot.out hint cpid ps before after nsboot
	shift 2
	nsboot=${NSBOOT:-$NSB_BUILD/nsboot}
	boot_sysctl_conf "$BOOT_TMP/99-nsboot-test.conf"
	before=$(boot_host_state "$tree")
	boot_start "$out" "$@" "$nsboot" -D "${BOOT_TREE_AS:-$tree}" --console=pipe \
		--bind-ro="$BOOT_TMP/99-nsboot-test.conf:/etc/sysctl.d/99-nsboot-test.conf"
	if boot_wait_line "$out" '^nsboot: booted in [0-9]+ ms$'; then
		ok "$kind: booted is reported ($(grep -o 'booted in [0-9]* ms' "$out"))"
	else
		not_ok "$kind: booted is reported"
		diag "$(cat "$out")"
	fi
	hint=$(boot_hint "$out")
	cpid=$(boot_cpid "$out")
	like "$kind: the nsenter hint is printed" "$hint" '^nsenter .*-t [0-9]+'
	# shellcheck disable=SC2086
	ps=$("$@" timeout "$GUARD" $hint ps -eo pid=,args= 2>&1)
	like "$kind: through the hint, PID 1 is nsboot-init" "$ps" '^ *1 nsboot-init '
	like "$kind: sshd runs" "$ps" '^ *[0-9]+ sshd: /usr/sbin/sshd'
	like "$kind: cron runs" "$ps" '^ *[0-9]+ /usr/sbin/cron'
	# shellcheck disable=SC2086
	like "$kind: sshd listens inside the container's network namespace" \
		"$("$@" timeout "$GUARD" $hint ss -ltnH 2>&1)" ':22 '
	if [ -n "$cpid" ] && [ "$(readlink "/proc/$cpid/ns/net")" != "$(readlink /proc/self/ns/net)" ]; then
		ok "$kind: the container's network namespace is not the host's"
	else
		not_ok "$kind: the container's network namespace is not the host's"
	fi
	boot_stop TERM
	is "$kind: SIGTERM: nsboot exits 0" "$BOOT_STATUS" 0
	case $kind in
	openrc)
		like "$kind: shutdown stopped sshd through the tree's scripts" "$(cat "$out")" 'Stopping OpenBSD Secure Shell server'
		like "$kind: shutdown stopped cron through the tree's scripts" "$(cat "$out")" 'Stopping periodic command scheduler'
		;;
	sysv)
		like "$kind: shutdown ran runlevel 0" "$(cat "$out")" 'boot in runlevel 0'
		like "$kind: sendsigs stopped sshd and cron" "$(cat "$out")" 'All processes ended'
		;;
	esac
	unlike "$kind: no boot or shutdown line shows a known bare-metal failure" "$(cat "$out")" "$BOOT_FAILURES"
	after=$(boot_host_state "$tree")
	is "$kind: host mount table unchanged" "$(sed -n '/^== mounts/,/^== sysctl/p' <<<"$after")" \
		"$(sed -n '/^== mounts/,/^== sysctl/p' <<<"$before")"
	unlike "$kind: no securityfs, pstore, configfs or cgroup mount appeared" \
		"$(diff <(echo "$before") <(echo "$after"))" 'securityfs|pstore|configfs|cgroup'
	is "$kind: host kernel parameters unchanged" "$(sed -n '/^== sysctl/,/^== tree/p' <<<"$after")" \
		"$(sed -n '/^== sysctl/,/^== tree/p' <<<"$before")"
	is "$kind: the tree on disk is unchanged by a volatile boot" "$(sed -n '/^== tree/,$p' <<<"$after")" \
		"$(sed -n '/^== tree/,$p' <<<"$before")"
}
