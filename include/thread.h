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
 *
 * After plan9port's <u.h> and <libc.h> (its lib9, or Debian's 9base), this
 * header leaves Lock, QLock, RWLock, Rendez, Waitmsg, the RF* flags, nil,
 * sysfatal and argv0 to libc.h, and checks at compile time that libc.h's
 * types can hold what libthread9 keeps in them; lib9's lock(2) calls then
 * reach libthread9 through lib9's thread-library hooks, and lib9's
 * sysfatal (%r) is the one linked.  See the README, "Porting a Plan 9
 * program".  Compiles as C and as C++.
 */
#ifndef SEGCTL_THREAD_H
#define SEGCTL_THREAD_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* plan9port's libc.h came first: it owns the Plan 9 libc types. */
#ifdef _LIBC_H_
#define THREAD9_LIB9 1
#endif

#ifndef nil
#if defined(__cplusplus) && __cplusplus >= 201103L
#define nil nullptr
#elif defined(__cplusplus)
#define nil 0
#else
#define nil ((void *)0)
#endif
#endif

#ifdef __cplusplus
#define THREAD9_ASSERT(c, m)	static_assert(c, m)
#define THREAD9_ALIGNOF(t)	alignof(t)
#else
#define THREAD9_ASSERT(c, m)	_Static_assert(c, m)
#define THREAD9_ALIGNOF(t)	_Alignof(t)
#endif

typedef struct Alt	Alt;
typedef struct Channel	Channel;
typedef struct Ref	Ref;
typedef struct Ioproc	Ioproc;
#ifndef THREAD9_LIB9
typedef struct Lock	Lock;
typedef struct QLock	QLock;
typedef struct RWLock	RWLock;
typedef struct Rendez	Rendez;
typedef struct Waitmsg	Waitmsg;
typedef struct _Qwait	_Qwait;
#endif

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

#ifndef THREAD9_LIB9
struct Waitmsg {
	int		pid;		/* of the process that exited */
	unsigned long	time[3];	/* user, system, real time, in ms */
	char		*msg;		/* "" on success; freed with the Waitmsg */
};
#endif
Channel	*threadwaitchan(void);		/* of Waitmsg*, the receiver frees */
void	procexec(Channel *cpid, char *file, char *args[]);
void	procexecl(Channel *cpid, char *file, ...);

/*
 * plan9port's: run file with fd[0..2] as its standard input, output and
 * error, from any thread; the library closes fd[0..2] in the caller and
 * sends the child's Waitmsg on threadwaitchan, if anyone has asked for it.
 * threadspawn returns the pid, or -1 (errno set, nothing closed);
 * threadspawnd runs it in directory dir.  threadexec tells cpid (if not
 * nil) the pid, or ~0 on failure, and on success ends the calling thread.
 */
int	threadspawn(int fd[3], char *file, char *args[]);
int	threadspawnd(int fd[3], char *file, char *args[], char *dir);
int	threadspawnl(int fd[3], char *file, ...);
void	threadexec(Channel *cpid, int fd[3], char *file, char *args[]);
void	threadexecl(Channel *cpid, int fd[3], char *file, ...);

/*
 * plan9port's: a program that may put itself in the background defines
 * threadmaybackground to return 1.  Its main then runs in a child while
 * the process the shell started waits, passing signals on, and exits with
 * the child's status, or with 0 as soon as the child calls threaddaemonize
 * or its main proc's threads have all exited (LIBTHREAD=nodaemon or
 * NOLIBTHREADDAEMONIZE set in the environment turn this off).
 */
int	threadmaybackground(void);
void	threaddaemonize(void);

#ifndef THREAD9_LIB9
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
#else
/* libc.h leaves out the two flags Plan 9 has and Unix cannot do. */
enum {
	RFREND		= 1 << 13,
	RFNOMNT		= 1 << 14,
};
#endif

/* Reference counts. */
struct Ref {
	long	ref;
};
long	incref(Ref *r);			/* the new count */
long	decref(Ref *r);			/* 0 iff the count is now zero */

#ifndef THREAD9_LIB9
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
#endif

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
/*
 * plan9port's: ioread9pmsg reads one 9P message (its size field first);
 * iosendfd and iorecvfd pass a descriptor over a Unix socket s.
 */
