/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A BASE range against the host's users and groups (spawn/hostids.h). */
#include "hostids.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* True when ID lies in R. */
static bool in_range(uint32_t id, struct nsb_idrange r)
{
	return r.count && id >= r.start && (uint64_t)id < (uint64_t)r.start + r.count;
}

/* Appends "NAME ID" to NAMES (as the Nth found) when fewer than NSB_HOSTIDS_NAMED are. */
static void name_one(char *names, size_t len, size_t n, const char *name, uint32_t id)
{
	size_t used = strlen(names);
	if (n >= NSB_HOSTIDS_NAMED || used >= len)
		return;
	snprintf(names + used, len - used, "%s%s %" PRIu32, n ? ", " : "", name, id);
}

size_t nsb_hostids_in_range(FILE *f, bool group, struct nsb_idrange r, struct nsb_idrange skip,
			    char *names, size_t len)
{
	size_t n = 0;
	for (;;) {
		const char *name;
		uint32_t id;
		if (group) {
			struct group *g = fgetgrent(f);
			if (!g)
				break;
			name = g->gr_name;
			id = g->gr_gid;
		} else {
			struct passwd *p = fgetpwent(f);
			if (!p)
				break;
			name = p->pw_name;
			id = p->pw_uid;
		}
		if (in_range(id, r) && !in_range(id, skip))
			name_one(names, len, n++, name, id);
	}
	return n;
}

/* The ids of the host file PATH (group format when GROUP) in R outside SKIP, named in
 * NAMES; how many (0 when PATH cannot be read). */
static size_t file_ids(const char *path, bool group, struct nsb_idrange r,
		       struct nsb_idrange skip, char *names, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = nsb_hostids_in_range(f, group, r, skip, names, len);
	fclose(f);
	return n;
}

/* The caller's range in the subordinate id file PATH, or none. */
static struct nsb_idrange own_subids(const char *path)
{
	struct nsb_idrange r = { 0 };
	struct passwd *pw = getpwuid(geteuid());
	FILE *f = fopen(path, "re");
	if (!f)
		return r;
	char *text = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (n < 0 || nsb_subid_find(text, pw ? pw->pw_name : NULL, geteuid(), &r) < 0)
		r = (struct nsb_idrange){ 0 };
	free(text);
	return r;
}

int nsb_hostids_check(const struct nsb_users *u, const char *mode, bool force, char *err,
		      size_t errlen)
{
	if (u->mode != NSB_USERS_RANGE)
		return force ? nsb_fail(err, errlen, -EINVAL, "--private-users-force goes with "
					"--private-users=BASE[:COUNT] only") : 0;
	if (force)
		return 0;
	struct nsb_idrange r = { u->base, u->count };
	char users[256] = "", groups[256] = "";
	size_t nu = file_ids("/etc/passwd", false, r, own_subids("/etc/subuid"), users,
			     sizeof users);
	size_t ng = file_ids("/etc/group", true, r, own_subids("/etc/subgid"), groups,
			     sizeof groups);
	if (!nu && !ng)
		return 0;
	return nsb_fail(err, errlen, -EEXIST, "--private-users=%s: ids %" PRIu32 "-%" PRIu64
			" hold %zu host users%s%s%s and %zu host groups%s%s%s: the container's "
			"users would be them; --private-users=pick chooses a free range, "
			"--private-users-force takes this one", mode, u->base,
			(uint64_t)u->base + u->count - 1, nu, nu ? " (" : "", users, nu ? ")" : "",
			ng, ng ? " (" : "", groups, ng ? ")" : "");
}
