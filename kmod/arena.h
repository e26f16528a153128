/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arena.h: stack arenas (doc/arenas.md): guarded bodies inside one mapping
 * whose redzones and free space are not VMAs.
 */
#ifndef SEGCTL_ARENA_H
#define SEGCTL_ARENA_H

#include "segctl.h"

extern bool segctl_arenas;		/* module parameter "arenas" */
extern unsigned long segctl_arena_spans; /* "arena_spans": per mm */
extern atomic_long_t segctl_nr_arenas;
extern atomic_long_t segctl_nr_spans;

int segctl_arena_init(void);
void segctl_arena_exit(void);
bool segctl_arena_wants(const struct segctl_span *sp, u32 attr, u32 class);
long segctl_arena_attach(struct segctl_table *t, const struct segctl_span *sp,
			 u32 attr, unsigned long n, u64 *body);
long segctl_arena_detach(struct segctl_table *t, const u64 *addrs,
			 unsigned long n, bool strict);
long segctl_arena_free(struct segctl_table *t, const struct segctl_seg *s,
		       unsigned long va, unsigned long from, unsigned long to);
int segctl_arena_piece(struct mm_struct *mm, const struct segctl_seg *s,
		       unsigned long addr, bool next, struct segctl_piece *p);
bool segctl_arena_matches(struct mm_struct *mm, const struct segctl_seg *s);
unsigned long segctl_arena_nspans(struct mm_struct *mm,
				  const struct segctl_seg *s);

#endif /* SEGCTL_ARENA_H */
