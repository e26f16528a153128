// SPDX-License-Identifier: MIT
/*
 * threadcreate: what does a guarded thread stack cost?  The 2010 GSoC
 * prototype measured 1024 thread creations on three-segment stacks at
 * 2.25 s against 0.87 s on malloc'd ones.  This creates N threads, in two
 * ways, with each way of making stacks, in this one build:
 *
 *	exit	create a thread and let it run and exit at once, N times:
 *		at most one thread is alive, freed stacks can be reused
 *	alive	create N threads, let each run until all have started,
 *		then let them all exit: all N are alive at the same time
 *
 *	(a) malloc	malloc'd stacks, no redzones (the original libthread)
 *	(b) seg3	three segattach calls per stack (the prototype's way)
 *	(c) guarded	one segattachguarded per stack
 *	(d) cached	(c) with the per-proc cache of freed stacks (the default)
 *	(e) pthread	pthread_create + pthread_join, default attributes
 *	(f) batched	(c) made 16 at a time by segattachguardedn into a
 *			reserve, freed 16 at a time by segdetachn; no cache
 *
 * Each measurement runs in a fresh process (which, for (a)-(c), makes
 * libthread9's thread stacks itself through _t9threadstackhook, see
 * libthread9/stackhook.h) and checks that every thread ran
 * on a stack of its own: a marker written on each alive thread's stack
 * must survive all the others running.  A row is ns per thread, the
 * median of the runs with min and max, the ratio to (a), the median CPU
 * time of the whole process per thread, and the VMAs in use at the peak
 * (lines of /proc/self/maps, counted outside the timed spans).  Last comes the limit: how many threads can be
 * alive at once, and what stops them.  The whole is printed as tables and
 * then as CSV between "@@csv threadcreate" and "@@csv end" lines.
 *
 *	threadcreate [-n N,...] [-a N,...] [-r runs] [-s way,...]
 *		     [-m mode,...] [-c N,way=N,...] [-l way,...]
 * -n gives the N of both modes (default 1024,10000,100000), -a those of
 * "alive" if they differ (slow machines), -c the most threads the limit
 * probe tries: N for every way, then way=N for one (default 100000; 0: no
 * probe; "-c 100000,guarded=1000000" tries a million guarded stacks), -l
 * the ways it probes (default guarded,malloc,pthread).  After the tables
 * comes (c) guarded and (f) batched against (a) malloc, both modes, by N:
 * what stack arenas (doc/arenas.md) and batches are to bring down.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <seg.h>
#include <thread.h>

#include "bench.h"
#include "../libthread9/stackhook.h"

int mainstacksize = 256 * 1024;

enum {
	Stack = 16 * 1024,	/* what each thread asks for */
	Maxn = 16,
	Maxruns = 64,
	Outmax = 8192,
};

enum { Malloc, Seg3, Guarded, Cached, Pthread, Batched, Nway };
static const char *wayname[Nway] = {
	"malloc", "seg3", "guarded", "cached", "pthread", "batched",
};
static const char *waycall[Nway] = {
	"malloc", "segattach", "segattachguarded", "segattachguarded", "pthread_create",
	"segattachguardedn",
};

enum { Exit, Alive, Nmode };
static const char *modename[Nmode] = { "exit", "alive" };

/*
 * The ways other than (d), for libthread9's _t9threadstackhook.  (a): malloc,
 * no redzones.  (c): one guarded segment per stack, never cached.
 */
static char *
mallocstack(size_t len, size_t guard, const char *who)
{
	char *v;

	(void)guard;
	if((v = malloc(len)) == nil)
		sysfatal("%s: cannot allocate a %zu-byte stack: out of memory", who, len);
	return v;
}

static void
mallocfree(char *base, size_t len)
{
	(void)len;
	free(base);
}

static char *
guardedstack(size_t len, size_t guard, const char *who)
{
	char *v;

	v = segattachguarded(SG_NOEXEC, "memory", nil, len, guard);
	if(v == (char *)-1)
		sysfatal("%s: cannot allocate a %zu-byte stack: %s", who, len, segerrstr());
	return v;
}

