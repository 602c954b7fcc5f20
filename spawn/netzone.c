/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Zones: machines on one bridge that resolve each other by name (docs/design.md,
 * "Network").
 *
 * State, root's: NSB_ZONES_DIR/.lock (every change to any zone holds it), and a folder
 * per zone with
 *   subnet     N: the zone has 10.123.N.0/24, its bridge vz-ZONE .1
 *   next       the slot to try first (slots are handed out round the zone)
 *   member.S   a member's name; slot S has address .S+2. The member's nsboot holds an
 *              flock on it for as long as it lives: a member file nobody holds the lock
 *              of is a member whose nsboot was killed, and whoever takes the zones' lock
 *              next frees it (and removes a zone with no member left, bridge and all).
 *   hosts      bound read-only over each member's /etc/hosts: a header and one line of
 *              NSB_ZONE_SLOT_LEN bytes per slot, rewritten in place (a bind mount holds
 *              the inode: a file replaced by rename would never be seen inside), one
 *              short pwrite per change, so a reader sees a whole line or the old one. */
#include "netzone.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "netlink.h"
#include "netopt.h"
#include "paths.h"

#define SLOTS 253
#define SLOT_LEN 160
static const char hosts_head[] =
	"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

/* Opens (making it MODE when missing) the folder NAME in AT (whose path is IN, for the
 * messages; NULL for AT_FDCWD): the caller's, not writable by others, not a symbolic
 * link; the fd, or -1 with ERR set. */
static int own_dir(int at, const char *in, const char *name, mode_t mode, char *err,
		   size_t len)
{
	const char *sep = in ? "/" : "";
	in = in ? in : "";
	if (mkdirat(at, name, mode) < 0 && errno != EEXIST)
		return nsb_fail(err, len, -1, "mkdir %s%s%s: %s", in, sep, name, strerror(errno));
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return nsb_fail(err, len, -1, "open %s%s%s: %s", in, sep, name, strerror(errno));
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return nsb_fail(err, len, -1, "%s%s%s: not a folder of uid %u's that only it may "
				"write; refusing to keep zones there", in, sep, name,
				(unsigned)geteuid());
	}
	return fd;
}

/* Whether the member file NAME in zone folder Z has a live nsboot (holding its lock). */
static bool member_alive(int z, const char *name)
{
	return nsb_lock_held(z, name);
}

/* Writes LINE (NULL: a blank slot) into slot SLOT of zone folder Z's hosts file. */
static int write_slot(int z, int slot, const char *line)
{
	char buf[SLOT_LEN];
	memset(buf, ' ', sizeof buf);
	if (line)
		memcpy(buf, line, strnlen(line, SLOT_LEN - 1));
	else
		buf[0] = '#';
	buf[SLOT_LEN - 1] = '\n';
	int fd = openat(z, "hosts", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	off_t at = (off_t)(sizeof hosts_head - 1) + (off_t)slot * SLOT_LEN;
	ssize_t n = pwrite(fd, buf, sizeof buf, at);
	int e = n == (ssize_t)sizeof buf ? 0 : n < 0 ? -errno : -EIO;
	close(fd);
	return e;
}

/* The slot of member file NAME ("member.S"), or -1. */
static int slot_of(const char *name)
{
	int s;
	char end;
	if (sscanf(name, "member.%d%c", &s, &end) != 1 || s < 0 || s >= SLOTS)
		return -1;
	return s;
}

/* Frees the dead members of zone folder Z; ALIVE[S] tells which slots live (may be
 * NULL). The number of live members. */
static int sweep_members(int z, bool *alive)
{
	int dup_fd = dup(z), n = 0;
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return 1; /* unreadable: keep it */
	}
	struct dirent *e;
	rewinddir(d); /* the dup shares the offset of an earlier walk */
	while ((e = readdir(d))) {
		int s = slot_of(e->d_name);
		if (s < 0)
			continue;
		if (member_alive(z, e->d_name)) {
			n++;
			if (alive)
				alive[s] = true;
			continue;
		}
		write_slot(z, s, NULL);
		unlinkat(z, e->d_name, 0);
		log_debug("zone: freed slot %d of a member that is gone", s);
	}
	closedir(d);
	return n;
}

