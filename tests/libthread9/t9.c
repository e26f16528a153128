// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "maps.h"
#include "t9.h"

/*
 * A t9child ends its threads however it likes, leaving the Check runner's
 * memory referenced only from dead stacks: no leak check in there.
 */
static int	inchild;

int	__lsan_is_turned_off(void);

int
__lsan_is_turned_off(void)
{
	return inchild;
}

void
t9child(struct Child *c, void (*fn)(void *), void *arg)
{
	int fd[2];
	size_t n;
	ssize_t r;
	pid_t pid;

	memset(c, 0, sizeof *c);
	ck_assert_int_eq(pipe(fd), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if(pid == 0){
		inchild = 1;
		close(fd[0]);
		dup2(fd[1], 2);
		close(fd[1]);
		fn(arg);
		exit(0);
	}
	close(fd[1]);
	n = 0;
	while(n < sizeof c->err - 1){
		r = read(fd[0], c->err + n, sizeof c->err - 1 - n);
		if(r < 0 && errno == EINTR)
			continue;
		if(r <= 0)
			break;
		n += r;
	}
	close(fd[0]);
	while(waitpid(pid, &c->status, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
}

int
t9exited(struct Child *c, int code)
{
	return WIFEXITED(c->status) && WEXITSTATUS(c->status) == code;
}

int
t9signalled(struct Child *c, int sig)
{
	return WIFSIGNALED(c->status) && WTERMSIG(c->status) == sig;
}

int
t9waitfor(volatile int *flag, int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while(!__atomic_load_n(flag, __ATOMIC_ACQUIRE)){
		yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
		if((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > ms)
			return 0;
		usleep(100);
	}
	return 1;
}

/* Global, so LeakSanitizer finds it from a forked child whose thread died. */
static SRunner	*sr;

int
t9run(Suite *s)
{
	int nf;

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf;
}

/* CPU ticks a task has used, and its state letter, from /proc. */
static long
cputicks(int tid, char *state)
{
	char path[64], buf[1024], *s;
	unsigned long ut, st;
	FILE *f;

	snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof buf, f));
	fclose(f);
	s = strrchr(buf, ')');
	ck_assert_int_eq(sscanf(s, ") %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				state, &ut, &st), 3);
	return ut + st;
}

/*
 * Task tid sleeps in the kernel: asleep, and at most a tick of CPU in 300 ms.
 * An idle proc spins for at most 100 us before it sleeps (libthread9/sched.c,
 * Spinmax); 20 ms is far past that, even under TCG.
 */
void
t9assertidle(int tid)
{
	long t0, t1;
	char state;

	usleep(20000);
	t0 = cputicks(tid, &state);
	usleep(300000);
	t1 = cputicks(tid, &state);
	ck_assert_msg(state == 'S', "state %c", state);
	ck_assert_msg(t1 - t0 <= 1, "%ld ticks of CPU while idle", t1 - t0);
}

/*
 * The permissions ("rwxp") of the /proc/self/maps line that holds addr,
 * read by the tests' one maps parser; fails the test if no line does.
 */
void
t9mapperms(const void *addr, char perms[5])
{
	struct map m;
	unsigned long a;

	a = (uintptr_t)addr;
	ck_assert_msg(maps_overlap(a, a + 1, &m) == 1, "%p is in no mapping", addr);
	memcpy(perms, m.perms, 5);
}
