/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's network beyond lo (spawn/net.c): interface names, the member name, the
 * veth addresses from --address and from the pool, pasta's words, the host and container
 * sides' exchange, and every refusal of ns:PATH and machine:NAME, with the system calls
 * and the registry, zone and rtnetlink functions faked through -Wl,--wrap (nothing here
 * joins a namespace or touches an interface). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fake_nl.h"
#include "scratch.h"
#include "../../spawn/machine.h"
#include "../../spawn/net.h"
#include "../../spawn/netlink.h"

static char dir[] = "/tmp/nsb-unit-net.XXXXXX";
static char err[1024];

/* Path P under the scratch folder (one of four rotating buffers). */
static const char *at(const char *p)
{
	static char bufs[4][256];
	static int i;
	char *b = bufs[i++ % 4];
	snprintf(b, sizeof bufs[0], "%s/%s", dir, p);
	return b;
}

/* The scratch paths the fakes hold on to (at()'s buffers are reused). */
static char ns_machine[256], ns_keeper[256], ns_loop[256], veth_lock[256];

static ino_t ino_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static ino_t fd_ino(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* ---- the fakes ---- */

uid_t __real_geteuid(void);
int __real_open(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long req, ...);
int __real_setns(int fd, int nstype);
int __real_mkdir(const char *path, mode_t mode);

/* geteuid: 0 for root, else the rootless caller. */
static uid_t fake_euid;
uid_t __wrap_geteuid(void)
{
	return fake_euid;
}

/* open: FROM opens TO instead, or fails with ERR. */
static struct { const char *from, *to; int err; } redirect[4];
int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	for (size_t i = 0; i < 4; i++) {
		if (!redirect[i].from || strcmp(path, redirect[i].from) != 0)
			continue;
		if (redirect[i].err) {
			errno = redirect[i].err;
			return -1;
		}
		path = redirect[i].to;
		break;
	}
	return __real_open(path, flags, mode);
}

/* mkdir: /run/nsboot is never made; it "exists" unless MKDIR_RUN_ERRNO says otherwise. */
static int mkdir_run_errno;
int __wrap_mkdir(const char *path, mode_t mode)
{
	if (strcmp(path, "/run/nsboot") != 0)
		return __real_mkdir(path, mode);
	errno = mkdir_run_errno ? mkdir_run_errno : EEXIST;
	return -1;
}

/* ioctl(NS_GET_PARENT): the parent of the namespace file CHAIN[i].ino is a new fd of
 * CHAIN[i].parent; any other fails with EPERM (the top namespace), and every call fails
 * with PARENT_ERRNO when it is set. */
static struct { ino_t ino; const char *parent; } chain[4];
static int parent_calls, parent_errno;
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (req != NS_GET_PARENT)
		return __real_ioctl(fd, req, arg);
	parent_calls++;
	if (parent_errno) {
		errno = parent_errno;
		return -1;
	}
	ino_t ino = fd_ino(fd);
	for (size_t i = 0; i < 4; i++)
		if (chain[i].parent && chain[i].ino == ino)
			return __real_open(chain[i].parent, O_RDONLY | O_CLOEXEC);
	errno = EPERM;
	return -1;
}

/* setns: never joins; records each call (the inode of the fd and the type), fails the
 * type SETNS_FAIL_TYPE with SETNS_ERRNO, or calls the real one with SETNS_REAL (only on
 * files that are no namespace of the wanted type, where the kernel refuses). */
static struct { ino_t ino; int type; } setns_log[4];
static int setns_calls, setns_fail_type, setns_errno;
static bool setns_real;
int __wrap_setns(int fd, int nstype)
{
	if (setns_calls < 4)
		setns_log[setns_calls] = (typeof(setns_log[0])){ fd_ino(fd), nstype };
	setns_calls++;
	if (setns_real)
		return __real_setns(fd, nstype);
	if (setns_fail_type == nstype) {
		errno = setns_errno;
		return -1;
	}
	return 0;
}

/* The registry: machine "web" is PID 4242, started at tick 77. */
static int lookup_ret, pidfd_ret;
static unsigned long long start_time;
int __wrap_nsb_machine_lookup(const char *name, struct nsb_machine_info *info, int *dirfd)
{
	check_expected(name);
	*info = (struct nsb_machine_info){ .pid = 4242, .pid_start = 77,
					   .state = NSB_MACHINE_BOOTED };
	snprintf(info->name, sizeof info->name, "%s", name);
	return lookup_ret;
}

int __wrap_nsb_machine_pidfd(const struct nsb_machine_info *info, bool spawner)
{
	assert_int_equal(info->pid, 4242);
	assert_false(spawner);
	return pidfd_ret < 0 ? pidfd_ret : __real_open(at("pidfd"), O_RDONLY | O_CLOEXEC);
}

unsigned long long __wrap_nsb_proc_start_time(pid_t pid)
{
	assert_int_equal(pid, 4242);
	return start_time;
}

/* The zones' keepers: the user namespace KEEPER_INO is a keeper's (a fresh fd of the file
 * keeper-userns stands for it); the namespace asked about is recorded. */
