// SPDX-License-Identifier: MIT
/*
 * relay: ioproc(2) as Plan 9 uses it.  A reader thread reads lines from a
 * pipe with ioread and passes them on a channel to a writer thread, which
 * upper-cases them and writes them with iowrite to another pipe; a third
 * thread feeds the first pipe and threadmain reads the result.  While each
 * Ioproc call blocks, the other threads of the same proc keep running.
 */
#include <u.h>
#include <libc.h>
#include <thread.h>

enum { Nline = 5 };

int	in[2], out[2];
Channel	*lines;

void
feeder(void *v)
{
	Ioproc *io;
	char buf[32];
	long n;
	int i;

	USED(v);
	io = ioproc();
	for(i = 0; i < Nline; i++){
		n = snprint(buf, sizeof buf, "line %d\n", i);
		if(iowrite(io, in[1], buf, n) != n)
			sysfatal("iowrite: %r");
	}
	ioclose(io, in[1]);
	closeioproc(io);
}

void
reader(void *v)
{
	Ioproc *io;
	char buf[128];
	long n;

	USED(v);
	io = ioproc();
	while((n = ioread(io, in[0], buf, sizeof buf - 1)) > 0){
		buf[n] = 0;
		sendp(lines, strdup(buf));
	}
	sendp(lines, nil);
	closeioproc(io);
}

void
writer(void *v)
{
	Ioproc *io;
	char *s, *p;
	long n;

	USED(v);
	io = ioproc();
	while((s = recvp(lines)) != nil){
		for(p = s; *p; p++)
			if(*p >= 'a' && *p <= 'z')
				*p += 'A' - 'a';
		n = strlen(s);
		if(iowrite(io, out[1], s, n) != n)
			sysfatal("iowrite: %r");
		free(s);
	}
	ioclose(io, out[1]);
	closeioproc(io);
}

void
threadmain(int argc, char *argv[])
{
	char buf[256];
	int n, tot;
	Ioproc *io;

	USED(argc);
	USED(argv);
	if(pipe(in) < 0 || pipe(out) < 0)
		sysfatal("pipe: %r");
	lines = chancreate(sizeof(char*), 0);
	threadcreate(reader, nil, 32*1024);
	threadcreate(writer, nil, 32*1024);
	threadcreate(feeder, nil, 32*1024);
	io = ioproc();
	tot = 0;
	while(tot < (int)sizeof buf - 1 && (n = ioread(io, out[0], buf+tot, sizeof buf - 1 - tot)) > 0)
		tot += n;
	buf[tot] = 0;
	print("%s", buf);
	threadexitsall(nil);
}
