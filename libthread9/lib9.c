// SPDX-License-Identifier: MIT
/*
 * lib9: libthread9 beside plan9port's lib9 (or Debian's 9base).  lib9's
 * lock(2) calls hand their work to a thread library through hook pointers
 * when it has set them; without them a qlock does not block at all.  Where
 * lib9's calls are the ones linked, the hooks get libthread9's own, which
 * work on lib9's structures as storage: thread.h checks at compile time
 * that each is big and aligned enough, and lib9 touches their fields only
 * when no hook is set.  Where libthread9's own calls are linked (they are
 * weak, lib9's are not), the program's calls reach them directly.
 *
 * A lib9 whose calls are linked but that has no hooks would block the whole
 * proc, or not lock at all: the library stops at start, naming the call.
 */
#include <string.h>

#include "threadimpl.h"

/* lib9's hook pointers, if its lock(2) object is in the program. */
#define HOOK	__attribute__((weak, visibility("default")))
extern int	(*_lock)(Lock *, int, unsigned long) HOOK;
extern void	(*_unlock)(Lock *, unsigned long) HOOK;
extern int	(*_qlock)(QLock *, int, unsigned long) HOOK;
extern void	(*_qunlock)(QLock *, unsigned long) HOOK;
extern int	(*_rlock)(RWLock *, int, unsigned long) HOOK;
extern void	(*_runlock)(RWLock *, unsigned long) HOOK;
extern int	(*_wlock)(RWLock *, int, unsigned long) HOOK;
extern void	(*_wunlock)(RWLock *, unsigned long) HOOK;
extern void	(*_rsleep)(Rendez *, unsigned long) HOOK;
extern int	(*_rwakeup)(Rendez *, int, unsigned long) HOOK;

/* The hooks: block says wait (lock) or not (canlock); pc is for debuggers. */
static int
hooklock(Lock *l, int block, unsigned long pc)
{
	(void)pc;
	if(!block)
		return _t9canlock(l);
	_t9lock(l);
	return 1;
}

static void
hookunlock(Lock *l, unsigned long pc)
{
	(void)pc;
	_t9unlock(l);
}

static int
hookqlock(QLock *q, int block, unsigned long pc)
{
	(void)pc;
	if(!block)
		return _t9canqlock(q);
	_t9qlock(q);
	return 1;
}

static void
hookqunlock(QLock *q, unsigned long pc)
{
	(void)pc;
	_t9qunlock(q);
}

static int
hookrlock(RWLock *l, int block, unsigned long pc)
{
	(void)pc;
	if(!block)
		return _t9canrlock(l);
	_t9rlock(l);
	return 1;
}

static void
hookrunlock(RWLock *l, unsigned long pc)
{
	(void)pc;
	_t9runlock(l);
}

static int
hookwlock(RWLock *l, int block, unsigned long pc)
{
	(void)pc;
	if(!block)
		return _t9canwlock(l);
	_t9wlock(l);
	return 1;
}

static void
hookwunlock(RWLock *l, unsigned long pc)
{
	(void)pc;
	_t9wunlock(l);
}

static void
hookrsleep(Rendez *r, unsigned long pc)
{
	(void)pc;
	_t9rsleep(r);
}

static int
hookrwakeup(Rendez *r, int all, unsigned long pc)
{
	(void)pc;
	return all ? _t9rwakeupall(r) : _t9rwakeup(r);
}

/*
 * Whether the program's lock(2) calls are libthread9's, asked by what they
 * do, not by their address (in a program built without PIE that takes a
 * call's address, the address is the program's PLT entry): the public can*
 * call takes a zeroed lock, and libthread9's own then finds it taken only
 * if the public one was libthread9's.  The scratch is big and aligned
 * enough for any lib9's types.
 */
typedef union Scratch {
	void		*p;
	long double	ld;
	char		b[256];
} Scratch;

static int
ourlock(void)
{
	Scratch s;

	memset(&s, 0, sizeof s);
	canlock((Lock *)s.b);
	return !_t9canlock((Lock *)s.b);
}

static int
ourqlock(void)
{
	Scratch s;

	memset(&s, 0, sizeof s);
	canqlock((QLock *)s.b);
	return !_t9canqlock((QLock *)s.b);
}

static int
ourrwlock(void)
{
	Scratch s;

	memset(&s, 0, sizeof s);
	canwlock((RWLock *)s.b);
	return !_t9canrlock((RWLock *)s.b);
}

/* The calls named are another library's: it must have the hooks. */
static void
needhooks(const char *name, int hooked)
{
	if(!hooked)
		_t9fatal("%s: the %s linked is not libthread9's and its library has no "
			 "thread-library hooks (plan9port's _lock, _qlock, ...): "
			 "it would block the whole proc", name, name);
}

/*
 * Where lib9's lock(2) object is linked, its hook pointers exist and its
 * calls are the ones linked (libthread9's are weak).  rsleep and rwakeup
 * go with qlock: they let go of and take the Rendez's QLock.
 */
void
_t9lib9init(void)
{
	if(&_lock != nil || !ourlock()){
		needhooks("lock", &_lock != nil && &_unlock != nil);
		_lock = hooklock;
		_unlock = hookunlock;
	}
	if(&_qlock != nil || !ourqlock()){
		needhooks("qlock", &_qlock != nil && &_qunlock != nil);
		needhooks("rsleep", &_rsleep != nil && &_rwakeup != nil);
		_qlock = hookqlock;
		_qunlock = hookqunlock;
		_rsleep = hookrsleep;
		_rwakeup = hookrwakeup;
	}
	if(&_rlock != nil || !ourrwlock()){
		needhooks("rlock", &_rlock != nil && &_runlock != nil &&
			  &_wlock != nil && &_wunlock != nil);
		_rlock = hookrlock;
		_runlock = hookrunlock;
		_wlock = hookwlock;
		_wunlock = hookwunlock;
	}
}
