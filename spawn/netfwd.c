/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --port with --network=veth: host ports reserved by bound sockets, DNAT rules in an
 * nftables table that the kernel removes with nsboot's netlink socket (see netfwd.h).
 *
 * The table, for --port=8080:80 and --port=192.0.2.1:5353:53/udp to 10.124.0.2:
 *
 *   table ip nsboot-ve-web {                # flags owner
 *     chain prerouting { type nat hook prerouting priority dstnat; policy accept;
 *       fib daddr type local tcp dport 8080 dnat to 10.124.0.2:80
 *       ip daddr 192.0.2.1 udp dport 5353 dnat to 10.124.0.2:53 }
 *     chain output { type nat hook output priority -100; policy accept;
 *       ip daddr != 127.0.0.0/8 fib daddr type local tcp dport 8080 dnat to 10.124.0.2:80
 *       ip daddr 192.0.2.1 udp dport 5353 dnat to 10.124.0.2:53 }
 *   }
 *
 * prerouting takes what arrives from elsewhere (forwarded on to the veth, which needs
 * the host's ip_forward), output what the host's own programs send. Loopback is left
 * out: a DNATed packet from 127.0.0.1 is dropped on the veth unless route_localnet is
 * set, which nsboot never changes (--port=127.0.0.1:... is refused when parsed). */
#include "netfwd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "netopt.h"

/* How long nsboot waits for the kernel's answer to the table's batch. */
#define NSB_FWD_ANSWER_MS 5000
/* The batch: a table, two chains, a rule per forward and chain (a rule is < 600 bytes). */
#define NSB_FWD_BATCH (4096 + NSB_MAX_SPECS * 2 * 640)
#define NSB_FWD_SLACK 4096

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

/* Binds a socket of F's forward I to its host address and port and keeps it. */
static int hold_port(struct nsb_fwd *f, size_t i, char *err, size_t len)
{
	bool udp = f->proto[i] == IPPROTO_UDP;
	int s = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (s < 0)
		return nsb_fail(err, len, -errno, "--port=%s: socket: %s", f->spec[i],
				strerror(errno));
	/* datagrams to the port on loopback (never forwarded) land here: keep few */
	int small = 1;
	if (udp)
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(f->host_port[i]),
				  .sin_addr.s_addr = htonl(f->host_addr[i]) };
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(s);
		char a[INET_ADDRSTRLEN] = "*";
		if (f->host_addr[i])
			inet_ntop(AF_INET, &sa.sin_addr, a, sizeof a);
		if (e == EADDRINUSE)
			return nsb_fail(err, len, -e, "--port=%s: %s:%u/%s is taken on the host "
					"(by another container's --port or a host program)",
					f->spec[i], a, f->host_port[i], proto_name(f->proto[i]));
		if (e == EADDRNOTAVAIL)
			return nsb_fail(err, len, -e, "--port=%s: %s is no address of the host",
					f->spec[i], a);
		return nsb_fail(err, len, -e, "--port=%s: bind %s:%u/%s: %s", f->spec[i], a,
				f->host_port[i], proto_name(f->proto[i]), strerror(e));
	}
	f->hold[i] = s;
	return 0;
}

int nsb_fwd_reserve(struct nsb_fwd *f, const struct nsb_config *c, char *err, size_t len)
{
	*f = (struct nsb_fwd){ .n = 0 };
	for (size_t i = 0; i < c->n_ports; i++) {
		struct nsb_port p;
		struct in_addr a = { 0 };
		/* checked when parsed (nsb_check_network): IPv4 or none, not loopback */
		if (!nsb_parse_port(c->ports[i], &p) ||
		    (p.host_addr[0] && inet_pton(AF_INET, p.host_addr, &a) != 1))
			return nsb_fail(err, len, -EINVAL, "--port=%s: malformed", c->ports[i]);
		f->spec[i] = c->ports[i];
		f->hold[i] = -1;
		f->host_addr[i] = ntohl(a.s_addr);
		f->host_port[i] = p.host_port;
		f->cont_port[i] = p.cont_port;
		f->proto[i] = p.udp ? IPPROTO_UDP : IPPROTO_TCP;
		f->n = i + 1;
		int r = hold_port(f, i, err, len);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Appends expression NAME to R; NULL when out of memory. */
static struct nftnl_expr *add_expr(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);
	if (e)
		nftnl_rule_add_expr(r, e);
	return e;
}

/* [ payload load LEN b @ BASE header + OFFSET => reg 1 ] */
static bool load_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = add_expr(r, "payload");
	if (!e)
		return false;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	return true;
}

