// SPDX-License-Identifier: MIT
/*
 * procexec and the wait channel.  Linux has no rfork to exec from, so the
 * program is started with posix_spawn (a vfork-like clone that reports an
 * exec failure); file is looked up in $PATH when it has no '/'.  The
 * calling proc, which must hold no other thread, then waits for the child,
 * sends its Waitmsg on threadwaitchan (if anyone has asked for it) and
 * ends, as Plan 9's procexec turns the proc into the program.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "threadimpl.h"

extern char **environ;

static Lock	waitlock;
static Channel	*waitchan;

/* Of Waitmsg*, each freed by its receiver; made on first call. */
Channel *
threadwaitchan(void)
{
	_t9lock(&waitlock);
	if(waitchan == nil)
		waitchan = chancreate(sizeof(Waitmsg *), 16);
	_t9unlock(&waitlock);
	return waitchan;
}

static unsigned long
ms(struct timeval tv)
{
	return (unsigned long)tv.tv_sec * 1000 + (unsigned long)tv.tv_usec / 1000;
}

/* One allocation: the message follows the Waitmsg, so free(w) frees all. */
static Waitmsg *
waitmsg(int pid, int status, struct rusage *ru, unsigned long real)
{
	char msg[128];
	Waitmsg *w;

	if(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		msg[0] = '\0';
	else if(WIFEXITED(status))
		snprintf(msg, sizeof msg, "exit %d", WEXITSTATUS(status));
	else
		snprintf(msg, sizeof msg, "signal %d%s", WTERMSIG(status),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	w = malloc(sizeof *w + strlen(msg) + 1);
	if(w == nil)
		_t9fatal("procexec: out of memory");
	w->pid = pid;
	w->time[0] = ms(ru->ru_utime);
	w->time[1] = ms(ru->ru_stime);
	w->time[2] = real;
	w->msg = (char *)(w + 1);
	strcpy(w->msg, msg);
	return w;
}

unsigned long
_t9nowms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000 + (unsigned long)ts.tv_nsec / 1000000;
}

/* Start file; tell cpid the pid, or ~0.  -1 with errno on failure. */
static pid_t
spawn(Channel *cpid, char *file, char *args[], const char *who)
{
	Thread *t;
	pid_t pid;
	int e;

	t = _t9threadneed(who);
	if(t->proc->nthreads != 1)
		_t9fatal("%s: the proc has %d threads, not 1", who, t->proc->nthreads);
	if(strchr(file, '/') != nil)
		e = posix_spawn(&pid, file, nil, nil, args, environ);
	else
		e = posix_spawnp(&pid, file, nil, nil, args, environ);
	if(e != 0){
		if(cpid != nil)
			sendul(cpid, ~0UL);
		errno = e;
		return -1;
	}
	if(cpid != nil)
		sendul(cpid, (unsigned long)pid);
	return pid;
}

/* Become the child's waiter: its Waitmsg goes on the wait channel. */
_Noreturn void
_t9waitfor(int pid, unsigned long t0)
{
	struct rusage ru;
	Channel *wc;
	Waitmsg *w;
	int status;

	while(wait4(pid, &status, 0, &ru) < 0)
		if(errno != EINTR)
			threadexits("procexec: wait4 failed");
	w = waitmsg(pid, status, &ru, _t9nowms() - t0);
	_t9lock(&waitlock);
	wc = waitchan;
	_t9unlock(&waitlock);
	if(wc == nil || sendp(wc, w) != 1)
		free(w);
	threadexits(nil);
}

void
procexec(Channel *cpid, char *file, char *args[])
{
	unsigned long t0;
	pid_t pid;

	t0 = _t9nowms();
	pid = spawn(cpid, file, args, "procexec");
	if(pid >= 0)
		_t9waitfor(pid, t0);
}

void
procexecl(Channel *cpid, char *file, ...)
{
	unsigned long t0;
	va_list arg;
	char **args;
	pid_t pid;
	int n;

	t0 = _t9nowms();
	va_start(arg, file);
	for(n = 0; va_arg(arg, char *) != nil; n++)
		;
	va_end(arg);
	args = malloc((n + 1) * sizeof args[0]);
	if(args == nil)
		_t9fatal("procexecl: out of memory");
	va_start(arg, file);
	for(n = 0; (args[n] = va_arg(arg, char *)) != nil; n++)
		;
	va_end(arg);
	pid = spawn(cpid, file, args, "procexecl");
	free(args);
	if(pid >= 0)
		_t9waitfor(pid, t0);
}
