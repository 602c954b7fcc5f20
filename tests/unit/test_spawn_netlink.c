/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The rtnetlink requests (spawn/netlink.c) without a socket: libmnl's socket calls are
 * faked with -Wl,--wrap, each request is taken apart with libmnl's own parsers, and the
 * kernel's answers (an acknowledgement, an error, a message before the answer, an answer
 * to another request, a failed read) are made up here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <string.h>

#include "../../spawn/netlink.h"

#define PORTID 4242u

/* ---- the fakes ---- */

static int sock_token, opened, closed, open_errno, bind_errno, send_errno;
/* What the kernel answers each read with, in turn: 0 an acknowledgement, an errno an
 * error, or one of these. */
enum { ANSWER_NOOP = -1, ANSWER_OTHER_SEQ = -2, ANSWER_READ_FAILS = -3 };
static int answers[4], n_answers, reads;
static char sent[8192];
static size_t sent_len;
static int sends;

struct mnl_socket *__wrap_mnl_socket_open2(int bus, int flags)
{
	assert_int_equal(bus, NETLINK_ROUTE);
	assert_true(flags & SOCK_CLOEXEC);
	if (open_errno) {
		errno = open_errno;
		return NULL;
	}
	opened++;
	return (struct mnl_socket *)&sock_token;
}

int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned groups, pid_t pid)
{
	if (bind_errno) {
		errno = bind_errno;
		return -1;
	}
	return 0;
}

unsigned __wrap_mnl_socket_get_portid(const struct mnl_socket *nl)
{
	return PORTID;
}

int __wrap_mnl_socket_close(struct mnl_socket *nl)
{
	assert_ptr_equal(nl, &sock_token);
	closed++;
	return 0;
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t len)
{
	sends++;
	if (send_errno) {
		errno = send_errno;
		return -1;
	}
	assert_true(len <= sizeof sent);
	memcpy(sent, req, len);
	sent_len = len;
	return (ssize_t)len;
}

ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len)
{
	int a = reads < n_answers ? answers[reads] : 0;
	reads++;
	if (a == ANSWER_READ_FAILS) {
		errno = EINTR;
		return -1;
	}
	const struct nlmsghdr *req = (const struct nlmsghdr *)sent;
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_seq = req->nlmsg_seq + (a == ANSWER_OTHER_SEQ);
	h->nlmsg_pid = PORTID;
	if (a == ANSWER_NOOP) {
		h->nlmsg_type = NLMSG_NOOP;
		return h->nlmsg_len;
	}
	h->nlmsg_type = NLMSG_ERROR;
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(h, sizeof *e);
	e->error = a > 0 ? -a : 0;
	e->msg = *req;
	return h->nlmsg_len;
}

/* ---- taking the request apart ---- */

#define MAX_ATTR 64
typedef const struct nlattr *table[MAX_ATTR];

static int collect(const struct nlattr *a, void *data)
{
	const struct nlattr **t = data;
	if (mnl_attr_get_type(a) < MAX_ATTR)
		t[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* The request sent last, its attributes after an extra header of EXTRA bytes in T. */
static const struct nlmsghdr *request(size_t extra, table t)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)sent;
	assert_int_equal(h->nlmsg_len, sent_len);
	memset(t, 0, sizeof(table));
	assert_int_equal(mnl_attr_parse(h, (unsigned)extra, collect, (void *)t), MNL_CB_OK);
	return h;
}

static void nested(const struct nlattr *a, table t)
{
	assert_non_null(a);
	memset(t, 0, sizeof(table));
	assert_int_equal(mnl_attr_parse_nested(a, collect, (void *)t), MNL_CB_OK);
}

/* ---- set-up ---- */

static struct nsb_nl *nl;

static int setup(void **state)
{
	opened = closed = open_errno = bind_errno = send_errno = 0;
	n_answers = reads = sends = 0;
	sent_len = 0;
	nl = nsb_nl_open();
	return nl ? 0 : -1;
}

static int teardown(void **state)
{
	nsb_nl_close(nl);
	assert_int_equal(closed, opened);
	return 0;
}

/* ---- the requests ---- */

