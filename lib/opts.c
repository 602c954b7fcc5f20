/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The command line of the three programs (nsboot, nsboot-init, nsboot-mount). */
#include "config.h"
#include "error.h"
#include "list.h"
#include "netopt.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	O_VOLATILE = 256, O_READ_ONLY, O_WRITABLE, O_TMPFS_ROOT, O_BIND, O_BIND_RO, O_TMPFS,
	O_OVERLAY, O_FSTAB, O_HOSTNAME, O_NETWORK, O_BOOT, O_DROP, O_KILL_GROUP, O_GRACE,
	O_SYNC_FD, O_SETUP_DONE, O_TREE_FD, O_PRIVATE_USERS, O_PID_FILE, O_READY_FD, O_WAIT_BOOTED,
	O_CONSOLE, O_SETENV, O_TMPFS_SIZE, O_SETUP_TIMEOUT, O_MEMORY_MAX, O_PIDS_MAX, O_VERSION,
	O_DETACH, O_NO_DEFAULT_DROPS, O_FAIL_ON_FAILED, O_PRIVATE_USERS_FORCE,
	O_PORT, O_ADDRESS, O_ADDRESS_POOL
};

#define ALL (NSB_PROG_SPAWN | NSB_PROG_INIT | NSB_PROG_MOUNT)
#define INNER (NSB_PROG_INIT | NSB_PROG_MOUNT)

/* Which programs accept each option (indexed like LONGOPTS). */
static const struct {
	struct option opt;
	unsigned progs;
} table[] = {
	{ { "directory", required_argument, NULL, 'D' }, ALL },
	{ { "volatile", optional_argument, NULL, O_VOLATILE }, ALL },
	{ { "read-only", no_argument, NULL, O_READ_ONLY }, ALL },
	{ { "writable", no_argument, NULL, O_WRITABLE }, ALL },
	{ { "tmpfs-root", no_argument, NULL, O_TMPFS_ROOT }, ALL },
	{ { "bind", required_argument, NULL, O_BIND }, ALL },
	{ { "bind-ro", required_argument, NULL, O_BIND_RO }, ALL },
	{ { "tmpfs", required_argument, NULL, O_TMPFS }, ALL },
	{ { "overlay", required_argument, NULL, O_OVERLAY }, ALL },
	{ { "fstab", required_argument, NULL, O_FSTAB }, ALL },
	{ { "hostname", required_argument, NULL, O_HOSTNAME }, ALL },
	{ { "network", required_argument, NULL, O_NETWORK }, ALL },
	{ { "boot", required_argument, NULL, O_BOOT }, ALL },
	{ { "drop-services", required_argument, NULL, O_DROP }, ALL },
	{ { "no-default-drops", no_argument, NULL, O_NO_DEFAULT_DROPS }, ALL },
	{ { "tmpfs-size", required_argument, NULL, O_TMPFS_SIZE }, ALL },
	{ { "kill-group", no_argument, NULL, O_KILL_GROUP }, ALL },
	{ { "grace", required_argument, NULL, O_GRACE }, ALL },
	{ { "sync-fd", required_argument, NULL, O_SYNC_FD }, INNER },
	{ { "setup-done", no_argument, NULL, O_SETUP_DONE }, INNER },
	{ { "tree-fd", required_argument, NULL, O_TREE_FD }, NSB_PROG_MOUNT },
	{ { "private-users", required_argument, NULL, O_PRIVATE_USERS }, NSB_PROG_SPAWN },
	{ { "private-users-force", no_argument, NULL, O_PRIVATE_USERS_FORCE }, NSB_PROG_SPAWN },
	{ { "pid-file", required_argument, NULL, O_PID_FILE }, NSB_PROG_SPAWN },
	{ { "ready-fd", required_argument, NULL, O_READY_FD }, NSB_PROG_SPAWN },
	{ { "wait-booted", no_argument, NULL, O_WAIT_BOOTED }, NSB_PROG_SPAWN },
	{ { "fail-on-failed-services", no_argument, NULL, O_FAIL_ON_FAILED }, NSB_PROG_SPAWN },
	{ { "console", required_argument, NULL, O_CONSOLE }, NSB_PROG_SPAWN },
	{ { "setenv", required_argument, NULL, O_SETENV }, NSB_PROG_SPAWN },
	{ { "setup-timeout", required_argument, NULL, O_SETUP_TIMEOUT }, NSB_PROG_SPAWN },
	{ { "memory-max", required_argument, NULL, O_MEMORY_MAX }, NSB_PROG_SPAWN },
	{ { "pids-max", required_argument, NULL, O_PIDS_MAX }, NSB_PROG_SPAWN },
	{ { "machine", required_argument, NULL, 'M' }, NSB_PROG_SPAWN },
	{ { "detach", no_argument, NULL, O_DETACH }, NSB_PROG_SPAWN },
	{ { "port", required_argument, NULL, O_PORT }, NSB_PROG_SPAWN },
	{ { "address", required_argument, NULL, O_ADDRESS }, NSB_PROG_SPAWN },
	{ { "address-pool", required_argument, NULL, O_ADDRESS_POOL }, NSB_PROG_SPAWN },
	{ { "quiet", no_argument, NULL, 'q' }, ALL },
	{ { "verbose", no_argument, NULL, 'v' }, ALL },
	{ { "help", no_argument, NULL, 'h' }, ALL },
	{ { "version", no_argument, NULL, O_VERSION }, ALL },
};
#define N_OPTS (sizeof table / sizeof table[0])

