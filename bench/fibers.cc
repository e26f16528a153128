// SPDX-License-Identifier: MIT
/*
 * fibers: the benchmarks' workloads with Boost.Context fibers
 * (boost::context::fiber), for libthread9's tables (scripts/
 * bench-questions puts them beside libthread9's rows).
 *
 *	switch		two fibers resuming each other: ns per switch
 *	exit		create a fiber, run it until it returns, N times
 *	alive		create N fibers, resume each until all have started,
 *			then resume each once more to let it return
 *
 * with 16 KiB stacks from each of Boost's allocators, the counterparts of
 * threadcreate's ways: fixedsize (malloc, no guard page), protected (an
 * mmap with a guard page each) and pooled (a pool of freed stacks).
 * Every measurement runs in a fresh process (fork) and checks its result:
 * the sides alternated, every fiber ran, and each alive fiber's marker on
 * its stack survived all the others running.  A row whose allocator
 * failed (e.g. the VMA limit) says so.  Table, then CSV between
 * "@@csv peers" and "@@csv end".
 *
 *	fibers [-n N,...] [-a N,...] [-r runs] [-d divisor]
 */
#include <algorithm>
#include <boost/context/fiber.hpp>
#include <boost/context/fixedsize_stack.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <boost/version.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace ctx = boost::context;

enum { Stack = 16 * 1024, Maxruns = 64 };

static int64_t
nsnow()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

[[noreturn]] static void
bad(const char *what)
{
	printf("bad %s\n", what);
	fflush(stdout);
	_exit(2);
}

/* switch: ns per switch between the caller and a fiber taking turns. */
static double
switchpp(long n)
{
	long turn = 0;
	ctx::fiber f{std::allocator_arg, ctx::fixedsize_stack(Stack),
		     [&](ctx::fiber &&caller) {
			     for(long i = 0; i < n; i++){
				     if(turn != 2 * i + 1)
					     bad("switch: the sides did not alternate");
				     turn++;
				     caller = std::move(caller).resume();
			     }
			     return std::move(caller);
		     }};
	int64_t t0 = nsnow();
	for(long i = 0; i < n; i++){
		if(turn != 2 * i)
			bad("switch: the sides did not alternate");
		turn++;
		f = std::move(f).resume();
	}
	int64_t t1 = nsnow();
	f = std::move(f).resume();	/* it leaves its loop and returns */
	if(f || turn != 2 * n)
		bad("switch: the fiber did not finish");
	return (double)(t1 - t0) / (2 * n);
}

template<typename Alloc> static double
exitn(Alloc alloc, long n)
{
	long ran = 0;
	int64_t t0 = nsnow();
	for(long i = 0; i < n; i++){
		ctx::fiber f{std::allocator_arg, alloc, [&](ctx::fiber &&caller) {
				     ran++;
				     return std::move(caller);
			     }};
		f = std::move(f).resume();
		if(f)
			bad("exit: a fiber did not return");
	}
	int64_t t1 = nsnow();
	if(ran != n)
		bad("exit: not every fiber ran");
	return (double)(t1 - t0) / n;
}

template<typename Alloc> static double
aliven(Alloc alloc, long n)
{
	long started = 0, ended = 0;
	std::vector<ctx::fiber> fs;
	fs.reserve(n);
	int64_t t0 = nsnow();
	for(long i = 0; i < n; i++)
		fs.emplace_back(std::allocator_arg, alloc, [&](ctx::fiber &&caller) {
			volatile uint64_t mark[4];
			uint64_t me = (uint64_t)++started * 0x9e3779b97f4a7c15ull;
			for(int j = 0; j < 4; j++)
				mark[j] = me + j;
			caller = std::move(caller).resume();
			for(int j = 0; j < 4; j++)
				if(mark[j] != me + j)
					return std::move(caller);
			ended++;
			return std::move(caller);
		});
	for(auto &f : fs)
		f = std::move(f).resume();	/* it marks its stack and comes back */
	if(started != n)
		bad("alive: not every fiber started");
	for(auto &f : fs){
		f = std::move(f).resume();	/* it checks its marker and returns */
		if(f)
			bad("alive: a fiber did not return");
	}
	int64_t t1 = nsnow();
	if(ended != n)
		bad("alive: a fiber's stack was overwritten");
	return (double)(t1 - t0) / n;
}

static const char *allocs[] = { "fixedsize", "protected", "pooled" };

static double
measure(const std::string &op, const std::string &alloc, long n)
{
	if(op == "switch")
		return switchpp(n);
	bool alive = op == "alive";
	if(alloc == "fixedsize")
		return alive ? aliven(ctx::fixedsize_stack(Stack), n) : exitn(ctx::fixedsize_stack(Stack), n);
	if(alloc == "protected")
		return alive ? aliven(ctx::protected_fixedsize_stack(Stack), n)
			     : exitn(ctx::protected_fixedsize_stack(Stack), n);
	/* One pool for the whole run, as a program would keep one. */
	ctx::pooled_fixedsize_stack pool(Stack);
	return alive ? aliven(pool, n) : exitn(pool, n);
}

/*
 * One row in a fresh process: runs figures in v, sorted; returns 0, or
 * -1 with the failure in why.
 */
