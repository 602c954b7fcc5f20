# Shared by the 60-security-*.t tests; sourced after lib.sh. The attacks run as the
# container's own command (tests/helpers/attack, static, bound in at /attack) in each user
# mapping a container can have:
#   pick      as root, the default
#   base      as root, --private-users=BASE:65536 with a BASE no /etc/subuid or /etc/subgid
#             range overlaps and no running container holds (SEC_BASE)
#   identity  as root, --private-users=identity
#   single    as nobody, --private-users=single
#   subid     as nobody, --private-users=subid, with test ranges bound over /etc/subuid and
#             /etc/subgid in a private mount namespace (the host's files are never edited);
#             skipped when /etc/subuid, /etc/subgid or newuidmap/newgidmap are missing
# Every mode gets its own copy of the busybox tree in a scratch folder owned by the
# container's root (root, or nobody for the rootless modes), never the shared cache: an
# attack that works writes into the copy.
nsb_pub_init
SEC_TREE=$("$NSB_SRC/scripts/mkrootfs" busybox)
SEC_W=$(mktemp -d /tmp/nsb-sec.XXXXXX)
chmod 755 "$SEC_W"
SEC_BASE=
SEC_BASE_LOCK_NEW=
nsb_at_exit sec_cleanup
sec_cleanup() {
	rm -rf "$SEC_W"
	# nsboot leaves the lock file of a BASE range behind; the one this test made goes
	# (taken first, so that a container holding it keeps it)
	if [ -n "$SEC_BASE_LOCK_NEW" ] && [ -e "$SEC_BASE_LOCK_NEW" ]; then
		flock -n "$SEC_BASE_LOCK_NEW" rm -f "$SEC_BASE_LOCK_NEW"
	fi
	return 0
}
SEC_MODES="pick base identity single subid"
SEC_RANGES=/run/nsboot/ranges

# sec_free_base: prints a 65536-aligned BASE that no /etc/subuid or /etc/subgid range
# overlaps and whose lock no running container holds.
sec_free_base() {
	local b f
	for b in 2147418112 2147352576 2147287040 2147221504; do
		if cat /etc/subuid /etc/subgid 2>/dev/null |
			awk -F: -v b="$b" 'NF >= 3 && $2 + 0 < b + 65536 && $2 + $3 > b { hit = 1 } END { exit !hit }'; then
			continue
		fi
		f=$SEC_RANGES/$b.lock
		if [ -e "$f" ] && ! flock -n "$f" true; then continue; fi
		echo "$b"
		return 0
	done
	return 1
}
SEC_BASE=$(sec_free_base) || SEC_BASE=
if [ -n "$SEC_BASE" ] && [ ! -e "$SEC_RANGES/$SEC_BASE.lock" ]; then
	SEC_BASE_LOCK_NEW=$SEC_RANGES/$SEC_BASE.lock
fi

SEC_HAVE_SUBID=
if [ -e /etc/subuid ] && [ -e /etc/subgid ] && command -v newuidmap >/dev/null &&
	command -v newgidmap >/dev/null; then
	SEC_HAVE_SUBID=1
	echo 'nobody:200000:65536' >"$SEC_W/subuid"
	echo 'nobody:300000:65536' >"$SEC_W/subgid"
	chmod 644 "$SEC_W/subuid" "$SEC_W/subgid"
fi

# sec_unavailable MODE: prints why MODE cannot be tested here (nothing when it can).
sec_unavailable() {
	case $1 in
	base) [ -n "$SEC_BASE" ] || echo "no free BASE range among the candidates" ;;
	subid) [ -n "$SEC_HAVE_SUBID" ] || echo "/etc/subuid, /etc/subgid, newuidmap or newgidmap missing" ;;
	esac
}

# sec_mode MODE: sets, for MODE, NSB (the nsboot binary), ATTACK (the helper's host path),
# MAP (the mapping option), RUN (the words before NSB: who runs it), OWNER (uid:gid of the
# container's root on the host as far as its scratch files go), IDMAP (1 when a bind may
# ask idmap) and D (the mode's scratch folder, made on first use, with a copy of the tree
# in D/tree).
sec_mode() {
	SEC_MODE=$1
	IDMAP=
	case $1 in
	pick | base | identity)
		NSB=$NSB_BUILD/nsboot ATTACK=$NSB_BUILD/tests/helpers/attack RUN=() OWNER=0:0
		case $1 in
		pick) MAP=--private-users=pick IDMAP=1 ;;
		base) MAP=--private-users=$SEC_BASE:65536 IDMAP=1 ;;
		identity) MAP=--private-users=identity ;;
		esac ;;
	single)
		NSB=$NSB_PUB/bin/nsboot ATTACK=$NSB_PUB/bin/helpers/attack OWNER=65534:65534
		MAP=--private-users=single
		RUN=(setpriv --reuid=65534 --regid=65534 --clear-groups) ;;
	subid)
		NSB=$NSB_PUB/bin/nsboot ATTACK=$NSB_PUB/bin/helpers/attack OWNER=65534:65534
		MAP=--private-users=subid
		RUN=(unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid &&
			shift 2 && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"'
			sh "$SEC_W/subuid" "$SEC_W/subgid") ;;
	*) echo "sec_mode: unknown mode $1" >&2; return 1 ;;
	esac
	D=$SEC_W/$1
	if [ ! -d "$D" ]; then
		mkdir "$D"
		cp -a "$SEC_TREE" "$D/tree"
		chown -R -h "$OWNER" "$D"
		# a root container's own root is not host root under pick and BASE, and its
		# bind sources are resolved as that: it must be able to pass through
		if [ "$OWNER" = 0:0 ]; then chmod 755 "$D"; else chmod 700 "$D"; fi
	fi
}

# sec_run ARGS...: nsboot of the current mode, from /, with -q, the mode's mapping and
# ARGS; sets OUT (stdout and stderr), RC and SEC_RES (the helper's lines by "attack VERB ARG").
declare -A SEC_RES
sec_run() {
	OUT=$(cd / && timeout -k 5 "$GUARD" "${RUN[@]}" "$NSB" -q "$MAP" "$@" 2>&1)
	RC=$?
	sec_parse
}
# sec_parse: fills SEC_RES from OUT (in the shell itself: no process per check).
sec_parse() {
	local line
	SEC_RES=()
	while IFS= read -r line; do
		line=${line%$'\r'}
		[[ $line == "attack "*": "* ]] && SEC_RES[${line%%: *}]=$line
	done <<<"$OUT"
}

# sec_put FILE CONTENT: writes CONTENT into FILE (made or replaced), owned by the mode's
# container root.
sec_put() { printf '%s' "$2" >"$1" && chown "$OWNER" "$1"; }

# sec_refused DESC VERB ARG: passes when the helper says the kernel refused VERB on ARG;
# skips when the attack could not be tried; fails when it succeeded or never ran.
sec_refused() {
	local line=${SEC_RES["attack $2 $3"]:-}
	case $line in
	*": refused: "*) ok "$1" ;;
	*": not tried: "*) skip "$1: ${line#*not tried: }" ;;
	*": SUCCEEDED"*) not_ok "$1"; diag "$line" ;;
	*) not_ok "$1"; diag "no result line (exit status $RC): $OUT" ;;
	esac
}

# sec_sum FILE: FILE's owner and checksum, or "absent".
sec_sum() {
	if [ -e "$1" ]; then
		echo "$(stat -c '%u:%g' "$1") $(sha256sum <"$1" | cut -d' ' -f1)"
	else
		echo absent
	fi
}
