// SPDX-License-Identifier: GPL-2.0
/*
 * sysfuzz: write random and adversarial strings to sysfs attributes.
 *
 *   sysfuzz [-k] [-s SEED] [-D MS] [-n WRITES] [-W MS] [-i TAG]
 *           [-r NAME=VALUE]... [-S FILE]... ATTR...
 *
 * Every write is one open(O_WRONLY), one write() of the whole string (NUL
 * bytes, control characters, more than a page included) and one close().
 * It must succeed or fail with an errno the ABI document names: EINVAL,
 * EBUSY, ENOSPC, ENOMEM, ENODEV, ENOTBLK, EIO, E2BIG, ENOENT, and for
 * backing_dev (a path the driver opens) also the errors of opening a path.
 * Anything else is a failure, reported with the attribute, the string
 * (escaped) and the errno.  A write that has not returned after -W ms
 * (default 30000) is reported by a watchdog thread as a hang.
 *
 * Modes:
 *   (default)  random: until -D ms have passed or -n writes were made,
 *              strings from a seeded generator (-s, default 1) go to
 *              randomly chosen ATTRs.  Valid strings happen and are fine.
 *              An attribute that cannot be opened any more (its device was
 *              removed) is counted, not a failure.  -r NAME=VALUE writes
 *              VALUE to an attribute named NAME right after every
 *              successful random write to it (e.g. completion_hold=0, so
 *              a random hold never parks I/O for minutes).
 *   -k         known-invalid: every string of the built-in invalid list to
 *              every ATTR, in order.  Each write must fail with a
 *              documented errno and leave every -S FILE reading as before
 *              (the attribute itself is read back after each write, all of
 *              them after the last string).
 *              compact (which takes anything) is left out, and so are, for
 *              verify_stable and compressed_writeback, the strings
 *              kstrtobool() accepts by their first characters.
 *
 * Prints TAP (tests/progs/common.h); exit 0 when no assertion failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define MAX_ATTRS	64
#define MAX_SNAP	64
#define MAX_RESTORE	8
#define BUF_MAX		8192
#define SNAP_LEN	4096
#define REPORT_MAX	10

static const char *attrs[MAX_ATTRS];
static int nattrs;
static const char *snap_files[MAX_SNAP];
static char *snap_vals[MAX_SNAP];
static int nsnap;
static struct { const char *name, *value; } restores[MAX_RESTORE];
static int nrestores;
static const char *tag = "sysfuzz";
static unsigned int hang_ms = 30000;

/* The write in progress, for the watchdog. */
static pthread_mutex_t cur_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t cur_start;	/* 0: no write running */
static const char *cur_attr;
static char cur_desc[160];

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The string as printable ASCII, at most about 60 characters of it. */
static const char *escape(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, at = 0;

	for (i = 0; i < len && at + 8 < outlen; i++) {
		unsigned char c = s[i];

		if (at > 60) {
			at += snprintf(out + at, outlen - at, "...(%zu bytes)", len);
			break;
		}
		if (c == '\n')
			at += snprintf(out + at, outlen - at, "\\n");
		else if (c == '\\' || c == '\'')
			at += snprintf(out + at, outlen - at, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			out[at++] = c;
		else
			at += snprintf(out + at, outlen - at, "\\x%02x", c);
	}
	out[at] = '\0';
	return out;
}

static const char *ename(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "E?";
}

static bool errno_documented(const char *attr, int err)
{
	switch (err) {
	case EINVAL: case EBUSY: case ENOSPC: case ENOMEM: case ENODEV:
	case ENOTBLK: case EIO: case E2BIG: case ENOENT:
		return true;
	}
	/* backing_dev opens the path it is given: "ENOENT and the like" */
	if (!strcmp(base(attr), "backing_dev")) {
		switch (err) {
		case ENOTDIR: case ENAMETOOLONG: case ELOOP: case EACCES:
		case EROFS: case ENXIO: case EISDIR: case EPERM:
		case ENOMEDIUM: case ETXTBSY:
			return true;
		}
	}
	return false;
}

static void *watchdog(void *arg)
{
	uint64_t reported = 0;

	(void)arg;
	for (;;) {
		sleep_ms(500);
		pthread_mutex_lock(&cur_lock);
		if (cur_start && cur_start != reported &&
		    now_ms() - cur_start > hang_ms) {
			reported = cur_start;
			tap_check(false, "%s: write to %s of '%s' has not returned after %u ms",
				  tag, cur_attr, cur_desc, hang_ms);
		}
		pthread_mutex_unlock(&cur_lock);
	}
	return NULL;
}

/*
 * One write: 0, -errno of the write, or 1 if the file cannot be opened
 * (errno in *open_err).
 */
static int do_write(const char *attr, const char *s, size_t len, int *open_err)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(attr, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		*open_err = errno;
		return 1;
	}
	pthread_mutex_lock(&cur_lock);
	cur_attr = attr;
	escape(s, len, cur_desc, sizeof(cur_desc));
	cur_start = now_ms();
	pthread_mutex_unlock(&cur_lock);

	n = write(fd, s, len);
	if (n < 0)
		err = errno;

	pthread_mutex_lock(&cur_lock);
	cur_start = 0;
	pthread_mutex_unlock(&cur_lock);
	close(fd);
	return n < 0 ? -err : 0;
}

