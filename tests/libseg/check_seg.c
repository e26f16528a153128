// SPDX-License-Identifier: MIT
/*
 * check_seg [--backend=user|kernel]: libseg's tests on the backend named
 * (user by default, so a host without the module tests the emulation).
 * The run fails if libseg serves the calls with any other backend.
 *
 * check_seg --probe: print which backend this process got, for the
 * backend-choice tests, which run it with different SEGCTL_BACKEND.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check_seg.h"
#include "maps.h"

int wantbackend = SEG_BACKEND_USER;

#ifdef __SANITIZE_ADDRESS__
/* Let redzone faults kill the child as they would without ASan. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "handle_segv=0:allow_user_segv_handler=1";
}
#endif

int
mapped(uintptr_t lo, uintptr_t hi)
{
	int r = maps_overlap(lo, hi, NULL);

	ck_assert_msg(r >= 0, "/proc/self/maps: %s", strerror(errno));
	return r;
}

int
vmaof(uintptr_t a, uintptr_t *lo, uintptr_t *hi, char perms[5])
{
	struct map m;
	int r = maps_overlap(a, a + 1, &m);

	ck_assert_msg(r >= 0, "/proc/self/maps: %s", strerror(errno));
	if (r) {
		*lo = m.start;
		*hi = m.end;
		memcpy(perms, m.perms, 5);
	}
	return r;
}

/*
 * [a, a+len) lies in one VMA that is locked (VmFlags "lo") and has every
 * page present (Rss).  smaps' "Locked:" is not used: it is proportional
 * for shared pages.
 */
int
locked(uintptr_t a, uintptr_t len)
{
	char line[512];
	uintptr_t l, h;
	long rss;
	int in, lo;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	ck_assert_ptr_nonnull(f);
	in = 0;
	rss = -1;
	lo = 0;
	l = h = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (!in) {
			if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &l, &h) == 2 &&
			    strchr(line, '-') < strchr(line, ' ') && l <= a && a < h)
				in = 1;
			continue;
		}
		if (sscanf(line, "Rss: %ld kB", &rss) == 1)
			continue;
		if (strncmp(line, "VmFlags:", 8) == 0) {
			lo = strstr(line, " lo") != NULL;
			break;
		}
	}
	fclose(f);
	return in && lo && a + len <= h && rss * 1024 == (long)(h - l);
}

int
resident(uintptr_t p, uintptr_t len)
{
	unsigned char vec[4096];
	uintptr_t i, n;

	n = len / PG;
	ck_assert_uint_le(n, sizeof vec);
	if (mincore((void *)p, len, vec) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!(vec[i] & 1))
			return 0;
	return 1;
}

int
allzero(uintptr_t p, uintptr_t len)
{
	const volatile char *c = (const volatile char *)p;
	uintptr_t i;

	for (i = 0; i < len; i++)
		if (c[i] != 0)
			return 0;
	return 1;
}

