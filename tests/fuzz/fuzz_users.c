/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the user-mapping parsers of nsboot (spawn/users.c). The input split
 * on its first two NUL bytes is a --private-users MODE, a user NAME ("#N" for the numeric
 * id N alone) and the text of an /etc/subuid file. */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../spawn/users.h"
#include "fuzz.h"

#define MAX_RANGES 64

/* The mode parser: what it accepts is a mode with a sane range and a map that fits. */
static void check_mode(const char *mode)
{
	struct nsb_users u = { 0 };
	char err[512], buf[128];
	memset(err, 'x', sizeof err);
	if (nsb_users_parse_mode(mode, &u, err, sizeof err) != 0) {
		if (!memchr(err, '\0', sizeof err) || !err[0])
			fuzz_fail("a refused mode without a reason");
		return;
	}
	if (u.mode < NSB_USERS_PICK || u.mode > NSB_USERS_SINGLE)
		fuzz_fail("an unknown mode");
	if (u.mode == NSB_USERS_RANGE) {
		if (u.count == 0 || (uint64_t)u.base + u.count > UINT32_MAX)
			fuzz_fail("a range that does not fit the id space");
		/* BASE:COUNT as the parser would print it means the same range */
		struct nsb_users again = { 0 };
		char text[32];
		snprintf(text, sizeof text, "%" PRIu32 ":%" PRIu32, u.base, u.count);
		if (nsb_users_parse_mode(text, &again, err, sizeof err) != 0 ||
		    again.mode != NSB_USERS_RANGE || again.base != u.base || again.count != u.count)
			fuzz_fail("BASE:COUNT does not parse back");
	}
	if (nsb_users_map(&u, false, buf, sizeof buf) < 0 || nsb_users_map(&u, true, buf, sizeof buf) < 0)
		fuzz_fail("the map of an accepted mode does not fit");
}

/* The subid parsers: every range is sane, counting agrees with collecting, and what
 * find returns is one of the ranges. */
static void check_subid(const char *text, const char *name, uint32_t id)
{
	struct nsb_idrange all[MAX_RANGES], found;
	size_t total = nsb_subid_all(text, NULL, 0);
	if (nsb_subid_all(text, all, MAX_RANGES) != total)
		fuzz_fail("counting and collecting disagree");
	size_t n = total < MAX_RANGES ? total : MAX_RANGES;
	for (size_t i = 0; i < n; i++)
		if (all[i].count == 0 || (uint64_t)all[i].start + all[i].count > UINT32_MAX)
			fuzz_fail("a range that does not fit the id space");
	if (nsb_subid_find(text, name, id, &found) != 0)
		return;
	if (total == 0)
		fuzz_fail("found a range where none is");
	if (total > MAX_RANGES)
		return;
	for (size_t i = 0; i < n; i++)
		if (all[i].start == found.start && all[i].count == found.count)
			return;
	fuzz_fail("found a range that is not in the file");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 3);
	if (!buf)
		fuzz_fail("out of memory");
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	/* three NULs at the end: each of the three words exists, empty when the input ends */
	const char *mode = buf;
	const char *name = mode + strlen(mode) + 1;
	const char *text = name + strlen(name) + 1;
	uint32_t id = 1000;
	if (name[0] == '#') {
		id = (uint32_t)strtoul(name + 1, NULL, 10);
		name = NULL;
	}
	check_mode(mode);
	check_subid(text, name, id);
	free(buf);
	return 0;
}
