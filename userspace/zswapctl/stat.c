// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "stat": every counter of the devices, for people and for monitoring.
 *
 * The plain format is one "key value" line per value, each device's block
 * opened by "device zswapblkN" and closed by an empty line.  Keys are the
 * column names of include/zswapblk_abi.h in lower case (bd_stat's with a
 * "bd_" prefix), values are as sysfs prints them.
 *
 * The prometheus format is the text exposition format that node_exporter's
 * textfile collector reads: "# HELP" and "# TYPE", then one sample per
 * device labelled device="zswapblkN".  Byte counts are in bytes (bd_stat's
 * 4 KiB units converted), times in seconds, counters end in _total.
 *
 * Only world-readable files are read, so no root is needed.  A file an
 * older driver lacks leaves its values out.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "zswapctl.h"

enum stat_type { GAUGE, COUNTER };

struct stat_col {
	const char	*key;		/* plain format */
	const char	*metric;	/* prometheus, after "zswapblk_" */
	enum stat_type	type;
	uint64_t	scale;		/* sysfs unit in the metric's unit */
	const char	*help;
};

#define KIB4	4096

static const struct stat_col mm_cols[] = {
	[ZSWAPBLK_MM_ORIG_DATA_SIZE]	= { "orig_data_size", "orig_data_bytes", GAUGE, 1,
		"Uncompressed size of the data stored." },
	[ZSWAPBLK_MM_COMPR_DATA_SIZE]	= { "compr_data_size", "compr_data_bytes", GAUGE, 1,
		"Compressed size of the data stored." },
	[ZSWAPBLK_MM_MEM_USED_TOTAL]	= { "mem_used_total", "mem_used_total_bytes", GAUGE, 1,
		"Memory held by the compressed pool, allocator overhead included." },
	[ZSWAPBLK_MM_MEM_LIMIT]		= { "mem_limit", "mem_limit_bytes", GAUGE, 1,
		"Limit of the memory used for compressed data, 0 for none." },
	[ZSWAPBLK_MM_MEM_USED_MAX]	= { "mem_used_max", "mem_used_max_bytes", GAUGE, 1,
		"Most memory the pool has held." },
	[ZSWAPBLK_MM_SAME_PAGES]	= { "same_pages", "same_pages", GAUGE, 1,
		"Pages filled with one repeated word, zero pages included." },
	[ZSWAPBLK_MM_PAGES_COMPACTED]	= { "pages_compacted", "pages_compacted_total", COUNTER, 1,
		"Pages freed by compaction." },
	[ZSWAPBLK_MM_HUGE_PAGES]	= { "huge_pages", "huge_pages", GAUGE, 1,
		"Incompressible pages stored raw." },
	[ZSWAPBLK_MM_HUGE_PAGES_SINCE]	= { "huge_pages_since", "huge_pages_since_total", COUNTER, 1,
		"Incompressible pages stored since the device was initialised." },
	[ZSWAPBLK_MM_ZERO_PAGES]	= { "zero_pages", "zero_pages", GAUGE, 1,
		"Pages in the zero bitmap, which use no memory." },
};

static const struct stat_col io_cols[] = {
	[ZSWAPBLK_IO_FAILED_READS]	= { "failed_reads", "failed_reads_total", COUNTER, 1,
		"Read requests that failed." },
	[ZSWAPBLK_IO_FAILED_WRITES]	= { "failed_writes", "failed_writes_total", COUNTER, 1,
		"Write requests that failed." },
	[ZSWAPBLK_IO_INVALID_IO]	= { "invalid_io", "invalid_io_total", COUNTER, 1,
		"Requests outside the device or not block aligned." },
	[ZSWAPBLK_IO_NOTIFY_FREE]	= { "notify_free", "notify_free_total", COUNTER, 1,
		"Slots freed by swap." },
	[ZSWAPBLK_IO_WRITES_INFLIGHT]	= { "writes_inflight", "writes_inflight", GAUGE, 1,
		"Write requests not completed yet." },
	[ZSWAPBLK_IO_WRITES_INFLIGHT_MAX] = { "writes_inflight_max", "writes_inflight_max", GAUGE, 1,
		"Most write requests in flight at once." },
	[ZSWAPBLK_IO_ASYNC_COMPLETIONS] = { "async_completions", "async_completions_total", COUNTER, 1,
		"Write requests completed by a worker, outside submit_bio." },
	[ZSWAPBLK_IO_WRITES_HELD]	= { "writes_held", "writes_held", GAUGE, 1,
		"Write requests parked by completion_hold." },
};

