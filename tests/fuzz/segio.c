// SPDX-License-Identifier: MIT
/* segio.c: see segio.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "segio.h"

unsigned long user_top = 0x7ffffffff000UL;

/*
 * With 5-level paging user space reaches 2^56, but only for those who ask:
 * a fixed mapping just above 2^47 succeeds there and fails with 4 levels.
 */
void segio_init(void)
{
	void *p = mmap((void *)(1UL << 47), PG, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == (void *)(1UL << 47)) {
		user_top = (1UL << 56) - PG;
		munmap(p, PG);
	} else if (p != MAP_FAILED) {
		munmap(p, PG);
	}
}

int seg_open(void)
{
	int fd = open("/dev/segctl", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("Bail out! /dev/segctl: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

int seg_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) == 0 ? 0 : errno;
}

int seg_attach(int fd, unsigned attr, unsigned class, unsigned long *va,
	       unsigned long len, unsigned long guard)
{
	struct segctl_attach a = {
		.size = sizeof(a), .attr = attr, .seg_class = class,
		.va = *va, .len = len, .guard = guard,
	};
	int e = seg_ioctl(fd, SEGCTL_ATTACH, &a);

	if (e == 0)
		*va = a.va;
	return e;
}

int seg_detach(int fd, unsigned long addr)
{
	struct segctl_detach d = { .size = sizeof(d), .addr = addr };

	return seg_ioctl(fd, SEGCTL_DETACH, &d);
}

int seg_free(int fd, unsigned long va, unsigned long len)
{
	struct segctl_range r = { .size = sizeof(r), .va = va, .len = len };

	return seg_ioctl(fd, SEGCTL_FREE, &r);
}

int seg_flush(int fd, unsigned long va, unsigned long len)
{
	struct segctl_range r = { .size = sizeof(r), .va = va, .len = len };

	return seg_ioctl(fd, SEGCTL_FLUSH, &r);
}

int seg_brk(int fd, unsigned long saddr, unsigned long addr,
	    unsigned long *base, unsigned long *top)
{
	struct segctl_brk b = { .size = sizeof(b), .saddr = saddr, .addr = addr };
	int e = seg_ioctl(fd, SEGCTL_BRK, &b);

	if (e == 0 && base)
		*base = b.base;
	if (e == 0 && top)
		*top = b.top;
	return e;
}

int seg_list(int fd, struct seg *v, int max, char *why, size_t whylen)
{
	struct seg *all;
	char *buf;
	int n, i;

	if (lseek(fd, 0, SEEK_SET) != 0) {
		snprintf(why, whylen, "lseek: %s", strerror(errno));
		return -1;
	}
	buf = readall_fd(fd, NULL);
	if (!buf) {
		snprintf(why, whylen, "read: %s", strerror(errno));
		return -1;
	}
	n = segs_parse(buf, user_top, &all, why, whylen);
	free(buf);
	for (i = 0; i < n; i++) {
		if (all[i].class[0] == 'm' && all[i].ref != 1) {
			snprintf(why, whylen, "memory segment %lx with ref %u",
				 all[i].base, all[i].ref);
			n = -1;
			break;
		}
		if (i < max)
			v[i] = all[i];
	}
	free(all);
	return n;
}

/*
 * The stack arenas mapped now (doc/arenas.md), as [lo, hi) pairs into
 * v[2 * max]: how many.  Their bodies and redzones are not VMAs of their
 * own but lie in one "anon_inode:[segctl-arena]" mapping.
 */
#define MAX_ARENAS	64
static int arenas_read(unsigned long *v, int max)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	while (f && n < max && fgets(line, sizeof(line), f))
		if (strstr(line, "[segctl-arena]") &&
		    sscanf(line, "%lx-%lx", &v[2 * n], &v[2 * n + 1]) == 2)
			n++;
	if (f)
		fclose(f);
	return n;
}

/* In an arena: a private rw mapping holding the whole line, its own body. */
static int in_arena(const struct seg *s, const unsigned long *ar, int na,
		    char *why, size_t whylen)
{
	int k;

	for (k = 0; k < na; k++) {
		if (s->base < ar[2 * k] || s->base >= ar[2 * k + 1])
			continue;
		if (s->top > ar[2 * k + 1] || s->class[0] != 'm' || s->flags[0] == 'R') {
			snprintf(why, whylen, "%s %s %lx-%lx: in arena %lx-%lx", s->class,
				 s->flags, s->base, s->top, ar[2 * k], ar[2 * k + 1]);
			return -1;
		}
		return 1;
	}
	return 0;
}

int seg_unmap_arenas(void)
{
	unsigned long ar[2 * MAX_ARENAS];
	int n = arenas_read(ar, MAX_ARENAS), i;

	for (i = 0; i < n; i++)
		munmap((void *)ar[2 * i], ar[2 * i + 1] - ar[2 * i]);
	return n;
}

bool seg_list_matches_maps(const struct seg *v, int n, char *why, size_t whylen)
{
	unsigned long ar[2 * MAX_ARENAS];
	struct map *m;
	int nm = maps_read(&m), i, j = 0, na = arenas_read(ar, MAX_ARENAS), in;

	if (nm < 0) {
		snprintf(why, whylen, "cannot read /proc/self/maps");
		return false;
	}
	for (i = 0; i < n; i++) {
		const struct seg *s = &v[i];
		bool none = s->flags[1] == 'N', ronly = s->flags[0] == 'R';
		char share = (s->class[0] == 's' && !none) ? 's' : 'p';
		unsigned long addr = s->base;

		in = in_arena(s, ar, na, why, whylen);
		if (in < 0)
			goto bad;
		if (in)
			continue;

		while (j < nm && m[j].end <= addr)
			j++;
		for (; addr < s->top; j++) {
			const char *pp;

			if (j >= nm || m[j].start > addr) {
				snprintf(why, whylen, "%s %s %lx-%lx: %lx not mapped",
					 s->class, s->flags, s->base, s->top, addr);
				goto bad;
			}
			pp = m[j].perms;
			if (pp[0] != (none ? '-' : 'r') ||
			    pp[1] != (none || ronly ? '-' : 'w') ||
			    (none && pp[2] != '-') || pp[3] != share) {
				snprintf(why, whylen, "%s %s %lx-%lx: mapped %lx-%lx %s",
					 s->class, s->flags, s->base, s->top,
					 m[j].start, m[j].end, pp);
				goto bad;
			}
			addr = m[j].end;
		}
		if (j > 0)
			j--;
	}
	free(m);
	return true;
bad:
	free(m);
	return false;
}

long seg_param(const char *name)
{
	char path[128], buf[64];
	int fd;
	ssize_t r;

	snprintf(path, sizeof(path), "/sys/module/segctl/parameters/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = '\0';
	return strtol(buf, NULL, 10);
}

int seg_param_set(const char *name, long value)
{
	char path[128], buf[64];
	int fd, e = 0, len;

	snprintf(path, sizeof(path), "/sys/module/segctl/parameters/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", value);
	if (write(fd, buf, len) != len)
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

long proc_status_kb(const char *field)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	size_t flen = strlen(field);
	char *buf, *p;
	long v = -1;

	if (fd < 0)
		return -1;
	buf = readall_fd(fd, NULL);
	close(fd);
	if (!buf)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, field, flen) && p[flen] == ':') {
			v = strtol(p + flen + 1, NULL, 10);
			break;
		}
	}
	free(buf);
	return v;
}

void rng_seed(struct rng *r, uint64_t seed)
{
	/* splitmix64 of the seed, so that nearby seeds diverge at once. */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	r->s = (z ^ (z >> 31)) | 1;
}

uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
