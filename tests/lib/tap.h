/* SPDX-License-Identifier: MIT */
/*
 * tap.h: a small TAP harness for segctl's tests (kselftest-style output).
 *
 *	TEST(attach_rounds_len) { ... EXPECT(x == y, "x=%d", x); ... }
 *	TEST_SIGNAL(redzone_faults, SIGSEGV) { *(char *)rz = 1; }
 *	int main(int argc, char **argv) { return tap_main(argc, argv); }
 *
 * Every test runs in a forked child, so each one starts with a fresh mm
 * (and so a fresh segment table).  EXPECT records a failure and goes on;
 * ASSERT records it and ends the test.  A test passes when its child exits
 * 0 without a failure (or dies of the signal TEST_SIGNAL names).
 * Options: -l lists the tests, -t NAME runs one (repeatable).
 */
#ifndef SEGCTL_TAP_H
#define SEGCTL_TAP_H

#include <errno.h>
#include <string.h>

struct tap_test {
	const char	*name;
	void		(*fn)(void);
	int		signal;		/* expected fatal signal, or 0 */
	int		timeout;	/* seconds */
	struct tap_test	*next;
};

void	tap_register(struct tap_test *t);
int	tap_main(int argc, char **argv);
void	tap_fail(const char *file, int line, const char *cond,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	tap_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	tap_abort(void) __attribute__((noreturn));
unsigned int tap_timeout(unsigned int secs);	/* secs, scaled for a slow kernel */

#define TAP_DEFINE(fname, sig, secs)					\
	static void fname(void);					\
	static struct tap_test tap_t_##fname = { #fname, fname, sig, secs, 0 }; \
	__attribute__((constructor)) static void tap_r_##fname(void)	\
	{ tap_register(&tap_t_##fname); }				\
	static void fname(void)

#define TEST(fname)			TAP_DEFINE(fname, 0, 60)
#define TEST_SIGNAL(fname, sig)		TAP_DEFINE(fname, sig, 60)
#define TEST_TIMEOUT(fname, secs)	TAP_DEFINE(fname, 0, secs)

/*
 * The message is optional: " " before it keeps the format non-empty for
 * -Wformat-zero-length, and tap_fail() skips that space.
 */
#define EXPECT(cond, ...)						\
	do {								\
		if (!(cond))						\
			tap_fail(__FILE__, __LINE__, #cond, " " __VA_ARGS__); \
	} while (0)

#define ASSERT(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			tap_fail(__FILE__, __LINE__, #cond, " " __VA_ARGS__); \
			tap_abort();					\
		}							\
	} while (0)

/* A call that must fail with errno e. */
#define EXPECT_ERRNO(call, e)						\
	do {								\
		errno = 0;						\
		long tap_r_ = (long)(call);				\
		int tap_e_ = errno;					\
		if (tap_r_ != -1 || tap_e_ != (e))			\
			tap_fail(__FILE__, __LINE__, #call,		\
				 "returned %ld errno %d (%s), want -1 errno %d (%s)", \
				 tap_r_, tap_e_, strerror(tap_e_), (e), strerror(e)); \
	} while (0)

#endif /* SEGCTL_TAP_H */
