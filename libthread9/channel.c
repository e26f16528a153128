// SPDX-License-Identifier: MIT
/*
 * Channels and alt.
 *
 * Lock discipline (channels used by more than one proc).
 *  - Each channel has its own Lock, c->lock, over its buffer, its flags and
 *    its two queues of waiting Alt entries (senders, receivers).
 *  - alt locks every channel it names, each once, in ascending address
 *    order, so two alts never wait for each other's locks; send and recv are
 *    alts of one entry.  Proc.lock (in _t9threadready, when the proc sleeps)
 *    nests inside channel locks; no other lock does.
 *  - A blocked alt's entries, one per channel queue, point (tag) to one
 *    Altsel on the blocked thread's stack.  Whoever completes one of them
 *    first claims the Altsel (_t9altclaim) by changing its state from
 *    Altwaiting to the entry's index (threadint puts Altinterrupted); an
 *    entry whose Altsel is already claimed is stale, and whoever meets it
 *    takes it off its queue.  The claimer copies the value while it holds
 *    that channel, and then readies the thread.
 *  - The woken thread takes its channels again to take its other entries
 *    off their queues before its Alt array goes away.  c->nwait counts the
 *    entries of blocked alts that have not done this yet; chanfree is put
 *    off until it is 0, and then done by the last of them.
 *  - An alt blocked with one entry queued (Altsel.solo: every send and
 *    recv) is spared that: its claimer, holding c, takes the entry off
 *    the queue and out of c->nwait, so the woken thread does not take c
 *    again unless threadint claimed it (the entry may then still be
 *    queued).  Claimers never hold a freed c: chanfree's deferral holds.
 *
 * Owned channels: no lock, no atomic read-modify-write.
 *  - A channel is owned by the proc that made it (c->owner names the
 *    proc's Chanown) until a task that does not hold that Chanown takes
 *    c->lock: it then makes c shared (c->owner nil), for good (share).
 *  - The owner's threads run an alt whose channels it all owns as a fast
 *    section: own->infast = 1, a compiler barrier, check that each
 *    channel's owner is still own, do everything the locked path would do
 *    but with plain loads and stores, own->infast = 0 (a release store).
 *    A section never blocks or takes a lock; a thread that must sleep
 *    queues its entries, ends the section, then switches.  Blocked alts
 *    of the owner's threads can be claimed by a plain store (_t9altclaim:
 *    Altsel.shared is 0) as only the owner's task reaches them; it claims
 *    them in a fast section only (threadint's too, kill.c), which share's
 *    second quiesce below relies on.
 *  - share, under c->lock: store c->owner = nil, then membarrier
 *    (MEMBARRIER_CMD_PRIVATE_EXPEDITED), then wait until own->infast is 0.
 *    Why that is enough: the owner stores infast before it loads
 *    c->owner, and share stores c->owner before it loads infast; the
 *    membarrier puts a full barrier into the owner's instruction stream
 *    (an IPI, or the context switch of a task not running) at some point
 *    B between the two.  If the owner's store of infast came before B it
 *    is visible to share's load (which waits for the section's end, a
 *    release that makes all the section's stores visible); otherwise the
 *    owner's load of c->owner comes after B and sees nil, and the owner
 *    takes the locked path.  The owner pays no barrier; share pays one
 *    system call, once per channel.
 *  - share then sets Altsel.shared on every entry queued on c (all the
 *    owner's: no other task had reached c) and quiesces the owner again, so
 *    that none of its sections can still be claiming those alts by a plain
 *    store once this task may claim them by compare-and-swap.
 *  - threadint from another proc does not claim an alt itself: it asks the
 *    thread's proc to (kill.c), so only the owner ever claims a blocked alt
 *    of its threads that names owned channels only.
 *  - send and recv on an owned channel (opfast) are that section
 *    without alt's work for many entries: one channel, nothing to order
 *    or choose, no call unless it must sleep (opblock).  On any other
 *    channel (opslow) they take it as chantake says, then the same.
 *  - An alt that names a channel it does not own takes the locked path
 *    (locking an owned channel too is harmless: only the owner reaches it
 *    without the lock, and the owner is the one locking); its Altsel is
 *    shared.
 *  - A proc's Chanown outlives it (proc.c): a channel outlives its maker.
 *  - Without membarrier (seccomp, old kernel) every channel is shared.
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "threadimpl.h"

enum {
	Chanmagic = 0x6368616e,		/* "chan" */
	Chandead = 0x64656164,		/* "dead" */
	Nlockstack = 16,		/* alt locks this many channels without malloc */
};