static const struct stat_col dbg_cols[] = {
	[ZSWAPBLK_DBG_WRITESTALL]	= { "writestall", "writestall_total", COUNTER, 1,
		"Stores that had to wait for memory." },
	[ZSWAPBLK_DBG_MISS_FREE]	= { "miss_free", "miss_free_total", COUNTER, 1,
		"Slot frees skipped because the slot was busy." },
	[ZSWAPBLK_DBG_HOLD_RELEASES]	= { "hold_releases", "hold_releases_total", COUNTER, 1,
		"Times completion_hold released its write requests." },
	[ZSWAPBLK_DBG_HOLD_TIMEOUTS]	= { "hold_timeouts", "hold_timeouts_total", COUNTER, 1,
		"Releases forced by the completion_hold timeout." },
	[ZSWAPBLK_DBG_STABLE_CHECKED]	= { "stable_checked", "stable_checked_total", COUNTER, 1,
		"Pages verify_stable checked." },
	[ZSWAPBLK_DBG_STABLE_MISMATCH]	= { "stable_mismatch", "stable_mismatch_total", COUNTER, 1,
		"Pages verify_stable found changed between submission and store." },
	[ZSWAPBLK_DBG_SPLIT_WRITES]	= { "split_writes", "split_writes_total", COUNTER, 1,
		"Write bios compressed in parts on several CPUs." },
};

static const struct stat_col bd_cols[] = {
	[ZSWAPBLK_BD_COUNT]		= { "bd_count", "bd_stored_bytes", GAUGE, KIB4,
		"Data stored on the backing device." },
	[ZSWAPBLK_BD_READS]		= { "bd_reads", "bd_read_bytes_total", COUNTER, KIB4,
		"Data read back from the backing device." },
	[ZSWAPBLK_BD_WRITES]		= { "bd_writes", "bd_written_bytes_total", COUNTER, KIB4,
		"Data written to the backing device." },
	[ZSWAPBLK_BD_WB_INFLIGHT]	= { "bd_wb_inflight", "bd_writes_inflight", GAUGE, 1,
		"Backing device writes in flight." },
	[ZSWAPBLK_BD_FAILED_READS]	= { "bd_failed_reads", "bd_failed_reads_total", COUNTER, 1,
		"Backing device reads that failed." },
	[ZSWAPBLK_BD_FAILED_WRITES]	= { "bd_failed_writes", "bd_failed_writes_total", COUNTER, 1,
		"Backing device writes that failed." },
	[ZSWAPBLK_BD_SPILLS]		= { "bd_spills", "bd_spills_total", COUNTER, 1,
		"Writes sent straight to the backing device." },
	[ZSWAPBLK_BD_AGE_RUNS]		= { "bd_age_runs", "bd_age_runs_total", COUNTER, 1,
		"Automatic writeback runs by age that wrote pages." },
	[ZSWAPBLK_BD_WMARK_RUNS]	= { "bd_wmark_runs", "bd_wmark_runs_total", COUNTER, 1,
		"Automatic writeback runs by watermark." },
	[ZSWAPBLK_BD_PAGES]		= { "bd_pages", "bd_pages", GAUGE, 1,
		"Pages held on the backing device (with compressed_writeback, several to a block)." },
};

_Static_assert(ARRAY_SIZE(mm_cols) == ZSWAPBLK_MM__NR, "mm_stat columns");
_Static_assert(ARRAY_SIZE(io_cols) == ZSWAPBLK_IO__NR, "io_stat columns");
_Static_assert(ARRAY_SIZE(dbg_cols) == ZSWAPBLK_DBG__NR, "debug_stat columns");
_Static_assert(ARRAY_SIZE(bd_cols) == ZSWAPBLK_BD__NR, "bd_stat columns");

/* The single-valued attributes, before the stat files; key is the file. */
enum {
	V_DISKSIZE,
	V_INITSTATE,
	V_HOLD,
	V__NR
};

static const struct stat_col value_cols[V__NR] = {
	[V_DISKSIZE]	= { ZSWAPBLK_ATTR_DISKSIZE, "disksize_bytes", GAUGE, 1,
		"Size of the device, 0 when not initialised." },
	[V_INITSTATE]	= { ZSWAPBLK_ATTR_INITSTATE, "initstate", GAUGE, 1,
		"1 when the device is initialised." },
	[V_HOLD]	= { ZSWAPBLK_ATTR_COMPLETION_HOLD, "completion_hold_seconds", GAUGE, 1,
		"Timeout of the completion_hold in force, 0 when not holding." },
};

