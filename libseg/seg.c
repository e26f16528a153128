// SPDX-License-Identifier: MIT
/*
 * The Plan 9 calls.  segattach's arguments are checked and rounded here,
 * once, so that both backends see the same request and give the same
 * errors; the rest is passed to the backend untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "segimpl.h"

static pthread_once_t minonce = PTHREAD_ONCE_INIT;
static uintptr_t minaddr;

/*
 * Addresses below vm.mmap_min_addr are refused by the kernel (EPERM from
 * the LSM); say EINVAL, as for any other address outside user space.  Page
 * 0 is never a segment, as on Plan 9.
 */
static void
readminaddr(void)
{
	char buf[32];
	ssize_t n;
	int fd;

	minaddr = 65536;	/* the kernel's default, if /proc is missing */
	fd = open("/proc/sys/vm/mmap_min_addr", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof buf - 1);
		if (n > 0) {
			buf[n] = 0;
			minaddr = strtoul(buf, NULL, 10);
		}
		close(fd);
	}
	minaddr = segctl_page_up(minaddr);
	if (minaddr < BY2PG)
		minaddr = BY2PG;
}

uintptr_t
_segminaddr(void)
{
	pthread_once(&minonce, readminaddr);
	return minaddr;
}

/* Any other name may be a global segment (Plan 9's #g): the backend decides. */
static int
classnum(const char *cls)
{
	if (strcmp(cls, "memory") == 0)
		return SEGCTL_CLASS_MEMORY;
	if (strcmp(cls, "shared") == 0)
		return SEGCTL_CLASS_SHARED;
	if (cls[0] == '\0' || strlen(cls) >= SEGCTL_NAME_MAX)
		return -1;
	return SEGCTL_CLASS_GLOBAL;
}

/*
 * Fill r from segattach's arguments, by the rules both backends share
 * (linux/segctl_rules.h): the attributes, then Plan 9's rounding.  The
 * only rule of libseg's own: any va but 0 asks for that place, and one
 * below vm.mmap_min_addr is refused here, before the kernel says EPERM.
 */
static int
mkreq(Segreq *r, int attr, const char *cls, void *va, unsigned long len,
      unsigned long guard)
{
	struct segctl_span *sp = &r->span;

	if (cls == NULL)
		return _segerror(EINVAL, _segEbadarg);
	r->class = classnum(cls);
	if (r->class < 0)
		return _segerror(EINVAL, _segEnoclass);
	if (!segctl_attr_valid(attr))
		return _segerror(EINVAL, _segEbadarg);
	r->attr = attr;
	r->name = cls;
	if (r->class == SEGCTL_CLASS_GLOBAL) {
		/* Guarded attaches know only the classes "memory" and "shared". */
		if (guard != 0)
			return _segerror(EINVAL, _segEnoclass);
		/* As on Plan 9, the segment has its own place and size. */
		if (!segctl_attr_global_valid(attr))
			return _segerror(EINVAL, _segEbadarg);
		*sp = (struct segctl_span){ 0 };
		return 0;
	}
	if (segctl_span_round(sp, (uintptr_t)va, len, guard, USTKTOP) < 0)
		return _segerror(EINVAL, _segEbadarg);
	if (va != NULL &&
	    (sp->va < sp->guard || sp->va - sp->guard < _segminaddr()))
		return _segerror(EINVAL, _segEbadarg);
	return 0;
}

void *
segattach(int attr, const char *cls, void *va, unsigned long len)
{
	Segreq r;

	if (mkreq(&r, attr, cls, va, len, 0) < 0)
		return (void *)-1;
	return _segops()->attach(&r);
}

void *
segattachguarded(int attr, const char *cls, void *va, unsigned long len,
		 unsigned long guard)
{
	Segreq r;

	if (mkreq(&r, attr, cls, va, len, guard) < 0)
		return (void *)-1;
	return _segops()->attach(&r);
}

int
_segattacheach(const Segreq *r, int n, void **out)
{
	const Segops *o = _segops();
	const char *text;
	int i, e;

	for (i = 0; i < n; i++) {
		out[i] = o->attach(r);
		if (out[i] == (void *)-1) {
			e = errno;
			text = segerrstr();
			while (i-- > 0)
				o->detach((uintptr_t)out[i]);
			return _segerror(e, text);
		}
	}
	return 0;
}

int
_segdetacheach(void *const *addrs, int n)
{
	const Segops *o = _segops();
	const char *text = NULL;
	int i, e = 0;

	for (i = 0; i < n; i++) {
		if (o->detach((uintptr_t)addrs[i]) < 0 && text == NULL) {
			e = errno;
			text = segerrstr();
		}
	}
	return text != NULL ? _segerror(e, text) : 0;
}

/*
 * n guarded attaches of one kind, all or nothing; the backend batches
 * those that go into stack arenas.
 */
int
segattachguardedn(int attr, const char *cls, unsigned long len, unsigned long guard, int n,
		  void **out)
{
	Segreq r;

	if (out == NULL || !segctl_batch_count_valid(n))
		return _segerror(EINVAL, _segEbadarg);
	if (mkreq(&r, attr, cls, NULL, len, guard) < 0)
		return -1;
	return _segops()->attachn(&r, n, out);
}

int
segdetachn(void **addrs, int n)
{
	if (addrs == NULL || !segctl_batch_count_valid(n))
		return _segerror(EINVAL, _segEbadarg);
	return _segops()->detachn(addrs, n);
}

int
segdetach(void *addr)
{
	return _segops()->detach((uintptr_t)addr);
}

int
segfree(void *va, unsigned long len)
{
	return _segops()->free((uintptr_t)va, len);
}

void *
segbrk(void *saddr, void *addr)
{
	return _segops()->brk((uintptr_t)saddr, (uintptr_t)addr);
}

int
segflush(void *va, unsigned long len)
{
	return _segops()->flush((uintptr_t)va, len);
}
