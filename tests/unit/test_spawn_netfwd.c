/* SPDX-License-Identifier: GPL-3.0-or-later */
/* veth's --port (spawn/netfwd.c) without touching the host: bind(2) is faked (a port
 * taken, an address not the host's, else nothing is bound), and so is the kernel's side
 * of the nftables batch: what nsboot sends is kept and parsed back with libnftnl, the
 * answers are made here (acknowledgements, one error, or none at all). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "../../spawn/netfwd.h"

/* bind: port 1111 is taken, 2222's address is not the host's; the rest "succeed". */
int __wrap_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	unsigned port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (port == 1111 || port == 2222) {
		errno = port == 1111 ? EADDRINUSE : EADDRNOTAVAIL;
		return -1;
	}
	return 0;
}

/* The kernel's side: the batch sent, the message (counted from the table's, 0) that
 * fails and how, and whether it answers at all. */
static char sent[96 * 1024] __attribute__((aligned(4)));
static size_t sent_len;
static int fail_at = -1, fail_errno;
static bool silent;

int __wrap_poll(struct pollfd *p, nfds_t n, int timeout)
{
	return silent ? 0 : 1;
}
/* what a fortified build calls instead */
int __wrap___poll_chk(struct pollfd *p, nfds_t n, int timeout, size_t size)
{
	return __wrap_poll(p, n, timeout);
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	assert_true(len <= sizeof sent);
	memcpy(sent, buf, len);
	sent_len = len;
	return (ssize_t)len;
}

/* Every message of the batch but its BEGIN and END, in order. */
static size_t batch_msgs(const struct nlmsghdr **out, size_t max)
{
	size_t k = 0;
	int rest = (int)sent_len;
	for (const struct nlmsghdr *h = (const struct nlmsghdr *)sent; mnl_nlmsg_ok(h, rest);
	     h = mnl_nlmsg_next(h, &rest))
		if (h->nlmsg_type != NFNL_MSG_BATCH_BEGIN && h->nlmsg_type != NFNL_MSG_BATCH_END &&
		    k < max)
			out[k++] = h;
	return k;
}

/* All the answers at once: an acknowledgement each, or the error at FAIL_AT. */
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len)
{
	const struct nlmsghdr *m[200];
	size_t n = batch_msgs(m, 200), off = 0;
	for (size_t i = 0; i < n && off + 64 <= len; i++) {
		struct nlmsghdr *h = mnl_nlmsg_put_header((char *)buf + off);
		h->nlmsg_type = NLMSG_ERROR;
		h->nlmsg_seq = m[i]->nlmsg_seq;
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(h, sizeof *e);
		e->error = (int)i == fail_at ? -fail_errno : 0;
		e->msg = *m[i];
		off += h->nlmsg_len;
	}
	return (ssize_t)off;
}

static void reset_kernel(void)
{
	sent_len = 0;
	fail_at = -1;
	silent = false;
}

static struct nsb_config config(size_t n, const char **ports)
{
	struct nsb_config c;
	nsb_config_init(&c);
	c.network = NSB_NET_VETH;
	for (size_t i = 0; i < n; i++)
		c.ports[i] = ports[i];
	c.n_ports = n;
	return c;
}

static void reserve(void **state)
{
	struct nsb_fwd f;
	char err[512];
	const char *ok[] = { "8080:80", "192.0.2.1:5353:53/udp" };
	struct nsb_config c = config(2, ok);
	assert_int_equal(nsb_fwd_reserve(&f, &c, err, sizeof err), 0);
	assert_int_equal(f.n, 2);
	assert_true(f.hold[0] >= 0 && f.hold[1] >= 0);
	assert_int_equal(f.host_addr[0], 0);
	assert_int_equal(f.host_addr[1], 0xc0000201);
	assert_int_equal(f.host_port[1], 5353);
	assert_int_equal(f.cont_port[1], 53);
	assert_int_equal(f.proto[0], IPPROTO_TCP);
	assert_int_equal(f.proto[1], IPPROTO_UDP);
	nsb_fwd_close(&f);
	assert_int_equal(f.n, 0);

	const char *taken[] = { "8080:80", "1111/udp" };
	c = config(2, taken);
	assert_int_equal(nsb_fwd_reserve(&f, &c, err, sizeof err), -EADDRINUSE);
	assert_string_equal(err, "--port=1111/udp: *:1111/udp is taken on the host (by another "
			    "container's --port or a host program)");
	assert_true(f.hold[0] >= 0); /* closed by nsb_fwd_close, as nsboot's exit does */
	assert_int_equal(f.hold[1], -1);
	nsb_fwd_close(&f);
	const char *elsewhere[] = { "192.0.2.9:2222:22" };
	c = config(1, elsewhere);
	assert_int_equal(nsb_fwd_reserve(&f, &c, err, sizeof err), -EADDRNOTAVAIL);
	assert_string_equal(err, "--port=192.0.2.9:2222:22: 192.0.2.9 is no address of the host");
	nsb_fwd_close(&f);
}

