// SPDX-License-Identifier: MIT
/*
 * main: the program's threadmain becomes the first thread of the first
 * proc (this kernel task), on a guarded stack of mainstacksize bytes; the
 * scheduler runs on the process's own stack.  Alone in its object, so that
 * a program with its own main (one that uses only lock(2), say) does not
 * get this one from libthread9.a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "threadimpl.h"

/*
 * The program defines threadmain.  Weak, so that the shared library links
 * (-Wl,--no-undefined) before any program exists; the executable's
 * definition is the one found at run time.
 */
#pragma weak threadmain

/* A program sets its own with `int mainstacksize = N;`. */
__attribute__((weak)) int mainstacksize = 64 * 1024;

static int	mainargc;
static char	**mainargv;

static void
mainlauncher(void *v)
{
	(void)v;
	if(threadmain == nil)
		_t9fatal("the program defines no threadmain");
	threadmain(mainargc, mainargv);
}

/* A forked child is one proc, this task's, with a new pid. */
static void
forked(void)
{
	if(_t9threadprocp != nil)
		_t9threadprocp->pid = gettid();
}

void
_t9main(int argc, char **argv)
{
	static Proc proc0;
	Proc *p;

	argv0 = argv[0];
	_t9daemonsetup();
	_t9lib9init();
	mainargc = argc;
	mainargv = argv;

	p = &proc0;
	_t9procinit(p);
	p->ismain = 1;
	p->pid = getpid();
	_t9threadprocp = p;
	pthread_atfork(nil, nil, forked);
	_t9overflowinit();
	_t9sigstackinit(p);
	_t9proclink(p);

	if(mainstacksize <= 0)
		_t9fatal("threadmain: mainstacksize %d", mainstacksize);
	_t9threadmake(p, mainlauncher, nil, (unsigned int)mainstacksize, 0, "threadmain");

	_t9schedloop(p);
	_t9procexit(p);
	/* Other procs run on; the last one's exit() ends the process. */
	threaddaemonize();
	for(;;)
		pause();
}

/*
 * plan9port's conventions: its libc.h renames a program's main to p9main,
 * and lib9's main calls p9main.  So a threaded program's p9main is this
 * library's start (weak: a program's own wins), and main, weak so that
 * lib9's may be the one linked, runs the program's p9main as lib9's would
 * when there is no threadmain (returning from it is exits("main")).
 */
#pragma weak p9main = _t9main

__attribute__((weak)) int
main(int argc, char **argv)
{
	if(threadmain == nil && p9main != _t9main){
		p9main(argc, argv);
		threadexitsall("main");
	}
	_t9main(argc, argv);
}
