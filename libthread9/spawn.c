// SPDX-License-Identifier: MIT
/*
 * threadspawn and threadexec, as plan9port has them: start a program with
 * fd[0..2] as its standard input, output and error, from any thread, the
 * calling proc going on (procexec instead turns the proc into the
 * program).  posix_spawn does the fork and exec and reports an exec
 * failure; the child gets only descriptors 0-2, and, when none of them is
 * a terminal, a process group of its own (as plan9port's RFNOTEG), so
 * that the terminal's interrupts reach the program alone.  The caller's
 * fd[0..2] are closed once the child runs; a proc of its own waits for the
 * child and sends its Waitmsg on threadwaitchan, if anyone asked for it.
 */
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "threadimpl.h"

extern char **environ;

typedef struct Child {
	int		pid;
	unsigned long	t0;
} Child;

static void
waiter(void *v)
{
	Child c;

	c = *(Child *)v;
	free(v);
	_t9waitfor(c.pid, c.t0);
}

/* 0, or the error number. */
static int
start(pid_t *pid, int fd[3], char *file, char *args[], char *dir)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int e, i, tty;

	if(posix_spawn_file_actions_init(&fa) != 0)
		return ENOMEM;
	if(posix_spawnattr_init(&attr) != 0){
		posix_spawn_file_actions_destroy(&fa);
		return ENOMEM;
	}
	e = 0;
	tty = 0;
	for(i = 0; i < 3 && e == 0; i++){
		e = posix_spawn_file_actions_adddup2(&fa, fd[i], i);
		tty |= isatty(fd[i]);
	}
	if(e == 0)
		e = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if(e == 0 && dir != nil)
		e = posix_spawn_file_actions_addchdir_np(&fa, dir);
	if(e == 0 && !tty)
		e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	if(e == 0){
		if(strchr(file, '/') != nil)
			e = posix_spawn(pid, file, &fa, &attr, args, environ);
		else
			e = posix_spawnp(pid, file, &fa, &attr, args, environ);
	}
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return e;
}

int
threadspawnd(int fd[3], char *file, char *args[], char *dir)
{
	unsigned long t0;
	Child *c;
	pid_t pid;
	int e;

	_t9threadneed("threadspawn");
	if(fd == nil || file == nil || args == nil){
		errno = EFAULT;
		return -1;
	}
	c = malloc(sizeof *c);
	if(c == nil){
		errno = ENOMEM;
		return -1;
	}
	t0 = _t9nowms();
	e = start(&pid, fd, file, args, dir);
	if(e != 0){
		free(c);
		errno = e;
		return -1;
	}
	close(fd[0]);
	if(fd[1] != fd[0])
		close(fd[1]);
	if(fd[2] != fd[1] && fd[2] != fd[0])
		close(fd[2]);
	c->pid = pid;
	c->t0 = t0;
	proccreate(waiter, c, Stackfloor);
	return pid;
}

int
threadspawn(int fd[3], char *file, char *args[])
{
	return threadspawnd(fd, file, args, nil);
}

/* The nil-ended arguments, as an array; nil if out of memory. */
static char **
arglist(va_list arg)
{
	va_list count;
	char **args;
	int n;

	va_copy(count, arg);
	for(n = 0; va_arg(count, char *) != nil; n++)
		;
	va_end(count);
	args = malloc((n + 1) * sizeof args[0]);
	if(args == nil)
		return nil;
	for(n = 0; (args[n] = va_arg(arg, char *)) != nil; n++)
		;
	return args;
}

/* threadspawn of the nil-ended arguments in arg. */
static int
spawnv(int fd[3], char *file, va_list arg)
{
	char **args;
	int pid;

	args = arglist(arg);
	if(args == nil){
		errno = ENOMEM;
		return -1;
	}
	pid = threadspawn(fd, file, args);
	free(args);
	return pid;
}

int
threadspawnl(int fd[3], char *file, ...)
{
	va_list arg;
	int pid;

	va_start(arg, file);
	pid = spawnv(fd, file, arg);
	va_end(arg);
	return pid;
}

/* threadexec's end: tell cpid, and end the thread if the program runs. */
static void
execed(Channel *cpid, int pid)
{
	if(cpid != nil)
		sendul(cpid, pid < 0 ? ~0UL : (unsigned long)pid);
	if(pid >= 0)
		threadexits(nil);
}

void
threadexec(Channel *cpid, int fd[3], char *file, char *args[])
{
	execed(cpid, threadspawn(fd, file, args));
}

void
threadexecl(Channel *cpid, int fd[3], char *file, ...)
{
	va_list arg;
	int pid;

	va_start(arg, file);
	pid = spawnv(fd, file, arg);
	va_end(arg);
	execed(cpid, pid);
}
