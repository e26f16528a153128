// SPDX-License-Identifier: MIT
/* The prime sieve, over threads and over procs: the primes must be right. */
#include <stdlib.h>

#include "t9.h"

enum { Nprimes = 300 };

struct Filter {
	Channel	*in, *out;
	unsigned long p;
};

static void
counter(void *arg)
{
	unsigned long i;

	for(i = 2;; i++)
		sendul(arg, i);
}

static void
filter(void *arg)
{
	struct Filter *f;
	unsigned long i;

	f = arg;
	for(;;)
		if((i = recvul(f->in)) % f->p != 0)
			sendul(f->out, i);
}

static int
isprime(unsigned long n)
{
	unsigned long d;

	for(d = 2; d * d <= n; d++)
		if(n % d == 0)
			return 0;
	return n >= 2;
}

/* Each prime read off the end of the chain adds a filter for it. */
static void
sieve(int (*create)(void (*)(void *), void *, unsigned int))
{
	struct Filter *f;
	Channel *c;
	unsigned long p, last;
	int i;

	c = chancreate(sizeof(unsigned long), 0);
	create(counter, c, 16384);
	last = 1;
	for(i = 0; i < Nprimes; i++){
		p = recvul(c);
		ck_assert_msg(p > last && isprime(p), "got %lu after %lu", p, last);
		for(last++; last < p; last++)
			ck_assert_msg(!isprime(last), "missed %lu", last);
		f = malloc(sizeof *f);
		f->in = c;
		f->out = chancreate(sizeof(unsigned long), 0);
		f->p = p;
		create(filter, f, 16384);
		c = f->out;
	}
	ck_assert_uint_eq(last, 1987);	/* the 300th prime */
}

START_TEST(threads)
{
	sieve(threadcreate);
}
END_TEST

START_TEST(procs)
{
	sieve(proccreate);
}
END_TEST

T9SUITE("sieve")
{
	T9CASE(s, "sieve", 120, threads, procs);
}
