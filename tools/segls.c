// SPDX-License-Identifier: MIT
/*
 * segls: print a program's segments in the doc/contract.md §1.7 layout.
 *
 *	segls [-o FILE] CMD [ARG...]	run CMD; print its table when it exits
 *	segls -p PID			print, now, the table of a program
 *					started under segls
 *	segls -h, segls --help		usage, on standard output
 *
 * The table lives in the program (user backend) or in the kernel for the
 * program's mm (kernel backend); either way only the program itself can
 * read it.  So segls preloads libsegls.so, which prints the table at exit
 * and answers on the abstract unix socket "segls.PID" while it runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usagetext[] =
	"usage: segls [-o file] cmd [arg...]\n"
	"       segls -p pid\n";

/* Asked for (-h): stdout, success.  A mistake: stderr, status 2. */
static void
usage(int asked)
{
	fputs(usagetext, asked ? stdout : stderr);
	exit(asked ? 0 : 2);
}

/*
 * The table is written by the program at its exit, long after any mistake
 * could be reported: make (or truncate) the file now, so that a file that
 * cannot be written fails here, before the program runs.  The program gets
 * its absolute name, in case it changes directory.
 */
static const char *
checkout(const char *out, char *abs)
{
	int fd;

	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || realpath(out, abs) == NULL) {
		fprintf(stderr, "segls: %s: %s\n", out, strerror(errno));
		exit(1);
	}
	close(fd);
	return abs;
}

/*
 * libsegls.so: $SEGLS_LIB; else, for the segls installed in SEGLS_BINDIR,
 * the one installed with it (SEGLS_HELPER, both fixed when segls is
 * built); else (segls in its build tree, or a staged install) the one
 * in ../lib/segctl next to this binary.
 */
static void
preload(char *buf, size_t n)
{
	char exe[PATH_MAX], *dir;
	const char *env;
	ssize_t k;

	env = getenv("SEGLS_LIB");
	if (env != NULL) {
		snprintf(buf, n, "%s", env);
		return;
	}
	k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k < 0) {
		fprintf(stderr, "segls: /proc/self/exe: %s\n", strerror(errno));
		exit(1);
	}
	exe[k] = 0;
	dir = dirname(exe);
	if (strcmp(dir, SEGLS_BINDIR) == 0)
		snprintf(buf, n, "%s", SEGLS_HELPER);
	else
		snprintf(buf, n, "%s/../lib/segctl/libsegls.so", dir);
}

static int
run(char **argv, const char *out)
{
	char lib[PATH_MAX + 32], pre[2 * PATH_MAX + 64], pid[32];
	const char *old;
	int status;
	pid_t p;

	preload(lib, sizeof lib);
	if (access(lib, R_OK) < 0) {
		fprintf(stderr, "segls: %s: %s\n", lib, strerror(errno));
		return 1;
	}
	p = fork();
	if (p < 0) {
		fprintf(stderr, "segls: fork: %s\n", strerror(errno));
		return 1;
	}
	if (p == 0) {
		old = getenv("LD_PRELOAD");
		snprintf(pre, sizeof pre, "%s%s%s", lib, old ? " " : "", old ? old : "");
		snprintf(pid, sizeof pid, "%d", (int)getpid());
		setenv("LD_PRELOAD", pre, 1);
		setenv("SEGLS_PID", pid, 1);
		if (out != NULL)
			setenv("SEGLS_OUT", out, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "segls: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(p, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Ask the program's libsegls for its table: see seglspreload.c. */
static int
ask(const char *spid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	socklen_t len;
	ssize_t n;
	char *end;
	long pid;
	int s;

	pid = strtol(spid, &end, 10);
	if (*spid == 0 || *end != 0 || pid <= 0)
		usage(0);
	len = offsetof(struct sockaddr_un, sun_path) + 1 +
	      snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "segls.%ld", pid);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, len) < 0) {
		fprintf(stderr, "segls: %ld: %s (not a program started under segls?)\n", pid,
			strerror(errno));
		return 1;
	}
	while ((n = read(s, buf, sizeof buf)) > 0)
		if (write(1, buf, n) != n)
			return 1;
	close(s);
	return n < 0;
}

int
main(int argc, char **argv)
{
	char abs[PATH_MAX];
	const char *out;
	int c;

	out = NULL;
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		usage(1);
	while ((c = getopt(argc, argv, "+ho:p:")) != -1) {
		switch (c) {
		case 'h':
			usage(1);
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			if (optind != argc || out != NULL)
				usage(0);
			return ask(optarg);
		default:
			usage(0);
		}
	}
	if (optind == argc)
		usage(0);
	if (out != NULL)
		out = checkout(out, abs);
	return run(argv + optind, out);
}