/* What O_VOLATILE .. O_TMPFS_ROOT and O_BIND .. O_OVERLAY set, in their order. */
static const enum nsb_root_mode root_modes[] = { NSB_ROOT_OVERLAY, NSB_ROOT_READONLY,
						 NSB_ROOT_WRITABLE, NSB_ROOT_TMPFS };
static const enum nsb_mount_kind mount_kinds[] = { NSB_MNT_BIND, NSB_MNT_BIND_RO, NSB_MNT_TMPFS,
						   NSB_MNT_OVERLAY };
_Static_assert(O_TMPFS_ROOT - O_VOLATILE + 1 == sizeof root_modes / sizeof root_modes[0] &&
		       O_OVERLAY - O_BIND + 1 == sizeof mount_kinds / sizeof mount_kinds[0],
	       "root_modes and mount_kinds follow the option enum");

/* The long name of the option VAL ("bind"). */
static const char *long_name(int val)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if (table[i].opt.val == val)
			return table[i].opt.name;
	return "?";
}

/* The options that set one value: given twice (the last would silently win) is an error. */
static const int once_only[] = { 'D', 'M', O_HOSTNAME, O_NETWORK, O_BOOT, O_TMPFS_SIZE, O_GRACE,
	O_SYNC_FD, O_TREE_FD, O_PRIVATE_USERS, O_PID_FILE, O_READY_FD, O_CONSOLE, O_SETUP_TIMEOUT,
	O_MEMORY_MAX, O_PIDS_MAX };

/* True when CODE is one of ONCE_ONLY and was seen before (SEEN: one bit each). */
static bool repeated(int code, unsigned long long *seen)
{
	for (size_t i = 0; i < sizeof once_only / sizeof once_only[0]; i++)
		if (once_only[i] == code) {
			bool again = *seen & (1ULL << i);
			*seen |= 1ULL << i;
			return again;
		}
	return false;
}

/* How option CODE is written ("-D", "--hostname"). */
static void option_name(int code, char *out, size_t len)
{
	snprintf(out, len, "?");
	for (size_t i = 0; i < N_OPTS; i++) {
		if (table[i].opt.val != code)
			continue;
		if (code < 256)
			snprintf(out, len, "-%c", code);
		else
			snprintf(out, len, "--%s", table[i].opt.name);
	}
}

/* True when the comma list OPTS holds WORD. */
static bool has_word(const char *opts, const char *word)
{
	const char *item;
	size_t n;
	for (const char *p = opts; nsb_list_next(&p, &item, &n);)
		if (nsb_list_is(item, n, word))
			return true;
	return false;
}

/* Sets every field to its default (sync_fd/ready_fd -1, grace 10 s). */
void nsb_config_init(struct nsb_config *c)
{
	memset(c, 0, offsetof(struct nsb_config, strings));
	c->grace_ms = NSB_GRACE_MS_DEFAULT;
	c->setup_timeout_ms = NSB_SETUP_TIMEOUT_MS_DEFAULT;
	c->sync_fd = -1;
	c->ready_fd = -1;
	c->tree_fd = -1;
}

