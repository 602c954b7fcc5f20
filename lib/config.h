/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The parsed command line shared by nsboot, nsboot-init and nsboot-mount. */
#ifndef NSB_CONFIG_H
#define NSB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses of nsboot(1) and nsboot-init(8). */
enum {
	NSB_EXIT_FAILURE = 125, /* nsboot itself failed: usage, setup, protocol */
	NSB_EXIT_NOEXEC = 126,  /* COMMAND found but not executable */
	NSB_EXIT_NOTFOUND = 127 /* COMMAND not found */
};

/* --grace and --setup-timeout when not given. */
#define NSB_GRACE_MS_DEFAULT 10000
#define NSB_SETUP_TIMEOUT_MS_DEFAULT 30000

/* The longest host name the kernel takes (HOST_NAME_MAX). */
#define NSB_HOSTNAME_MAX 64

/* Which program parses: options outside its set are "unknown". */
enum nsb_prog_kind {
	NSB_PROG_SPAWN = 1, /* nsboot */
	NSB_PROG_INIT = 2,  /* nsboot-init */
	NSB_PROG_MOUNT = 4  /* nsboot-mount (libexec helper of nsboot-init) */
};

enum nsb_root_mode {
	NSB_ROOT_NONE = 0, /* no mount option: plain init, mounts nothing */
	NSB_ROOT_OVERLAY,  /* --volatile=overlay (default with -D) */
	NSB_ROOT_READONLY, /* --read-only */
	NSB_ROOT_WRITABLE, /* --writable */
	NSB_ROOT_TMPFS     /* --tmpfs-root */
};

enum nsb_mount_kind {
	NSB_MNT_BIND,    /* --bind=SRC[:DST[:OPTS]] */
	NSB_MNT_BIND_RO, /* --bind-ro=SRC[:DST[:OPTS]] */
	NSB_MNT_TMPFS,   /* --tmpfs=DST[:OPTS]     (src is NULL) */
	NSB_MNT_OVERLAY  /* --overlay=LOWER[:LOWER...]:DST  (src is "L1:L2...") */
};

/* One user mount as given on the command line (its strings are owned by the config). */
struct nsb_mount_spec {
	enum nsb_mount_kind kind;
	const char *src;  /* host path (bind), lower dirs joined by ':' (overlay), NULL (tmpfs) */
	const char *dst;  /* absolute path inside the container */
	const char *opts; /* comma-separated options or NULL; "idmap" is one of them */
};

/* --network=MODE (lib/netopt.c parses it; nsboot alone takes the modes after host) */
enum nsb_network {
	NSB_NET_AUTO = 0, NSB_NET_PRIVATE, NSB_NET_HOST,
	NSB_NET_VETH,    /* veth: ve-NAME on the host, host0 inside */
	NSB_NET_ZONE,    /* zone:ZONE (net_arg): a veth on the zone's bridge */
	NSB_NET_PASTA,   /* pasta: user-mode networking */
	NSB_NET_NS,      /* ns:PATH (net_arg): join that net namespace */
	NSB_NET_MACHINE  /* machine:NAME (net_arg): share a running machine's */
};
#define NSB_ZONE_NAME_MAX 12
enum nsb_console { NSB_CONSOLE_AUTO = 0, NSB_CONSOLE_INTERACTIVE, NSB_CONSOLE_PIPE };

#define NSB_MAX_SPECS 64
#define NSB_MAX_DROP_LISTS 15 /* --drop-services files (one more for the preset's list) */
/* Room for the config's own copies of the mount specs (split in place). */
#define NSB_CONFIG_STRINGS 32768

struct nsb_config {
	int verbosity; /* -1 with -q, +1 per -v */

	/* root and mounts (NSB_PROG_INIT, NSB_PROG_MOUNT, NSB_PROG_SPAWN) */
	const char *tree;             /* -D TREE, or NULL */
	enum nsb_root_mode root;      /* NSB_ROOT_NONE when no mount option was given */
	struct nsb_mount_spec mounts[NSB_MAX_SPECS];
	size_t n_mounts;              /* in command-line order */
	const char *fstabs[NSB_MAX_SPECS];
	size_t n_fstabs;              /* mounted after every --bind/--tmpfs/--overlay */
	const char *hostname;         /* --hostname, NULL for the default */
	enum nsb_network network;     /* --network= */
	const char *net_arg;          /* ZONE, PATH or NAME of --network=MODE:ARG, else NULL */
	const char *address;          /* --address=ADDR/PREFIX (veth), NULL */
	const char *address_pool;     /* --address-pool=ADDR/PREFIX (veth), NULL for the default */
	const char *ports[NSB_MAX_SPECS];
	size_t n_ports;               /* --port=[HOSTADDR:]HOSTPORT[:CONTAINERPORT][/PROTO] */
	const char *boot;             /* --boot=PRESET as given, NULL when absent */
	const char *drop_services[NSB_MAX_DROP_LISTS]; /* --drop-services=FILE, in order */
	size_t n_drop_services;
	bool no_default_drops;        /* --no-default-drops */
	unsigned long long tmpfs_size; /* --tmpfs-size=SIZE in bytes: the budget the tmpfs
				       * sizes are split from; 0: a quarter of the RAM */
	bool mount_options;           /* any option above that asks for mounts was given */

