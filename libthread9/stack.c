// SPDX-License-Identifier: MIT
/*
 * Thread stacks: guarded segments, [redzone][stack][redzone], from libseg.
 * The Thread itself sits at the top of its stack, so creating a thread
 * allocates one segment and nothing else.
 *
 * A dead thread's stack goes back to its proc's cache (at most Stackcache
 * stacks and Stackcachemax bytes), which only that proc's scheduler touches:
 * no lock.  The scheduler frees a stack after switching off it.
 *
 * Stacks come and go Stackbatch at a time, since one libseg call pays the
 * system call and the locks once for all where they lie in stack arenas
 * (each stack's own work remains; doc/arenas.md §6): fresh ones
 * from the proc's reserve, filled by one segattachguardedn (a stack never
 * touched holds no memory), and those the cache has no room for wait on
 * the proc's pending list for one segdetachn, when it is full and when the
 * proc exits.  So at most Stackbatch freed stacks' memory is held back.
 *
 * bench/threadcreate compares other ways of making thread stacks within
 * one build; it sets _t9threadstackhook (stackhook.h) and makes them itself.
 * Procs' and signal stacks are always guarded segments.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <seg.h>

#include "threadimpl.h"

#ifdef THREAD_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
/* LeakSanitizer knows nothing of our stacks: pointers held there count. */
#define rootadd(b, n)	__lsan_register_root_region(b, n)
#define rootdel(b, n)	__lsan_unregister_root_region(b, n)
#else
#define rootadd(b, n)	((void)(b), (void)(n))
#define rootdel(b, n)	((void)(b), (void)(n))
#endif

static size_t
pagesize(void)
{
	static size_t ps;

	if(ps == 0)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

static size_t
roundpage(size_t n)
{
	return (n + pagesize() - 1) & ~(pagesize() - 1);
}

/*
 * A guarded segment of len bytes (a page multiple) for a stack: thread,
 * proc and signal stacks hold data only, so never executable (SG_NOEXEC);
 * sysfatal if none.
 */
char *
_t9segalloc(size_t len, const char *who)
{
	void *v;

	v = segattachguarded(SG_NOEXEC, "memory", nil, len, Stackguard);
	if(v == (void *)-1)
		_t9fatal("%s: cannot allocate a %zu-byte stack: %s",
			 who, len, segerrstr());
	return v;
}

void
_t9segrelease(char *base)
{
	if(base != nil && segdetach(base) < 0)
		_t9fatal("libthread9: segdetach %p: %s", (void *)base, segerrstr());
}

const struct _Stackhook *_t9threadstackhook;

static void stackpend(Proc *p, char *base);
static void reservedrop(Proc *p);

/*
 * A fresh stack of n bytes from p's reserve, refilled when empty.  A
 * reserve of another size serves on until a second stack in a row is not
 * its size (the first is often threadmain's, or a one-off): then it goes
 * and one of the new size comes.  Where a batch cannot be had (near a
 * limit), one stack can still be.
 */
static char *
freshstack(Proc *p, size_t n, const char *who)
{
	if(p->nreserve > 0 && p->reservesize != n){
		if(++p->reservemiss < 2)
			return _t9segalloc(n, who);
		reservedrop(p);
	}
	p->reservemiss = 0;
	if(p->nreserve == 0){
		if(segattachguardedn(SG_NOEXEC, "memory", n, Stackguard, Stackbatch,
				     (void **)p->reserve) < 0)
			return _t9segalloc(n, who);
		p->nreserve = Stackbatch;
		p->reservesize = n;
	}
	return p->reserve[--p->nreserve];
}

/* Detach p's pending stacks in one call. */
static void
stackflush(Proc *p)
{
	if(p->npending > 0 && segdetachn((void **)p->pending, p->npending) < 0)
		_t9fatal("libthread9: segdetachn of %d stacks: %s", p->npending, segerrstr());
	p->npending = 0;
}

static void
stackpend(Proc *p, char *base)
{
	p->pending[p->npending++] = base;
	if(p->npending == Stackbatch)
		stackflush(p);
}

/* p's reserve, unused, to be detached with the pending stacks. */
static void
reservedrop(Proc *p)
{
	while(p->nreserve > 0)
		stackpend(p, p->reserve[--p->nreserve]);
}

/*
 * A stack of at least want bytes with a zeroed Thread at its top, t->stk
 * and t->segsize set: from p's cache, the hook, or a fresh segment.
 */
Thread *
_t9stackthread(Proc *p, unsigned int want, const char *who)
{
	const struct _Stackhook *hook;
	Thread *t;
	char *base;
	size_t n;
	int i;

	if(want == 0)
		_t9fatal("%s: stack size 0", who);
	n = want < Stackfloor ? Stackfloor : want;
	n = roundpage(n + sizeof(Thread));

	base = nil;
	for(i = p->ncache - 1; i >= 0; i--)
		if(p->cache[i].size == n){
			base = p->cache[i].base;
			p->cache[i] = p->cache[--p->ncache];
			p->cachebytes -= n;
#ifdef THREAD_ASAN
			/* The last thread's frames may still be poisoned. */
			ASAN_UNPOISON_MEMORY_REGION(base, n);
#endif
			break;
		}
	hook = _t9threadstackhook;
	if(base != nil)
		hook = nil;
	else if(hook != nil)
		base = hook->alloc(n, Stackguard, who);
	else
		base = freshstack(p, n, who);
	rootadd(base, n);

	t = (Thread *)((uintptr_t)(base + n - sizeof(Thread)) & ~(uintptr_t)63);
	memset(t, 0, sizeof *t);
	t->stk = base;
	t->segsize = n;
	t->stackhook = hook;
	return t;
}

void
_t9stackfree(Proc *p, Thread *t)
{
	char *base;
	size_t n;

	base = t->stk;
	n = t->segsize;
	rootdel(base, n);
	if(t->stackhook != nil){
		t->stackhook->release(base, n);
		return;
	}
	if(p->ncache < Stackcache && p->cachebytes + n <= Stackcachemax){
		p->cache[p->ncache].base = base;
		p->cache[p->ncache].size = n;
		p->ncache++;
		p->cachebytes += n;
		return;
	}
	stackpend(p, base);
}

/* The proc is going: its cached, reserved and pending stacks go too. */
void
_t9stackcachefree(Proc *p)
{
	while(p->ncache > 0)
		stackpend(p, p->cache[--p->ncache].base);
	p->cachebytes = 0;
	reservedrop(p);
	stackflush(p);
}
