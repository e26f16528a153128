/* SPDX-License-Identifier: MIT */
/*
 * thread.h: Plan 9 libthread (9front's interface) for Linux.
 *
 * Link with -lthread9 (pkg-config libthread9).  The program defines
 * threadmain instead of main; the library's main runs it as the first thread
 * of the first proc on a stack of mainstacksize bytes (define
 * `int mainstacksize = N;` to change it).
 *
 * Threads are coroutines inside a proc, scheduled cooperatively and
 * round-robin; procs are kernel tasks sharing the address space.  Every
 * thread stack is a guarded segment (see seg.h): a thread that runs off its
 * stack is reported on stderr and the process dies of SIGSEGV.
 *
 * Return conventions are 9front's: send/recv return 1, or -1 when the
 * channel is closed or the call is interrupted; nbsend/nbrecv return 0 when
 * they would block; alt returns the index of the entry it executed, the index
 * of the CHANNOBLK entry when nothing is ready, or -1.  Library errors
 * (bad sizes, operations on a freed channel, no memory for a stack) call
 * sysfatal.  Plan 9's lock(2) types live here too, as Linux has no Plan 9
 * libc: Lock blocks the kernel task, QLock/RWLock/Rendez block only the
 * calling thread.
 */
#ifndef SEGCTL_THREAD_H
#define SEGCTL_THREAD_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef nil
#define nil ((void *)0)
#endif

typedef struct Alt	Alt;
typedef struct Channel	Channel;
typedef struct Ref	Ref;
typedef struct Lock	Lock;
typedef struct QLock	QLock;
typedef struct RWLock	RWLock;
typedef struct Rendez	Rendez;
typedef struct Waitmsg	Waitmsg;
typedef struct Ioproc	Ioproc;
typedef struct _Qwait	_Qwait;

/* Channels (opaque: use chanclosing to ask how many elements are buffered). */
typedef enum {
	CHANEND,	/* ends an Alt array: alt blocks */
	CHANSND,
	CHANRCV,
	CHANNOP,	/* skipped */
	CHANNOBLK,	/* ends an Alt array: alt does not block */
} ChanOp;

struct Alt {
	Channel	*c;		/* channel */
	void	*v;		/* pointer to value */
	ChanOp	op;		/* operation */
	char	*err;		/* "channel was closed" when the op failed by a close */

	/* private to the library */
	void	*tag;		/* the blocked alt waiting on this entry */
	int	entryno;	/* index in the array */
	Alt	*qnext;		/* the channel's queue of waiting entries */
	Alt	*qprev;
};

