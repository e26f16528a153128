// SPDX-License-Identifier: MIT
/* maps.c: see maps.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps.h"

#define PG	4096UL

char *readall_fd(int fd, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;
	int e;

	if (!buf)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			nb = realloc(buf, cap *= 2);
			if (!nb)
				goto fail;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	e = errno;
	free(buf);
	errno = e;
	return NULL;
}

char *readall(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = readall_fd(fd, len);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

int maps_read(struct map **out)
{
	char *text = readall("/proc/self/maps", NULL), *line, *nl;
	struct map *v = NULL, *nv;
	int n = 0, cap = 0;

	if (!text)
		return -1;
	for (line = text; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto fail;
			v = nv;
		}
		if (sscanf(line, "%lx-%lx %4s", &v[n].start, &v[n].end,
			   v[n].perms) != 3) {
			errno = EPROTO;
			goto fail;
		}
		n++;
	}
	free(text);
	*out = v;
	return n;
fail:
	free(text);
	free(v);
	return -1;
}

int maps_overlap(unsigned long lo, unsigned long hi, struct map *m)
{
	struct map *v;
	int i, n = maps_read(&v), found = 0;

	if (n < 0)
		return -1;
	for (i = 0; i < n && !found; i++) {
		if (v[i].start < hi && lo < v[i].end) {
			if (m)
				*m = v[i];
			found = 1;
		}
	}
	free(v);
	return found;
}

void seg_format(char *buf, size_t n, const char *class, const char *flags,
		unsigned long base, unsigned long top, unsigned ref)
{
	snprintf(buf, n, "%-6s %-5.5s %12lx %12lx %4u\n", class, flags, base,
		 top, ref);
}

bool seg_parse(const char *line, struct seg *s, char *why, size_t whylen)
{
	static const char letters[] = "RNCSX";
	char again[128];
	size_t len = strlen(line);
	int i;

	if (len < 13 || len > 100 || line[6] != ' ' || line[12] != ' ' ||
	    (strncmp(line, "memory", 6) && strncmp(line, "shared", 6))) {
		snprintf(why, whylen, "class in '%s'", line);
		return false;
	}
	memcpy(s->class, line, 6);
	s->class[6] = '\0';
	memcpy(s->flags, line + 7, 5);
	s->flags[5] = '\0';
	for (i = 0; i < 5; i++) {
		if (s->flags[i] != ' ' && s->flags[i] != letters[i]) {
			snprintf(why, whylen, "flag column %d in '%s'", i, line);
			return false;
		}
	}
	if (sscanf(line + 13, "%lx %lx %u", &s->base, &s->top, &s->ref) != 3 ||
	    s->ref < 1) {
		snprintf(why, whylen, "numbers in '%s'", line);
		return false;
	}
	seg_format(again, sizeof(again), s->class, s->flags, s->base, s->top,
		   s->ref);
	again[strlen(again) - 1] = '\0';
	if (strcmp(again, line) != 0) {
		snprintf(why, whylen, "'%s' is not in the format '%s'", line,
			 again);
		return false;
	}
	return true;
}

int segs_parse(const char *text, unsigned long top, struct seg **out,
	       char *why, size_t whylen)
{
	struct seg *v = NULL, *nv;
	unsigned long prev = 0;
	int n = 0, cap = 0;
	char line[128];
	const char *p, *nl;

	for (p = text; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl) {
			snprintf(why, whylen, "unterminated line '%.60s'", p);
			goto bad;
		}
		if ((size_t)(nl - p) >= sizeof(line)) {
			snprintf(why, whylen, "long line '%.60s'", p);
			goto bad;
		}
		memcpy(line, p, nl - p);
		line[nl - p] = '\0';
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				snprintf(why, whylen, "out of memory");
				goto bad;
			}
			v = nv;
		}
		if (!seg_parse(line, &v[n], why, whylen))
			goto bad;
		if ((v[n].base | v[n].top) & (PG - 1) || v[n].base >= v[n].top ||
		    v[n].top > top || v[n].base < prev) {
			snprintf(why, whylen, "range in '%s' (previous top %lx)",
				 line, prev);
			goto bad;
		}
		prev = v[n].top;
		n++;
	}
	*out = v;
	return n;
bad:
	free(v);
	*out = NULL;
	return -1;
}
