// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The device listing.  One column table drives --output, --output-all and
 * the column list in usage(), as in zramctl.
 *
 * Every value is read from sysfs when its row is filled; a file that does
 * not exist (an older driver, or the writeback attributes that are not
 * there yet) leaves the cell empty, or null in JSON.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zswapctl.h"

struct colinfo {
	const char	*name;
	double		whint;
	int		flags;
	int		json_type;
	const char	*help;
};

enum {
	COL_NAME = 0,
	COL_DISKSIZE,
	COL_ORIG_SIZE,
	COL_COMPR_SIZE,
	COL_ALGORITHM,
	COL_ZEROPAGES,
	COL_MEMTOTAL,
	COL_MEMLIMIT,
	COL_MEMUSED,
	COL_MOUNTPOINT,
	COL_BACKING,
	COL_WB_PAGES,
	COL_WB_INFLIGHT,
	COL_INFLIGHT,
	COL_SAMEPAGES,
	COL_HUGEPAGES,
	COL_MIGRATED,
	COL_HELD,
	COL_HOLD,
	COL_PARAMS,
};

#define N	SCOLS_JSON_NUMBER
#define S	SCOLS_JSON_STRING
#define R	SCOLS_FL_RIGHT

static const struct colinfo infos[] = {
	[COL_NAME] = { "NAME", 0.25, 0, S,
		"zswapblk device name" },
	[COL_DISKSIZE] = { "DISKSIZE", 5, R, N,
		"limit on the uncompressed amount of data" },
	[COL_ORIG_SIZE] = { "DATA", 5, R, N,
		"uncompressed size of stored data" },
	[COL_COMPR_SIZE] = { "COMPR", 5, R, N,
		"compressed size of stored data" },
	[COL_ALGORITHM] = { "ALGORITHM", 3, 0, S,
		"the selected compression algorithm" },
	[COL_ZEROPAGES] = { "ZERO-PAGES", 3, R, N,
		"pages in the zero bitmap, no memory allocated" },
	[COL_MEMTOTAL] = { "TOTAL", 5, R, N,
		"all memory including allocator fragmentation and metadata overhead" },
	[COL_MEMLIMIT] = { "MEM-LIMIT", 5, R, N,
		"memory limit used to store compressed data" },
	[COL_MEMUSED] = { "MEM-USED", 5, R, N,
		"most memory used to store compressed data" },
	[COL_MOUNTPOINT] = { "MOUNTPOINT", 0.10, SCOLS_FL_TRUNC, S,
		"where the device is mounted, [SWAP] for swap" },
	[COL_BACKING] = { "BACKING", 0.10, SCOLS_FL_TRUNC, S,
		"backing device for writeback" },
	[COL_WB_PAGES] = { "WB-PAGES", 3, R, N,
		"pages stored on the backing device" },
	[COL_WB_INFLIGHT] = { "WB-INFLIGHT", 3, R, N,
		"pages in flight to the backing device" },
	[COL_INFLIGHT] = { "INFLIGHT", 3, R, N,
		"write requests not completed yet" },
	[COL_SAMEPAGES] = { "SAME-PAGES", 3, R, N,
		"pages filled with one repeated word" },
	[COL_HUGEPAGES] = { "HUGE-PAGES", 3, R, N,
		"incompressible pages stored raw" },
	[COL_MIGRATED] = { "MIGRATED", 3, R, N,
		"pages freed by compaction" },
	[COL_HELD] = { "HELD", 3, R, N,
		"write requests parked by completion_hold" },
	[COL_HOLD] = { "HOLD", 3, R, N,
		"completion_hold timeout in ms, 0 when not holding" },
	[COL_PARAMS] = { "PARAMS", 0.10, SCOLS_FL_TRUNC, S,
		"compression algorithm parameters" },
};

#undef N
#undef S
#undef R

static const int default_columns[] = {
	COL_NAME, COL_DISKSIZE, COL_ORIG_SIZE, COL_COMPR_SIZE, COL_ALGORITHM,
	COL_ZEROPAGES, COL_MEMTOTAL, COL_MEMLIMIT, COL_MEMUSED, COL_INFLIGHT,
	COL_MOUNTPOINT,
};

static int columns[ARRAY_SIZE(infos) * 2];
static size_t ncolumns;

static int column_name_to_id(const char *name, size_t namesz)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(infos); i++) {
		if (!strncasecmp(name, infos[i].name, namesz) &&
		    !infos[i].name[namesz])
			return (int)i;
	}
	warnx("unknown column: %.*s", (int)namesz, name);
	return -1;
}

/**
 * list_parse_columns() - the --output argument
 * @list: "NAME,DATA" replaces the default columns, "+BACKING" extends them
 *
 * Return: 0, or -1 after a message.
 */
