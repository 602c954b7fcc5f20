/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one clock of nsboot's deadlines and timings: CLOCK_MONOTONIC. */
#ifndef NSB_CLOCK_H
#define NSB_CLOCK_H

#include <time.h>

/* CLOCK_MONOTONIC now, in microseconds (timings in debug lines). */
static inline long long nsb_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* CLOCK_MONOTONIC now, in milliseconds (deadlines). */
static inline long long nsb_now_ms(void)
{
	return nsb_now_us() / 1000;
}

#endif
