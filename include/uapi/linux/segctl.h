/* SPDX-License-Identifier: ((GPL-2.0-only WITH Linux-syscall-note) OR MIT) */
/*
 * segctl: Plan 9 memory segments on Linux.  The one definition of the ABI
 * between the segctl module (/dev/segctl) and user space.
 *
 * Every request struct starts with its own size in bytes.  The module reads
 * the size the caller gives: a shorter struct is zero-extended, a longer one
 * is accepted only if the bytes the module does not know are zero (E2BIG
 * otherwise).  Reserved fields and unknown flag or attribute bits must be
 * zero (EINVAL otherwise).  Addresses and lengths are __u64.
 *
 * Every request acts on the address space (mm) of the calling task.
 * read() on the device returns the caller's segment table as text.
 */
#ifndef _UAPI_LINUX_SEGCTL_H
#define _UAPI_LINUX_SEGCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define SEGCTL_API		1

/* Segment attributes: Plan 9's octal values (libc.h, portdat.h). */
#define SEGCTL_ATTR_RONLY	0000040	/* read-only */
#define SEGCTL_ATTR_CEXEC	0000100	/* detach at exec */
#define SEGCTL_ATTR_NONE	0000200	/* redzone: every access faults */
#define SEGCTL_ATTR_NOEXEC	0002000	/* not executable */
#define SEGCTL_ATTR_COMMIT	0004000	/* faulted in and locked at attach */
#define SEGCTL_ATTR_SAS		0010000	/* shared by all tasks of the mm */
#define SEGCTL_ATTR_ALL		(SEGCTL_ATTR_RONLY | SEGCTL_ATTR_CEXEC | \
				 SEGCTL_ATTR_NONE | SEGCTL_ATTR_NOEXEC | \
				 SEGCTL_ATTR_COMMIT | SEGCTL_ATTR_SAS)

/* Segment classes. */
#define SEGCTL_CLASS_MEMORY	1	/* private anonymous, copy-on-write */
#define SEGCTL_CLASS_SHARED	2	/* anonymous shared memory */
#define SEGCTL_CLASS_GLOBAL	3	/* a named global segment (Plan 9 #g) */

/* Longest global segment name, with its NUL. */
#define SEGCTL_NAME_MAX		64

/* Features reported by SEGCTL_VERSION. */
#define SEGCTL_FEAT_GUARDED	(1ULL << 0)	/* attach with redzones */
#define SEGCTL_FEAT_FORK	(1ULL << 1)	/* fork copies the table */
#define SEGCTL_FEAT_GLOBAL	(1ULL << 2)	/* global segments (configfs) */
#define SEGCTL_FEAT_ARENA	(1ULL << 3)	/* guarded bodies in stack arenas */
#define SEGCTL_FEAT_BATCH	(1ULL << 4)	/* SEGCTL_ATTACHN, SEGCTL_DETACHN */
#define SEGCTL_FEAT_ALL		(SEGCTL_FEAT_GUARDED | SEGCTL_FEAT_FORK | \
				 SEGCTL_FEAT_GLOBAL | SEGCTL_FEAT_ARENA | \
				 SEGCTL_FEAT_BATCH)

/* Most segments one SEGCTL_ATTACHN or SEGCTL_DETACHN acts on. */
#define SEGCTL_BATCH_MAX	1024

/**
 * struct segctl_version - API handshake
 * @size:	sizeof(struct segctl_version)
 * @api:	in: the API the caller speaks (SEGCTL_API); out: the module's
 * @features:	out: SEGCTL_FEAT_* the module implements
 * @attrs:	out: attribute bits the module accepts
 * @commit_limit: out: module-wide cap on committed memory, in pages
 *
 * Fails with EINVAL if @api is not one the module speaks.
 */
struct segctl_version {
	__u32 size;
	__u32 api;
	__u64 features;
	__u64 attrs;
	__u64 commit_limit;
};

/**
 * struct segctl_attach - segattach, and segattachguarded when @guard != 0
 * @size:	sizeof(struct segctl_attach)
 * @attr:	SEGCTL_ATTR_* bits
 * @seg_class:	SEGCTL_CLASS_* (not "class": the header is C++ too)
 * @__reserved:	must be 0
 * @va:		in: address wanted, 0 for any; out: base of the segment
 *		(of the body, for a guarded attach)
 * @len:	in: length in bytes; out: rounded length
 * @guard:	bytes of SG_NONE redzone on each side, rounded up to pages;
 *		0 for a plain attach
 * @name:	SEGCTL_CLASS_GLOBAL only (0 otherwise): user pointer to the
 *		segment's NUL-terminated name.  @va, @len and @guard must
 *		then be 0: the segment has its own address and length, which
 *		come back in @va and @len.
 *
 * A guarded "memory" attach with @va 0, without SEGCTL_ATTR_COMMIT,
 * SEGCTL_ATTR_RONLY or SEGCTL_ATTR_NONE, puts its body into a stack arena
 * of the caller's mm when the module reports SEGCTL_FEAT_ARENA (module
 * parameter "arenas"): one mapping holding many bodies, whose redzones and
 * free space are not VMAs but fault (SIGSEGV, SEGV_MAPERR) all the same.
 * The call, its result and the listing are those of any guarded attach.
 *
 * Global segments are made by root in configfs, Plan 9 style:
 *	mkdir /sys/kernel/config/segment/NAME
 *	echo 'va 0x10000000 0x100000' > /sys/kernel/config/segment/NAME/ctl
 * NAME/data holds the contents; attaching needs read (and, unless
 * SEGCTL_ATTR_RONLY, write) permission on it.  rmdir removes the name; the
 * memory lives until the last address space detaches it.
 */