uintptr_t
freeaddr(uintptr_t len)
{
	void *p;

	p = mmap(NULL, len + 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	munmap(p, len + 2 * PG);
	return ADDR(p) + PG;
}

void
rd(uintptr_t p)
{
	(void)*(volatile char *)p;
}

void
wr(uintptr_t p)
{
	*(volatile char *)p = 1;
}

int
diesig(void (*f)(uintptr_t), uintptr_t p)
{
	int status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		f(p);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/*
 * Nothing of a detached guarded segment is left: its range is unmapped,
 * or (in an arena) every page of it faults on a read and a write.
 */
int
gone(uintptr_t lo, uintptr_t hi)
{
	uintptr_t a;

	if (!mapped(lo, hi))
		return 1;
	for (a = lo; a < hi; a += PG)
		if (diesig(rd, a) != SIGSEGV || diesig(wr, a + PG - 1) != SIGSEGV)
			return 0;
	return 1;
}

void
inchild(int (*f)(void *), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(f(arg));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "child died of signal %d", WTERMSIG(status));
	ck_assert_msg(WEXITSTATUS(status) == 0, "child check %d failed", WEXITSTATUS(status));
}

char *
listing(void)
{
	char *buf, why[256];
	struct seg *v;
	off_t n;
	int fd;

	fd = memfd_create("seglist", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(seglist(fd) == 0, "seglist: %s", segerrstr());
	n = lseek(fd, 0, SEEK_END);
	buf = malloc(n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, n, 0), n);
	buf[n] = 0;
	close(fd);
	/* Every line in the §1.7 format, ascending, in user space. */
	ck_assert_msg(segs_parse(buf, 0x7ffffffff000UL, &v, why, sizeof why) >= 0,
		      "listing: %s in\n%s", why, buf);
	free(v);
	return buf;
}

int
nlines(const char *l)
{
	int n;

	for (n = 0; *l != 0; l++)
		n += *l == '\n';
	return n;
}

static int
haslinein(const char *l, const char *want)
{
	const char *at;

	for (at = l; (at = strstr(at, want)) != NULL; at++)
		if (at == l || at[-1] == '\n')
			return 1;
	return 0;
}

int
islisted(const char *cls, const char *flags, uintptr_t base, uintptr_t top, int ref)
{
	char want[128], *l;
	int r;

	seg_format(want, sizeof want, cls, flags, base, top, ref);
	l = listing();
	r = haslinein(l, want);
	free(l);
	return r;
}

void
ck_listed(const char *cls, const char *flags, uintptr_t base, uintptr_t top, int ref)
{
	char want[128], *l;

	seg_format(want, sizeof want, cls, flags, base, top, ref);
	l = listing();
	ck_assert_msg(haslinein(l, want), "want line\n%sin\n%s", want, l);
	free(l);
}

void
ck_unlisted(uintptr_t base)
{
	char want[32], *l;

	snprintf(want, sizeof want, " %12lx ", (unsigned long)base);
	l = listing();
	ck_assert_msg(strstr(l, want) == NULL, "%lx still listed in\n%s", (unsigned long)base, l);
	free(l);
}

/* Backend choice: run ourselves with SEGCTL_BACKEND set, read the answer. */
static void
probe(const char *env, char *out, int nout)
{
	int p[2], status, n;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(p[1], 1);
		if (env != NULL)
			setenv("SEGCTL_BACKEND", env, 1);
		else
			unsetenv("SEGCTL_BACKEND");
		execl("/proc/self/exe", "check_seg", "--probe", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], out, nout - 1);
	out[n > 0 ? n : 0] = 0;
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int
doprobe(void)
{
	void *p;
	int e;

	p = segattach(0, "memory", 0, PG);
	e = errno;
	printf("%d %s %d %d %s", segbackend(), segbackendname(), p == FAILED, p == FAILED ? e : 0,
	       p == FAILED ? segerrstr() : "");
	return 0;
}

START_TEST(backend_is_wanted)
{
	ck_assert_msg(segbackend() == wantbackend, "backend %s: %s", segbackendname(), segerrstr());
	ck_assert_str_eq(segbackendname(), wantbackend == SEG_BACKEND_KERNEL ? "kernel" : "user");
}
END_TEST

START_TEST(backend_forced)
{
	char out[512], want[512];
	int kernel;

	probe("user", out, sizeof out);
	ck_assert_str_eq(out, "1 user 0 0 ");

	kernel = access("/dev/segctl", F_OK) == 0;
	probe("kernel", out, sizeof out);
	if (kernel) {
		ck_assert_str_eq(out, "0 kernel 0 0 ");
	} else {
		/* Forced and absent: every call fails, no silent fallback. */
		snprintf(want, sizeof want,
			 "-1 none 1 %d segctl: /dev/segctl: No such file or directory (SEGCTL_BACKEND=kernel)",
			 ENODEV);
		ck_assert_str_eq(out, want);
	}

	probe(NULL, out, sizeof out);
	ck_assert_str_eq(out, kernel ? "0 kernel 0 0 " : "1 user 0 0 ");

	probe("plan9", out, sizeof out);
	snprintf(want, sizeof want, "-1 none 1 %d segctl: SEGCTL_BACKEND=plan9: not kernel or user", ENODEV);
	ck_assert_str_eq(out, want);
}
END_TEST

static void *
errthread(void *arg)
{
	(void)arg;
	if (segattach(0, NULL, 0, PG) != FAILED)
		return (void *)1;
	return (void *)(intptr_t)(strcmp(segerrstr(), EBADARG) != 0);
}

/* segerrstr is the calling thread's last error. */
START_TEST(errstr_per_thread)
{
	pthread_t t;
	void *rv;

	ck_fails(segattach(0, "bogus", 0, PG), FAILED, EINVAL, ENOCLASS);
	ck_assert_int_eq(pthread_create(&t, NULL, errthread, NULL), 0);
	ck_assert_int_eq(pthread_join(t, &rv), 0);
	ck_assert_ptr_null(rv);
	ck_assert_str_eq(segerrstr(), ENOCLASS);
}
END_TEST

static TCase *
tc_backend(void)
{
	TCase *tc;

	tc = tcase_create("backend");
	tcase_add_test(tc, backend_is_wanted);
	tcase_add_test(tc, backend_forced);
	tcase_add_test(tc, errstr_per_thread);
	return tc;
}

int
main(int argc, char **argv)
{
	TCase *(*tcs[])(void) = {
		tc_backend, tc_attach, tc_attrs, tc_badargs, tc_commit, tc_guarded,
		tc_detach, tc_free, tc_brk, tc_flush, tc_list, tc_fork, tc_tasks, tc_many,
		tc_arena, tc_batch,
	};
	const char *b;
	SRunner *sr;
	Suite *s;
	size_t i;
	int nfail;

	b = "user";
	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--probe") == 0)
			return doprobe();
		if (strncmp(argv[i], "--backend=", 10) == 0) {
			b = argv[i] + 10;
		} else {
			fprintf(stderr, "usage: check_seg [--backend=user|kernel]\n");
			return 2;
		}
	}
	if (strcmp(b, "kernel") == 0)
		wantbackend = SEG_BACKEND_KERNEL;
	else if (strcmp(b, "user") == 0)
		wantbackend = SEG_BACKEND_USER;
	else {
		fprintf(stderr, "check_seg: backend %s: not kernel or user\n", b);
		return 2;
	}
	setenv("SEGCTL_BACKEND", b, 1);
	if (segbackend() != wantbackend)
		fprintf(stderr, "check_seg: wanted the %s backend, got %s: %s\n", b,
			segbackendname(), segerrstr());
	fprintf(stderr, "check_seg: %s backend\n", segbackendname());

	s = suite_create("libseg");
	for (i = 0; i < sizeof tcs / sizeof tcs[0]; i++)
		suite_add_tcase(s, tcs[i]());
	sr = srunner_create(s);
	/* Tests change limits and capabilities: each runs in its own process. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