/* Removes zone ZONE's folder (in ZONES) and its bridge. */
static void remove_zone(int zones, const char *zone, struct nsb_nl *nl)
{
	char br[IF_NAMESIZE];
	snprintf(br, sizeof br, "vz-%s", zone);
	int r = nl ? nsb_nl_del_link(nl, br) : 0;
	if (r < 0 && r != -ENODEV)
		log_warn("zone %s: delete bridge %s: %s", zone, br, strerror(-r));
	int z = openat(zones, zone, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (z >= 0) {
		unlinkat(z, "hosts", 0);
		unlinkat(z, "subnet", 0);
		unlinkat(z, "next", 0);
		unlinkat(z, "keeper", 0);
		unlinkat(z, "keeper.lock", 0);
		close(z);
	}
	if (unlinkat(zones, zone, AT_REMOVEDIR) < 0 && errno != ENOENT)
		log_warn("zone %s: remove its folder: %s", zone, strerror(errno));
	log_debug("zone %s: removed with its last member", zone);
}

/* Frees every zone's dead members and removes the zones left empty; USED[N] tells the
 * subnets of the zones that remain. */
static void sweep_zones(int zones, struct nsb_nl *nl, bool used[256])
{
	int dup_fd = dup(zones);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	struct dirent *e;
	rewinddir(d); /* the dup shares the offset of an earlier walk */
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !nsb_zone_name_ok(e->d_name))
			continue;
		int z = openat(zones, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (z < 0)
			continue;
		int live = sweep_members(z, NULL);
		char buf[16];
		int sub = nsb_read_small(z, "subnet", buf, sizeof buf) > 0 ? atoi(buf) : -1;
		close(z);
		if (live == 0)
			remove_zone(zones, e->d_name, nl);
		else if (sub >= 0 && sub < 256)
			used[sub] = true;
	}
	closedir(d);
}

/* The zone pool's first address (host byte order). */
static uint32_t zone_pool(void)
{
	uint32_t a = 0;
	unsigned p;
	nsb_parse_cidr4(NSB_ZONE_POOL, &a, &p);
	return a;
}

/* Makes zone ZONE (folder Z, fresh): a free /24, the hosts file, the bridge with .1. */
static int create_zone(struct nsb_net *n, int z, const char *zone, const bool used[256],
		       struct nsb_nl *nl, char *err, size_t len)
{
	int sub = -1;
	for (int i = 0; i < 256 && sub < 0; i++)
		if (!used[i] && (n->rootless || !nsb_net_in_use(zone_pool() + ((uint32_t)i << 8), 24)))
			sub = i;
	if (sub < 0)
		return nsb_fail(err, len, -1, "--network=zone:%s: no free /24 left in %s", zone,
				NSB_ZONE_POOL);
	unlinkat(z, "hosts", 0); /* a fresh inode: a stranded member keeps the old one */
	int fd = openat(z, "hosts", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, hosts_head, sizeof hosts_head - 1) < 0)
		return nsb_fail(err, len, -1, "zone %s: hosts file: %s", zone, strerror(errno));
	close(fd);
	for (int s = 0; s < SLOTS; s++)
		if (write_slot(z, s, NULL) < 0)
			return nsb_fail(err, len, -1, "zone %s: hosts file: %s", zone, strerror(errno));
	char num[16];
	int k = snprintf(num, sizeof num, "%d\n", sub);
	fd = openat(z, "subnet", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, num, (size_t)k) != k)
		return nsb_fail(err, len, -1, "zone %s: subnet file: %s", zone, strerror(errno));
	close(fd);
	if (!nl)
		return 0; /* rootless: the keeper makes the bridge in its own namespace */
	int r = nsb_nl_del_link(nl, n->bridge); /* a leftover nobody recorded */
	r = nsb_nl_add_bridge(nl, n->bridge);
	int idx = r < 0 ? r : nsb_nl_ifindex(nl, n->bridge);
	if ((r = idx) >= 0)
		r = nsb_nl_add_addr4(nl, idx, zone_pool() + ((uint32_t)sub << 8) + 1, 24);
	if (r >= 0)
		r = nsb_nl_link_up(nl, idx);
	if (r < 0)
		return nsb_fail(err, len, -1, "--network=zone:%s: bridge %s: %s", zone, n->bridge,
				strerror(-r));
	log_debug("zone %s: bridge %s, subnet %d", zone, n->bridge, sub);
	return 0;
}