int list_parse_columns(const char *list)
{
	const char *p, *end;
	int id;

	ncolumns = 0;
	if (*list == '+') {
		memcpy(columns, default_columns, sizeof(default_columns));
		ncolumns = ARRAY_SIZE(default_columns);
		list++;
	}
	if (!*list) {
		warnx("no columns specified");
		return -1;
	}
	for (p = list;; p = end + 1) {
		end = strchrnul(p, ',');
		if (end == p) {
			warnx("empty column name in: %s", list);
			return -1;
		}
		id = column_name_to_id(p, (size_t)(end - p));
		if (id < 0)
			return -1;
		if (ncolumns >= ARRAY_SIZE(columns)) {
			warnx("too many columns specified");
			return -1;
		}
		columns[ncolumns++] = id;
		if (!*end)
			break;
	}
	return 0;
}

void list_all_columns(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(infos); i++)
		columns[i] = (int)i;
	ncolumns = ARRAY_SIZE(infos);
}

void list_usage_columns(FILE *out)
{
	size_t i;

	fputs("\nAvailable output columns:\n", out);
	for (i = 0; i < ARRAY_SIZE(infos); i++)
		fprintf(out, " %11s  %s\n", infos[i].name, infos[i].help);
}

/* Values of one device, read on first use. */
struct devstat {
	const struct zdev *z;
	int	mm_n, io_n, bd_n;	/* columns read, -1 = not read yet */
	uint64_t mm[ZSWAPBLK_MM__NR];
	uint64_t io[ZSWAPBLK_IO__NR];
	uint64_t bd[ZSWAPBLK_BD__NR];
};

static bool mm_col(struct devstat *d, int col, uint64_t *val)
{
	if (d->mm_n < 0)
		d->mm_n = zdev_read_columns(d->z, ZSWAPBLK_ATTR_MM_STAT, d->mm,
					    ZSWAPBLK_MM__NR);
	if (col >= d->mm_n)
		return false;
	*val = d->mm[col];
	return true;
}

static bool io_col(struct devstat *d, int col, uint64_t *val)
{
	if (d->io_n < 0)
		d->io_n = zdev_read_columns(d->z, ZSWAPBLK_ATTR_IO_STAT, d->io,
					    ZSWAPBLK_IO__NR);
	if (col >= d->io_n)
		return false;
	*val = d->io[col];
	return true;
}

static bool bd_col(struct devstat *d, int col, uint64_t *val)
{
	if (d->bd_n < 0)
		d->bd_n = zdev_read_columns(d->z, ZSWAPBLK_ATTR_BD_STAT, d->bd,
					    ZSWAPBLK_BD__NR);
	if (col >= d->bd_n)
		return false;
	*val = d->bd[col];
	return true;
}

/* "lzo lzo-rle [lz4] zstd" -> "lz4"; a lone name is taken as it is. */
char *zdev_algorithm(const struct zdev *z)
{
	char *s, *open, *close, *res = NULL;

	if (zdev_read_string(z, ZSWAPBLK_ATTR_COMP_ALGORITHM, &s))
		return NULL;
	open = strchr(s, '[');
	close = open ? strchr(open, ']') : NULL;
	if (open && close) {
		*close = '\0';
		res = xstrdup(open + 1);
	} else if (*s && !strchr(s, ' ')) {
		res = xstrdup(s);
	}
	free(s);
	return res;
}

/* The backing device path; empty for "none" or a driver without writeback. */
static char *backing_dev(const struct zdev *z)
{
	char *s;

	if (zdev_read_string(z, ZSWAPBLK_ATTR_BACKING_DEV, &s))
		return NULL;
	if (!*s || !strcmp(s, "none")) {
		free(s);
		return NULL;
	}
	return s;
}

