// SPDX-License-Identifier: MIT
/*
 * list.c: the listing (doc/contract.md §1.7): read() gives the caller's table, one
 * line a segment, ascending, in the exact format; small reads and lseek
 * give the same text; tasks of one mm see one table; other processes see
 * their own.  The root-only debugfs file lists every table.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

#include "common.h"

TEST(list_empty)
{
	size_t n;
	char *s = listing(&n);

	EXPECT(n == 0, "'%s'", s);
	free(s);
	ASSERT(detach(attach(0, MEM, 0, PG)) == 0);
	s = listing(&n);
	EXPECT(n == 0, "after detach: '%s'", s);
	free(s);
}

/* The whole text, byte for byte. */
TEST(list_exact_text)
{
	unsigned long r = free_range(0x40 * PG), va[4];
	char want[512], line[128], *got;

	va[0] = attach(SEGCTL_ATTR_RONLY | SEGCTL_ATTR_SAS, SHR, r + 0x30 * PG, PG);
	va[1] = attach(SEGCTL_ATTR_NONE | SEGCTL_ATTR_CEXEC, MEM, r + 0x10 * PG, 2 * PG);
	va[2] = attach(SEGCTL_ATTR_COMMIT, MEM, r, 3 * PG);
	va[3] = attach(0, SHR, r + 0x20 * PG, 0x10 * PG);
	ASSERT(va[0] != FAILED && va[1] != FAILED && va[2] != FAILED && va[3] != FAILED);
	want[0] = '\0';
	seg_format(line, sizeof(line), "memory", "  C  ", r, r + 3 * PG, 1);
	strcat(want, line);
	seg_format(line, sizeof(line), "memory", " N  X", r + 0x10 * PG, r + 0x12 * PG, 1);
	strcat(want, line);
	seg_format(line, sizeof(line), "shared", "     ", r + 0x20 * PG, r + 0x30 * PG, 1);
	strcat(want, line);
	seg_format(line, sizeof(line), "shared", "R  S ", r + 0x30 * PG, r + 0x31 * PG, 1);
	strcat(want, line);
	got = listing(NULL);
	EXPECT(strcmp(got, want) == 0, "got\n%swant\n%s", got, want);
	/* One literal line, in case seg_format and the module agree on a mistake. */
	snprintf(line, sizeof(line), "memory   C   %12lx %12lx    1\n", r, r + 3 * PG);
	EXPECT(strncmp(got, line, strlen(line)) == 0, "first line '%.*s'",
	       (int)strlen(line), got);
	free(got);
}

/* Reads of any size give the same text; lseek to 0 starts again. */
TEST(list_small_reads)
{
	size_t chunks[] = { 1, 7, 44, 45, 100 };
	char *whole, buf[8192];
	unsigned i;
	int f;

	for (i = 0; i < 60; i++)
		ASSERT(attach(i % 5 == 0 ? SEGCTL_ATTR_NONE : 0, i % 2 ? SHR : MEM, 0,
			      (i % 3 + 1) * PG) != FAILED);
	whole = listing(NULL);
	EXPECT(strlen(whole) == 60 * 44, "%zu bytes", strlen(whole));
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		size_t n = 0;
		ssize_t r;

		f = open("/dev/segctl", O_RDONLY);
		ASSERT(f >= 0);
		while ((r = read(f, buf + n, chunks[i])) > 0)
			n += r;
		EXPECT(r == 0 && n == strlen(whole) && memcmp(buf, whole, n) == 0,
		       "chunk %zu differs", chunks[i]);
		ASSERT(lseek(f, 0, SEEK_SET) == 0);
		r = read(f, buf, sizeof(buf));
		EXPECT(r == (ssize_t)strlen(whole) && memcmp(buf, whole, r) == 0,
		       "after lseek: %zd", r);
		close(f);
	}
	free(whole);
}

/* The table changing between two reads of one listing: still well formed. */
TEST(list_changes_between_reads)
{
	unsigned long va[20];
	char buf[4096];
	size_t n = 0;
	ssize_t r;
	int i, f;

	for (i = 0; i < 20; i++)
		ASSERT((va[i] = attach(0, MEM, 0, PG)) != FAILED);
	f = open("/dev/segctl", O_RDONLY);
	ASSERT(f >= 0);
	ASSERT(read(f, buf, 44 * 5) == 44 * 5);
	n = 44 * 5;
	for (i = 0; i < 20; i += 2)
		ASSERT(detach(va[i]) == 0);
	while ((r = read(f, buf + n, 100)) > 0)
		n += r;
	close(f);
	buf[n] = '\0';
	EXPECT(n % 44 == 0 && n <= 20 * 44, "%zu bytes:\n%s", n, buf);
	EXPECT(nsegs() == 10);
}

