// SPDX-License-Identifier: MIT
/*
 * libsegls.so: preloaded by segls(1) into the program it runs.  Prints the
 * program's segment table (seglist) when it exits, to $SEGLS_OUT or
 * standard error, and serves it to `segls -p PID` on the abstract unix
 * socket "segls.PID" while it runs.
 *
 * Only the process segls started (SEGLS_PID) does either, not its fork
 * children.  A thread of ours answers the socket, so the program is never
 * interrupted (no signal, no EINTR), and only its own user (or root) may
 * read its addresses.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "seg.h"
#include "seglist.h"

static pid_t target;

static void
list(int fd)
{
	if (seglist(fd) < 0)
		dprintf(fd, "segls: %s\n", segerrstr());
}

static void *
serve(void *arg)
{
	struct ucred cred;
	socklen_t n;
	int s, c;

	s = (int)(intptr_t)arg;
	for (;;) {
		c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		n = sizeof cred;
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &n) == 0 &&
		    (cred.uid == getuid() || cred.uid == 0))
			list(c);
		close(c);
	}
	return NULL;
}

__attribute__((constructor)) static void
init(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	sigset_t all, old;
	const char *e;
	socklen_t len;
	pthread_t t;
	int s;

	e = getenv("SEGLS_PID");
	if (e == NULL || atoi(e) != getpid())
		return;
	target = getpid();
	/* Abstract namespace: nothing to clean up, nothing to race in /tmp. */
	len = offsetof(struct sockaddr_un, sun_path) + 1 +
	      snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "segls.%d", (int)target);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	if (bind(s, (struct sockaddr *)&sa, len) < 0 || listen(s, 4) < 0) {
		close(s);
		return;
	}
	/* The thread takes no signals meant for the program. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&t, NULL, serve, (void *)(intptr_t)s) == 0)
		pthread_detach(t);
	else
		close(s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

__attribute__((destructor)) static void
fini(void)
{
	const char *out;
	int fd;

	if (target == 0 || getpid() != target)
		return;
	out = getenv("SEGLS_OUT");
	fd = 2;
	if (out != NULL && (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "segls: %s: %m\n", out);
		return;
	}
	list(fd);
	if (fd != 2)
		close(fd);
}