typedef struct Altq Altq;
struct Altq {
	Alt	*head;
	Alt	*tail;
};

struct Channel {
	Lock	lock;
	Chanown	*owner;		/* atomic: whose threads use it unlocked; nil: shared */
	int	magic;
	int	e;		/* element size */
	int	s;		/* buffer size in elements, 0: unbuffered */
	unsigned int f;		/* first buffered element */
	unsigned int n;		/* elements buffered */
	int	closed;
	int	freed;		/* chanfree called, free when nwait is 0 */
	int	nwait;		/* entries of blocked alts on the queues */
	Altq	sendq;
	Altq	recvq;
	unsigned char v[];	/* s*e bytes of buffer */
};

static char errcl[] = "channel was closed";

static pthread_once_t ownonce = PTHREAD_ONCE_INIT;
static int ownok;		/* membarrier works: channels start owned */

static int
membarrier(int cmd)
{
	return syscall(SYS_membarrier, cmd, 0, 0);
}

static void
owninit(void)
{
	ownok = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

/* The calling task's Chanown; nil outside libthread9's procs. */
static Chanown *
myown(void)
{
	Proc *p;

	p = _t9threadprocp;
	return p != nil ? p->own : nil;
}

/* Wait until o's holder is outside any fast section begun before now. */
static void
quiesce(Chanown *o)
{
	int i;

	if(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) < 0){
		/* A forked child's address space starts unregistered. */
		if(errno != EPERM || membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) < 0 ||
		   membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) < 0)
			_t9fatal("channel: membarrier: %m");
	}
	for(i = 0; __atomic_load_n(&o->infast, __ATOMIC_ACQUIRE); i++)
		if(i < 100)
			__builtin_ia32_pause();
		else
			sched_yield();
}

static int
markshared(Altq *q)
{
	Alt *a;
	int n;

	n = 0;
	for(a = q->head; a != nil; a = a->qnext, n++)
		__atomic_store_n(&((Altsel *)a->tag)->shared, 1, __ATOMIC_RELAXED);
	return n;
}

/* c->lock held, c owned by o, not the caller's: make c shared (see the top). */
static void
share(Channel *c, Chanown *o)
{
	__atomic_store_n(&c->owner, nil, __ATOMIC_RELAXED);
	quiesce(o);
	if(markshared(&c->sendq) + markshared(&c->recvq) > 0)
		quiesce(o);
}

/* Lock c for a task holding me (nil: none), making c shared if need be. */
static void
chanlock(Channel *c, Chanown *me)
{
	Chanown *o;

	_t9lock(&c->lock);
	o = __atomic_load_n(&c->owner, __ATOMIC_RELAXED);
	if(o != nil && o != me)
		share(c, o);
}

/* A fast section over c[0..n): 1 if me owns them all, else none begun. */
static int
fastbegin(Chanown *me, Channel **c, int n)
{
	int i;

	if(me == nil)
		return 0;
	_t9fastenter(me);
	for(i = 0; i < n; i++)
		if(__atomic_load_n(&c[i]->owner, __ATOMIC_RELAXED) != me){
			_t9fastleave(me);
			return 0;
		}
	return 1;
}

static void
fastend(Chanown *me)
{
	_t9fastleave(me);
}

/*
 * Take c for one operation: a fast section if the caller's proc owns c
 * (returns 1), else c->lock (returns 0).  chanput undoes it.
 */
static int
chantake(Channel *c, Chanown *me)
{
	if(fastbegin(me, &c, 1))
		return 1;
	chanlock(c, me);
	return 0;
}