static int
row(const std::string &op, const std::string &alloc, long n, int runs, double *v, std::string &why)
{
	int p[2], st;
	pid_t pid;

	fflush(stdout);
	if(pipe(p) < 0){
		why = strerror(errno);
		return -1;
	}
	pid = fork();
	if(pid < 0){
		why = strerror(errno);
		return -1;
	}
	if(pid == 0){
		dup2(p[1], 1);
		close(p[0]);
		try{
			measure(op, alloc, n / 10 > 0 ? n / 10 : 1);	/* warm-up */
			for(int r = 0; r < runs; r++)
				printf("%.2f\n", measure(op, alloc, n));
		}catch(std::exception &e){
			printf("fail %s\n", e.what());
		}
		fflush(stdout);
		_exit(0);
	}
	close(p[1]);
	FILE *f = fdopen(p[0], "r");
	char line[256];
	int k = 0;
	why.clear();
	while(fgets(line, sizeof line, f) != nullptr){
		line[strcspn(line, "\n")] = '\0';
		if(k < runs && why.empty() && sscanf(line, "%lf", &v[k]) == 1)
			k++;
		else if(why.empty())
			why = line;
	}
	fclose(f);
	waitpid(pid, &st, 0);
	if(!WIFEXITED(st) || WEXITSTATUS(st) != 0){
		if(why.rfind("bad ", 0) == 0){
			fprintf(stderr, "fibers: %s\n", why.c_str() + 4);
			exit(2);	/* a wrong result: no figure, ever */
		}
		/* e.g. protected_fixedsize_stack asserts when mprotect fails (the VMA limit). */
		why = WIFSIGNALED(st) ? "died of signal " + std::to_string(WTERMSIG(st))
				      : "exited with status " + std::to_string(WEXITSTATUS(st));
		return -1;
	}
	if(!why.empty() || k != runs){
		if(why.empty())
			why = "too few figures";
		return -1;
	}
	std::sort(v, v + runs);
	return 0;
}

static std::vector<long>
list(const char *s)
{
	std::vector<long> v;
	char *e;

	for(;;){
		long x = strtol(s, &e, 10);
		if(e == s || x < 1 || (*e != ',' && *e != '\0')){
			fprintf(stderr, "fibers: bad N list\n");
			exit(1);
		}
		v.push_back(x);
		if(*e == '\0')
			return v;
		s = e + 1;
	}
}

struct Row {
	std::string op, alloc, why;
	long n;
	double med, lo, hi;
};

int
main(int argc, char **argv)
{
	std::vector<long> ns = { 1024, 10000, 100000 }, as;
	int runs = 5, div = 1, c;
	double v[Maxruns];

	while((c = getopt(argc, argv, "n:a:r:d:")) != -1)
		switch(c){
		case 'n': ns = list(optarg); break;
		case 'a': as = list(optarg); break;
		case 'r': runs = atoi(optarg); break;
		case 'd': div = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fibers [-n N,...] [-a N,...] [-r runs] [-d divisor]\n");
			return 1;
		}
	if(runs < 1 || runs > Maxruns || div < 1){
		fprintf(stderr, "fibers: runs must be 1 to %d, the divisor at least 1\n", Maxruns);
		return 1;
	}
	if(as.empty())
		as = ns;

	struct utsname u;
	uname(&u);
	char env[128];
	snprintf(env, sizeof env, "boost%d.%d %s", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
		 u.release);

	std::vector<Row> rows;
	auto add = [&](const std::string &op, const std::string &alloc, long n) {
		Row r{op, alloc, "", n, 0, 0, 0};
		if(row(op, alloc, n, runs, v, r.why) == 0){
			r.lo = v[0];
			r.hi = v[runs - 1];
			r.med = runs % 2 ? v[runs / 2] : (v[runs / 2 - 1] + v[runs / 2]) / 2;
			printf("%-7s %-10s %8ld %9.1f %9.1f %9.1f\n", op.c_str(), alloc.c_str(), n,
			       r.med, r.lo, r.hi);
		}else
			printf("%-7s %-10s %8ld failed: %s\n", op.c_str(), alloc.c_str(), n, r.why.c_str());
		rows.push_back(r);
	};
	printf("fibers (Boost.Context %s): ns per operation, %d runs\n", env, runs);
	printf("%-7s %-10s %8s %9s %9s %9s\n", "op", "stack", "n", "median", "min", "max");
	add("switch", "fixedsize", std::max(1L, 4000000L / div));
	for(auto a : allocs)
		for(long n : ns)
			add("exit", a, n);
	for(auto a : allocs)
		for(long n : as)
			add("alive", a, n);

	printf("\n@@csv peers\n");
	printf("bench,env,impl,op,per,n,runs,median_ns,min_ns,max_ns,status\n");
	for(auto &r : rows){
		const char *per = r.op == "switch" ? "switch" : "thread";
		if(r.why.empty())
			printf("peers,%s,boost-%s,fiber-%s,%s,%ld,%d,%.2f,%.2f,%.2f,ok\n", env,
			       r.alloc.c_str(), r.op.c_str(), per, r.n, runs, r.med, r.lo, r.hi);
		else
			printf("peers,%s,boost-%s,fiber-%s,%s,%ld,%d,,,,fail\n", env, r.alloc.c_str(),
			       r.op.c_str(), per, r.n, runs);
	}
	printf("@@csv end\n");
	return 0;
}
