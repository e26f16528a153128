// SPDX-License-Identifier: MIT
/*
 * segdemo: attach one segment of each kind, then print the table as Plan 9
 * would show /proc/n/segment.  'make run' shows it until the benchmark runs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seg.h>

static void *attach(int attr, const char *cls, unsigned long len)
{
	void *p = segattach(attr, cls, 0, len);

	if (p == (void *)-1) {
		fprintf(stderr, "segdemo: segattach(%#o, %s, %lu): %s\n",
			attr, cls, len, segerrstr());
		exit(1);
	}
	return p;
}

int main(void)
{
	char buf[4096];
	ssize_t n;
	int fd;
	char *mem, *stk;

	printf("backend: %s\n", segbackendname());
	mem = attach(0, "memory", 1 << 20);
	strcpy(mem, "hello, segment");
	attach(SG_RONLY, "shared", 64 << 10);
	attach(SG_COMMIT, "memory", 256 << 10);
	attach(SG_NONE, "memory", 4096);
	stk = segattachguarded(SG_NOEXEC, "memory", 0, 64 << 10, 4096);
	if (stk == (void *)-1) {
		fprintf(stderr, "segdemo: segattachguarded: %s\n", segerrstr());
		return 1;
	}
	fd = open("/dev/segctl", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("segdemo: /dev/segctl");
		return 1;
	}
	printf("segments (class, flags, base, top, ref):\n");
	while ((n = read(fd, buf, sizeof buf)) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	return 0;
}