static void
chanput(Channel *c, Chanown *me, int fast)
{
	if(fast)
		fastend(me);
	else
		_t9unlock(&c->lock);
}

Channel *
chancreate(int elemsize, int bufsize)
{
	Channel *c;
	size_t n;

	if(elemsize <= 0)
		_t9fatal("chancreate: element size %d", elemsize);
	if(bufsize < 0)
		_t9fatal("chancreate: buffer size %d", bufsize);
	if(__builtin_mul_overflow((size_t)elemsize, (size_t)bufsize, &n) ||
	   n > (size_t)1 << 40)
		_t9fatal("chancreate: %d elements of %d bytes is too big",
			 bufsize, elemsize);
	c = calloc(1, sizeof *c + n);
	if(c == nil)
		_t9fatal("chancreate: out of memory");
	pthread_once(&ownonce, owninit);
	c->owner = ownok ? myown() : nil;
	c->magic = Chanmagic;
	c->e = elemsize;
	c->s = bufsize;
	return c;
}

static void
destroy(Channel *c)
{
	c->magic = Chandead;
	free(c);
}

/* c taken (chantake).  A freed channel's memory may already be someone
 * else's: this catches the use while the free is deferred, and tries after. */
static void
checklive(Channel *c, Chanown *me, int fast, const char *who)
{
	if(c->magic != Chanmagic || c->freed){
		chanput(c, me, fast);
		_t9fatal("%s: channel %p was freed", who, (void *)c);
	}
}

void
chanfree(Channel *c)
{
	Chanown *me;
	int fast, later;

	if(c == nil)
		return;
	me = myown();
	fast = chantake(c, me);
	checklive(c, me, fast, "chanfree");
	later = c->nwait > 0;
	if(later)
		c->freed = 1;
	chanput(c, me, fast);
	if(!later)
		destroy(c);
}

static Altq *
queueof(Alt *a)
{
	return a->op == CHANSND ? &a->c->sendq : &a->c->recvq;
}

/* An entry is off every queue when qnext points to itself. */
static void
enqueue(Altq *q, Alt *a)
{
	a->qnext = nil;
	a->qprev = q->tail;
	if(q->tail)
		q->tail->qnext = a;
	else
		q->head = a;
	q->tail = a;
}

static void
dequeue(Altq *q, Alt *a)
{
	if(a->qprev)
		a->qprev->qnext = a->qnext;
	else
		q->head = a->qnext;
	if(a->qnext)
		a->qnext->qprev = a->qprev;
	else
		q->tail = a->qprev;
	a->qnext = a;
}

static int
waiting(Alt *a)
{
	return __atomic_load_n(&((Altsel *)a->tag)->state, __ATOMIC_ACQUIRE) == Altwaiting;
}

/* Is someone waiting on q?  Drops stale entries on the way. */
static int
haswaiter(Altq *q)
{
	while(q->head != nil && !waiting(q->head))
		dequeue(q, q->head);
	return q->head != nil;
}

/*
 * Take the first waiting entry off c's queue q and claim its alt; nil if
 * none.  A solo alt's entry leaves c->nwait too: its thread, woken, need
 * not take c again.  The entry stays valid, and its thread asleep, until
 * wake.
 */
static inline __attribute__((always_inline)) Alt *
claim(Channel *c, Altq *q)
{
	Altsel *s;
	Alt *a;

	while((a = q->head) != nil){
		dequeue(q, a);
		s = a->tag;
		if(_t9altclaim(s, a->entryno)){
			if(s->solo)
				c->nwait--;
			return a;
		}
	}
	return nil;
}

/* Ready a's thread: onto the run queue at once if it is the caller's proc's. */
static void
wake(Alt *a)
{
	Thread *t;
	Proc *p;

	t = ((Altsel *)a->tag)->t;
	p = _t9threadprocp;
	if(t->proc == p)
		_t9runqput(p, t);
	else
		_t9threadready(t);
}

static unsigned char *
slot(Channel *c, unsigned int i)
{
	return c->v + (size_t)(i % (unsigned int)c->s) * (size_t)c->e;
}

