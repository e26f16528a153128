/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arena.h: stack arenas (doc/arenas.md), a prototype: guarded bodies
 * inside one mapping whose redzones and free space are not VMAs.
 */
#ifndef SEGCTL_ARENA_H
#define SEGCTL_ARENA_H

long segctl_arena(void *arg);		/* struct segctl_arena */
void segctl_arena_undo(void *arg);	/* the result could not go back */

#endif /* SEGCTL_ARENA_H */
