// SPDX-License-Identifier: MIT
/*
 * global.c: global segments, Plan 9's segment(3), in configfs (doc/contract.md §1.8):
 * made by name, placed once through ctl, contents through data, attached
 * by name at their place, removed by name while the memory lives on.
 * Permission to attach follows the data file's mode.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "common.h"

#define GDIR	"/sys/kernel/config/segment"
#define GVA	0x30000000UL

static void write_file(const char *path, const char *s, int want)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	ASSERT(fd >= 0, "%s: %s", path, strerror(errno));
	n = write(fd, s, strlen(s));
	/* configfs reports a bad ctl message from write, data at close. */
	if (close(fd) < 0 && n >= 0)
		n = -1;
	if (want == 0)
		EXPECT(n == (ssize_t)strlen(s), "%s <- '%s': %s", path, s, strerror(errno));
	else
		EXPECT(n < 0 && errno == want, "%s <- '%s': %zd, errno %d (%s), want %s",
		       path, s, n, errno, strerror(errno), strerror(want));
}

/* Make the global segment NAME; with va and len, place it. */
static void make(const char *name, unsigned long va, unsigned long len)
{
	char path[128], ctl[64];

	snprintf(path, sizeof(path), GDIR "/%s", name);
	ASSERT(mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
	if (len) {
		snprintf(path, sizeof(path), GDIR "/%s/ctl", name);
		snprintf(ctl, sizeof(ctl), "va %#lx %#lx", va, len);
		write_file(path, ctl, 0);
	}
}

static void unmake(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), GDIR "/%s", name);
	EXPECT(rmdir(path) == 0, "rmdir %s: %s", path, strerror(errno));
}

/* Attach by name; FAILED and errno on error. */
static unsigned long gattach(const char *name, unsigned attr)
{
	struct segctl_attach a = {
		.attr = attr,
		.seg_class = SEGCTL_CLASS_GLOBAL,
		.name = (unsigned long)name,
	};

	return attach_raw(&a) < 0 ? FAILED : a.va;
}

static void setup(void)
{
	struct stat st;

	if (stat(GDIR, &st) < 0)
		mount("configfs", "/sys/kernel/config", "configfs", 0, NULL);
	ASSERT(stat(GDIR, &st) == 0 && S_ISDIR(st.st_mode), GDIR ": %s", strerror(errno));
}

TEST(make_place_and_read_back)
{
	char *ctl;

	setup();
	make("g1", GVA, 0x3001);	/* the end rounds up to a page */
	ctl = slurp(GDIR "/g1/ctl", NULL);
	ASSERT(ctl != NULL);
	EXPECT(strcmp(ctl, "va 0x30000000 0x4000\n") == 0, "ctl reads '%s'", ctl);
	free(ctl);
	/* Settable once, as on Plan 9. */
	write_file(GDIR "/g1/ctl", "va 0x40000000 0x1000", EEXIST);
	unmake("g1");
}

TEST(bad_ctl_messages)
{
	char buf[8];
	int fd;

	setup();
	make("g2", 0, 0);
	write_file(GDIR "/g2/ctl", "va 0 0x1000", EINVAL);
	write_file(GDIR "/g2/ctl", "va 0x1000 0", EINVAL);
	write_file(GDIR "/g2/ctl", "va 0x7ffffffff000 0x2000", EINVAL);
	write_file(GDIR "/g2/ctl", "va 0xfffffffffffff000 0x2000", EINVAL);
	write_file(GDIR "/g2/ctl", "size 0x1000", EINVAL);
	/* Not placed yet: nothing to attach, nothing to read. */
	EXPECT_ERRNO(gattach("g2", 0), EINVAL);
	fd = open(GDIR "/g2/data", O_RDONLY);
	ASSERT(fd >= 0, "open data: %s", strerror(errno));
	EXPECT_ERRNO(read(fd, buf, sizeof(buf)), ENXIO);
	close(fd);
	unmake("g2");
}

TEST(data_is_the_memory)
{
	unsigned long va;
	char buf[16] = { 0 };
	int fd;

	setup();
	make("g3", GVA, 2 * PG);
	write_file(GDIR "/g3/data", "hi mom", 0);
	va = gattach("g3", 0);
	ASSERT(va == GVA, "attach: %lx, %s", va, strerror(errno));
	EXPECT(memcmp((char *)va, "hi mom", 7) == 0);
	memcpy((char *)va + PG, "from a process", 15);
	fd = open(GDIR "/g3/data", O_RDONLY);
	ASSERT(fd >= 0);
	EXPECT(pread(fd, buf, 15, PG) == 15 && strcmp(buf, "from a process") == 0,
	       "data reads '%s'", buf);
	close(fd);
	EXPECT(detach(va + PG) == 0);
	EXPECT(unmapped(va, va + 2 * PG));
	unmake("g3");
}