static ino_t keeper_ino, keeper_asked;
static int keeper_calls;
int __wrap_nsb_zone_keeper_userns(dev_t dev, ino_t ino)
{
	keeper_calls++;
	keeper_asked = ino;
	return ino == keeper_ino ? __real_open(at("keeper-userns"), O_RDONLY | O_CLOEXEC) : -ENOENT;
}

/* A zone joined: bridge vz-lan; rootless, the keeper's net namespace is the file
 * zone-netns. */
int __wrap_nsb_zone_join(struct nsb_net *n, struct nsb_users *u, const char *zone,
			 const char *name, char *e, size_t len)
{
	snprintf(n->bridge, sizeof n->bridge, "vz-%s", zone);
	nsb_net_ifname(n->host_if, "vb-", name, 0);
	snprintf(n->zone_hosts, sizeof n->zone_hosts, "/run/nsboot/zones/%s/hosts", zone);
	n->addr = 0x0a7b0102;
	n->prefix = 24;
	n->rootless = fake_euid != 0;
	if (n->rootless)
		n->zone_netns = __real_open(at("zone-netns"), O_RDONLY | O_CLOEXEC);
	return 0;
}

void __wrap_nsb_zone_leave(struct nsb_net *n)
{
}

/* getifaddrs: an entry without an address, then BUSY[0..N_BUSY); with BUSY_WALK every
 * call instead answers that the /30 after the previous one is taken. */
static uint32_t busy[4], walk;
static size_t n_busy;
static bool busy_walk;
static int ifaddrs_calls;
int __wrap_getifaddrs(struct ifaddrs **out)
{
	static struct ifaddrs ifs[5];
	static struct sockaddr_in sa[5];
	ifaddrs_calls++;
	if (busy_walk) {
		busy[0] = walk + 1;
		walk += 4;
		n_busy = 1;
	}
	memset(ifs, 0, sizeof ifs);
	ifs[0].ifa_name = "lo";
	for (size_t i = 0; i < n_busy; i++) {
		sa[i] = (struct sockaddr_in){ .sin_family = AF_INET,
					      .sin_addr.s_addr = htonl(busy[i]) };
		ifs[i + 1].ifa_name = "eth0";
		ifs[i + 1].ifa_addr = (struct sockaddr *)&sa[i];
		ifs[i].ifa_next = &ifs[i + 1];
	}
	*out = ifs;
	return 0;
}

void __wrap_freeifaddrs(struct ifaddrs *i)
{
}

/* execv, in pasta's child: writes the path and the words to the file argv, then, by
 * PASTA_DOES: 0 writes the pid file (it set the network up) and stays, as pasta -f does,
 * until it is ended; 1 exits 3, 2 is killed. */
