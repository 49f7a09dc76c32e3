// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zswapctl estimate: how well would this data do on a zswapblk device?
 *
 * The input is cut into pages, as swap would store it.  A page of zeros and
 * a page filled with one repeated 64-bit word cost no compressed memory (the
 * zero bitmap and same-filled pages), every other page is compressed on its
 * own, with each algorithm asked for.  A page that does not shrink is counted
 * as incompressible and stored raw, at the page size.  A short last page is
 * padded with zeros.
 *
 * For --pid the private, writable, anonymous mappings of the process are
 * read through /proc/<pid>/mem; pages that were never touched (neither
 * present nor swapped out, per pagemap) are left out.  Reading a page that
 * is swapped out swaps it in.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lz4.h>
#include <zstd.h>

#include "zswapctl.h"
#include "pagestate.h"

#define MAX_CONFIGS	9

enum algo { ALGO_LZ4, ALGO_ZSTD };

struct config {
	enum algo	algo;
	int		level;		/* zstd only */
	ZSTD_CCtx	*cctx;
	uint64_t	stored;		/* bytes */
	uint64_t	incompressible;	/* pages */
};

struct estimate {
	size_t		psz;
	uint64_t	pages;
	uint64_t	zero;
	uint64_t	same;
	struct config	cfg[MAX_CONFIGS];
	size_t		ncfg;
	char		*dst;
	size_t		dstsz;
};

static bool page_is_zero(const uint64_t *w, size_t nw)
{
	size_t i;

	for (i = 0; i < nw; i++) {
		if (w[i])
			return false;
	}
	return true;
}

static bool page_is_same(const uint64_t *w, size_t nw)
{
	size_t i;

	for (i = 1; i < nw; i++) {
		if (w[i] != w[0])
			return false;
	}
	return true;
}

static void account_page(struct estimate *e, const void *page)
{
	const uint64_t *w = page;
	size_t nw = e->psz / sizeof(uint64_t), i, csz;
	int n;

	e->pages++;
	if (page_is_zero(w, nw)) {
		e->zero++;
		return;
	}
	if (page_is_same(w, nw)) {
		e->same++;
		return;
	}
	for (i = 0; i < e->ncfg; i++) {
		struct config *c = &e->cfg[i];

		if (c->algo == ALGO_LZ4) {
			n = LZ4_compress_default(page, e->dst, (int)e->psz,
						 (int)e->dstsz);
			csz = n > 0 ? (size_t)n : e->psz;
		} else {
			csz = ZSTD_compressCCtx(c->cctx, e->dst, e->dstsz, page,
						e->psz, c->level);
			if (ZSTD_isError(csz))
				errx(EXIT_FAILURE, "zstd: %s",
				     ZSTD_getErrorName(csz));
		}
		if (csz >= e->psz) {
			c->incompressible++;
			csz = e->psz;
		}
		c->stored += csz;
	}
}