static void bridge(void **state)
{
	assert_int_equal(nsb_nl_add_bridge(nl, "vz-lan"), 0);
	table t, info;
	const struct nlmsghdr *h = request(sizeof(struct ifinfomsg), t);
	assert_int_equal(h->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	assert_int_equal(ifi->ifi_family, AF_UNSPEC);
	assert_int_equal(ifi->ifi_index, 0);
	assert_string_equal(mnl_attr_get_str(t[IFLA_IFNAME]), "vz-lan");
	nested(t[IFLA_LINKINFO], info);
	assert_string_equal(mnl_attr_get_str(info[IFLA_INFO_KIND]), "bridge");
	assert_null(t[IFLA_MASTER]);
}

static void veth(void **state)
{
	assert_int_equal(nsb_nl_add_veth(nl, "vb-web", 5, "host0", 9), 0);
	table t, info, data, peer;
	const struct nlmsghdr *h = request(sizeof(struct ifinfomsg), t);
	assert_int_equal(h->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	assert_string_equal(mnl_attr_get_str(t[IFLA_IFNAME]), "vb-web");
	assert_int_equal(mnl_attr_get_u32(t[IFLA_MASTER]), 5);
	nested(t[IFLA_LINKINFO], info);
	assert_string_equal(mnl_attr_get_str(info[IFLA_INFO_KIND]), "veth");
	nested(info[IFLA_INFO_DATA], data);
	/* the peer: an ifinfomsg of its own, then its name and namespace */
	const struct nlattr *p = data[VETH_INFO_PEER];
	assert_non_null(p);
	const char *payload = mnl_attr_get_payload(p);
	size_t len = mnl_attr_get_payload_len(p);
	assert_true(len > sizeof(struct ifinfomsg));
	memset(peer, 0, sizeof peer);
	assert_int_equal(mnl_attr_parse_payload(payload + sizeof(struct ifinfomsg),
						len - sizeof(struct ifinfomsg), collect, (void *)peer),
			 MNL_CB_OK);
	assert_string_equal(mnl_attr_get_str(peer[IFLA_IFNAME]), "host0");
	assert_int_equal(mnl_attr_get_u32(peer[IFLA_NET_NS_FD]), 9);
	/* no master: the host end is on no bridge */
	assert_int_equal(nsb_nl_add_veth(nl, "ve-web", 0, "host0", 9), 0);
	request(sizeof(struct ifinfomsg), t);
	assert_null(t[IFLA_MASTER]);
}

static void links(void **state)
{
	table t;
	assert_int_equal(nsb_nl_del_link(nl, "ve-web"), 0);
	const struct nlmsghdr *h = request(sizeof(struct ifinfomsg), t);
	assert_int_equal(h->nlmsg_type, RTM_DELLINK);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_string_equal(mnl_attr_get_str(t[IFLA_IFNAME]), "ve-web");
	uint32_t seq = h->nlmsg_seq;

	assert_int_equal(nsb_nl_link_up(nl, 7), 0);
	h = request(sizeof(struct ifinfomsg), t);
	assert_int_equal(h->nlmsg_seq, seq + 1);
	assert_int_equal(h->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	assert_int_equal(ifi->ifi_index, 7);
	assert_int_equal(ifi->ifi_flags, IFF_UP);
	assert_int_equal(ifi->ifi_change, IFF_UP);

	table spec, inet, conf;
	assert_int_equal(nsb_nl_arp_notify(nl, 7), 0);
	h = request(sizeof(struct ifinfomsg), t);
	ifi = mnl_nlmsg_get_payload(h);
	assert_int_equal(ifi->ifi_index, 7);
	assert_int_equal(ifi->ifi_change, 0); /* the link's flags are left alone */
	nested(t[IFLA_AF_SPEC], spec);
	nested(spec[AF_INET], inet);
	nested(inet[IFLA_INET_CONF], conf);
	assert_int_equal(mnl_attr_get_u32(conf[IPV4_DEVCONF_ARP_NOTIFY]), 1);
}

static void addresses(void **state)
{
	table t;
	assert_int_equal(nsb_nl_add_addr4(nl, 7, 0x0a000002, 30), 0);
	const struct nlmsghdr *h = request(sizeof(struct ifaddrmsg), t);
	assert_int_equal(h->nlmsg_type, RTM_NEWADDR);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	assert_int_equal(ifa->ifa_family, AF_INET);
	assert_int_equal(ifa->ifa_prefixlen, 30);
	assert_int_equal(ifa->ifa_index, 7);
	assert_int_equal(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(mnl_attr_get_u32(t[IFA_LOCAL]), htonl(0x0a000002));
	assert_int_equal(mnl_attr_get_u32(t[IFA_ADDRESS]), htonl(0x0a000002));
	assert_int_equal(mnl_attr_get_u32(t[IFA_BROADCAST]), htonl(0x0a000003));
	assert_int_equal(nsb_nl_add_addr4(nl, 5, 0x0a7b0101, 24), 0);
	request(sizeof(struct ifaddrmsg), t);
	assert_int_equal(mnl_attr_get_u32(t[IFA_BROADCAST]), htonl(0x0a7b01ff));
	/* a /31 or /32 has no broadcast address */
	assert_int_equal(nsb_nl_add_addr4(nl, 7, 0x0a000002, 31), 0);
	request(sizeof(struct ifaddrmsg), t);
	assert_null(t[IFA_BROADCAST]);
	assert_int_equal(nsb_nl_add_addr4(nl, 7, 0x0a000002, 32), 0);
	request(sizeof(struct ifaddrmsg), t);
	assert_null(t[IFA_BROADCAST]);
}

static void default_route(void **state)
{
	table t;
	assert_int_equal(nsb_nl_add_default4(nl, 7, 0x0a000001), 0);
	const struct nlmsghdr *h = request(sizeof(struct rtmsg), t);
	assert_int_equal(h->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	const struct rtmsg *rt = mnl_nlmsg_get_payload(h);
	assert_int_equal(rt->rtm_family, AF_INET);
	assert_int_equal(rt->rtm_dst_len, 0);
	assert_int_equal(rt->rtm_table, RT_TABLE_MAIN);
	assert_int_equal(rt->rtm_protocol, RTPROT_STATIC);
	assert_int_equal(rt->rtm_type, RTN_UNICAST);
	assert_null(t[RTA_DST]);
	assert_int_equal(mnl_attr_get_u32(t[RTA_GATEWAY]), htonl(0x0a000001));
	assert_int_equal(mnl_attr_get_u32(t[RTA_OIF]), 7);
}

/* ---- the kernel's answers ---- */

static void answers_and_failures(void **state)
{
	answers[0] = EEXIST;
	n_answers = 1;
	assert_int_equal(nsb_nl_add_bridge(nl, "vz-lan"), -EEXIST);
	/* what comes before the answer is read past */
	reads = 0;
	answers[0] = ANSWER_NOOP;
	answers[1] = ANSWER_NOOP;
	answers[2] = ENODEV;
	n_answers = 3;
	assert_int_equal(nsb_nl_del_link(nl, "vz-lan"), -ENODEV);
	assert_int_equal(reads, 3);
	/* an answer to another request is not this one's */
	reads = 0;
	answers[0] = ANSWER_OTHER_SEQ;
	n_answers = 1;
	assert_int_equal(nsb_nl_link_up(nl, 7), -EPROTO);
	reads = 0;
	answers[0] = ANSWER_READ_FAILS;
	assert_int_equal(nsb_nl_link_up(nl, 7), -EINTR);
	n_answers = 0;
	send_errno = ENOBUFS;
	reads = 0;
	assert_int_equal(nsb_nl_add_addr4(nl, 7, 0x0a000002, 30), -ENOBUFS);
	assert_int_equal(reads, 0);
}

static void opening(void **state)
{
	/* the socket made in setup is closed on the way out */
	nsb_nl_close(nl);
	nl = NULL;
	nsb_nl_close(NULL);
	open_errno = EMFILE;
	errno = 0;
	assert_null(nsb_nl_open());
	assert_int_equal(errno, EMFILE);
	open_errno = 0;
	bind_errno = EADDRINUSE;
	errno = 0;
	assert_null(nsb_nl_open());
	assert_int_equal(errno, EADDRINUSE);
	assert_int_equal(closed, opened);
}

static void ifindex(void **state)
{
	assert_true(nsb_nl_ifindex(nl, "lo") > 0);
	assert_int_equal(nsb_nl_ifindex(nl, "nsb-nonexist0"), -ENODEV);
	assert_int_equal(sends, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(bridge),
		T(veth),
		T(links),
		T(addresses),
		T(default_route),
		T(answers_and_failures),
		T(opening),
		T(ifindex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
