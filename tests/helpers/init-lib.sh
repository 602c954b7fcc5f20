# Sourced by tests/integ/10-init-*.t after lib.sh: runs nsboot-init in each of its modes.
#   root       PID 1 of a new pid namespace (unshare -pf --mount-proc), as root
#   nobody     the same as nobody, with a user namespace (unshare -Urpf --mount-proc)
#   subreaper  not PID 1: the child of a shell that is PID 1 of a throwaway pid namespace
# Every run is wrapped in timeout (-k: unshare ignores SIGTERM while it waits) and
# unshare kills its child when it dies: a guard against hangs, never a measure.
nsb_pub_init
INIT_MODES="root nobody subreaper"
# A scratch folder every mode can write to, removed with $NSB_PUB.
INIT_TMP=$NSB_PUB/tmp
mkdir -p "$INIT_TMP" && chmod 1777 "$INIT_TMP"

# init_mode MODE: sets INIT (the binary), H (the helpers folder) and RUN (the wrapper
# words before INIT) for MODE.
init_mode() {
	case $1 in
	root) INIT=$NSB_BUILD/nsboot-init; H=$NSB_BUILD/tests/helpers
		RUN=(unshare --kill-child -pf --mount-proc) ;;
	nobody) INIT=$NSB_PUB/bin/nsboot-init; H=$NSB_PUB/bin/helpers
		RUN=(setpriv --reuid=65534 --regid=65534 --clear-groups unshare --kill-child -Urpf --mount-proc) ;;
	subreaper) INIT=$NSB_BUILD/nsboot-init; H=$NSB_BUILD/tests/helpers
		# "; exit $?" keeps the shell from exec'ing the init in its place.
		RUN=(unshare --kill-child -pf --mount-proc sh -c '"$@"; exit $?' sh) ;;
	*) echo "init_mode: unknown mode $1" >&2; return 1 ;;
	esac
}

# init_dir: a fresh scratch folder writable by every mode; prints its path.
init_dir() {
	local d
	d=$(mktemp -d "$INIT_TMP/t.XXXXXX") && chmod 1777 "$d" && echo "$d"
}

# run_init ARGS...: runs the init of the current mode in the foreground; its status.
run_init() { timeout -k 5 "$GUARD" "${RUN[@]}" "$INIT" "$@"; }

# start_init ARGS...: the same in the background; BG is the job's pid.
start_init() { timeout -k 5 "$GUARD" "${RUN[@]}" "$INIT" "$@" & BG=$!; }

# wait_for CMD...: retries CMD every 10 ms until it succeeds; fails after $GUARD s.
wait_for() {
	local i
	for ((i = 0; i < GUARD * 100; i++)); do
		"$@" && return 0
		sleep 0.01
	done
	return 1
}

# find_init ROOT: prints the host pid of the nsboot-init process below process ROOT (the
# topmost one: a child between fork and exec bears the same name).
find_init() {
	ps -eo pid=,ppid=,comm= | awk -v root="$1" '
		{ parent[$1] = $2; comm[$1] = $3 }
		END { for (p in comm) if (comm[p] == "nsboot-init" && comm[parent[p]] != "nsboot-init") {
			q = p; while ((q in parent) && q != root && q > 1) q = parent[q]
			if (q == root) { print p; exit }
		} }'
}

# init_pid: prints the host pid of the background job's init (waits until it is there).
init_pid() {
	local pid="" i
	for ((i = 0; i < GUARD * 100; i++)); do
		pid=$(find_init "$BG")
		[ -n "$pid" ] && { echo "$pid"; return 0; }
		sleep 0.01
	done
	return 1
}

# has_line FILE LINE: FILE holds exactly that line.
has_line() { [ -e "$1" ] && grep -qxF -- "$2" "$1"; }