/* Parses a decimal number of seconds into milliseconds; -1 when malformed or huge. */
long nsb_parse_seconds(const char *s)
{
	long ms = 0;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (ms > (LONG_MAX / 10 - 9) / 1000)
			return -1;
		ms = ms * 10 + (*p - '0');
	}
	ms *= 1000;
	if (*p == '.') {
		long scale = 100;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			ms += (*p - '0') * scale;
	}
	return *p ? -1 : ms;
}

/* Parses a size in bytes with an optional k, m or g suffix; 0 when malformed, 0 or huge. */
unsigned long long nsb_parse_size(const char *s)
{
	unsigned long long n = 0;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return 0;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > ((1ULL << 62) - 9) / 10)
			return 0;
		n = n * 10 + (unsigned long long)(*p - '0');
	}
	unsigned shift = 0;
	switch (*p) {
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	}
	if (*p || n > (1ULL << 62) >> shift)
		return 0;
	return n << shift;
}

/* Parses a non-negative int for OPT; false with ERR set when malformed. */
static bool parse_fd(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX)
		return false;
	*out = (int)v;
	return true;
}

/* Writes the reason into ERR and evaluates to NSB_PARSE_ERROR. */
#define fail(err, len, ...) ((enum nsb_parse_result)nsb_fail(err, len, NSB_PARSE_ERROR, __VA_ARGS__))


/* Splits a mount spec of KIND into C->mounts; 0, or -EINVAL with ERR set when malformed. */
static int add_mount(struct nsb_config *c, enum nsb_mount_kind kind, const char *name,
		      char *arg, char *err, size_t len)
{
	if (c->n_mounts >= NSB_MAX_SPECS) {
		return nsb_fail(err, len, -EINVAL, "--%s: more than %d mounts", name, NSB_MAX_SPECS);
	}
	struct nsb_mount_spec *m = &c->mounts[c->n_mounts];
	*m = (struct nsb_mount_spec){ .kind = kind };
	/* split a copy: argv itself is passed on unchanged (nsboot-init hands its option
	 * words to nsboot-mount, the spawner to nsboot-init) */
	size_t n = strlen(arg) + 1;
	if (n > sizeof c->strings - c->strings_used) {
		return nsb_fail(err, len, -EINVAL, "--%s: the mount options are too long", name);
	}
	arg = memcpy(c->strings + c->strings_used, arg, n);
	c->strings_used += n;
	char *colon;
	switch (kind) {
	case NSB_MNT_BIND:
	case NSB_MNT_BIND_RO:
		m->src = arg;
		m->dst = arg;
		if ((colon = strchr(arg, ':'))) {
			*colon = '\0';
			m->dst = colon + 1;
			if ((colon = strchr(m->dst, ':'))) {
				*colon = '\0';
				m->opts = colon + 1;
			}
		}
		if (!*m->src) {
			return nsb_fail(err, len, -EINVAL, "--%s: empty source", name);
		}
		break;
	case NSB_MNT_TMPFS:
		m->dst = arg;
		if ((colon = strchr(arg, ':'))) {
			*colon = '\0';
			m->opts = colon + 1;
		}
		break;
	case NSB_MNT_OVERLAY:
		colon = strrchr(arg, ':');
		if (!colon || colon == arg) {
			return nsb_fail(err, len, -EINVAL, "--%s=%s: want LOWER[:LOWER...]:DST", name, arg);
		}
		*colon = '\0';
		m->src = arg;
		m->dst = colon + 1;
		break;
	}
	if (m->dst[0] != '/') {
		return nsb_fail(err, len, -EINVAL, "--%s: destination '%s' is not an absolute path", name, m->dst);
	}
	if (m->opts && !*m->opts)
		m->opts = NULL;
	if (kind == NSB_MNT_BIND_RO && has_word(m->opts, "rw"))
		return nsb_fail(err, len, -EINVAL, "--%s=%s:%s:%s: rw contradicts --%s (use --bind)",
				name, m->src, m->dst, m->opts, name);
	c->n_mounts++;
	return 0;
}

/* Sets the root mode once; 0, or -EINVAL with ERR set when two modes conflict. */
static int set_root(struct nsb_config *c, enum nsb_root_mode mode, const char *name,
		     char *err, size_t len)
{
	if (c->root != NSB_ROOT_NONE && c->root != mode) {
		return nsb_fail(err, len, -EINVAL, "--%s conflicts with another root mode "
			       "(--volatile, --read-only, --writable, --tmpfs-root)", name);
	}
	c->root = mode;
	return 0;
}