/* Reserves PORTS and applies them for ve-x at 10.124.0.2; the result. */
static int apply(size_t n, const char **ports, struct nsb_fwd *f, char *err, size_t len)
{
	struct nsb_config c = config(n, ports);
	assert_int_equal(nsb_fwd_reserve(f, &c, err, len), 0);
	return nsb_fwd_apply(f, "ve-x", 0x0a7c0002, err, len);
}

static void batch(void **state)
{
	struct nsb_fwd f;
	char err[512], text[2048];
	const char *ports[] = { "8080:80", "192.0.2.1:5353:53/udp" };
	reset_kernel();
	assert_int_equal(apply(2, ports, &f, err, sizeof err), 0);
	assert_non_null(f.nl); /* kept: the table lives as long as this socket */
	const struct nlmsghdr *m[16];
	/* a table, two chains, two rules per forward */
	assert_int_equal(batch_msgs(m, 16), 7);
	assert_int_equal(m[0]->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE);
	assert_true(m[0]->nlmsg_flags & NLM_F_EXCL);
	struct nftnl_table *t = nftnl_table_alloc();
	assert_int_equal(nftnl_table_nlmsg_parse(m[0], t), 0);
	assert_string_equal(nftnl_table_get_str(t, NFTNL_TABLE_NAME), "nsboot-ve-x");
	/* the owner flag: what makes the kernel remove the table with nsboot */
	assert_int_equal(nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS), NFT_TABLE_F_OWNER);
	nftnl_table_free(t);
	for (size_t i = 3; i < 7; i++)
		assert_int_equal(m[i]->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE);
	/* the first forward's output rule: loopback excepted, any local address, tcp 8080,
	 * to 10.124.0.2:80 */
	struct nftnl_rule *r = nftnl_rule_alloc();
	assert_int_equal(nftnl_rule_nlmsg_parse(m[4], r), 0);
	assert_string_equal(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), "output");
	nftnl_rule_snprintf(text, sizeof text, r, NFTNL_OUTPUT_DEFAULT, 0);
	nftnl_rule_free(r);
	const char *want[] = { "payload load 1b @ network header + 16 => reg 1",
			       "cmp neq reg 1 0x0000007f", "fib daddr type => reg 1",
			       "cmp eq reg 1 0x00000002", "cmp eq reg 1 0x00000006",
			       "cmp eq reg 1 0x0000901f", "immediate reg 1 0x02007c0a",
			       "immediate reg 2 0x00005000", "nat dnat ip addr_min reg 1" };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(text, want[i]))
			fail_msg("'%s' not in %s", want[i], text);
	/* the second's prerouting rule: its address, udp 5353 */
	r = nftnl_rule_alloc();
	assert_int_equal(nftnl_rule_nlmsg_parse(m[5], r), 0);
	assert_string_equal(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), "prerouting");
	nftnl_rule_snprintf(text, sizeof text, r, NFTNL_OUTPUT_DEFAULT, 0);
	nftnl_rule_free(r);
	assert_non_null(strstr(text, "cmp eq reg 1 0x010200c0"));
	assert_non_null(strstr(text, "cmp eq reg 1 0x00000011"));
	assert_null(strstr(text, "fib"));
	nsb_fwd_close(&f);
	assert_null(f.nl);

	/* no forward, no table */
	reset_kernel();
	assert_int_equal(apply(0, ports, &f, err, sizeof err), 0);
	assert_int_equal(sent_len, 0);
	assert_null(f.nl);
}

static void errors(void **state)
{
	struct nsb_fwd f;
	char err[512];
	const char *ports[] = { "8080:80", "9090:90" };
	reset_kernel();
	fail_at = 0;
	fail_errno = EEXIST;
	assert_int_equal(apply(2, ports, &f, err, sizeof err), -EEXIST);
	assert_string_equal(err, "--port: nftables (table ip nsboot-ve-x): File exists (made "
			    "by hand, or another nsboot's whose container is going away)");
	assert_null(f.nl); /* closed: a table made would go with it */
	nsb_fwd_close(&f);
	reset_kernel();
	fail_at = 2;
	fail_errno = ENOENT;
	assert_int_equal(apply(2, ports, &f, err, sizeof err), -ENOENT);
	assert_string_equal(err, "--port: nftables (table ip nsboot-ve-x: chain output): No "
			    "such file or directory (needs a kernel with nftables' nat and fib, "
			    "Linux 5.12 or later)");
	nsb_fwd_close(&f);
	/* the rules name their --port: the second forward's output rule is the last */
	reset_kernel();
	fail_at = 6;
	fail_errno = EBUSY;
	assert_int_equal(apply(2, ports, &f, err, sizeof err), -EBUSY);
	assert_string_equal(err, "--port: nftables (--port=9090:90): Device or resource busy");
	nsb_fwd_close(&f);
	reset_kernel();
	silent = true;
	assert_int_equal(apply(1, ports, &f, err, sizeof err), -ETIMEDOUT);
	assert_string_equal(err, "--port: nftables (the kernel's answer): Connection timed out");
	assert_null(f.nl);
	nsb_fwd_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reserve),
		cmocka_unit_test(batch),
		cmocka_unit_test(errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
