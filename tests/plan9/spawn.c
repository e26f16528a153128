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
	char buf[128];
	Channel *wc, *cpid;
	Waitmsg *w;
	int p[2], pid, epid;

	USED(argc);
	USED(argv);
	wc = threadwaitchan();
	if(pipe(p) < 0)
		sysfatal("pipe: %r");
	fd[0] = open("/dev/null", OREAD);
	fd[1] = p[1];
	fd[2] = dup(2, -1);
	pid = threadspawn(fd, "sh", args);
	if(pid < 0)
		sysfatal("threadspawn: %r");
	readall(p[0], buf, sizeof buf);
	print("spawn: read %s", buf);
	w = recvp(wc);
	print("spawn: wait %s %s\n", w->pid == pid ? "pid" : "other", w->msg);
	free(w);
	close(p[0]);

	if(pipe(p) < 0)
		sysfatal("pipe: %r");
	fd[0] = open("/dev/null", OREAD);
	fd[1] = p[1];
	fd[2] = dup(2, -1);
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
	readall(p[0], buf, sizeof buf);
	print("spawn: exec read %s", buf);
	w = recvp(wc);
	print("spawn: exec wait %s '%s'\n", w->pid == epid ? "pid" : "other", w->msg);
	free(w);
	threadexitsall(nil);
}
