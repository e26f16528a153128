// SPDX-License-Identifier: MIT
/*
 * spawn: plan9port's threadspawn, threadspawnl and threadexecl.  A child
 * writes into a pipe that is its standard output; the caller's end is
 * closed by the library, the reader sees end of file after the child's
 * output, and the child's Waitmsg arrives on threadwaitchan.  A program
 * that does not exist: -1 and the pipe is left open.  threadexecl in a
 * thread of its own sends the pid and ends that thread.
 */
#include <u.h>
#include <libc.h>
#include <thread.h>

int	fd[3];

void
readall(int rfd, char *buf, int n)
{
	int m, tot;

	tot = 0;
	while(tot < n-1 && (m = read(rfd, buf+tot, n-1-tot)) > 0)
		tot += m;
	buf[tot] = 0;
}

/* What child pid wrote on rfd until end of file, and its Waitmsg. */
void
collect(char *what, int rfd, int pid, Channel *wc)
{
	char buf[128];
	Waitmsg *w;

	readall(rfd, buf, sizeof buf);
	close(rfd);
	print("spawn: %s read %s", what, buf);
	w = recvp(wc);
	print("spawn: %s wait %s '%s'\n", what, w->pid == pid ? "pid" : "other", w->msg);
	free(w);
}

/* fd: /dev/null in, p[1] out, a copy of 2 for errors. */
void
pipeout(int p[2])
{
	if(pipe(p) < 0)
		sysfatal("pipe: %r");
	fd[0] = open("/dev/null", OREAD);
	fd[1] = p[1];
	fd[2] = dup(2, -1);
}

void
execer(void *v)
{
	threadexecl(v, fd, "sh", "sh", "-c", "echo exec $0", "ran", nil);
	sysfatal("threadexecl returned: %r");
}

void
threadmain(int argc, char *argv[])
{
	char *args[] = { "sh", "-c", "echo spawned; exit 3", nil };
	Channel *wc, *cpid;
	int p[2], pid, epid;

	USED(argc);
	USED(argv);
	wc = threadwaitchan();
	pipeout(p);
	pid = threadspawn(fd, "sh", args);
	if(pid < 0)
		sysfatal("threadspawn: %r");
	collect("spawn", p[0], pid, wc);

	pipeout(p);
	if(threadspawnl(fd, "/nonexistent/program", "program", nil) != -1)
		sysfatal("threadspawnl of a missing program did not fail");
	if(write(p[1], "x", 1) != 1)
		sysfatal("the failed spawn closed the caller's descriptors");
	print("spawn: missing program fails, descriptors kept\n");

	cpid = chancreate(sizeof(ulong), 0);
	threadcreate(execer, cpid, 32*1024);
	epid = recvul(cpid);
	if(epid == ~0)
		sysfatal("threadexecl failed");
	collect("exec", p[0], epid, wc);
	threadexitsall(nil);
}
