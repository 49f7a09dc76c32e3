// SPDX-License-Identifier: GPL-2.0
/* Shared helpers of the zswapblk test programs; see common.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static int tap_n, tap_nfail;

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void tap_line(const char *status, const char *fmt, va_list ap,
		     const char *skip)
{
	printf("%s %d - ", status, ++tap_n);
	vprintf(fmt, ap);
	if (skip)
		printf(" # SKIP %s", skip);
	fputc('\n', stdout);
	fflush(stdout);
}

bool tap_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(cond ? "ok" : "not ok", fmt, ap, NULL);
	va_end(ap);
	if (!cond)
		tap_nfail++;
	return cond;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line("ok", fmt, ap, reason);
	va_end(ap);
}

int tap_failures(void)
{
	return tap_nfail;
}

int tap_finish(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_nfail ? 1 : 0;
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line("not ok", fmt, ap, NULL);
	va_end(ap);
	tap_nfail++;
	exit(tap_finish());
}

int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	return 0;
}

int write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return (size_t)n == len ? 0 : -EIO;
}

int read_stat_col(const char *path, unsigned int col, uint64_t *val)
{
	char buf[1024], *p, *end;
	unsigned int i;
	int ret;

	ret = read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	p = buf;
	for (i = 0; ; i++) {
		errno = 0;
		*val = strtoull(p, &end, 10);
		if (end == p || errno)
			return -EINVAL;
		if (i == col)
			return 0;
		p = end;
	}
}

uint64_t vmstat(const char *name)
{
	size_t nlen = strlen(name);
	uint64_t val = UINT64_MAX;
	char line[256];
	FILE *f;

	f = fopen("/proc/vmstat", "re");
	if (!f)
		return val;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, nlen) && line[nlen] == ' ') {
			val = strtoull(line + nlen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

int kernel_version(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return major * 100 + minor;
}

int pagemap_open(void)
{
	return open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
}

uint64_t pagemap_entry(int fd, const void *addr)
{
	uint64_t ent = 0;
	off_t off = (uintptr_t)addr / (uintptr_t)sysconf(_SC_PAGESIZE) * 8;

	if (pread(fd, &ent, sizeof(ent), off) != sizeof(ent))
		return 0;
	return ent;
}

int kpageflags_open(void)
{
	return open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
}

uint64_t kpageflags_get(int fd, uint64_t pfn)
{
	uint64_t flags = 0;

	if (pread(fd, &flags, sizeof(flags), pfn * 8) != sizeof(flags))
		return 0;
	return flags;
}

int run_quiet(char *const argv[])
{
	int status, fd;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#define PAGE_MAGIC 0x7a73776170626c6bULL	/* "zswapblk" */

static uint64_t page_sum(const uint64_t *w, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ w[i]) * 0x100000001b3ULL;
	return h;
}

void page_fill(void *page, size_t size, uint64_t index, uint64_t gen, bool compressible)
{
	uint64_t *w = page, s = prng_seed(index, gen);
	size_t i, n = size / 8;

	w[0] = PAGE_MAGIC ^ index;
	w[1] = index;
	w[2] = gen;
	for (i = 4; i < n; i++)
		w[i] = (compressible && (i & 8)) ? gen * 0x0101010101010101ULL : prng_next(&s);
	w[3] = page_sum(w + 4, n - 4);
}

enum page_err page_check(const void *page, size_t size, uint64_t index, uint64_t gen)
{
	const uint64_t *w = page;
	size_t i, n = size / 8;

	if (w[0] != (PAGE_MAGIC ^ index) || w[1] != index) {
		for (i = 0; i < n && !w[i]; i++)
			;
		return i == n ? PAGE_ZERO : PAGE_WRONG;
	}
	if (w[2] != gen)
		return PAGE_STALE;
	return w[3] == page_sum(w + 4, n - 4) ? PAGE_OK : PAGE_CORRUPT;
}

const char *page_err_str(enum page_err err)
{
	switch (err) {
	case PAGE_OK:		return "ok";
	case PAGE_ZERO:		return "reads as zeros";
	case PAGE_WRONG:	return "holds another page's data";
	case PAGE_STALE:	return "holds a stale generation";
	case PAGE_CORRUPT:	return "fails its checksum";
	}
	return "?";
}
