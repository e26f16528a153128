/* SPDX-License-Identifier: MIT */
/*
 * The user backend's process-local segment table (table.c), its stack
 * arenas (arena.c) and the reference counts of "shared" segments across
 * fork (shref.c).  Callers
 * hold the table lock (user.c) around every call.
 */
#ifndef SEGCTL_USER_H
#define SEGCTL_USER_H

#include <stdint.h>

/* Nothing here is part of the library's ABI. */
#pragma GCC visibility push(hidden)

typedef struct Seg Seg;
typedef struct Arena Arena;
struct Seg {
	uintptr_t	base;
	uintptr_t	top;		/* exclusive */
	int		attr;
	int		class;
	Seg		*ring;		/* next of a guarded trio; itself when alone */
	int64_t		shoff;		/* lock region once forked (shref.c), else 0 */
	Arena		*arena;		/* the arena of a guarded trio in one, else NULL */
};

Seg	*_segfind(uintptr_t addr);
Seg	*_segfindrange(uintptr_t lo, uintptr_t hi);
int	_seginsert(Seg *s);
void	_segremove(Seg *s);
void	_segwalk(void (*f)(Seg *s, void *arg), void *arg);

void	_segdropstale(uintptr_t lo, uintptr_t hi);	/* user.c */

/* Stack arenas (arena.c); the hooks are arenahook.h's. */
extern int	_segnoarena;
extern int	_segnoguards;
int	_segarenaspan(unsigned long len, unsigned long guard, int prot, Arena **a,
		      uintptr_t *lo);
int	_segarenaspans(unsigned long len, unsigned long guard, int prot, int n, Arena **a,
		       uintptr_t *lo);
void	_segarenafree(Arena *a, uintptr_t lo, uintptr_t hi);
/* A span of an arena, for freeing many at once. */
typedef struct Arenaspan Arenaspan;
struct Arenaspan {
	Arena		*a;
	uintptr_t	lo;
	uintptr_t	hi;
};
void	_segarenafreen(const Arenaspan *v, int n);	/* v sorted by lo */
void	_segarenastale(uintptr_t lo, uintptr_t hi);

void	_segshrefprepare(void);
void	_segshrefprepare1(Seg *s);
void	_segshrefparent(void);
void	_segshrefchild(void);
void	_segshrefrelease(Seg *s);
int	_segshrefothers(Seg *s, int count);

#pragma GCC visibility pop

#endif /* SEGCTL_USER_H */
