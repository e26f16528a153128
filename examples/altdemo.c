// SPDX-License-Identifier: MIT
/*
 * altdemo: alt over two channels fed by two procs, a ticker and a counter,
 * until the ticker has ticked n times; then the counter's channel is
 * closed and alt says so.  After 9front's libthread example.
 *
 *	altdemo [n]	n ticks, 1 or more (default 5)
 *	altdemo -h	usage
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <thread.h>

enum { STACK = 16384 };

static void
ticker(void *arg)
{
	Channel *c;
	unsigned long n;

	c = arg;
	threadsetname("ticker");
	for(n = 1;; n++){
		usleep(100 * 1000);
		if(sendul(c, n) < 0)
			threadexits(nil);
	}
}

static void
counter(void *arg)
{
	Channel *c;
	unsigned long n;

	c = arg;
	threadsetname("counter");
	for(n = 0;; n++)
		if(sendul(c, n) < 0)
			threadexits(nil);
}

/* Asked for (-h): stdout, success.  A mistake: stderr, failure. */
static void
usage(int asked)
{
	fprintf(asked ? stdout : stderr, "usage: altdemo [n]\n");
	threadexitsall(asked ? nil : "usage");
}

void
threadmain(int argc, char *argv[])
{
	Channel *tick, *count;
	unsigned long t, n, ncount, max;
	char *end;
	Alt a[] = {
		{ nil, &t, CHANRCV },
		{ nil, &n, CHANRCV },
		{ nil, nil, CHANEND },
	};

	if(argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		usage(1);
	if(argc > 2)
		usage(0);
	max = 5;
	if(argc > 1){
		/* The ticker counts from 1: a max it never reaches runs for ever. */
		errno = 0;
		max = strtoul(argv[1], &end, 10);
		if(argv[1][0] < '0' || argv[1][0] > '9' || *end != '\0' || errno != 0 || max == 0)
			usage(0);
	}
	tick = chancreate(sizeof(unsigned long), 0);
	count = chancreate(sizeof(unsigned long), 0);
	a[0].c = tick;
	a[1].c = count;
	proccreate(ticker, tick, STACK);
	proccreate(counter, count, STACK);

	ncount = 0;
	for(;;){
		switch(alt(a)){
		case 0:
			printf("tick %lu: %lu counts since the last\n", t, ncount);
			ncount = 0;
			if(t == max){
				chanclose(count);
				a[0].op = CHANNOP;
			}
			break;
		case 1:
			if(a[1].err != nil){
				printf("count: %s\n", a[1].err);
				threadexitsall(nil);
			}
			ncount++;
			break;
		default:
			sysfatal("alt: interrupted");
		}
	}
}