/*
 * Copy an element; a nil source sends zeros, a nil destination discards.
 * A word, what sendp and sendul move, goes without a call.
 */
static void
copyval(void *dst, const void *src, int e)
{
	uint64_t w;

	if(dst == nil)
		return;
	if(src == nil)
		memset(dst, 0, e);
	else if(e == sizeof w){
		memcpy(&w, src, sizeof w);
		memcpy(dst, &w, sizeof w);
	}else
		memmove(dst, src, e);
}

static int
isopen(Alt *a)
{
	return !a->c->closed || (a->op == CHANRCV && a->c->n > 0);
}

static int
canexec(Alt *a)
{
	Channel *c;

	c = a->c;
	if(!isopen(a))
		return 0;
	if(a->op == CHANSND)
		return haswaiter(&c->recvq) || c->n < (unsigned int)c->s;
	return c->n > 0 || haswaiter(&c->sendq);
}

/*
 * Send v on c or receive into it (op), c taken; 0 if it cannot be done
 * now.  Inlined where op is a constant, for send and recv's fast path.
 */
static inline __attribute__((always_inline)) int
opexec(Channel *c, int op, void *v)
{
	Alt *w;

	if(op == CHANSND){
		if((w = claim(c, &c->recvq)) != nil){
			copyval(w->v, v, c->e);
			wake(w);
			return 1;
		}
		if(c->n < (unsigned int)c->s){
			copyval(slot(c, c->f + c->n), v, c->e);
			c->n++;
			return 1;
		}
		return 0;
	}
	if(c->n > 0){
		copyval(v, slot(c, c->f), c->e);
		c->f = (c->f + 1) % (unsigned int)c->s;
		c->n--;
		/* A sender waiting on a full buffer moves in. */
		if((w = claim(c, &c->sendq)) != nil){
			copyval(slot(c, c->f + c->n), w->v, c->e);
			c->n++;
			wake(w);
		}
		return 1;
	}
	if((w = claim(c, &c->sendq)) != nil){
		copyval(v, w->v, c->e);
		wake(w);
		return 1;
	}
	return 0;
}

/* Do a's operation, c taken; 0 if it cannot be done after all. */
static int
altexec(Alt *a)
{
	return opexec(a->c, a->op, a->v);
}

/* Uniform in [0, n). */
static unsigned int
nrand(Proc *p, unsigned int n)
{
	uint64_t x;

	x = p->rand;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	p->rand = x;
	return (unsigned int)(((x >> 32) * n) >> 32);
}

/* The channels of an alt, each once, ascending: the locking order. */
struct Locks {
	Channel	**c;
	int	n;
	Chanown	*me;		/* the caller's proc's */
	int	fast;		/* taken as a fast section, not locked */
	Channel	*stack[Nlockstack];
};

static void
locksinit(struct Locks *l, Alt *alts, int n, Chanown *me)
{
	Channel *c;
	int i, j, k;

	l->c = l->stack;
	if(n > Nlockstack){
		l->c = malloc(n * sizeof l->c[0]);
		if(l->c == nil)
			_t9fatal("alt: out of memory");
	}
	l->n = 0;
	l->me = me;
	l->fast = 0;
	for(i = 0; i < n; i++){
		if(alts[i].op == CHANNOP)
			continue;
		c = alts[i].c;
		for(j = l->n; j > 0 && l->c[j - 1] > c; j--)
			;
		if(j > 0 && l->c[j - 1] == c)
			continue;
		for(k = l->n; k > j; k--)
			l->c[k] = l->c[k - 1];
		l->c[j] = c;
		l->n++;
	}
}

/* Take every channel: a fast section if the proc owns them all, else locks. */
static void
lockall(struct Locks *l)
{
	int i;

	l->fast = fastbegin(l->me, l->c, l->n);
	if(l->fast)
		return;
	for(i = 0; i < l->n; i++)
		chanlock(l->c[i], l->me);
}

static void
unlockall(struct Locks *l)
{
	int i;

	if(l->fast){
		fastend(l->me);
		return;
	}
	for(i = l->n - 1; i >= 0; i--)
		_t9unlock(&l->c[i]->lock);
}

