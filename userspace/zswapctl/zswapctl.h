/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zswapctl - set up, list and exercise zswapblk devices
 *
 * Declarations shared by the zswapctl source files.  One file per concern:
 *
 *   main.c      options, device configuration, dispatch to subcommands
 *   list.c      the column table and the device listing
 *   sysfs.c     sysfs/procfs access below a --sysroot prefix, device names
 *   swap.c      /proc/swaps, mount points, mkswap, swapon(2)/swapoff(2)
 *   size.c      size and number parsing, human readable sizes
 *   output.c    libsmartcols helpers shared by all tables
 *   exercise.c  "exercise": the reuse-path exerciser (runs in a guest)
 *   expect.c    the exerciser's model of do_swap_page()/do_wp_page()
 *   pagestate.c pagemap, kpageflags, mincore and vmstat access
 *   estimate.c  "estimate": compressibility of a file, device or process
 *   conf.c      zswapctl.conf: the INI parser and size expressions
 *   setup.c     "setup" and "teardown": boot-time devices from zswapctl.conf
 *   stat.c      "stat": every counter, as key-value lines or for Prometheus
 */
#ifndef ZSWAPCTL_H
#define ZSWAPCTL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <libsmartcols.h>

#include "zswapblk_abi.h"

#ifndef ZSWAPCTL_VERSION
# define ZSWAPCTL_VERSION "0.1"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define __noreturn	__attribute__((__noreturn__))
#define __printf(a, b)	__attribute__((__format__(__printf__, a, b)))

/* Exit status of "exercise" when every selected scenario was skipped. */
#define EXIT_SKIP	4

/* ---------------------------------------------------------------- main.c */

void __noreturn errtryhelp(const char *subcmd);
void print_version(void);
/* Long options without a short form: --sysroot, then each command's own. */
enum {
	OPT_SYSROOT = CHAR_MAX + 1,
	OPT_FIRST_OWN,
};

void common_option(int ch, const char *subcmd);

/* ---------------------------------------------------------------- size.c */

int parse_size(const char *str, uint64_t *res);
uint64_t strtosize_or_err(const char *str, const char *errmesg);
int parse_u64(const char *str, uint64_t *res);
uint64_t strtou64_or_err(const char *str, const char *errmesg);
int64_t strtos64_or_err(const char *str, const char *errmesg);
char *size_to_human_string(uint64_t bytes);

/* ---------------------------------------------------------------- sysfs.c */

void *xmalloc(size_t sz);
void *xcalloc(size_t n, size_t sz);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __printf(1, 2);

/* The --sysroot prefix; "" for the live system. */
extern const char *sysroot;
void set_sysroot(const char *dir);
static inline bool have_sysroot(void)
{
	return *sysroot != '\0';
}

char *sysroot_path(const char *fmt, ...) __printf(1, 2);
bool path_exists(const char *path);
int path_read_string(const char *path, char **res);
int path_read_u64(const char *path, uint64_t *res);
int path_write_string(const char *path, const char *str);
int path_write_u64(const char *path, uint64_t num);

/* A zswapblk disk. */
struct zdev {
	int	id;		/* N of zswapblkN */
	char	name[32];	/* "zswapblkN" */
	char	devpath[48];	/* "/dev/zswapblkN", used in every message */
};

int zdev_from_arg(struct zdev *z, const char *arg);
void zdev_from_id(struct zdev *z, int id);
bool zdev_exists(const struct zdev *z);
char *zdev_attr_path(const struct zdev *z, const char *attr);
int zdev_read_string(const struct zdev *z, const char *attr, char **res);
int zdev_read_u64(const struct zdev *z, const char *attr, uint64_t *res);
int zdev_read_columns(const struct zdev *z, const char *attr,
		      uint64_t *cols, size_t ncols);
int zdev_write_string(const struct zdev *z, const char *attr, const char *str);
int zdev_name_to_id(const char *name);
int zdev_write_u64(const struct zdev *z, const char *attr, uint64_t num);
bool zdev_initialised(const struct zdev *z);
int zdev_has_feature(const struct zdev *z, const char *feature);
size_t zdev_list(int **ids);
int zdev_find_free(struct zdev *z, bool *hot_added);
int zdev_hot_add(struct zdev *z);
int zdev_hot_remove(const struct zdev *z);

