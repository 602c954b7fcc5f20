/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: what nsboot reads from a machine's tree and its registry entry: the
 * tree's /etc/passwd (spawn/passwd.c, read by nsboot exec inside the container) and an
 * entry's info file (spawn/machine.c). The input split on its first NUL byte is a user
 * NAME and the text. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../spawn/exec.h"
#include "../../spawn/machine.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	const char *name = buf;
	const char *text = buf + strlen(buf) + (strlen(buf) < size ? 1 : 0);

	struct nsb_passwd p;
	memset(&p, 'x', sizeof p);
	int r = nsb_passwd_find(text, name, &p);
	if (r == 0) {
		if (!memchr(p.home, '\0', sizeof p.home) || !memchr(p.shell, '\0', sizeof p.shell))
			fuzz_fail("an unterminated home or shell");
		if (!p.home[0] || !p.shell[0])
			fuzz_fail("an empty home or shell");
		if (p.uid == 0xffffffffu || p.gid == 0xffffffffu)
			fuzz_fail("the invalid id (uid_t)-1 accepted");
	} else if (r != -ENOENT && r != -EINVAL) {
		fuzz_fail("an unexpected error");
	}

	struct nsb_machine_info i, j;
	if (nsb_machine_info_parse(text, &i) == 0) {
		if (!nsb_machine_name_valid(i.name) || i.spawner <= 0 || i.pid < 0)
			fuzz_fail("an info file with a bad name or PID accepted");
		char out[8192];
		int n = nsb_machine_info_format(&i, out, sizeof out);
		if (n < 0 || nsb_machine_info_parse(out, &j) != 0 || strcmp(i.name, j.name) ||
		    strcmp(i.tree, j.tree) || i.pid != j.pid || i.state != j.state)
			fuzz_fail("an accepted info file does not survive a round trip");
	}
	free(buf);
	return 0;
}