static void
locksfree(struct Locks *l)
{
	if(l->c != l->stack)
		free(l->c);
}

/*
 * Sleep until another thread completes one of alts[0..n) or threadint
 * interrupts us; all channels taken on entry, none on return.
 */
static int
block(Thread *t, Alt *alts, int n, struct Locks *l)
{
	Altsel sel;
	Channel *c;
	Alt *a;
	int i, last, fast, nq, r;

	sel.state = Altwaiting;
	sel.shared = !l->fast;
	sel.t = t;
	nq = 0;
	for(i = 0; i < n; i++){
		a = &alts[i];
		if(a->op != CHANNOP && isopen(a)){
			a->tag = &sel;
			enqueue(queueof(a), a);
			a->c->nwait++;
			nq++;
		}
	}
	sel.solo = nq == 1;	/* seen by claimers only after unlockall */
	t->altsel = &sel;
	unlockall(l);
	_t9threadblock();
	t->altsel = nil;
	r = __atomic_load_n(&sel.state, __ATOMIC_ACQUIRE);
	if(sel.solo && r != Altinterrupted)
		return r;	/* its claimer unqueued its one entry */

	lockall(l);
	for(i = 0; i < n; i++){
		a = &alts[i];
		if(a->tag != &sel)
			continue;
		if(a->qnext != a)
			dequeue(queueof(a), a);
		a->tag = nil;
		a->c->nwait--;
	}
	/*
	 * A chanfree put off because of us is ours to finish if we were the
	 * last: c->freed keeps anyone else from queueing on c again.
	 */
	fast = l->fast;
	for(i = l->n - 1; i >= 0; i--){
		c = l->c[i];
		last = c->freed && c->nwait == 0;
		if(!fast)
			_t9unlock(&c->lock);
		if(last)
			destroy(c);
	}
	if(fast)
		fastend(l->me);
	return r;
}

static int
altwho(Alt *alts, const char *who)
{
	struct Locks l;
	Thread *t;
	Alt *a;
	int i, n, r, pick, nready, nopen, closed;

	t = _t9threadneed(who);
	_t9threadcheckkill(t);
	for(n = 0; alts[n].op != CHANEND && alts[n].op != CHANNOBLK; n++){
		a = &alts[n];
		a->entryno = n;
		a->tag = nil;
		if(a->op == CHANNOP)
			continue;
		if(a->op != CHANSND && a->op != CHANRCV)
			_t9fatal("%s: entry %d: bad op %d", who, n, a->op);
		if(a->c == nil)
			return -1;
	}

	locksinit(&l, alts, n, t->proc->own);
	lockall(&l);
	for(i = 0; i < l.n; i++)
		if(l.c[i]->magic != Chanmagic || l.c[i]->freed){
			unlockall(&l);
			_t9fatal("%s: channel %p was freed", who, (void *)l.c[i]);
		}

	/* Pick one of the entries that can go, uniformly. */
	if(n == 1 && alts[0].op != CHANNOP && isopen(&alts[0]) && altexec(&alts[0])){
		unlockall(&l);
		locksfree(&l);
		return 0;
	}
	for(;;){
		pick = -1;
		nready = 0;
		for(i = 0; i < n; i++)
			if(alts[i].op != CHANNOP && canexec(&alts[i]))
				if(nrand(t->proc, ++nready) == 0)
					pick = i;
		if(pick < 0)
			break;
		/* Fails only if its partner's alt was claimed meanwhile. */
		if(altexec(&alts[pick])){
			unlockall(&l);
			locksfree(&l);
			return pick;
		}
	}

	/*
	 * Nothing can go.  If no entry is open either, report one closed
	 * entry not reported before (err set), then -1 for ever after.
	 */
	nopen = 0;
	closed = -1;
	for(i = 0; i < n; i++){
		a = &alts[i];
		if(a->op == CHANNOP)
			continue;
		if(isopen(a))
			nopen++;
		else if(a->err != errcl && closed < 0)
			closed = i;
	}
	if(nopen == 0 || alts[n].op == CHANNOBLK){
		unlockall(&l);
		locksfree(&l);
		if(nopen > 0)
			return n;
		if(closed >= 0){
			alts[closed].err = errcl;
			return closed;
		}
		return -1;
	}

	r = block(t, alts, n, &l);
	locksfree(&l);
	_t9threadcheckkill(t);
	return r == Altinterrupted ? -1 : r;
}

