// SPDX-License-Identifier: MIT
/*
 * device.c: /dev/segctl itself: its mode, the version handshake, and the
 * ioctl rules every command shares (doc/contract.md §2): dispatch by number, the size
 * field (short, long with a zero or non-zero tail), bad pointers, unknown
 * commands, reserved fields.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common.h"

TEST(dev_is_misc_0666)
{
	struct stat st;

	ASSERT(stat("/dev/segctl", &st) == 0);
	EXPECT(S_ISCHR(st.st_mode));
	EXPECT((st.st_mode & 07777) == 0666, "mode %o", st.st_mode & 07777);
	EXPECT(major(st.st_rdev) == 10, "major %u (misc is 10)", major(st.st_rdev));
}

TEST(version_handshake)
{
	struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };

	ASSERT(segioctl(SEGCTL_VERSION, &v) == 0, "%s", strerror(errno));
	EXPECT(v.size == sizeof(v));
	EXPECT(v.api == SEGCTL_API);
	EXPECT(v.features == SEGCTL_FEAT_ALL, "features %llx", (unsigned long long)v.features);
	EXPECT(v.attrs == SEGCTL_ATTR_ALL, "attrs %llo", (unsigned long long)v.attrs);
	EXPECT(v.commit_limit == (unsigned long)param("commit_limit") && v.commit_limit > 0,
	       "commit_limit %llu", (unsigned long long)v.commit_limit);
}

TEST(version_bad_api)
{
	unsigned apis[] = { 0, SEGCTL_API + 1, 0xffffffff };
	unsigned i;

	for (i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
		struct segctl_version v = { .size = sizeof(v), .api = apis[i] };

		EXPECT_ERRNO(segioctl(SEGCTL_VERSION, &v), EINVAL);
		EXPECT(v.features == 0 && v.attrs == 0 && v.commit_limit == 0,
		       "api %u: struct written on error", apis[i]);
	}
}

/* The size field, not the command's size bits, says how much was passed. */
TEST(version_short_struct)
{
	struct segctl_version v;

	memset(&v, 0xa5, sizeof(v));
	v.size = 8;		/* up to api */
	v.api = SEGCTL_API;
	ASSERT(segioctl(SEGCTL_VERSION, &v) == 0, "%s", strerror(errno));
	EXPECT(v.size == 8 && v.api == SEGCTL_API);
	EXPECT(v.features == 0xa5a5a5a5a5a5a5a5ULL, "wrote past the caller's size");
	v.size = 7;
	EXPECT_ERRNO(segioctl(SEGCTL_VERSION, &v), EINVAL);
	v.size = 0;
	EXPECT_ERRNO(segioctl(SEGCTL_VERSION, &v), EINVAL);
	v.size = 4;
	EXPECT_ERRNO(segioctl(SEGCTL_VERSION, &v), EINVAL);
}

TEST(version_long_struct)
{
	unsigned char buf[256];
	struct segctl_version *v = (void *)buf;
	size_t i;

	memset(buf, 0, sizeof(buf));
	v->size = sizeof(buf);
	v->api = SEGCTL_API;
	ASSERT(segioctl(SEGCTL_VERSION, buf) == 0, "zero tail: %s", strerror(errno));
	EXPECT(v->features == SEGCTL_FEAT_ALL);
	for (i = sizeof(*v); i < sizeof(buf); i++)
		EXPECT(buf[i] == 0, "tail byte %zu written: %x", i, buf[i]);
	for (i = sizeof(*v); i < sizeof(buf); i += 37) {
		memset(buf, 0, sizeof(buf));
		v->size = sizeof(buf);
		v->api = SEGCTL_API;
		buf[i] = 1;
		EXPECT_ERRNO(segioctl(SEGCTL_VERSION, buf), E2BIG);
		EXPECT(v->features == 0, "written on E2BIG");
	}
}

