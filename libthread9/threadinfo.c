// SPDX-License-Identifier: MIT
/* What a thread knows about itself: id, group, name, data, stack. */
#include <stdio.h>
#include <stdlib.h>

#include "threadimpl.h"

int
threadid(void)
{
	return _t9threadneed("threadid")->id;
}

/* The kernel task id of the proc running thread id (0: the caller's). */
int
threadpid(int id)
{
	Thread *t;
	int pid;

	if(id == 0)
		return _t9threadneed("threadpid")->proc->pid;
	pid = -1;
	_t9lock(&_t9procslock);
	t = _t9threadfind(id);
	if(t != nil){
		pid = t->proc->pid;
		_t9unlock(&t->proc->lock);
	}
	_t9unlock(&_t9procslock);
	return pid;
}

int
threadgetgrp(void)
{
	return _t9threadneed("threadgetgrp")->grp;
}

/* The group is read by threadkillgrp and the like under Proc.lock. */
int
threadsetgrp(int grp)
{
	Thread *t;
	int old;

	t = _t9threadneed("threadsetgrp");
	_t9lock(&t->proc->lock);
	old = t->grp;
	t->grp = grp;
	_t9unlock(&t->proc->lock);
	return old;
}

char *
threadgetname(void)
{
	return _t9threadneed("threadgetname")->name;
}

void
threadsetname(char *fmt, ...)
{
	Thread *t;
	va_list arg;
	char *s;

	t = _t9threadneed("threadsetname");
	va_start(arg, fmt);
	if(vasprintf(&s, fmt, arg) < 0)
		_t9fatal("threadsetname: out of memory");
	va_end(arg);
	free(t->name);
	t->name = s;
}

void **
threaddata(void)
{
	return &_t9threadneed("threaddata")->udata;
}

/*
 * Die now, with a clear message, rather than overflow later.  Weak, as
 * plan9port's lib9 has a needstack too (one that does nothing).
 */
__attribute__((weak)) void
needstack(int n)
{
	Thread *t;
	char *sp;

	t = _t9threadneed("needstack");
	sp = (char *)&sp;
	if(n < 0 || sp - t->stk < (long)n + 256){
		fprintf(stderr, "%s: thread %d: needstack %d: %ld bytes left\n",
			argv0 ? argv0 : "libthread9", t->id, n, (long)(sp - t->stk));
		abort();
	}
}