static void
stkdetach(char *base)
{
	if(segdetach(base) < 0)
		sysfatal("segdetach %p: %s", (void *)base, segerrstr());
}

static void
guardedfree(char *base, size_t len)
{
	(void)len;
	stkdetach(base);
}

/*
 * (b): three segattach calls per stack, redzone, body, redzone.  They need
 * three free, adjacent ranges, and segattach with no address gives no say
 * in where a segment goes (Linux fills the highest gap that fits, often a
 * narrow one).  So, as a Plan 9 program placing its own segments would,
 * stacks go at fixed addresses downward from seg3.next, in a run of free
 * space found by attaching and detaching one Seg3run-byte redzone; a fixed
 * attach that finds the space taken starts a new run.  Three calls per
 * stack, two more per run.
 */
enum { Seg3run = 1 << 30 };
static struct {
	Lock	lock;
	uintptr_t next, end;	/* the run: [end, next) is left */
	size_t	guard;		/* each redzone */
} seg3;

static int
seg3place(size_t span, uintptr_t *lo)
{
	char *v;
	int ok;

	ok = 1;
	lock(&seg3.lock);
	if(seg3.next - seg3.end < span){
		v = segattach(SG_NONE, "memory", nil, Seg3run);
		if(v == (char *)-1 || segdetach(v) < 0)
			ok = 0;
		else{
			seg3.end = (uintptr_t)v;
			seg3.next = (uintptr_t)v + Seg3run;
		}
	}
	if(ok){
		seg3.next -= span;
		*lo = seg3.next;
	}
	unlock(&seg3.lock);
	return ok;
}

/* Redzone, body, redzone at lo: 0, or the errno of the attach that failed. */
static int
seg3attach(char *lo, size_t len, size_t guard)
{
	char *body;
	int e;

	body = lo + guard;
	if(segattach(SG_NONE, "memory", lo, guard) == (void *)-1)
		return errno;
	if(segattach(SG_NOEXEC, "memory", body, len) == (void *)-1){
		e = errno;
		segdetach(lo);
		return e;
	}
	if(segattach(SG_NONE, "memory", body + len, guard) == (void *)-1){
		e = errno;
		segdetach(body);
		segdetach(lo);
		return e;
	}
	return 0;
}

static char *
seg3stack(size_t len, size_t guard, const char *who)
{
	uintptr_t lo;
	int try, e;

	seg3.guard = guard;
	for(try = 0; try < 4 && seg3place(len + 2 * guard, &lo); try++){
		e = seg3attach((char *)lo, len, guard);
		if(e == 0)
			return (char *)lo + guard;
		if(e != EEXIST)
			break;
		lock(&seg3.lock);
		seg3.next = seg3.end = 0;
		unlock(&seg3.lock);
	}
	sysfatal("%s: cannot allocate a %zu-byte stack: %s", who, len, segerrstr());
	return nil;
}

static void
seg3free(char *body, size_t len)
{
	stkdetach(body - seg3.guard);
	stkdetach(body);
	stkdetach(body + len);
}

/*
 * (f): (c) in batches, as libthread9's own reserve and pending list do it
 * but without its cache: a reserve of Batch fresh stacks from one
 * segattachguardedn, and freed stacks detached Batch at a time by one
 * segdetachn.  Each proc (a kernel task) has its own: thread-local.
 */
enum { Batch = 16 };
static __thread struct {
	char	*reserve[Batch];
	int	nreserve;
	size_t	len;
	char	*pending[Batch];
	int	npending;
} batch;

static char *
batchedstack(size_t len, size_t guard, const char *who)
{
	if(batch.nreserve == 0 || batch.len != len){
		while(batch.nreserve > 0)
			if(segdetach(batch.reserve[--batch.nreserve]) < 0)
				sysfatal("segdetach: %s", segerrstr());
		if(segattachguardedn(SG_NOEXEC, "memory", len, guard, Batch,
				     (void **)batch.reserve) < 0)
			sysfatal("%s: cannot allocate %d %zu-byte stacks: %s", who, Batch, len,
				 segerrstr());
		batch.nreserve = Batch;
		batch.len = len;
	}
	return batch.reserve[--batch.nreserve];
}

