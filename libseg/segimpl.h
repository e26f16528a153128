/* SPDX-License-Identifier: MIT */
/*
 * libseg internals: what the public calls (seg.c) share with the two
 * backends (kernel.c, user.c).  seg.c checks and rounds the arguments of
 * segattach once, for both backends; everything else is the backend's.
 */
#ifndef SEGCTL_SEGIMPL_H
#define SEGCTL_SEGIMPL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/segctl.h>
#include <linux/segctl_rules.h>
#include "seg.h"

/* seg.h spells the attributes as Plan 9 does; the values are the ABI's. */
_Static_assert(SG_RONLY == SEGCTL_ATTR_RONLY && SG_CEXEC == SEGCTL_ATTR_CEXEC &&
	       SG_NONE == SEGCTL_ATTR_NONE && SG_FAULT == SEGCTL_ATTR_NONE &&
	       SG_NOEXEC == SEGCTL_ATTR_NOEXEC && SG_COMMIT == SEGCTL_ATTR_COMMIT &&
	       SG_SAS == SEGCTL_ATTR_SAS, "seg.h's SG_* are not the uapi's bits");

/*
 * Nothing here is part of the library's ABI.  Every name libseg.a defines
 * outside the API starts with _seg (or is static), so that a program may
 * define Ebadarg or segfind and still link libseg statically.
 */
#pragma GCC visibility push(hidden)

/*
 * x86-64 only (doc/contract.md §2): 4 KiB pages, and user space ends at
 * SEGCTL_TOP, where Plan 9's amd64 USTKTOP and Linux's 4-level TASK_SIZE
 * end.  Nothing above it is ever mapped for a segment, even with 5-level
 * paging.  Lengths are unsigned long from the API down to the system call.
 */
#define BY2PG		SEGCTL_PAGE_SIZE
#define USTKTOP		SEGCTL_TOP

/* A segattach request after seg.c checked and rounded it. */
typedef struct Segreq Segreq;
struct Segreq {
	int		attr;
	int		class;		/* SEGCTL_CLASS_* */
	const char	*name;		/* the class name; a global segment's */
	struct segctl_span span;	/* va 0: any address */
};

/*
 * A backend.  Each call sets errno and the error string itself and
 * returns as the public call does.
 */
typedef struct Segops Segops;
struct Segops {
	const char	*name;
	int		id;		/* SEG_BACKEND_* */
	void		*(*attach)(const Segreq *r);
	int		(*attachn)(const Segreq *r, int n, void **out);
	int		(*detach)(uintptr_t addr);
	int		(*detachn)(void *const *addrs, int n);
	int		(*free)(uintptr_t va, unsigned long len);
	void		*(*brk)(uintptr_t saddr, uintptr_t addr);
	int		(*flush)(uintptr_t va, unsigned long len);
	int		(*list)(int fd);
};

extern const Segops	_segkernelops;
extern const Segops	_seguserops;

const Segops	*_segops(void);			/* backend.c */
int		_segkernelopen(char *why, int nwhy);	/* kernel.c */

/* Errors (errstr.c): Plan 9's names and texts. */
extern const char	_segEbadarg[];
extern const char	_segEsoverlap[];
extern const char	_segEnovmem[];
extern const char	_segEinuse[];
extern const char	_segEcommit[];
extern const char	_segEnoclass[];

int		_segerror(int errnum, const char *text);	/* returns -1 */
void		*_segerrorp(int errnum, const char *text);	/* returns (void*)-1 */

int		_segwriteall(int fd, const char *buf, size_t n);

/* The lowest address a fixed segattach may ask for (seg.c). */
uintptr_t	_segminaddr(void);

/*
 * The batch calls as single ones, for what does not batch (seg.c): an
 * attach undoes what it made on failure; a detach detaches every segment
 * it can and fails if one could not be.
 */
int		_segattacheach(const Segreq *r, int n, void **out);
int		_segdetacheach(void *const *addrs, int n);

#pragma GCC visibility pop

#endif /* SEGCTL_SEGIMPL_H */
