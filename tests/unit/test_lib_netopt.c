/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The network options' words: modes, zone names, port forwards, addresses, and the
 * checks across options. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "netopt.h"

static bool net(struct nsb_config *c, const char *arg, enum nsb_prog_kind kind, char *err)
{
	nsb_config_init(c);
	err[0] = '\0';
	return nsb_parse_network(c, arg, kind, err, 256);
}

static void modes(void **state)
{
	struct nsb_config c;
	char err[256];
	static const struct { const char *arg; enum nsb_network mode; const char *val; } ok[] = {
		{ "private", NSB_NET_PRIVATE, NULL }, { "host", NSB_NET_HOST, NULL },
		{ "veth", NSB_NET_VETH, NULL }, { "pasta", NSB_NET_PASTA, NULL },
		{ "zone:lab_1-a", NSB_NET_ZONE, "lab_1-a" }, { "zone:abcdefghijkl", NSB_NET_ZONE, "abcdefghijkl" },
		{ "ns:/run/netns/x", NSB_NET_NS, "/run/netns/x" },
		{ "machine:web", NSB_NET_MACHINE, "web" },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_true(net(&c, ok[i].arg, NSB_PROG_SPAWN, err));
		assert_int_equal(c.network, ok[i].mode);
		if (ok[i].val)
			assert_string_equal(c.net_arg, ok[i].val);
		else
			assert_null(c.net_arg);
	}
	static const char *const bad[] = { "", "bridge", "zone:", "zone:abcdefghijklm", "zone:a b",
		"zone:a/b", "zone:ä", "ns:", "ns:relative", "machine:", "Private", "veth:x" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(net(&c, bad[i], NSB_PROG_SPAWN, err));
		assert_non_null(strstr(err, "--network="));
		assert_null(strchr(err, '\n'));
	}
	/* nsboot-init and nsboot-mount take private and host only */
	assert_true(net(&c, "host", NSB_PROG_INIT, err));
	assert_false(net(&c, "veth", NSB_PROG_INIT, err));
	assert_false(net(&c, "zone:a", NSB_PROG_MOUNT, err));
	assert_string_equal(err, "--network=zone:a: want 'private' or 'host'");
}

