// SPDX-License-Identifier: MIT
/*
 * ioproc: what does a blocking call cost when it blocks only a thread?
 *
 * Two procs bounce one byte over a pair of pipes: the measuring thread
 * writes a byte to the echo proc and reads the reply.  Three ways:
 *
 *	io_uring	ioread/iowrite through each proc's ring
 *	helper		ioread/iowrite through helper tasks (SEGCTL_IOPROC=helper)
 *	blocking	plain read/write, each proc blocking in the kernel (what
 *			a program does when it gives a proc to one fd)
 *
 * and io_uring-socket, blocking-socket: the same over a Unix socketpair
 * (kernels before 6.4 poll sockets in io_uring, but hand a blocking pipe's
 * calls to io-wq unless libthread9 reopens it: see libthread9/ioring.c).
 * io_uring-reopen is io_uring as it runs on such kernels, on any kernel:
 * libthread9 reopens the blocking pipes as if their io_uring had to.
 *
 * Each way runs in a fresh process (this program again, with the way as
 * argument), Runs times Trips round trips after a warm-up; the table shows
 * the median, min and max of the runs' ns per round trip, and the same
 * goes to build/bench/ioproc.csv (or the file given as argument).  On a
 * loaded machine (or a VM under TCG) the time is mostly waiting for a CPU,
 * so each way also says the CPU time its process used (user and system,
 * every task, io_uring's workers too) and the context switches it made,
 * per round trip: the work done, whatever the load.
 *
 *	ioproc [-n trips] [-r runs] [csvfile]
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <thread.h>

enum { Maxruns = 100, Warmup = 1000 };

extern char **environ;

static const char *ways[] = {
	"io_uring", "io_uring-reopen", "helper", "blocking", "io_uring-socket",
	"blocking-socket",
};

/* libthread9's hooks: the path io took; reopen blocking pipes (see -reopen) */
const char	*_t9ioprocpath(Ioproc *io);
void	_t9ioringreopenpipes(void);

static int	trips = 20000;
static int	runs = 7;