/* Whether a live member of zone folder Z other than slot SELF is called NAME. */
static bool name_taken(int z, const bool alive[SLOTS], const char *name)
{
	for (int s = 0; s < SLOTS; s++) {
		char file[32], buf[128];
		if (!alive[s])
			continue;
		snprintf(file, sizeof file, "member.%d", s);
		if (nsb_read_small(z, file, buf, sizeof buf) <= 0)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		if (strcmp(buf, name) == 0)
			return true;
	}
	return false;
}

/* Whether NAME can stand in a hosts file. */
static bool host_name_ok(const char *name)
{
	if (!*name || strlen(name) > 63)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_'))
			return false;
	return name[0] != '-' && name[0] != '.';
}

/* Claims the next free slot of zone folder Z for N (locked member file, hosts line),
 * round the slots from the one after the last claimed: an address is reused only after
 * every other one was, long after the other members' neighbour caches forgot it. */
static int claim_slot(struct nsb_net *n, int z, const bool alive[SLOTS], uint32_t subnet,
		      char *err, size_t len)
{
	char buf[16];
	int next = nsb_read_small(z, "next", buf, sizeof buf) > 0 ? atoi(buf) : 0;
	for (int i = 0; i < SLOTS; i++) {
		int s = ((next < 0 ? 0 : next) + i) % SLOTS;
		if (alive[s])
			continue;
		char file[32];
		snprintf(file, sizeof file, "member.%d", s);
		int fd = openat(z, file, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0 ||
		    dprintf(fd, "%s\n", n->name) < 0) {
			unlinkat(z, file, 0);
			close(fd);
			continue;
		}
		n->member_fd = fd;
		n->slot = s;
		int nf = openat(z, "next", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
				0644);
		if (nf >= 0) {
			dprintf(nf, "%d\n", (s + 1) % SLOTS);
			close(nf);
		}
		n->addr = subnet + 2 + (uint32_t)s;
		n->prefix = 24;
		char line[SLOT_LEN];
		snprintf(line, sizeof line, "%u.%u.%u.%u %s%s%s", n->addr >> 24,
			 (n->addr >> 16) & 255, (n->addr >> 8) & 255, n->addr & 255, n->name,
			 host_name_ok(n->alias) ? " " : "", host_name_ok(n->alias) ? n->alias : "");
		if (write_slot(z, s, line) < 0)
			return nsb_fail(err, len, -1, "zone: hosts file: %s", strerror(errno));
		return 0;
	}
	return nsb_fail(err, len, -1, "--network=zone: the zone is full (%d machines)", SLOTS);
}

static pid_t live_keeper(int z);
static int join_keeper(struct nsb_net *n, struct nsb_users *u, int z, const char *zone,
		       uint32_t subnet, char *err, size_t len);

/* The zone's part of nsb_zone_join once the zones' lock is held. */
static int join_locked(struct nsb_net *n, struct nsb_users *u, const char *zone,
		       struct nsb_nl *nl, char *err, size_t len)
{
	bool used[256] = { false }, alive[SLOTS] = { false };
	sweep_zones(n->zones_dir, nl, used);
	mode_t mode = n->rootless ? 0700 : 0755;
	bool fresh = mkdirat(n->zones_dir, zone, mode) == 0;
	int z = own_dir(n->zones_dir, n->zones_path, zone, mode, err, len);
	if (z < 0)
		return -1;
	char buf[16] = ""; /* no subnet read when the zone could not be made */
	int r = 0;
	/* rootless, a zone whose keeper is gone starts again (its members are cut off) */
	if (n->rootless && !fresh && live_keeper(z) <= 0)
		fresh = true;
	if (fresh || nsb_read_small(z, "subnet", buf, sizeof buf) <= 0)
		r = create_zone(n, z, zone, used, nl, err, len);
	else if (nl && nsb_nl_ifindex(nl, n->bridge) < 0)
		r = nsb_fail(err, len, -1, "--network=zone:%s: its bridge %s is gone", zone,
			     n->bridge);
	if (r == 0 && nsb_read_small(z, "subnet", buf, sizeof buf) <= 0)
		r = nsb_fail(err, len, -1, "zone %s: no subnet file", zone);
	if (r == 0) {
		sweep_members(z, alive);
		if (name_taken(z, alive, n->name))
			r = nsb_fail(err, len, -1, "--network=zone:%s: a machine named %s is in it "
				     "already (--hostname)", zone, n->name);
	}
	uint32_t subnet = zone_pool() + ((uint32_t)atoi(buf) << 8);
	if (r == 0 && n->rootless)
		r = join_keeper(n, u, z, zone, subnet, err, len);
	if (r == 0)
		r = claim_slot(n, z, alive, subnet, err, len);
	if (r == 0)
		snprintf(n->zone_hosts, sizeof n->zone_hosts, "%s/%s/hosts", n->zones_path, zone);
	close(z);
	return r;
}

