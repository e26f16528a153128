// SPDX-License-Identifier: MIT
/*
 * threadmaybackground and threaddaemonize, as plan9port has them.  A
 * program whose threadmaybackground returns 1 is forked before its main
 * starts: the child runs it, the parent (the process the shell waits for)
 * passes signals on and waits for a byte on a pipe or for the child's end.
 * The byte, sent by threaddaemonize or when the main proc's threads are
 * all gone while other procs run on, makes it exit 0, leaving the child in
 * the background; otherwise it ends as the child did.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "threadimpl.h"

/* The program defines its own to say 1. */
__attribute__((weak)) int
threadmaybackground(void)
{
	return 0;
}

static int	passfd = -1;	/* in the child: the parent's pipe */
static pid_t	child;		/* in the parent */

static void
pass(int sig)
{
	kill(child, sig);
}

static _Noreturn void
waitchild(int fd)
{
	static const int sigs[] = {
		SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
		SIGWINCH, SIGCONT, SIGTSTP,
	};
	struct sigaction sa;
	struct rlimit none;
	sigset_t set;
	int status;
	size_t i;
	ssize_t n;
	char c;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = pass;
	sa.sa_flags = SA_RESTART;
	for(i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, nil);
	do
		n = read(fd, &c, 1);
	while(n < 0 && errno == EINTR);
	if(n == 1)
		_exit(0);
	while(waitpid(child, &status, 0) < 0)
		if(errno != EINTR)
			_exit(97);
	if(WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	/* Die of the child's signal, without writing over its core file. */
	none.rlim_cur = none.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &none);
	signal(WTERMSIG(status), SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, WTERMSIG(status));
	sigprocmask(SIG_UNBLOCK, &set, nil);
	raise(WTERMSIG(status));
	_exit(98);
}

/* From main, before anything else: the process is one task still. */
void
_t9daemonsetup(void)
{
	char *opt;
	int p[2];

	if(!threadmaybackground())
		return;
	opt = getenv("LIBTHREAD");
	if((opt != nil && strstr(opt, "nodaemon") != nil) || getenv("NOLIBTHREADDAEMONIZE") != nil)
		return;
	setpgid(0, 0);	/* its own process group: no SIGHUP when the parent goes */
	if(pipe2(p, O_CLOEXEC) < 0)
		_t9fatal("threadmaybackground: pipe: %s", strerror(errno));
	child = fork();
	if(child < 0)
		_t9fatal("threadmaybackground: fork: %s", strerror(errno));
	if(child == 0){
		close(p[0]);
		passfd = p[1];
		return;
	}
	close(p[1]);
	waitchild(p[0]);
}

/* Let the waiting parent go: the program is in the background now. */
void
threaddaemonize(void)
{
	ssize_t n;
	int fd;

	fd = __atomic_exchange_n(&passfd, -1, __ATOMIC_ACQ_REL);
	if(fd < 0)
		return;
	do
		n = write(fd, "0", 1);
	while(n < 0 && errno == EINTR);
	close(fd);
}
