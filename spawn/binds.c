/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bind sources as the container's root sees them (spawn/binds.h). */
#include "binds.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"

bool nsb_binds_blocked_at(const char *path, char *out, size_t len)
{
	char dir[PATH_MAX];
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof dir)
			return false;
		memcpy(dir, path, n);
		dir[n] = '\0';
		if (access(dir, X_OK) == 0)
			continue;
		if (errno != EACCES)
			return false;
		snprintf(out, len, "%s", dir);
		return true;
	}
	return false;
}

/* Checks the bind M (KIND its option's name). */
static int check_one(const struct nsb_mount_spec *m, const char *kind, bool idmap, bool shifted,
		     uint32_t host_root, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	if (nsb_binds_blocked_at(m->src, dir, sizeof dir)) {
		struct stat st;
		char mode[32] = "";
		if (stat(dir, &st) == 0)
			snprintf(mode, sizeof mode, " (mode %04o)", (unsigned)(st.st_mode & 07777));
		return nsb_fail(err, errlen, -EACCES, "--%s=%s: the container's root (host uid "
				"%" PRIu32 ") cannot enter %s%s: give it o+x, or bind a folder "
				"outside it", kind, m->src, host_root, dir, mode);
	}
	char rest[256];
	if (!shifted || m->kind != NSB_MNT_BIND || idmap ||
	    nsb_opts_take(m->opts, "ro", rest, sizeof rest) || access(m->src, W_OK) == 0 ||
	    errno != EACCES)
		return 0;
	log_warn("--%s=%s: the container's root cannot write there (its host owner is not "
		 "mapped: nobody inside); add :idmap (--bind=SRC:DST:idmap) to write as the host "
		 "owner, or bind it read-only (--bind-ro)", kind, m->src);
	return 0;
}

int nsb_binds_check(const struct nsb_config *c, const bool *idmap, bool shifted,
		    uint32_t host_root, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct nsb_mount_spec *m = &c->mounts[i];
		if (m->kind != NSB_MNT_BIND && m->kind != NSB_MNT_BIND_RO)
			continue;
		int r = check_one(m, m->kind == NSB_MNT_BIND ? "bind" : "bind-ro", idmap[i],
				  shifted, host_root, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}