/* ---- the strings ----------------------------------------------------------- */

#define S(x)	{ x, sizeof(x) - 1 }
struct str {
	const char *s;
	size_t len;
};

/* Invalid for every attribute (see -k for the two exceptions). */
static const struct str invalid[] = {
	S("\n"), S(" "), S("\t\n"), S(" \n "), S("\x01\x02\x03\n"), S("\x1b[2J"),
	S("\x7f"), S("\0"), S("\0" "1"), S("\0" "lz4"), S("junk\0" "lz4"),
	S("-1"), S("-1\n"), S("-0x1"), S("-4096"), S("-18446744073709551616"),
	S("18446744073709551616"), S("340282366920938463463374607431768211456"),
	S("99999999999999999999999999999999999999999999999999"),
	S("1e30"), S("1E30"), S("16E"), S("17E"), S("99E"), S("1Z"), S("5x"),
	S("64Mjunk"), S("4096 4096"), S(" 1 "), S("\n1"), S("1\n\n"), S("1 2"),
	S("1.5"), S("1,000"), S("0x"), S("0b101"), S("+"), S("--1"), S("1-"),
	S("x"), S("k"), S("M"), S("%"), S("101%"), S("-5%"), S("50%%"),
	S("lz4 junk"), S("lz4junk"), S(" lz4x"), S("zstd zstd"),
	S("level=3 junk"), S("level="), S("level=1x"), S("algo="),
	S("idle junk"), S("all junk"), S("all\n\n"), S("none junk"),
	S("huge,idle"), S("type="), S("page_index="), S("page_indexes=5"),
	S("page_indexes=9-3"), S("page_indexes=-"),
	S("\xd9\xa1\xd9\xa2\xd9\xa3"),			/* Arabic-Indic 123 */
	S("\xef\xbd\x8c\xef\xbd\x9a\xef\xbc\x94"),	/* fullwidth lz4 */
	S("\xc3\xa9"), S("\xff\xfe"), S("\xc0\x80"), S("\xe2\x80\x8b"),
};

/* Valid somewhere, for some attribute, in some state. */
static const struct str valid[] = {
	S("0"), S("1"), S("2"), S("7"), S("4096"), S("64M"), S("1G"), S("32M\n"),
	S("lz4"), S("zstd"), S("lzo"), S("lzo-rle"), S("lz4\n"),
	S("level=1"), S("level=3"), S("level=22"), S("level=65537"),
	S("algo=lz4 level=1"), S("algo=zstd level=5"),
	S("600000"), S("600001"), S("1024"), S("1025"), S("65536"),
	S("315360000"), S("315360001"), S("4294967295"), S("4294967296"),
	S("18446744073709551615"), S("9223372036854775808"),
	S("all"), S("idle"), S("huge"), S("huge_idle"), S("incompressible"),
	S("type=idle"), S("type=huge"), S("page_index=0"), S("page_index=99999999"),
	S("page_indexes=0-15"), S("huge page_indexes=0-1023"),
	S("none"), S("/dev/vdb"), S("/dev/vda"), S("/dev/null"), S("/"), S("."),
	S("/nonexistent/dev"), S("/dev/zswapblk0"), S("/dev/zswapblk1"),
	S("50%"), S("100%"), S("0%"), S("y"), S("n"), S("on"), S("off"),
	S("lz4\njunk"), S("/dev/vdb\n"), S("0x10"), S("010"), S("+1"), S("1k"),
};

static const char *const suffixes[] = {
	"", "", "", "k", "K", "m", "M", "g", "G", "t", "T", "p", "P", "e", "E",
	"x", "%", "\n", " ",
};