struct segctl_attach {
	__u32 size;
	__u32 attr;
	__u32 seg_class;
	__u32 __reserved;
	__u64 va;
	__u64 len;
	__u64 guard;
	__u64 name;
};

/**
 * struct segctl_detach - segdetach
 * @size:	sizeof(struct segctl_detach)
 * @flags:	must be 0
 * @addr:	any address inside the segment
 */
struct segctl_detach {
	__u32 size;
	__u32 flags;
	__u64 addr;
};

/**
 * struct segctl_range - segfree and segflush
 * @size:	sizeof(struct segctl_range)
 * @flags:	must be 0
 * @va:		start of the span
 * @len:	length of the span in bytes
 */
struct segctl_range {
	__u32 size;
	__u32 flags;
	__u64 va;
	__u64 len;
};

/**
 * struct segctl_brk - segbrk
 * @size:	sizeof(struct segctl_brk)
 * @flags:	must be 0
 * @saddr:	any address inside the segment
 * @addr:	the new end, rounded up to a page; 0 only asks for the base
 * @base:	out: base of the segment
 * @top:	out: end of the segment after the call
 */
struct segctl_brk {
	__u32 size;
	__u32 flags;
	__u64 saddr;
	__u64 addr;
	__u64 base;
	__u64 top;
};

/**
 * struct segctl_attachn - segattachguardedn: @count guarded attaches at once
 * @size:	sizeof(struct segctl_attachn)
 * @flags:	must be 0
 * @attr:	SEGCTL_ATTR_* bits, as for one arena attach
 * @seg_class:	SEGCTL_CLASS_MEMORY
 * @len:	length of each body in bytes, rounded up to pages
 * @guard:	bytes of redzone on each side of each body, rounded up; not 0
 * @addrs:	user pointer to @count __u64: out, the bodies' addresses
 * @count:	how many, 1 to SEGCTL_BATCH_MAX
 * @__reserved:	must be 0
 *
 * Only attaches that go into stack arenas batch (struct segctl_attach):
 * the module must report SEGCTL_FEAT_ARENA, and @attr may not hold
 * SEGCTL_ATTR_COMMIT, SEGCTL_ATTR_RONLY or SEGCTL_ATTR_NONE (EINVAL
 * otherwise).  All or nothing: on any error no segment of the call stays
 * attached.  EFAULT if @addrs cannot be written.
 */
struct segctl_attachn {
	__u32 size;
	__u32 flags;
	__u32 attr;
	__u32 seg_class;
	__u64 len;
	__u64 guard;
	__u64 addrs;
	__u32 count;
	__u32 __reserved;
};

/**
 * struct segctl_detachn - segdetachn: @count arena segments at once
 * @size:	sizeof(struct segctl_detachn)
 * @flags:	must be 0
 * @addrs:	user pointer to @count __u64: an address inside each segment
 * @count:	how many, 1 to SEGCTL_BATCH_MAX
 * @__reserved:	must be 0
 *
 * Every address must lie in a segment an arena attach made (redzones
 * included), each segment named once.  All or nothing: if one is not,
 * none is detached (EINVAL).
 */
struct segctl_detachn {
	__u32 size;
	__u32 flags;
	__u64 addrs;
	__u32 count;
	__u32 __reserved;
};

#define SEGCTL_MAGIC		0xB9

#define SEGCTL_VERSION	_IOWR(SEGCTL_MAGIC, 0x00, struct segctl_version)
#define SEGCTL_ATTACH	_IOWR(SEGCTL_MAGIC, 0x01, struct segctl_attach)
#define SEGCTL_DETACH	_IOWR(SEGCTL_MAGIC, 0x02, struct segctl_detach)
#define SEGCTL_FREE	_IOWR(SEGCTL_MAGIC, 0x03, struct segctl_range)
#define SEGCTL_BRK	_IOWR(SEGCTL_MAGIC, 0x04, struct segctl_brk)
#define SEGCTL_FLUSH	_IOWR(SEGCTL_MAGIC, 0x05, struct segctl_range)
#define SEGCTL_ATTACHN	_IOWR(SEGCTL_MAGIC, 0x06, struct segctl_attachn)
#define SEGCTL_DETACHN	_IOWR(SEGCTL_MAGIC, 0x07, struct segctl_detachn)

/*
 * The module dispatches on the command's type and number; the size field
 * inside the struct, not the size encoded in the command, tells it how many
 * bytes the caller passed.
 */

#endif /* _UAPI_LINUX_SEGCTL_H */
