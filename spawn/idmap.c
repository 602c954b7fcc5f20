/* SPDX-License-Identifier: GPL-3.0-or-later */
/* User mapping's pure half: the modes of --private-users, /etc/subuid lines, picking a
 * free range, the map lines and the range locks' records (the side effects are
 * spawn/users.c). */
#include "users.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a decimal number at *S (no sign, no blanks) up to MAX; advances *S. */
bool nsb_parse_u64(const char **s, uint64_t max, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return false;
	}
	*s = p;
	*out = v;
	return true;
}

int nsb_users_parse_mode(const char *mode, struct nsb_users *u, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		enum nsb_users_mode mode;
	} names[] = { { "pick", NSB_USERS_PICK },   { "identity", NSB_USERS_IDENTITY },
		      { "subid", NSB_USERS_SUBID }, { "single", NSB_USERS_SINGLE } };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(mode, names[i].name) == 0) {
			u->mode = names[i].mode;
			if (u->mode == NSB_USERS_IDENTITY) {
				u->base = 0;
				u->count = NSB_ID_BLOCK;
			}
			return 0;
		}
	const char *p = mode;
	uint64_t base, count = NSB_ID_BLOCK;
	if (!nsb_parse_u64(&p, UINT32_MAX - 1, &base) ||
	    (*p == ':' && (p++, !nsb_parse_u64(&p, UINT32_MAX, &count))) || *p) {
		snprintf(err, errlen, "--private-users=%s: want pick, identity, subid, single, "
				      "BASE or BASE:COUNT", mode);
		return -EINVAL;
	}
	if (count == 0 || base + count > UINT32_MAX) {
		snprintf(err, errlen, "--private-users=%s: COUNT must be at least 1 and "
				      "BASE+COUNT at most %" PRIu32, mode, UINT32_MAX);
		return -EINVAL;
	}
	u->mode = NSB_USERS_RANGE;
	u->base = (uint32_t)base;
	u->count = (uint32_t)count;
	return 0;
}

const char *nsb_users_mode_name(enum nsb_users_mode mode)
{
	switch (mode) {
	case NSB_USERS_PICK: return "pick";
	case NSB_USERS_IDENTITY: return "identity";
	case NSB_USERS_RANGE: return "BASE";
	case NSB_USERS_SUBID: return "subid";
	case NSB_USERS_SINGLE: return "single";
	}
	return "?";
}

/* Parses one "name:start:count" line of LEN bytes; false when malformed. */
static bool parse_subid_line(const char *line, size_t len, const char **name, size_t *namelen,
			     struct nsb_idrange *r)
{
	char buf[512];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	const char *c1 = strchr(buf, ':');
	if (!c1 || c1 == buf)
		return false;
	const char *p = c1 + 1;
	uint64_t start, count;
	if (!nsb_parse_u64(&p, UINT32_MAX, &start) || *p++ != ':' ||
	    !nsb_parse_u64(&p, UINT32_MAX, &count) || *p || count == 0 || start + count > UINT32_MAX)
		return false;
	*name = line;
	*namelen = (size_t)(c1 - buf);
	r->start = (uint32_t)start;
	r->count = (uint32_t)count;
	return true;
}

/* Calls FN on each well-formed line of TEXT until it returns true; returns that. */
static bool each_subid(const char *text, bool (*fn)(const char *name, size_t namelen,
						     const struct nsb_idrange *r, void *arg),
		       void *arg)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *name;
		size_t namelen;
		struct nsb_idrange r;
		if (line[0] != '#' && parse_subid_line(line, len, &name, &namelen, &r) &&
		    fn(name, namelen, &r, arg))
			return true;
		line += len + (nl ? 1 : 0);
	}
	return false;
}

struct find_arg {
	const char *name;
	char id[16];
	struct nsb_idrange *out;
};

/* each_subid callback: stops at the first line of the wanted user (name or number). */
static bool find_one(const char *name, size_t namelen, const struct nsb_idrange *r, void *arg)
{
	struct find_arg *a = arg;
	bool match = (a->name && strlen(a->name) == namelen && memcmp(a->name, name, namelen) == 0) ||
		     (strlen(a->id) == namelen && memcmp(a->id, name, namelen) == 0);
	if (match)
		*a->out = *r;
	return match;
}

int nsb_subid_find(const char *text, const char *name, uint32_t id, struct nsb_idrange *out)
{
	struct find_arg a = { .name = name, .out = out };
	snprintf(a.id, sizeof a.id, "%" PRIu32, id);
	return each_subid(text, find_one, &a) ? 0 : -ENOENT;
}