int
chanalt(Alt *alts)
{
	return altwho(alts, "alt");
}

/* Close: every waiter fails at once, with err set. */
int
chanclose(Channel *c)
{
	Altq *q[2];
	Chanown *me;
	Alt *a;
	int i, fast;

	if(c == nil)
		return -1;
	me = myown();
	fast = chantake(c, me);
	checklive(c, me, fast, "chanclose");
	if(c->closed){
		chanput(c, me, fast);
		return -1;
	}
	c->closed = 1;
	q[0] = &c->sendq;
	q[1] = &c->recvq;
	for(i = 0; i < 2; i++)
		while((a = claim(c, q[i])) != nil){
			a->err = errcl;
			wake(a);
		}
	chanput(c, me, fast);
	return 0;
}

int
chanclosing(Channel *c)
{
	Chanown *me;
	int n, fast;

	me = myown();
	fast = chantake(c, me);
	checklive(c, me, fast, "chanclosing");
	n = c->closed ? (int)c->n : -1;
	chanput(c, me, fast);
	return n;
}

/*
 * In a send or recv, woken: an interrupted thread's entry may still be on
 * c's queue, and counts in c->nwait still (the claimer unqueues it for
 * good otherwise: Altsel.solo).
 */
static void
unqueue(Channel *c, Alt *a, Chanown *me)
{
	Altq *q;
	int fast, last;

	fast = chantake(c, me);
	q = a->op == CHANSND ? &c->sendq : &c->recvq;
	if(a->qnext != a)
		dequeue(q, a);
	c->nwait--;
	last = c->freed && c->nwait == 0;
	chanput(c, me, fast);
	if(last)
		destroy(c);
}

/*
 * Sleep in send or recv (op) on c until another thread completes it or
 * threadint interrupts it; c taken as a fast section (fast) or locked,
 * not taken on return.  1 done, -1 interrupted or closed.
 */
static __attribute__((noinline)) int
opblock(Thread *t, Channel *c, int op, void *v, int fast)
{
	Altsel sel;
	Chanown *me;
	Alt a;
	int r;

	me = t->proc->own;
	sel.state = Altwaiting;
	sel.shared = !fast;
	sel.solo = 1;
	sel.t = t;
	a.c = c;
	a.v = v;
	a.op = op;
	a.err = nil;
	a.entryno = 0;
	a.tag = &sel;
	enqueue(op == CHANSND ? &c->sendq : &c->recvq, &a);
	c->nwait++;
	t->altsel = &sel;
	chanput(c, me, fast);
	_t9threadblock();
	t->altsel = nil;
	r = __atomic_load_n(&sel.state, __ATOMIC_ACQUIRE);
	if(r == Altinterrupted)
		unqueue(c, &a, me);
	_t9threadcheckkill(t);
	return r == Altinterrupted || a.err != nil ? -1 : 1;
}

/*
 * send and recv (op) on a channel the caller's proc owns: a fast section,
 * none of altwho's work for many entries, no call until something must
 * sleep.  1 done, 0 not done (canblock 0), -1 interrupted or closed while
 * asleep; -2 for opslow: not a thread, killed, not owned, freed or closed.
 */
static inline __attribute__((always_inline)) int
opfast(Channel *c, int op, void *v, int canblock)
{
	Chanown *me;
	Thread *t;
	Proc *p;

	p = _t9threadprocp;
	if(c == nil || p == nil || (t = p->cur) == nil ||
	   __atomic_load_n(&t->killed, __ATOMIC_RELAXED))
		return -2;
	me = p->own;
	if(!fastbegin(me, &c, 1))
		return -2;
	if(c->magic != Chanmagic || c->freed || c->closed){
		fastend(me);
		return -2;
	}
	if(opexec(c, op, v)){
		fastend(me);
		return 1;
	}
	if(!canblock){
		fastend(me);
		return 0;
	}
	return opblock(t, c, op, v, 1);
}