static void
batchedfree(char *base, size_t len)
{
	(void)len;
	batch.pending[batch.npending++] = base;
	if(batch.npending == Batch){
		if(segdetachn((void **)batch.pending, Batch) < 0)
			sysfatal("segdetachn: %s", segerrstr());
		batch.npending = 0;
	}
}

static const struct _Stackhook stackhooks[Nway] = {
	[Malloc] = { mallocstack, mallocfree },
	[Seg3] = { seg3stack, seg3free },
	[Guarded] = { guardedstack, guardedfree },
	[Batched] = { batchedstack, batchedfree },
};

/* One measurement, in the child. */
typedef struct Run Run;
struct Run {
	int	n;
	int	way;
	int	created;	/* threadcreate/pthread_create returned */
	int	ran;		/* exit: threads that ran */
	int	started;	/* alive: threads that started */
	int	ended;		/* alive: threads whose marker survived */
	int	probe;		/* exit: the untimed thread that counts the VMAs */
	int	vmas;
	int64_t	wall, cpu;	/* ns, summed over the timed spans */
	int64_t	wall0, cpu0;
	int	go;		/* pthread alive: futex, 1 to let them exit */
	int	finished;	/* no failure to report at exit */
};
static Run run;

/* One row, in the driver. */
typedef struct Row Row;
struct Row {
	int	done;
	int	failed;
	double	med, lo, hi;	/* ns per thread */
	double	cpu;		/* median process CPU time per thread */
	int	vmas;		/* at the peak */
	int	alive;		/* threads alive when it failed */
	char	why[160];	/* what failed */
};

static void
futexwait(int *a, int v)
{
	syscall(SYS_futex, a, FUTEX_WAIT_PRIVATE, v, nil, nil, 0);
}

static void
futexwake(int *a)
{
	syscall(SYS_futex, a, FUTEX_WAKE_PRIVATE, INT_MAX, nil, nil, 0);
}

/* Timed spans: wall clock, and CPU time of every task of the process. */
static void
tstart(Run *r)
{
	r->wall0 = nsnow();
	r->cpu0 = cpunow();
}

static void
tstop(Run *r)
{
	r->wall += nsnow() - r->wall0;
	r->cpu += cpunow() - r->cpu0;
}

/* A failure that ends the process (sysfatal from threadcreate) is reported here. */
static void
reportexit(void)
{
	int e;

	e = errno;
	if(run.finished)
		return;
	run.finished = 1;
	printf("fail %s %s %d %d %s\n", waycall[run.way], strerrorname_np(e) ? strerrorname_np(e) : "?",
	       run.created, countvmas(), run.way == Malloc || run.way == Pthread ? strerror(e) : segerrstr());
}

/* A result that is wrong: no figure, ever. */
static void
bad(const char *fmt, ...)
{
	va_list arg;

	run.finished = 1;
	printf("bad: ");
	va_start(arg, fmt);
	vprintf(fmt, arg);
	va_end(arg);
	printf("\n");
	exit(2);
}

static void
exitthread(void *v)
{
	Run *r = v;

	if(++r->ran == r->probe)
		r->vmas = countvmas();
}

/* A marker on this stack that no other thread may touch while we wait. */
static void
alivethread(void *v)
{
	Run *r = v;
	volatile uint64_t mark[4];
	uint64_t me;
	int i;

	me = (uint64_t)(r->started++ + 1) * 0x9e3779b97f4a7c15ull;
	for(i = 0; i < 4; i++)
		mark[i] = me + i;
	yield();
	for(i = 0; i < 4; i++)
		if(mark[i] != me + i)
			return;
	r->ended++;
}

