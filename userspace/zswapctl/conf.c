// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zswapctl.conf: the devices "setup" creates and "teardown" removes.
 *
 * The format is zram-generator's INI: one section per device.
 *
 *	# 4 GiB at most, half of the memory on smaller machines
 *	[zswapblk0]
 *	size = min(ram / 2, 4096M)
 *	algorithm = zstd
 *	swap-priority = 100
 *
 * A line is "[zswapblkN]", "key = value", blank, or a comment starting with
 * '#' or ';'.  Blanks around keys and values are ignored; there are no
 * quotes, no continued lines and no comments after a value.  Every error is
 * reported as "FILE:LINE: message" and the whole file is checked before
 * anything is done, so a bad file changes nothing.
 *
 * Sizes (size, mem-limit, and the watermarks unless given as "N%") are
 * expressions over bytes:
 *
 *	expr   := term { ("+" | "-") term }
 *	term   := factor { ("*" | "/") factor }
 *	factor := NUMBER | "ram" | ("min" | "max") "(" expr "," expr ")"
 *		  | "(" expr ")"
 *
 * NUMBER is a size as --size takes it (4096, 512M, 1.5GiB, 2GB) and ram is
 * MemTotal of /proc/meminfo in bytes.  Arithmetic is on unsigned 64-bit
 * integers and division rounds down; an overflow, a negative intermediate
 * result and a division by zero are errors.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zswapctl.h"

/* writeback_age: the driver refuses more than ten years. */
#define CONF_WB_AGE_MAX		(10ULL * 365 * 24 * 3600)
/* lz4's acceleration, the widest level range of the algorithms */
#define CONF_LEVEL_MAX		65537
#define CONF_PRIO_MAX		32767

const struct conf_key conf_keys[CK__NR] = {
	[CK_ALGORITHM]	   = { "algorithm",		ZSWAPBLK_ATTR_COMP_ALGORITHM },
	[CK_LEVEL]	   = { "level",			ZSWAPBLK_ATTR_ALGORITHM_PARAMS },
	[CK_BACKING_DEV]   = { "backing-dev",		ZSWAPBLK_ATTR_BACKING_DEV },
	[CK_MEM_LIMIT]	   = { "mem-limit",		ZSWAPBLK_ATTR_MEM_LIMIT },
	[CK_WB_AGE]	   = { "writeback-age",		ZSWAPBLK_ATTR_WB_AGE },
	[CK_WB_RATE]	   = { "writeback-rate",	ZSWAPBLK_ATTR_WB_RATE },
	[CK_WB_WMARK_LOW]  = { "writeback-wmark-low",	ZSWAPBLK_ATTR_WB_WMARK_LOW },
	[CK_WB_WMARK_HIGH] = { "writeback-wmark-high",	ZSWAPBLK_ATTR_WB_WMARK_HIGH },
	[CK_WB_DIRECT]	   = { "writeback-direct",	ZSWAPBLK_ATTR_WB_DIRECT },
	[CK_COMPRESSED_WB] = { "compressed-writeback",	ZSWAPBLK_ATTR_COMPRESSED_WB },
	[CK_SIZE]	   = { "size",			ZSWAPBLK_ATTR_DISKSIZE },
	[CK_SWAP_PRIORITY] = { "swap-priority",		NULL },
};

static void __printf(3, 4) conf_error(struct conf *c, unsigned int line,
				      const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warnx("%s:%u: %s", c->path, line, msg);
	c->nerrors++;
}

/* MemTotal from <sysroot>/proc/meminfo, read once. */
static int conf_ram(struct conf *c, uint64_t *res)
{
	char line[256], *p;
	unsigned long long kib;
	FILE *f;

	if (c->ram_state == 0) {
		c->ram_state = -1;
		p = sysroot_path("/proc/meminfo");
		f = fopen(p, "re");
		free(p);
		while (f && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "MemTotal: %llu kB", &kib) == 1 &&
			    kib <= UINT64_MAX / 1024) {
				c->ram = kib * 1024;
				c->ram_state = 1;
				break;
			}
		}
		if (f)
			fclose(f);
	}
	*res = c->ram;
	return c->ram_state > 0 ? 0 : -ENOENT;
}