/*
 * What opfast does not: a channel it does not own (locked, then), a
 * closed one, nil, a thread to kill.  Closed: -1; nil: -1 as alt does.
 */
static __attribute__((noinline)) int
opslow(Channel *c, int op, void *v, int canblock, const char *who)
{
	Chanown *me;
	Thread *t;
	int fast;

	t = _t9threadneed(who);
	_t9threadcheckkill(t);
	if(c == nil)
		return -1;
	me = t->proc->own;
	fast = chantake(c, me);
	checklive(c, me, fast, who);
	if(c->closed && !(op == CHANRCV && c->n > 0)){
		chanput(c, me, fast);
		return -1;
	}
	if(opexec(c, op, v)){
		chanput(c, me, fast);
		return 1;
	}
	if(!canblock){
		chanput(c, me, fast);
		return 0;
	}
	return opblock(t, c, op, v, fast);
}

static inline __attribute__((always_inline)) int
chanop(Channel *c, int op, void *v, int canblock, const char *who)
{
	int r;

	r = opfast(c, op, v, canblock);
	if(r != -2)
		return r;
	return opslow(c, op, v, canblock, who);
}

int
chansend(Channel *c, void *v)
{
	return chanop(c, CHANSND, v, 1, "send");
}

int
channbsend(Channel *c, void *v)
{
	return chanop(c, CHANSND, v, 0, "nbsend");
}

int
chanrecv(Channel *c, void *v)
{
	return chanop(c, CHANRCV, v, 1, "recv");
}

int
channbrecv(Channel *c, void *v)
{
	return chanop(c, CHANRCV, v, 0, "nbrecv");
}

/* sendp and the like need the element to be the size they move. */
static void
checksize(Channel *c, int size, const char *who)
{
	if(c != nil && c->e != size)
		_t9fatal("%s: channel element size %d, not %d", who, c->e, size);
}

int
chansendp(Channel *c, void *v)
{
	checksize(c, sizeof v, "sendp");
	return chanop(c, CHANSND, &v, 1, "sendp");
}

int
channbsendp(Channel *c, void *v)
{
	checksize(c, sizeof v, "nbsendp");
	return chanop(c, CHANSND, &v, 0, "nbsendp");
}

void *
chanrecvp(Channel *c)
{
	void *v;

	checksize(c, sizeof v, "recvp");
	if(chanop(c, CHANRCV, &v, 1, "recvp") != 1)
		return nil;
	return v;
}

void *
channbrecvp(Channel *c)
{
	void *v;

	checksize(c, sizeof v, "nbrecvp");
	if(chanop(c, CHANRCV, &v, 0, "nbrecvp") != 1)
		return nil;
	return v;
}

int
chansendul(Channel *c, unsigned long v)
{
	checksize(c, sizeof v, "sendul");
	return chanop(c, CHANSND, &v, 1, "sendul");
}

int
channbsendul(Channel *c, unsigned long v)
{
	checksize(c, sizeof v, "nbsendul");
	return chanop(c, CHANSND, &v, 0, "nbsendul");
}

unsigned long
chanrecvul(Channel *c)
{
	unsigned long v;

	checksize(c, sizeof v, "recvul");
	if(chanop(c, CHANRCV, &v, 1, "recvul") != 1)
		return ~0UL;
	return v;
}

unsigned long
channbrecvul(Channel *c)
{
	unsigned long v;

	checksize(c, sizeof v, "nbrecvul");
	if(chanop(c, CHANRCV, &v, 0, "nbrecvul") != 1)
		return 0;
	return v;
}

int
chanprint(Channel *c, char *fmt, ...)
{
	va_list arg;
	char *s;
	int r;

	va_start(arg, fmt);
	r = vasprintf(&s, fmt, arg);
	va_end(arg);
	if(r < 0)
		_t9fatal("chanprint: out of memory");
	r = sendp(c, s);
	if(r != 1)
		free(s);
	return r;
}
