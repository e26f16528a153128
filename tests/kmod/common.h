/* SPDX-License-Identifier: MIT */
/*
 * common.h: what every module test needs: the device and its ioctls, the
 * listing parsed (and its format checked), /proc/self/maps and smaps, the
 * module's counters, fault probes, and children whose failures count.
 */
#ifndef KMOD_COMMON_H
#define KMOD_COMMON_H

#include <linux/segctl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps.h"
#include "tap.h"


#define PG		4096UL
/* TASK_SIZE: 0x7ffffffff000 with 4-level page tables, more with 5-level. */
#define USER_TOP	user_top()
#define MEM		SEGCTL_CLASS_MEMORY
#define SHR		SEGCTL_CLASS_SHARED
#define NOBODY		65534
#define FAILED		((unsigned long)-1)

unsigned long	user_top(void);

/* The device: one descriptor per process, opened on first use. */
int	segfd(void);
int	segioctl(unsigned long cmd, void *arg);	/* -1 and errno on error */

/* The calls with the struct filled in; FAILED / -1 and errno on error. */
unsigned long	attach(unsigned attr, unsigned class, unsigned long va,
		       unsigned long len);
unsigned long	attachg(unsigned attr, unsigned class, unsigned long va,
			unsigned long len, unsigned long guard);
int	attach_raw(struct segctl_attach *a);	/* sets a->size */
int	detach(unsigned long addr);
int	segfree(unsigned long va, unsigned long len);
int	segflush(unsigned long va, unsigned long len);
/* segbrk: 0 or -1; base and top (may be NULL) get the struct's out values. */
int	segbrk(unsigned long saddr, unsigned long addr, unsigned long *base,
	       unsigned long *top);

/*
 * The listing, every line checked against the doc/contract.md §1.7 format
 * (struct seg, seg_format: tests/lib/maps.h).
 */
char	*listing(size_t *len);		/* the raw text, malloc'd */
int	list_segs(struct seg **v);	/* parsed; *v malloc'd; returns count */
int	nsegs(void);
/* The segment whose base is base, copied to *s; false if none. */
bool	find_seg(unsigned long base, struct seg *s);
/* /proc/self/maps (struct map: tests/lib/maps.h). */
bool	map_at(unsigned long addr, struct map *m);	/* VMA holding addr */
bool	mapped(unsigned long start, unsigned long end);	/* all of it */
bool	unmapped(unsigned long start, unsigned long end); /* none of it */
/* Every page of [start, end) mapped with these perms ("rwxp" style). */
bool	mapped_as(unsigned long start, unsigned long end, const char *perms);
unsigned long	locked_kb(unsigned long start, unsigned long end); /* smaps */
bool	resident(unsigned long start, unsigned long end);	/* mincore */
bool	none_resident(unsigned long start, unsigned long end);
/* An address range nothing is mapped in (reserved, then unmapped). */
unsigned long	free_range(unsigned long len);

/* Access probes: the signal the access raised (SIGSEGV, SIGBUS) or 0. */
int	read_faults(unsigned long addr);
int	write_faults(unsigned long addr);

/* The module's parameters in /sys/module/segctl/parameters. */
long	param(const char *name);
int	set_param(const char *name, long val);
/*
 * Poll until tables, segments, committed, spans and arenas_alive are 0;
 * false if they stay up.
 */
bool	counters_are_zero(void);
#define COUNTERS_ZERO_TEST						\
	TEST(counters_zero)						\
	{								\
		EXPECT(counters_are_zero(), "tables %ld segments %ld committed %ld", \
		       param("tables"), param("segments"), param("committed")); \
	}

/* A file's contents, malloc'd and NUL-terminated; NULL and errno on error. */
char	*slurp(const char *path, size_t *len);

/*
 * Run fn(arg) in a forked child and wait.  A failed EXPECT or ASSERT in
 * the child (its "failed:" lines on stdout) or a non-zero exit counts as a
 * failure of the test that called.  Returns the wait status.
 */
int	in_child(void (*fn)(void *), void *arg);
#define EXPECT_CHILD(fn, arg)						\
	do {								\
		int st_ = in_child(fn, arg);				\
		EXPECT(WIFEXITED(st_) && WEXITSTATUS(st_) == 0,		\
		       "child status 0x%x", st_);			\
	} while (0)
/* Wait for pid; its wait status. */
int	wait_for(pid_t pid);
void	become_nobody(void);	/* ASSERTs it worked */

/* A number in /proc/sys, name like "vm/mmap_min_addr"; ASSERTs it reads. */
unsigned long	sysctl_get(const char *name);
void	sysctl_set(const char *name, unsigned long val);	/* root; ASSERTs */
/*
 * For a test of addresses below vm.mmap_min_addr: the limit in effect,
 * raised (as root) to at least 'pages' pages if the kernel's is lower
 * (Debian's is 64 KiB, a defconfig kernel's 4 KiB: no page but 0 below it).
 * *was gets the kernel's value, for min_addr_restore().
 */
unsigned long	min_addr_at_least(unsigned long pages, unsigned long *was);
void	min_addr_restore(unsigned long was);

#endif /* KMOD_COMMON_H */