/* ------------------------------------------------------ size expressions */

struct expr {
	struct conf	*c;
	const char	*p;		/* the next character */
	char		err[128];	/* the first error */
};

static int __printf(2, 3) expr_fail(struct expr *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->err[0]) {
		va_start(ap, fmt);
		vsnprintf(e->err, sizeof(e->err), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void skip_blanks(struct expr *e)
{
	while (isspace((unsigned char)*e->p))
		e->p++;
}

static int expect_char(struct expr *e, char ch)
{
	skip_blanks(e);
	if (*e->p != ch)
		return *e->p ? expr_fail(e, "expected '%c' at '%s'", ch, e->p) :
			       expr_fail(e, "expected '%c' at the end", ch);
	e->p++;
	return 0;
}

static int parse_sum(struct expr *e, uint64_t *res);

static int parse_number(struct expr *e, uint64_t *res)
{
	const char *start = e->p;
	char tok[64];
	size_t len;
	int rc;

	while (isalnum((unsigned char)*e->p) || *e->p == '.')
		e->p++;
	len = (size_t)(e->p - start);
	if (len >= sizeof(tok))
		return expr_fail(e, "number too long at '%.20s'", start);
	memcpy(tok, start, len);
	tok[len] = '\0';
	rc = parse_size(tok, res);
	if (rc == -ERANGE)
		return expr_fail(e, "'%s' is too large", tok);
	if (rc)
		return expr_fail(e, "invalid size '%s'", tok);
	return 0;
}

static int parse_name(struct expr *e, uint64_t *res)
{
	const char *start = e->p;
	uint64_t a, b;
	size_t len;

	while (isalnum((unsigned char)*e->p) || *e->p == '_')
		e->p++;
	len = (size_t)(e->p - start);
	if (len == 3 && !strncmp(start, "ram", 3)) {
		if (conf_ram(e->c, res))
			return expr_fail(e, "cannot read MemTotal from "
					 "%s/proc/meminfo", sysroot);
		return 0;
	}
	if (len == 3 && (!strncmp(start, "min", 3) ||
			 !strncmp(start, "max", 3))) {
		if (expect_char(e, '(') || parse_sum(e, &a) ||
		    expect_char(e, ',') || parse_sum(e, &b) ||
		    expect_char(e, ')'))
			return -EINVAL;
		if (start[1] == 'i')
			*res = a < b ? a : b;
		else
			*res = a > b ? a : b;
		return 0;
	}
	return expr_fail(e, "unknown name '%.*s'", (int)len, start);
}

static int parse_factor(struct expr *e, uint64_t *res)
{
	skip_blanks(e);
	if (isdigit((unsigned char)*e->p))
		return parse_number(e, res);
	if (isalpha((unsigned char)*e->p))
		return parse_name(e, res);
	if (*e->p == '(') {
		e->p++;
		if (parse_sum(e, res))
			return -EINVAL;
		return expect_char(e, ')');
	}
	if (!*e->p)
		return expr_fail(e, "expected a size at the end");
	return expr_fail(e, "expected a size at '%s'", e->p);
}

static int parse_product(struct expr *e, uint64_t *res)
{
	uint64_t b;
	char op;

	if (parse_factor(e, res))
		return -EINVAL;
	for (;;) {
		skip_blanks(e);
		op = *e->p;
		if (op != '*' && op != '/')
			return 0;
		e->p++;
		if (parse_factor(e, &b))
			return -EINVAL;
		if (op == '*' && __builtin_mul_overflow(*res, b, res))
			return expr_fail(e, "the size overflows");
		if (op == '/') {
			if (!b)
				return expr_fail(e, "division by zero");
			*res /= b;
		}
	}
}

static int parse_sum(struct expr *e, uint64_t *res)
{
	uint64_t b;
	char op;

	if (parse_product(e, res))
		return -EINVAL;
	for (;;) {
		skip_blanks(e);
		op = *e->p;
		if (op != '+' && op != '-')
			return 0;
		e->p++;
		if (parse_product(e, &b))
			return -EINVAL;
		if (op == '+' && __builtin_add_overflow(*res, b, res))
			return expr_fail(e, "the size overflows");
		if (op == '-' && __builtin_sub_overflow(*res, b, res))
			return expr_fail(e, "the size is negative");
	}
}

/**
 * conf_eval_size() - evaluate a size expression
 * @c: the configuration, for ram
 * @expr: e.g. "min(ram / 2, 4096M)"
 * @res: the size in bytes
 * @errmsg: on failure, what is wrong (valid until the next call)
 *
 * Return: 0 or -EINVAL.
 */
int conf_eval_size(struct conf *c, const char *expr, uint64_t *res,
		   const char **errmsg)
{
	static struct expr e;

	memset(&e, 0, sizeof(e));
	e.c = c;
	e.p = expr;
	if (!parse_sum(&e, res)) {
		skip_blanks(&e);
		if (!*e.p)
			return 0;
		expr_fail(&e, "unexpected '%s'", e.p);
	}
	*errmsg = e.err;
	return -EINVAL;
}

/* ---------------------------------------------------------------- values */

/* The value of a key as written to sysfs, or NULL after an error. */
typedef char *(*conf_parse_fn)(struct conf *c, unsigned int line,
			       const char *key, const char *val);

static char *size_value(struct conf *c, unsigned int line, const char *key,
			const char *val, bool nonzero)
{
	const char *msg;
	uint64_t num;

	if (conf_eval_size(c, val, &num, &msg)) {
		conf_error(c, line, "%s: invalid size '%s': %s", key, val, msg);
		return NULL;
	}
	if (nonzero && !num) {
		conf_error(c, line, "%s: '%s' is 0 bytes", key, val);
		return NULL;
	}
	return xasprintf("%" PRIu64, num);
}

static char *parse_disksize(struct conf *c, unsigned int line,
			    const char *key, const char *val)
{
	return size_value(c, line, key, val, true);
}

static char *parse_limit(struct conf *c, unsigned int line, const char *key,
			 const char *val)
{
	return size_value(c, line, key, val, false);
}

/* An unsigned number within [min, max], as a string. */
static char *number_value(struct conf *c, unsigned int line, const char *key,
			  const char *val, uint64_t min, uint64_t max)
{
	uint64_t num;

	if (parse_u64(val, &num) || num < min || num > max) {
		conf_error(c, line, "%s: '%s' is not a number from %" PRIu64
			   " to %" PRIu64, key, val, min, max);
		return NULL;
	}
	return xasprintf("%" PRIu64, num);
}

static char *parse_algorithm(struct conf *c, unsigned int line,
			     const char *key, const char *val)
{
	const char *p;

	for (p = val; *p; p++) {
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '-' && *p != '_') {
			conf_error(c, line, "%s: invalid name '%s'", key, val);
			return NULL;
		}
	}
	return xstrdup(val);
}

static char *parse_level(struct conf *c, unsigned int line, const char *key,
			 const char *val)
{
	char *num = number_value(c, line, key, val, 1, CONF_LEVEL_MAX);
	char *res;

	if (!num)
		return NULL;
	res = xasprintf("level=%s", num);
	free(num);
	return res;
}

static char *parse_path(struct conf *c, unsigned int line, const char *key,
			const char *val)
{
	if (val[0] != '/' || strpbrk(val, " \t")) {
		conf_error(c, line, "%s: '%s' is not an absolute path", key, val);
		return NULL;
	}
	return xstrdup(val);
}

static char *parse_age(struct conf *c, unsigned int line, const char *key,
		       const char *val)
{
	return number_value(c, line, key, val, 0, CONF_WB_AGE_MAX);
}

static char *parse_rate(struct conf *c, unsigned int line, const char *key,
			const char *val)
{
	return number_value(c, line, key, val, 0, UINT32_MAX);
}

/* "N%" of mem_limit, or a size. */
static char *parse_wmark(struct conf *c, unsigned int line, const char *key,
			 const char *val)
{
	size_t len = strlen(val);
	uint64_t pct;
	char *num;

	if (len && val[len - 1] == '%') {
		num = xstrdup(val);
		num[len - 1] = '\0';
		if (parse_u64(num, &pct) || pct > 100) {
			conf_error(c, line, "%s: '%s' is not a percentage from "
				   "0%% to 100%%", key, val);
			free(num);
			return NULL;
		}
		free(num);
		return xasprintf("%" PRIu64 "%%", pct);
	}
	return size_value(c, line, key, val, false);
}

static char *parse_direct(struct conf *c, unsigned int line, const char *key,
			  const char *val)
{
	if (strcmp(val, "none") && strcmp(val, "huge") && strcmp(val, "all")) {
		conf_error(c, line, "%s: '%s' is not none, huge or all", key,
			   val);
		return NULL;
	}
	return xstrdup(val);
}

/* What the driver's kstrtobool() takes, spelt out; written as 1 or 0. */
static char *parse_bool(struct conf *c, unsigned int line, const char *key,
			const char *val)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(val, yes[i]))
			return xstrdup("1");
		if (!strcasecmp(val, no[i]))
			return xstrdup("0");
	}
	conf_error(c, line, "%s: '%s' is not yes or no", key, val);
	return NULL;
}

