// SPDX-License-Identifier: MIT
/*
 * threadnotify: Plan 9 notes are Linux signals here.  The handlers (at
 * most Nnotify, for the whole process) are called in turn, in the task
 * the signal came to and on its alternate signal stack, with the
 * ucontext_t* as ureg and the note's Plan 9 name; the first to return
 * non-zero has handled it.  If none does, the signal's default action
 * happens, as Plan 9 kills a process whose note nobody takes.
 *
 *	SIGHUP  "hangup"	SIGINT  "interrupt"	SIGQUIT "quit"
 *	SIGALRM "alarm"		SIGTERM "term"		SIGPIPE "sys: write on closed pipe"
 *	SIGUSR1 "usr1"		SIGUSR2 "usr2"
 *
 * The handlers are installed with the first threadnotify; until then the
 * signals keep whatever action they had.
 */
#include <signal.h>
#include <string.h>

#include "threadimpl.h"

enum { Nnotify = 33 };

static const struct {
	int	sig;
	char	*note;
} notes[] = {
	{ SIGHUP, "hangup" },
	{ SIGINT, "interrupt" },
	{ SIGQUIT, "quit" },
	{ SIGALRM, "alarm" },
	{ SIGTERM, "term" },
	{ SIGPIPE, "sys: write on closed pipe" },
	{ SIGUSR1, "usr1" },
	{ SIGUSR2, "usr2" },
};

static int	(*handlers[Nnotify])(void *, char *);
static Lock	notelock;
static int	installed;

static void
onnote(int sig, siginfo_t *si, void *uc)
{
	int (*f)(void *, char *);
	struct sigaction dfl;
	char note[64];
	size_t i;

	(void)si;
	note[0] = '\0';
	for(i = 0; i < sizeof notes / sizeof notes[0]; i++)
		if(notes[i].sig == sig)
			strcpy(note, notes[i].note);	/* the handler may write it */
	for(i = 0; i < Nnotify; i++){
		f = __atomic_load_n(&handlers[i], __ATOMIC_ACQUIRE);
		if(f != nil && f(uc, note))
			return;
	}
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, nil);
	raise(sig);	/* blocked until we return, then the default action */
}

static void
install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = onnote;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for(i = 0; i < sizeof notes / sizeof notes[0]; i++)
		sigaction(notes[i].sig, &sa, nil);
}

/* in != 0 adds f, in == 0 removes it; 1 on success, 0 if full or absent. */
int
threadnotify(int (*f)(void *, char *), int in)
{
	int i, ok;

	ok = 0;
	_t9lock(&notelock);
	for(i = 0; i < Nnotify; i++){
		if(in && handlers[i] == nil){
			__atomic_store_n(&handlers[i], f, __ATOMIC_RELEASE);
			ok = 1;
			break;
		}
		if(!in && handlers[i] == f){
			__atomic_store_n(&handlers[i], nil, __ATOMIC_RELEASE);
			ok = 1;
			break;
		}
	}
	if(ok && in && !installed){
		install();
		installed = 1;
	}
	_t9unlock(&notelock);
	return ok;
}
