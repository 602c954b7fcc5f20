/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot-init's exit statuses (init/status.c): the command's code, 128+N for signal N, 126
 * and 127 for exec failures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "config.h"
#include "../../init/status.h"

/* A wait status as the kernel builds it. */
#define EXITED(code) (((code) & 0xff) << 8)
#define SIGNALED(sig) ((sig) & 0x7f)
#define STOPPED(sig) ((((sig) & 0xff) << 8) | 0x7f)

static void every_exit_code_passes(void **state)
{
	for (int code = 0; code < 256; code++) {
		assert_true(WIFEXITED(EXITED(code)));
		assert_int_equal(nsb_exit_status(EXITED(code)), code);
	}
}

static void signals_give_128_plus_n(void **state)
{
	for (int sig = 1; sig < 65; sig++) {
		int st = SIGNALED(sig);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(nsb_exit_status(st), 128 + sig);
		/* a core dump does not change the status */
		assert_int_equal(nsb_exit_status(st | 0x80), 128 + sig);
	}
}

static void stopped_is_our_failure(void **state)
{
	assert_int_equal(nsb_exit_status(STOPPED(SIGSTOP)), NSB_EXIT_FAILURE);
	assert_int_equal(nsb_exit_status(0xffff), NSB_EXIT_FAILURE); /* continued */
}

static void exec_errors(void **state)
{
	assert_int_equal(nsb_exec_failure_status(ENOENT), 127);
	assert_int_equal(nsb_exec_failure_status(ENOTDIR), 127);
	assert_int_equal(nsb_exec_failure_status(EACCES), 126);
	assert_int_equal(nsb_exec_failure_status(ENOEXEC), 126);
	assert_int_equal(nsb_exec_failure_status(EISDIR), 126);
	assert_int_equal(nsb_exec_failure_status(E2BIG), 126);
	assert_int_equal(nsb_exec_failure_status(ETXTBSY), 126);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_exit_code_passes),
		cmocka_unit_test(signals_give_128_plus_n),
		cmocka_unit_test(stopped_is_our_failure),
		cmocka_unit_test(exec_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
