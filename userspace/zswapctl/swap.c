// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Swap areas and mount points: /proc/swaps, /proc/mounts, mkswap(8),
 * swapon(2) and swapoff(2).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zswapctl.h"

/* Undo the octal escapes (\040 for a space) of /proc/swaps and mounts. */
static void unmangle(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
				      (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

/**
 * swaps_read() - parse <sysroot>/proc/swaps
 * @ents: malloc'ed array of the active swap areas
 * @n: number of entries
 *
 * Return: 0 or -errno.
 */
int swaps_read(struct swap_entry **ents, size_t *n)
{
	char *p = sysroot_path("/proc/swaps");
	char line[PATH_MAX + 128], path[PATH_MAX + 1], type[16];
	size_t alloc = 4;
	unsigned long long size, used;
	int prio;
	FILE *f;

	*n = 0;
	*ents = NULL;
	f = fopen(p, "re");
	free(p);
	if (!f)
		return -errno;
	*ents = xcalloc(alloc, sizeof(**ents));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%4096s %15s %llu %llu %d", path, type, &size,
			   &used, &prio) != 5)
			continue;		/* the header line */
		if (*n == alloc) {
			alloc *= 2;
			*ents = realloc(*ents, alloc * sizeof(**ents));
			if (!*ents)
				err(EXIT_FAILURE, "cannot allocate memory");
		}
		unmangle(path);
		(*ents)[*n].path = xstrdup(path);
		snprintf((*ents)[*n].type, sizeof((*ents)[*n].type), "%s", type);
		(*ents)[*n].size_kib = size;
		(*ents)[*n].used_kib = used;
		(*ents)[*n].prio = prio;
		(*n)++;
	}
	fclose(f);
	return 0;
}

void swaps_free(struct swap_entry *ents, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ents[i].path);
	free(ents);
}

/* dev_t of the disk from its sysfs "dev" attribute; 0 if unknown. */
static dev_t zdev_devno(const struct zdev *z)
{
	unsigned int maj, mnr;
	dev_t devno = 0;
	char *s;

	if (zdev_read_string(z, "dev", &s))
		return 0;
	if (sscanf(s, "%u:%u", &maj, &mnr) == 2)
		devno = makedev(maj, mnr);
	free(s);
	return devno;
}

/*
 * Does @path name the disk?  By name, and on the live system also by device
 * number so that a swap enabled through a symlink is found too.
 */
static bool path_is_zdev(const char *path, const struct zdev *z, dev_t devno)
{
	struct stat st;

	if (!strcmp(path, z->devpath))
		return true;
	if (have_sysroot() || !devno)
		return false;
	return stat(path, &st) == 0 && S_ISBLK(st.st_mode) &&
	       st.st_rdev == devno;
}

/* Does a /proc/swaps path name the disk? */
bool swap_path_is_zdev(const char *path, const struct zdev *z)
{
	return path_is_zdev(path, z, zdev_devno(z));
}

/* Is the disk an active swap area?  Its priority goes to *prio. */
bool zdev_is_swap(const struct zdev *z, int *prio)
{
	struct swap_entry *ents;
	dev_t devno = zdev_devno(z);
	bool found = false;
	size_t i, n;

	if (swaps_read(&ents, &n))
		return false;
	for (i = 0; i < n && !found; i++) {
		if (path_is_zdev(ents[i].path, z, devno)) {
			found = true;
			if (prio)
				*prio = ents[i].prio;
		}
	}
	swaps_free(ents, n);
	return found;
}

/* "[SWAP]" as zramctl prints it, a mount point, or NULL. */
char *zdev_mountpoint(const struct zdev *z)
{
	char line[2 * PATH_MAX + 256], src[PATH_MAX + 1], target[PATH_MAX + 1];
	dev_t devno;
	char *p, *res = NULL;
	FILE *f;

	if (zdev_is_swap(z, NULL))
		return xstrdup("[SWAP]");

	devno = zdev_devno(z);
	p = sysroot_path("/proc/mounts");
	f = fopen(p, "re");
	free(p);
	if (!f)
		return NULL;
	while (!res && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%4096s %4096s", src, target) != 2)
			continue;
		unmangle(src);
		if (path_is_zdev(src, z, devno)) {
			unmangle(target);
			res = xstrdup(target);
		}
	}
	fclose(f);
	return res;
}

/**
 * run_program() - run a program and wait for it
 * @argv: the program (looked up in PATH) and its arguments
 *
 * Its standard output goes to standard error, so that it never mixes with
 * what zswapctl prints.
 *
 * Return: 0 if it exited with status 0, -EIO if it failed, or -errno.
 */
int run_program(char *const argv[])
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], argv);
		warn("failed to execute %s", argv[0]);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	return 0;
}

/* Run "mkswap <devpath>"; its output goes to stderr. Return 0 or -errno. */
int run_mkswap(const char *devpath)
{
	char *const argv[] = { "mkswap", (char *)devpath, NULL };

	return run_program(argv);
}

/* devtmpfs creates the node at add_disk(); a udev may take a moment. */
int wait_for_devnode(const char *devpath, unsigned int timeout_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct stat st;
	unsigned int waited = 0;

	for (;;) {
		if (stat(devpath, &st) == 0)
			return S_ISBLK(st.st_mode) ? 0 : -ENOTBLK;
		if (errno != ENOENT || waited >= timeout_ms)
			return -errno;
		nanosleep(&ts, NULL);
		waited += 10;
	}
}

/* swapon(2) with priority @prio (0..32767), or the kernel's default if < 0. */
int zdev_swapon(const struct zdev *z, int prio)
{
	int flags = 0;

	if (prio >= 0)
		flags = SWAP_FLAG_PREFER |
			((prio << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK);
	if (swapon(z->devpath, flags))
		return -errno;
	return 0;
}

int zdev_swapoff(const struct zdev *z)
{
	if (swapoff(z->devpath))
		return -errno;
	return 0;
}