static int pasta_does;
int __wrap_execv(const char *path, char *const argv[])
{
	int fd = __real_open(at("argv"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	dprintf(fd, "%s\n", path);
	const char *pidfile = NULL;
	for (int i = 0; argv[i]; i++) {
		dprintf(fd, "%s%s", i ? " " : "", argv[i]);
		if (strcmp(argv[i], "-P") == 0)
			pidfile = argv[i + 1];
	}
	close(fd);
	if (pasta_does == 1)
		_exit(3);
	if (pasta_does == 2)
		raise(SIGKILL);
	fd = pidfile ? __real_open(pidfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0600) : -1;
	if (fd < 0 || write(fd, "99\n", 3) != 3)
		_exit(1);
	for (;;)
		pause();
}

/* rtnetlink (fake_nl.h records): add_veth's first VETH_EEXIST tries fail with EEXIST.
 * Bridges are ifindex 5, the rest 7. */
static int veth_eexist;
static ino_t veth_peer_ns;

static const char *ip(uint32_t a)
{
	static char buf[2][20];
	static int i;
	char *b = buf[i++ % 2];
	snprintf(b, sizeof buf[0], "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
		 a & 255);
	return b;
}

void __wrap_nsb_nl_close(struct nsb_nl *nl)
{
	assert_true(!nl || nl == (struct nsb_nl *)&nl_token);
}

int __wrap_nsb_nl_add_veth(struct nsb_nl *nl, const char *name, int master, const char *peer,
			   int peer_netns_fd)
{
	nl_say("veth %s %d %s;", name, master, peer);
	veth_peer_ns = fd_ino(peer_netns_fd);
	if (veth_eexist > 0) {
		veth_eexist--;
		return -EEXIST;
	}
	return nl_ret("veth");
}

int __wrap_nsb_nl_ifindex(struct nsb_nl *nl, const char *name)
{
	nl_say("ifindex %s;", name);
	int r = nl_ret("ifindex");
	return r < 0 ? r : strncmp(name, "vz-", 3) == 0 ? 5 : 7;
}

int __wrap_nsb_nl_link_up(struct nsb_nl *nl, int ifindex)
{
	nl_say("up %d;", ifindex);
	return nl_ret("up");
}

int __wrap_nsb_nl_arp_notify(struct nsb_nl *nl, int ifindex)
{
	nl_say("arp %d;", ifindex);
	return nl_ret("arp");
}

int __wrap_nsb_nl_add_addr4(struct nsb_nl *nl, int ifindex, uint32_t addr, unsigned prefix)
{
	nl_say("addr %d %s/%u;", ifindex, ip(addr), prefix);
	return nl_ret("addr");
}

int __wrap_nsb_nl_add_default4(struct nsb_nl *nl, int ifindex, uint32_t gw)
{
	nl_say("route %d %s;", ifindex, ip(gw));
	return nl_ret("route");
}

/* ---- set-up ---- */

static struct nsb_config c;
static struct nsb_users u;
static struct nsb_net n;

static char *saved_path;

static int group_setup(void **state)
{
	saved_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	if (!mkdtemp(dir))
		return -1;
	/* the namespaces of machine web's chain: its own below a keeper's below ours */
	const char *files[] = { "pidfd", "ns-machine", "ns-keeper", "ns-loop", "keeper-userns",
				"zone-netns", "veth.lock", "file" };
	snprintf(ns_machine, sizeof ns_machine, "%s", at("ns-machine"));
	snprintf(ns_keeper, sizeof ns_keeper, "%s", at("ns-keeper"));
	snprintf(ns_loop, sizeof ns_loop, "%s", at("ns-loop"));
	snprintf(veth_lock, sizeof veth_lock, "%s", at("veth.lock"));
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		int fd = __real_open(at(files[i]), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static int group_teardown(void **state)
{
	free(saved_path);
	return rm_tree(dir);
}

static int setup(void **state)
{
	if (saved_path)
		setenv("PATH", saved_path, 1);
	nsb_config_init(&c);
	memset(&u, 0, sizeof u);
	memset(&n, 0, sizeof n);
	n.sock[0] = n.sock[1] = n.pool_lock = n.zones_dir = n.member_fd = n.zone_netns = -1;
	err[0] = '\0';
	fake_euid = 1000;
	memset(redirect, 0, sizeof redirect);
	redirect[0].from = "/proc/4242/ns/user";
	redirect[0].to = ns_machine;
	redirect[1].from = "/run/nsboot/veth.lock";
	redirect[1].to = veth_lock;
	memset(chain, 0, sizeof chain);
	chain[0].ino = ino_of(ns_machine);
	chain[0].parent = ns_keeper;
	chain[1].ino = ino_of(ns_keeper);
	chain[1].parent = "/proc/self/ns/user";
	chain[2].ino = ino_of(ns_loop);
	chain[2].parent = ns_loop;
	parent_calls = parent_errno = 0;
	memset(setns_log, 0, sizeof setns_log);
	setns_calls = setns_fail_type = setns_errno = 0;
	setns_real = false;
	lookup_ret = pidfd_ret = 0;
	start_time = 77;
	keeper_ino = ino_of(at("ns-keeper"));
	keeper_asked = 0;
	keeper_calls = 0;
	n_busy = 0;
	busy_walk = false;
	ifaddrs_calls = 0;
	mkdir_run_errno = 0;
	pasta_does = 0;
	nl_reset();
	veth_eexist = 0;
	veth_peer_ns = 0;
	return 0;
}

/* nsb_net_prepare on the test's config with member name web; the result. */
static int prepare(enum nsb_network mode, const char *arg)
{
	c.network = mode;
	c.net_arg = arg;
	if (mode == NSB_NET_MACHINE)
		expect_string(__wrap_nsb_machine_lookup, name, arg);
	return nsb_net_prepare(&n, &c, &u, "web", err, sizeof err);
}

/* Gives back what prepare took, as the spawner and the builder would. */
static int teardown(void **state)
{
	nsb_net_release(&n);
	if (n.sock[1] >= 0)
		close(n.sock[1]);
	n.sock[1] = -1;
	nsb_net_child_close(&n); /* and forgets N for the exit-time release */
	return 0;
}

/* ---- pure parts ---- */

static void ifnames(void **state)
{
	static const struct { const char *prefix, *name; unsigned attempt; const char *out; } t[] = {
		{ "ve-", "web", 0, "ve-web" },
		{ "ve-", "web", 1, "ve-web-1" },
		/* cut to IF_NAMESIZE - 1 bytes, the suffix kept whole */
		{ "ve-", "averyveryverylongname", 0, "ve-averyveryver" },
		{ "vb-", "averyveryverylongname", 3, "vb-averyveryv-3" },
		{ "vb-", "averyveryverylongname", 99, "vb-averyvery-99" },
		/* bytes no interface name should hold */
		{ "ve-", "a b/c:d%", 0, "ve-a_b_c_d_" },
		{ "ve-", "caf\xc3\xa9", 0, "ve-caf__" },
		{ "ve-", "a.b_c-d", 0, "ve-a.b_c-d" },
		{ "vz-", "", 0, "vz-" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char out[IF_NAMESIZE];
		memset(out, 'x', sizeof out);
		nsb_net_ifname(out, t[i].prefix, t[i].name, t[i].attempt);
		assert_string_equal(out, t[i].out);
		assert_true(strlen(out) < IF_NAMESIZE);
	}
}

static void member_names(void **state)
{
	assert_string_equal(nsb_net_member_name(&c, "web"), "web");
	c.machine = "web-3fa2";
	assert_string_equal(nsb_net_member_name(&c, "web"), "web-3fa2");
	/* the machine's name with the host name as an alias */
	assert_int_equal(prepare(NSB_NET_HOST, NULL), 0);
	assert_string_equal(n.name, "web-3fa2");
	assert_string_equal(n.alias, "web");
	c.machine = "web";
	assert_int_equal(prepare(NSB_NET_HOST, NULL), 0);
	assert_string_equal(n.alias, "");
	assert_int_equal(n.sock[0], -1); /* nothing to say to the builder */
}

static void own_namespace(void **state)
{
	static const struct { enum nsb_network mode; bool own; } t[] = {
		{ NSB_NET_AUTO, true }, { NSB_NET_PRIVATE, true }, { NSB_NET_HOST, false },
		{ NSB_NET_VETH, true }, { NSB_NET_ZONE, true }, { NSB_NET_PASTA, true },
		{ NSB_NET_NS, false }, { NSB_NET_MACHINE, false },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		c.network = t[i].mode;
		assert_int_equal(nsb_net_own_ns(&c), t[i].own);
	}
}

/* ---- veth: addresses ---- */

static void veth_needs_root(void **state)
{
	assert_int_equal(prepare(NSB_NET_VETH, NULL), -1);
	assert_string_equal(err, "--network=veth: needs root (rootless: --network=zone:ZONE "
			    "or --network=pasta)");
}

static void veth_address(void **state)
{
	fake_euid = 0;
	c.address = "10.0.0.5/24";
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	assert_string_equal(n.host_if, "ve-web");
	assert_string_equal(ip(n.addr), "10.0.0.5");
	assert_string_equal(ip(n.gw), "10.0.0.1");
	assert_int_equal(n.prefix, 24);
	assert_int_equal(n.pool_lock, -1); /* no pool, no lock */
	assert_int_equal(ifaddrs_calls, 0);
	assert_true(n.sock[0] >= 0 && n.sock[1] >= 0);
	teardown(state);
	/* the host side takes the other first address */
	c.address = "10.0.0.1/30";
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	assert_string_equal(ip(n.gw), "10.0.0.2");
	teardown(state);
	c.address = "10.0.0.0/24";
	assert_int_equal(prepare(NSB_NET_VETH, NULL), -1);
	assert_string_equal(err, "--address=10.0.0.0/24: the network's or broadcast address");
	teardown(state);
	c.address = "10.0.0.3/30";
	assert_int_equal(prepare(NSB_NET_VETH, NULL), -1);
	assert_string_equal(err, "--address=10.0.0.3/30: the network's or broadcast address");
}

static void veth_pool(void **state)
{
	fake_euid = 0;
	/* 10.124.0.0/30 and 10.124.0.4/30 are some interface's: the third /30 */
	busy[0] = 0x0a7c0001;
	busy[1] = 0x0a7c0006;
	n_busy = 2;
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	assert_string_equal(ip(n.gw), "10.124.0.9");
	assert_string_equal(ip(n.addr), "10.124.0.10");
	assert_int_equal(n.prefix, 30);
	assert_int_equal(ifaddrs_calls, 3);
	/* the pool's lock is held until the host side has its address */
	assert_true(n.pool_lock >= 0);
	assert_int_equal(fd_ino(n.pool_lock), ino_of(at("veth.lock")));
	int other = open(at("veth.lock"), O_RDONLY | O_CLOEXEC);
	assert_int_equal(flock(other, LOCK_SH | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(other);
}

static void veth_pool_full(void **state)
{
	fake_euid = 0;
	c.address_pool = "10.9.9.0/29";
	busy_walk = true;
	walk = 0x0a090900;
	assert_int_equal(prepare(NSB_NET_VETH, NULL), -1);
	assert_string_equal(err, "--network=veth: no free /30 left in 10.9.9.0/29");
	assert_int_equal(ifaddrs_calls, 2);
	teardown(state);
	/* the default pool names the option that changes it */
	c.address_pool = NULL;
	walk = 0x0a7c0000;
	ifaddrs_calls = 0;
	assert_int_equal(prepare(NSB_NET_VETH, NULL), -1);
	assert_string_equal(err, "--network=veth: no free /30 left in 10.124.0.0/16 "
			    "(--address-pool)");
	assert_int_equal(ifaddrs_calls, 1 << 14);
}

static void veth_pool_lock_fails(void **state)
{
	fake_euid = 0;
	mkdir_run_errno = EROFS;
	assert_int_equal(prepare(NSB_NET_VETH, NULL), -1);
	assert_string_equal(err, "mkdir /run/nsboot: Read-only file system");
	teardown(state);
	mkdir_run_errno = 0;
	redirect[1].err = EACCES;
	assert_int_equal(prepare(NSB_NET_VETH, NULL), -1);
	assert_string_equal(err, "/run/nsboot/veth.lock: Permission denied");
}

/* ---- zone: the hosts file's bind ---- */

static void zone_hosts_bind(void **state)
{
	c.n_mounts = 1;
	assert_int_equal(prepare(NSB_NET_ZONE, "lan"), 0);
	assert_int_equal(c.n_mounts, 2);
	assert_int_equal(c.mounts[1].kind, NSB_MNT_BIND_RO);
	assert_string_equal(c.mounts[1].src, "/run/nsboot/zones/lan/hosts");
	assert_ptr_equal(c.mounts[1].src, n.zone_hosts);
	assert_string_equal(c.mounts[1].dst, "/etc/hosts");
	teardown(state);
	c.n_mounts = NSB_MAX_SPECS;
	assert_int_equal(prepare(NSB_NET_ZONE, "lan"), -1);
	assert_string_equal(err, "--network=zone:lan: no room for the hosts file's bind (at "
			    "most 64 mounts)");
	assert_int_equal(c.n_mounts, NSB_MAX_SPECS);
}

/* ---- ns:PATH ---- */

static void ns_path(void **state)
{
	int before = open_fds();
	assert_int_equal(prepare(NSB_NET_NS, "/nonexistent/netns"), -1);
	assert_string_equal(err, "--network=ns:/nonexistent/netns: No such file or directory");
	assert_int_equal(setns_calls, 0);
	/* the kernel's answer for a file that is no namespace, and for another kind */
	setns_real = true;
	char path[256];
	snprintf(path, sizeof path, "%s", at("file"));
	assert_int_equal(prepare(NSB_NET_NS, path), -1);
	char want[512];
	snprintf(want, sizeof want, "--network=ns:%s: not a net namespace", path);
	assert_string_equal(err, want);
	assert_int_equal(prepare(NSB_NET_NS, "/proc/self/ns/user"), -1);
	assert_string_equal(err, "--network=ns:/proc/self/ns/user: not a net namespace");
	assert_int_equal(setns_log[1].type, CLONE_NEWNET);
	setns_real = false;
	/* any other refusal as it is */
	setns_fail_type = CLONE_NEWNET;
	setns_errno = EPERM;
	assert_int_equal(prepare(NSB_NET_NS, "/proc/self/ns/net"), -1);
	assert_string_equal(err, "--network=ns:/proc/self/ns/net: Operation not permitted");
	setns_fail_type = 0;
	assert_int_equal(prepare(NSB_NET_NS, "/proc/self/ns/net"), 0);
	assert_int_equal(setns_calls, 4);
	assert_int_equal(setns_log[3].type, CLONE_NEWNET);
	assert_int_equal(setns_log[3].ino, ino_of("/proc/self/ns/net"));
	assert_int_equal(n.sock[0], -1);
	assert_int_equal(open_fds(), before);
}

/* ---- machine:NAME ---- */

static void machine_lookup_fails(void **state)
{
	int before = open_fds();
	lookup_ret = -ENOENT;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, "--network=machine:web: no such running machine");
	lookup_ret = -EACCES;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, "--network=machine:web: Permission denied");
	lookup_ret = 0;
	pidfd_ret = -ESRCH;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, "--network=machine:web: its PID 1 is gone");
	pidfd_ret = -EPERM;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, "--network=machine:web: Operation not permitted");
	assert_int_equal(setns_calls + keeper_calls, 0);
	assert_int_equal(open_fds(), before);
}

static void machine_as_root(void **state)
{
	int before = open_fds();
	fake_euid = 0;
	redirect[0].err = EACCES; /* root never looks at the machine's user namespace */
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), 0);
	assert_int_equal(parent_calls + keeper_calls, 0);
	assert_int_equal(setns_calls, 1);
	assert_int_equal(setns_log[0].type, CLONE_NEWNET);
	assert_int_equal(setns_log[0].ino, ino_of(at("pidfd")));
	assert_false(u.direct);
	setns_fail_type = CLONE_NEWNET;
	setns_errno = EINVAL;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, "--network=machine:web: not a net namespace");
	setns_errno = EPERM;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, "--network=machine:web: Operation not permitted");
	assert_int_equal(open_fds(), before);
}

