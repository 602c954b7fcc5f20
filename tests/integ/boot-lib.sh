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

# debian_boot_as_root PRESET [TREEKIND]: the whole test of a Debian tree booted as root
# with the pick mapping: builds (or finds cached) scripts/mkrootfs TREEKIND (default
# debian-PRESET), runs debian_boot on it and ends the test (skipped without root, failed
# when the tree cannot be built).
debian_boot_as_root() {
	debian_boot_root "$@"
	done_testing
}

# debian_boot_root PRESET [TREEKIND]: debian_boot_as_root without ending the test.
debian_boot_root() {
	local kind=$1 tkind=${2:-debian-$1} tree
	if [ "$(id -u)" != 0 ]; then
		skip "needs root (debootstrap or mmdebstrap, the pick mapping)"
		return 0
	fi
	if ! tree=$("$NSB_SRC/scripts/mkrootfs" "$tkind"); then
		not_ok "build the $tkind tree (scripts/mkrootfs $tkind)"
		return 0
	fi
	debian_boot "$tree" "$kind"
}

# debian_boot_rootless PRESET TREEKIND: TREEKIND booted rootless by nobody with the subid
# mapping, then debian_boot's checks: a test range is bound over /etc/subuid and
# /etc/subgid in a private mount namespace (never the host's files), the tree is
# scripts/mkrootfs TREEKIND-subid (owners shifted into that range, cached for nobody) and
# nobody sees it at a path of its own bound in that same namespace (the tree cache is
# private). Skipped without root, /etc/subuid or newuidmap.
debian_boot_rootless() {
	local kind=$1 tkind=$2 base=100000 tree d
	if [ "$(id -u)" != 0 ]; then
		skip "rootless $tkind: needs root to prepare (the tree, the test subid range)"
		return 0
	fi
	if [ ! -f /etc/subuid ] || [ ! -f /etc/subgid ] || ! command -v newuidmap >/dev/null; then
		skip "rootless $tkind: /etc/subuid, /etc/subgid or newuidmap missing"
		return 0
	fi
	nsb_pub_init
	# (mkrootfs builds it again when the cached one was made for another base)
	if ! tree=$(NSBOOT_SUBID_BASE=$base NSBOOT_SUBID_OWNER=65534:65534 "$NSB_SRC/scripts/mkrootfs" "$tkind-subid"); then
		not_ok "build the $tkind-subid tree"
		return 0
	fi
	is "rootless $tkind: the subid tree was shifted for nobody and base $base" \
		"$(cat "$tree/.nsboot-subid-base")" "65534:65534 $base"
	d=$BOOT_TMP/rootless-$tkind
	mkdir -m 755 "$d" "$d/tree"
	echo "$tree" >"$d/tree-src"
	echo "nobody:$base:65536" >"$d/subuid"
	echo "nogroup:$base:65536" >"$d/subgid"
	echo "nobody:$base:65536" >>"$d/subgid"
	chmod 644 "$d/subuid" "$d/subgid"
	cat >"$d/as-nobody-subid" <<'SH'
#!/bin/sh
# as-nobody-subid CMD...: CMD as nobody in a private mount namespace, with the test subid
# ranges over /etc/sub[ug]id and the tree (named in tree-src) bound on the folder tree
d=${0%/*}
exec unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid &&
	mount --bind "$3" "$4" && shift 4 &&
	exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' sh "$d/subuid" "$d/subgid" \
	"$(cat "$d/tree-src")" "$d/tree" "$@"
SH
	chmod 755 "$d/as-nobody-subid"
	check "rootless $tkind: nobody cannot reach the tree in the cache" \
		sh -c '! setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$1/etc/os-release"' sh "$tree"
	NSBOOT=$NSB_PUB/bin/nsboot BOOT_TREE_AS=$d/tree BOOT_LABEL="$kind rootless" \
		debian_boot "$tree" "$kind" "$d/as-nobody-subid"
}

# debian_boot TREE KIND [RUNNER...]: boots TREE (KIND: sysv, openrc, runit, shepherd) with the preset it
# detects, as RUNNER (e.g. as_nobody) when given (nsboot is given $BOOT_TREE_AS instead of
# TREE when set: where a RUNNER shows TREE to its user), and checks: booted,
# sshd and cron up, sshd listening in the container's net namespace, the nsenter hint
# sees nsboot-init as PID 1, no failure line, shutdown through the tree's own scripts on
# SIGTERM with exit 0, and the host untouched.
debian_boot() {
	local tree=$1 kind=$2 out=$BOOT_TMP/boot.out hint cpid ps before after nsboot label=${BOOT_LABEL:-$2}
	shift 2
	nsboot=${NSBOOT:-$NSB_BUILD/nsboot}
	boot_sysctl_conf "$BOOT_TMP/99-nsboot-test.conf"
	before=$(boot_host_state "$tree")
	boot_start "$out" "$@" "$nsboot" -D "${BOOT_TREE_AS:-$tree}" --console=pipe \
		--bind-ro="$BOOT_TMP/99-nsboot-test.conf:/etc/sysctl.d/99-nsboot-test.conf"
	if boot_wait_line "$out" '^nsboot: booted in [0-9]+ ms$'; then
		ok "$label: booted is reported ($(grep -o 'booted in [0-9]* ms' "$out"))"
	else
		not_ok "$label: booted is reported"
		diag "$(cat "$out")"
	fi
	hint=$(boot_hint "$out")
	cpid=$(boot_cpid "$out")
	like "$label: the nsenter hint is printed" "$hint" '^nsenter .*-t [0-9]+'
	# shellcheck disable=SC2086
	ps=$("$@" timeout "$GUARD" $hint ps -eo pid=,args= 2>&1)
	like "$label: through the hint, PID 1 is nsboot-init" "$ps" '^ *1 nsboot-init '
	like "$label: sshd runs" "$ps" '^ *[0-9]+ sshd: /usr/sbin/sshd'
	like "$label: cron runs" "$ps" '^ *[0-9]+ /usr/sbin/cron'
	# shellcheck disable=SC2086
	like "$label: sshd listens inside the container's network namespace" \
		"$("$@" timeout "$GUARD" $hint ss -ltnH 2>&1)" ':22 '
	if [ -n "$cpid" ] && [ "$(readlink "/proc/$cpid/ns/net")" != "$(readlink /proc/self/ns/net)" ]; then
		ok "$label: the container's network namespace is not the host's"
	else
		not_ok "$label: the container's network namespace is not the host's"
	fi
	boot_stop TERM
	is "$label: SIGTERM: nsboot exits 0" "$BOOT_STATUS" 0
	case $kind in
	openrc)
		like "$label: shutdown stopped sshd through the tree's scripts" "$(cat "$out")" 'Stopping OpenBSD Secure Shell server'
		like "$label: shutdown stopped cron through the tree's scripts" "$(cat "$out")" 'Stopping periodic command scheduler'
		;;
	sysv)
		like "$label: shutdown ran runlevel 0" "$(cat "$out")" 'boot in runlevel 0'
		like "$label: sendsigs stopped sshd and cron" "$(cat "$out")" 'All processes ended'
		;;
	runit)
		like "$label: stage 3 stopped sshd" "$(cat "$out")" 'ok: down: /etc/service/ssh'
		like "$label: stage 3 stopped cron" "$(cat "$out")" 'ok: down: /etc/service/cron'
		;;
	shepherd)
		like "$label: shepherd stopped sshd" "$(cat "$out")" 'Service sshd stopped'
		like "$label: shepherd stopped cron" "$(cat "$out")" 'Service cron stopped'
		like "$label: shepherd exited on its own" "$(cat "$out")" '^Exiting\.$'
		;;
	esac
	unlike "$label: no boot or shutdown line shows a known bare-metal failure" "$(cat "$out")" "$BOOT_FAILURES"
	after=$(boot_host_state "$tree")
	is "$label: host mount table unchanged" "$(sed -n '/^== mounts/,/^== sysctl/p' <<<"$after")" \
		"$(sed -n '/^== mounts/,/^== sysctl/p' <<<"$before")"
	unlike "$label: no securityfs, pstore, configfs or cgroup mount appeared" \
		"$(diff <(echo "$before") <(echo "$after"))" 'securityfs|pstore|configfs|cgroup'
	is "$label: host kernel parameters unchanged" "$(sed -n '/^== sysctl/,/^== tree/p' <<<"$after")" \
		"$(sed -n '/^== sysctl/,/^== tree/p' <<<"$before")"
	is "$label: the tree on disk is unchanged by a volatile boot" "$(sed -n '/^== tree/,$p' <<<"$after")" \
		"$(sed -n '/^== tree/,$p' <<<"$before")"
}
