// SPDX-License-Identifier: MIT
/*
 * concurrency.c: many tasks of one mm at once (doc/contract.md §1.3, issue 3): two
 * threads attaching and detaching; munmap racing detach; fork racing
 * attach; a guarded attach racing other threads' mmaps; 10,000 segments.
 * Each runs a fixed time or count and checks invariants, never timing:
 * no error that should not happen, and the listing agrees with the maps.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>

#include "common.h"

#define RUN_SECS	3

static bool running_for(struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - start->tv_sec < RUN_SECS;
}

/* Every listed segment is mapped with the protection its flags say. */
static void listing_matches_maps(void)
{
	struct seg *v;
	int i, n = list_segs(&v);

	for (i = 0; i < n; i++) {
		const char *perms = strchr(v[i].flags, 'N') ? "---p" :
				    strcmp(v[i].class, "shared") == 0 ? "rwxs" : "rwxp";

		if (strchr(v[i].flags, 'R') && !strchr(v[i].flags, 'N'))
			perms = strcmp(v[i].class, "shared") == 0 ? "r-xs" : "r-xp";
		EXPECT(mapped_as(v[i].base, v[i].top, perms), "%lx-%lx not mapped %s",
		       v[i].base, v[i].top, perms);
	}
	free(v);
}

static atomic_int errors;

static void *attach_detach_loop(void *arg)
{
	struct timespec start;
	unsigned long n = 0, seed = (unsigned long)arg;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (running_for(&start)) {
		unsigned long len = (seed % 7 + 1) * PG, va;
		unsigned class = seed % 2 ? SHR : MEM;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		va = (seed >> 33) % 5 == 0 ? attachg(0, class, 0, len, PG) :
					     attach(0, class, 0, len);
		if (va == FAILED) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		((volatile unsigned long *)va)[0] = va;
		((volatile unsigned long *)(va + len))[-1] = va;
		if (((volatile unsigned long *)va)[0] != va ||
		    ((volatile unsigned long *)(va + len))[-1] != va)
			atomic_fetch_add(&errors, 1);
		if (detach(va + len - 1) != 0)
			atomic_fetch_add(&errors, 1);
		n++;
	}
	return (void *)n;
}

TEST_TIMEOUT(two_threads_attach_detach, 120)
{
	pthread_t t[2];
	void *n[2];
	int i;

	for (i = 0; i < 2; i++)
		ASSERT(pthread_create(&t[i], NULL, attach_detach_loop,
				      (void *)(unsigned long)(i + 1)) == 0);
	for (i = 0; i < 2; i++)
		ASSERT(pthread_join(t[i], &n[i]) == 0);
	EXPECT(atomic_load(&errors) == 0, "%d failed calls", atomic_load(&errors));
	EXPECT((long)n[0] > 0 && (long)n[1] > 0);
	/* What stays is the (empty) arena the guarded ones used, if any. */
	EXPECT(nsegs() == 0 && param("spans") == 0 &&
	       param("segments") == param("arenas_alive") && param("segments") <= 1,
	       "segments %ld arenas %ld", param("segments"), param("arenas_alive"));
	tap_note("%ld + %ld attach/detach pairs", (long)n[0], (long)n[1]);
}

/* Two threads fight over the same fixed addresses: one wins each time. */
static unsigned long fixed_base;

static pthread_barrier_t fixed_go;

static void *fixed_loop(void *arg)
{
	unsigned long i, won = 0;

	(void)arg;
	pthread_barrier_wait(&fixed_go);
	for (i = 0; i < 2000; i++) {
		unsigned long va = fixed_base + (i % 8) * 2 * PG;

		if (attach(0, MEM, va, 2 * PG) == va) {
			won++;
			if (detach(va) != 0)
				atomic_fetch_add(&errors, 1);
		} else if (errno != EEXIST) {
			atomic_fetch_add(&errors, 1);
		}
	}
	return (void *)won;
}

