/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The network options' words (pure: no I/O). */
#include "netopt.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The modes that take an argument after a colon. */
static const struct {
	const char *prefix;
	enum nsb_network mode;
} with_arg[] = {
	{ "zone:", NSB_NET_ZONE },
	{ "ns:", NSB_NET_NS },
	{ "machine:", NSB_NET_MACHINE },
};

bool nsb_zone_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > NSB_ZONE_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

/* Sets the mode of a word with an argument; false with ERR set when malformed. */
static bool parse_with_arg(struct nsb_config *c, const char *arg, enum nsb_network mode,
			   const char *val, char *err, size_t len)
{
	if (mode == NSB_NET_ZONE && !nsb_zone_name_ok(val)) {
		snprintf(err, len, "--network=%s: a zone name is 1 to %d of A-Z a-z 0-9 _ -",
			 arg, NSB_ZONE_NAME_MAX);
		return false;
	}
	if (mode == NSB_NET_NS && val[0] != '/') {
		snprintf(err, len, "--network=%s: want an absolute path", arg);
		return false;
	}
	if (!*val || strchr(val, '\n')) {
		snprintf(err, len, "--network=%s: empty or malformed name", arg);
		return false;
	}
	c->network = mode;
	c->net_arg = val;
	return true;
}

bool nsb_parse_network(struct nsb_config *c, const char *arg, enum nsb_prog_kind kind,
		       char *err, size_t len)
{
	c->net_arg = NULL;
	if (strcmp(arg, "private") == 0) {
		c->network = NSB_NET_PRIVATE;
		return true;
	}
	if (strcmp(arg, "host") == 0) {
		c->network = NSB_NET_HOST;
		return true;
	}
	bool spawner = kind == NSB_PROG_SPAWN;
	if (spawner && strcmp(arg, "veth") == 0) {
		c->network = NSB_NET_VETH;
		return true;
	}
	if (spawner && strcmp(arg, "pasta") == 0) {
		c->network = NSB_NET_PASTA;
		return true;
	}
	for (size_t i = 0; spawner && i < sizeof with_arg / sizeof with_arg[0]; i++) {
		size_t n = strlen(with_arg[i].prefix);
		if (strncmp(arg, with_arg[i].prefix, n) == 0)
			return parse_with_arg(c, arg, with_arg[i].mode, arg + n, err, len);
	}
	snprintf(err, len, "--network=%s: want %s", arg, spawner ?
		 "private, host, veth, zone:ZONE, pasta, ns:PATH or machine:NAME" :
		 "'private' or 'host'");
	return false;
}

/* Parses a port number 1..65535 from S up to END; false when malformed. */
static bool parse_port_number(const char *s, const char *end, uint16_t *out)
{
	unsigned long v = 0;
	if (s == end || end - s > 5)
		return false;
	for (const char *p = s; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* Copies the host address at the start of S (IPv4, or [IPv6]) into P; returns the rest
 * after its colon, or NULL when malformed. */
static const char *parse_host_addr(const char *s, struct nsb_port *p)
{
	unsigned char buf[16];
	const char *colon;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof p->host_addr)
			return NULL;
		memcpy(p->host_addr, s + 1, (size_t)(close - s - 1));
		p->host_addr[close - s - 1] = '\0';
		colon = close + 1;
		if (inet_pton(AF_INET6, p->host_addr, buf) != 1)
			return NULL;
	} else {
		colon = strchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof p->host_addr)
			return NULL;
		memcpy(p->host_addr, s, (size_t)(colon - s));
		p->host_addr[colon - s] = '\0';
		if (inet_pton(AF_INET, p->host_addr, buf) != 1)
			return NULL;
	}
	return colon + 1;
}

bool nsb_parse_port(const char *s, struct nsb_port *p)
{
	memset(p, 0, sizeof *p);
	const char *end = s + strlen(s);
	const char *slash = strrchr(s, '/');
	if (slash) {
		if (strcmp(slash, "/udp") == 0)
			p->udp = true;
		else if (strcmp(slash, "/tcp") != 0)
			return false;
		end = slash;
	}
	/* an address has a dot (IPv4) or a bracket (IPv6); a port never does */
	const char *first_colon = memchr(s, ':', (size_t)(end - s));
	if (s[0] == '[' || (first_colon && memchr(s, '.', (size_t)(first_colon - s)))) {
		s = parse_host_addr(s, p);
		if (!s || s > end)
			return false;
	}
	const char *colon = memchr(s, ':', (size_t)(end - s));
	if (!parse_port_number(s, colon ? colon : end, &p->host_port))
		return false;
	p->cont_port = p->host_port;
	return !colon || parse_port_number(colon + 1, end, &p->cont_port);
}

