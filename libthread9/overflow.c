// SPDX-License-Identifier: MIT
/*
 * Stack overflow report.  A thread that runs off its stack touches a
 * redzone and takes SIGSEGV; the handler runs on the proc's alternate
 * signal stack (the thread's own stack is what just ran out), says which
 * thread overflowed, where, and its stack's bounds, then puts SIGSEGV back
 * to its default action and returns: the faulting instruction runs again
 * and the process dies of SIGSEGV, core dump and all, as without us.
 * Faults that are not a redzone hit go to whatever handler was there
 * before (the default, or a sanitizer's).
 *
 * A redzone that is a PROT_NONE mapping faults with SEGV_ACCERR; one made
 * of guard markers (the user backend on Linux 6.13+) or in the module's
 * stack arena (doc/arenas.md) with SEGV_MAPERR.  Either is an overflow,
 * and the report says which.
 *
 * Only async-signal-safe calls here: write(2), no stdio.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "threadimpl.h"

static struct sigaction oldsegv;

struct Buf {
	char	s[512];
	size_t	n;
};

static void
puts_(struct Buf *b, const char *s)
{
	while(*s && b->n < sizeof b->s - 1)
		b->s[b->n++] = *s++;
}

static void
putnum(struct Buf *b, unsigned long v, int base)
{
	char d[24];
	int i;

	i = sizeof d;
	d[--i] = '\0';
	do
		d[--i] = "0123456789abcdef"[v % base];
	while((v /= base) != 0);
	if(base == 16)
		puts_(b, "0x");
	puts_(b, d + i);
}

static void
report(Thread *t, char *addr, int code)
{
	struct Buf b;

	b.n = 0;
	puts_(&b, argv0 ? argv0 : "libthread9");
	puts_(&b, ": thread ");
	putnum(&b, (unsigned long)t->id, 10);
	puts_(&b, " \"");
	puts_(&b, t->name ? t->name : "");
	puts_(&b, "\": stack overflow: fault at ");
	putnum(&b, (unsigned long)addr, 16);
	puts_(&b, ", stack ");
	putnum(&b, (unsigned long)t->stk, 16);
	puts_(&b, "-");
	putnum(&b, (unsigned long)t, 16);
	puts_(&b, code == SEGV_MAPERR ? " (SEGV_MAPERR)\n" : " (SEGV_ACCERR)\n");
	if(write(2, b.s, b.n) < 0){
		/* nowhere left to say it */
	}
}

static int
inredzone(Thread *t, char *a)
{
	char *lo, *hi;

	lo = t->stk;
	hi = t->stk + t->segsize;
	return (a >= lo - Stackguard && a < lo) || (a >= hi && a < hi + Stackguard);
}

static void
onsegv(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl;
	Thread *t;

	(void)uc;
	t = _t9threadcur();
	if(t != nil && (si->si_code == SEGV_MAPERR || si->si_code == SEGV_ACCERR) &&
	   inredzone(t, si->si_addr)){
		report(t, si->si_addr, si->si_code);
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGSEGV, &dfl, nil);
		return;		/* fault again, and die of it */
	}
	sigaction(SIGSEGV, &oldsegv, nil);
	if(si->si_code <= 0)	/* sent, not a fault: send it again */
		raise(sig);
}

void
_t9overflowinit(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = onsegv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &oldsegv);
}

/*
 * Give the calling task an alternate signal stack, unless it has one (a
 * sanitizer's, which also expects to be the one to free it).
 */
void
_t9sigstackinit(Proc *p)
{
	stack_t ss;
	long n;

	if(sigaltstack(nil, &ss) == 0 && !(ss.ss_flags & SS_DISABLE))
		return;
	n = sysconf(_SC_SIGSTKSZ);
	if(n < 64 * 1024)
		n = 64 * 1024;
	n = (n + 4095) & ~4095L;
	p->sigstksize = n;
	p->sigstk = _t9segalloc(n, "sigaltstack");
	memset(&ss, 0, sizeof ss);
	ss.ss_sp = p->sigstk;
	ss.ss_size = n;
	if(sigaltstack(&ss, nil) < 0)
		_t9fatal("sigaltstack: %m");
}
