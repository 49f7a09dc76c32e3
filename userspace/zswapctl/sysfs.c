// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysfs and procfs access below a --sysroot prefix, zswapblk device names.
 *
 * Every path zswapctl reads or writes in /sys or /proc is built by
 * sysroot_path(), so that the host tests can run it against a fabricated
 * tree of regular files (util-linux lib/path.c does the same).  With a sysroot
 * an attribute write truncates the file first, so the file holds exactly what
 * was written last; on the live system the write goes to sysfs unchanged.
 *
 * Functions that can fail return 0 or a negative errno and leave the message
 * to the caller, which knows the device and the action.
 */
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "zswapctl.h"

const char *sysroot = "";

void *xmalloc(size_t sz)
{
	void *p = malloc(sz ? sz : 1);

	if (!p)
		err(EXIT_FAILURE, "cannot allocate %zu bytes", sz);
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		err(EXIT_FAILURE, "cannot allocate %zu bytes", n * sz);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		err(EXIT_FAILURE, "cannot duplicate string");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (rc < 0)
		err(EXIT_FAILURE, "cannot allocate string");
	return p;
}

/* Set the prefix once, from --sysroot; "/" or "" mean the live system. */
void set_sysroot(const char *dir)
{
	struct stat st;
	size_t len;
	char *p;

	if (stat(dir, &st))
		err(EXIT_FAILURE, "%s", dir);
	if (!S_ISDIR(st.st_mode))
		errx(EXIT_FAILURE, "%s: not a directory", dir);
	p = xstrdup(dir);
	len = strlen(p);
	while (len > 0 && p[len - 1] == '/')
		p[--len] = '\0';
	sysroot = p;
}

/* A malloc'ed path below the sysroot; @fmt must start with '/'. */
char *sysroot_path(const char *fmt, ...)
{
	va_list ap;
	char *rel, *p;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&rel, fmt, ap);
	va_end(ap);
	if (rc < 0)
		err(EXIT_FAILURE, "cannot allocate string");
	p = xasprintf("%s%s", sysroot, rel);
	free(rel);
	return p;
}

bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/**
 * path_read_string() - read a small text file, without the trailing newline
 * @path: file to read
 * @res: malloc'ed contents
 *
 * Return: 0 or -errno.
 */
int path_read_string(const char *path, char **res)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return (int)n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	*res = xstrdup(buf);
	return 0;
}

int path_read_u64(const char *path, uint64_t *res)
{
	char *s;
	int rc;

	rc = path_read_string(path, &s);
	if (rc)
		return rc;
	rc = parse_u64(s, res);
	free(s);
	return rc;
}

/**
 * path_write_string() - write an attribute in one write(2)
 * @path: file to write
 * @str: value, written without a newline as sysfs stores expect
 *
 * sysfs reports a rejected value as the error of write(2) (or, rarely, of
 * close(2)); both are returned.
 *
 * Return: 0 or -errno.
 */
int path_write_string(const char *path, const char *str)
{
	size_t len = strlen(str);
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | (have_sysroot() ? O_TRUNC : 0));
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, str, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

int path_write_u64(const char *path, uint64_t num)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, num);
	return path_write_string(path, buf);
}

/* ------------------------------------------------------------- devices */

void zdev_from_id(struct zdev *z, int id)
{
	z->id = id;
	snprintf(z->name, sizeof(z->name), ZSWAPBLK_NAME "%d", id);
	snprintf(z->devpath, sizeof(z->devpath), "/dev/%s", z->name);
}

/* "zswapblkN" with N a decimal number without leading zeros; -1 otherwise. */
int zdev_name_to_id(const char *name)
{
	const char *p = name + strlen(ZSWAPBLK_NAME);
	uint64_t id;

	if (strncmp(name, ZSWAPBLK_NAME, strlen(ZSWAPBLK_NAME)))
		return -1;
	if (parse_u64(p, &id) || id > 1000000 || (p[0] == '0' && p[1]))
		return -1;
	return (int)id;
}

/* The kernel name of a live block device node, via /sys/dev/block/M:m. */
static int devnode_to_name(const char *path, char *name, size_t sz)
{
	char link[PATH_MAX], *syspath;
	struct stat st;
	const char *base;
	ssize_t n;

	if (stat(path, &st))
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	syspath = sysroot_path("/sys/dev/block/%u:%u", major(st.st_rdev),
			       minor(st.st_rdev));
	n = readlink(syspath, link, sizeof(link) - 1);
	free(syspath);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= sz)
		return -ENAMETOOLONG;
	strcpy(name, base);
	return 0;
}

/**
 * zdev_from_arg() - resolve a device argument
 * @z: filled in
 * @arg: "/dev/zswapblkN", "zswapblkN", or (live system only) any node of it
 *
 * Return: 0, -EINVAL if it does not name a zswapblk disk, -ENODEV if the
 * disk does not exist.
 */
int zdev_from_arg(struct zdev *z, const char *arg)
{
	char name[NAME_MAX + 1];
	const char *base = strrchr(arg, '/');
	int id;

	base = base ? base + 1 : arg;
	snprintf(name, sizeof(name), "%s", base);
	if (zdev_name_to_id(name) < 0 && !have_sysroot() && strchr(arg, '/'))
		devnode_to_name(arg, name, sizeof(name));

	id = zdev_name_to_id(name);
	if (id < 0) {
		snprintf(z->devpath, sizeof(z->devpath), "%s", arg);
		z->name[0] = '\0';
		z->id = -1;
		return -EINVAL;
	}
	zdev_from_id(z, id);
	return zdev_exists(z) ? 0 : -ENODEV;
}

bool zdev_exists(const struct zdev *z)
{
	char *p = sysroot_path("/sys/block/%s", z->name);
	bool rc = path_exists(p);

	free(p);
	return rc;
}

