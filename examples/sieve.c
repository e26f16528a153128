// SPDX-License-Identifier: MIT
/*
 * sieve: the concurrent prime sieve.  threadmain counts up from 2 into a
 * channel; each prime gets a thread (with -p, a proc) that prints it and
 * passes on, to the next such thread, the numbers its prime does not divide.
 *
 *	sieve [-p] [max]	print the primes below max (default 100)
 *	sieve -h		usage
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <thread.h>

enum { STACK = 16384 };

static int	(*create)(void (*)(void *), void *, unsigned int) = threadcreate;
static unsigned long	max = 100;

static void
primethread(void *arg)
{
	Channel *c, *nc;
	unsigned long p, i;

	c = arg;
	p = recvul(c);
	if(p >= max)
		threadexitsall(nil);
	printf("%lu\n", p);
	nc = chancreate(sizeof(unsigned long), 0);
	create(primethread, nc, STACK);
	for(;;){
		i = recvul(c);
		if(i % p != 0)
			sendul(nc, i);
	}
}

/* Asked for (-h): stdout, success.  A mistake: stderr, failure. */
static void
usage(int asked)
{
	fprintf(asked ? stdout : stderr, "usage: sieve [-p] [max]\n");
	threadexitsall(asked ? nil : "usage");
}

void
threadmain(int argc, char *argv[])
{
	Channel *c;
	unsigned long i;
	char *end;

	if(argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		usage(1);
	if(argc > 1 && strcmp(argv[1], "-p") == 0){
		create = proccreate;
		argc--;
		argv++;
	}
	if(argc > 2)
		usage(0);
	if(argc > 1){
		errno = 0;
		max = strtoul(argv[1], &end, 0);
		if(argv[1][0] < '0' || argv[1][0] > '9' || *end != '\0' || errno != 0)
			usage(0);
	}
	c = chancreate(sizeof(unsigned long), 0);
	create(primethread, c, STACK);
	for(i = 2;; i++)
		sendul(c, i);
}