static void fill_row(struct libscols_table *tb, const struct zdev *z,
		     bool inbytes)
{
	struct devstat d = { .z = z, .mm_n = -1, .io_n = -1, .bd_n = -1 };
	struct libscols_line *ln = new_line(tb, NULL);
	uint64_t num;
	size_t i;
	char *s;

	for (i = 0; i < ncolumns; i++) {
		switch (columns[i]) {
		case COL_NAME:
			line_set_str(ln, i, z->devpath);
			break;
		case COL_DISKSIZE:
			if (!zdev_read_u64(z, ZSWAPBLK_ATTR_DISKSIZE, &num))
				line_set_size(ln, i, num, inbytes);
			break;
		case COL_ORIG_SIZE:
			if (mm_col(&d, ZSWAPBLK_MM_ORIG_DATA_SIZE, &num))
				line_set_size(ln, i, num, inbytes);
			break;
		case COL_COMPR_SIZE:
			if (mm_col(&d, ZSWAPBLK_MM_COMPR_DATA_SIZE, &num))
				line_set_size(ln, i, num, inbytes);
			break;
		case COL_ALGORITHM:
			s = zdev_algorithm(z);
			line_set_str(ln, i, s);
			free(s);
			break;
		case COL_ZEROPAGES:
			if (mm_col(&d, ZSWAPBLK_MM_ZERO_PAGES, &num))
				line_set_u64(ln, i, num);
			break;
		case COL_MEMTOTAL:
			if (mm_col(&d, ZSWAPBLK_MM_MEM_USED_TOTAL, &num))
				line_set_size(ln, i, num, inbytes);
			break;
		case COL_MEMLIMIT:
			if (mm_col(&d, ZSWAPBLK_MM_MEM_LIMIT, &num) ||
			    !zdev_read_u64(z, ZSWAPBLK_ATTR_MEM_LIMIT, &num))
				line_set_size(ln, i, num, inbytes);
			break;
		case COL_MEMUSED:
			if (mm_col(&d, ZSWAPBLK_MM_MEM_USED_MAX, &num))
				line_set_size(ln, i, num, inbytes);
			break;
		case COL_MOUNTPOINT:
			s = zdev_mountpoint(z);
			line_set_str(ln, i, s);
			free(s);
			break;
		case COL_BACKING:
			s = backing_dev(z);
			line_set_str(ln, i, s);
			free(s);
			break;
		case COL_WB_PAGES:
			/* before bd_pages, every block held one page */
			if (bd_col(&d, ZSWAPBLK_BD_PAGES, &num) ||
			    bd_col(&d, ZSWAPBLK_BD_COUNT, &num))
				line_set_u64(ln, i, num);
			break;
		case COL_WB_INFLIGHT:
			if (bd_col(&d, ZSWAPBLK_BD_WB_INFLIGHT, &num))
				line_set_u64(ln, i, num);
			break;
		case COL_INFLIGHT:
			if (io_col(&d, ZSWAPBLK_IO_WRITES_INFLIGHT, &num))
				line_set_u64(ln, i, num);
			break;
		case COL_SAMEPAGES:
			if (mm_col(&d, ZSWAPBLK_MM_SAME_PAGES, &num))
				line_set_u64(ln, i, num);
			break;
		case COL_HUGEPAGES:
			if (mm_col(&d, ZSWAPBLK_MM_HUGE_PAGES, &num))
				line_set_u64(ln, i, num);
			break;
		case COL_MIGRATED:
			if (mm_col(&d, ZSWAPBLK_MM_PAGES_COMPACTED, &num))
				line_set_u64(ln, i, num);
			break;
		case COL_HELD:
			if (io_col(&d, ZSWAPBLK_IO_WRITES_HELD, &num))
				line_set_u64(ln, i, num);
			break;
		case COL_HOLD:
			if (!zdev_read_u64(z, ZSWAPBLK_ATTR_COMPLETION_HOLD, &num))
				line_set_u64(ln, i, num);
			break;
		case COL_PARAMS:
			if (!zdev_read_string(z, ZSWAPBLK_ATTR_ALGORITHM_PARAMS,
					      &s)) {
				line_set_str(ln, i, *s ? s : NULL);
				free(s);
			}
			break;
		}
	}
}

/**
 * list_devices() - print the device table
 * @o: output format
 * @devs: devices to show, or NULL to show every initialised device
 * @ndevs: number of @devs
 *
 * Return: EXIT_SUCCESS or EXIT_FAILURE.
 */
int list_devices(const struct outopts *o, char **devs, int ndevs)
{
	struct libscols_table *tb;
	struct zdev z;
	size_t i, n;
	int *ids, rc;

	if (!ncolumns) {
		memcpy(columns, default_columns, sizeof(default_columns));
		ncolumns = ARRAY_SIZE(default_columns);
	}

	/* Check the arguments before printing anything. */
	for (i = 0; i < (size_t)ndevs; i++) {
		rc = zdev_from_arg(&z, devs[i]);
		if (rc == -EINVAL)
			errx(EXIT_FAILURE, "%s: not a zswapblk device", devs[i]);
		if (rc) {
			errno = -rc;
			err(EXIT_FAILURE, "%s", z.devpath);
		}
	}

	tb = new_table(o, "zswapblk");
	for (i = 0; i < ncolumns; i++) {
		const struct colinfo *ci = &infos[columns[i]];

		new_column(tb, ci->name, ci->whint, ci->flags, ci->json_type);
	}

	if (ndevs) {
		for (i = 0; i < (size_t)ndevs; i++) {
			zdev_from_arg(&z, devs[i]);
			fill_row(tb, &z, o->bytes || o->json);
		}
	} else {
		n = zdev_list(&ids);
		for (i = 0; i < n; i++) {
			zdev_from_id(&z, ids[i]);
			if (zdev_initialised(&z))
				fill_row(tb, &z, o->bytes || o->json);
		}
		free(ids);
	}
	print_table(tb);
	return EXIT_SUCCESS;
}