/* How often a rootless zone's keeper looks whether its zone still has members. */
#define NSB_KEEPER_POLL_MS 200
/* The keeper closes every inherited fd below this but its own. */
#define NSB_KEEPER_MAX_FD 1024

/* The keeper's words to the spawner that starts it. */
enum { KEEPER_USERNS = 'U', KEEPER_MAPPED = 'M', KEEPER_READY = 'R' };

/* Reads one byte from FD (EINTR retried); the byte or -1. */
static int get_byte(int fd)
{
	unsigned char b;
	ssize_t k;
	while ((k = read(fd, &b, 1)) < 0 && errno == EINTR)
		;
	return k == 1 ? b : -1;
}

static void put_byte(int fd, unsigned char b)
{
	while (write(fd, &b, 1) < 0 && errno == EINTR)
		;
}

/* The keeper of a rootless zone (folder Z in ZONES): holds a user namespace of the
 * caller's (its maps written by the spawner) and a net namespace with the zone's bridge
 * BR (ADDR/24), until the zone has no member left. Never returns. */
static noreturn void keeper_main(int sock, int zones, int z, const char *zone, const char *br,
				 uint32_t addr)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	prctl(PR_SET_NAME, "nsboot-zone");
	/* nothing of the spawner's: above all not its open file of the zones' lock, whose
	 * lock this copy would hold for ever */
	for (int fd = 3; fd < NSB_KEEPER_MAX_FD; fd++)
		if (fd != sock && fd != zones && fd != z)
			close(fd);
	if (chdir("/") < 0 || unshare(CLONE_NEWUSER) < 0)
		_exit(1);
	int32_t self = (int32_t)getpid();
	put_byte(sock, KEEPER_USERNS);
	if (write(sock, &self, sizeof self) != sizeof self)
		_exit(1);
	if (get_byte(sock) != KEEPER_MAPPED || unshare(CLONE_NEWNET) < 0)
		_exit(1);
	struct nsb_nl *nl = nsb_nl_open();
	int lo = nl ? nsb_nl_ifindex(nl, "lo") : -1;
	int r = nl && lo > 0 ? nsb_nl_link_up(nl, lo) : -1;
	if (r >= 0)
		r = nsb_nl_add_bridge(nl, br);
	int idx = r < 0 ? r : nsb_nl_ifindex(nl, br);
	if ((r = idx) >= 0)
		r = nsb_nl_add_addr4(nl, idx, addr, 24);
	if (r >= 0)
		r = nsb_nl_link_up(nl, idx);
	nsb_nl_close(nl);
	int lock = openat(z, "keeper.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r < 0 || lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
		_exit(1);
	int pf = openat(z, "keeper", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (pf < 0 || dprintf(pf, "%d\n", (int)getpid()) < 0)
		_exit(1);
	close(pf);
	put_byte(sock, KEEPER_READY);
	close(sock);
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3 && devnull >= 0; fd++)
		dup2(devnull, fd);
	for (;;) {
		poll(NULL, 0, NSB_KEEPER_POLL_MS);
		int zl = openat(zones, ".lock", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (zl < 0 || flock(zl, LOCK_EX) < 0)
			_exit(1);
		struct stat mine, now;
		if (fstat(z, &mine) < 0 || fstatat(zones, zone, &now, AT_SYMLINK_NOFOLLOW) < 0 ||
		    mine.st_ino != now.st_ino || mine.st_dev != now.st_dev)
			_exit(0); /* the last member removed the zone; a new one is not ours */
		if (sweep_members(z, NULL) == 0) {
			/* the zone is ours to remove: its members are gone (and with the
			 * keeper's net namespace, the bridge) */
			remove_zone(zones, zone, NULL);
			_exit(0);
		}
		close(zl);
	}
}

/* Starts the keeper of rootless zone ZONE (folder Z) with the bridge's address ADDR,
 * writes its maps; its pid, or -1 with ERR set. */
static pid_t start_keeper(struct nsb_net *n, const struct nsb_users *u, int z, const char *zone,
			  uint32_t addr, char *err, size_t len)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return nsb_fail(err, len, -1, "zone %s: socketpair: %s", zone, strerror(errno));
	/* fork twice: the keeper is nobody's child but init's (or a subreaper's), in a
	 * session of its own, and outlives the member that started it */
	pid_t mid = fork();
	if (mid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return nsb_fail(err, len, -1, "zone %s: fork: %s", zone, strerror(e));
	}
	if (mid == 0) {
		close(sv[0]);
		setsid();
		pid_t k = fork();
		if (k == 0)
			keeper_main(sv[1], n->zones_dir, z, zone, n->bridge, addr);
		_exit(k < 0);
	}
	close(sv[1]);
	int st;
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	int32_t keeper = -1;
	int b = get_byte(sv[0]);
	if (b != KEEPER_USERNS || read(sv[0], &keeper, sizeof keeper) != sizeof keeper)
		keeper = -1;
	if (keeper <= 0) {
		close(sv[0]);
		return nsb_fail(err, len, -1, "zone %s: the keeper did not start", zone);
	}
	if (nsb_users_write_keeper_maps(u, keeper, err, len) < 0) {
		kill(keeper, SIGKILL);
		close(sv[0]);
		return -1;
	}
	put_byte(sv[0], KEEPER_MAPPED);
	b = get_byte(sv[0]);
	close(sv[0]);
	if (b != KEEPER_READY) {
		kill(keeper, SIGKILL);
		return nsb_fail(err, len, -1, "--network=zone:%s: the zone's keeper could not make "
				"bridge %s in a user and net namespace of its own", zone, n->bridge);
	}
	log_debug("zone %s: keeper PID %d", zone, (int)keeper);
	return keeper;
}

