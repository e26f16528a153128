// SPDX-License-Identifier: MIT
/*
 * Channels that move between procs while threads use them: a channel is
 * owned by the proc that made it, used there without locks, until another
 * proc first touches it (libthread9/channel.c).  These make that happen in
 * the middle of traffic, with alts over owned and shared channels at once,
 * closes and interrupts racing the hand-offs, and check that every value a
 * sender was told it delivered was received exactly once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "t9.h"

enum {
	Nchan	= 4,		/* the moving channels */
	Nlocal	= 2,		/* senders and receivers in the first proc */
	Nprocs	= 2,		/* procs that join, each a sender, a receiver, a feeder */
	Nsend	= 3000,		/* values per sender */
	Nfeed	= 500,		/* values per feeder, on its proc's own channel */
	Nintr	= 5000,		/* values through the interrupted alt */
};

static const int bufsize[Nchan] = { 0, 1, 0, 3 };

struct Traffic {
	Channel	*c[Nchan];
	Channel	*done;		/* each sender and receiver sends 1 when it ends */
	int	stopearly;	/* senders may see their channel closed */
	long	sent, sentsum;	/* atomic: what senders were told they delivered */
	long	recvd, recvdsum;	/* atomic: what receivers got */
	int	nextid;		/* atomic: sender numbers */
};

struct Procarg {
	struct Traffic *tr;
	Channel	*own;		/* the joining proc's own channel */
};

static void
count(long *n, long *sum, long v)
{
	__atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(sum, v, __ATOMIC_RELAXED);
}

/* Nsend distinct values, round robin over the moving channels. */
static void
sender(void *arg)
{
	struct Traffic *tr;
	long v, id;
	int i, r;

	tr = arg;
	id = __atomic_fetch_add(&tr->nextid, 1, __ATOMIC_RELAXED);
	for(i = 0; i < Nsend; i++){
		v = id * Nsend + i + 1;
		r = send(tr->c[i % Nchan], &v);
		if(r != 1){
			ck_assert(tr->stopearly);
			ck_assert_int_eq(r, -1);
			break;
		}
		count(&tr->sent, &tr->sentsum, v);
	}
	sendul(tr->done, 1);
}

/*
 * Receive from every moving channel (and own, if not nil) with one alt
 * until all are closed and empty.
 */
static void
receive(struct Traffic *tr, Channel *own)
{
	Alt a[Nchan + 2];
	long v;
	int i, r, n;

	n = 0;
	for(i = 0; i < Nchan; i++)
		a[n++] = (Alt){ .c = tr->c[i], .v = &v, .op = CHANRCV };
	if(own != nil)
		a[n++] = (Alt){ .c = own, .v = &v, .op = CHANRCV };
	a[n].op = CHANEND;
	for(;;){
		r = alt(a);
		if(r < 0)
			break;
		ck_assert_int_lt(r, n);
		if(a[r].err != nil)
			continue;	/* reported closed, once */
		count(&tr->recvd, &tr->recvdsum, v);
	}
}

static void
receiver(void *arg)
{
	struct Traffic *tr;

	tr = arg;
	receive(tr, nil);
	sendul(tr->done, 1);
}

/* In a joining proc: values on the proc's own channel, then close it. */
static void
feeder(void *arg)
{
	struct Procarg *pa;
	long v;
	int i;

	pa = arg;
	for(i = 0; i < Nfeed; i++){
		v = -(long)i - 1;	/* apart from the senders' */
		ck_assert_int_eq(send(pa->own, &v), 1);
		count(&pa->tr->sent, &pa->tr->sentsum, v);
	}
	chanclose(pa->own);
}

/* A joining proc: its feeder, a sender, and a receiver over both kinds. */
static void
joiner(void *arg)
{
	struct Procarg *pa;

	pa = arg;
	pa->own = chancreate(sizeof(long), 0);
	threadcreate(feeder, pa, 32768);
	threadcreate(sender, pa->tr, 32768);
	receive(pa->tr, pa->own);
	chanfree(pa->own);	/* the feeder, in this proc, is out of chanclose */
	sendul(pa->tr->done, 1);
}