/* True when S is VAR=VALUE with VAR a shell variable name. */
static bool valid_setenv(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s && *s != '='; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return *s == '=';
}

enum nsb_parse_result nsb_parse_args(struct nsb_config *c, int argc, char **argv,
				     enum nsb_prog_kind kind, char *err, size_t errlen)
{
	struct option longopts[N_OPTS + 1];
	size_t n = 0;
	for (size_t i = 0; i < N_OPTS; i++)
		if (table[i].progs & kind)
			longopts[n++] = table[i].opt;
	longopts[n] = (struct option){ 0 };

	nsb_config_init(c);
	opterr = 0;
	optind = 0; /* full reset: the parser may run more than once (unit tests) */
	int o;
	unsigned long long seen = 0;
	while ((o = getopt_long(argc, argv, kind == NSB_PROG_SPAWN ? "+:D:M:qvh" : "+:D:qvh", longopts, NULL)) != -1) {
		const char *name = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
		if (repeated(o, &seen)) {
			char opt[64];
			option_name(o, opt, sizeof opt);
			return fail(err, errlen, "%s given twice (the last would win); give it once", opt);
		}
		switch (o) {
		case 'D':
			c->tree = optarg;
			break;
		case O_VOLATILE:
			if (optarg && strcmp(optarg, "overlay") != 0)
				return fail(err, errlen, "--volatile=%s: only 'overlay' is supported", optarg);
			/* fall through */
		case O_READ_ONLY:
		case O_WRITABLE:
		case O_TMPFS_ROOT:
			if (set_root(c, root_modes[o - O_VOLATILE], long_name(o), err, errlen) < 0)
				return NSB_PARSE_ERROR;
			break;
		case O_BIND:
		case O_BIND_RO:
		case O_TMPFS:
		case O_OVERLAY:
			if (add_mount(c, mount_kinds[o - O_BIND], long_name(o), optarg, err, errlen) < 0)
				return NSB_PARSE_ERROR;
			break;
		case O_FSTAB:
			if (c->n_fstabs >= NSB_MAX_SPECS)
				return fail(err, errlen, "--fstab: more than %d files", NSB_MAX_SPECS);
			c->fstabs[c->n_fstabs++] = optarg;
			break;
		case O_HOSTNAME:
			if (!*optarg || strlen(optarg) > NSB_HOSTNAME_MAX || strchr(optarg, '/') || strchr(optarg, '\n'))
				return fail(err, errlen, "--hostname=%s: not a valid host name", optarg);
			c->hostname = optarg;
			break;
		case O_NETWORK:
			if (!nsb_parse_network(c, optarg, kind, err, errlen))
				return NSB_PARSE_ERROR;
			break;
		case O_PORT: {
			struct nsb_port port;
			if (!nsb_parse_port(optarg, &port))
				return fail(err, errlen, "--port=%s: want [HOSTADDR:]HOSTPORT"
					    "[:CONTAINERPORT][/tcp|/udp]", optarg);
			if (c->n_ports >= NSB_MAX_SPECS)
				return fail(err, errlen, "--port: more than %d forwards", NSB_MAX_SPECS);
			c->ports[c->n_ports++] = optarg;
			break;
		}
		case O_ADDRESS:
			c->address = optarg;
			break;
		case O_ADDRESS_POOL:
			c->address_pool = optarg;
			break;
		case O_BOOT:
			if (!*optarg)
				return fail(err, errlen, "--boot: empty preset");
			c->boot = optarg;
			break;
		case O_DROP:
			if (c->n_drop_services >= NSB_MAX_DROP_LISTS)
				return fail(err, errlen, "--drop-services: more than %d", NSB_MAX_DROP_LISTS);
			c->drop_services[c->n_drop_services++] = optarg;
			break;
		case O_NO_DEFAULT_DROPS:
			c->no_default_drops = true;
			break;
		case O_TMPFS_SIZE:
			if (!(c->tmpfs_size = nsb_parse_size(optarg)))
				return fail(err, errlen, "--tmpfs-size=%s: want bytes with an optional "
					    "k, m or g suffix", optarg);
			if (c->tmpfs_size < NSB_TMPFS_MIN)
				return fail(err, errlen, "--tmpfs-size=%s: less than the minimum, 16m", optarg);
			break;
		case O_KILL_GROUP:
			c->kill_group = true;
			break;
		case O_MEMORY_MAX:
			if (!(c->memory_max = nsb_parse_size(optarg)))
				return fail(err, errlen, "--memory-max=%s: not a size (bytes, or a number with k, m or g)", optarg);
			break;
		case O_PIDS_MAX: {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || v == 0 || optarg[0] == '-')
				return fail(err, errlen, "--pids-max=%s: not a positive whole number", optarg);
			c->pids_max = v;
			break;
		}
		case O_SETUP_TIMEOUT:
			if ((c->setup_timeout_ms = nsb_parse_seconds(optarg)) <= 0)
				return fail(err, errlen, "--setup-timeout=%s: not a positive decimal number of seconds", optarg);
			break;
		case O_GRACE:
			if ((c->grace_ms = nsb_parse_seconds(optarg)) < 0)
				return fail(err, errlen, "--grace=%s: not a decimal number of seconds", optarg);
			break;
		case O_SYNC_FD:
			if (!parse_fd(optarg, &c->sync_fd))
				return fail(err, errlen, "--sync-fd=%s: not a file descriptor number", optarg);
			break;
		case O_SETUP_DONE:
			c->setup_done = true;
			break;
		case O_TREE_FD:
			if (!parse_fd(optarg, &c->tree_fd))
				return fail(err, errlen, "--tree-fd=%s: not a file descriptor number", optarg);
			break;
		case O_PRIVATE_USERS:
			c->private_users = optarg;
			break;
		case O_PRIVATE_USERS_FORCE:
			c->private_users_force = true;
			break;
		case O_PID_FILE:
			if (!*optarg)
				return fail(err, errlen, "--pid-file: empty path");
			c->pid_file = optarg;
			break;
		case O_READY_FD:
			if (!parse_fd(optarg, &c->ready_fd))
				return fail(err, errlen, "--ready-fd=%s: not a file descriptor number", optarg);
			break;
		case O_WAIT_BOOTED:
			c->wait_booted = true;
			break;
		case O_FAIL_ON_FAILED:
			c->fail_on_failed = true;
			break;
		case O_CONSOLE:
			if (strcmp(optarg, "interactive") == 0)
				c->console = NSB_CONSOLE_INTERACTIVE;
			else if (strcmp(optarg, "pipe") == 0)
				c->console = NSB_CONSOLE_PIPE;
			else
				return fail(err, errlen, "--console=%s: want 'interactive' or 'pipe'", optarg);
			break;
		case O_SETENV:
			if (!valid_setenv(optarg))
				return fail(err, errlen, "--setenv=%s: want VAR=VALUE", optarg);
			if (c->n_setenv >= NSB_MAX_SPECS)
				return fail(err, errlen, "--setenv: more than %d variables", NSB_MAX_SPECS);
			c->setenv[c->n_setenv++] = optarg;
			break;
		case 'M':
			c->machine = optarg;
			break;
		case O_DETACH:
			c->detach = true;
			break;
		case 'q':
			c->verbosity = -1;
			break;
		case 'v':
			if (c->verbosity < 0)
				c->verbosity = 0;
			c->verbosity++;
			break;
		case 'h':
			return NSB_PARSE_HELP;
		case O_VERSION:
			return NSB_PARSE_VERSION;
		case ':':
			return fail(err, errlen, "option '%s' needs an argument", name);
		default:
			if (optopt && optopt < 256)
				return fail(err, errlen, "unknown option '-%c'", optopt);
			return fail(err, errlen, "unknown option '%s'", name);
		}
	}
	if (!nsb_check_network(c, err, errlen))
		return NSB_PARSE_ERROR;
	c->n_option_args = optind - 1;
	c->argv = argv + optind;
	c->argc = argc - optind;

	if (c->tree && c->root == NSB_ROOT_NONE)
		c->root = NSB_ROOT_OVERLAY;
	if (c->root == NSB_ROOT_TMPFS && c->tree)
		return fail(err, errlen, "--tmpfs-root takes no -D TREE");
	if (c->root != NSB_ROOT_NONE && c->root != NSB_ROOT_TMPFS && !c->tree)
		return fail(err, errlen, "missing -D TREE (or --tmpfs-root)");
	bool wants_root = c->n_mounts || c->n_fstabs || c->n_drop_services ||
			  c->no_default_drops || c->hostname ||
			  c->network != NSB_NET_AUTO || c->tmpfs_size;
	if (c->root == NSB_ROOT_NONE && (wants_root || kind == NSB_PROG_SPAWN))
		return fail(err, errlen, "missing -D TREE (or --tmpfs-root)");
	c->mount_options = c->root != NSB_ROOT_NONE;
	/* with --setup-done the spawner built the root: no COMMAND means "detect from it" */
	if (kind == NSB_PROG_INIT && c->argc == 0 && !c->boot && c->root == NSB_ROOT_NONE &&
	    !c->setup_done)
		return fail(err, errlen, "missing COMMAND");
	if (kind == NSB_PROG_SPAWN && c->argc == 0 && c->root == NSB_ROOT_TMPFS && !c->boot)
		return fail(err, errlen, "--tmpfs-root needs COMMAND or --boot");
	if (c->argc > 0 && c->boot)
		return fail(err, errlen, "--boot=%s and COMMAND exclude each other", c->boot);
	return NSB_PARSE_OK;
}