/* [ cmp OP reg 1 DATA ] */
static bool cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = add_expr(r, "cmp");
	if (!e)
		return false;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return true;
}

/* [ immediate reg REG DATA ] */
static bool immediate(struct nftnl_rule *r, uint32_t reg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = add_expr(r, "immediate");
	if (!e)
		return false;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
	return true;
}

/* The match on the host address of forward I: "ip daddr HOSTADDR", or any local
 * address ("fib daddr type local"), in OUTPUT loopback's excepted. */
static bool match_daddr(struct nftnl_rule *r, const struct nsb_fwd *f, size_t i, bool output)
{
	if (f->host_addr[i]) {
		uint32_t a = htonl(f->host_addr[i]);
		return load_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4) &&
		       cmp(r, NFT_CMP_EQ, &a, sizeof a);
	}
	uint8_t loopback_net = 127;
	if (output && !(load_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 1) &&
			cmp(r, NFT_CMP_NEQ, &loopback_net, 1)))
		return false;
	struct nftnl_expr *e = add_expr(r, "fib");
	if (!e)
		return false;
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	uint32_t local = RTN_LOCAL;
	return cmp(r, NFT_CMP_EQ, &local, sizeof local);
}

/* The rule of forward I in CHAIN: match, then "dnat to ADDR:CONTPORT". */
static struct nftnl_rule *fwd_rule(const struct nsb_fwd *f, size_t i, const char *chain,
				   uint32_t addr)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	if (!r)
		return NULL;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, f->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	uint8_t proto = f->proto[i];
	uint16_t dport = htons(f->host_port[i]), to_port = htons(f->cont_port[i]);
	uint32_t to = htonl(addr);
	struct nftnl_expr *meta, *nat;
	bool ok = match_daddr(r, f, i, strcmp(chain, "output") == 0) &&
		  (meta = add_expr(r, "meta")) != NULL;
	if (ok) {
		nftnl_expr_set_u32(meta, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
		nftnl_expr_set_u32(meta, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	ok = ok && cmp(r, NFT_CMP_EQ, &proto, 1) &&
	     load_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2) &&
	     cmp(r, NFT_CMP_EQ, &dport, 2) && immediate(r, NFT_REG_1, &to, 4) &&
	     immediate(r, NFT_REG_2, &to_port, 2) && (nat = add_expr(r, "nat")) != NULL;
	if (!ok) {
		nftnl_rule_free(r);
		return NULL;
	}
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
	return r;
}

/* A batch being built: each message after BEGIN asks for an acknowledgement. */
struct batch {
	struct mnl_nlmsg_batch *b;
	uint32_t first_seq, seq;
	unsigned msgs;
};

/* Starts message TYPE (NFT_MSG_*) with FLAGS in B. */
static struct nlmsghdr *batch_msg(struct batch *b, uint16_t type, uint16_t flags)
{
	b->msgs++;
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->b), type, NFPROTO_IPV4,
				     flags | NLM_F_ACK, b->seq++);
}

/* Ends the message just built; false when it went past the batch's limit (the buffer
 * has NSB_FWD_SLACK bytes beyond it, more than any one message takes). */
static bool batch_next(struct batch *b)
{
	return mnl_nlmsg_batch_next(b->b);
}

static bool add_chain(struct batch *b, const char *table, const char *name, uint32_t hook)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	if (!c)
		return false;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, NF_IP_PRI_NAT_DST);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE), c);
	nftnl_chain_free(c);
	return batch_next(b);
}

/* Builds the table's batch for F into B; false when out of memory. */
static bool build(struct batch *b, const struct nsb_fwd *f, uint32_t addr)
{
	nftnl_batch_begin(mnl_nlmsg_batch_current(b->b), b->seq++);
	mnl_nlmsg_batch_next(b->b);
	b->first_seq = b->seq;
	struct nftnl_table *t = nftnl_table_alloc();
	if (!t)
		return false;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, f->table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, NFT_TABLE_F_OWNER);
	/* EXCL: a table of that name is another nsboot's, never to be joined */
	nftnl_table_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWTABLE,
						  NLM_F_CREATE | NLM_F_EXCL), t);
	nftnl_table_free(t);
	if (!batch_next(b) || !add_chain(b, f->table, "prerouting", NF_INET_PRE_ROUTING) ||
	    !add_chain(b, f->table, "output", NF_INET_LOCAL_OUT))
		return false;
	static const char *const chains[] = { "prerouting", "output" };
	for (size_t i = 0; i < f->n; i++)
		for (size_t k = 0; k < 2; k++) {
			struct nftnl_rule *r = fwd_rule(f, i, chains[k], addr);
			if (!r)
				return false;
			nftnl_rule_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWRULE,
								 NLM_F_CREATE | NLM_F_APPEND), r);
			nftnl_rule_free(r);
			if (!batch_next(b))
				return false;
		}
	nftnl_batch_end(mnl_nlmsg_batch_current(b->b), b->seq++);
	mnl_nlmsg_batch_next(b->b);
	return true;
}

