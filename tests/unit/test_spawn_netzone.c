/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Zones' state (spawn/netzone.c) in a scratch folder: the zones' folders refused when
 * another uid's or writable by others, the subnet picked from the pool, the hosts file's
 * fixed slots, names made unique in a zone, dead members freed, the last member removing
 * the zone, and rootless zones' keepers (alive, gone, refusing). root's /run/nsboot is the
 * scratch folder run (mkdirat and openat faked), rtnetlink and the address check are
 * faked, setns never joins and fork fails: nothing here makes a bridge or a keeper. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_nl.h"
#include "scratch.h"
#include "../../spawn/net.h"
#include "../../spawn/netlink.h"
#include "../../spawn/netzone.h"

static char dir[] = "/tmp/nsb-unit-netzone.XXXXXX";
static char err[1024];
static const char head[] = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
#define SLOTS 253
#define SLOT_LEN 160

/* Path P under the scratch folder (one of four rotating buffers). */
static const char *at(const char *p)
{
	static char bufs[4][512];
	static int i;
	char *b = bufs[i++ % 4];
	snprintf(b, sizeof bufs[0], "%s/%s", dir, p);
	return b;
}

static char run_dir[256], xdg_dir[256];

/* ---- the fakes ---- */

uid_t __real_geteuid(void);
int __real_mkdirat(int at, const char *path, mode_t mode);
int __real_openat(int at, const char *path, int flags, ...);

/* The caller: 0 (root) or ME, a rootless uid (the real one when that is not root). */
static uid_t fake_euid, me;
uid_t __wrap_geteuid(void)
{
	return fake_euid;
}

/* root's /run/nsboot is RUN_DIR; a folder made while the (real) root plays a rootless
 * caller is that caller's, as it would be. */
