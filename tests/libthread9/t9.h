/* SPDX-License-Identifier: MIT */
/*
 * t9.h: what libthread9's Check tests share.  Each test program defines
 * its Suite with T9SUITE(name) { tcase...; } and gets a threadmain that runs
 * it: every test then runs, in Check's forked child, inside a libthread
 * thread (threadmain's), so it may create threads and procs and block.
 */
#ifndef T9_H
#define T9_H

#include <check.h>
#include <thread.h>

/* A forked child's end: its wait status and what it wrote on stderr. */
struct Child {
	int	status;
	char	err[8192];
};

/* Run fn(arg) in a forked child; exit(0) if it returns. */
void	t9child(struct Child *c, void (*fn)(void *), void *arg);
int	t9exited(struct Child *c, int code);	/* exited with code */
int	t9signalled(struct Child *c, int sig);	/* died of sig */

/* Yield until *flag is non-zero or about `ms` milliseconds have passed. */
int	t9waitfor(volatile int *flag, int ms);

int	t9run(Suite *s);

#define T9SUITE(name)							\
	int mainstacksize = 1024 * 1024;				\
	static void t9suite(Suite *s);					\
	void								\
	threadmain(int argc, char *argv[])				\
	{								\
		Suite *s;						\
		(void)argc;						\
		(void)argv;						\
		s = suite_create(name);					\
		t9suite(s);						\
		threadexitsall(t9run(s) ? "failures" : nil);		\
	}								\
	static void t9suite(Suite *s)

/* A test case of the given tests, with a timeout fit for the VM. */
#define T9CASE(s, name, timeout, ...)					\
	do {								\
		const TTest *t9fns[] = { __VA_ARGS__ };				\
		TCase *t9tc = tcase_create(name);			\
		size_t t9i;						\
		tcase_set_timeout(t9tc, timeout);			\
		for(t9i = 0; t9i < sizeof t9fns / sizeof t9fns[0]; t9i++) \
			tcase_add_test(t9tc, t9fns[t9i]);		\
		suite_add_tcase(s, t9tc);				\
	} while(0)

void	t9assertidle(int tid);
void	t9mapperms(const void *addr, char perms[5]);	/* its /proc/self/maps line's */

#endif
