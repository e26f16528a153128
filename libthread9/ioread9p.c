// SPDX-License-Identifier: MIT
/*
 * ioread9pmsg (plan9port's): read one 9P message, whose first four bytes
 * (little-endian) are its whole size, into a[0..n).  Returns the size, 0
 * at end of file (or a message cut short by it), -1 with errno set:
 * EMSGSIZE when the size field is below 4 or the message does not fit.
 */
#include <errno.h>

#include "threadimpl.h"

enum { Sizefield = 4 };

int
ioread9pmsg(Ioproc *io, int fd, void *a, int n)
{
	unsigned char *p;
	unsigned long m;
	long k;

	p = a;
	if(n < Sizefield){
		errno = EMSGSIZE;
		return -1;
	}
	k = ioreadn(io, fd, p, Sizefield);
	if(k != Sizefield)
		return k < 0 ? -1 : 0;
	m = p[0] | p[1] << 8 | p[2] << 16 | (unsigned long)p[3] << 24;
	if(m < Sizefield || m > (unsigned long)n){
		errno = EMSGSIZE;
		return -1;
	}
	k = ioreadn(io, fd, p + Sizefield, (long)m - Sizefield);
	if(k != (long)m - Sizefield)
		return k < 0 ? -1 : 0;
	return (int)m;
}