static void machine_rootless_joins_keeper(void **state)
{
	int before = open_fds();
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), 0);
	/* up from the machine's user namespace to the one just below the caller's */
	assert_int_equal(parent_calls, 2);
	assert_int_equal(keeper_calls, 1);
	assert_int_equal(keeper_asked, ino_of(at("ns-keeper")));
	/* the keeper's user namespace first, then the machine's net namespace from there */
	assert_int_equal(setns_calls, 2);
	assert_int_equal(setns_log[0].type, CLONE_NEWUSER);
	assert_int_equal(setns_log[0].ino, ino_of(at("keeper-userns")));
	assert_int_equal(setns_log[1].type, CLONE_NEWNET);
	assert_int_equal(setns_log[1].ino, ino_of(at("pidfd")));
	assert_true(u.direct);
	assert_int_equal(open_fds(), before);
}

static void machine_rootless_refusals(void **state)
{
	int before = open_fds();
	const char *refusal = "--network=machine:web: without privilege only a machine in a "
			      "zone (--network=zone:ZONE) can share its net namespace";
	/* the machine's user namespace cannot be opened */
	redirect[0].err = EACCES;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, "--network=machine:web: /proc/4242/ns/user: Permission denied");
	redirect[0].err = 0;
	/* its PID 1 ended and the PID is another process's: what was opened is not its */
	start_time = 78;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, "--network=machine:web: its PID 1 is gone");
	assert_int_equal(parent_calls + keeper_calls, 0);
	start_time = 77;
	/* no parent to be had: the machine's own namespace is no keeper's */
	parent_errno = EPERM;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, refusal);
	assert_int_equal(keeper_asked, ino_of(at("ns-machine")));
	parent_errno = 0;
	/* a machine in no zone */
	keeper_ino = 0;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, refusal);
	assert_int_equal(keeper_asked, ino_of(at("ns-keeper")));
	/* a chain that never reaches the caller's namespace is climbed 32 steps at most */
	redirect[0].to = ns_loop;
	parent_calls = 0;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, refusal);
	assert_int_equal(parent_calls, 32);
	assert_int_equal(keeper_asked, ino_of(at("ns-loop")));
	assert_int_equal(setns_calls, 0);
	assert_false(u.direct);
	/* the keeper's namespace refuses the caller */
	redirect[0].to = ns_machine;
	keeper_ino = ino_of(at("ns-keeper"));
	setns_fail_type = CLONE_NEWUSER;
	setns_errno = EPERM;
	assert_int_equal(prepare(NSB_NET_MACHINE, "web"), -1);
	assert_string_equal(err, "--network=machine:web: join its zone keeper's user namespace: "
			    "Operation not permitted");
	assert_int_equal(setns_calls, 1);
	assert_false(u.direct);
	assert_int_equal(open_fds(), before);
}