static void ports(void **state)
{
	struct nsb_port p;
	assert_true(nsb_parse_port("8080", &p));
	assert_string_equal(p.host_addr, "");
	assert_int_equal(p.host_port, 8080);
	assert_int_equal(p.cont_port, 8080);
	assert_false(p.udp);
	assert_true(nsb_parse_port("127.0.0.1:8080:80", &p));
	assert_string_equal(p.host_addr, "127.0.0.1");
	assert_int_equal(p.host_port, 8080);
	assert_int_equal(p.cont_port, 80);
	assert_true(nsb_parse_port("8053:53/udp", &p));
	assert_true(p.udp);
	assert_int_equal(p.cont_port, 53);
	assert_true(nsb_parse_port("10.0.0.1:443/tcp", &p));
	assert_int_equal(p.cont_port, 443);
	assert_true(nsb_parse_port("[::1]:8080:80", &p));
	assert_string_equal(p.host_addr, "::1");
	static const char *const bad[] = { "", "0", "65536", "80:", ":80", "a", "80/sctp",
		"1.2.3:80", "127.0.0.1:", "[::1:80", "[zz]:80", "80:90:100", "-1", "123456" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(nsb_parse_port(bad[i], &p));
}

static void cidrs_and_checks(void **state)
{
	uint32_t a;
	unsigned p;
	assert_true(nsb_parse_cidr4("10.124.0.0/16", &a, &p));
	assert_int_equal(a, 0x0a7c0000);
	assert_int_equal(p, 16);
	assert_false(nsb_parse_cidr4("10.124.0.0", &a, &p));
	assert_false(nsb_parse_cidr4("10.124.0.0/33", &a, &p));
	assert_false(nsb_parse_cidr4("10.124.0/8", &a, &p));
	assert_false(nsb_parse_cidr4("10.0.0.0/x", &a, &p));

	struct nsb_config c;
	char err[256];
	nsb_config_init(&c);
	c.n_ports = 1;
	c.ports[0] = "80";
	assert_false(nsb_check_network(&c, err, sizeof err));
	assert_string_equal(err, "--port=80: needs --network=veth or --network=pasta");
	c.network = NSB_NET_ZONE;
	assert_false(nsb_check_network(&c, err, sizeof err));
	c.network = NSB_NET_PASTA;
	assert_true(nsb_check_network(&c, err, sizeof err));
	c.network = NSB_NET_VETH;
	assert_true(nsb_check_network(&c, err, sizeof err));
	/* veth DNATs IPv4 to the container, never from loopback; pasta forwards both */
	const char *veth_ok[] = { "8080:80", "0.0.0.0:8080:80", "192.0.2.1:53/udp",
				  "128.0.0.1:80" };
	for (size_t i = 0; i < sizeof veth_ok / sizeof veth_ok[0]; i++) {
		c.ports[0] = veth_ok[i];
		assert_true(nsb_check_network(&c, err, sizeof err));
	}
	c.ports[0] = "127.0.0.1:8080:80";
	assert_false(nsb_check_network(&c, err, sizeof err));
	assert_string_equal(err, "--port=127.0.0.1:8080:80: --network=veth cannot forward the "
			    "host's loopback (a forward on it: --network=pasta)");
	c.ports[0] = "127.255.0.9:8080";
	assert_false(nsb_check_network(&c, err, sizeof err));
	c.ports[0] = "[::1]:8080:80";
	assert_false(nsb_check_network(&c, err, sizeof err));
	assert_string_equal(err, "--port=[::1]:8080:80: --network=veth forwards IPv4 only "
			    "(IPv6: --network=pasta)");
	c.n_ports = 2; /* the second one counts too */
	c.ports[0] = "81";
	c.ports[1] = "[2001:db8::1]:80";
	assert_false(nsb_check_network(&c, err, sizeof err));
	c.network = NSB_NET_PASTA;
	assert_true(nsb_check_network(&c, err, sizeof err));
	c.ports[1] = "127.0.0.1:80";
	assert_true(nsb_check_network(&c, err, sizeof err));
	/* one host port asked for twice: said when parsed, in any mode */
	const char *twice[][2] = { { "80", "80:81" }, { "80", "127.0.0.1:80" },
				   { "0.0.0.0:80", "10.0.0.1:80:8" }, { "53/udp", "53:54/udp" },
				   { "[::1]:80", "[0::1]:80" }, { "[::]:80", "[::1]:80" },
				   { "[::1]:80", "80" } };
	for (size_t i = 0; i < sizeof twice / sizeof twice[0]; i++) {
		c.ports[0] = twice[i][0];
		c.ports[1] = twice[i][1];
		assert_false(nsb_check_network(&c, err, sizeof err));
	}
	assert_string_equal(err, "--port=80: the same host port as --port=[::1]:80");
	const char *apart[][2] = { { "80", "81" }, { "80", "80/udp" },
				   { "10.0.0.1:80", "10.0.0.2:80" }, { "[::1]:80", "127.0.0.1:80" },
				   { "0.0.0.0:80", "[::1]:80" }, { "[::]:80", "10.0.0.1:80" } };
	for (size_t i = 0; i < sizeof apart / sizeof apart[0]; i++) {
		c.ports[0] = apart[i][0];
		c.ports[1] = apart[i][1];
		assert_true(nsb_check_network(&c, err, sizeof err));
	}
	nsb_config_init(&c);
	c.address = "10.0.0.2/24";
	assert_false(nsb_check_network(&c, err, sizeof err));
	c.network = NSB_NET_VETH;
	assert_true(nsb_check_network(&c, err, sizeof err));
	c.address = "10.0.0.2/31";
	assert_false(nsb_check_network(&c, err, sizeof err));
	c.address = NULL;
	c.address_pool = "10.9.0.1/16"; /* not a network address */
	assert_false(nsb_check_network(&c, err, sizeof err));
	c.address_pool = "10.9.0.0/16";
	assert_true(nsb_check_network(&c, err, sizeof err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modes),
		cmocka_unit_test(ports),
		cmocka_unit_test(cidrs_and_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