Channel	*chancreate(int elemsize, int bufsize);
void	chanfree(Channel *c);
int	chanclose(Channel *c);
int	chanclosing(Channel *c);
int	chanprint(Channel *c, char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

/*
 * The channel calls, under the names plan9port's thread.h gives them; the
 * short names are macros, so that thread.h can follow <sys/socket.h> (send,
 * recv) and the library does not take the socket calls' names from other
 * code in the process.
 */
int	chanalt(Alt alts[]);
int	chansend(Channel *c, void *v);
int	chanrecv(Channel *c, void *v);
int	channbsend(Channel *c, void *v);
int	channbrecv(Channel *c, void *v);
int	chansendp(Channel *c, void *v);
void	*chanrecvp(Channel *c);
int	channbsendp(Channel *c, void *v);
void	*channbrecvp(Channel *c);
int	chansendul(Channel *c, unsigned long v);
unsigned long	chanrecvul(Channel *c);		/* ~0 when closed or interrupted */
int	channbsendul(Channel *c, unsigned long v);
unsigned long	channbrecvul(Channel *c);	/* 0 when it would block */

#define alt		chanalt
#define send		chansend
#define recv		chanrecv
#define nbsend		channbsend
#define nbrecv		channbrecv
#define sendp		chansendp
#define recvp		chanrecvp
#define nbsendp		channbsendp
#define nbrecvp		channbrecvp
#define sendul		chansendul
#define recvul		chanrecvul
#define nbsendul	channbsendul
#define nbrecvul	channbrecvul

/* Threads and procs. */
extern int	mainstacksize;
void	threadmain(int argc, char *argv[]);

int	threadcreate(void (*f)(void *arg), void *arg, unsigned int stacksize);
int	proccreate(void (*f)(void *arg), void *arg, unsigned int stacksize);
int	procrfork(void (*f)(void *arg), void *arg, unsigned int stacksize,
		  int flag);
void	threadexits(char *status) __attribute__((noreturn));
void	threadexitsall(char *status) __attribute__((noreturn));
void	yield(void);
int	threadid(void);
int	threadpid(int id);
int	threadgetgrp(void);
int	threadsetgrp(int grp);		/* returns the previous group */
char	*threadgetname(void);
void	threadsetname(char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	**threaddata(void);
void	**procdata(void);
void	threadint(int id);
void	threadintgrp(int grp);
void	threadkill(int id);
void	threadkillgrp(int grp);
int	threadnotify(int (*f)(void *ureg, char *note), int in);
void	needstack(int n);

struct Waitmsg {
	int		pid;		/* of the process that exited */
	unsigned long	time[3];	/* user, system, real time, in ms */
	char		*msg;		/* "" on success; freed with the Waitmsg */
};
Channel	*threadwaitchan(void);		/* of Waitmsg*, the receiver frees */
void	procexec(Channel *cpid, char *file, char *args[]);
void	procexecl(Channel *cpid, char *file, ...);

/* rfork(2) flags accepted by procrfork; see the README for the Linux meaning. */
enum {
	RFNAMEG		= 1 << 0,
	RFENVG		= 1 << 1,
	RFFDG		= 1 << 2,
	RFNOTEG		= 1 << 3,
	RFPROC		= 1 << 4,
	RFMEM		= 1 << 5,
	RFNOWAIT	= 1 << 6,
	RFCNAMEG	= 1 << 10,
	RFCENVG		= 1 << 11,
	RFCFDG		= 1 << 12,
	RFREND		= 1 << 13,
	RFNOMNT		= 1 << 14,
};

/* Reference counts. */
struct Ref {
	long	ref;
};
void	incref(Ref *r);
long	decref(Ref *r);			/* 0 iff the count is now zero */

/* lock(2).  All start zeroed (unlocked); can* return non-zero on success. */
struct Lock {
	int	val;
};
void	lock(Lock *l);
void	unlock(Lock *l);
int	canlock(Lock *l);

struct QLock {
	Lock	lock;
	int	locked;
	_Qwait	*head;
	_Qwait	*tail;
};
void	qlock(QLock *q);
void	qunlock(QLock *q);
int	canqlock(QLock *q);

struct RWLock {
	Lock	lock;
	int	readers;
	int	writer;
	_Qwait	*head;
	_Qwait	*tail;
};
void	rlock(RWLock *l);
void	runlock(RWLock *l);
int	canrlock(RWLock *l);
void	wlock(RWLock *l);
void	wunlock(RWLock *l);
int	canwlock(RWLock *l);

struct Rendez {
	QLock	*l;			/* held around rsleep and rwakeup */
	_Qwait	*head;
	_Qwait	*tail;
};
void	rsleep(Rendez *r);
int	rwakeup(Rendez *r);		/* 1 if a thread was woken */
int	rwakeupall(Rendez *r);		/* number woken */

/*
 * ioproc(2): blocking calls that block only the calling thread; the proc's
 * other threads keep running.  The calls go through the calling proc's
 * io_uring, or, where io_uring cannot be set up or SEGCTL_IOPROC=helper,
 * through a helper task of the Ioproc's; iocall's op always runs in the
 * helper.  One call at a time per Ioproc (others wait their turn); the
 * buffer must stay valid until the call returns.
 *
 * Errors: -1 with errno set; strerror(errno) is the text.  EINTR is Plan 9's
 * "interrupted": iointerrupt, threadint, threadkill or closeioproc ended the
 * call (a killed thread then exits).  iointerrupt with no call running makes
 * the next call fail with EINTR; ioflush clears that (9front).  EBADF: io is
 * nil or closed.  EINVAL: a negative length, a bad dial string.  EFAULT: a
 * nil buffer with a length, a nil file name or op.  ioopen's omode is
 * open(2)'s flags (O_CREAT makes mode 0666 &~umask).  iodial: see
 * ioproc(3); dir is set to "" and *cdfp to -1 (no connection directory).
 */
Ioproc	*ioproc(void);
void	closeioproc(Ioproc *io);
void	iointerrupt(Ioproc *io);
int	ioflush(Ioproc *io);
int	ioclose(Ioproc *io, int fd);
int	iodial(Ioproc *io, char *addr, char *local, char *dir, int *cdfp);
int	ioopen(Ioproc *io, char *file, int omode);
long	ioread(Ioproc *io, int fd, void *a, long n);
long	ioreadn(Ioproc *io, int fd, void *a, long n);
long	iowrite(Ioproc *io, int fd, void *a, long n);
int	iosleep(Ioproc *io, long ms);
long	iocall(Ioproc *io, long (*op)(va_list *arg), ...);

/* From Plan 9's libc, as threaded programs use them. */
extern char	*argv0;
void	sysfatal(char *fmt, ...)
		__attribute__((noreturn, format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

#endif /* SEGCTL_THREAD_H */