/* ---- pasta ---- */

/* PATH holds an executable pasta in bin (made here). */
static void with_pasta(void)
{
	mkdir(at("bin"), 0755);
	int fd = open(at("bin/pasta"), O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	close(fd);
	char path[512];
	snprintf(path, sizeof path, "/nonexistent:%s", at("bin"));
	setenv("PATH", path, 1);
}

/* The builder's end (a copy: the spawner closes n.sock[1]) after it asked. */
static int builder_asks(char word)
{
	int b = dup(n.sock[1]);
	assert_int_equal(write(b, &word, 1), 1);
	return b;
}

static char builder_hears(int b)
{
	char w = 0;
	assert_int_equal(read(b, &w, 1), 1);
	close(b);
	return w;
}

static void pasta_not_found(void **state)
{
	setenv("PATH", "/nonexistent:/nonexistent/too", 1);
	assert_int_equal(prepare(NSB_NET_PASTA, NULL), -1);
	assert_string_equal(err, "--network=pasta: pasta not found in PATH (Debian package passt)");
	assert_string_equal(n.pasta_path, "");
	with_pasta();
	teardown(state);
	assert_int_equal(prepare(NSB_NET_PASTA, NULL), 0);
	assert_string_equal(n.pasta_path, at("bin/pasta"));
}

/* The words pasta ran with (after the path line, which must be PASTA_PATH). */
static const char *pasta_words(void)
{
	static char buf[2048];
	int fd = open(at("argv"), O_RDONLY | O_CLOEXEC);
	ssize_t k = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[k > 0 ? k : 0] = '\0';
	char *nl = strchr(buf, '\n');
	assert_non_null(nl);
	*nl = '\0';
	assert_string_equal(buf, at("bin/pasta"));
	return nl + 1;
}

/* The host side for INIT succeeds (or the failure says why). */
static void host_side_ok(pid_t init)
{
	int r = nsb_net_host_side(&n, init, 5000, err, sizeof err);
	if (r != 0)
		print_error("%s\n", err);
	assert_int_equal(r, 0);
}

static void pasta_words_and_start(void **state)
{
	with_pasta();
	fake_euid = 0;
	c.ports[c.n_ports++] = "8080:80";
	c.ports[c.n_ports++] = "127.0.0.1:5353:53/udp";
	c.ports[c.n_ports++] = "[::1]:2222";
	assert_int_equal(prepare(NSB_NET_PASTA, NULL), 0);
	int b = builder_asks('N');
	host_side_ok(4242);
	assert_int_equal(builder_hears(b), 'V');
	assert_true(n.pasta > 0);
	const char *w = pasta_words();
	static const char head[] = "pasta --runas 0 -f -q --config-net -T none -U none -P "
				   "/tmp/nsboot-pasta.";
	assert_int_equal(strncmp(w, head, sizeof head - 1), 0);
	char pidfile[64];
	assert_int_equal(sscanf(w + sizeof head - 1 - strlen("/tmp/nsboot-pasta."), "%63s",
				pidfile), 1);
	assert_string_equal(strchr(w + sizeof head - 1, ' '),
			    " --netns /proc/4242/ns/net --userns /proc/4242/ns/user -t 8080:80 "
			    "-u 127.0.0.1/5353:53 -t ::1/2222:2222");
	/* the pid file and its folder are gone once pasta is up */
	assert_int_equal(access(pidfile, F_OK), -1);
	*strrchr(pidfile, '/') = '\0';
	assert_int_equal(access(pidfile, F_OK), -1);
	nsb_net_release(&n);
	assert_int_equal(n.pasta, 0);
	teardown(state);
	/* rootless and without --port: pasta forwards nothing */
	fake_euid = 1000;
	c.n_ports = 0;
	assert_int_equal(prepare(NSB_NET_PASTA, NULL), 0);
	b = builder_asks('N');
	host_side_ok(7);
	assert_int_equal(builder_hears(b), 'V');
	w = pasta_words();
	assert_int_equal(strncmp(w, "pasta -f -q ", 12), 0);
	assert_string_equal(strstr(w, " --netns"), " --netns /proc/7/ns/net --userns "
			    "/proc/7/ns/user -t none -u none");
}

static void pasta_fails(void **state)
{
	with_pasta();
	pasta_does = 1;
	assert_int_equal(prepare(NSB_NET_PASTA, NULL), 0);
	int b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, 4242, 5000, err, sizeof err), -1);
	assert_string_equal(err, "--network=pasta: pasta exited with status 3 before it set the "
			    "network up (-v shows what it said)");
	assert_int_equal(builder_hears(b), 'E');
	assert_int_equal(n.pasta, 0);
	teardown(state);
	pasta_does = 2;
	assert_int_equal(prepare(NSB_NET_PASTA, NULL), 0);
	b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, 4242, 5000, err, sizeof err), -1);
	assert_string_equal(err, "--network=pasta: pasta was killed by signal 9 before it set "
			    "the network up (-v shows what it said)");
	assert_int_equal(builder_hears(b), 'E');
}