static void *attach_in_thread(void *arg)
{
	return (void *)attach(SEGCTL_ATTR_SAS, SHR, 0, (unsigned long)arg);
}

/* Tasks of one mm share the table (SG_SAS on Linux). */
TEST(list_threads_share)
{
	pthread_t t;
	void *ret;
	unsigned long mine = attach(0, MEM, 0, PG);
	struct seg s;

	ASSERT(mine != FAILED);
	ASSERT(pthread_create(&t, NULL, attach_in_thread, (void *)(3 * PG)) == 0);
	ASSERT(pthread_join(t, &ret) == 0);
	ASSERT((unsigned long)ret != FAILED);
	EXPECT(nsegs() == 2);
	EXPECT(find_seg((unsigned long)ret, &s) && strcmp(s.flags, "   S ") == 0 &&
	       s.top == (unsigned long)ret + 3 * PG);
	EXPECT(detach((unsigned long)ret + PG) == 0, "a thread's segment is not ours");
	EXPECT(nsegs() == 1 && param("tables") == 1);
}

/* Another process has its own table. */
TEST(list_per_process)
{
	unsigned long va = 0;
	pid_t pid;
	int go[2];

	/* The child is forked before anything is attached: no table to copy. */
	ASSERT(pipe(go) == 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &va, sizeof(va)) != sizeof(va))
			_exit(3);
		_exit(nsegs() == 0 && detach(va) == -1 && errno == EINVAL &&
		      attach(0, SHR, 0, PG) != FAILED && nsegs() == 1 ? 0 : 1);
	}
	close(go[0]);
	va = attach(0, MEM, 0, 2 * PG);
	ASSERT(va != FAILED);
	ASSERT(write(go[1], &va, sizeof(va)) == sizeof(va));
	EXPECT(wait_for(pid) == 0, "child saw the parent's table");
	EXPECT(nsegs() == 1 && mapped(va, va + 2 * PG));
}

TEST(debugfs_tables)
{
	unsigned long a = attach(SEGCTL_ATTR_COMMIT, MEM, 0, 2 * PG);
	unsigned long b = attach(SEGCTL_ATTR_RONLY, SHR, 0, PG);
	char *dbg, *mine, head[128], line[128], *listed;
	long tables, segs, committed, limit, arenas, spans;
	struct stat st;

	ASSERT(a != FAILED && b != FAILED);
	ASSERT(stat("/sys/kernel/debug/segctl/tables", &st) == 0, "%s", strerror(errno));
	EXPECT((st.st_mode & 0777) == 0400, "mode %o", st.st_mode & 0777);
	dbg = slurp("/sys/kernel/debug/segctl/tables", NULL);
	ASSERT(dbg != NULL, "%s", strerror(errno));
	ASSERT(sscanf(dbg, "tables %ld segments %ld committed %ld limit %ld arenas %ld spans %ld\n",
		      &tables, &segs, &committed, &limit, &arenas, &spans) == 6,
	       "first line of\n%s", dbg);
	EXPECT(tables == 1 && segs == 2 && committed == 2 && limit == param("commit_limit") &&
	       arenas == 0 && spans == 0, "%s", dbg);
	snprintf(head, sizeof(head), "\npid %d segments 2 commit 2\n", getpid());
	mine = strstr(dbg, head);
	ASSERT(mine != NULL, "no '%s' in\n%s", head + 1, dbg);
	listed = listing(NULL);
	/* Our segments follow, each listing line tab-indented. */
	mine += strlen(head);
	for (char *p = listed, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		snprintf(line, sizeof(line), "\t%.*s", (int)(nl - p + 1), p);
		EXPECT(strncmp(mine, line, strlen(line)) == 0, "want '%s' in\n%s", line, dbg);
		mine += strlen(line);
	}
	EXPECT(*mine == '\0', "more after our table:\n%s", mine);
	free(listed);
	free(dbg);
}

COUNTERS_ZERO_TEST

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