/* What message SEQ of B was, for an error: the table, a chain, or --port=SPEC. */
static void what_failed(const struct batch *b, const struct nsb_fwd *f, uint32_t seq,
			char *out, size_t len)
{
	uint32_t k = seq - b->first_seq;
	if (k == 0)
		snprintf(out, len, "table ip %s", f->table);
	else if (k < 3)
		snprintf(out, len, "table ip %s: chain %s", f->table,
			 k == 1 ? "prerouting" : "output");
	else if ((k - 3) / 2 < f->n)
		snprintf(out, len, "--port=%s", f->spec[(k - 3) / 2]);
	else
		snprintf(out, len, "table ip %s", f->table);
}

/* Reads the kernel's answers to B's messages until each has one or one is an error:
 * 0, or -errno with *SEQ the failed message's (0 when none is to blame). */
static int answers(struct mnl_socket *nl, const struct batch *b, uint32_t *seq)
{
	char buf[8192] __attribute__((aligned(4)));
	unsigned acked = 0;
	long long until = nsb_now_ms() + NSB_FWD_ANSWER_MS;
	*seq = 0;
	while (acked < b->msgs) {
		struct pollfd p = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
		long long left = until - nsb_now_ms();
		int r = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ETIMEDOUT;
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
		if (n < 0)
			return -errno;
		int rest = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, rest);
		     h = mnl_nlmsg_next(h, &rest)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error) {
				*seq = h->nlmsg_seq;
				return e->error < 0 ? e->error : -e->error;
			}
			acked++;
		}
	}
	return 0;
}

int nsb_fwd_apply(struct nsb_fwd *f, const char *host_if, uint32_t addr, char *err,
		  size_t len)
{
	if (f->n == 0)
		return 0;
	snprintf(f->table, sizeof f->table, "nsboot-%s", host_if);
	char *buf = malloc(NSB_FWD_BATCH + NSB_FWD_SLACK);
	struct batch b = { .seq = 1 };
	if (buf)
		b.b = mnl_nlmsg_batch_start(buf, NSB_FWD_BATCH);
	if (!b.b || !build(&b, f, addr)) {
		if (b.b)
			mnl_nlmsg_batch_stop(b.b);
		free(buf);
		return nsb_fail(err, len, -ENOMEM, "--port: table ip %s: out of memory", f->table);
	}
	const char *step = "netlink socket";
	int r = 0;
	uint32_t seq = 0;
	f->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!f->nl || mnl_socket_bind(f->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		r = -errno;
	if (r == 0) {
		step = "send";
		if (mnl_socket_sendto(f->nl, mnl_nlmsg_batch_head(b.b),
				      mnl_nlmsg_batch_size(b.b)) < 0)
			r = -errno;
	}
	if (r == 0) {
		step = "the kernel's answer";
		r = answers(f->nl, &b, &seq);
	}
	char what[96];
	if (seq) {
		what_failed(&b, f, seq, what, sizeof what);
		step = what;
	}
	mnl_nlmsg_batch_stop(b.b);
	free(buf);
	if (r < 0) {
		/* the batch is all or nothing, and a table made is gone with the socket */
		if (f->nl)
			mnl_socket_close(f->nl);
		f->nl = NULL;
		bool kernel = r == -ENOENT || r == -EOPNOTSUPP || r == -EPROTONOSUPPORT;
		return nsb_fail(err, len, r, "--port: nftables (%s): %s%s", step, strerror(-r),
				r == -EEXIST ? " (made by hand, or another nsboot's whose "
				"container is going away)" : kernel ? " (needs a kernel with "
				"nftables' nat and fib, Linux 5.12 or later)" : "");
	}
	return 0;
}

void nsb_fwd_close(struct nsb_fwd *f)
{
	if (f->nl)
		mnl_socket_close(f->nl);
	f->nl = NULL;
	for (size_t i = 0; i < f->n; i++) {
		if (f->hold[i] >= 0)
			close(f->hold[i]);
		f->hold[i] = -1;
	}
	f->n = 0;
}