static long long
nsnow(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct Echo {
	int	in;
	int	out;
	int	useio;
};

/* The echo proc: a byte back for every byte, until end of file. */
static void
echo(void *v)
{
	struct Echo *e;
	Ioproc *io;
	char c;

	e = v;
	io = e->useio ? ioproc() : nil;
	for(;;){
		if((io ? ioread(io, e->in, &c, 1) : read(e->in, &c, 1)) != 1)
			break;
		if((io ? iowrite(io, e->out, &c, 1) : write(e->out, &c, 1)) != 1)
			break;
	}
	if(io != nil)
		closeioproc(io);
	close(e->out);
}

/* CPU ns used by every task of this process so far, and its switches. */
static long long
cpunow(long *csw)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*csw = ru.ru_nvcsw + ru.ru_nivcsw;
	return ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	       ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/*
 * One way, in this process: print each run's ns per round trip, CPU ns per
 * round trip and context switches per round trip.
 */
static void
measure(const char *way)
{
	static struct Echo e;
	int ab[2], ba[2], sv[2], i, k, useio;
	long long t0, c0;
	long s0, s1;
	Ioproc *io;
	char c;

	useio = strncmp(way, "blocking", 8) != 0;
	if(strcmp(way, "io_uring-reopen") == 0)
		_t9ioringreopenpipes();
	if(strstr(way, "-socket") != nil){
		/* Each side reads and writes its own end. */
		if(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			sysfatal("socketpair: %s", strerror(errno));
		ab[1] = ba[0] = sv[0];
		ab[0] = ba[1] = sv[1];
	}else if(pipe(ab) < 0 || pipe(ba) < 0)
		sysfatal("pipe: %s", strerror(errno));
	e.in = ab[0];
	e.out = ba[1];
	e.useio = useio;
	proccreate(echo, &e, 65536);
	io = useio ? ioproc() : nil;
	for(k = -1; k < runs; k++){
		c0 = cpunow(&s0);
		t0 = nsnow();
		for(i = 0; i < (k < 0 ? Warmup : trips); i++){
			c = (char)i;
			if((io ? iowrite(io, ab[1], &c, 1) : write(ab[1], &c, 1)) != 1 ||
			   (io ? ioread(io, ba[0], &c, 1) : read(ba[0], &c, 1)) != 1 ||
			   c != (char)i)
				sysfatal("%s: round trip %d failed", way, i);
		}
		if(k < 0)
			printf("%s\n", io != nil ? _t9ioprocpath(io) : "blocking");
		else{
			t0 = nsnow() - t0;
			c0 = cpunow(&s1) - c0;
			printf("%.1f %.1f %.2f\n", (double)t0 / trips, (double)c0 / trips,
			       (double)(s1 - s0) / trips);
		}
	}
	fflush(stdout);
	close(ab[1]);		/* the echo proc ends */
	if(io != nil)
		closeioproc(io);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Run this program for way; its runs' ns per round trip in v, CPU ns in
 * cpu and switches in csw, and the path its calls took in path.  Returns
 * the count.
 */
static double
median(double *v, int n)
{
	qsort(v, n, sizeof v[0], cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
runway(const char *way, double *v, double *cpu, double *csw, char *path)
{
	char n[16], r[16], *argv[8], *env[] = { "SEGCTL_IOPROC=helper", nil };
	posix_spawn_file_actions_t fa;
	int p[2], st, nv;
	pid_t pid;
	FILE *f;

	snprintf(n, sizeof n, "%d", trips);
	snprintf(r, sizeof r, "%d", runs);
	argv[0] = "ioproc";
	argv[1] = "-n";
	argv[2] = n;
	argv[3] = "-r";
	argv[4] = r;
	argv[5] = "-w";
	argv[6] = (char *)way;
	argv[7] = nil;
	if(pipe(p) < 0)
		sysfatal("pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	errno = posix_spawn(&pid, "/proc/self/exe", &fa, nil, argv,
			    strcmp(way, "helper") == 0 ? env : environ);
	posix_spawn_file_actions_destroy(&fa);
	if(errno != 0)
		sysfatal("spawn: %s", strerror(errno));
	close(p[1]);
	f = fdopen(p[0], "r");
	if(fscanf(f, "%31s", path) != 1)
		strcpy(path, "?");
	for(nv = 0; nv < Maxruns &&
		    fscanf(f, "%lf %lf %lf", &v[nv], &cpu[nv], &csw[nv]) == 3; nv++)
		;
	fclose(f);
	waitpid(pid, &st, 0);
	if(!WIFEXITED(st) || WEXITSTATUS(st) != 0 || nv != runs)
		sysfatal("%s: the run failed", way);
	return nv;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ioproc [-n trips] [-r runs] [csvfile]\n");
	threadexitsall("usage");
}

void
threadmain(int argc, char *argv[])
{
	double v[Maxruns], cpu[Maxruns], csw[Maxruns], med, mcpu, mcsw;
	char *csv, *way, path[32];
	size_t i;
	FILE *f;
	int c, n;

	way = nil;
	while((c = getopt(argc, argv, "n:r:w:")) != -1){
		switch(c){
		case 'n':
			trips = atoi(optarg);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'w':
			way = optarg;
			break;
		default:
			usage();
		}
	}
	if(trips <= 0 || runs < 1 || runs > Maxruns || argc - optind > 1)
		usage();
	if(way != nil){
		measure(way);
		threadexitsall(nil);
	}
	unsetenv("SEGCTL_IOPROC");	/* each way says its own */
	csv = optind < argc ? argv[optind] : "build/bench/ioproc.csv";
	mkdir("build", 0777);
	mkdir("build/bench", 0777);
	f = fopen(csv, "w");
	if(f == nil)
		sysfatal("%s: %s", csv, strerror(errno));
	fprintf(f, "way,runs,trips,median_ns,min_ns,max_ns,cpu_ns,switches\n");
	printf("round trip, one byte, between two procs over pipes (-socket: a socketpair): ns\n");
	printf("%d runs of %d round trips each; cpu: CPU ns (every task), csw: context switches,\n",
	       runs, trips);
	printf("per round trip, medians\n\n");
	printf("%-16s %10s %10s %10s %10s %6s\n", "way", "median", "min", "max", "cpu", "csw");
	for(i = 0; i < sizeof ways / sizeof ways[0]; i++){
		n = runway(ways[i], v, cpu, csw, path);
		if(strncmp(path, ways[i], strcspn(ways[i], "-")) != 0)
			sysfatal("%s: the calls took the %s path", ways[i], path);
		med = median(v, n);
		mcpu = median(cpu, n);
		mcsw = median(csw, n);
		printf("%-16s %10.0f %10.0f %10.0f %10.0f %6.2f\n", ways[i], med, v[0], v[n - 1],
		       mcpu, mcsw);
		fprintf(f, "%s,%d,%d,%.1f,%.1f,%.1f,%.1f,%.2f\n", ways[i], n, trips, med, v[0],
			v[n - 1], mcpu, mcsw);
	}
	fclose(f);
	printf("\nCSV: %s\n", csv);
	threadexitsall(nil);
}