static void
waitcount(long *n, long want)
{
	while(__atomic_load_n(n, __ATOMIC_RELAXED) < want)
		yield();
}

/*
 * One round: traffic within this proc (owned channels, no locks), then
 * procs join while it runs, so every channel turns shared under blocked
 * alts; then close (after the senders, or during them).
 */
static void
traffic(int closeearly)
{
	struct Procarg pa[Nprocs];
	struct Traffic tr;
	int i, n;

	memset(&tr, 0, sizeof tr);
	tr.stopearly = closeearly;
	for(i = 0; i < Nchan; i++)
		tr.c[i] = chancreate(sizeof(long), bufsize[i]);
	tr.done = chancreate(sizeof(unsigned long), 2 * (Nlocal + Nprocs) + 1);
	for(i = 0; i < Nlocal; i++){
		threadcreate(sender, &tr, 32768);
		threadcreate(receiver, &tr, 32768);
	}
	waitcount(&tr.recvd, Nsend / 4);
	for(i = 0; i < Nprocs; i++){
		pa[i].tr = &tr;
		proccreate(joiner, &pa[i], 32768);
	}
	n = 0;
	if(closeearly)
		waitcount(&tr.recvd, Nsend);
	else
		for(; n < Nlocal + Nprocs; n++)	/* the senders' */
			ck_assert(recvul(tr.done) == 1);
	for(i = 0; i < Nchan; i++)
		ck_assert_int_eq(chanclose(tr.c[i]), 0);
	for(; n < 2 * (Nlocal + Nprocs); n++)
		ck_assert(recvul(tr.done) == 1);

	ck_assert_int_eq(tr.recvd, tr.sent);
	ck_assert_int_eq(tr.recvdsum, tr.sentsum);
	if(!closeearly)
		ck_assert_int_eq(tr.sent, (long)(Nlocal + Nprocs) * Nsend + Nprocs * Nfeed);
	for(i = 0; i < Nchan; i++)
		chanfree(tr.c[i]);
	chanfree(tr.done);
}

START_TEST(moves_midtraffic)
{
	int i;

	for(i = 0; i < 3; i++)
		traffic(0);
}
END_TEST

START_TEST(close_midtraffic)
{
	int i;

	for(i = 0; i < 3; i++)
		traffic(1);
}
END_TEST

/*
 * A receiver blocked on a channel its proc owns, completed by a sender in
 * that proc (a plain-store claim) while another proc keeps interrupting it
 * (done by the receiver's proc, kill.c): each value the sender delivered
 * arrives, whatever the interrupts hit.
 */
struct Intr {
	Channel	*c;		/* owned by the proc */
	Channel	*other;		/* nil, or a shared channel in the same alt */
	int	id;		/* atomic: the receiver's thread id, 0 until known */
	int	done;		/* atomic: the receiver has them all */
	int	sent;		/* atomic: the sender is done */
	long	got, intr;
};

static void
intrsender(void *arg)
{
	struct Intr *in;
	long v;
	int i;

	in = arg;
	for(i = 0; i < Nintr; i++){
		v = i;
		ck_assert_int_eq(send(in->c, &v), 1);
	}
	__atomic_store_n(&in->sent, 1, __ATOMIC_RELEASE);	/* out of send */
}

static void
intrrecv(void *arg)
{
	struct Intr *in;
	long v, want;
	int r;
	Alt a[3];

	in = arg;
	a[0] = (Alt){ .c = in->c, .v = &v, .op = CHANRCV };
	a[1] = (Alt){ .c = in->other, .v = &v, .op = in->other ? CHANRCV : CHANNOP };
	a[2].op = CHANEND;
	want = 0;
	while(in->got < Nintr){
		r = alt(a);
		if(r == -1){
			in->intr++;
			continue;
		}
		ck_assert_int_eq(r, 0);
		ck_assert_ptr_null(a[0].err);
		ck_assert_int_eq(v, want);
		want++;
		in->got++;
	}
	__atomic_store_n(&in->done, 1, __ATOMIC_RELEASE);
}