static uint64_t rnd;

static uint64_t r(uint64_t n)
{
	return n ? prng_next(&rnd) % n : 0;
}

/*
 * What disksize would make of @s (as the driver parses it), or 0.  Used to
 * keep random sizes out of the range where the slot table (16 bytes a page)
 * would be a vmalloc() of 32 MiB to 2 GiB: such a write is valid, but would
 * only test the guest's memory, not the driver.
 */
static uint64_t as_size(const char *s)
{
	size_t len = strcspn(s, "\n");
	unsigned int shift = 0;
	char num[32], *end;
	uint64_t v;

	if (!len || len >= sizeof(num) || (s[len] == '\n' && s[len + 1]))
		return 0;
	memcpy(num, s, len);
	num[len] = '\0';
	switch (num[len - 1] | 0x20) {
	case 'e': shift += 10; /* fallthrough */
	case 'p': shift += 10; /* fallthrough */
	case 't': shift += 10; /* fallthrough */
	case 'g': shift += 10; /* fallthrough */
	case 'm': shift += 10; /* fallthrough */
	case 'k': shift += 10;
		num[--len] = '\0';
	}
	if (!len || num[0] < '0' || num[0] > '9')
		return 0;
	errno = 0;
	v = strtoull(num, &end, 0);
	if (errno || *end)
		return 0;
	if (shift && v > (UINT64_MAX >> shift))
		return 0;
	return v << shift;
}