/* ---- the host side ---- */

static void host_side_exchange(void **state)
{
	fake_euid = 0;
	c.address = "10.0.0.2/30";
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	/* the builder failed before it asked: it says why itself */
	int b = dup(n.sock[1]);
	close(b);
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), 1);
	assert_int_equal(n.sock[1], -1);
	teardown(state);
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	b = dup(n.sock[1]);
	assert_int_equal(nsb_net_host_side(&n, getpid(), 10, err, sizeof err), -1);
	assert_string_equal(err, "network: the builder did not report the container's net "
			    "namespace: Connection timed out");
	close(b);
	teardown(state);
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	b = builder_asks('?');
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), -1);
	assert_string_equal(err, "network: unexpected word from the builder");
	assert_int_equal(builder_hears(b), 'E');
	assert_string_equal(nl_log, "");
	/* without --network, or for ns:PATH, there is nothing to wait for */
	struct nsb_net none = { .sock = { -1, -1 } };
	assert_int_equal(nsb_net_host_side(&none, getpid(), 1000, err, sizeof err), 0);
}

static void host_side_veth(void **state)
{
	int before = open_fds();
	fake_euid = 0;
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	assert_true(n.pool_lock >= 0);
	/* two earlier pairs hold the first names */
	veth_eexist = 2;
	int b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), 0);
	assert_int_equal(builder_hears(b), 'V');
	assert_string_equal(nl_log, "veth ve-web 0 host0;veth ve-web-1 0 host0;"
			    "veth ve-web-2 0 host0;ifindex ve-web-2;addr 7 10.124.0.1/30;up 7;");
	/* the address is the host's now: the pool's lock is free for the next nsboot */
	assert_int_equal(n.pool_lock, -1);
	int other = open(veth_lock, O_RDONLY | O_CLOEXEC);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
	assert_string_equal(n.host_if, "ve-web-2");
	/* the peer is made right inside the container's namespace (here: INIT's) */
	assert_int_equal(veth_peer_ns, ino_of("/proc/self/ns/net"));
	teardown(state);
	assert_int_equal(open_fds(), before);
}