TEST(bad_pointers)
{
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct segctl_version *v;
	unsigned long cmds[] = { SEGCTL_VERSION, SEGCTL_ATTACH, SEGCTL_DETACH,
				 SEGCTL_FREE, SEGCTL_BRK, SEGCTL_FLUSH };
	unsigned i;

	ASSERT(p != MAP_FAILED);
	ASSERT(mprotect(p + PG, PG, PROT_NONE) == 0);
	for (i = 0; i < 6; i++) {
		EXPECT_ERRNO(ioctl(segfd(), cmds[i], NULL), EFAULT);
		EXPECT_ERRNO(ioctl(segfd(), cmds[i], p + PG), EFAULT);
		EXPECT_ERRNO(ioctl(segfd(), cmds[i], 0xffff888000000000UL), EFAULT);
		EXPECT_ERRNO(ioctl(segfd(), cmds[i], 0xffffffffff600000UL), EFAULT);
		EXPECT_ERRNO(ioctl(segfd(), cmds[i], USER_TOP), EFAULT);
	}
	/* The size field readable, the struct running into the hole. */
	v = (void *)(p + PG - 8);
	v->size = sizeof(*v);
	v->api = SEGCTL_API;
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_VERSION, v), EFAULT);
	/* A long struct whose tail runs into the hole. */
	v = (void *)p;
	memset(p, 0, PG);
	v->size = 2 * PG;
	v->api = SEGCTL_API;
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_VERSION, v), EFAULT);
	/* A read-only struct: read fine, cannot be written back. */
	v->size = sizeof(*v);
	ASSERT(mprotect(p, PG, PROT_READ) == 0);
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_VERSION, v), EFAULT);
	EXPECT(nsegs() == 0);
}

TEST(unknown_commands)
{
	struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };
	unsigned long bad[] = {
		_IOWR(SEGCTL_MAGIC, 0x08, struct segctl_range),
		_IOWR(SEGCTL_MAGIC, 0x09, struct segctl_range),
		_IOWR(SEGCTL_MAGIC, 0xff, struct segctl_range),
		_IOWR(SEGCTL_MAGIC + 1, 0x00, struct segctl_version),
		_IOWR('T', 0x00, struct segctl_version),
		_IOR(SEGCTL_MAGIC, 0x00, struct segctl_version),
		_IOW(SEGCTL_MAGIC, 0x00, struct segctl_version),
		_IO(SEGCTL_MAGIC, 0x00),
		TCGETS, FIONREAD,
	};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT(ioctl(segfd(), bad[i], &v) == -1 && errno == ENOTTY,
		       "cmd %lx: errno %d", bad[i], errno);
	}
	EXPECT(v.features == 0);
}

/* Dispatch is by number: the size bits of the command do not matter. */
TEST(dispatch_by_number)
{
	struct segctl_version v = { .size = sizeof(v), .api = SEGCTL_API };

	ASSERT(ioctl(segfd(), _IOWR(SEGCTL_MAGIC, 0x00, char[8]), &v) == 0,
	       "%s", strerror(errno));
	EXPECT(v.features == SEGCTL_FEAT_ALL);
}

/* Each command's minimum size is the end of its last mandatory field. */
TEST(minimum_sizes)
{
	struct segctl_attach a = { .attr = 0, .seg_class = MEM, .len = PG, .guard = PG };
	struct segctl_detach d = { 0 };
	struct segctl_range r = { 0 };
	struct segctl_brk b = { 0 };
	struct seg s;

	a.size = offsetof(struct segctl_attach, len) + 7;
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_ATTACH, &a), EINVAL);
	EXPECT(nsegs() == 0);
	/* Without guard: a plain attach, and guard is not written back. */
	a.size = offsetof(struct segctl_attach, guard);
	ASSERT(ioctl(segfd(), SEGCTL_ATTACH, &a) == 0, "%s", strerror(errno));
	EXPECT(a.guard == PG, "guard written past the caller's size");
	EXPECT(a.len == PG && a.va % PG == 0 && a.va != 0);
	EXPECT(nsegs() == 1 && find_seg(a.va, &s) && s.top == a.va + PG,
	       "a short attach made a guarded segment");

	b.size = offsetof(struct segctl_brk, addr) + 7;
	b.saddr = a.va;
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_BRK, &b), EINVAL);
	b.size = offsetof(struct segctl_brk, base);
	b.base = 0x1234;
	ASSERT(ioctl(segfd(), SEGCTL_BRK, &b) == 0, "%s", strerror(errno));
	EXPECT(b.base == 0x1234, "base written past the caller's size");

	r.size = offsetof(struct segctl_range, len) + 7;
	r.va = a.va;
	r.len = PG;
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_FLUSH, &r), EINVAL);
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_FREE, &r), EINVAL);
	r.size = offsetof(struct segctl_range, len) + 8;
	EXPECT(ioctl(segfd(), SEGCTL_FLUSH, &r) == 0);
	EXPECT(ioctl(segfd(), SEGCTL_FREE, &r) == 0);

	d.size = offsetof(struct segctl_detach, addr) + 7;
	d.addr = a.va;
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_DETACH, &d), EINVAL);
	EXPECT(nsegs() == 1);
	d.size = 0;
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_DETACH, &d), EINVAL);
	d.size = sizeof(d);
	EXPECT(ioctl(segfd(), SEGCTL_DETACH, &d) == 0);
	EXPECT(nsegs() == 0);
}

