/* SPDX-License-Identifier: MIT */
/*
 * check_seg: libseg's tests, one program for both backends.  Helpers
 * (check_seg.c) look at what the kernel says, not at what libseg says:
 * /proc/self/maps and smaps, mincore, and children dying of SIGSEGV.
 */
#ifndef CHECK_SEG_H
#define CHECK_SEG_H

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "seg.h"
#include "seglist.h"

#define PG		4096UL
#define USTKTOP		0x7ffffffff000UL
#define ADDR(p)		((uintptr_t)(p))
#define FAILED		((void *)-1)

extern int wantbackend;		/* SEG_BACKEND_KERNEL or SEG_BACKEND_USER */

/* The call failed with this errno and this segerrstr(). */
#define ck_fails(rv, bad, e, text) do { \
	void *rv_ = (void *)(intptr_t)(rv); \
	int e_ = errno; \
	ck_assert_ptr_eq(rv_, (void *)(intptr_t)(bad)); \
	ck_assert_int_eq(e_, (e)); \
	ck_assert_str_eq(segerrstr(), (text)); \
} while (0)

#define EBADARG		"bad arg in system call"
#define ESOVERLAP	"segments overlap"
#define ENOVMEM		"virtual memory allocation failed"
#define EINUSE		"device or object already in use"
#define ECOMMIT		"commit limit exceeded"
#define ENOCLASS	"unknown segment class"

/* The kernel's view. */
int	mapped(uintptr_t lo, uintptr_t hi);		/* any VMA overlaps */
int	vmaof(uintptr_t a, uintptr_t *lo, uintptr_t *hi, char perms[5]);
int	locked(uintptr_t a, uintptr_t len);		/* smaps: locked, all present */
int	resident(uintptr_t p, uintptr_t len);		/* every page, per mincore */
int	allzero(uintptr_t p, uintptr_t len);
int	gone(uintptr_t lo, uintptr_t hi);			/* unmapped, or every page faults */
uintptr_t freeaddr(uintptr_t len);			/* a hole with a free page around */

/* How a forked child running f(p) ended: its signal, or 0. */
int	diesig(void (*f)(uintptr_t), uintptr_t p);
void	rd(uintptr_t p);
void	wr(uintptr_t p);

/* The listing. */
char	*listing(void);
int	nlines(const char *l);
void	ck_listed(const char *cls, const char *flags, uintptr_t base, uintptr_t top, int ref);
void	ck_unlisted(uintptr_t base);
int	islisted(const char *cls, const char *flags, uintptr_t base, uintptr_t top, int ref);

/* Run f in a forked child; assert it exits 0 (child-side checks use exit codes). */
void	inchild(int (*f)(void *), void *arg);

TCase	*tc_attach(void);
TCase	*tc_attrs(void);
TCase	*tc_badargs(void);
TCase	*tc_commit(void);
TCase	*tc_guarded(void);
TCase	*tc_detach(void);
TCase	*tc_free(void);
TCase	*tc_brk(void);
TCase	*tc_flush(void);
TCase	*tc_list(void);
TCase	*tc_fork(void);
TCase	*tc_tasks(void);
TCase	*tc_many(void);
TCase	*tc_arena(void);
TCase	*tc_batch(void);

#endif