/* The tables in output order, and the file each one is read from. */
enum { T_VALUES, T_MM, T_IO, T_DBG, T_BD, T__NR };

static const struct stat_table {
	const char		*file;
	const struct stat_col	*cols;
	size_t			ncols;
} tables[T__NR] = {
	[T_VALUES] = { NULL,			value_cols, V__NR },
	[T_MM]	   = { ZSWAPBLK_ATTR_MM_STAT,	mm_cols,  ZSWAPBLK_MM__NR },
	[T_IO]	   = { ZSWAPBLK_ATTR_IO_STAT,	io_cols,  ZSWAPBLK_IO__NR },
	[T_DBG]	   = { ZSWAPBLK_ATTR_DEBUG_STAT, dbg_cols, ZSWAPBLK_DBG__NR },
	[T_BD]	   = { ZSWAPBLK_ATTR_BD_STAT,	bd_cols,  ZSWAPBLK_BD__NR },
};

#define MAX_COLS	16

/* Everything read from one device. */
struct devstats {
	struct zdev	z;
	char		*algorithm;	/* NULL if unreadable */
	char		*backing;	/* backing_dev; NULL if unreadable */
	int		n[T__NR];	/* values read of each stat file */
	unsigned int	have_value;	/* bit i: value_cols[i] was read */
	uint64_t	v[T__NR][MAX_COLS];
};

_Static_assert(ZSWAPBLK_MM__NR <= MAX_COLS && ZSWAPBLK_IO__NR <= MAX_COLS &&
	       ZSWAPBLK_DBG__NR <= MAX_COLS && ZSWAPBLK_BD__NR <= MAX_COLS,
	       "MAX_COLS");

/* debug_stat: "version: 1", then the columns on the next line. */
static int read_debug_stat(const struct zdev *z, uint64_t *cols, size_t ncols)
{
	char *s, *p, *end;
	uint64_t ver;
	size_t i = 0;

	if (zdev_read_string(z, ZSWAPBLK_ATTR_DEBUG_STAT, &s))
		return 0;
	p = strchr(s, '\n');
	if (sscanf(s, "version: %" SCNu64, &ver) == 1 &&
	    ver == ZSWAPBLK_DEBUG_STAT_VERSION && p) {
		for (; i < ncols; i++) {
			errno = 0;
			cols[i] = strtoull(p, &end, 10);
			if (end == p || errno)
				break;
			p = end;
		}
	}
	free(s);
	return (int)i;
}

static void read_device(struct devstats *d)
{
	const struct zdev *z = &d->z;
	int t, i, rc;

	for (i = 0; i < V__NR; i++) {
		if (!zdev_read_u64(z, value_cols[i].key, &d->v[T_VALUES][i]))
			d->have_value |= 1U << i;
	}
	for (t = T_MM; t < T__NR; t++) {
		if (t == T_DBG)
			rc = read_debug_stat(z, d->v[t], tables[t].ncols);
		else
			rc = zdev_read_columns(z, tables[t].file, d->v[t],
					       tables[t].ncols);
		d->n[t] = rc < 0 ? 0 : rc;
	}
	d->algorithm = zdev_algorithm(z);
	if (zdev_read_string(z, ZSWAPBLK_ATTR_BACKING_DEV, &d->backing))
		d->backing = NULL;
}

/* A value may be missing (an older driver): then it is left out. */
static bool have_value(const struct devstats *d, int t, size_t col)
{
	if (t == T_VALUES)
		return d->have_value & (1U << col);
	return (int)col < d->n[t];
}

static void print_plain(const struct devstats *devs, size_t ndevs)
{
	const struct devstats *d;
	size_t i, c;
	int t;

	for (i = 0; i < ndevs; i++) {
		d = &devs[i];
		printf("device %s\n", d->z.name);
		if (d->algorithm)
			printf("algorithm %s\n", d->algorithm);
		if (d->backing)
			printf("backing_dev %s\n", d->backing);
		for (t = 0; t < T__NR; t++) {
			for (c = 0; c < tables[t].ncols; c++) {
				if (have_value(d, t, c))
					printf("%s %" PRIu64 "\n",
					       tables[t].cols[c].key,
					       d->v[t][c]);
			}
		}
		putchar('\n');
	}
}

/* A label value: backslash, double quote and newline escaped. */
static void print_label(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
}