/* The pid of zone folder Z's live keeper, or 0. */
static pid_t live_keeper(int z)
{
	char buf[32];
	if (!member_alive(z, "keeper.lock") || nsb_read_small(z, "keeper", buf, sizeof buf) <= 0)
		return 0;
	return (pid_t)atoi(buf);
}

/* Rootless: makes sure zone ZONE (folder Z, subnet first address SUBNET) has a keeper,
 * joins its user namespace and keeps its net namespace for the host side. */
static int join_keeper(struct nsb_net *n, struct nsb_users *u, int z, const char *zone,
		       uint32_t subnet, char *err, size_t len)
{
	pid_t k = live_keeper(z);
	if (k <= 0 && (k = start_keeper(n, u, z, zone, subnet + 1, err, len)) < 0)
		return -1;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)k);
	int user = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)k);
	n->zone_netns = open(path, O_RDONLY | O_CLOEXEC);
	/* the namespaces opened are the keeper's only if it still holds its lock under the
	 * same PID now: a keeper gone before the opens may have left its PID to a process
	 * of someone else's (a container's, under subid) */
	if (user >= 0 && n->zone_netns >= 0 && live_keeper(z) != k)
		errno = ESRCH;
	else if (user >= 0 && n->zone_netns >= 0 && setns(user, CLONE_NEWUSER) == 0)
		errno = 0;
	if (user < 0 || n->zone_netns < 0 || errno) {
		int e = errno;
		if (user >= 0)
			close(user);
		return nsb_fail(err, len, -1, "--network=zone:%s: join the zone keeper's (PID %d) "
				"user namespace: %s", zone, (int)k, strerror(e));
	}
	close(user);
	/* the members' maps are written from inside it now, where the caller holds
	 * CAP_SETUID and its ids read the same */
	u->direct = true;
	return 0;
}