TEST(listed_with_the_names_reference)
{
	unsigned long va;
	struct seg s;

	setup();
	make("g4", GVA, PG);
	va = gattach("g4", SEGCTL_ATTR_RONLY);
	ASSERT(va == GVA);
	ASSERT(find_seg(va, &s));
	EXPECT(strcmp(s.class, "shared") == 0 && strcmp(s.flags, "R    ") == 0 &&
	       s.top == va + PG && s.ref == 2, "%s '%s' %lx %u", s.class, s.flags, s.top, s.ref);
	EXPECT(write_faults(va) == SIGSEGV);
	/* Its size is the name's: segbrk cannot change it. */
	EXPECT_ERRNO(segbrk(va, va + 2 * PG, NULL, NULL), EINVAL);
	EXPECT(detach(va) == 0);
	unmake("g4");
}

TEST(overlap_and_bad_requests)
{
	struct segctl_attach a = { .seg_class = SEGCTL_CLASS_GLOBAL };
	unsigned long va;

	setup();
	make("g5", GVA, PG);
	va = attach(0, MEM, GVA, PG);
	ASSERT(va == GVA);
	EXPECT_ERRNO(gattach("g5", 0), EEXIST);		/* its place is taken */
	EXPECT(detach(va) == 0);
	EXPECT_ERRNO(gattach("nosuch", 0), EINVAL);
	EXPECT_ERRNO(gattach("", 0), EINVAL);
	EXPECT_ERRNO(gattach("g5", SEGCTL_ATTR_COMMIT), EINVAL);
	EXPECT_ERRNO(attach_raw(&a), EINVAL);			/* no name */
	a.name = (unsigned long)"g5";
	a.len = PG;						/* va, len: the name's */
	EXPECT_ERRNO(attach_raw(&a), EINVAL);
	a.len = 0;
	a.name = 8;						/* a bad pointer */
	EXPECT_ERRNO(attach_raw(&a), EFAULT);
	EXPECT(nsegs() == 0);
	unmake("g5");
}

/* rmdir removes the name; the memory lives until the last detach. */
TEST(removed_name_memory_lives)
{
	unsigned long va;

	setup();
	make("g6", GVA, PG);
	va = gattach("g6", 0);
	ASSERT(va == GVA);
	strcpy((char *)va, "still here");
	unmake("g6");
	EXPECT(strcmp((char *)va, "still here") == 0);
	EXPECT_ERRNO(gattach("g6", 0), EINVAL);
	EXPECT(detach(va) == 0);
}

/* Forked children share it; a new image keeps it across exec (§1.6). */
static void child_sees(void *arg)
{
	unsigned long va = (unsigned long)arg;
	struct seg s;

	EXPECT(find_seg(va, &s) && s.ref == 3, "ref %u", s.ref);
	EXPECT(strcmp((char *)va, "parent") == 0);
	strcpy((char *)va, "child");
}

TEST(shared_across_fork)
{
	unsigned long va;

	setup();
	make("g7", GVA, PG);
	va = gattach("g7", 0);
	ASSERT(va == GVA);
	strcpy((char *)va, "parent");
	EXPECT_CHILD(child_sees, (void *)va);
	EXPECT(strcmp((char *)va, "child") == 0);
	EXPECT(detach(va) == 0);
	unmake("g7");
}

/* Permission follows the data file's mode: 0660 root:root at first. */
static void nobody_attaches(void *arg)
{
	int want = (int)(long)arg;

	become_nobody();
	if (want == 0)
		EXPECT(gattach("g8", SEGCTL_ATTR_RONLY) == GVA, "%s", strerror(errno));
	else
		EXPECT_ERRNO(gattach("g8", SEGCTL_ATTR_RONLY), want);
	EXPECT_ERRNO(gattach("g8", 0), EACCES);	/* never write: 0664 at most */
}

TEST(permission_follows_data_mode)
{
	setup();
	make("g8", GVA, PG);
	EXPECT_CHILD(nobody_attaches, (void *)(long)EACCES);
	ASSERT(chmod(GDIR "/g8/data", 0664) == 0, "chmod: %s", strerror(errno));
	EXPECT_CHILD(nobody_attaches, (void *)0L);
	unmake("g8");
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
