// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libsmartcols helpers shared by the listing, exercise and estimate tables.
 *
 * A failure to build a table is fatal, as in util-linux.  Sizes are printed
 * in a human readable form unless --bytes or --json is given: JSON always
 * carries numbers (losetup does the same), so that consumers never parse
 * "1.5G".
 */
#include <err.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "zswapctl.h"

struct libscols_table *new_table(const struct outopts *o, const char *name)
{
	struct libscols_table *tb;

	scols_init_debug(0);
	tb = scols_new_table();
	if (!tb)
		err(EXIT_FAILURE, "failed to allocate output table");
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_json(tb, o->json);
	scols_table_enable_noheadings(tb, o->noheadings);
	if (o->json)
		scols_table_set_name(tb, name);
	return tb;
}

struct libscols_column *new_column(struct libscols_table *tb, const char *name,
				   double whint, int flags, int json_type)
{
	struct libscols_column *cl;

	cl = scols_table_new_column(tb, name, whint, flags);
	if (!cl)
		err(EXIT_FAILURE, "failed to allocate output column");
	scols_column_set_json_type(cl, json_type);
	return cl;
}

struct libscols_line *new_line(struct libscols_table *tb,
			       struct libscols_line *parent)
{
	struct libscols_line *ln = scols_table_new_line(tb, parent);

	if (!ln)
		err(EXIT_FAILURE, "failed to allocate output line");
	return ln;
}

void line_set_str(struct libscols_line *ln, size_t col, const char *str)
{
	if (str && scols_line_set_data(ln, col, str))
		err(EXIT_FAILURE, "failed to add output data");
}

static void line_refer(struct libscols_line *ln, size_t col, char *str)
{
	if (scols_line_refer_data(ln, col, str))
		err(EXIT_FAILURE, "failed to add output data");
}

void line_set_u64(struct libscols_line *ln, size_t col, uint64_t num)
{
	line_refer(ln, col, xasprintf("%" PRIu64, num));
}

void line_set_size(struct libscols_line *ln, size_t col, uint64_t bytes,
		   bool inbytes)
{
	if (inbytes)
		line_set_u64(ln, col, bytes);
	else
		line_refer(ln, col, size_to_human_string(bytes));
}

void line_set_printf(struct libscols_line *ln, size_t col,
		     const char *fmt, ...)
{
	va_list ap;
	char *p;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (rc < 0)
		err(EXIT_FAILURE, "cannot allocate string");
	line_refer(ln, col, p);
}

void print_table(struct libscols_table *tb)
{
	scols_print_table(tb);
	scols_unref_table(tb);
}