/* A longer struct than the module knows: zero tail fine, else E2BIG. */
TEST(long_structs)
{
	struct {
		struct segctl_attach a;
		unsigned long long more[4];
	} big;
	struct {
		struct segctl_detach d;
		unsigned long long more;
	} dbig;

	memset(&big, 0, sizeof(big));
	big.a.size = sizeof(big);
	big.a.seg_class = MEM;
	big.a.len = PG;
	big.more[3] = 1;
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_ATTACH, &big), E2BIG);
	EXPECT(nsegs() == 0 && big.a.va == 0, "E2BIG attach changed something");
	big.more[3] = 0;
	ASSERT(ioctl(segfd(), SEGCTL_ATTACH, &big) == 0, "%s", strerror(errno));
	EXPECT(big.a.va != 0 && nsegs() == 1 && big.more[0] == 0);

	memset(&dbig, 0, sizeof(dbig));
	dbig.d.size = sizeof(dbig);
	dbig.d.addr = big.a.va;
	dbig.more = 1ULL << 63;
	EXPECT_ERRNO(ioctl(segfd(), SEGCTL_DETACH, &dbig), E2BIG);
	EXPECT(nsegs() == 1);
	dbig.more = 0;
	EXPECT(ioctl(segfd(), SEGCTL_DETACH, &dbig) == 0);
	EXPECT(nsegs() == 0);
}

/* Reserved fields and flags: EINVAL, nothing done. */
TEST(reserved_fields)
{
	unsigned long va = attach(0, MEM, 0, 2 * PG);
	struct segctl_attach a = { .seg_class = MEM, .len = PG, .__reserved = 1 };
	struct segctl_detach d = { .size = sizeof(d), .flags = 1, .addr = va };
	struct segctl_range r = { .size = sizeof(r), .flags = 0x80000000, .va = va, .len = PG };
	struct segctl_brk b = { .size = sizeof(b), .flags = 2, .saddr = va, .addr = va + PG };
	struct seg s;

	ASSERT(va != FAILED);
	*(volatile char *)va = 7;
	EXPECT_ERRNO(attach_raw(&a), EINVAL);
	EXPECT_ERRNO(segioctl(SEGCTL_DETACH, &d), EINVAL);
	EXPECT_ERRNO(segioctl(SEGCTL_FREE, &r), EINVAL);
	EXPECT_ERRNO(segioctl(SEGCTL_FLUSH, &r), EINVAL);
	EXPECT_ERRNO(segioctl(SEGCTL_BRK, &b), EINVAL);
	EXPECT(nsegs() == 1 && find_seg(va, &s) && s.top == va + 2 * PG,
	       "a rejected call changed the table");
	EXPECT(*(volatile char *)va == 7, "a rejected segfree freed");
}

/* No table yet: the listing is empty and calls needing one say EINVAL. */
TEST(no_table)
{
	size_t n;
	char *s = listing(&n);

	EXPECT(n == 0, "listing '%s'", s);
	free(s);
	EXPECT_ERRNO(detach(0x10000000), EINVAL);
	EXPECT_ERRNO(segfree(0x10000000, PG), EINVAL);
	EXPECT_ERRNO(segflush(0x10000000, PG), EINVAL);
	EXPECT_ERRNO(segbrk(0x10000000, 0, NULL, NULL), EINVAL);
	EXPECT(param("tables") == 0, "a failed call made a table");
}

/* Writing to the device is not a way in. */
TEST(write_refused)
{
	int f = open("/dev/segctl", O_RDWR);

	ASSERT(f >= 0);
	EXPECT(write(f, "memory", 6) < 0);
	close(f);
	EXPECT(nsegs() == 0);
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