static void
thread9exit(Run *r)
{
	int i;

	tstart(r);
	for(i = 0; i < r->n; i++){
		threadcreate(exitthread, r, Stack);
		r->created++;
		yield();	/* it runs and exits; the scheduler frees its stack */
	}
	tstop(r);
	/* One more, untimed, counts the VMAs while it is alive. */
	threadcreate(exitthread, r, Stack);
	yield();
	if(r->ran != r->n + 1 || r->vmas <= 0)
		bad("exit: %d threads of %d ran", r->ran, r->n + 1);
}

static void
thread9alive(Run *r)
{
	int i;

	tstart(r);
	for(i = 0; i < r->n; i++){
		threadcreate(alivethread, r, Stack);
		r->created++;
	}
	yield();	/* each starts, marks its stack and yields back */
	tstop(r);
	if(r->started != r->n)
		bad("alive: %d threads of %d started", r->started, r->n);
	r->vmas = countvmas();
	tstart(r);
	yield();	/* each checks its marker and exits */
	tstop(r);
	if(r->ended != r->n)
		bad("alive: %d threads of %d ended with their stack intact",
			 r->ended, r->n);
}

static void *
pexitthread(void *v)
{
	Run *r = v;

	if(__atomic_add_fetch(&r->ran, 1, __ATOMIC_RELAXED) == r->probe)
		r->vmas = countvmas();
	return nil;
}

static void *
palivethread(void *v)
{
	Run *r = v;
	volatile uint64_t mark[4];
	uint64_t me;
	int i;

	me = (uint64_t)__atomic_add_fetch(&r->started, 1, __ATOMIC_RELAXED) * 0x9e3779b97f4a7c15ull;
	for(i = 0; i < 4; i++)
		mark[i] = me + i;
	while(__atomic_load_n(&r->go, __ATOMIC_ACQUIRE) == 0)
		futexwait(&r->go, 0);
	for(i = 0; i < 4; i++)
		if(mark[i] != me + i)
			return nil;
	__atomic_add_fetch(&r->ended, 1, __ATOMIC_RELAXED);
	return nil;
}

static void
pthreadexit(Run *r)
{
	pthread_t t;
	int i, e;

	tstart(r);
	for(i = 0; i <= r->n; i++){
		if(i == r->n)
			tstop(r);	/* the last, untimed, counts the VMAs */
		e = pthread_create(&t, nil, pexitthread, r);
		if(e != 0){
			errno = e;
			reportexit();
			threadexitsall("limit");
		}
		r->created++;
		pthread_join(t, nil);
	}
	if(r->ran != r->n + 1 || r->vmas <= 0)
		bad("exit: %d threads of %d ran", r->ran, r->n + 1);
}

static void
pthreadalive(Run *r)
{
	pthread_t *t;
	int i, e;

	t = malloc(r->n * sizeof t[0]);
	if(t == nil)
		sysfatal("out of memory");
	e = 0;
	tstart(r);
	for(i = 0; i < r->n; i++){
		e = pthread_create(&t[i], nil, palivethread, r);
		if(e != 0)
			break;
		r->created++;
	}
	while(__atomic_load_n(&r->started, __ATOMIC_RELAXED) < r->created)
		sched_yield();
	tstop(r);
	if(e == 0)
		r->vmas = countvmas();
	else{
		errno = e;
		reportexit();
	}
	tstart(r);
	__atomic_store_n(&r->go, 1, __ATOMIC_RELEASE);
	futexwake(&r->go);
	for(i = 0; i < r->created; i++)
		pthread_join(t[i], nil);
	tstop(r);
	free(t);
	if(e != 0)
		threadexitsall("limit");
	if(r->ended != r->n)
		bad("alive: %d threads of %d ended with their stack intact",
			 r->ended, r->n);
}

/* threadcreate -1 WAY MODE N: one measurement; prints "result WALL CPU VMAS" (ns). */
static void
measure(int way, int mode, int n)
{
	static void (*f[Nway][Nmode])(Run *) = {
		[Malloc] = { thread9exit, thread9alive },
		[Seg3] = { thread9exit, thread9alive },
		[Guarded] = { thread9exit, thread9alive },
		[Cached] = { thread9exit, thread9alive },
		[Pthread] = { pthreadexit, pthreadalive },
		[Batched] = { thread9exit, thread9alive },
	};
	if(stackhooks[way].alloc != nil)
		_t9threadstackhook = &stackhooks[way];
	run.n = n;
	run.way = way;
	run.probe = n + 1;
	atexit(reportexit);
	f[way][mode](&run);
	run.finished = 1;
	printf("result %lld %lld %d\n", (long long)run.wall, (long long)run.cpu, run.vmas);
	threadexitsall(nil);
}

