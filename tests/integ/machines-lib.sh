# shellcheck shell=bash
# Shared by the machine tests (35-machines-*.t); sourced after lib.sh.
# Every test runs in a private mount namespace (the script re-executes itself there) with
# a tmpfs over root's registry, so that machines of other tests never meet these; the
# detached machines left at the end are SIGKILLed through their entries.

# machines_isolate "$0": re-executes the test in a private mount namespace with an empty
# registry (root's), unless it is already there.
machines_isolate() {
	if [ -z "${NSB_MACHINES_NS:-}" ]; then
		mkdir -p /run/nsboot/machines 2>/dev/null
		exec unshare -m --propagation private env NSB_MACHINES_NS=1 bash -c \
			'mount -t tmpfs -o mode=0700,size=16m nsb-machines /run/nsboot/machines && exec bash "$0"' "$1"
	fi
}

# machines_killall DIR: SIGKILLs the spawner and PID 1 of every entry in the registry DIR.
machines_killall() {
	local info p
	for info in "$1"/*/info; do
		[ -f "$info" ] || continue
		for p in $(sed -n 's/^spawner=//p; s/^pid=//p' "$info"); do
			[ "$p" -gt 0 ] 2>/dev/null && kill -KILL "$p" 2>/dev/null
		done
	done
	return 0
}

# entry_field DIR NAME KEY: KEY's value in the entry NAME of the registry DIR.
entry_field() { sed -n "s/^$3=//p" "$1/$2/info" 2>/dev/null; }

# only_line TEXT: true when TEXT is exactly one line.
only_line() { [ -n "$1" ] && [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ]; }