static void print_prometheus(const struct devstats *devs, size_t ndevs)
{
	const struct stat_col *col;
	const struct devstats *d;
	size_t i, c;
	bool any;
	int t;

	if (ndevs) {
		puts("# HELP zswapblk_info Compression algorithm and backing "
		     "device of the device.");
		puts("# TYPE zswapblk_info gauge");
	}
	for (i = 0; i < ndevs; i++) {
		d = &devs[i];
		printf("zswapblk_info{device=\"%s\",algorithm=\"", d->z.name);
		print_label(d->algorithm ? d->algorithm : "");
		fputs("\",backing_dev=\"", stdout);
		print_label(d->backing && strcmp(d->backing, "none") ?
			    d->backing : "");
		puts("\"} 1");
	}
	for (t = 0; t < T__NR; t++) {
		for (c = 0; c < tables[t].ncols; c++) {
			col = &tables[t].cols[c];
			any = false;
			for (i = 0; i < ndevs; i++) {
				d = &devs[i];
				if (!have_value(d, t, c))
					continue;
				if (!any) {
					printf("# HELP zswapblk_%s %s\n",
					       col->metric, col->help);
					printf("# TYPE zswapblk_%s %s\n",
					       col->metric,
					       col->type == COUNTER ?
					       "counter" : "gauge");
					any = true;
				}
				printf("zswapblk_%s{device=\"%s\"} ", col->metric,
				       d->z.name);
				if (t == T_VALUES && c == V_HOLD)
					printf("%" PRIu64 ".%03u\n",
					       d->v[t][c] / 1000,
					       (unsigned int)(d->v[t][c] % 1000));
				else
					printf("%" PRIu64 "\n",
					       d->v[t][c] * col->scale);
			}
		}
	}
}

static void __noreturn usage(void)
{
	FILE *out = stdout;

	fputs("\nUsage:\n", out);
	fprintf(out, " %s stat [options] [<device>...]\n",
		program_invocation_short_name);
	fputs("\nPrint every counter of zswapblk devices (all of them by "
	      "default).\n", out);
	fputs("\nOptions:\n", out);
	fputs(" -f, --format <format>     plain (key value lines, the default) "
	      "or\n"
	      "                           prometheus (text exposition format)\n",
	      out);
	fputs("     --sysroot <dir>       use <dir> as the root of /sys and /proc\n", out);
	fputs("\n -h, --help                display this help\n", out);
	fputs(" -V, --version             display version\n", out);
	fprintf(out, "\nFor more details see %s(8).\n",
		program_invocation_short_name);
	exit(EXIT_SUCCESS);
}

int stat_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format",  required_argument, NULL, 'f' },
		{ "sysroot", required_argument, NULL, OPT_SYSROOT },
		{ "help",    no_argument,	NULL, 'h' },
		{ "version", no_argument,	NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct devstats *devs;
	bool prometheus = false;
	size_t i, ndevs;
	int ch, rc, *ids;

	while ((ch = getopt_long(argc, argv, "f:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (!strcmp(optarg, "prometheus")) {
				prometheus = true;
			} else if (strcmp(optarg, "plain")) {
				warnx("unknown format: %s", optarg);
				errtryhelp("stat");
			}
			break;
		case 'h':
			usage();
		default:
			common_option(ch, "stat");
		}
	}

	if (optind < argc) {
		ndevs = (size_t)(argc - optind);
		devs = xcalloc(ndevs, sizeof(*devs));
		for (i = 0; i < ndevs; i++) {
			rc = zdev_from_arg(&devs[i].z, argv[optind + (int)i]);
			if (rc == -EINVAL)
				errx(EXIT_FAILURE, "%s: not a zswapblk device",
				     argv[optind + (int)i]);
			if (rc) {
				errno = -rc;
				err(EXIT_FAILURE, "%s", devs[i].z.devpath);
			}
		}
	} else {
		ndevs = zdev_list(&ids);
		devs = xcalloc(ndevs, sizeof(*devs));
		for (i = 0; i < ndevs; i++)
			zdev_from_id(&devs[i].z, ids[i]);
		free(ids);
	}
	for (i = 0; i < ndevs; i++)
		read_device(&devs[i]);

	if (prometheus)
		print_prometheus(devs, ndevs);
	else
		print_plain(devs, ndevs);

	for (i = 0; i < ndevs; i++) {
		free(devs[i].algorithm);
		free(devs[i].backing);
	}
	free(devs);
	return EXIT_SUCCESS;
}
