/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's network beyond lo (see net.h and docs/design.md, "Network").
 *
 * The init makes its net namespace (owned by its user namespace) and the builder joins
 * it. For veth and zone:ZONE the builder then tells the spawner on a socketpair; the
 * spawner, which holds CAP_NET_ADMIN over the host's namespace (or the zone's), makes a
 * veth pair with its peer created right inside the container's namespace as host0, and
 * answers; the builder brings host0 up with its address. The peer never exists outside
 * the container's namespace, so the pair dies with it, whoever dies first. */
#include "net.h"

#include <arpa/inet.h>
#include <linux/nsfs.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "paths.h"
#include "resolve.h"
#include "netlink.h"
#include "netopt.h"
#include "machine.h"
#include "netzone.h"
#include "signals.h"

/* What the builder and the spawner say about the host side. */
enum {
	NET_ASK = 'N',  /* builder: the container's namespace exists, make the host side */
	NET_DONE = 'V', /* spawner: host0 is in it */
	NET_FAIL = 'E', /* spawner: it failed (the spawner reports why) */
};

/* Where the veth pools' lock lives (root). */
#define NSB_VETH_LOCK "/run/nsboot/veth.lock"

static struct nsb_net *exit_net;
static void release_at_exit(void)
{
	if (exit_net)
		nsb_net_release(exit_net);
}

const char *nsb_net_member_name(const struct nsb_config *c, const char *hostname)
{
	/* the machine's name (-M) when it was given, else the host name (TREE's name by
	 * default, as a machine's) */
	return c->machine ? c->machine : hostname;
}

bool nsb_net_own_ns(const struct nsb_config *c)
{
	return c->network != NSB_NET_HOST && c->network != NSB_NET_NS &&
	       c->network != NSB_NET_MACHINE;
}

void nsb_net_ifname(char out[IF_NAMESIZE], const char *prefix, const char *name,
		    unsigned attempt)
{
	char suffix[12] = "";
	if (attempt)
		snprintf(suffix, sizeof suffix, "-%u", attempt);
	size_t room = IF_NAMESIZE - 1 - strlen(prefix) - strlen(suffix);
	char clean[IF_NAMESIZE];
	size_t i;
	for (i = 0; i < room && name[i]; i++) {
		unsigned char ch = (unsigned char)name[i];
		clean[i] = isalnum(ch) || ch == '-' || ch == '_' || ch == '.' ? (char)ch : '_';
	}
	clean[i] = '\0';
	out[0] = '\0';
	strncat(out, prefix, IF_NAMESIZE - 1);
	strncat(out, clean, IF_NAMESIZE - 1 - strlen(out));
	strncat(out, suffix, IF_NAMESIZE - 1 - strlen(out));
}

bool nsb_net_in_use(uint32_t net, unsigned prefix)
{
	struct ifaddrs *ifs, *i;
	bool used = false;
	uint32_t mask = prefix ? ~0U << (32 - prefix) : 0;
	if (getifaddrs(&ifs) < 0)
		return false;
	for (i = ifs; i && !used; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		uint32_t a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
		used = (a & mask) == net;
	}
	freeifaddrs(ifs);
	return used;
}

/* veth: takes the pool's lock (held until the host side has its address, so two
 * nsboots never pick the same /30) and picks the addresses. */
