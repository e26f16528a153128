/* SPDX-License-Identifier: MIT */
/*
 * segio.h: what the fuzzer and the stress tests share: raw ioctls on
 * /dev/segctl, the listing (parsed by tests/lib/maps.h) checked against
 * /proc/self/maps, the module's counters, and a small seeded PRNG.
 */
#ifndef SEGIO_H
#define SEGIO_H

#include <linux/segctl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps.h"

#define PG		4096UL
#define MEM		SEGCTL_CLASS_MEMORY
#define SHR		SEGCTL_CLASS_SHARED

/* The top of user space: 47 or 56 bits, found by probing (segio_init). */
extern unsigned long user_top;
void	segio_init(void);

/* A descriptor of /dev/segctl (exits on failure). */
int	seg_open(void);

/* ioctl(fd, cmd, arg): 0, or the errno. */
int	seg_ioctl(int fd, unsigned long cmd, void *arg);

/* The usual calls with their structs filled in; 0 or an errno. */
int	seg_attach(int fd, unsigned attr, unsigned class, unsigned long *va,
		   unsigned long len, unsigned long guard);
int	seg_detach(int fd, unsigned long addr);
int	seg_free(int fd, unsigned long va, unsigned long len);
int	seg_flush(int fd, unsigned long va, unsigned long len);
int	seg_brk(int fd, unsigned long saddr, unsigned long addr,
		unsigned long *base, unsigned long *top);

/*
 * Read the caller's listing through fd and parse it into v (at most max).
 * Returns the number of lines, or -1 with a reason in why when a line does
 * not have doc/contract.md §1.7's format or the lines are not ascending and
 * disjoint, or a "memory" segment is held more than once.
 */
int	seg_list(int fd, struct seg *v, int max, char *why, size_t whylen);

/*
 * Every listed segment is mapped in /proc/self/maps, all of [base, top),
 * with the protection and sharing its flags promise, or lies whole in a
 * stack arena (a "memory" body or redzone: doc/arenas.md).  Returns true, or
 * false with the first mismatch in why.
 */
/*
 * Unmap every stack arena of the process (empty ones stay mapped, and in
 * the table, until the address space goes); how many.  The next listing
 * forgets their entries.
 */
int	seg_unmap_arenas(void);

bool	seg_list_matches_maps(const struct seg *v, int n, char *why,
			      size_t whylen);

/* A module parameter from /sys/module/segctl/parameters, or -1. */
long	seg_param(const char *name);
/* Write one (root); 0 or an errno. */
int	seg_param_set(const char *name, long value);
/* A "Name:  N kB" field of /proc/self/status, in kB, or -1. */
long	proc_status_kb(const char *field);

/* xorshift64*: a seeded, reproducible stream. */
struct rng { uint64_t s; };
void		rng_seed(struct rng *r, uint64_t seed);
uint64_t	rng_next(struct rng *r);
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}
static inline bool rng_chance(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/* Monotonic seconds. */
double	now(void);

#endif /* SEGIO_H */
