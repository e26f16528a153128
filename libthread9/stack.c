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
 * For the benchmark (bench/threadcreate), which compares ways of making
 * thread stacks within one build, THREAD9_STACKS picks another way; it is
 * read once, at the first thread stack, and is not meant for programs:
 *	cached	 the default, as above
 *	guarded	 one segattachguarded per stack, no cache
 *	seg3	 three segattach calls per stack, redzone, body, redzone, as
 *		 the 2010 GSoC prototype did; no cache
 *	malloc	 malloc, no redzones, as the original libthread did
 * Only thread stacks: procs' and signal stacks are always guarded segments.
 */
#include <errno.h>
#include <pthread.h>
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

static pthread_once_t stacksonce = PTHREAD_ONCE_INIT;
static int stacks = Stkcached;

static void
readstacks(void)
{
	static const char *names[] = {
		[Stkcached] "cached", [Stkguarded] "guarded",
		[Stkseg3] "seg3", [Stkmalloc] "malloc",
	};
	const char *s;
	int i;

	s = getenv("THREAD9_STACKS");
	if(s == nil || *s == '\0')
		return;
	for(i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
		if(strcmp(s, names[i]) == 0){
			stacks = i;
			return;
		}
	_t9fatal("THREAD9_STACKS=%s: want cached, guarded, seg3 or malloc", s);
}

/* How thread stacks are made in this process: Stk*. */
int
_t9stackhow(void)
{
	pthread_once(&stacksonce, readstacks);
	return stacks;
}

/*
 * The three-call way needs three free, adjacent ranges, and segattach
 * with no address gives no say in where a segment goes (Linux fills the
 * highest gap that fits, often a narrow one).  So, as a Plan 9 program
 * placing its own segments would, stacks go at fixed addresses downward
 * from seg3next, in a run of free space found by attaching and detaching
 * one Seg3run-byte redzone; a fixed attach that finds the space taken
 * starts a new run.  Three calls per stack, two more per run.
 */
enum { Seg3run = 1 << 30 };
static Lock seg3lock;
static uintptr_t seg3next, seg3end;	/* the run: [seg3end, seg3next) is left */

static int
seg3place(size_t span, uintptr_t *lo)
{
	char *v;
	int ok;

	ok = 1;
	_t9lock(&seg3lock);
	if(seg3next - seg3end < span){
		v = segattach(SG_NONE, "memory", nil, Seg3run);
		if(v == (char *)-1 || segdetach(v) < 0)
			ok = 0;
		else{
			seg3end = (uintptr_t)v;
			seg3next = (uintptr_t)v + Seg3run;
		}
	}
	if(ok){
		seg3next -= span;
		*lo = seg3next;
	}
	_t9unlock(&seg3lock);
	return ok;
}

/* Redzone, body, redzone at lo: 0, or the errno of the attach that failed. */
static int
seg3attach(char *lo, size_t len)
{
	char *body;
	int e;

	body = lo + Stackguard;
	if(segattach(SG_NONE, "memory", lo, Stackguard) == (void *)-1)
		return errno;
	if(segattach(SG_NOEXEC, "memory", body, len) == (void *)-1){
		e = errno;
		segdetach(lo);
		return e;
	}
	if(segattach(SG_NONE, "memory", body + len, Stackguard) == (void *)-1){
		e = errno;
		segdetach(body);
		segdetach(lo);
		return e;
	}
	return 0;
}

static char *
seg3alloc(size_t len, const char *who)
{
	uintptr_t lo;
	int try, e;

	for(try = 0; try < 4 && seg3place(len + 2 * Stackguard, &lo); try++){
		e = seg3attach((char *)lo, len);
		if(e == 0)
			return (char *)lo + Stackguard;
		if(e != EEXIST)
			break;
		_t9lock(&seg3lock);
		seg3next = seg3end = 0;
		_t9unlock(&seg3lock);
	}
	_t9fatal("%s: cannot allocate a %zu-byte stack: %s", who, len, segerrstr());
	return nil;
}

static void
seg3release(char *body, size_t len)
{
	_t9segrelease(body - Stackguard);
	_t9segrelease(body);
	_t9segrelease(body + len);
}

Thread *
_t9stackalloc(Proc *p, unsigned int want, const char *who)
{
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
	if(base == nil)
		switch(_t9stackhow()){
		case Stkmalloc:
			base = malloc(n);
			if(base == nil)
				_t9fatal("%s: cannot allocate a %zu-byte stack: out of memory",
					 who, n);
			break;
		case Stkseg3:
			base = seg3alloc(n, who);
			break;
		default:
			base = _t9segalloc(n, who);
			break;
		}
	rootadd(base, n);

	t = (Thread *)((uintptr_t)(base + n - sizeof(Thread)) & ~(uintptr_t)63);
	memset(t, 0, sizeof *t);
	t->stk = base;
	t->segsize = n;
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
	switch(_t9stackhow()){
	case Stkmalloc:
		free(base);
		return;
	case Stkseg3:
		seg3release(base, n);
		return;
	case Stkguarded:
		_t9segrelease(base);
		return;
	}
	if(p->ncache < Stackcache && p->cachebytes + n <= Stackcachemax){
		p->cache[p->ncache].base = base;
		p->cache[p->ncache].size = n;
		p->ncache++;
		p->cachebytes += n;
		return;
	}
	_t9segrelease(base);
}

void
_t9stackcachefree(Proc *p)
{
	while(p->ncache > 0)
		_t9segrelease(p->cache[--p->ncache].base);
	p->cachebytes = 0;
}