static void host_side_failures(void **state)
{
	int before = open_fds();
	fake_euid = 0;
	c.address = "10.0.0.2/30";
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	veth_eexist = 100;
	int b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), -1);
	assert_string_equal(err, "network: veth pair (ve-web-99): File exists");
	assert_int_equal(builder_hears(b), 'E');
	assert_int_equal(n.pool_lock, -1);
	teardown(state);

	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	strcpy(nl_fail, "addr");
	nl_errno = EADDRINUSE;
	b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), -1);
	assert_string_equal(err, "network: the host side's address (ve-web): Address already "
			    "in use");
	assert_int_equal(builder_hears(b), 'E');
	teardown(state);

	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	nl_open_errno = EPERM;
	b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), -1);
	assert_string_equal(err, "network: rtnetlink socket: Operation not permitted");
	assert_int_equal(builder_hears(b), 'E');
	teardown(state);
	nl_open_errno = 0;

	/* the container's PID 1 is gone */
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, 0x3fffffff, 1000, err, sizeof err), -1);
	assert_string_equal(err, "network: open /proc/1073741823/ns/net: No such file or "
			    "directory");
	assert_int_equal(builder_hears(b), 'E');
	teardown(state);
	assert_int_equal(open_fds(), before);
}

static void host_side_zone(void **state)
{
	fake_euid = 0;
	assert_int_equal(prepare(NSB_NET_ZONE, "lan"), 0);
	int b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), 0);
	assert_int_equal(builder_hears(b), 'V');
	/* on the bridge, and no address of its own */
	assert_string_equal(nl_log, "ifindex vz-lan;veth vb-web 5 host0;ifindex vb-web;up 7;");
	teardown(state);
	nl_log[0] = '\0';
	assert_int_equal(prepare(NSB_NET_ZONE, "lan"), 0);
	strcpy(nl_fail, "ifindex");
	nl_errno = ENODEV;
	b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), -1);
	assert_string_equal(err, "network: vz-lan (vb-web): No such device");
	assert_int_equal(builder_hears(b), 'E');
}

