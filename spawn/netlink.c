/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rtnetlink through libmnl (see netlink.h). */
#include "netlink.h"

#include <net/if.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct nsb_nl {
	struct mnl_socket *sock;
	unsigned portid;
	unsigned seq;
	char buf[8192];
};

struct nsb_nl *nsb_nl_open(void)
{
	struct nsb_nl *nl = calloc(1, sizeof *nl);
	if (!nl)
		return NULL;
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		if (nl->sock)
			mnl_socket_close(nl->sock);
		free(nl);
		errno = e;
		return NULL;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	return nl;
}

void nsb_nl_close(struct nsb_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

/* Starts a request of TYPE with FLAGS (NLM_F_REQUEST|NLM_F_ACK added) in NL's buffer. */
static struct nlmsghdr *start(struct nsb_nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* Sends NLH and reads the kernel's acknowledgement; 0 or -errno. */
static int talk(struct nsb_nl *nl, struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	unsigned seq = nlh->nlmsg_seq;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof nl->buf);
		if (n < 0)
			return -errno;
		int r = mnl_cb_run(nl->buf, (size_t)n, seq, nl->portid, NULL, NULL);
		if (r < 0)
			return -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

/* A link request's ifinfomsg. */
static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int ifindex)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return ifi;
}

int nsb_nl_add_bridge(struct nsb_nl *nl, const char *name)
{
	struct nlmsghdr *nlh = start(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	return talk(nl, nlh);
}

int nsb_nl_add_veth(struct nsb_nl *nl, const char *name, int master, const char *peer,
		    int peer_netns_fd)
{
	struct nlmsghdr *nlh = start(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (master > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer's attributes follow an ifinfomsg of its own */
	struct ifinfomsg *pi = mnl_nlmsg_put_extra_header(nlh, sizeof *pi);
	pi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return talk(nl, nlh);
}

int nsb_nl_del_link(struct nsb_nl *nl, const char *name)
{
	struct nlmsghdr *nlh = start(nl, RTM_DELLINK, 0);
	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return talk(nl, nlh);
}

int nsb_nl_link_up(struct nsb_nl *nl, int ifindex)
{
	struct nlmsghdr *nlh = start(nl, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = put_ifinfo(nlh, ifindex);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return talk(nl, nlh);
}

int nsb_nl_arp_notify(struct nsb_nl *nl, int ifindex)
{
	struct nlmsghdr *nlh = start(nl, RTM_NEWLINK, 0);
	put_ifinfo(nlh, ifindex);
	struct nlattr *spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	struct nlattr *inet = mnl_attr_nest_start(nlh, AF_INET);
	struct nlattr *conf = mnl_attr_nest_start(nlh, IFLA_INET_CONF);
	/* the attribute's type is the setting's (1-based) index */
	mnl_attr_put_u32(nlh, IPV4_DEVCONF_ARP_NOTIFY, 1);
	mnl_attr_nest_end(nlh, conf);
	mnl_attr_nest_end(nlh, inet);
	mnl_attr_nest_end(nlh, spec);
	return talk(nl, nlh);
}

int nsb_nl_add_addr4(struct nsb_nl *nl, int ifindex, uint32_t addr, unsigned prefix)
{
	struct nlmsghdr *nlh = start(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	uint32_t a = htonl(addr);
	mnl_attr_put_u32(nlh, IFA_LOCAL, a);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
	if (prefix < 31) {
		uint32_t bcast = htonl(addr | ~(~0U << (32 - prefix)));
		mnl_attr_put_u32(nlh, IFA_BROADCAST, bcast);
	}
	return talk(nl, nlh);
}

int nsb_nl_add_default4(struct nsb_nl *nl, int ifindex, uint32_t gw)
{
	struct nlmsghdr *nlh = start(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof *rt);
	rt->rtm_family = AF_INET;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(gw));
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return talk(nl, nlh);
}

int nsb_nl_ifindex(struct nsb_nl *nl, const char *name)
{
	(void)nl;
	unsigned i = if_nametoindex(name);
	return i ? (int)i : -errno;
}