const char *nsb_usage_line(enum nsb_prog_kind kind)
{
	if (kind == NSB_PROG_SPAWN)
		return "Usage: nsboot [OPTIONS] -D TREE [--] [COMMAND [ARG]...]  (or --tmpfs-root instead of -D)";
	if (kind == NSB_PROG_MOUNT)
		return "Usage: nsboot-mount [OPTIONS]  (internal helper of nsboot-init)";
	return "Usage: nsboot-init [OPTIONS] [--] COMMAND [ARG]...";
}

#define MOUNT_HELP \
	"  -D, --directory=TREE        the OS tree to boot\n" \
	"      --volatile=overlay      root is a tmpfs overlay over TREE: writes vanish (default)\n" \
	"      --read-only             TREE bound read-only, with tmpfs /run and /tmp\n" \
	"      --writable              TREE bound read-write: writes persist\n" \
	"      --tmpfs-root            an empty tmpfs root populated by binds (no TREE)\n" \
	"      --bind=SRC[:DST[:OPTS]] bind SRC at DST inside (OPTS: comma list, e.g. idmap)\n" \
	"      --bind-ro=SRC[:DST[:OPTS]]  the same, read-only\n" \
	"      --tmpfs=DST[:OPTS]      a tmpfs at DST\n" \
	"      --overlay=LOWER[:LOWER...]:DST  an overlay with a tmpfs upper layer at DST\n" \
	"      --fstab=FILE            more mounts in fstab(5) format, targets inside the root\n" \
	"      --hostname=NAME         host name (default: TREE's directory name); nsboot sets it,\n" \
	"                              nsboot-init only binds it as /etc/hostname\n" \
	"      --network=private|host  private network with lo up (default), or the host's\n" \
	"      --boot=PRESET           sysv, openrc, runit, shepherd, guix:SYSTEM or shell\n" \
	"                              (default: detect)\n" \
	"      --drop-services=FILE    more services to mask, one per line (repeatable;\n" \
	"                              added to the preset's list)\n" \
	"      --no-default-drops      mask none of the preset's list\n" \
	"      --tmpfs-size=SIZE       the memory every tmpfs of the container may take\n" \
	"                              together (k, m, g suffix; default: a quarter of the\n" \
	"                              RAM); a size= in --tmpfs or --fstab wins for its mount\n" \
	"      --kill-group            forward signals to the command's process group\n" \
	"      --grace=SECONDS         SIGTERM-to-SIGKILL grace at shutdown (default 10)\n"

