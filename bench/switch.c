// SPDX-License-Identifier: MIT
/*
 * switch: what does it cost to pass control from one thread to another?
 *
 *	bare		libthread9's own context switch (_t9threadswitch,
 *			called directly) between two stacks: the floor
 *	minimal		a six-register swap with no MXCSR/x87 control word,
 *			for what saving those costs
 *	yield		two threads of one proc yielding to each other
 *	swapcontext	glibc's, between two contexts (it also sets the
 *			signal mask: a system call each time)
 *	chan-1proc	an unbuffered channel round trip (send, the peer
 *			receives and sends back) between two threads of a proc
 *	chan-2procs	the same with the peer in another proc
 *	chan-2procs-pinned	the same, both procs on one CPU
 *	condvar		a pthread mutex + condition variable round trip
 *			between two kernel tasks
 *	condvar-pinned	the same, both tasks on one CPU
 *
 * ns per operation: one switch for the first four, one round trip (two
 * hand-offs) for the others; median of the runs with min and max.  Each
 * loop checks that the two sides really alternated: a counter each side
 * advances must be exactly where the other side left it.  Tables, then CSV
 * between "@@csv switch" and "@@csv end".
 *
 *	switch [-r runs] [-d divisor]
 * -d divides every loop's iteration count (for slow machines, e.g. TCG).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <thread.h>

#include "bench.h"

int mainstacksize = 256 * 1024;

enum { Maxruns = 64, Costack = 64 * 1024 };

/* libthread9's switch (libthread9/switch-amd64.S), internal to the library. */
void	_t9threadswitch(void **save, void *load);
void	minswitch(void **save, void *load);

/* The same swap without MXCSR and the x87 control word. */
__asm__(
	".text\n"
	".p2align 4\n"
	"minswitch:\n"
	"	pushq %rbp\n	pushq %rbx\n	pushq %r12\n"
	"	pushq %r13\n	pushq %r14\n	pushq %r15\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	popq %r15\n	popq %r14\n	popq %r13\n"
	"	popq %r12\n	popq %rbx\n	popq %rbp\n"
	"	ret\n");

static void
bad(const char *what, long i, long got, long want)
{
	sysfatal("%s: at %ld the counter is %ld, not %ld: the sides did not alternate",
		 what, i, got, want);
}

/* The two-stack ping-pong for bare and minimal. */
static struct {
	void	(*swap)(void **, void *);
	void	*mainsp;
	void	*cosp;
	long	turn;
} co;

static void __attribute__((noreturn))
coloop(void)
{
	for(;;){
		co.turn++;
		co.swap(&co.cosp, co.mainsp);
	}
}

/*
 * A stack whose first switch "returns" into coloop as if called: the
 * frame of switch-amd64.S (MXCSR/x87 word, six registers, return address)
 * and a null return address for coloop, which must not return.
 */
static void *
coframe(char *stk, int withcw)
{
	uint64_t *sp;
	uint32_t mxcsr;
	uint16_t fcw;
	int i;

	/* coloop's return address at 8 mod 16, as a call would leave it. */
	sp = (uint64_t *)((uintptr_t)(stk + Costack) & ~(uintptr_t)15);
	*--sp = 0;
	*--sp = (uint64_t)coloop;
	for(i = 0; i < 6; i++)
		*--sp = 0;
	if(withcw){
		__asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(mxcsr), "=m"(fcw));
		*--sp = (uint64_t)fcw << 32 | mxcsr;
	}
	return sp;
}

static double
swaploop(void (*swap)(void **, void *), long n, const char *what)
{
	static char *stk;
	int64_t t0, t1;
	long i;

	if(stk == nil && (stk = malloc(Costack)) == nil)
		sysfatal("out of memory");
	co.swap = swap;
	co.turn = 0;
	co.cosp = coframe(stk, swap == _t9threadswitch);
	t0 = nsnow();
	for(i = 0; i < n; i++){
		swap(&co.mainsp, co.cosp);
		if(co.turn != i + 1)
			bad(what, i, co.turn, i + 1);
	}
	t1 = nsnow();
	return (double)(t1 - t0) / (2 * n);
}

static double
bare(long n)
{
	return swaploop(_t9threadswitch, n, "bare");
}

static double
minimal(long n)
{
	return swaploop(minswitch, n, "minimal");
}

/* yield: the calling thread and a peer, alone in their proc. */
static struct {
	long	n;
	long	turn;
	Channel	*done;
} y;

static void
yieldpeer(void *v)
{
	long i;

	(void)v;
	for(i = 0; i < y.n; i++){
		if(y.turn != 2 * i + 1)
			bad("yield", i, y.turn, 2 * i + 1);
		y.turn++;
		yield();
	}
}