static char *parse_priority(struct conf *c, unsigned int line,
			    const char *key, const char *val)
{
	return number_value(c, line, key, val, 0, CONF_PRIO_MAX);
}

static const conf_parse_fn conf_parsers[CK__NR] = {
	[CK_ALGORITHM]	   = parse_algorithm,
	[CK_LEVEL]	   = parse_level,
	[CK_BACKING_DEV]   = parse_path,
	[CK_MEM_LIMIT]	   = parse_limit,
	[CK_WB_AGE]	   = parse_age,
	[CK_WB_RATE]	   = parse_rate,
	[CK_WB_WMARK_LOW]  = parse_wmark,
	[CK_WB_WMARK_HIGH] = parse_wmark,
	[CK_WB_DIRECT]	   = parse_direct,
	[CK_COMPRESSED_WB] = parse_bool,
	[CK_SIZE]	   = parse_disksize,
	[CK_SWAP_PRIORITY] = parse_priority,
};

/* -------------------------------------------------------------- the file */

static bool is_writeback_key(int k)
{
	return k == CK_WB_AGE || k == CK_WB_RATE || k == CK_WB_WMARK_LOW ||
	       k == CK_WB_WMARK_HIGH || k == CK_WB_DIRECT ||
	       k == CK_COMPRESSED_WB;
}