#define COMMON_HELP \
	"  -q, --quiet                 errors only\n" \
	"  -v, --verbose               say more\n" \
	"  -h, --help                  this text\n" \
	"      --version               the version\n" \
	"Exit status: COMMAND's; 128+N if it died of signal N; 125 our own error (usage, setup);\n" \
	"126 COMMAND not executable; 127 COMMAND not found.\n"

/* Each program's --help, an array of its own: with -fdata-sections a binary links only
 * the one it names (nsb_help_text() in config.h picks it at compile time). */
const char nsb_help_spawn[] =
	"Usage: nsboot [OPTIONS] -D TREE [--] [COMMAND [ARG]...]\n"
	"       nsboot [OPTIONS] --tmpfs-root [--bind-ro=...]... [--] COMMAND [ARG]...\n"
	"Boot an OS tree as a container in new user, mount, pid, ipc, uts, cgroup,\n"
	"time and (unless --network=host) net namespaces.\n\n" MOUNT_HELP
	"      --private-users=MODE    pick (root default): a free shifted 65536-id range,\n"
	"                              TREE idmapped; BASE[:COUNT]: that range, idmapped;\n"
	"                              identity: 0..65535 to 0..65535 -- this TRUSTS the\n"
	"                              container more: its root is host uid 0 (in a user\n"
	"                              namespace, its mounts locked) for what it can reach;\n"
	"                              subid (rootless default): /etc/subuid range via\n"
	"                              newuidmap; single: only the caller's id\n"
	"      --private-users-force   a BASE range over ids of host users or groups\n"
	"      --setenv=VAR=VALUE      add to the purified environment\n"
	"      --console=interactive|pipe  a pty as /dev/console (default on a terminal)\n"
	"      --pid-file=FILE         write the container's PID 1 host PID\n"
	"      --ready-fd=N            write \"PID\\n\" to fd N when ready, then close it\n"
	"      --wait-booted           report readiness when the system has booted\n"
	"      --fail-on-failed-services  a boot with failed services stops, exit 1\n"
	"      --setup-timeout=SECONDS give up (exit 125) when the container is not ready\n"
	"                              (root built, boot command known) in that time\n"
	"                              (default 30)\n"
	"      --memory-max=SIZE       memory.max of the container's cgroup (k, m, g)\n"
	"      --pids-max=N            pids.max of the container's cgroup\n"
	"  -M, --machine=NAME          the machine's name (default: TREE's directory name,\n"
	"                              with the lowest free -N suffix)\n"
	"      --detach                return once ready; the machine runs on, its\n"
	"                              console in its log (nsboot logs NAME)\n"
	"Network (--network=MODE; see nsboot(1)):\n"
	"      --network=veth          ve-NAME on the host, host0 inside (root)\n"
	"      --network=zone:ZONE     on the bridge of ZONE with its other machines,\n"
	"                              which resolve each other by name\n"
	"      --network=pasta         user-mode networking through pasta(1)\n"
	"      --network=ns:PATH       join the net namespace at PATH\n"
	"      --network=machine:NAME  share a running machine's net namespace (rootless:\n"
	"                              a machine in a zone)\n"
	"      --address=ADDR/PREFIX   veth: the container's IPv4 address\n"
	"      --address-pool=NET/PREFIX  veth: the /30s to pick from (10.124.0.0/16)\n"
	"      --port=[HOSTADDR:]HOSTPORT[:CONTAINERPORT][/tcp|/udp]  pasta, veth:\n"
	"                              forward a host port into the container\n"
	"                              (repeatable; veth: IPv4, not loopback)\n"
	"Stopping: SIGTERM or SIGINT to nsboot stops the container in order (the tree's\n"
	"shutdown, or SIGTERM to COMMAND); whatever it does, it is gone --grace seconds\n"
	"later; a second SIGTERM or SIGINT kills it at once.\n" COMMON_HELP;

const char nsb_help_mount[] =
	"Usage: nsboot-mount [OPTIONS]\n"
	"Internal helper: builds nsboot-init's root with libmount, then pivots.\n" MOUNT_HELP
	"      --sync-fd=N             report errors on the spawner channel N\n" COMMON_HELP;

const char nsb_help_init[] =
	"Usage: nsboot-init [OPTIONS] [--] COMMAND [ARG]...\n"
	"       nsboot-init [OPTIONS] -D TREE|--tmpfs-root [--] [COMMAND [ARG]...]\n"
	"A tiny PID 1: runs COMMAND, reaps every orphan, forwards signals, and tears\n"
	"down cleanly. With no mount option it mounts nothing (a drop-in for tini).\n\n" MOUNT_HELP
	"      --sync-fd=N             driven by a spawner on channel N (wait for GO)\n"
	"      --setup-done            the spawner has built the root already (internal)\n" COMMON_HELP;