static void
intrproc(void *arg)
{
	struct Intr *in;

	in = arg;
	in->c = chancreate(sizeof(long), 0);
	__atomic_store_n(&in->id, threadcreate(intrrecv, in, 32768), __ATOMIC_RELEASE);
	threadcreate(intrsender, in, 32768);
}

static void
intrrun(int mixed)
{
	struct Intr in;
	int id;

	memset(&in, 0, sizeof in);
	if(mixed)
		in.other = chancreate(sizeof(long), 0);
	proccreate(intrproc, &in, 32768);
	while((id = __atomic_load_n(&in.id, __ATOMIC_ACQUIRE)) == 0)
		yield();
	while(!__atomic_load_n(&in.done, __ATOMIC_ACQUIRE)){
		threadint(id);
		yield();
	}
	while(!__atomic_load_n(&in.sent, __ATOMIC_ACQUIRE))
		yield();
	ck_assert_int_eq(in.got, Nintr);
	chanfree(in.c);
	if(mixed)
		chanfree(in.other);
}

START_TEST(interrupted_owned)
{
	intrrun(0);
}
END_TEST

START_TEST(interrupted_mixed)
{
	intrrun(1);
}
END_TEST

/*
 * Two threads of this proc ping-pong on owned channels (pings on c, pongs
 * on d) while a thread of another proc, at a ping chosen at random,
 * starts to use them too: a few bursts of its own values sent on c, and
 * of pings taken from c (it pongs those itself); the pinger goes on until
 * the intruder is done.  Each round has new channels, so each round moves
 * them while the pair is in full flight.  Every ping must be received exactly once and its
 * pong come back in order, and every value the intruder was told it sent
 * must reach the ponger exactly once.  Variants: the ponger receives with
 * an alt over c and a channel only its proc uses; the intruder interrupts
 * the ponger just before it first touches c (the interrupt is done by
 * this proc while the intruder makes c shared).
 */
enum {
	Nrounds	= 100,
	Nping	= 200,		/* pings a round, and more while the intruder takes them ... */
	Npingmax = 1 << 12,	/* ... up to this many */
	Nburst	= 4,		/* values a burst */
	Nphases	= 4,		/* bursts the intruder makes at most */
	Bbase	= 1 << 20,	/* the intruder's values: Bbase + i */
	Nbval	= Nphases * Nburst,
};

struct Pp {
	Channel	*c, *d;		/* pings, pongs */
	Channel	*e;		/* the ponger's alt partner, this proc's only */
	Channel	*stop;		/* the pinger's one value when it is done (buffered) */
	Channel	*fin;		/* the pinger, intruder and ponger send 1 at their end */
	int	usealt, intr;
	int	ponger;		/* atomic: the ponger's thread id */
	int	ready;		/* atomic: the intruder has the round, and watches */
	int	progress;	/* atomic: pings the pinger has had ponged */
	int	start;		/* the intruder starts at this progress ... */
	int	spin;		/* ... and this many pauses after */
	unsigned long seed;
	int	npings;		/* the pinger's */
	int	bdone;		/* atomic: the intruder has made its last call on c */
	int	bwants;		/* atomic: the intruder is taking pings */
	unsigned char pinged[Npingmax];	/* atomic: how often each ping was received */
	unsigned char bgot[Nbval];	/* atomic: how often each intruder value arrived */
	int	bsent;		/* the intruder's values delivered (its own count) */
	int	took;		/* pings the intruder took */
};