TEST_TIMEOUT(two_threads_same_addresses, 120)
{
	pthread_t t[2];
	void *won[2];
	int i;

	void *hold = mmap(NULL, 16 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	/* Held until the threads' stacks are mapped, so they cannot land there. */
	ASSERT(hold != MAP_FAILED);
	fixed_base = (unsigned long)hold;
	ASSERT(pthread_barrier_init(&fixed_go, NULL, 3) == 0);
	for (i = 0; i < 2; i++)
		ASSERT(pthread_create(&t[i], NULL, fixed_loop, NULL) == 0);
	ASSERT(munmap(hold, 16 * PG) == 0);
	pthread_barrier_wait(&fixed_go);
	for (i = 0; i < 2; i++)
		ASSERT(pthread_join(t[i], &won[i]) == 0);
	EXPECT(atomic_load(&errors) == 0, "%d unexpected results", atomic_load(&errors));
	EXPECT((long)won[0] + (long)won[1] > 0);
	EXPECT(nsegs() == 0 && unmapped(fixed_base, fixed_base + 16 * PG), "%d listed",
	       nsegs());
}

/* One task munmaps what another detaches. */
#define SLOTS 16
static _Atomic unsigned long slot[SLOTS];
static atomic_int stop;

static void *unmapper(void *arg)
{
	unsigned long i = 0, va;

	(void)arg;
	while (!atomic_load(&stop)) {
		va = atomic_exchange(&slot[i++ % SLOTS], 0);
		if (va)
			munmap((void *)(va + (i % 3) * PG), PG);
	}
	return NULL;
}

TEST_TIMEOUT(munmap_while_detach, 120)
{
	struct timespec start;
	pthread_t t;
	unsigned long i = 0, va;

	ASSERT(pthread_create(&t, NULL, unmapper, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (running_for(&start)) {
		va = attach(i % 4 == 0 ? SEGCTL_ATTR_COMMIT : 0, i % 2 ? SHR : MEM, 0, 3 * PG);
		if (va == FAILED) {
			/*
			 * The unmapper holds stale addresses: it may punch a hole in
			 * a committed segment being faulted in.  All or nothing.
			 */
			EXPECT(errno == ENOMEM && i % 4 == 0, "attach: %s", strerror(errno));
			i++;
			continue;
		}
		atomic_store(&slot[i % SLOTS], va);
		if (i % 3 == 0)
			sched_yield();
		if (detach(va + PG) != 0)
			EXPECT(errno == EINVAL, "detach: %s", strerror(errno));
		/* Whatever is left of it is an ordinary mapping now. */
		munmap((void *)va, 3 * PG);
		i++;
	}
	atomic_store(&stop, 1);
	ASSERT(pthread_join(t, NULL) == 0);
	EXPECT(nsegs() == 0);
	listing_matches_maps();
	tap_note("%lu rounds", i);
}

/* fork while another task attaches: each child's table matches its maps. */
static void *attacher(void *arg)
{
	unsigned long va[8] = { 0 }, i = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		if (va[i % 8])
			detach(va[i % 8]);
		va[i % 8] = attach(i % 3 == 0 ? SEGCTL_ATTR_RONLY : 0, i % 2 ? SHR : MEM, 0,
				   (i % 4 + 1) * PG);
		if (va[i % 8] == FAILED)
			atomic_fetch_add(&errors, 1);
		i++;
	}
	return NULL;
}

static void check_child(void *arg)
{
	(void)arg;
	listing_matches_maps();
}

TEST_TIMEOUT(fork_while_attach, 180)
{
	struct timespec start;
	pthread_t t;
	int forks = 0;

	atomic_store(&stop, 0);
	ASSERT(pthread_create(&t, NULL, attacher, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (running_for(&start)) {
		EXPECT_CHILD(check_child, NULL);
		forks++;
	}
	atomic_store(&stop, 1);
	ASSERT(pthread_join(t, NULL) == 0);
	EXPECT(atomic_load(&errors) == 0);
	listing_matches_maps();
	tap_note("%d forks", forks);
}

/* A guarded attach leaves no window for another thread's mmap. */
static void *mapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		volatile unsigned long *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		p[0] = (unsigned long)p;
		sched_yield();
		if (p[0] != (unsigned long)p)
			atomic_fetch_add(&errors, 1);	/* mapped over */
		munmap((void *)p, PG);
	}
	return NULL;
}

TEST_TIMEOUT(guarded_no_window, 120)
{
	struct timespec start;
	pthread_t t[2];
	unsigned long n = 0;
	struct map m;
	int i;

	atomic_store(&stop, 0);
	for (i = 0; i < 2; i++)
		ASSERT(pthread_create(&t[i], NULL, mapper, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (running_for(&start)) {
		unsigned long va = attachg(0, n % 2 ? SHR : MEM, 0, 4 * PG, 2 * PG);

		ASSERT(va != FAILED, "%s", strerror(errno));
		/* "memory" ones lie in an arena, where no mmap can land. */
		if (n % 2)
			EXPECT(mapped_as(va - 2 * PG, va, "---p") &&
			       mapped_as(va + 4 * PG, va + 6 * PG, "---p"), "redzone");
		else
			EXPECT(map_at(va - 2 * PG, &m) && m.start <= va - 2 * PG &&
			       m.end >= va + 6 * PG && m.end - m.start >= (1UL << 30),
			       "not in an arena");
		ASSERT(detach(va) == 0);
		n++;
	}
	atomic_store(&stop, 1);
	for (i = 0; i < 2; i++)
		ASSERT(pthread_join(t[i], NULL) == 0);
	EXPECT(atomic_load(&errors) == 0, "%d mappings clobbered", atomic_load(&errors));
	EXPECT(nsegs() == 0);
}

/* Reading the listing while others change the table. */
static void *lister(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		struct seg *v;

		list_segs(&v);	/* ASSERTs the format and the order */
		free(v);
	}
	return NULL;
}

TEST_TIMEOUT(list_while_changing, 120)
{
	pthread_t l, a;

	atomic_store(&stop, 0);
	ASSERT(pthread_create(&l, NULL, lister, NULL) == 0);
	ASSERT(pthread_create(&a, NULL, attach_detach_loop, (void *)7UL) == 0);
	ASSERT(pthread_join(a, NULL) == 0);
	atomic_store(&stop, 1);
	ASSERT(pthread_join(l, NULL) == 0);
	EXPECT(atomic_load(&errors) == 0);
}

#define MANY 10000

static int by_address(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

TEST_TIMEOUT(ten_thousand_segments, 300)
{
	static unsigned long va[MANY], sorted[MANY];
	unsigned long maps = sysctl_get("vm/max_map_count");
	struct seg *v;
	int i, n;

	/* A mapping each, and room for the program's own: raise it if short. */
	if (maps < MANY + 1000)
		sysctl_set("vm/max_map_count", MANY + 1000);
	for (i = 0; i < MANY; i++) {
		va[i] = attach(i % 7 == 0 ? SEGCTL_ATTR_NONE : 0, i % 5 == 0 ? SHR : MEM, 0, PG);
		ASSERT(va[i] != FAILED, "attach %d: %s", i, strerror(errno));
	}
	EXPECT(param("segments") == MANY, "segments %ld", param("segments"));
	n = list_segs(&v);
	ASSERT(n == MANY, "%d listed", n);
	/* Exactly our bases, ascending (list_segs checked the order). */
	memcpy(sorted, va, sizeof(va));
	qsort(sorted, MANY, sizeof(sorted[0]), by_address);
	for (i = 0; i < MANY; i++)
		if (v[i].base != sorted[i] || v[i].top != sorted[i] + PG)
			break;
	EXPECT(i == MANY, "line %d: %lx-%lx, want %lx", i, v[i].base, v[i].top, sorted[i]);
	free(v);
	for (i = 0; i < MANY; i += 2)
		ASSERT(detach(va[i]) == 0, "detach %d: %s", i, strerror(errno));
	EXPECT(nsegs() == MANY / 2);
	for (i = 0; i < 200; i += 2)
		EXPECT(unmapped(va[i], va[i] + PG), "%d still mapped", i);
	for (i = 1; i < MANY; i += 2) {
		if (i % 7 != 0)
			((volatile char *)va[i])[0] = 1;
		ASSERT(detach(va[i]) == 0, "detach %d: %s", i, strerror(errno));
	}
	EXPECT(nsegs() == 0 && param("segments") == 0);
	if (sysctl_get("vm/max_map_count") != maps)
		sysctl_set("vm/max_map_count", maps);
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
