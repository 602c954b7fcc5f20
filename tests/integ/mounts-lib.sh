# Shared by 20-mounts-essentials.t and 20-mounts-user.t; sourced after lib.sh and
# nsb_pub_init, with TREE set.

# ctr MODE ARGS...: nsboot-init standalone in throwaway namespaces; sets OUT and RC.
ctr() {
	local mode=$1
	shift
	case $mode in
	root) OUT=$(cd / && timeout "$GUARD" unshare -mpfniu --mount-proc "$NSB_BUILD/nsboot-init" "$@" 2>&1) ;;
	userns) OUT=$(cd / && timeout "$GUARD" unshare -Urmpfniu --mount-proc "$NSB_BUILD/nsboot-init" "$@" 2>&1) ;;
	nobody) OUT=$(cd / && as_nobody timeout "$GUARD" unshare -Urmpfniu --mount-proc "$NSB_PUB/bin/nsboot-init" "$@" 2>&1) ;;
	esac
	RC=$?
}

# tree_sum [DIR]: a checksum of DIR's (default TREE's) files, names, modes and owners.
tree_sum() { tar -C "${1:-$TREE}" -cf - . 2>/dev/null | sha256sum | cut -d' ' -f1; }