static int
lookup(const char **names, int nnames, const char *s)
{
	int i;

	for(i = 0; i < nnames; i++)
		if(strcmp(names[i], s) == 0)
			return i;
	sysfatal("unknown name '%s'", s);
	return -1;
}

/* A comma-separated list of names into a bit set. */
static int
nameset(const char **names, int nnames, char *list)
{
	char *s, *save;
	int set;

	set = 0;
	for(s = strtok_r(list, ",", &save); s != nil; s = strtok_r(nil, ",", &save))
		set |= 1 << lookup(names, nnames, s);
	return set;
}

static int
numlist(char *list, int *v)
{
	char *s, *save;
	int n;

	n = 0;
	for(s = strtok_r(list, ",", &save); s != nil && n < Maxn; s = strtok_r(nil, ",", &save))
		if((v[n++] = atoi(s)) <= 0)
			sysfatal("bad N '%s'", s);
	return n;
}

/* Run one child measurement; 1 and the figures, or 0 and r->why. */
static int
runone(int way, int mode, int n, Row *r, double *ns, double *cpu)
{
	static char out[Outmax];
	char sn[16], call[32], err[32], *argv[6], *l;
	long long total, cputotal;
	int st, vmas, alive;

	snprintf(sn, sizeof sn, "%d", n);
	argv[0] = "threadcreate";
	argv[1] = "-1";
	argv[2] = (char *)wayname[way];
	argv[3] = (char *)modename[mode];
	argv[4] = sn;
	argv[5] = nil;
	st = runself(argv, nil, out, sizeof out);
	if(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
	   (l = findline(out, "result ")) != nil &&
	   sscanf(l, "result %lld %lld %d", &total, &cputotal, &vmas) == 3){
		*ns = (double)total / n;
		*cpu = (double)cputotal / n;
		if(vmas > r->vmas)
			r->vmas = vmas;
		return 1;
	}
	r->failed = 1;
	if((l = findline(out, "fail ")) != nil &&
	   sscanf(l, "fail %31s %31s %d %d", call, err, &alive, &vmas) == 4){
		r->alive = alive;
		r->vmas = vmas;
		snprintf(r->why, sizeof r->why, "%s: %s", call, err);
	}else{
		r->alive = -1;
		l = strchr(out, '\n');
		if(l)
			*l = '\0';
		snprintf(r->why, sizeof r->why, "child status %#x: %.120s", st, out);
	}
	return 0;
}

static void
measurerow(int way, int mode, int n, int runs, Row *r)
{
	double ns[Maxruns], cpu[Maxruns], lo, hi;
	int i;

	memset(r, 0, sizeof *r);
	r->done = 1;
	for(i = 0; i < runs; i++)
		if(!runone(way, mode, n, r, &ns[i], &cpu[i]))
			return;
	r->med = median(ns, runs, &r->lo, &r->hi);
	r->cpu = median(cpu, runs, &lo, &hi);
}

static char *
ratio(Row *r, Row *a, char *buf, int nbuf)
{
	if(r->failed || a == nil || !a->done || a->failed)
		snprintf(buf, nbuf, "-");
	else
		snprintf(buf, nbuf, "%.2f", r->med / a->med);
	return buf;
}

static Row rows[Nmode][Maxn][Nway];

/* -c: "N" for every way, "way=N" for one, comma-separated, in order. */
static void
capset(int *caps, char *list)
{
	char *s, *save, *eq;
	int w;

	for(s = strtok_r(list, ",", &save); s != nil; s = strtok_r(nil, ",", &save)){
		if((eq = strchr(s, '=')) == nil){
			for(w = 0; w < Nway; w++)
				caps[w] = atoi(s);
			continue;
		}
		*eq = '\0';
		caps[lookup(wayname, Nway, s)] = atoi(eq + 1);
	}
}