static double
yieldpp(long n)
{
	int64_t t0, t1;
	long i;

	y.n = n;
	y.turn = 0;
	threadcreate(yieldpeer, nil, 16 * 1024);
	t0 = nsnow();
	for(i = 0; i < n; i++){
		if(y.turn != 2 * i)
			bad("yield", i, y.turn, 2 * i);
		y.turn++;
		yield();
	}
	t1 = nsnow();
	yield();	/* the peer leaves its loop and exits */
	if(y.turn != 2 * n)
		bad("yield", n, y.turn, 2 * n);
	return (double)(t1 - t0) / (2 * n);
}

static ucontext_t ucmain, ucpeer;
static long ucturn;

static void
ucloop(void)
{
	for(;;){
		ucturn++;
		swapcontext(&ucpeer, &ucmain);
	}
}

static double
swapctx(long n)
{
	static char *stk;
	int64_t t0, t1;
	long i;

	if(stk == nil && (stk = malloc(Costack)) == nil)
		sysfatal("out of memory");
	getcontext(&ucpeer);
	ucpeer.uc_stack.ss_sp = stk;
	ucpeer.uc_stack.ss_size = Costack;
	ucpeer.uc_link = nil;
	makecontext(&ucpeer, ucloop, 0);
	ucturn = 0;
	t0 = nsnow();
	for(i = 0; i < n; i++){
		swapcontext(&ucmain, &ucpeer);
		if(ucturn != i + 1)
			bad("swapcontext", i, ucturn, i + 1);
	}
	t1 = nsnow();
	return (double)(t1 - t0) / (2 * n);
}

/*
 * Pinned runs: the caller's task on one CPU while the peer is made, which
 * inherits the mask (procs and pthreads alike), and the peer checks it.
 */
static cpu_set_t allcpus;
static int pinning;

static void
pin(void)
{
	cpu_set_t one;
	int c;

	if(sched_getaffinity(0, sizeof allcpus, &allcpus) < 0)
		sysfatal("sched_getaffinity: %s", strerror(errno));
	for(c = 0; !CPU_ISSET(c, &allcpus); c++)
		;
	CPU_ZERO(&one);
	CPU_SET(c, &one);
	if(sched_setaffinity(0, sizeof one, &one) < 0)
		sysfatal("sched_setaffinity: %s", strerror(errno));
	pinning = 1;
}

static void
unpin(void)
{
	if(sched_setaffinity(0, sizeof allcpus, &allcpus) < 0)
		sysfatal("sched_setaffinity: %s", strerror(errno));
	pinning = 0;
}

/* In the peer: is it on one CPU exactly when the run is pinned? */
static void
checkpin(const char *what, int pinned)
{
	cpu_set_t s;

	if(sched_getaffinity(0, sizeof s, &s) < 0)
		sysfatal("sched_getaffinity: %s", strerror(errno));
	if(pinned && CPU_COUNT(&s) != 1)
		sysfatal("%s: the peer may run on %d CPUs, not one", what, CPU_COUNT(&s));
}

/* Channel round trips: send i, the peer answers i+1. */
typedef struct Pingpong Pingpong;
struct Pingpong {
	Channel	*ping;
	Channel	*pong;
	long	n;
	int	pinned;
	int	finished;	/* the peer touches nothing after setting it */
};

static void
chanpeer(void *v)
{
	Pingpong *p = v;
	long i;

	checkpin("chan-2procs", p->pinned);
	for(i = 0; i < p->n; i++)
		sendul(p->pong, recvul(p->ping) + 1);
	__atomic_store_n(&p->finished, 1, __ATOMIC_RELEASE);
}

static double
chanpp(long n, int procs)
{
	Pingpong p;
	int64_t t0, t1;
	unsigned long got;
	long i;

	p.ping = chancreate(sizeof(unsigned long), 0);
	p.pong = chancreate(sizeof(unsigned long), 0);
	p.n = n;
	p.finished = 0;
	p.pinned = pinning;
	if(procs)
		proccreate(chanpeer, &p, 16 * 1024);
	else
		threadcreate(chanpeer, &p, 16 * 1024);
	t0 = nsnow();
	for(i = 0; i < n; i++){
		sendul(p.ping, i);
		if((got = recvul(p.pong)) != (unsigned long)i + 1)
			bad(procs ? "chan-2procs" : "chan-1proc", i, got, i + 1);
	}
	t1 = nsnow();
	/* The peer may still be inside its last send: free nothing before it is out. */
	while(!__atomic_load_n(&p.finished, __ATOMIC_ACQUIRE))
		yield();
	chanfree(p.ping);
	chanfree(p.pong);
	return (double)(t1 - t0) / n;
}