	/* the PID-1 loop (NSB_PROG_INIT, NSB_PROG_SPAWN) */
	bool kill_group;              /* --kill-group */
	long grace_ms;                /* --grace=SECONDS, default NSB_GRACE_MS_DEFAULT */
	long setup_timeout_ms;        /* --setup-timeout=SECONDS (nsboot), default 30 s */
	unsigned long long memory_max; /* --memory-max=SIZE (nsboot), bytes, 0 for none */
	unsigned long long pids_max;  /* --pids-max=N (nsboot), 0 for none */
	int sync_fd;                  /* --sync-fd=N, -1 when absent (NSB_PROG_INIT, NSB_PROG_MOUNT) */
	bool setup_done;              /* --setup-done: the spawner already built the root (internal) */
	int tree_fd;                  /* --tree-fd=N: an (idmapped) mount of TREE to use instead of -D's path, -1 */

	/* spawner only (NSB_PROG_SPAWN) */
	const char *private_users;    /* --private-users=MODE as given, NULL for the default */
	bool private_users_force;     /* --private-users-force: a BASE over host users' ids */
	const char *pid_file;         /* --pid-file= */
	int ready_fd;                 /* --ready-fd=N, -1 when absent */
	bool wait_booted;             /* --wait-booted */
	bool fail_on_failed;          /* --fail-on-failed-services */
	enum nsb_console console;     /* --console= */
	const char *setenv[NSB_MAX_SPECS];
	size_t n_setenv;              /* --setenv=VAR=VALUE */
	const char *machine;          /* -M, --machine=NAME, NULL for the default */
	bool detach;                  /* --detach */

	/* COMMAND [ARG]... (NULL-terminated, points into argv); argc 0 when absent */
	char **argv;
	int argc;
	/* argv[1 .. n_option_args] are the option words before COMMAND (for passing through) */
	int n_option_args;

	/* The strings the config owns (the mount specs point here; a copy of the config
	 * still points into the original's). Last, so that nsb_config_init() leaves the
	 * pages of a static config untouched until a spec needs them. */
	size_t strings_used;
	char strings[NSB_CONFIG_STRINGS];
};

/* Outcome of nsb_parse_args(). */
enum nsb_parse_result {
	NSB_PARSE_OK = 0,
	NSB_PARSE_HELP,    /* -h/--help: print nsb_usage() to stdout, exit 0 */
	NSB_PARSE_VERSION, /* --version: print it, exit 0 */
	NSB_PARSE_ERROR    /* ERR holds one line naming the option; exit 125 with a usage line */
};

/* Sets every field to its default (sync_fd/ready_fd/tree_fd -1, grace 10 s). */
void nsb_config_init(struct nsb_config *c);

/* Parses ARGV for program KIND into C (pure: no I/O, no state outside C; strings point
 * into argv or into C's own storage).
 * On NSB_PARSE_ERROR writes a one-line reason (no program prefix) into ERR. */
enum nsb_parse_result nsb_parse_args(struct nsb_config *c, int argc, char **argv,
				     enum nsb_prog_kind kind, char *err, size_t errlen);

/* The one-line usage synopsis of KIND ("Usage: nsboot [OPTIONS] ..."). */
const char *nsb_usage_line(enum nsb_prog_kind kind);
/* The full --help text of KIND (an array of lib/opts.c: a binary links only the one its
 * call names). */
extern const char nsb_help_spawn[], nsb_help_mount[], nsb_help_init[];
static inline const char *nsb_help_text(enum nsb_prog_kind kind)
{
	return kind == NSB_PROG_SPAWN ? nsb_help_spawn :
	       kind == NSB_PROG_MOUNT ? nsb_help_mount : nsb_help_init;
}

/* Parses a decimal number of seconds ("10", "0.5", "2.25") into milliseconds; -1 when malformed. */
long nsb_parse_seconds(const char *s);

/* The smallest --tmpfs-size (and default budget): 16 MiB. */
#define NSB_TMPFS_MIN (16ULL << 20)
/* Parses a size in bytes with an optional k, m or g suffix (KiB, MiB, GiB; either case)
 * as tmpfs takes it ("64m", "1G", "65536"); 0 when malformed, zero or huge. */
unsigned long long nsb_parse_size(const char *s);

#define NSB_VERSION "0.1.0"

#endif