static bool risky(const char *s, size_t len)
{
	char tmp[64];
	uint64_t v;

	if (len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	v = as_size(tmp);
	return v > (8ULL << 30) && v <= (1ULL << 40);
}

static size_t gen_number(char *b)
{
	static const uint64_t edges[] = {
		0, 1, 2, 22, 23, 255, 256, 1023, 1024, 1025, 4095, 4096, 65535,
		65536, 65537, 65538, 600000, 600001, 315360000, 315360001,
		2147483647, 2147483648ULL, 4294967295ULL, 4294967296ULL,
		9223372036854775807ULL, 9223372036854775808ULL, UINT64_MAX,
	};
	const char *suf = suffixes[r(sizeof(suffixes) / sizeof(suffixes[0]))];
	uint64_t v;
	size_t n = 0;

	switch (r(5)) {
	case 0:
		v = edges[r(sizeof(edges) / sizeof(edges[0]))];
		break;
	case 1:
		v = r(4097);
		break;
	case 2:
		v = prng_next(&rnd) & 0xffffffff;
		break;
	case 3:
		v = prng_next(&rnd);
		break;
	default: {
		/* a long run of digits */
		size_t digits = 20 + r(60);

		while (n < digits)
			b[n++] = '0' + r(10);
		n += sprintf(b + n, "%s", suf);
		return n;
	}
	}
	if (r(8) == 0)
		b[n++] = '-';
	if (r(8) == 0)
		n += sprintf(b + n, "0x%" PRIx64, v);
	else
		n += sprintf(b + n, "%" PRIu64, v);
	n += sprintf(b + n, "%s", suf);
	return n;
}

static size_t pick(const struct str *list, size_t nlist, char *b)
{
	const struct str *e = &list[r(nlist)];

	memcpy(b, e->s, e->len);
	return e->len;
}

#define NINVALID	(sizeof(invalid) / sizeof(invalid[0]))
#define NVALID		(sizeof(valid) / sizeof(valid[0]))

static size_t gen_token(char *b)
{
	switch (r(3)) {
	case 0:
		return pick(invalid, NINVALID, b);
	case 1:
		return pick(valid, NVALID, b);
	default:
		return gen_number(b);
	}
}

/* A random string into @b (BUF_MAX bytes); returns its length. */
static size_t gen(char *b)
{
	size_t n, i, at;

	switch (r(10)) {
	case 0: case 1: case 2:
		return gen_token(b);
	case 3: case 4:
		/* a token, mutated */
		n = gen_token(b);
		switch (r(6)) {
		case 0:	/* a NUL, a newline or a space inside */
			at = r(n + 1);
			memmove(b + at + 1, b + at, n - at);
			b[at] = "\0\n \t"[r(4)];
			return n + 1;
		case 1:	/* junk after it */
			for (i = 0; i < 1 + r(8); i++)
				b[n++] = 0x21 + r(0x5e);
			return n;
		case 2:	/* spaces around it */
			memmove(b + 1, b, n);
			b[0] = ' ';
			b[n + 1] = ' ';
			return n + 2;
		case 3:	/* one byte replaced */
			if (n)
				b[r(n)] = r(256);
			return n;
		case 4:	/* cut short */
			return n ? r(n) : 0;
		default: /* two tokens */
			b[n++] = r(2) ? ' ' : '\n';
			return n + gen_token(b + n);
		}
	case 5:
		return gen_number(b);
	case 6:
		/* random bytes */
		n = 1 + r(64);
		for (i = 0; i < n; i++)
			b[i] = r(256);
		return n;
	case 7:
		/* random printable text */
		n = 1 + r(200);
		for (i = 0; i < n; i++)
			b[i] = 0x20 + r(0x5f);
		return n;
	case 8:
		/* a page or more: digits, spaces or text */
		n = 4000 + r(200);
		memset(b, "9 a/"[r(4)], n);
		if (r(2))
			b[n - 1] = '\n';
		return n;
	default:
		/* exactly a page, or one byte more */
		n = 4096 + r(2);
		memset(b, "91 "[r(3)], n);
		return n;
	}
}

/* ---- state snapshots for -k ------------------------------------------------ */

static void snap_read(int i, char *out)
{
	int ret = read_file(snap_files[i], out, SNAP_LEN);

	if (ret)
		snprintf(out, SNAP_LEN, "<%s>", ename(-ret));
}

/*
 * The first -S file whose contents changed, or -1; takes the new values.
 * With @only, just that file (if it is one of them).
 */
static int snap_changed(const char *only, char *was, size_t waslen)
{
	char now[SNAP_LEN];
	int i, changed = -1;

	for (i = 0; i < nsnap; i++) {
		if (only && strcmp(only, snap_files[i]))
			continue;
		snap_read(i, now);
		if (strcmp(now, snap_vals[i])) {
			if (changed < 0) {
				changed = i;
				snprintf(was, waslen, "'%.60s' -> '%.60s'", snap_vals[i], now);
			}
			strcpy(snap_vals[i], now);
		}
	}
	return changed;
}

/* kstrtobool() decides by the first one or two characters. */
static bool boolish(const char *s)
{
	if (strchr("yYtTnNfF01", s[0]) && s[0])
		return true;
	return (s[0] == 'o' || s[0] == 'O') && s[1] && strchr("nNfF", s[1]);
}

static size_t fill_big(char *b, size_t n, char c)
{
	memset(b, c, n);
	return n;
}

static void known_invalid(void)
{
	static char b[BUF_MAX];
	char esc[160], why[400], change[160];
	unsigned long writes = 0, bad = 0, skipped = 0;
	size_t k, len, nbig = 4, nall = NINVALID + nbig;
	int a, i, ret, oerr, ch, tested = 0;

	for (i = 0; i < nsnap; i++) {
		snap_vals[i] = malloc(SNAP_LEN);
		snap_read(i, snap_vals[i]);
	}
	for (a = 0; a < nattrs; a++) {
		const char *name = base(attrs[a]);

		if (!strcmp(name, "compact"))
			continue;
		tested++;
		for (k = 0; k < nall; k++) {
			if (k < NINVALID) {
				len = invalid[k].len;
				memcpy(b, invalid[k].s, len);
			} else {
				/* a full page of digits or spaces, more than a page */
				static const struct { size_t n; char c; } big[] = {
					{ 4096, '9' }, { 4096, ' ' }, { 4097, '9' }, { 6000, 'z' },
				};
				len = fill_big(b, big[k - NINVALID].n, big[k - NINVALID].c);
			}
			b[len] = '\0';
			if ((!strcmp(name, "verify_stable") ||
			     !strcmp(name, "compressed_writeback")) && boolish(b)) {
				skipped++;
				continue;
			}
			escape(b, len, esc, sizeof(esc));
			ret = do_write(attrs[a], b, len, &oerr);
			writes++;
			if (ret == 1) {
				tap_check(false, "%s: open %s: %s", tag, attrs[a], ename(oerr));
				return;
			}
			why[0] = '\0';
			if (!ret)
				snprintf(why, sizeof(why), "accepted");
			else if (!errno_documented(attrs[a], -ret))
				snprintf(why, sizeof(why), "undocumented errno %s", ename(-ret));
			/* the attribute itself after each write, all after the last */
			ch = snap_changed(k + 1 < nall ? attrs[a] : NULL, change,
					  sizeof(change));
			if (ch >= 0)
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 "%s%s changed: %s", why[0] ? "; " : "",
					 snap_files[ch], change);
			if (why[0]) {
				bad++;
				if (bad <= 3 * REPORT_MAX)
					tap_check(false, "%s: %s <- '%s' (%s): %s", tag, name, esc,
						  ret ? ename(-ret) : "success", why);
			}
		}
	}
	if (bad > 3 * REPORT_MAX)
		tap_diag("%s: %lu more rejected-string failures not shown", tag,
			 bad - 3 * REPORT_MAX);
	tap_check(!bad, "%s: %lu known-invalid writes to %d attributes (all but compact) rejected with a documented errno, state unchanged (%lu boolean-prefix strings left out)",
		  tag, writes, tested, skipped);
}

