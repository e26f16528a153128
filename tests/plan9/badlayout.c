// SPDX-License-Identifier: MIT
/*
 * badlayout: a libc.h whose QLock is too small for libthread9's state.
 * thread.h must refuse to compile it, naming the type (tests/plan9/build.mk
 * checks that the compiler fails with that message).
 */
#define _LIBC_H_ 1
#include <stdarg.h>

typedef struct Lock Lock;
typedef struct QLock QLock;
typedef struct RWLock RWLock;
typedef struct Rendez Rendez;
typedef struct Waitmsg Waitmsg;
struct Lock { int held; };
struct QLock { Lock l; int owner; };	/* 8 bytes: too small */
struct RWLock { void *w[4]; };
struct Rendez { QLock *l; void *head, *tail; };
struct Waitmsg { int pid; unsigned long time[3]; char *msg; };
enum {
	RFNAMEG = 1 << 0, RFENVG = 1 << 1, RFFDG = 1 << 2, RFNOTEG = 1 << 3,
	RFPROC = 1 << 4, RFMEM = 1 << 5, RFNOWAIT = 1 << 6, RFCNAMEG = 1 << 10,
	RFCENVG = 1 << 11, RFCFDG = 1 << 12,
};

#include <thread.h>
