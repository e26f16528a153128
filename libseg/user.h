/* SPDX-License-Identifier: MIT */
/*
 * The user backend's process-local segment table (table.c) and the
 * reference counts of "shared" segments across fork (shref.c).  Callers
 * hold the table lock (user.c) around every call.
 */
#ifndef SEGCTL_USER_H
#define SEGCTL_USER_H

#include <stdint.h>

/* Nothing here is part of the library's ABI. */
#pragma GCC visibility push(hidden)

typedef struct Seg Seg;
struct Seg {
	uintptr_t	base;
	uintptr_t	top;		/* exclusive */
	int		attr;
	int		class;
	Seg		*ring;		/* next of a guarded trio; itself when alone */
	int64_t		shoff;		/* lock region once forked (shref.c), else 0 */
};

Seg	*segfind(uintptr_t addr);
Seg	*segfindrange(uintptr_t lo, uintptr_t hi);
int	seginsert(Seg *s);
void	segremove(Seg *s);
void	segwalk(void (*f)(Seg *s, void *arg), void *arg);

void	shrefprepare(void);
void	shrefprepare1(Seg *s);
void	shrefparent(void);
void	shrefchild(void);
void	shrefrelease(Seg *s);
int	shrefothers(Seg *s, int count);

#pragma GCC visibility pop

#endif /* SEGCTL_USER_H */