static double
chan1(long n)
{
	return chanpp(n, 0);
}

static double
chan2(long n)
{
	return chanpp(n, 1);
}

static double
chan2pinned(long n)
{
	double v;

	pin();
	v = chanpp(n, 1);
	unpin();
	return v;
}

/* condvar: turn is 0 when it is the caller's turn, 1 when the peer's. */
static struct {
	pthread_mutex_t	mu;
	pthread_cond_t	cv;
	int	turn;
	long	n;
	long	count;
	int	pinned;
} cv = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

static void *
cvpeer(void *v)
{
	long i;

	(void)v;
	checkpin("condvar", cv.pinned);
	pthread_mutex_lock(&cv.mu);
	for(i = 0; i < cv.n; i++){
		while(cv.turn != 1)
			pthread_cond_wait(&cv.cv, &cv.mu);
		cv.count++;
		cv.turn = 0;
		pthread_cond_signal(&cv.cv);
	}
	pthread_mutex_unlock(&cv.mu);
	return nil;
}

static double
condvar(long n)
{
	pthread_t t;
	int64_t t0, t1;
	long i;

	cv.turn = 0;
	cv.n = n;
	cv.count = 0;
	cv.pinned = pinning;
	if(pthread_create(&t, nil, cvpeer, nil) != 0)
		sysfatal("pthread_create failed");
	t0 = nsnow();
	pthread_mutex_lock(&cv.mu);
	for(i = 0; i < n; i++){
		cv.turn = 1;
		pthread_cond_signal(&cv.cv);
		while(cv.turn != 0)
			pthread_cond_wait(&cv.cv, &cv.mu);
		if(cv.count != i + 1)
			bad("condvar", i, cv.count, i + 1);
	}
	pthread_mutex_unlock(&cv.mu);
	t1 = nsnow();
	pthread_join(t, nil);
	return (double)(t1 - t0) / n;
}

static double
condvarpinned(long n)
{
	double v;

	pin();
	v = condvar(n);
	unpin();
	return v;
}

static struct {
	const char	*name;
	const char	*unit;
	long	iters;
	double	(*f)(long);
	double	med, lo, hi;
} ops[] = {
	{ "bare", "switch", 4000000, bare },
	{ "minimal", "switch", 4000000, minimal },
	{ "yield", "switch", 2000000, yieldpp },
	{ "swapcontext", "switch", 1000000, swapctx },
	{ "chan-1proc", "round trip", 200000, chan1 },
	{ "chan-2procs", "round trip", 20000, chan2 },
	{ "chan-2procs-pinned", "round trip", 20000, chan2pinned },
	{ "condvar", "round trip", 20000, condvar },
	{ "condvar-pinned", "round trip", 20000, condvarpinned },
};
enum { Nops = sizeof ops / sizeof ops[0] };

void
threadmain(int argc, char **argv)
{
	double v[Maxruns];
	int runs, div, c, i, r;
	const char *env;

	runs = 5;
	div = 1;
	while((c = getopt(argc, argv, "r:d:")) != -1)
		switch(c){
		case 'r': runs = atoi(optarg); break;
		case 'd': div = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: switch [-r runs] [-d divisor]\n");
			threadexitsall("usage");
		}
	if(runs < 1 || runs > Maxruns || div < 1)
		sysfatal("runs must be 1 to %d, the divisor at least 1", Maxruns);
	env = benchenv();

	printf("switch: kernel %s; ns per operation, %d runs\n", strchr(env, ' ') + 1, runs);
	printf("%-18s %-10s %9s %9s %9s %9s\n", "op", "per", "iters", "median", "min", "max");
	for(i = 0; i < Nops; i++){
		ops[i].iters /= div;
		if(ops[i].iters < 1)
			ops[i].iters = 1;
		for(r = 0; r < runs; r++)
			v[r] = ops[i].f(ops[i].iters);
		ops[i].med = median(v, runs, &ops[i].lo, &ops[i].hi);
		printf("%-18s %-10s %9ld %9.1f %9.1f %9.1f\n", ops[i].name, ops[i].unit,
		       ops[i].iters, ops[i].med, ops[i].lo, ops[i].hi);
		fflush(stdout);
	}
	printf("yield / bare = %.2f\n", ops[2].med / ops[0].med);

	printf("\n@@csv switch\n");
	printf("bench,env,op,per,iters,runs,median_ns,min_ns,max_ns\n");
	for(i = 0; i < Nops; i++)
		printf("switch,%s,%s,%s,%ld,%d,%.2f,%.2f,%.2f\n", env, ops[i].name, ops[i].unit,
		       ops[i].iters, runs, ops[i].med, ops[i].lo, ops[i].hi);
	printf("@@csv end\n");
	threadexitsall(nil);
}