void
threadmain(int argc, char **argv)
{
	static const char *defs = "malloc,seg3,guarded,cached,pthread,batched";
	char sn[64] = "1024,10000,100000", sa[64] = "", ss[128], sm[32] = "exit,alive", sl[128];
	int nvs[Nmode][Maxn], nns[Nmode], *nv, nn, ways, modes, probes, runs, caps[Nway], m, i, w, c;
	Row *r, probe[Nway], *pr;
	int cap;
	char rb[16];
	const char *env;

	if(argc == 5 && strcmp(argv[1], "-1") == 0)
		measure(lookup(wayname, Nway, argv[2]), lookup(modename, Nmode, argv[3]),
			atoi(argv[4]));
	snprintf(ss, sizeof ss, "%s", defs);
	snprintf(sl, sizeof sl, "guarded,malloc,pthread");
	runs = 5;
	for(w = 0; w < Nway; w++)
		caps[w] = 100000;
	while((c = getopt(argc, argv, "n:a:r:s:m:c:l:")) != -1)
		switch(c){
		case 'n': snprintf(sn, sizeof sn, "%s", optarg); break;
		case 'a': snprintf(sa, sizeof sa, "%s", optarg); break;
		case 'r': runs = atoi(optarg); break;
		case 's': snprintf(ss, sizeof ss, "%s", optarg); break;
		case 'm': snprintf(sm, sizeof sm, "%s", optarg); break;
		case 'c': capset(caps, optarg); break;
		case 'l': snprintf(sl, sizeof sl, "%s", optarg); break;
		default:
			fprintf(stderr, "usage: threadcreate [-n N,...] [-a N,...] [-r runs] "
				"[-s way,...] [-m exit,alive] [-c N,way=N,...] [-l way,...]\n");
			threadexitsall("usage");
		}
	if(runs < 1 || runs > Maxruns)
		sysfatal("runs must be 1 to %d", Maxruns);
	if(sa[0] == '\0')
		snprintf(sa, sizeof sa, "%s", sn);
	nns[Exit] = numlist(sn, nvs[Exit]);
	nns[Alive] = numlist(sa, nvs[Alive]);
	ways = nameset(wayname, Nway, ss);
	modes = nameset(modename, Nmode, sm);
	probes = nameset(wayname, Nway, sl);
	env = benchenv();

	printf("threadcreate: %s backend, kernel %s, vm.max_map_count %ld; stacks of %d bytes "
	       "asked for; %d runs per row\n", segbackendname(), strchr(env, ' ') + 1,
	       maxmapcount(), Stack, runs);
	printf("(a) malloc  (b) seg3: 3 segattach  (c) guarded: segattachguarded  "
	       "(d) cached: (c) + stack cache  (e) pthread_create+join\n"
	       "(f) batched: (c) 16 at a time (segattachguardedn, segdetachn), no cache\n");
	for(m = 0; m < Nmode; m++){
		if(!(modes & 1 << m))
			continue;
		printf("\n%s: ns per thread to %s\n", modename[m], m == Exit ?
		       "create one thread that exits at once, N times" :
		       "create N threads, all alive at once, then end them");
		printf("%-7s %-12s %10s %10s %10s %7s %10s %7s\n", "N", "way", "median", "min",
		       "max", "/(a)", "cpu", "VMAs");
		nv = nvs[m];
		nn = nns[m];
		for(i = 0; i < nn; i++)
			for(w = 0; w < Nway; w++){
				if(!(ways & 1 << w))
					continue;
				r = &rows[m][i][w];
				measurerow(w, m, nv[i], runs, r);
				if(r->failed)
					printf("%-7d (%c) %-8s fails after %d threads: %s, %d VMAs\n",
					       nv[i], 'a' + w, wayname[w], r->alive, r->why, r->vmas);
				else
					printf("%-7d (%c) %-8s %10.0f %10.0f %10.0f %7s %10.0f %7d\n",
					       nv[i], 'a' + w, wayname[w], r->med, r->lo, r->hi,
					       ratio(r, &rows[m][i][Malloc], rb, sizeof rb), r->cpu,
					       r->vmas);
				fflush(stdout);
			}
	}

	/* (c) and (f) against (a), the ratios issue 13 sets targets for. */
	if((ways & 1 << Malloc) && (ways & (1 << Guarded | 1 << Batched))){
		printf("\n(c) guarded, (f) batched / (a) malloc, median against median\n");
		printf("%-7s %-7s %7s %7s\n", "mode", "N", "(c)/(a)", "(f)/(a)");
		for(m = Nmode - 1; m >= 0; m--)
			for(i = 0; (modes & 1 << m) && i < nns[m]; i++){
				printf("%-7s %-7d %7s", modename[m], nvs[m][i],
				       ways & 1 << Guarded ? ratio(&rows[m][i][Guarded],
				       &rows[m][i][Malloc], rb, sizeof rb) : "-");
				printf(" %7s\n", ways & 1 << Batched ? ratio(&rows[m][i][Batched],
				       &rows[m][i][Malloc], rb, sizeof rb) : "-");
			}
	}

	/* The limit: reuse an alive run at N = cap if there was one. */
	memset(probe, 0, sizeof probe);
	for(w = 0; w < Nway; w++)
		if((probes & 1 << w) && caps[w] > 0)
			break;
	if(w < Nway){
		printf("\nlimit: threads alive at once in one process (vm.max_map_count %ld)\n",
		       maxmapcount());
		for(w = 0; w < Nway; w++){
			if(!(probes & 1 << w) || caps[w] <= 0)
				continue;
			cap = caps[w];
			pr = nil;
			for(i = 0; i < nns[Alive]; i++)
				if(nvs[Alive][i] == cap && rows[Alive][i][w].done)
					pr = &rows[Alive][i][w];
			if(pr == nil){
				pr = &probe[w];
				measurerow(w, Alive, cap, 1, pr);
			}
			if(pr->failed)
				printf("(%c) %-8s %7d alive, then %s (%d VMAs)\n", 'a' + w, wayname[w],
				       pr->alive, pr->why, pr->vmas);
			else
				printf("(%c) %-8s %7d alive, the most tried (%d VMAs)\n", 'a' + w,
				       wayname[w], cap, pr->vmas);
			probe[w] = *pr;
			probe[w].done = 1;
		}
	}

	printf("\n@@csv threadcreate\n");
	printf("bench,env,mode,n,way,runs,median_ns,min_ns,max_ns,ratio_a,cpu_ns,peak_vmas,"
	       "status,detail\n");
	for(m = 0; m < Nmode; m++)
		for(i = 0; i < nns[m]; i++)
			for(w = 0; w < Nway; w++){
				r = &rows[m][i][w];
				nv = nvs[m];
				if(!r->done)
					continue;
				if(r->failed)
					printf("threadcreate,%s,%s,%d,%s,%d,,,,,,%d,fail,%d alive then %s\n",
					       env, modename[m], nv[i], wayname[w], runs, r->vmas,
					       r->alive, r->why);
				else
					printf("threadcreate,%s,%s,%d,%s,%d,%.1f,%.1f,%.1f,%s,%.1f,%d,ok,\n",
					       env, modename[m], nv[i], wayname[w], runs, r->med, r->lo,
					       r->hi, ratio(r, &rows[m][i][Malloc], rb, sizeof rb), r->cpu,
					       r->vmas);
			}
	for(w = 0; w < Nway; w++)
		if(probe[w].done)
			printf("limit,%s,alive,%d,%s,1,,,,,,%d,%s,%d alive%s%s\n", env, caps[w],
			       wayname[w], probe[w].vmas, probe[w].failed ? "fail" : "ok",
			       probe[w].failed ? probe[w].alive : caps[w],
			       probe[w].failed ? " then " : "", probe[w].why);
	printf("@@csv end\n");
	threadexitsall(nil);
}