struct all_arg {
	struct nsb_idrange *out;
	size_t max, n;
};

/* each_subid callback: collects every range. */
static bool collect(const char *name, size_t namelen, const struct nsb_idrange *r, void *arg)
{
	struct all_arg *a = arg;
	if (a->n < a->max)
		a->out[a->n] = *r;
	a->n++;
	return false;
}

size_t nsb_subid_all(const char *text, struct nsb_idrange *out, size_t max)
{
	struct all_arg a = { .out = out, .max = max };
	each_subid(text, collect, &a);
	return a.n;
}

/* Rounds V up to a multiple of NSB_PICK_BLOCK. */
static uint64_t align_block(uint64_t v)
{
	return (v + NSB_PICK_BLOCK - 1) / NSB_PICK_BLOCK * NSB_PICK_BLOCK;
}

int nsb_range_pick(const struct nsb_idrange *busy, size_t n, uint64_t from, uint32_t count,
		   uint32_t *base)
{
	uint64_t b = align_block(from);
	while (b + count <= NSB_PICK_END) {
		uint64_t next = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t s = busy[i].start, e = s + busy[i].count;
			if (busy[i].count && b < e && s < b + count && e > next)
				next = e;
		}
		if (!next) {
			*base = (uint32_t)b;
			return 0;
		}
		b = align_block(next);
	}
	return -ENOSPC;
}

int nsb_users_map(const struct nsb_users *u, bool gid, char *buf, size_t len)
{
	int n;
	uint32_t self = gid ? u->gid : u->uid;
	const struct nsb_idrange *sub = gid ? &u->subgid : &u->subuid;
	switch (u->mode) {
	case NSB_USERS_PICK:
	case NSB_USERS_IDENTITY:
	case NSB_USERS_RANGE:
		n = snprintf(buf, len, "0 %" PRIu32 " %" PRIu32 "\n", u->base, u->count);
		break;
	case NSB_USERS_SUBID:
		n = snprintf(buf, len, "0 %" PRIu32 " 1\n1 %" PRIu32 " %" PRIu32 "\n", self,
			     sub->start, sub->count);
		break;
	case NSB_USERS_SINGLE:
		n = snprintf(buf, len, "0 %" PRIu32 " 1\n", self);
		break;
	default:
		return -EINVAL;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int nsb_users_nested_map(const struct nsb_users *u, bool gid, char *buf, size_t len)
{
	char outer[128];
	int n = nsb_users_map(u, gid, outer, sizeof outer);
	if (n < 0)
		return n;
	/* each line "IN OUT COUNT" becomes "IN IN COUNT": a nested range must lie within
	 * one range of its parent's map */
	size_t used = 0;
	uint32_t in, out, count;
	int k;
	for (const char *l = outer; sscanf(l, "%" SCNu32 " %" SCNu32 " %" SCNu32 "%n", &in, &out,
					   &count, &k) == 3; l += k) {
		int w = snprintf(buf + used, len - used, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
				 in, in, count);
		if (w < 0 || (size_t)w >= len - used)
			return -ENOSPC;
		used += (size_t)w;
	}
	return used ? (int)used : -EINVAL;
}

int nsb_users_enter_cmd(const struct nsb_users *u, pid_t pid, char *buf, size_t len)
{
	int n = snprintf(buf, len, "nsenter -a %s-t %d",
			 u->mode == NSB_USERS_SINGLE ? "--preserve-credentials " : "", (int)pid);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int nsb_range_holder_format(char *buf, size_t len, pid_t spawner, pid_t container)
{
	int n = snprintf(buf, len, "%10d %10d\n", (int)spawner, (int)container);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int nsb_range_holder_parse(const char *text, size_t len, pid_t *spawner, pid_t *container)
{
	char buf[64];
	int s, c, end = 0;
	if (len == 0 || len >= sizeof buf)
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (sscanf(buf, "%d %d\n%n", &s, &c, &end) != 2 || (size_t)end != len || s <= 0 || c < 0)
		return -EINVAL;
	*spawner = s;
	*container = c;
	return 0;
}

void nsb_range_overlap_msg(char *err, size_t errlen, const char *mode, pid_t spawner,
			   pid_t container)
{
	if (container > 0)
		snprintf(err, errlen, "--private-users=%s: ids overlap the range of the running "
			 "container PID %d", mode, (int)container);
	else if (spawner > 0)
		snprintf(err, errlen, "--private-users=%s: ids overlap the range of a container "
			 "being started by nsboot PID %d", mode, (int)spawner);
	else
		snprintf(err, errlen, "--private-users=%s: ids overlap the range of a running "
			 "container (its lock names no PID)", mode);
}