/* ---- random --------------------------------------------------------------- */

static void random_run(uint64_t seed, uint64_t ms, unsigned long max)
{
	static char b[BUF_MAX + 64];
	unsigned long writes = 0, ok = 0, gone = 0, bad = 0, counts[256] = { 0 };
	uint64_t t0 = now_ms();
	char esc[160];
	int a, i, ret, oerr;
	size_t len;

	rnd = prng_seed(seed, 0x5f5);
	while ((!max || writes < max) && (!ms || now_ms() - t0 < ms)) {
		a = r(nattrs);
		do {
			len = gen(b);
		} while (risky(b, len));
		ret = do_write(attrs[a], b, len, &oerr);
		if (ret == 1) {
			gone++;
			sleep_ms(10);
			continue;
		}
		writes++;
		if (!ret) {
			ok++;
			for (i = 0; i < nrestores; i++)
				if (!strcmp(base(attrs[a]), restores[i].name))
					do_write(attrs[a], restores[i].value,
						 strlen(restores[i].value), &oerr);
		} else {
			counts[-ret & 0xff]++;
			if (!errno_documented(attrs[a], -ret) && bad++ < REPORT_MAX)
				tap_check(false, "%s: %s <- '%s': undocumented errno %s",
					  tag, base(attrs[a]), escape(b, len, esc, sizeof(esc)),
					  ename(-ret));
		}
	}
	{
		char line[1024];
		size_t at = 0;

		for (i = 1; i < 256; i++)
			if (counts[i])
				at += snprintf(line + at, sizeof(line) - at, " %s %lu",
					       ename(i), counts[i]);
		line[at] = '\0';
		tap_diag("%s: seed %" PRIu64 ": %lu writes in %" PRIu64 " ms, %lu succeeded,%s",
			 tag, seed, writes, now_ms() - t0, ok, line[0] ? line : " no errors");
		if (gone)
			tap_diag("%s: %lu opens failed (the device was removed)", tag, gone);
	}
	tap_check(!bad, "%s: seed %" PRIu64 ": %lu random writes to %d attributes, every errno documented",
		  tag, seed, writes, nattrs);
}

int main(int argc, char **argv)
{
	unsigned long max = 0;
	uint64_t seed = 1, ms = 0;
	bool known = false;
	pthread_t wd;
	int opt;
	char *eq;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "ks:D:n:W:i:r:S:")) != -1) {
		switch (opt) {
		case 'k':
			known = true;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'D':
			ms = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			max = strtoul(optarg, NULL, 0);
			break;
		case 'W':
			hang_ms = strtoul(optarg, NULL, 0);
			break;
		case 'i':
			tag = optarg;
			break;
		case 'r':
			eq = strchr(optarg, '=');
			if (!eq || nrestores == MAX_RESTORE)
				goto usage;
			*eq = '\0';
			restores[nrestores].name = optarg;
			restores[nrestores++].value = eq + 1;
			break;
		case 'S':
			if (nsnap == MAX_SNAP)
				goto usage;
			snap_files[nsnap++] = optarg;
			break;
		default:
			goto usage;
		}
	}
	for (; optind < argc && nattrs < MAX_ATTRS; optind++)
		attrs[nattrs++] = argv[optind];
	if (!nattrs || (!known && !ms && !max))
		goto usage;
	if (pthread_create(&wd, NULL, watchdog, NULL))
		tap_bail("%s: cannot start the watchdog thread", tag);
	if (known)
		known_invalid();
	else
		random_run(seed, ms, max);
	return tap_finish();

usage:
	fprintf(stderr, "usage: sysfuzz [-k] [-s SEED] [-D MS] [-n WRITES] [-W MS] [-i TAG] [-r NAME=VALUE]... [-S FILE]... ATTR...\n");
	return 2;
}
