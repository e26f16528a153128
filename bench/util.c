// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the benchmark programs.  Every measurement runs in a
 * fresh process (runself), so that one run's address space, heap and
 * stack caches cannot flatter or burden the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <seg.h>

#include "bench.h"

extern char **environ;

int64_t
nsnow(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * CPU time is what the wall clock would say on an idle machine, for work
 * done by one task; the benchmarks report it beside the wall clock because
 * the machines they run on are often shared.
 */
int64_t
cpunow(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmpdouble(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
median(double *v, int n, double *lo, double *hi)
{
	qsort(v, n, sizeof v[0], cmpdouble);
	*lo = v[0];
	*hi = v[n - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Static: /proc/self/maps may be megabytes, and thread stacks are small. */
static char mapsbuf[1 << 16];

int
countvmas(void)
{
	ssize_t n, i;
	int fd, lines;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	lines = 0;
	while ((n = read(fd, mapsbuf, sizeof mapsbuf)) > 0)
		for (i = 0; i < n; i++)
			lines += mapsbuf[i] == '\n';
	close(fd);
	return n < 0 ? -1 : lines;
}

long
maxmapcount(void)
{
	FILE *f;
	long v;

	f = fopen("/proc/sys/vm/max_map_count", "r");
	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int
runself(char **argv, char **env, char *out, int nout)
{
	posix_spawn_file_actions_t fa;
	char **envp;
	int p[2], n, i, j, st;
	ssize_t r;
	pid_t pid;

	for (n = 0; environ[n] != NULL; n++)
		;
	for (j = 0; env != NULL && env[j] != NULL; j++)
		;
	envp = calloc(n + j + 1, sizeof *envp);
	if (envp == NULL || pipe2(p, O_CLOEXEC) < 0) {
		free(envp);
		return -1;
	}
	for (i = 0; i < j; i++)
		envp[i] = env[i];
	memcpy(envp + j, environ, n * sizeof *envp);	/* ours first: they win */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	st = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	close(p[1]);
	if (st != 0) {
		close(p[0]);
		errno = st;
		return -1;
	}
	/* Keep reading past a full buffer: a child blocked on the pipe never exits. */
	n = 0;
	for (;;) {
		char sink[512];

		if (n < nout - 1)
			r = read(p[0], out + n, nout - 1 - n);
		else
			r = read(p[0], sink, sizeof sink);
		if (r == 0 || (r < 0 && errno != EINTR))
			break;
		if (r > 0 && n < nout - 1)
			n += r;
	}
	out[n] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

char *
findline(char *out, const char *key)
{
	size_t k;
	char *s;

	k = strlen(key);
	for (s = out; s != NULL && *s != '\0'; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (strncmp(s, key, k) == 0)
			return s;
	return NULL;
}

const char *
benchenv(void)
{
	static char buf[160];
	struct utsname u;

	if (uname(&u) < 0)
		strcpy(u.release, "?");
	snprintf(buf, sizeof buf, "%s %s", segbackendname(), u.release);
	return buf;
}