int __wrap_mkdirat(int at, const char *path, mode_t mode)
{
	if (at == AT_FDCWD && strcmp(path, "/run/nsboot") == 0)
		path = run_dir;
	int r = __real_mkdirat(at, path, mode);
	if (r == 0 && __real_geteuid() == 0 && fake_euid != 0 &&
	    fchownat(at, path, fake_euid, (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return r;
}

int __wrap_openat(int at, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	if (at == AT_FDCWD && strcmp(path, "/run/nsboot") == 0)
		path = run_dir;
	return __real_openat(at, path, flags, mode);
}

/* open: a keeper loses its lock (the fd DROP_ON_OPEN that holds it is closed) right as
 * its user namespace is opened, as one that dies then would. */
int __real_open(const char *path, int flags, ...);
static int drop_on_open = -1;
int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	if (drop_on_open >= 0 && strncmp(path, "/proc/", 6) == 0 && strstr(path, "/ns/user")) {
		close(drop_on_open);
		drop_on_open = -1;
	}
	return __real_open(path, flags, mode);
}

/* setns never joins: records the type, fails with SETNS_ERRNO when set. */
static int setns_calls, setns_type, setns_errno;
int __wrap_setns(int fd, int nstype)
{
	setns_calls++;
	setns_type = nstype;
	if (setns_errno) {
		errno = setns_errno;
		return -1;
	}
	return 0;
}

/* fork: only start_keeper forks here, and it fails. */
static int fork_calls;
pid_t __wrap_fork(void)
{
	fork_calls++;
	errno = EAGAIN;
	return -1;
}

/* The host's addresses: the /24s in BUSY24 (or all with ALL_BUSY) are some interface's. */
static uint32_t busy24[4];
static size_t n_busy24;
static bool all_busy;
bool __wrap_nsb_net_in_use(uint32_t net, unsigned prefix)
{
	assert_int_equal(prefix, 24);
	for (size_t i = 0; i < n_busy24; i++)
		if (busy24[i] == net)
			return true;
	return all_busy;
}

/* rtnetlink (fake_nl.h records): bridges are ifindex 5. */
void __wrap_nsb_nl_close(struct nsb_nl *nl)
{
}

int __wrap_nsb_nl_del_link(struct nsb_nl *nl, const char *name)
{
	nl_say("del %s;", name);
	return -ENODEV;
}

int __wrap_nsb_nl_add_bridge(struct nsb_nl *nl, const char *name)
{
	nl_say("bridge %s;", name);
	return nl_ret("bridge");
}

int __wrap_nsb_nl_ifindex(struct nsb_nl *nl, const char *name)
{
	nl_say("ifindex %s;", name);
	int r = nl_ret("ifindex");
	return r < 0 ? r : 5;
}

int __wrap_nsb_nl_add_addr4(struct nsb_nl *nl, int ifindex, uint32_t addr, unsigned prefix)
{
	nl_say("addr %d %u.%u.%u.%u/%u;", ifindex, addr >> 24, (addr >> 16) & 255,
	       (addr >> 8) & 255, addr & 255, prefix);
	return nl_ret("addr");
}

int __wrap_nsb_nl_link_up(struct nsb_nl *nl, int ifindex)
{
	nl_say("up %d;", ifindex);
	return nl_ret("up");
}

/* ---- helpers ---- */

static struct nsb_users u;

/* A fresh nsb_net as nsb_net_prepare leaves it, member NAME. */
static void fresh(struct nsb_net *n, const char *name, const char *alias)
{
	*n = (struct nsb_net){ .mode = NSB_NET_ZONE, .sock = { -1, -1 }, .pool_lock = -1,
			       .zones_dir = -1, .member_fd = -1, .slot = -1, .zone_netns = -1 };
	snprintf(n->name, sizeof n->name, "%s", name);
	snprintf(n->alias, sizeof n->alias, "%s", alias ? alias : "");
}

static int join(struct nsb_net *n, const char *zone, const char *name, const char *alias)
{
	fresh(n, name, alias);
	err[0] = '\0';
	return nsb_zone_join(n, &u, zone, name, err, sizeof err);
}

/* What nsb_zone_leave and the builder's exit leave of N's fds closed. */
static void forget(struct nsb_net *n)
{
	if (n->member_fd >= 0)
		close(n->member_fd);
	if (n->zones_dir >= 0)
		close(n->zones_dir);
	if (n->zone_netns >= 0)
		close(n->zone_netns);
	n->member_fd = n->zones_dir = n->zone_netns = -1;
}

static void leave(struct nsb_net *n)
{
	nsb_zone_leave(n);
	forget(n);
}

/* The contents of FILE (under the scratch folder) with its newline cut, "" when none. */
static const char *contents(const char *file)
{
	static char buf[64];
	int fd = open(at(file), O_RDONLY | O_CLOEXEC);
	ssize_t k = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[k > 0 ? k : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Slot S of hosts file HOSTS: its line with the padding cut; checks its shape. */
static const char *slot(const char *hosts, int s)
{
	static char line[SLOT_LEN + 1];
	int fd = open(at(hosts), O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, (off_t)(sizeof head - 1) + (off_t)SLOTS * SLOT_LEN);
	char h[sizeof head];
	assert_int_equal(pread(fd, h, sizeof head - 1, 0), (ssize_t)sizeof head - 1);
	assert_memory_equal(h, head, sizeof head - 1);
	assert_int_equal(pread(fd, line, SLOT_LEN, (off_t)(sizeof head - 1) + (off_t)s * SLOT_LEN),
			 SLOT_LEN);
	close(fd);
	assert_int_equal(line[SLOT_LEN - 1], '\n');
	size_t k = SLOT_LEN - 1;
	while (k > 0 && line[k - 1] == ' ')
		k--;
	line[k] = '\0';
	return line;
}

static ino_t ino_of(const char *file)
{
	struct stat st;
	return lstat(at(file), &st) == 0 ? st.st_ino : 0;
}

/* Makes FILE under the scratch folder holding TEXT. */
static void put(const char *file, const char *text)
{
	int fd = open(at(file), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Locks FILE as its live owner would; the fd holding the lock. */
static int hold(const char *file)
{
	int fd = open(at(file), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	return fd;
}

/* A folder the rootless caller owns (the real root plays it). */
static void own_folder(const char *path, mode_t mode)
{
	assert_int_equal(mkdir(at(path), mode), 0);
	assert_int_equal(chmod(at(path), mode), 0);
	if (__real_geteuid() == 0)
		assert_int_equal(chown(at(path), me, (gid_t)-1), 0);
}

/* ---- set-up ---- */

static int group_setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	me = __real_geteuid() ? __real_geteuid() : 1000;
	snprintf(run_dir, sizeof run_dir, "%s/run", dir);
	snprintf(xdg_dir, sizeof xdg_dir, "%s/xdg", dir);
	return 0;
}

static int group_teardown(void **state)
{
	return rm_tree(dir);
}

static int setup(void **state)
{
	if (rm_tree(run_dir) < 0 || rm_tree(xdg_dir) < 0)
		return -1;
	memset(&u, 0, sizeof u);
	fake_euid = me;
	setenv("XDG_RUNTIME_DIR", xdg_dir, 1);
	setns_calls = setns_type = setns_errno = 0;
	fork_calls = 0;
	drop_on_open = -1;
	n_busy24 = 0;
	all_busy = false;
	nl_reset();
	return 0;
}

/* root's zones need the real root: a folder of uid 0 cannot be made otherwise. */
static void as_root(void)
{
	if (__real_geteuid() != 0)
		skip();
	fake_euid = 0;
}

/* ---- the zones' folders ---- */

static void folders_refused(void **state)
{
	int before = open_fds();
	struct nsb_net n;
	char want[1024];
	/* another uid's */
	assert_int_equal(mkdir(xdg_dir, 0755), 0);
	assert_int_equal(mkdir(at("xdg/nsboot"), 0700), 0);
	fake_euid = me + 1;
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	snprintf(want, sizeof want, "%s/nsboot: not a folder of uid %u's that only it may "
		 "write; refusing to keep zones there", xdg_dir, (unsigned)me + 1);
	assert_string_equal(err, want);
	/* the caller's, but others may write to it */
	assert_int_equal(rm_tree(at("xdg/nsboot")), 0);
	fake_euid = me;
	own_folder("xdg/nsboot", 0777);
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	snprintf(want, sizeof want, "%s/nsboot: not a folder of uid %u's that only it may "
		 "write; refusing to keep zones there", xdg_dir, (unsigned)me);
	assert_string_equal(err, want);
	assert_int_equal(chmod(at("xdg/nsboot"), 0720), 0);
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	assert_string_equal(err, want);
	/* the zones' folder below it too */
	assert_int_equal(chmod(at("xdg/nsboot"), 0700), 0);
	own_folder("xdg/nsboot/zones", 0702);
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	snprintf(want, sizeof want, "%s/nsboot/zones: not a folder of uid %u's that only it "
		 "may write; refusing to keep zones there", xdg_dir, (unsigned)me);
	assert_string_equal(err, want);
	/* and a zone's own folder (with a live member: an empty zone is swept away) */
	assert_int_equal(chmod(at("xdg/nsboot/zones"), 0700), 0);
	own_folder("xdg/nsboot/zones/lan", 0777);
	put("xdg/nsboot/zones/lan/member.0", "db\n");
	int db = hold("xdg/nsboot/zones/lan/member.0");
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	snprintf(want, sizeof want, "%s/nsboot/zones/lan: not a folder of uid %u's that only "
		 "it may write; refusing to keep zones there", xdg_dir, (unsigned)me);
	assert_string_equal(err, want);
	assert_int_equal(setns_calls + fork_calls, 0);
	close(db);
	forget(&n);
	assert_int_equal(open_fds(), before);
}

static void folders_missing_or_links(void **state)
{
	int before = open_fds();
	struct nsb_net n;
	char want[1024];
	setenv("XDG_RUNTIME_DIR", "/nonexistent/run", 1);
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	assert_string_equal(err, "mkdir /nonexistent/run/nsboot: No such file or directory");
	/* a symbolic link to a folder of the caller's is not followed */
	setenv("XDG_RUNTIME_DIR", xdg_dir, 1);
	own_folder("xdg", 0700);
	own_folder("xdg/elsewhere", 0700);
	assert_int_equal(symlink("elsewhere", at("xdg/nsboot")), 0);
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	snprintf(want, sizeof want, "open %s/nsboot: Not a directory", xdg_dir);
	assert_string_equal(err, want);
	forget(&n);
	assert_int_equal(open_fds(), before);
}

static void root_folder_refused(void **state)
{
	as_root();
	struct nsb_net n;
	assert_int_equal(mkdir(run_dir, 0777), 0);
	assert_int_equal(chmod(run_dir, 0777), 0);
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	assert_string_equal(err, "/run/nsboot: not a folder of uid 0's that only it may write; "
			    "refusing to keep zones there");
	assert_int_equal(chmod(run_dir, 0755), 0);
	assert_int_equal(mkdir(at("run/zones"), 0755), 0);
	assert_int_equal(chmod(at("run/zones"), 0775), 0);
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	assert_string_equal(err, "/run/nsboot/zones: not a folder of uid 0's that only it may "
			    "write; refusing to keep zones there");
	assert_string_equal(nl_log, "");
	forget(&n);
}

static void bad_member_name(void **state)
{
	struct nsb_net n;
	assert_int_equal(join(&n, "lan", "-web", NULL), -1);
	assert_string_equal(err, "--network=zone:lan: the machine name '-web' is not a host name "
			    "(A-Z a-z 0-9 - . _; --hostname)");
	assert_int_equal(join(&n, "lan", "a b", NULL), -1);
	assert_string_equal(err, "--network=zone:lan: the machine name 'a b' is not a host name "
			    "(A-Z a-z 0-9 - . _; --hostname)");
	assert_int_equal(access(xdg_dir, F_OK), -1); /* refused before anything was made */
}

/* ---- root's zones ---- */

static void root_zone_life(void **state)
{
	as_root();
	int before = open_fds();
	struct nsb_net web, db, again;
	/* 10.123.0.0/24 is some interface's already */
	busy24[n_busy24++] = 0x0a7b0000;
	assert_int_equal(join(&web, "lan", "web", NULL), 0);
	assert_string_equal(nl_log, "del vz-lan;bridge vz-lan;ifindex vz-lan;"
			    "addr 5 10.123.1.1/24;up 5;");
	assert_string_equal(web.bridge, "vz-lan");
	assert_string_equal(web.host_if, "vb-web");
	assert_int_equal(web.addr, 0x0a7b0102);
	assert_int_equal(web.prefix, 24);
	assert_int_equal(web.slot, 0);
	assert_false(web.rootless);
	assert_int_equal(web.zone_netns, -1);
	assert_string_equal(web.zone_hosts, "/run/nsboot/zones/lan/hosts");
	assert_string_equal(contents("run/zones/lan/subnet"), "1");
	assert_string_equal(contents("run/zones/lan/member.0"), "web");
	assert_string_equal(contents("run/zones/lan/next"), "1");
	assert_string_equal(slot("run/zones/lan/hosts", 0), "10.123.1.2 web");
	assert_string_equal(slot("run/zones/lan/hosts", 1), "#");
	assert_string_equal(slot("run/zones/lan/hosts", SLOTS - 1), "#");

	/* the next member: the next slot, its host name as an alias, the bridge kept */
	nl_log[0] = '\0';
	assert_int_equal(join(&db, "lan", "db", "database"), 0);
	assert_string_equal(nl_log, "ifindex vz-lan;");
	assert_int_equal(db.slot, 1);
	assert_int_equal(db.addr, 0x0a7b0103);
	assert_string_equal(slot("run/zones/lan/hosts", 1), "10.123.1.3 db database");

	/* a name is the zone's once */
	assert_int_equal(join(&again, "lan", "web", NULL), -1);
	assert_string_equal(err, "--network=zone:lan: a machine named web is in it already "
			    "(--hostname)");
	forget(&again);

	/* a killed member's slot is freed by the next to come, and slots go round */
	forget(&db); /* its lock is gone with it */
	assert_int_equal(join(&again, "lan", "db", "bad alias!"), 0);
	assert_int_equal(again.slot, 2);
	assert_int_equal(access(at("run/zones/lan/member.1"), F_OK), -1);
	assert_string_equal(slot("run/zones/lan/hosts", 1), "#");
	assert_string_equal(slot("run/zones/lan/hosts", 2), "10.123.1.4 db");

	/* leaving frees the slot; the last one out removes the zone and its bridge */
	leave(&web);
	assert_string_equal(slot("run/zones/lan/hosts", 0), "#");
	assert_int_equal(access(at("run/zones/lan/member.0"), F_OK), -1);
	nl_log[0] = '\0';
	leave(&again);
	assert_string_equal(nl_log, "del vz-lan;");
	assert_int_equal(access(at("run/zones/lan"), F_OK), -1);
	assert_int_equal(access(at("run/zones/.lock"), F_OK), 0);

	/* a zone whose last member was killed is removed by the next nsboot to come, bridge
	 * and all, and made again */
	assert_int_equal(join(&web, "lan", "web", NULL), 0);
	forget(&web);
	nl_log[0] = '\0';
	assert_int_equal(join(&db, "lan", "db", NULL), 0);
	assert_string_equal(nl_log, "del vz-lan;del vz-lan;bridge vz-lan;ifindex vz-lan;"
			    "addr 5 10.123.1.1/24;up 5;");
	assert_int_equal(db.slot, 0);
	assert_string_equal(slot("run/zones/lan/hosts", 0), "10.123.1.2 db");
	leave(&db);
	assert_int_equal(open_fds(), before);
}

static void root_zone_failures(void **state)
{
	as_root();
	int before = open_fds();
	struct nsb_net n, web;
	all_busy = true;
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	assert_string_equal(err, "--network=zone:lan: no free /24 left in 10.123.0.0/16");
	forget(&n);
	all_busy = false;
	strcpy(nl_fail, "bridge");
	nl_errno = EPERM;
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	assert_string_equal(err, "--network=zone:lan: bridge vz-lan: Operation not permitted");
	forget(&n);
	nl_fail[0] = '\0';
	nl_open_errno = EACCES;
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	assert_string_equal(err, "rtnetlink socket: Permission denied");
	forget(&n);
	nl_open_errno = 0;
	/* a zone with a member whose bridge someone deleted */
	assert_int_equal(join(&web, "lan", "web", NULL), 0);
	strcpy(nl_fail, "ifindex");
	nl_errno = ENODEV;
	assert_int_equal(join(&n, "lan", "db", NULL), -1);
	assert_string_equal(err, "--network=zone:lan: its bridge vz-lan is gone");
	forget(&n);
	nl_fail[0] = '\0';
	leave(&web);
	assert_int_equal(open_fds(), before);
}

static void root_zone_full(void **state)
{
	as_root();
	struct nsb_net first, n;
	assert_int_equal(join(&first, "lan", "m0", NULL), 0);
	int held[SLOTS];
	held[0] = -1;
	for (int s = 1; s < SLOTS; s++) {
		char file[64], name[16];
		snprintf(file, sizeof file, "run/zones/lan/member.%d", s);
		snprintf(name, sizeof name, "m%d\n", s);
		put(file, name);
		held[s] = hold(file);
	}
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	assert_string_equal(err, "--network=zone: the zone is full (253 machines)");
	forget(&n);
	/* one gone: its slot is the one left */
	close(held[100]);
	assert_int_equal(join(&n, "lan", "web", NULL), 0);
	assert_int_equal(n.slot, 100);
	assert_string_equal(slot("run/zones/lan/hosts", 100), "10.123.0.102 web");
	forget(&n);
	for (int s = 1; s < SLOTS; s++)
		if (s != 100)
			close(held[s]);
	forget(&first);
}

/* ---- rootless zones and their keepers ---- */

/* A rootless zone LAN as a member left it: subnet SUB, hosts file, member db in slot 0
 * (alive: the fd returned holds its lock) and a keeper file naming PID. */
static int rootless_zone(int sub, pid_t pid)
{
	own_folder("xdg", 0700);
	own_folder("xdg/nsboot", 0700);
	own_folder("xdg/nsboot/zones", 0700);
	own_folder("xdg/nsboot/zones/lan", 0700);
	char buf[32];
	snprintf(buf, sizeof buf, "%d\n", sub);
	put("xdg/nsboot/zones/lan/subnet", buf);
	char hosts[sizeof head + SLOTS * SLOT_LEN];
	memcpy(hosts, head, sizeof head - 1);
	memset(hosts + sizeof head - 1, ' ', SLOTS * SLOT_LEN);
	hosts[sizeof hosts - 1] = '\0';
	put("xdg/nsboot/zones/lan/hosts", hosts);
	put("xdg/nsboot/zones/lan/member.0", "db\n");
	snprintf(buf, sizeof buf, "%d\n", (int)pid);
	put("xdg/nsboot/zones/lan/keeper", buf);
	return hold("xdg/nsboot/zones/lan/member.0");
}

static void rootless_live_keeper(void **state)
{
	int before = open_fds();
	struct nsb_net n;
	int db = rootless_zone(2, getpid());
	int keeper = hold("xdg/nsboot/zones/lan/keeper.lock");
	assert_int_equal(join(&n, "lan", "web", NULL), 0);
	assert_true(n.rootless);
	/* the keeper's user namespace joined, its net namespace kept for the host side */
	assert_int_equal(setns_calls, 1);
	assert_int_equal(setns_type, CLONE_NEWUSER);
	assert_true(u.direct);
	struct stat a, b;
	assert_int_equal(fstat(n.zone_netns, &a), 0);
	assert_int_equal(stat("/proc/self/ns/net", &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	assert_int_equal(fork_calls, 0);
	assert_int_equal(n.slot, 1);
	assert_int_equal(n.addr, 0x0a7b0203);
	assert_string_equal(slot("xdg/nsboot/zones/lan/hosts", 1), "10.123.2.3 web");
	char want[600];
	snprintf(want, sizeof want, "%s/nsboot/zones/lan/hosts", xdg_dir);
	assert_string_equal(n.zone_hosts, want);
	assert_string_equal(nl_log, ""); /* no rtnetlink in the caller's namespace */
	leave(&n);
	close(keeper);
	close(db);
	assert_int_equal(open_fds(), before);
}

static void rootless_keeper_refuses(void **state)
{
	int before = open_fds();
	struct nsb_net n;
	char want[256];
	int db = rootless_zone(2, getpid());
	int keeper = hold("xdg/nsboot/zones/lan/keeper.lock");
	setns_errno = EPERM;
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	snprintf(want, sizeof want, "--network=zone:lan: join the zone keeper's (PID %d) user "
		 "namespace: Operation not permitted", (int)getpid());
	assert_string_equal(err, want);
	assert_false(u.direct);
	assert_int_equal(n.slot, -1);
	forget(&n);
	/* a keeper whose process is gone while its lock is still held */
	setns_errno = 0;
	put("xdg/nsboot/zones/lan/keeper", "1073741823\n");
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	assert_string_equal(err, "--network=zone:lan: join the zone keeper's (PID 1073741823) "
			    "user namespace: No such file or directory");
	assert_int_equal(setns_calls, 1);
	forget(&n);
	/* the keeper ends as its namespaces are opened: what was opened may be another's */
	snprintf(want, sizeof want, "%d\n", (int)getpid());
	put("xdg/nsboot/zones/lan/keeper", want);
	drop_on_open = keeper;
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	snprintf(want, sizeof want, "--network=zone:lan: join the zone keeper's (PID %d) user "
		 "namespace: No such process", (int)getpid());
	assert_string_equal(err, want);
	assert_int_equal(drop_on_open, -1);
	assert_int_equal(setns_calls, 1);
	assert_false(u.direct);
	forget(&n);
	close(db);
	assert_int_equal(open_fds(), before);
}

static void rootless_keeper_gone(void **state)
{
	int before = open_fds();
	struct nsb_net n;
	int db = rootless_zone(2, getpid());
	/* the cut-off member's bind mount holds the old hosts file (here: a link) */
	assert_int_equal(link(at("xdg/nsboot/zones/lan/hosts"), at("old-hosts")), 0);
	ino_t old_hosts = ino_of("old-hosts");
	/* nobody holds keeper.lock: the zone starts again with a keeper of its own */
	assert_int_equal(join(&n, "lan", "web", NULL), -1);
	assert_string_equal(err, "zone lan: fork: Resource temporarily unavailable");
	assert_int_equal(fork_calls, 1);
	assert_int_equal(setns_calls, 0);
	/* a fresh hosts file and a subnet of its own */
	assert_true(ino_of("xdg/nsboot/zones/lan/hosts") != old_hosts);
	assert_string_equal(slot("xdg/nsboot/zones/lan/hosts", 0), "#");
	assert_string_equal(contents("xdg/nsboot/zones/lan/subnet"), "0");
	forget(&n);
	close(db);
	assert_int_equal(open_fds(), before);
}

static void keeper_userns(void **state)
{
	struct stat self;
	assert_int_equal(stat("/proc/self/ns/user", &self), 0);
	/* no zones at all */
	assert_int_equal(nsb_zone_keeper_userns(self.st_dev, self.st_ino), -ENOENT);
	int db = rootless_zone(2, getpid());
	/* the keeper is gone (its lock is free) */
	assert_int_equal(nsb_zone_keeper_userns(self.st_dev, self.st_ino), -ENOENT);
	int keeper = hold("xdg/nsboot/zones/lan/keeper.lock");
	int fd = nsb_zone_keeper_userns(self.st_dev, self.st_ino);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_ino == self.st_ino && st.st_dev == self.st_dev);
	close(fd);
	/* the keeper ends as its namespace is opened */
	drop_on_open = keeper;
	assert_int_equal(nsb_zone_keeper_userns(self.st_dev, self.st_ino), -ENOENT);
	assert_int_equal(drop_on_open, -1);
	keeper = hold("xdg/nsboot/zones/lan/keeper.lock");
	/* another namespace than the keeper's */
	assert_int_equal(nsb_zone_keeper_userns(self.st_dev, self.st_ino + 1), -ENOENT);
	/* a folder that is no zone's name is not looked at */
	assert_int_equal(rename(at("xdg/nsboot/zones/lan"), at("xdg/nsboot/zones/a b")), 0);
	assert_int_equal(nsb_zone_keeper_userns(self.st_dev, self.st_ino), -ENOENT);
	assert_int_equal(rename(at("xdg/nsboot/zones/a b"), at("xdg/nsboot/zones/lan")), 0);
	/* nor zones kept where others may write */
	assert_int_equal(chmod(at("xdg/nsboot/zones"), 0777), 0);
	assert_int_equal(nsb_zone_keeper_userns(self.st_dev, self.st_ino), -ENOENT);
	assert_int_equal(chmod(at("xdg/nsboot/zones"), 0700), 0);
	fd = nsb_zone_keeper_userns(self.st_dev, self.st_ino);
	assert_true(fd >= 0);
	close(fd);
	close(keeper);
	close(db);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(folders_refused),
		T(folders_missing_or_links),
		T(root_folder_refused),
		T(bad_member_name),
		T(root_zone_life),
		T(root_zone_failures),
		T(root_zone_full),
		T(rootless_live_keeper),
		T(rootless_keeper_refuses),
		T(rootless_keeper_gone),
		T(keeper_userns),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
