// SPDX-License-Identifier: MIT
/* The TAP harness behind tap.h: run each test in a child, report. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static struct tap_test *first, **last = &first;
static int failures;		/* in the child: failures of this test */

/*
 * A timeout stretched for a slow kernel: CK_TIMEOUT_MULTIPLIER, the knob
 * libcheck reads for its own timeouts, scales ours too (scripts/vm sets it
 * for the debug kernels).  Still finite, so a hang still ends the test.
 */
unsigned int tap_timeout(unsigned int secs)
{
	const char *s = getenv("CK_TIMEOUT_MULTIPLIER");
	long m = s ? strtol(s, NULL, 10) : 1;

	return m > 1 && m < 100 ? secs * (unsigned int)m : secs;
}

void tap_register(struct tap_test *t)
{
	*last = t;
	last = &t->next;
}

void tap_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("# %s:%d: failed: %s", file, line, cond);
	if (fmt[0] == ' ')	/* see EXPECT in tap.h */
		fmt++;
	if (fmt[0] != '\0') {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
}

void tap_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void tap_abort(void)
{
	fflush(stdout);
	_exit(1);
}

/* Runs one test in a child; returns 1 if it passed. */
static int run(struct tap_test *t)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(tap_timeout(t->timeout));
		t->fn();
		fflush(stdout);
		_exit(failures ? 1 : 0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		if (t->signal && WTERMSIG(st) == t->signal)
			return 1;
		if (WTERMSIG(st) == SIGALRM)
			printf("# timed out after %u s\n", tap_timeout(t->timeout));
		else
			printf("# died of signal %d (%s)\n", WTERMSIG(st),
			       strsignal(WTERMSIG(st)));
		return 0;
	}
	if (t->signal) {
		printf("# exited %d, expected to die of signal %d (%s)\n",
		       WEXITSTATUS(st), t->signal, strsignal(t->signal));
		return 0;
	}
	return WEXITSTATUS(st) == 0;
}

static int chosen(struct tap_test *t, int argc, char **argv)
{
	int i, any = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			any = 1;
			if (strcmp(argv[++i], t->name) == 0)
				return 1;
		}
	}
	return !any;
}

int tap_main(int argc, char **argv)
{
	struct tap_test *t;
	int n = 0, i = 0, pass = 0, fail = 0;
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		for (t = first; t; t = t->next)
			printf("%s\n", t->name);
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (t = first; t; t = t->next)
		n += chosen(t, argc, argv);
	printf("TAP version 13\n1..%d\n", n);
	for (t = first; t; t = t->next) {
		if (!chosen(t, argc, argv))
			continue;
		printf("# RUN %s.%s\n", prog, t->name);
		i++;
		if (run(t)) {
			pass++;
			printf("ok %d %s\n", i, t->name);
		} else {
			fail++;
			printf("not ok %d %s\n", i, t->name);
		}
	}
	printf("# %s: %d passed, %d failed\n", prog, pass, fail);
	return fail ? 1 : 0;
}
