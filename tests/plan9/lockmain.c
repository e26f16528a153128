// SPDX-License-Identifier: MIT
/*
 * lockmain: without lib9, a program with its own main that uses only
 * lock(2) (no threads) links with libthread9.a and does not get the
 * library's main.
 */
#include <stdio.h>
#include <thread.h>

static QLock	q;
static Lock	l;

int
main(void)
{
	qlock(&q);
	if(canqlock(&q))
		return 1;
	qunlock(&q);
	lock(&l);
	if(canlock(&l))
		return 2;
	unlock(&l);
	printf("lockmain: own main\n");
	return 0;
}