/* What can only be checked once a section is complete. */
static void check_section(struct conf *c, struct conf_dev *d)
{
	const char *alg = d->value[CK_ALGORITHM];
	const char *lvl = d->value[CK_LEVEL];
	int k;

	/* vline: the key was there, even if its value was bad */
	if (!d->vline[CK_SIZE])
		conf_error(c, d->line, "[%s] has no size", d->z.name);
	for (k = 0; k < CK__NR; k++) {
		if (is_writeback_key(k) && d->vline[k] &&
		    !d->vline[CK_BACKING_DEV])
			conf_error(c, d->vline[k], "%s needs backing-dev",
				   conf_keys[k].name);
	}
	if (alg && lvl && (!strcmp(alg, "lzo") || !strcmp(alg, "lzo-rle")))
		conf_error(c, d->vline[CK_LEVEL], "level: %s has no levels",
			   alg);
	if (alg && lvl && !strcmp(alg, "zstd") &&
	    strtoul(lvl + strlen("level="), NULL, 10) > 22)
		conf_error(c, d->vline[CK_LEVEL], "level: zstd has levels "
			   "1 to 22");
	if (d->value[CK_SWAP_PRIORITY])
		d->priority = atoi(d->value[CK_SWAP_PRIORITY]);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* "[zswapblkN]": start a device; NULL (after a message) if it is bad. */
static struct conf_dev *new_section(struct conf *c, unsigned int line,
				    char *s)
{
	size_t len = strlen(s), i;
	struct conf_dev *d;
	char *name;
	int id;

	if (s[len - 1] != ']') {
		conf_error(c, line, "expected ']' at the end of '%s'", s);
		return NULL;
	}
	s[len - 1] = '\0';
	name = trim(s + 1);
	id = zdev_name_to_id(name);
	if (id < 0) {
		conf_error(c, line, "invalid section [%s]: expected [%sN]",
			   name, ZSWAPBLK_NAME);
		return NULL;
	}
	for (i = 0; i < c->ndevs; i++) {
		if (c->devs[i].z.id == id) {
			conf_error(c, line, "duplicate section [%s] (first on "
				   "line %u)", name, c->devs[i].line);
			return NULL;
		}
	}
	c->devs = realloc(c->devs, (c->ndevs + 1) * sizeof(*c->devs));
	if (!c->devs)
		err(EXIT_FAILURE, "cannot allocate memory");
	d = &c->devs[c->ndevs++];
	memset(d, 0, sizeof(*d));
	zdev_from_id(&d->z, id);
	d->line = line;
	d->priority = -1;
	return d;
}

static void key_value(struct conf *c, struct conf_dev *d, unsigned int line,
		      char *s)
{
	char *eq = strchr(s, '='), *key, *val;
	int k;

	if (!eq) {
		conf_error(c, line, "expected 'key = value' or '[%sN]'",
			   ZSWAPBLK_NAME);
		return;
	}
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	for (k = 0; k < CK__NR; k++) {
		if (!strcmp(key, conf_keys[k].name))
			break;
	}
	if (k == CK__NR) {
		conf_error(c, line, "unknown key '%s'", key);
		return;
	}
	if (!d) {
		conf_error(c, line, "%s outside of a [%sN] section", key,
			   ZSWAPBLK_NAME);
		return;
	}
	if (d->vline[k]) {
		conf_error(c, line, "duplicate key %s (first on line %u)", key,
			   d->vline[k]);
		return;
	}
	d->vline[k] = line;
	if (!*val)
		conf_error(c, line, "%s: empty value", key);
	else
		d->value[k] = conf_parsers[k](c, line, key, val);
}

/**
 * conf_read() - read and check a configuration file
 * @c: filled in; conf_free() it, even after an error
 * @path: the file
 *
 * Every error is reported as "FILE:LINE: message"; an unreadable file is
 * reported with err().
 *
 * Return: the number of errors, 0 if the file is good.
 */
int conf_read(struct conf *c, const char *path)
{
	struct conf_dev *d = NULL;
	bool in_bad_section = false;
	unsigned int line = 0;
	size_t sz = 0;
	char *buf = NULL, *s;
	FILE *f;

	memset(c, 0, sizeof(*c));
	c->path = path;
	f = fopen(path, "re");
	if (!f)
		err(EXIT_FAILURE, "%s", path);
	while (getline(&buf, &sz, f) >= 0) {
		line++;
		s = trim(buf);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (d)
				check_section(c, d);
			d = new_section(c, line, s);
			in_bad_section = !d;
			continue;
		}
		/* the keys of a rejected section would only add noise */
		if (!in_bad_section)
			key_value(c, d, line, s);
	}
	if (ferror(f))
		err(EXIT_FAILURE, "%s: read error", path);
	if (d)
		check_section(c, d);
	free(buf);
	fclose(f);
	return (int)c->nerrors;
}

void conf_free(struct conf *c)
{
	size_t i;
	int k;

	for (i = 0; i < c->ndevs; i++) {
		for (k = 0; k < CK__NR; k++)
			free(c->devs[i].value[k]);
	}
	free(c->devs);
	c->devs = NULL;
	c->ndevs = 0;
}