/* ---------------------------------------------------------------- swap.c */

struct swap_entry {
	char	*path;
	char	type[16];
	uint64_t size_kib;
	uint64_t used_kib;
	int	prio;
};

int swaps_read(struct swap_entry **ents, size_t *n);
void swaps_free(struct swap_entry *ents, size_t n);
bool swap_path_is_zdev(const char *path, const struct zdev *z);
bool zdev_is_swap(const struct zdev *z, int *prio);
char *zdev_mountpoint(const struct zdev *z);
int run_program(char *const argv[]);
int run_mkswap(const char *devpath);
int wait_for_devnode(const char *devpath, unsigned int timeout_ms);
int zdev_swapon(const struct zdev *z, int prio);
int zdev_swapoff(const struct zdev *z);

/* ---------------------------------------------------------------- output.c */

struct outopts {
	bool	raw;
	bool	json;
	bool	noheadings;
	bool	bytes;
};

struct libscols_table *new_table(const struct outopts *o, const char *name);
struct libscols_column *new_column(struct libscols_table *tb, const char *name,
				   double whint, int flags, int json_type);
struct libscols_line *new_line(struct libscols_table *tb,
			       struct libscols_line *parent);
void line_set_str(struct libscols_line *ln, size_t col, const char *str);
void line_set_u64(struct libscols_line *ln, size_t col, uint64_t num);
void line_set_size(struct libscols_line *ln, size_t col, uint64_t bytes,
		   bool inbytes);
void line_set_printf(struct libscols_line *ln, size_t col,
		     const char *fmt, ...) __printf(3, 4);
void print_table(struct libscols_table *tb);

/* ---------------------------------------------------------------- list.c */

int list_parse_columns(const char *list);
void list_all_columns(void);
void list_usage_columns(FILE *out);
int list_devices(const struct outopts *o, char **devs, int ndevs);
char *zdev_algorithm(const struct zdev *z);

/* ---------------------------------------------------------------- conf.c */

/* The default configuration file of "setup" and "teardown". */
#define ZSWAPCTL_CONF		"/etc/zswapctl.conf"

/*
 * The keys of a device section, in the order setup writes them: disksize,
 * which initialises the device, comes last; swap-priority is no attribute.
 */
enum conf_key_id {
	CK_ALGORITHM,
	CK_LEVEL,
	CK_BACKING_DEV,
	CK_MEM_LIMIT,
	CK_WB_AGE,
	CK_WB_RATE,
	CK_WB_WMARK_LOW,
	CK_WB_WMARK_HIGH,
	CK_WB_DIRECT,
	CK_COMPRESSED_WB,
	CK_SIZE,
	CK_SWAP_PRIORITY,
	CK__NR
};

struct conf_key {
	const char	*name;		/* in the file */
	const char	*attr;		/* the sysfs attribute; NULL: none */
};

extern const struct conf_key conf_keys[CK__NR];

/* One [zswapblkN] section. */
struct conf_dev {
	struct zdev	z;
	unsigned int	line;		/* of the section header */
	char		*value[CK__NR];	/* as written to sysfs; NULL: unset */
	unsigned int	vline[CK__NR];	/* the line of each key; 0: unset */
	int		priority;	/* swap-priority; -1: the kernel's */
};

struct conf {
	const char	*path;
	struct conf_dev	*devs;		/* in the order of the file */
	size_t		ndevs;
	unsigned int	nerrors;	/* reported as "FILE:LINE: message" */
	int		ram_state;	/* 0: not read, 1: read, -1: unreadable */
	uint64_t	ram;		/* MemTotal in bytes */
};

int conf_read(struct conf *c, const char *path);
void conf_free(struct conf *c);
int conf_eval_size(struct conf *c, const char *expr, uint64_t *res,
		   const char **errmsg);

/* ------------------------------------------------------------ subcommands */

int exercise_main(int argc, char **argv);
int estimate_main(int argc, char **argv);
int setup_main(int argc, char **argv);
int teardown_main(int argc, char **argv);
int stat_main(int argc, char **argv);

#endif /* ZSWAPCTL_H */
