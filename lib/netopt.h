/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The network options' words: --network=MODE, --port, --address (pure parsers). */
#ifndef NSB_NETOPT_H
#define NSB_NETOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* One --port forward. */
struct nsb_port {
	char host_addr[64];  /* "" for every address of the host */
	uint16_t host_port;
	uint16_t cont_port;  /* HOSTPORT when not given */
	bool udp;            /* /udp; /tcp is the default */
};

/* Sets C->network and C->net_arg from --network=ARG (KIND: only nsboot takes the modes
 * after "host"); false with a one-line reason in ERR. */
bool nsb_parse_network(struct nsb_config *c, const char *arg, enum nsb_prog_kind kind,
		       char *err, size_t len);

/* Whether NAME is a zone name: [A-Za-z0-9_-]{1,NSB_ZONE_NAME_MAX}. */
bool nsb_zone_name_ok(const char *name);

/* Parses [HOSTADDR:]HOSTPORT[:CONTAINERPORT][/tcp|/udp] (HOSTADDR: IPv4, or IPv6 in
 * brackets); false when malformed. */
bool nsb_parse_port(const char *s, struct nsb_port *p);

/* Parses an IPv4 ADDR/PREFIX (host byte order); false when malformed. */
bool nsb_parse_cidr4(const char *s, uint32_t *addr, unsigned *prefix);

/* The checks across options once all are parsed (--port, --address, --address-pool
 * against the mode); false with a one-line reason in ERR. */
bool nsb_check_network(const struct nsb_config *c, char *err, size_t len);

#endif