int	ioread9pmsg(Ioproc *io, int fd, void *a, int n);
int	iosendfd(Ioproc *io, int s, int fd);
int	iorecvfd(Ioproc *io, int s);

/*
 * The sizes of libthread9's own lock(2) types: lib9's, when libc.h owns
 * them, must be able to hold these (the library keeps its state in them).
 */
enum {
	THREAD9_LOCKSIZE	= 4,
	THREAD9_QLOCKSIZE	= 24,
	THREAD9_RWLOCKSIZE	= 32,
	THREAD9_RENDEZSIZE	= 24,
};

#ifndef THREAD9_LIB9
/* From Plan 9's libc, as threaded programs use them. */
extern char	*argv0;
void	sysfatal(char *fmt, ...)
		__attribute__((noreturn, format(printf, 1, 2)));

THREAD9_ASSERT(sizeof(Lock) == THREAD9_LOCKSIZE, "Lock: not the size libthread9 has");
THREAD9_ASSERT(sizeof(QLock) == THREAD9_QLOCKSIZE, "QLock: not the size libthread9 has");
THREAD9_ASSERT(sizeof(RWLock) == THREAD9_RWLOCKSIZE, "RWLock: not the size libthread9 has");
THREAD9_ASSERT(sizeof(Rendez) == THREAD9_RENDEZSIZE, "Rendez: not the size libthread9 has");
#else
/*
 * plan9port's lib9: each type must be one libthread9 can work on.  lib9's
 * Lock, QLock and RWLock are only storage to libthread9 (lib9 touches
 * their fields only when no thread library has set its hooks); Rendez must
 * start with its QLock pointer; Waitmsg and the RF* flags must be
 * libthread9's exactly, as the library makes the one and takes the other.
 */
THREAD9_ASSERT(sizeof(Lock) >= THREAD9_LOCKSIZE && THREAD9_ALIGNOF(Lock) >= 4,
	       "Lock: libc.h defines it smaller or less aligned than libthread9 needs");
THREAD9_ASSERT(sizeof(QLock) >= THREAD9_QLOCKSIZE && THREAD9_ALIGNOF(QLock) >= 8,
	       "QLock: libc.h defines it smaller or less aligned than libthread9 needs");
THREAD9_ASSERT(sizeof(RWLock) >= THREAD9_RWLOCKSIZE && THREAD9_ALIGNOF(RWLock) >= 8,
	       "RWLock: libc.h defines it smaller or less aligned than libthread9 needs");
THREAD9_ASSERT(sizeof(Rendez) >= THREAD9_RENDEZSIZE && THREAD9_ALIGNOF(Rendez) >= 8 &&
	       offsetof(Rendez, l) == 0,
	       "Rendez: libc.h defines it without its QLock pointer first, or too small");
THREAD9_ASSERT(sizeof(Waitmsg) == 40 && offsetof(Waitmsg, pid) == 0 &&
	       offsetof(Waitmsg, time) == 8 && sizeof(((Waitmsg *)0)->time) == 24 &&
	       offsetof(Waitmsg, msg) == 32,
	       "Waitmsg: libc.h defines it other than libthread9 does {pid, time[3], msg}");
THREAD9_ASSERT(RFNAMEG == 1 << 0 && RFENVG == 1 << 1 && RFFDG == 1 << 2 &&
	       RFNOTEG == 1 << 3 && RFPROC == 1 << 4 && RFMEM == 1 << 5 &&
	       RFNOWAIT == 1 << 6 && RFCNAMEG == 1 << 10 && RFCENVG == 1 << 11 &&
	       RFCFDG == 1 << 12,
	       "RF* (rfork flags): libc.h gives them other values than libthread9 does");

/*
 * lib9's sysfatal (it knows %r) over libthread9's weak one, whatever the
 * link order: a reference to its hook pointer brings in its object.
 */
extern void	(*_sysfatal)(char *, va_list);
static void *const thread9_uselib9sysfatal __attribute__((used, unused)) = (void *)&_sysfatal;
#endif

#ifdef __cplusplus
}
#endif

#endif /* SEGCTL_THREAD_H */