bool nsb_parse_cidr4(const char *s, uint32_t *addr, unsigned *prefix)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof buf)
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	struct in_addr a;
	if (inet_pton(AF_INET, buf, &a) != 1)
		return false;
	char *end;
	if (!isdigit((unsigned char)slash[1]))
		return false;
	unsigned long v = strtoul(slash + 1, &end, 10);
	if (*end || v > 32)
		return false;
	*addr = ntohl(a.s_addr);
	*prefix = (unsigned)v;
	return true;
}

/* Whether --port=SPEC can be DNATed to a veth container: IPv4 (the container has no
 * other address to forward to), and not loopback (a DNATed packet from 127.0.0.1 is
 * dropped on the veth unless the host's route_localnet is set, which nsboot never
 * changes); false with the reason in ERR. */
static bool veth_port_ok(const char *spec, char *err, size_t len)
{
	struct nsb_port p;
	struct in_addr a;
	if (!nsb_parse_port(spec, &p)) { /* never: refused when parsed */
		snprintf(err, len, "--port=%s: malformed", spec);
		return false;
	}
	if (p.host_addr[0] && inet_pton(AF_INET, p.host_addr, &a) != 1) {
		snprintf(err, len, "--port=%s: --network=veth forwards IPv4 only (IPv6: "
			 "--network=pasta)", spec);
		return false;
	}
	if (p.host_addr[0] && (ntohl(a.s_addr) >> 24) == 127) {
		snprintf(err, len, "--port=%s: --network=veth cannot forward the host's loopback "
			 "(a forward on it: --network=pasta)", spec);
		return false;
	}
	return true;
}

/* P's host address into OUT (16 bytes), its family into *FAMILY (0 when none was given:
 * every address of both). */
static void host_addr_of(const struct nsb_port *p, int *family, unsigned char out[16])
{
	memset(out, 0, 16);
	*family = !p->host_addr[0] ? 0 : strchr(p->host_addr, ':') ? AF_INET6 : AF_INET;
	if (*family && inet_pton(*family, p->host_addr, out) != 1)
		memset(out, 0, 16);
}

/* Whether forwards A and B ask for one host port: the same protocol and port, on the
 * same address or one of them on every address (none given; 0.0.0.0, [::] for theirs). */
static bool same_host_port(const struct nsb_port *a, const struct nsb_port *b)
{
	static const unsigned char every[16];
	unsigned char x[16], y[16];
	int fx, fy;
	if (a->udp != b->udp || a->host_port != b->host_port)
		return false;
	host_addr_of(a, &fx, x);
	host_addr_of(b, &fy, y);
	if (!fx || !fy)
		return true;
	return fx == fy && (memcmp(x, every, 16) == 0 || memcmp(y, every, 16) == 0 ||
			    memcmp(x, y, 16) == 0);
}

/* Whether two of C's --port ask for one host port; false with the pair in ERR. */
static bool ports_distinct(const struct nsb_config *c, char *err, size_t len)
{
	for (size_t i = 0; i < c->n_ports; i++)
		for (size_t j = 0; j < i; j++) {
			struct nsb_port a, b;
			if (nsb_parse_port(c->ports[i], &a) && nsb_parse_port(c->ports[j], &b) &&
			    same_host_port(&a, &b)) {
				snprintf(err, len, "--port=%s: the same host port as --port=%s",
					 c->ports[i], c->ports[j]);
				return false;
			}
		}
	return true;
}

bool nsb_check_network(const struct nsb_config *c, char *err, size_t len)
{
	uint32_t a;
	unsigned p;
	if (c->n_ports && c->network != NSB_NET_PASTA && c->network != NSB_NET_VETH) {
		snprintf(err, len, "--port=%s: needs --network=veth or --network=pasta",
			 c->ports[0]);
		return false;
	}
	for (size_t i = 0; c->network == NSB_NET_VETH && i < c->n_ports; i++)
		if (!veth_port_ok(c->ports[i], err, len))
			return false;
	if (!ports_distinct(c, err, len))
		return false;
	if (c->address && c->network != NSB_NET_VETH) {
		snprintf(err, len, "--address=%s: needs --network=veth", c->address);
		return false;
	}
	if (c->address_pool && c->network != NSB_NET_VETH) {
		snprintf(err, len, "--address-pool=%s: needs --network=veth", c->address_pool);
		return false;
	}
	if (c->address && (!nsb_parse_cidr4(c->address, &a, &p) || p < 8 || p > 30)) {
		snprintf(err, len, "--address=%s: want an IPv4 ADDR/PREFIX, PREFIX 8 to 30",
			 c->address);
		return false;
	}
	if (c->address_pool && (!nsb_parse_cidr4(c->address_pool, &a, &p) || p < 8 || p > 30 ||
				(a & ~(~0U << (32 - p))))) {
		snprintf(err, len, "--address-pool=%s: want an IPv4 network ADDR/PREFIX, PREFIX "
			 "8 to 30", c->address_pool);
		return false;
	}
	return true;
}
