// SPDX-License-Identifier: MIT
/*
 * sieve: the concurrent prime sieve as Plan 9 writes it, built against
 * plan9port's lib9: a thread (or with -p a proc) per prime, print(2) for
 * the output.
 *
 *	p9-sieve [-p] [-n max]	the primes below max (default 100)
 */
#include <u.h>
#include <libc.h>
#include <thread.h>

int	(*mk)(void (*)(void*), void*, uint) = threadcreate;
ulong	max = 100;

void
prime(void *arg)
{
	Channel *c, *nc;
	ulong p, i;

	c = arg;
	p = recvul(c);
	if(p >= max)
		threadexitsall(nil);
	print("%ld\n", (long)p);
	nc = chancreate(sizeof(ulong), 0);
	mk(prime, nc, 32*1024);
	for(;;){
		i = recvul(c);
		if(i%p)
			sendul(nc, i);
	}
}

void
threadmain(int argc, char *argv[])
{
	Channel *c;
	ulong i;

	ARGBEGIN{
	case 'p':
		mk = proccreate;
		break;
	case 'n':
		max = strtoul(EARGF(sysfatal("usage: %s [-p] [-n max]", argv0)), nil, 0);
		break;
	default:
		sysfatal("usage: %s [-p] [-n max]", argv0);
	}ARGEND
	c = chancreate(sizeof(ulong), 0);
	mk(prime, c, 32*1024);
	for(i = 2;; i++)
		sendul(c, i);
}