static void host_side_rootless_zone(void **state)
{
	int before = open_fds();
	assert_int_equal(prepare(NSB_NET_ZONE, "lan"), 0);
	assert_true(n.zone_netns >= 0);
	veth_eexist = 1;
	int b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), 0);
	assert_int_equal(builder_hears(b), 'V');
	/* the name the child found comes back */
	assert_string_equal(n.host_if, "vb-web-1");
	teardown(state);
	/* the child's failures come back in its words */
	assert_int_equal(prepare(NSB_NET_ZONE, "lan"), 0);
	setns_fail_type = CLONE_NEWNET;
	setns_errno = EPERM;
	b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), -1);
	assert_string_equal(err, "network: join the zone keeper's net namespace: Operation not "
			    "permitted");
	assert_int_equal(builder_hears(b), 'E');
	teardown(state);
	setns_fail_type = 0;
	assert_int_equal(prepare(NSB_NET_ZONE, "lan"), 0);
	veth_eexist = 100;
	b = builder_asks('N');
	assert_int_equal(nsb_net_host_side(&n, getpid(), 1000, err, sizeof err), -1);
	assert_string_equal(err, "network: veth pair (vb-web-99): File exists");
	assert_string_equal(n.host_if, "vb-web-99");
	assert_int_equal(builder_hears(b), 'E');
	teardown(state);
	assert_int_equal(open_fds(), before);
}

/* ---- the container side ---- */

/* Runs the builder's side with the spawner's answer ANSWER already sent; the result. */
static int container_side(char answer)
{
	assert_int_equal(write(n.sock[0], &answer, 1), 1);
	int r = nsb_net_container_side(&n, err, sizeof err);
	char asked = 0;
	assert_int_equal(read(n.sock[0], &asked, 1), 1);
	assert_int_equal(asked, 'N');
	return r;
}

static void container_side_veth(void **state)
{
	fake_euid = 0;
	c.address = "10.0.0.2/30";
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	assert_int_equal(container_side('V'), 0);
	assert_string_equal(nl_log, "ifindex host0;arp 7;addr 7 10.0.0.2/30;up 7;"
			    "route 7 10.0.0.1;");
	teardown(state);
	/* a zone's member has no default route */
	nl_log[0] = '\0';
	assert_int_equal(prepare(NSB_NET_ZONE, "lan"), 0);
	assert_int_equal(container_side('V'), 0);
	assert_string_equal(nl_log, "ifindex host0;arp 7;addr 7 10.123.1.2/24;up 7;");
	teardown(state);
	/* pasta set host0 up itself */
	nl_log[0] = '\0';
	with_pasta();
	assert_int_equal(prepare(NSB_NET_PASTA, NULL), 0);
	assert_int_equal(container_side('V'), 0);
	assert_string_equal(nl_log, "");
	/* nothing to do without a socket */
	struct nsb_net none = { .sock = { -1, -1 } };
	assert_int_equal(nsb_net_container_side(&none, err, sizeof err), 0);
}

static void container_side_failures(void **state)
{
	static const struct { const char *op; int e; const char *msg; } t[] = {
		{ "ifindex", ENODEV, "host0: No such device" },
		{ "arp", EOPNOTSUPP, "host0's arp_notify: Operation not supported" },
		{ "addr", EEXIST, "host0's address: File exists" },
		{ "up", ENETDOWN, "bring host0 up: Network is down" },
		{ "route", ENETUNREACH, "the default route: Network is unreachable" },
	};
	fake_euid = 0;
	c.address = "10.0.0.2/30";
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
		strcpy(nl_fail, t[i].op);
		nl_errno = t[i].e;
		assert_int_equal(container_side('V'), -t[i].e);
		assert_string_equal(err, t[i].msg);
		teardown(state);
	}
	nl_fail[0] = '\0';
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	nl_open_errno = EMFILE;
	assert_int_equal(container_side('V'), -EMFILE);
	assert_string_equal(err, "rtnetlink socket in the container: Too many open files");
	teardown(state);
	nl_open_errno = 0;
	nl_log[0] = '\0';
	assert_int_equal(prepare(NSB_NET_VETH, NULL), 0);
	assert_int_equal(container_side('E'), -EIO);
	assert_string_equal(err, "the host side of the network failed");
	assert_string_equal(nl_log, "");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(ifnames),
		T(member_names),
		T(own_namespace),
		T(veth_needs_root),
		T(veth_address),
		T(veth_pool),
		T(veth_pool_full),
		T(veth_pool_lock_fails),
		T(zone_hosts_bind),
		T(ns_path),
		T(machine_lookup_fails),
		T(machine_as_root),
		T(machine_rootless_joins_keeper),
		T(machine_rootless_refusals),
		T(pasta_not_found),
		T(pasta_words_and_start),
		T(pasta_fails),
		T(host_side_exchange),
		T(host_side_veth),
		T(host_side_failures),
		T(host_side_zone),
		T(host_side_rootless_zone),
		T(container_side_veth),
		T(container_side_failures),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
