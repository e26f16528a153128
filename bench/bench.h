/* SPDX-License-Identifier: MIT */
/*
 * bench.h: what the benchmark programs share (bench/util.c): a clock, the
 * statistics a row shows, the process's VMA count, and running one
 * measurement in a fresh child process.
 */
#ifndef SEGCTL_BENCH_H
#define SEGCTL_BENCH_H

#include <stdint.h>

/* Nanoseconds on CLOCK_MONOTONIC, and of CPU time used by the whole process. */
int64_t	nsnow(void);
int64_t	cpunow(void);

/* Sort v[0..n) and return its median; min and max in *lo, *hi. */
double	median(double *v, int n, double *lo, double *hi);

/* Lines of /proc/self/maps: the VMAs this process has now; -1 if unreadable. */
int	countvmas(void);

/* /proc/sys/vm/max_map_count, or -1. */
long	maxmapcount(void);

/*
 * Run this program again (/proc/self/exe) with argv and extra environment
 * env (nil-terminated "NAME=value" strings, or nil), and return its
 * standard output and error together in out (NUL-terminated, truncated to
 * nout).  Returns the wait status, or -1 if it could not be run.
 */
int	runself(char **argv, char **env, char *out, int nout);

/* A line of out starting with key, or nil. */
char	*findline(char *out, const char *key);

/* "kernel"/"user" backend and kernel release, e.g. "user 6.1.0-56-cloud-amd64". */
const char	*benchenv(void);

#endif /* SEGCTL_BENCH_H */