char *zdev_attr_path(const struct zdev *z, const char *attr)
{
	return sysroot_path("/sys/block/%s/%s", z->name, attr);
}

int zdev_read_string(const struct zdev *z, const char *attr, char **res)
{
	char *p = zdev_attr_path(z, attr);
	int rc = path_read_string(p, res);

	free(p);
	return rc;
}

int zdev_read_u64(const struct zdev *z, const char *attr, uint64_t *res)
{
	char *p = zdev_attr_path(z, attr);
	int rc = path_read_u64(p, res);

	free(p);
	return rc;
}

/**
 * zdev_read_columns() - read a multi-value stat file such as mm_stat
 * @z: device
 * @attr: file name
 * @cols: values; entries past the end of the file are left untouched
 * @ncols: size of @cols
 *
 * Older drivers print fewer columns (they are only ever appended), newer
 * ones more; both are fine.
 *
 * Return: the number of columns read, or -errno.
 */
int zdev_read_columns(const struct zdev *z, const char *attr,
		      uint64_t *cols, size_t ncols)
{
	char *s, *p, *end;
	size_t i;
	int rc;

	rc = zdev_read_string(z, attr, &s);
	if (rc)
		return rc;
	p = s;
	for (i = 0; i < ncols; i++) {
		while (isspace((unsigned char)*p))
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		errno = 0;
		cols[i] = strtoull(p, &end, 10);
		if (errno)
			break;
		p = end;
	}
	free(s);
	return (int)i;
}

int zdev_write_string(const struct zdev *z, const char *attr, const char *str)
{
	char *p = zdev_attr_path(z, attr);
	int rc = path_write_string(p, str);

	free(p);
	return rc;
}

int zdev_write_u64(const struct zdev *z, const char *attr, uint64_t num)
{
	char *p = zdev_attr_path(z, attr);
	int rc = path_write_u64(p, num);

	free(p);
	return rc;
}

/* initstate, or for a driver without it a non-zero disksize. */
bool zdev_initialised(const struct zdev *z)
{
	uint64_t num;

	if (zdev_read_u64(z, ZSWAPBLK_ATTR_INITSTATE, &num) == 0)
		return num != 0;
	return zdev_read_u64(z, ZSWAPBLK_ATTR_DISKSIZE, &num) == 0 && num;
}

/* 1 if the features file lists @feature, 0 if not, -errno if unreadable. */
int zdev_has_feature(const struct zdev *z, const char *feature)
{
	char *s, *tok, *save = NULL;
	int rc;

	rc = zdev_read_string(z, ZSWAPBLK_ATTR_FEATURES, &s);
	if (rc)
		return rc;
	for (tok = strtok_r(s, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (!strcmp(tok, feature)) {
			rc = 1;
			break;
		}
	}
	free(s);
	return rc;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The ids of all zswapblk disks, sorted; *ids is malloc'ed. */
size_t zdev_list(int **ids)
{
	char *p = sysroot_path("/sys/block");
	size_t n = 0, alloc = 8;
	struct dirent *d;
	DIR *dir;
	int id;

	*ids = xcalloc(alloc, sizeof(int));
	dir = opendir(p);
	free(p);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		id = zdev_name_to_id(d->d_name);
		if (id < 0)
			continue;
		if (n == alloc) {
			alloc *= 2;
			*ids = realloc(*ids, alloc * sizeof(int));
			if (!*ids)
				err(EXIT_FAILURE, "cannot allocate memory");
		}
		(*ids)[n++] = id;
	}
	closedir(dir);
	qsort(*ids, n, sizeof(int), cmp_int);
	return n;
}

/**
 * zdev_find_free() - a disk that is not initialised, or a new one
 * @z: filled in
 * @hot_added: set when the disk was created through hot_add
 *
 * The lowest uninitialised disk wins (as zramctl --find); otherwise reading
 * zswapblk-control/hot_add creates one.
 *
 * Return: 0 or -errno (-ENODEV when the module is not loaded).
 */
int zdev_find_free(struct zdev *z, bool *hot_added)
{
	size_t i, n;
	int *ids, rc;

	*hot_added = false;
	n = zdev_list(&ids);
	for (i = 0; i < n; i++) {
		zdev_from_id(z, ids[i]);
		if (!zdev_initialised(z)) {
			free(ids);
			return 0;
		}
	}
	free(ids);

	rc = zdev_hot_add(z);
	if (rc)
		return rc;
	*hot_added = true;
	return 0;
}

/**
 * zdev_hot_add() - create a disk through zswapblk-control/hot_add
 * @z: the new disk
 *
 * Return: 0 or -errno (-ENODEV when the module is not loaded).
 */
int zdev_hot_add(struct zdev *z)
{
	uint64_t id;
	char *p, *s;
	int rc;

	p = sysroot_path("/sys/class/%s/%s", ZSWAPBLK_CONTROL_CLASS,
			 ZSWAPBLK_ATTR_HOT_ADD);
	rc = path_read_string(p, &s);
	free(p);
	if (rc)
		return rc == -ENOENT ? -ENODEV : rc;
	rc = parse_u64(s, &id);
	free(s);
	if (rc || id > 1000000)
		return -EINVAL;
	zdev_from_id(z, (int)id);
	if (!zdev_exists(z))
		return -ENODEV;
	return 0;
}

int zdev_hot_remove(const struct zdev *z)
{
	char *p = sysroot_path("/sys/class/%s/%s", ZSWAPBLK_CONTROL_CLASS,
			       ZSWAPBLK_ATTR_HOT_REMOVE);
	int rc = path_write_u64(p, (uint64_t)z->id);

	free(p);
	return rc;
}