static unsigned long
xrand(unsigned long *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A received value: a ping (pong it back on d) or one of the intruder's. */
static void
gotvalue(struct Pp *pp, long v)
{
	if(v >= Bbase){
		ck_assert_msg(v < Bbase + Nbval, "seed %lu: value %ld", pp->seed, v);
		__atomic_add_fetch(&pp->bgot[v - Bbase], 1, __ATOMIC_RELAXED);
		return;
	}
	ck_assert_msg(v >= 0 && v < Npingmax, "seed %lu: value %ld", pp->seed, v);
	__atomic_add_fetch(&pp->pinged[v], 1, __ATOMIC_RELAXED);
	while(send(pp->d, &v) != 1)
		ck_assert_msg(chanclosing(pp->d) < 0, "seed %lu: d closed", pp->seed);	/* interrupted */
}

static void
pinger(void *arg)
{
	struct Pp *pp;
	long i, v;

	pp = arg;
	for(i = 0; i < Npingmax; i++){
		/* After Nping, pings for the intruder's bursts only. */
		while(i >= Nping && !__atomic_load_n(&pp->bdone, __ATOMIC_ACQUIRE) &&
		      !__atomic_load_n(&pp->bwants, __ATOMIC_ACQUIRE))
			yield();
		if(i >= Nping && __atomic_load_n(&pp->bdone, __ATOMIC_ACQUIRE))
			break;
		ck_assert_int_eq(send(pp->c, &i), 1);
		ck_assert_int_eq(recv(pp->d, &v), 1);
		ck_assert_msg(v == i, "seed %lu: pong %ld for ping %ld", pp->seed, v, i);
		__atomic_store_n(&pp->progress, (int)i + 1, __ATOMIC_RELEASE);
	}
	pp->npings = (int)i;
	ck_assert_int_eq(sendul(pp->stop, 1), 1);	/* buffered: alt sees it until taken */
	sendul(pp->fin, 1);
}

/* Until c is closed; interrupted calls (-1, c open) are tried again. */
static void
ponger(void *arg)
{
	struct Pp *pp;
	Alt a[3];
	long v;
	int r;

	pp = arg;
	a[0] = (Alt){ .c = pp->c, .v = &v, .op = CHANRCV };
	a[1] = (Alt){ .c = pp->e, .v = &v, .op = CHANRCV };
	a[2].op = CHANEND;
	for(;;){
		if(pp->usealt){
			r = alt(a);
			if(r >= 0 && a[r].err != nil)
				continue;	/* c or e reported closed, once */
			if(r >= 0){
				ck_assert_msg(r == 0, "seed %lu: a value on e", pp->seed);
				r = 1;
			}
		}else
			r = recv(pp->c, &v);
		if(r != 1){
			if(chanclosing(pp->c) >= 0 && (!pp->usealt || chanclosing(pp->e) >= 0))
				break;
			continue;
		}
		gotvalue(pp, v);
	}
	sendul(pp->fin, 1);
}

/* In the other proc: one round's intrusion. */
static void
intrude(struct Pp *pp)
{
	unsigned long x;
	long v;
	int i, j, r, nb, stopped;
	Alt a[3];

	x = pp->seed;
	__atomic_store_n(&pp->ready, 1, __ATOMIC_RELEASE);
	while(__atomic_load_n(&pp->progress, __ATOMIC_ACQUIRE) < pp->start)
		yield();
	for(i = 0; i < pp->spin; i++)
		__builtin_ia32_pause();
	if(pp->intr)
		threadint(__atomic_load_n(&pp->ponger, __ATOMIC_ACQUIRE));
	a[0] = (Alt){ .c = pp->c, .v = &v, .op = CHANRCV };
	a[1] = (Alt){ .c = pp->stop, .v = nil, .op = CHANRCV };	/* the pinger is done */
	a[2].op = CHANEND;
	nb = 0;
	stopped = 0;
	for(i = 0; i < Nphases && !stopped; i++){
		if(xrand(&x) & 1){
			for(j = 0; j < Nburst; j++){
				v = Bbase + nb;
				ck_assert_int_eq(send(pp->c, &v), 1);
				nb++;
			}
			continue;
		}
		__atomic_store_n(&pp->bwants, 1, __ATOMIC_RELEASE);
		for(j = 0; j < Nburst; j++){
			r = alt(a);
			if(r != 0){
				stopped = 1;
				break;
			}
			ck_assert_msg(v >= 0 && v < Npingmax, "seed %lu: took %ld", pp->seed, v);
			pp->took++;
			gotvalue(pp, v);
		}
		__atomic_store_n(&pp->bwants, 0, __ATOMIC_RELEASE);
	}
	pp->bsent = nb;
	__atomic_store_n(&pp->bdone, 1, __ATOMIC_RELEASE);
	sendul(pp->fin, 1);
}

static void
intruder(void *arg)
{
	struct Pp *pp;

	while((pp = recvp(arg)) != nil)
		intrude(pp);
}

static void
pingpong(int usealt, int intr)
{
	struct Pp *pp;
	Channel *rounds;
	unsigned long x;
	int i, k, took;

	x = (unsigned long)time(nil) * 2654435761u | 1;
	rounds = chancreate(sizeof(void *), 0);
	proccreate(intruder, rounds, 65536);
	pp = malloc(sizeof *pp);
	ck_assert_ptr_nonnull(pp);
	took = 0;
	for(k = 0; k < Nrounds; k++){
		memset(pp, 0, sizeof *pp);
		pp->seed = xrand(&x);
		pp->usealt = usealt;
		pp->intr = intr;
		pp->start = 1 + (int)(xrand(&x) % (Nping - 1));	/* the ponger's id is known */
		pp->spin = (int)(xrand(&x) % 200);
		pp->c = chancreate(sizeof(long), 0);
		pp->d = chancreate(sizeof(long), 0);
		pp->e = chancreate(sizeof(long), 0);
		pp->stop = chancreate(sizeof(unsigned long), 1);
		pp->fin = chancreate(sizeof(unsigned long), 3);
		/* The intruder awake first: else a round may end before it wakes. */
		ck_assert_int_eq(sendp(rounds, pp), 1);
		while(!__atomic_load_n(&pp->ready, __ATOMIC_ACQUIRE))
			yield();
		__atomic_store_n(&pp->ponger, threadcreate(ponger, pp, 32768), __ATOMIC_RELEASE);
		threadcreate(pinger, pp, 32768);
		/* The pinger and the intruder end first: the ponger waits for c's close. */
		for(i = 0; i < 2; i++)
			ck_assert(recvul(pp->fin) == 1);
		ck_assert_int_eq(chanclose(pp->c), 0);
		ck_assert_int_eq(chanclose(pp->e), 0);
		ck_assert(recvul(pp->fin) == 1);

		for(i = 0; i < Npingmax; i++)
			ck_assert_msg(pp->pinged[i] == (i < pp->npings), "seed %lu: ping %d of %d received %d times",
				      pp->seed, i, pp->npings, pp->pinged[i]);
		for(i = 0; i < Nbval; i++)
			ck_assert_msg(pp->bgot[i] == (i < pp->bsent), "seed %lu: value %d of %d received %d times",
				      pp->seed, i, pp->bsent, pp->bgot[i]);
		took += pp->took;
		chanfree(pp->c);
		chanfree(pp->d);
		chanfree(pp->e);
		chanfree(pp->stop);
		chanfree(pp->fin);
	}
	ck_assert_int_eq(sendp(rounds, nil), 1);
	chanfree(rounds);	/* the intruder, woken, is out of recvp */
	free(pp);
	ck_assert_int_gt(took, 0);	/* the intruder took pings, not only sent */
}

START_TEST(pingpong_recv)
{
	pingpong(0, 0);
}
END_TEST

START_TEST(pingpong_alt)
{
	pingpong(1, 0);
}
END_TEST

START_TEST(pingpong_interrupted)
{
	pingpong(0, 1);
	pingpong(1, 1);
}
END_TEST

T9SUITE("chanmove")
{
	T9CASE(s, "traffic", 300, moves_midtraffic, close_midtraffic);
	T9CASE(s, "interrupts", 300, interrupted_owned, interrupted_mixed);
	T9CASE(s, "intruder", 300, pingpong_recv, pingpong_alt, pingpong_interrupted);
}
