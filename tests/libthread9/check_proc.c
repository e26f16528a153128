// SPDX-License-Identifier: MIT
/* Procs: tasks, pids, procdata, idle sleep, rfork flags, procexec, notes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t9.h"

struct Where {
	int	tid;
	int	pid0;
	void	**pd;
	int	done;
	Channel	*c;
};

static void
where(void *arg)
{
	struct Where *w;

	w = arg;
	w->tid = gettid();
	w->pid0 = threadpid(0);
	w->pd = procdata();
	*procdata() = w;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	if(w->c != nil)
		recvul(w->c);	/* stay, idle */
}

START_TEST(proc_is_a_task)
{
	struct Where w = { 0 };
	int id;

	*procdata() = &id;
	id = proccreate(where, &w, 16384);
	ck_assert(t9waitfor(&w.done, 10000));
	ck_assert_int_ne(w.tid, gettid());
	ck_assert_int_eq(w.pid0, w.tid);
	ck_assert_int_eq(threadpid(0), gettid());
	ck_assert_int_eq(threadpid(threadid()), gettid());
	ck_assert_ptr_ne(w.pd, procdata());	/* one slot per proc */
	ck_assert_ptr_eq(*procdata(), &id);
	ck_assert_int_eq(threadpid(1 << 30), -1);
}
END_TEST

/* An idle proc sleeps in the kernel, and wakes when its thread is readied. */
START_TEST(idle_sleeps)
{
	struct Where w = { 0 };

	w.c = chancreate(sizeof(unsigned long), 0);
	proccreate(where, &w, 16384);
	ck_assert(t9waitfor(&w.done, 10000));
	t9assertidle(w.tid);
	ck_assert_int_eq(sendul(w.c, 1), 1);	/* it takes it: it woke */
	chanfree(w.c);
}
END_TEST

struct Fd {
	int	fd;
	int	r;
	int	done;
};

static void
closefd(void *arg)
{
	struct Fd *f;

	f = arg;
	f->r = close(f->fd);
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
}

static void
nop(void *arg)
{
	(void)arg;
}

START_TEST(rfork_flags)
{
	struct Fd f = { 0 };

	f.fd = dup(1);
	ck_assert_int_gt(procrfork(closefd, &f, 16384, RFFDG), 0);
	ck_assert(t9waitfor(&f.done, 10000));
	ck_assert_int_eq(f.r, 0);
	ck_assert_int_ne(fcntl(f.fd, F_GETFD), -1);	/* ours is still open */

	memset(&f, 0, sizeof f);
	f.fd = dup(1);
	ck_assert_int_gt(procrfork(closefd, &f, 16384, RFPROC | RFMEM | RFNOWAIT | RFNOTEG), 0);
	ck_assert(t9waitfor(&f.done, 10000));
	ck_assert_int_eq(f.r, 0);
	ck_assert_int_eq(fcntl(f.fd, F_GETFD), -1);	/* shared table: closed */

	errno = 0;
	ck_assert_int_eq(procrfork(nop, nil, 16384, RFENVG), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(procrfork(nop, nil, 16384, RFREND), -1);
	ck_assert_int_eq(procrfork(nop, nil, 16384, 1 << 20), -1);
}
END_TEST

struct Exec {
	Channel	*cpid;
	char	**args;
};

static void
execerl(void *arg)
{
	procexecl(arg, "/bin/sh", "sh", "-c", "kill -9 $$", nil);
}

static void
execer(void *arg)
{
	struct Exec *e;

	e = arg;
	procexec(e->cpid, e->args[0], e->args);
	/* only on failure */
}

static char *
run(char **args, int *pid)
{
	struct Exec e;
	Channel *wc;
	Waitmsg *w;
	char *msg;

	wc = threadwaitchan();
	e.cpid = chancreate(sizeof(unsigned long), 0);
	e.args = args;
	proccreate(execer, &e, 65536);
	*pid = (int)recvul(e.cpid);
	chanfree(e.cpid);
	if(*pid == -1)
		return nil;
	w = recvp(wc);
	ck_assert_int_eq(w->pid, *pid);
	msg = strdup(w->msg);
	free(w);
	return msg;
}

START_TEST(exec_and_wait)
{
	char *ok[] = { "/bin/true", nil };
	char *three[] = { "/bin/sh", "-c", "exit 3", nil };
	char *none[] = { "/nonexistent/program", nil };
	char *msg;
	int pid;

	msg = run(ok, &pid);
	ck_assert_int_gt(pid, 0);
	ck_assert_str_eq(msg, "");
	free(msg);
	msg = run(three, &pid);
	ck_assert_int_gt(pid, 0);
	ck_assert_str_eq(msg, "exit 3");
	free(msg);
	msg = run(none, &pid);
	ck_assert_int_eq(pid, -1);
	ck_assert_ptr_null(msg);
}
END_TEST

START_TEST(execl_killed)
{
	Channel *cpid, *wc;
	Waitmsg *w;
	int pid;

	wc = threadwaitchan();		/* before: only then is the Waitmsg sent */
	cpid = chancreate(sizeof(unsigned long), 0);
	proccreate(execerl, cpid, 65536);
	pid = (int)recvul(cpid);
	ck_assert_int_gt(pid, 0);
	w = recvp(wc);
	ck_assert_int_eq(w->pid, pid);
	ck_assert_str_eq(w->msg, "signal 9");
	free(w);
	chanfree(cpid);
}
END_TEST

static char	lastnote[64];

static int
onhangup(void *ureg, char *note)
{
	(void)ureg;
	if(strcmp(note, "hangup") != 0)
		return 0;
	strcpy(lastnote, note);
	return 1;
}

START_TEST(notify)
{
	ck_assert_int_eq(threadnotify(onhangup, 1), 1);
	raise(SIGHUP);
	ck_assert_str_eq(lastnote, "hangup");	/* and we are still here */
	ck_assert_int_eq(threadnotify(onhangup, 0), 1);
	ck_assert_int_eq(threadnotify(onhangup, 0), 0);	/* not there any more */
}
END_TEST

static void
unhandled(void *arg)
{
	(void)arg;
	threadnotify(onhangup, 1);
	raise(SIGINT);		/* nobody takes "interrupt": default action */
}

START_TEST(notify_unhandled)
{
	struct Child c;

	t9child(&c, unhandled, nil);
	ck_assert_msg(t9signalled(&c, SIGINT), "status %#x", c.status);
}
END_TEST

T9SUITE("proc")
{
	T9CASE(s, "proc", 60, proc_is_a_task, idle_sleeps, rfork_flags, exec_and_wait, execl_killed,
	       notify, notify_unhandled);
}
