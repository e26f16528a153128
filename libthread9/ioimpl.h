/* SPDX-License-Identifier: MIT */
/*
 * ioimpl.h: what the ioproc files share.
 *
 * An Ioproc is a handle; the calls made with it go through the calling
 * proc's io_uring (ioring.c), or through the Ioproc's helper task when the
 * ring cannot be had or SEGCTL_IOPROC=helper (iohelp.c).  iocall always
 * uses the helper.  One call at a time per Ioproc, as in Plan 9: its one
 * request record, Ioproc.req, lives as long as the Ioproc, never on a
 * thread's stack, and the calling thread does not return before the
 * request is finished (its completion reaped), cancelled or not.
 *
 * Lock order: Ioproc.lock -> Proc.lock (of the waiting thread's proc).
 * Ioreq.state, .cancel, .res and Thread.ioreq change under that Proc.lock.
 */
#ifndef LIBTHREAD9_IOIMPL_H
#define LIBTHREAD9_IOIMPL_H

#include <stdarg.h>
#include <sys/types.h>
#include <linux/time_types.h>

#ifdef IO_SOCKETS
#include <sys/socket.h>
#include <netdb.h>
#include <liburing.h>
#endif

#include "threadimpl.h"

#pragma GCC visibility push(hidden)

typedef struct Iohelp Iohelp;

enum {
	Opread,
	Opwrite,
	Opopen,
	Opclose,
	Opsleep,
	Opconnect,
	Opcall,
};

enum {
	Rnew,		/* not yet handed to the ring or the helper */
	Rflight,	/* handed over; only its completion ends it */
	Rdone,
};

struct Ioreq {
	/* The operation, set by the caller. */
	int	op;
	int	fd;
	void	*buf;
	unsigned int len;
	const char *path;
	int	flags;
	struct __kernel_timespec ts;	/* Opsleep: relative */
	const void *sa;		/* Opconnect: a struct sockaddr */
	unsigned int salen;
	long	(*fn)(va_list *);
	va_list	*arg;

	/* The call, under the waiting proc's lock. */
	Thread	*t;
	Proc	*p;
	int	state;
	int	cancel;		/* interrupted: end it as soon as possible */
	long	res;		/* >= 0, or -errno (Opcall: the op's value) */
	int	called;		/* Opcall: the op ran ... */
	int	err;		/* ... and left this errno */
	Iohelp	*h;		/* the helper doing it, nil on the ring */

	/*
	 * On the ring: the fd the SQE names (fd, or a pipe's non-blocking
	 * reopening the completion closes), user_data, and the ring's queue
	 * of cancels to send.
	 */
	int	rfd;
	uint64_t tag;
	int	oncq;
	Ioreq	*cnext;
	Ioreq	*cprev;
};

struct Iohelp {
	int	state;		/* futex: idle, work or quit */
	int	intr;		/* the request in flight is interrupted */
	pthread_t pt;
	pid_t	pid;		/* the process it runs in */
	Ioreq	*req;
};

struct Ioproc {
	Lock	lock;		/* all but req and ql */
	int	magic;
	int	closed;
	int	intr;		/* interrupted with no call running: fail the next */
	int	busy;		/* a call is running: req */
	int	users;		/* calls inside it, and closeioproc */
	int	helper;		/* every call goes to h */
	QLock	ql;		/* one call at a time */
	Ioreq	req;
	Iohelp	*h;		/* made when first needed */
	Ioproc	*next;		/* the list of closed Ioprocs */
};

/* ioproc.c (and _t9iocancel, in threadimpl.h) */
int	_t9iobegin(Ioreq *r);
void	_t9ioend(Ioreq *r, long res);
long	_t9ioconnect(Ioproc *io, int fd, const void *sa, unsigned int len);

/* ioring.c */
int	_t9ioringok(void);
Ioring	*_t9ioringget(Proc *p);
int	_t9ioringtry(Ioreq *r);
void	_t9ioringrun(Ioring *g, Ioreq *r);
void	_t9ioringcancel(Ioreq *r);
void	_t9ioringdequeue(Ioreq *r);
int	_t9ioringinflight(Proc *p);

/* iohelp.c */
Iohelp	*_t9iohelpnew(void);
void	_t9iohelpquit(Iohelp *h);
int	_t9iohelplive(Iohelp *h);
void	_t9iohelprun(Iohelp *h, Ioreq *r);
void	_t9iohelpintr(Iohelp *h);
extern int	_t9iohelpinflight;

/* iosys-amd64.S: a system call that Iohelp.intr (via Sigiointr) interrupts. */
long	_t9iosyscall(int *intr, long nr, long a1, long a2, long a3, long a4);
extern char	_t9iosysbegin[], _t9iosysend[], _t9iosyscancel[];

/* Test and benchmark hooks. */
int	_t9ioinflight(void);
const char	*_t9ioprocpath(Ioproc *io);
void	_t9ioringreopenpipes(void);

#pragma GCC visibility pop

#endif