/* The folder of the zones: root's under /run, else the caller's own. The fd or -1. */
static int open_zones_dir(struct nsb_net *n, char *err, size_t len)
{
	int top;
	char path[200] = "/run/nsboot";
	if (!n->rootless) {
		top = own_dir(AT_FDCWD, NULL, path, 0755, err, len);
	} else {
		const char *xdg = getenv("XDG_RUNTIME_DIR");
		if (xdg && xdg[0] == '/')
			snprintf(path, sizeof path, "%s/nsboot", xdg);
		else
			snprintf(path, sizeof path, "/tmp/nsboot-%u", (unsigned)geteuid());
		top = own_dir(AT_FDCWD, NULL, path, 0700, err, len);
		snprintf(n->zones_path, sizeof n->zones_path, "%s/zones", path);
	}
	if (top < 0)
		return -1;
	int fd = own_dir(top, path, "zones", n->rootless ? 0700 : 0755, err, len);
	close(top);
	return fd;
}

int nsb_zone_keeper_userns(dev_t dev, ino_t ino)
{
	struct nsb_net n = { .rootless = true };
	char err[256];
	int zones = open_zones_dir(&n, err, sizeof err);
	DIR *d = zones >= 0 ? fdopendir(zones) : NULL;
	if (!d) {
		if (zones >= 0)
			close(zones);
		return -ENOENT;
	}
	int found = -ENOENT;
	struct dirent *e;
	while (found < 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !nsb_zone_name_ok(e->d_name))
			continue;
		int z = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		pid_t k = z >= 0 ? live_keeper(z) : 0;
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/ns/user", (int)k);
		int user = k > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
		struct stat st;
		/* the keeper's only if it still holds its lock under the same PID now */
		if (user >= 0 && fstat(user, &st) == 0 && st.st_dev == dev && st.st_ino == ino &&
		    live_keeper(z) == k)
			found = user;
		else if (user >= 0)
			close(user);
		if (z >= 0)
			close(z);
	}
	closedir(d);
	return found;
}

int nsb_zone_join(struct nsb_net *n, struct nsb_users *u, const char *zone, const char *name,
		  char *err, size_t len)
{
	if (!host_name_ok(name))
		return nsb_fail(err, len, -1, "--network=zone:%s: the machine name '%s' is not a "
				"host name (A-Z a-z 0-9 - . _; --hostname)", zone, name);
	n->rootless = geteuid() != 0;
	snprintf(n->zones_path, sizeof n->zones_path, "%s", NSB_ZONES_DIR);
	snprintf(n->bridge, sizeof n->bridge, "vz-%s", zone);
	nsb_net_ifname(n->host_if, "vb-", name, 0);
	if ((n->zones_dir = open_zones_dir(n, err, len)) < 0)
		return -1;
	int lock = openat(n->zones_dir, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return nsb_fail(err, len, -1, "%s/.lock: %s", n->zones_path, strerror(errno));
	struct nsb_nl *nl = n->rootless ? NULL : nsb_nl_open();
	int r = nl || n->rootless ? join_locked(n, u, zone, nl, err, len) :
		nsb_fail(err, len, -1, "rtnetlink socket: %s", strerror(errno));
	nsb_nl_close(nl);
	close(lock);
	return r;
}

void nsb_zone_leave(struct nsb_net *n)
{
	if (n->zones_dir < 0 || n->slot < 0)
		return;
	int lock = openat(n->zones_dir, ".lock", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		log_warn("zone: %s/.lock: %s", n->zones_path, strerror(errno));
		if (lock >= 0)
			close(lock);
		return;
	}
	const char *zone = n->bridge + 3;
	int z = openat(n->zones_dir, zone, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (z >= 0) {
		char file[32];
		snprintf(file, sizeof file, "member.%d", n->slot);
		write_slot(z, n->slot, NULL);
		unlinkat(z, file, 0);
		if (n->member_fd >= 0)
			close(n->member_fd);
		n->member_fd = -1;
		int live = sweep_members(z, NULL);
		close(z);
		if (live == 0) {
			struct nsb_nl *nl = n->rootless ? NULL : nsb_nl_open();
			remove_zone(n->zones_dir, zone, nl);
			nsb_nl_close(nl);
		}
	}
	n->slot = -1;
	close(lock);
}
