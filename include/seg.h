/* SPDX-License-Identifier: MIT */
/*
 * seg.h: Plan 9 memory segments (segattach(2)) for Linux.
 *
 * Link with -lseg (pkg-config libseg).  The calls go to /dev/segctl when the
 * segctl module is loaded, and are emulated in user space otherwise; see
 * segbackend().  Self-contained: C99 or C++, no other header needed.
 */
#ifndef SEGCTL_SEG_H
#define SEGCTL_SEG_H

#ifdef __cplusplus
extern "C" {
#endif

/* Attributes (Plan 9's values). */
enum {
	SG_RONLY	= 0000040,	/* read-only */
	SG_CEXEC	= 0000100,	/* detach at exec */
	SG_NONE		= 0000200,	/* redzone: any access faults */
	SG_FAULT	= SG_NONE,	/* 9front's name for SG_NONE */
	SG_NOEXEC	= 0002000,	/* not executable */
	SG_COMMIT	= 0004000,	/* every page resident and locked */
	SG_SAS		= 0010000,	/* shared by every task of the mm */
};

void	*segattach(int attr, const char *cls, void *va, unsigned long len);
void	*segattachguarded(int attr, const char *cls, void *va,
			  unsigned long len, unsigned long guard);
int	segdetach(void *addr);
/* Many stacks at once (1 to 1024), all or nothing: 0 or -1. */
int	segattachguardedn(int attr, const char *cls, unsigned long len,
			  unsigned long guard, int n, void **out);
int	segdetachn(void **addrs, int n);
int	segfree(void *va, unsigned long len);
void	*segbrk(void *saddr, void *addr);
int	segflush(void *va, unsigned long len);

/* Plan 9 wording of the calling thread's last segment error. */
const char	*segerrstr(void);

/* Which backend serves the calls. */
enum {
	SEG_BACKEND_NONE = -1,	/* the forced backend could not be had */
	SEG_BACKEND_KERNEL = 0,	/* /dev/segctl */
	SEG_BACKEND_USER = 1,	/* emulation with mmap, mprotect, mlock */
};
int		segbackend(void);
const char	*segbackendname(void);	/* "kernel", "user" or "none" */

#ifdef __cplusplus
}
#endif

#endif /* SEGCTL_SEG_H */
