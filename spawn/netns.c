/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's net namespace, made beside the root (spawn/netns.h). */
#include "netns.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>

/* Makes the net namespace of the calling thread a new one with lo up; with WANT_FD keeps
 * an fd to it in N->fd. Fills N->err and N->what on failure. */
static void make(struct nsb_netns *n, bool want_fd)
{
	struct ifreq ifr = { 0 };
	int s = -1;
	n->what = "unshare the net namespace";
	if (unshare(CLONE_NEWNET) < 0)
		goto fail;
	n->what = "bring lo up";
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	/* the socket's namespace: no path needed, while the other thread moves the root */
	n->what = "open the net namespace";
	if (want_fd && (n->fd = ioctl(s, SIOCGSKNS)) < 0)
		goto fail;
	close(s);
	n->err = 0;
	return;
fail:
	n->err = errno;
	if (s >= 0)
		close(s);
}

static void *thread_main(void *arg)
{
	struct nsb_netns *n = arg;
	make(n, true);
	__atomic_store_n(&n->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

void nsb_netns_start(struct nsb_netns *n)
{
	*n = (struct nsb_netns){ .fd = -1 };
	cpu_set_t cpus;
	pthread_attr_t attr;
	/* Only a thread on another CPU gains: on the caller's it would just wait its turn. */
	int cpu = sched_getcpu();
	if (cpu >= 0 && sched_getaffinity(0, sizeof cpus, &cpus) == 0) {
		CPU_CLR(cpu, &cpus);
		if (CPU_COUNT(&cpus) > 0 && pthread_attr_init(&attr) == 0) {
			n->threaded = pthread_attr_setaffinity_np(&attr, sizeof cpus, &cpus) == 0 &&
				      pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
				      pthread_create(&n->thread, &attr, thread_main, n) == 0;
			pthread_attr_destroy(&attr);
		}
	}
	if (!n->threaded)
		make(n, false);
}

int nsb_netns_join(void *arg, char *err, size_t len)
{
	struct nsb_netns *n = arg;
	if (n->joined)
		return 0;
	n->joined = true;
	/* the thread usually finished long ago; if not, it runs on the other CPU: yield, do
	 * not sleep (a futex wake-up costs more than the wait here) */
	while (n->threaded && !__atomic_load_n(&n->done, __ATOMIC_ACQUIRE))
		sched_yield();
	if (n->err == 0 && n->threaded && setns(n->fd, CLONE_NEWNET) < 0) {
		n->err = errno;
		n->what = "enter the net namespace";
	}
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
	if (n->err == 0)
		return 0;
	snprintf(err, len, "%s: %s", n->what, strerror(n->err));
	return -n->err;
}