static void read_fd(struct estimate *e, int fd, const char *name)
{
	size_t bufsz = 256 * e->psz, have = 0, off;
	char *buf = xmalloc(bufsz);
	ssize_t n;

	for (;;) {
		n = read(fd, buf + have, bufsz - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err(EXIT_FAILURE, "%s: read failed", name);
		}
		have += (size_t)n;
		if (n > 0 && have < bufsz)
			continue;
		for (off = 0; off + e->psz <= have; off += e->psz)
			account_page(e, buf + off);
		if (n == 0) {
			if (off < have) {
				memset(buf + have, 0, e->psz - (have - off));
				account_page(e, buf + off);
			}
			break;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	free(buf);
}

static void read_file(struct estimate *e, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		err(EXIT_FAILURE, "cannot open %s", path);
	read_fd(e, fd, path);
	close(fd);
}

/* Private, writable, anonymous: what the kernel would swap. */
static bool swappable_mapping(const char *perms, unsigned long inode,
			      const char *name)
{
	if (perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p' || inode)
		return false;
	return !*name || !strcmp(name, "[heap]") ||
	       !strncmp(name, "[stack", 6) || !strncmp(name, "[anon:", 6);
}

static void read_process(struct estimate *e, pid_t pid)
{
	char line[PATH_MAX + 256], perms[8], name[PATH_MAX];
	unsigned long long start, end, a;
	unsigned long inode;
	struct pagestate ps = { -1, -1 };
	char *path, *page = xmalloc(e->psz);
	uint64_t ent;
	int mem, pm;
	FILE *maps;

	path = sysroot_path("/proc/%d/maps", (int)pid);
	maps = fopen(path, "re");
	if (!maps)
		err(EXIT_FAILURE, "cannot open %s", path);
	free(path);
	path = sysroot_path("/proc/%d/mem", (int)pid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	if (mem < 0)
		err(EXIT_FAILURE, "cannot open %s", path);
	free(path);
	path = sysroot_path("/proc/%d/pagemap", (int)pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	if (pm < 0)
		err(EXIT_FAILURE, "cannot open %s", path);
	free(path);
	ps.pagemap = pm;

	while (fgets(line, sizeof(line), maps)) {
		name[0] = '\0';
		if (sscanf(line, "%llx-%llx %7s %*s %*s %lu %4095[^\n]",
			   &start, &end, perms, &inode, name) < 4)
			continue;
		if (!swappable_mapping(perms, inode, name + strspn(name, " ")))
			continue;
		for (a = start; a < end; a += e->psz) {
			if (pagemap_get(&ps, (const void *)(uintptr_t)a, &ent) ||
			    !(ent & (PM_PRESENT | PM_SWAP)))
				continue;
			if (pread(mem, page, e->psz, (off_t)a) != (ssize_t)e->psz)
				continue;	/* vanished meanwhile */
			account_page(e, page);
		}
	}
	fclose(maps);
	close(mem);
	close(pm);
	free(page);
}

static void parse_algorithms(const char *list, bool *lz4, bool *zstd)
{
	char *s = xstrdup(list), *tok, *save = NULL;

	*lz4 = *zstd = false;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "lz4")) {
			*lz4 = true;
		} else if (!strcmp(tok, "zstd")) {
			*zstd = true;
		} else {
			warnx("unsupported algorithm: %s", tok);
			errtryhelp("estimate");
		}
	}
	free(s);
	if (!*lz4 && !*zstd) {
		warnx("no algorithm specified");
		errtryhelp("estimate");
	}
}

static size_t parse_levels(const char *list, int *levels, size_t max)
{
	char *s = xstrdup(list), *tok, *save = NULL;
	int64_t lvl;
	size_t n = 0;

	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		lvl = strtos64_or_err(tok, "failed to parse zstd level");
		if (lvl < ZSTD_minCLevel() || lvl > ZSTD_maxCLevel())
			errx(EXIT_FAILURE, "zstd level out of range (%d to %d): "
			     "'%s'", ZSTD_minCLevel(), ZSTD_maxCLevel(), tok);
		if (n == max)
			errx(EXIT_FAILURE, "too many zstd levels (at most %zu)",
			     max);
		levels[n++] = (int)lvl;
	}
	free(s);
	if (!n)
		errx(EXIT_FAILURE, "no zstd level specified");
	return n;
}

static void print_estimate(const struct estimate *e, const struct outopts *o)
{
	enum { C_ALGO, C_PAGES, C_ZERO, C_SAME, C_DATA, C_COMPR, C_RATIO,
	       C_INCOMPR };
	struct libscols_table *tb = new_table(o, "estimate");
	bool inbytes = o->bytes || o->json;
	uint64_t data = e->pages * e->psz;
	size_t i;

	new_column(tb, "ALGORITHM", 0.1, 0, SCOLS_JSON_STRING);
	new_column(tb, "PAGES", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER);
	new_column(tb, "ZERO", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER);
	new_column(tb, "SAME", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER);
	new_column(tb, "DATA", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER);
	new_column(tb, "COMPR", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER);
	new_column(tb, "RATIO", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER);
	new_column(tb, "INCOMPR", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER);

	for (i = 0; i < e->ncfg; i++) {
		const struct config *c = &e->cfg[i];
		struct libscols_line *ln = new_line(tb, NULL);

		if (c->algo == ALGO_LZ4)
			line_set_str(ln, C_ALGO, "lz4");
		else
			line_set_printf(ln, C_ALGO, "zstd-%d", c->level);
		line_set_u64(ln, C_PAGES, e->pages);
		line_set_u64(ln, C_ZERO, e->zero);
		line_set_u64(ln, C_SAME, e->same);
		line_set_size(ln, C_DATA, data, inbytes);
		line_set_size(ln, C_COMPR, c->stored, inbytes);
		if (c->stored)
			line_set_printf(ln, C_RATIO, "%.2f",
					(double)data / (double)c->stored);
		line_set_u64(ln, C_INCOMPR, c->incompressible);
	}
	print_table(tb);
}

static void __noreturn usage(void)
{
	FILE *out = stdout;

	fputs("\nUsage:\n", out);
	fprintf(out, " %1$s estimate [options] <file>|<blockdev>\n"
		     " %1$s estimate [options] --pid <pid>\n",
		program_invocation_short_name);
	fputs("\nEstimate how well data would compress on a zswapblk device, "
	      "page by page.\n", out);
	fputs("\nOptions:\n", out);
	fputs(" -p, --pid <pid>           read the anonymous memory of a process\n", out);
	fputs(" -a, --algorithm <list>    lz4, zstd or both (default lz4,zstd)\n", out);
	fputs(" -z, --zstd-level <list>   zstd levels, comma separated (default 3)\n", out);
	fputs(" -b, --bytes               print sizes in bytes rather than in human\n"
	      "                           readable format\n", out);
	fputs(" -J, --json                use JSON output format\n", out);
	fputs("     --raw                 use raw output format\n", out);
	fputs(" -n, --noheadings          don't print headings\n", out);
	fputs("     --sysroot <dir>       use <dir> as the root of /proc\n", out);
	fputs("\n -h, --help                display this help\n", out);
	fputs(" -V, --version             display version\n", out);
	fputs("\nOutput columns:\n", out);
	fputs("   ALGORITHM  compressor and level\n"
	      "       PAGES  pages read\n"
	      "        ZERO  pages of zeros (no memory used)\n"
	      "        SAME  pages filled with one repeated word (no memory used)\n"
	      "        DATA  bytes read (PAGES times the page size)\n"
	      "       COMPR  bytes of compressed data, raw size for incompressible pages\n"
	      "       RATIO  DATA / COMPR\n"
	      "     INCOMPR  pages that did not shrink\n", out);
	fprintf(out, "\nFor more details see %s(8).\n",
		program_invocation_short_name);
	exit(EXIT_SUCCESS);
}

int estimate_main(int argc, char **argv)
{
	enum { OPT_RAW = OPT_FIRST_OWN };
	static const struct option longopts[] = {
		{ "pid",	required_argument, NULL, 'p' },
		{ "algorithm",	required_argument, NULL, 'a' },
		{ "zstd-level",	required_argument, NULL, 'z' },
		{ "bytes",	no_argument,	   NULL, 'b' },
		{ "json",	no_argument,	   NULL, 'J' },
		{ "raw",	no_argument,	   NULL, OPT_RAW },
		{ "noheadings",	no_argument,	   NULL, 'n' },
		{ "sysroot",	required_argument, NULL, OPT_SYSROOT },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct estimate e = { 0 };
	struct outopts o = { 0 };
	const char *algos = "lz4,zstd", *levels_arg = "3";
	int levels[MAX_CONFIGS - 1], c;
	bool lz4, zstd;
	size_t nlevels, i;
	uint64_t pid = 0;

	while ((c = getopt_long(argc, argv, "p:a:z:bJnhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			pid = strtou64_or_err(optarg, "failed to parse pid");
			if (!pid || pid > INT_MAX)
				errx(EXIT_FAILURE, "invalid pid: '%s'", optarg);
			break;
		case 'a':
			algos = optarg;
			break;
		case 'z':
			levels_arg = optarg;
			break;
		case 'b':
			o.bytes = true;
			break;
		case 'J':
			o.json = true;
			break;
		case OPT_RAW:
			o.raw = true;
			break;
		case 'n':
			o.noheadings = true;
			break;
		case 'h':
			usage();
		default:
			common_option(c, "estimate");
		}
	}
	if (o.json && o.raw)
		errx(EXIT_FAILURE, "mutually exclusive arguments: --json --raw");
	if (pid && optind < argc)
		errx(EXIT_FAILURE, "option --pid is mutually exclusive with "
		     "<file>");
	if (!pid && optind != argc - 1) {
		warnx(optind == argc ? "no input specified" :
		      "only one input can be estimated at a time");
		errtryhelp("estimate");
	}

	parse_algorithms(algos, &lz4, &zstd);
	nlevels = parse_levels(levels_arg, levels, ARRAY_SIZE(levels));

	e.psz = (size_t)sysconf(_SC_PAGESIZE);
	e.dstsz = (size_t)LZ4_compressBound((int)e.psz);
	if (ZSTD_compressBound(e.psz) > e.dstsz)
		e.dstsz = ZSTD_compressBound(e.psz);
	e.dst = xmalloc(e.dstsz);
	if (lz4)
		e.cfg[e.ncfg++].algo = ALGO_LZ4;
	for (i = 0; zstd && i < nlevels; i++) {
		struct config *cf = &e.cfg[e.ncfg++];

		cf->algo = ALGO_ZSTD;
		cf->level = levels[i];
		cf->cctx = ZSTD_createCCtx();
		if (!cf->cctx)
			errx(EXIT_FAILURE, "cannot allocate a zstd context");
	}

	if (pid)
		read_process(&e, (pid_t)pid);
	else
		read_file(&e, argv[optind]);

	print_estimate(&e, &o);
	for (i = 0; i < e.ncfg; i++)
		ZSTD_freeCCtx(e.cfg[i].cctx);
	free(e.dst);
	return EXIT_SUCCESS;
}