static int veth_prepare(struct nsb_net *n, const struct nsb_config *c, const char *name,
			char *err, size_t len)
{
	if (geteuid() != 0)
		return nsb_fail(err, len, -1, "--network=veth: needs root (rootless: "
				"--network=zone:ZONE or --network=pasta)");
	/* first: a port taken fails before anything is made */
	int r = nsb_fwd_reserve(&n->fwd, c, err, len);
	if (r < 0)
		return r;
	nsb_net_ifname(n->host_if, "ve-", name, 0);
	uint32_t a;
	unsigned p;
	if (c->address) {
		nsb_parse_cidr4(c->address, &a, &p);
		uint32_t mask = ~0U << (32 - p), net = a & mask;
		if (a == net || a == (net | ~mask))
			return nsb_fail(err, len, -1, "--address=%s: the network's or broadcast "
					"address", c->address);
		n->addr = a;
		n->prefix = p;
		n->gw = a == net + 1 ? net + 2 : net + 1;
		return 0;
	}
	const char *pool = c->address_pool ? c->address_pool : NSB_VETH_POOL;
	nsb_parse_cidr4(pool, &a, &p);
	if (mkdir("/run/nsboot", 0755) < 0 && errno != EEXIST)
		return nsb_fail(err, len, -1, "mkdir /run/nsboot: %s", strerror(errno));
	n->pool_lock = open(NSB_VETH_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (n->pool_lock < 0 || flock(n->pool_lock, LOCK_EX) < 0)
		return nsb_fail(err, len, -1, "%s: %s", NSB_VETH_LOCK, strerror(errno));
	uint64_t count = 1ULL << (30 - p);
	for (uint64_t i = 0; i < count; i++) {
		uint32_t net = a + (uint32_t)(i << 2);
		if (nsb_net_in_use(net, 30))
			continue;
		n->gw = net + 1;
		n->addr = net + 2;
		n->prefix = 30;
		return 0;
	}
	return nsb_fail(err, len, -1, "--network=veth: no free /30 left in %s%s", pool,
			c->address_pool ? "" : " (--address-pool)");
}

/* How long nsboot waits for pasta to have set up the container's network. */
#define NSB_PASTA_READY_MS 10000

/* pasta: finds it in PATH. */
static int pasta_prepare(struct nsb_net *n, const struct nsb_config *c, char *err, size_t len)
{
	const char *path = getenv("PATH");
	char dirs[4096];
	snprintf(dirs, sizeof dirs, "%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	n->c = c;
	for (char *save, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(n->pasta_path, sizeof n->pasta_path, "%s/pasta", *d ? d : ".");
		if (access(n->pasta_path, X_OK) == 0)
			return 0;
	}
	n->pasta_path[0] = '\0';
	return nsb_fail(err, len, -1, "--network=pasta: pasta not found in PATH (Debian "
			"package passt)");
}

/* pasta's words for --port P into WORD ("-t" or "-u" in *FLAG). */
static void pasta_port(const char *p, const char **flag, char *word, size_t len)
{
	struct nsb_port port;
	nsb_parse_port(p, &port);
	*flag = port.udp ? "-u" : "-t";
	snprintf(word, len, "%s%s%u:%u", port.host_addr, port.host_addr[0] ? "/" : "",
		 port.host_port, port.cont_port);
}

/* Waits until pasta (child C) wrote its pid file PIDFILE (once it has set the namespace
 * up), exits or the deadline passes. */
static int pasta_wait(struct nsb_net *n, pid_t c, const char *pidfile, char *err, size_t len)
{
	long long until = nsb_now_ms() + NSB_PASTA_READY_MS;
	char buf[32];
	while (nsb_now_ms() < until) {
		/* asked first: a pasta that wrote its pid file and ended is no network */
		int st = 0;
		if (waitpid(c, &st, WNOHANG) == c) {
			n->pasta = 0;
			return nsb_fail(err, len, -1, "--network=pasta: pasta %s %d before it set "
					"the network up (-v shows what it said)",
					WIFEXITED(st) ? "exited with status" : "was killed by signal",
					WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		}
		if (nsb_read_small(AT_FDCWD, pidfile, buf, sizeof buf) > 0)
			return 0;
		poll(NULL, 0, 5);
	}
	return nsb_fail(err, len, -1, "--network=pasta: pasta did not set the network up "
			"within %d s", NSB_PASTA_READY_MS / 1000);
}

/* Starts pasta for the container's net namespace (its init INIT) and waits until it has
 * set it up. */
static int pasta_start(struct nsb_net *n, pid_t init, char *err, size_t len)
{
	enum { MAX_ARGS = 24 + 2 * NSB_MAX_SPECS };
	char *argv[MAX_ARGS], words[NSB_MAX_SPECS][80], ns[2][64];
	char dir[] = "/tmp/nsboot-pasta.XXXXXX", pidfile[64];
	int k = 0;
	if (!mkdtemp(dir))
		return nsb_fail(err, len, -errno, "--network=pasta: mkdtemp %s: %s", dir,
				strerror(errno));
	snprintf(pidfile, sizeof pidfile, "%s/pid", dir);
	snprintf(ns[0], sizeof ns[0], "/proc/%d/ns/net", (int)init);
	snprintf(ns[1], sizeof ns[1], "/proc/%d/ns/user", (int)init);
	argv[k++] = "pasta";
	if (geteuid() == 0) {
		/* left to itself pasta turns nobody first, who may not join the container's
		 * namespaces (of another uid's); it sandboxes itself all the same */
		argv[k++] = "--runas";
		argv[k++] = "0";
	}
	char *fixed[] = { "-f", "-q", "--config-net", "-T", "none", "-U", "none", "-P", pidfile,
			  "--netns", ns[0], "--userns", ns[1] };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		argv[k++] = fixed[i];
	bool tcp = false, udp = false;
	for (size_t i = 0; i < n->c->n_ports; i++) {
		const char *flag;
		pasta_port(n->c->ports[i], &flag, words[i], sizeof words[i]);
		tcp |= flag[1] == 't';
		udp |= flag[1] == 'u';
		argv[k++] = (char *)flag;
		argv[k++] = words[i];
	}
	if (!tcp) {
		argv[k++] = "-t";
		argv[k++] = "none";
	}
	if (!udp) {
		argv[k++] = "-u";
		argv[k++] = "none";
	}
	argv[k] = NULL;
	pid_t c = fork();
	if (c < 0) {
		rmdir(dir);
		return nsb_fail(err, len, -errno, "--network=pasta: fork: %s", strerror(errno));
	}
	if (c == 0) {
		/* it goes with nsboot, whatever ends nsboot */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(127);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* pasta refuses to start when SIGPIPE is ignored already (nsboot ignores it) */
		signal(SIGPIPE, SIG_DFL);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		dup2(null, 0);
		dup2(null, 1);
		if (nsb_verbosity <= 0)
			dup2(null, 2);
		execv(n->pasta_path, argv);
		_exit(127);
	}
	n->pasta = c;
	int r = pasta_wait(n, c, pidfile, err, len);
	unlink(pidfile);
	rmdir(dir);
	return r;
}

/* Rootless machine:NAME: the net namespace of machine INFO belongs to a user namespace
 * below the caller's, which setns(2) of a net namespace cannot reach from here (it takes
 * CAP_SYS_ADMIN where the caller is). A machine started in a rootless zone sits below
 * the zone keeper's user namespace, which maps the caller's ids onto themselves: the
 * spawner joins that one, holds every capability there and over the machine's
 * namespaces, and the new machine is born below it, beside NAME (whose root has no power
 * over it). A machine in no zone has none such: refused. 0 or -1 with ERR. */
static int join_machine_keeper(const struct nsb_machine_info *info, struct nsb_users *u,
			       const char *name, char *err, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)info->pid);
	int cur = open(path, O_RDONLY | O_CLOEXEC);
	/* the namespace opened is the machine's only if its PID 1 still lives under it */
	if (cur >= 0 && nsb_proc_start_time(info->pid) != info->pid_start) {
		close(cur);
		return nsb_fail(err, len, -1, "--network=machine:%s: its PID 1 is gone", name);
	}
	if (cur < 0)
		return nsb_fail(err, len, -1, "--network=machine:%s: %s: %s", name, path,
				strerror(errno));
	/* up to the user namespace just below the caller's */
	struct stat self, st = { 0 };
	int depth = 0;
	if (stat("/proc/self/ns/user", &self) < 0)
		self.st_ino = 0;
	while (depth++ < 32) {
		int parent = ioctl(cur, NS_GET_PARENT);
		if (parent < 0 || fstat(parent, &st) < 0 ||
		    (st.st_ino == self.st_ino && st.st_dev == self.st_dev)) {
			if (parent >= 0)
				close(parent);
			break;
		}
		close(cur);
		cur = parent;
	}
	int r = fstat(cur, &st);
	close(cur);
	int keeper = r == 0 ? nsb_zone_keeper_userns(st.st_dev, st.st_ino) : -ENOENT;
	if (keeper < 0)
		return nsb_fail(err, len, -1, "--network=machine:%s: without privilege only a "
				"machine in a zone (--network=zone:ZONE) can share its net namespace",
				name);
	r = setns(keeper, CLONE_NEWUSER);
	int e = errno;
	close(keeper);
	if (r < 0)
		return nsb_fail(err, len, -1, "--network=machine:%s: join its zone keeper's user "
				"namespace: %s", name, strerror(e));
	/* the maps are written from inside it, as a zone member's */
	u->direct = true;
	return 0;
}

/* ns:PATH and machine:NAME: the spawner joins the namespace before the clone, so the
 * builder and the init are born in it. */
static int join_netns(const struct nsb_config *c, struct nsb_users *u, char *err, size_t len)
{
	char path[4096];
	int fd;
	if (c->network == NSB_NET_MACHINE) {
		struct nsb_machine_info info;
		int r = nsb_machine_lookup(c->net_arg, &info, NULL);
		if (r < 0)
			return nsb_fail(err, len, -1, "--network=machine:%s: %s", c->net_arg,
					r == -ENOENT ? "no such running machine" : strerror(-r));
		fd = nsb_machine_pidfd(&info, false);
		if (fd < 0)
			return nsb_fail(err, len, -1, "--network=machine:%s: %s", c->net_arg,
					fd == -ESRCH ? "its PID 1 is gone" : strerror(-fd));
		if (geteuid() != 0 && join_machine_keeper(&info, u, c->net_arg, err, len) < 0) {
			close(fd);
			return -1;
		}
		snprintf(path, sizeof path, "machine:%s", c->net_arg);
	} else {
		snprintf(path, sizeof path, "ns:%s", c->net_arg);
		fd = open(c->net_arg, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return nsb_fail(err, len, -1, "--network=%s: %s", path, strerror(errno));
	int r = setns(fd, CLONE_NEWNET);
	int e = errno;
	close(fd);
	if (r < 0)
		return nsb_fail(err, len, -1, "--network=%s: %s", path,
				e == EINVAL ? "not a net namespace" : strerror(e));
	return 0;
}

/* Rootless in a zone: the zone's hosts file is bound over the tree's /etc/hosts. A tree
 * without one needs the mount point made in its /etc, which a tree of root's refuses
 * (host uid 0 is never mapped without privilege): said before anything starts, with what
 * to do. True (ERR set) when so. */
static bool hosts_unbindable(const struct nsb_config *c, char *err, size_t len)
{
	int root = c->tree ? open(c->tree, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (root < 0)
		return false; /* no tree, or one the builder will name */
	int hosts = nsb_open_in_root(root, "/etc/hosts", NSB_IN_ROOT_NO_MAGICLINKS);
	int etc = hosts < 0 ? nsb_open_in_root(root, "/etc", NSB_IN_ROOT_NO_MAGICLINKS) : -1;
	struct stat st;
	bool refused = etc >= 0 && fstat(etc, &st) == 0 && st.st_uid == 0;
	if (refused)
		nsb_fail(err, len, -1, "--network=zone:%s: %s has no /etc/hosts to bind the zone's "
			 "over, and its /etc (root's) takes no new file without privilege: "
			 "create an empty %s/etc/hosts", c->net_arg, c->tree, c->tree);
	if (hosts >= 0)
		close(hosts);
	if (etc >= 0)
		close(etc);
	close(root);
	return refused;
}

int nsb_net_prepare(struct nsb_net *n, struct nsb_config *c, struct nsb_users *u,
		    const char *hostname, char *err, size_t len)
{
	*n = (struct nsb_net){ .mode = c->network, .sock = { -1, -1 }, .pool_lock = -1,
			       .zones_dir = -1, .member_fd = -1, .slot = -1, .zone_netns = -1 };
	snprintf(n->name, sizeof n->name, "%s", nsb_net_member_name(c, hostname));
	/* a machine named -M web-3fa2 with the host name web answers to both */
	if (hostname && strcmp(hostname, n->name) != 0)
		snprintf(n->alias, sizeof n->alias, "%s", hostname);
	const char *name = n->name;
	int r = 0;
	switch (c->network) {
	case NSB_NET_VETH:
		r = veth_prepare(n, c, name, err, len);
		break;
	case NSB_NET_ZONE:
		/* asked before joining a keeper's user namespace, where root's files read
		 * as nobody's */
		if (geteuid() != 0 && hosts_unbindable(c, err, len))
			return -1;
		r = nsb_zone_join(n, u, c->net_arg, name, err, len);
		break;
	case NSB_NET_NS:
	case NSB_NET_MACHINE:
		return join_netns(c, u, err, len);
	case NSB_NET_PASTA:
		r = pasta_prepare(n, c, err, len);
		break;
	default:
		return 0;
	}
	exit_net = n;
	atexit(release_at_exit);
	if (r < 0)
		return r;
	if (c->network == NSB_NET_ZONE) {
		if (c->n_mounts >= NSB_MAX_SPECS)
			return nsb_fail(err, len, -1, "--network=zone:%s: no room for the hosts "
					"file's bind (at most %d mounts)", c->net_arg, NSB_MAX_SPECS);
		c->mounts[c->n_mounts++] = (struct nsb_mount_spec){
			.kind = NSB_MNT_BIND_RO, .src = n->zone_hosts, .dst = "/etc/hosts" };
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, n->sock) < 0)
		return nsb_fail(err, len, -1, "socketpair: %s", strerror(errno));
	return 0;
}

/* Waits up to TIMEOUT_MS for one byte on FD; the byte, or -errno (-EPIPE at EOF). */
static int recv_byte(int fd, long timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;
	while ((r = poll(&p, 1, (int)timeout_ms)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return -ETIMEDOUT;
	unsigned char b;
	ssize_t k;
	while ((k = read(fd, &b, 1)) < 0 && errno == EINTR)
		;
	return k == 1 ? b : k == 0 ? -EPIPE : -errno;
}

static int send_byte(int fd, unsigned char b)
{
	ssize_t k;
	while ((k = write(fd, &b, 1)) < 0 && errno == EINTR)
		;
	return k == 1 ? 0 : -errno;
}

/* Makes the veth pair: the host end (on MASTER unless 0) under a free name from
 * PREFIX and the member name, host0 in the namespace NSFD. */
static int add_pair(struct nsb_net *n, struct nsb_nl *nl, int master, int nsfd,
		    const char *prefix, const char *name)
{
	int r = -EEXIST;
	for (unsigned attempt = 0; attempt < 100 && r == -EEXIST; attempt++) {
		if (attempt)
			nsb_net_ifname(n->host_if, prefix, name, attempt);
		r = nsb_nl_add_veth(nl, n->host_if, master, NSB_NET_IFNAME, nsfd);
	}
	return r;
}

/* The host side in the caller's net namespace (root): the pair, the host end's address
 * (veth) and state. */
static int host_side(struct nsb_net *n, pid_t init, char *err, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)init);
	int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return nsb_fail(err, len, -errno, "network: open %s: %s", path, strerror(errno));
	struct nsb_nl *nl = nsb_nl_open();
	if (!nl) {
		int e = errno;
		close(nsfd);
		return nsb_fail(err, len, -e, "network: rtnetlink socket: %s", strerror(e));
	}
	int r = 0, master = 0;
	const char *step = "";
	if (n->mode == NSB_NET_ZONE) {
		step = n->bridge;
		r = master = nsb_nl_ifindex(nl, n->bridge);
	}
	if (r >= 0) {
		step = "veth pair";
		r = add_pair(n, nl, master, nsfd, n->mode == NSB_NET_ZONE ? "vb-" : "ve-",
			     n->name);
	}
	close(nsfd);
	int idx = r < 0 ? r : nsb_nl_ifindex(nl, n->host_if);
	if (r >= 0 && (r = idx) >= 0 && n->gw) {
		step = "the host side's address";
		r = nsb_nl_add_addr4(nl, idx, n->gw, n->prefix);
	}
	if (r >= 0) {
		step = "bring the host side up";
		r = nsb_nl_link_up(nl, idx);
	}
	nsb_nl_close(nl);
	if (n->pool_lock >= 0) {
		close(n->pool_lock);
		n->pool_lock = -1;
	}
	if (r < 0)
		return nsb_fail(err, len, r, "network: %s (%s): %s", step, n->host_if, strerror(-r));
	/* veth's --port: before the builder hears back, so before the boot command runs */
	return nsb_fwd_apply(&n->fwd, n->host_if, n->addr, err, len);
}

/* What a child that made the host side in the zone keeper's namespace reports. */
struct host_report {
	int r;
	char host_if[IF_NAMESIZE];
	char err[512];
};

/* Rootless: host_side in a child that joins the keeper's net namespace (from the
 * keeper's user namespace, which the spawner joined, there is no way back into the
 * caller's own net namespace). */
static int host_side_in_zone(struct nsb_net *n, pid_t init, char *err, size_t len)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return nsb_fail(err, len, -errno, "network: pipe: %s", strerror(errno));
	pid_t c = fork();
	if (c < 0)
		return nsb_fail(err, len, -errno, "network: fork: %s", strerror(errno));
	if (c == 0) {
		struct host_report rep = { 0 };
		close(p[0]);
		if (setns(n->zone_netns, CLONE_NEWNET) < 0)
			rep.r = nsb_fail(rep.err, sizeof rep.err, -errno, "network: join the zone "
					 "keeper's net namespace: %s", strerror(errno));
		else
			rep.r = host_side(n, init, rep.err, sizeof rep.err);
		memcpy(rep.host_if, n->host_if, sizeof rep.host_if);
		_exit(write(p[1], &rep, sizeof rep) == sizeof rep ? 0 : 1);
	}
	close(p[1]);
	struct host_report rep = { .r = -EIO };
	ssize_t k;
	while ((k = read(p[0], &rep, sizeof rep)) < 0 && errno == EINTR)
		;
	close(p[0]);
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	if (k != sizeof rep)
		return nsb_fail(err, len, -EIO, "network: the zone's host side failed");
	memcpy(n->host_if, rep.host_if, sizeof n->host_if);
	if (rep.r < 0)
		snprintf(err, len, "%s", rep.err);
	return rep.r;
}

int nsb_net_host_side(struct nsb_net *n, pid_t init, long timeout_ms, char *err, size_t len)
{
	if (n->sock[0] < 0)
		return 0;
	close(n->sock[1]);
	n->sock[1] = -1;
	int b = recv_byte(n->sock[0], timeout_ms);
	if (b == -EPIPE)
		return 1; /* the builder failed first and said why */
	if (b < 0)
		return nsb_fail(err, len, -1, "network: the builder did not report the container's "
				"net namespace: %s", strerror(-b));
	int r = b != NET_ASK ? -1 : n->mode == NSB_NET_PASTA ? pasta_start(n, init, err, len) :
		n->zone_netns >= 0 ? host_side_in_zone(n, init, err, len) :
		host_side(n, init, err, len);
	if (b != NET_ASK)
		r = nsb_fail(err, len, -1, "network: unexpected word from the builder");
	send_byte(n->sock[0], r < 0 ? NET_FAIL : NET_DONE);
	close(n->sock[0]);
	n->sock[0] = -1;
	return r < 0 ? -1 : 0;
}

int nsb_net_container_side(struct nsb_net *n, char *err, size_t len)
{
	if (n->sock[1] < 0)
		return 0;
	int b = send_byte(n->sock[1], NET_ASK);
	if (b == 0)
		b = recv_byte(n->sock[1], -1);
	if (b != NET_DONE)
		return nsb_fail(err, len, -EIO, "the host side of the network failed");
	if (n->mode == NSB_NET_PASTA)
		return 0; /* pasta set its interface up itself */
	struct nsb_nl *nl = nsb_nl_open();
	if (!nl)
		return nsb_fail(err, len, -errno, "rtnetlink socket in the container: %s",
				strerror(errno));
	const char *step = NSB_NET_IFNAME;
	int r, idx = nsb_nl_ifindex(nl, NSB_NET_IFNAME);
	r = idx;
	if (r >= 0) {
		step = "host0's arp_notify";
		r = nsb_nl_arp_notify(nl, idx);
	}
	if (r >= 0) {
		step = "host0's address";
		r = nsb_nl_add_addr4(nl, idx, n->addr, n->prefix);
	}
	if (r >= 0) {
		step = "bring host0 up";
		r = nsb_nl_link_up(nl, idx);
	}
	if (r >= 0 && n->gw) {
		step = "the default route";
		r = nsb_nl_add_default4(nl, idx, n->gw);
	}
	nsb_nl_close(nl);
	if (r < 0)
		return nsb_fail(err, len, r, "%s: %s", step, strerror(-r));
	return 0;
}

void nsb_net_child_close(struct nsb_net *n)
{
	if (n->sock[0] >= 0)
		close(n->sock[0]);
	n->sock[0] = -1;
	if (n->member_fd >= 0)
		close(n->member_fd);
	n->member_fd = -1;
	if (n->pool_lock >= 0)
		close(n->pool_lock);
	n->pool_lock = -1;
	if (n->zone_netns >= 0)
		close(n->zone_netns);
	n->zone_netns = -1;
	nsb_fwd_close(&n->fwd);
	exit_net = NULL;
}

void nsb_net_release(struct nsb_net *n)
{
	if (n->pasta > 0) {
		kill(n->pasta, SIGTERM);
		int st;
		while (waitpid(n->pasta, &st, 0) < 0 && errno == EINTR)
			;
		n->pasta = 0;
	}
	if (n->mode == NSB_NET_ZONE)
		nsb_zone_leave(n);
	nsb_fwd_close(&n->fwd);
	if (n->pool_lock >= 0)
		close(n->pool_lock);
	n->pool_lock = -1;
}
