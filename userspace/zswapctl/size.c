// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Size and number parsing, human readable sizes.
 *
 * Sizes follow util-linux's strtosize(): an integer or a decimal fraction,
 * optionally followed by a multiplier.  "K", "KiB" = 1024, "KB" = 1000, and
 * the same for M, G, T, P, E; lower case works too.  Anything else, a sign,
 * or a value above 2^64 - 1 is an error.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "zswapctl.h"

static const char suffixes[] = "KMGTPE";

/* Multiply with overflow detection. */
static int mul_u64(uint64_t a, uint64_t b, uint64_t *res)
{
	if (__builtin_mul_overflow(a, b, res))
		return -ERANGE;
	return 0;
}

/**
 * parse_size() - parse a size with an optional multiplier suffix
 * @str: the text, e.g. "1G", "1.5GiB", "512MB", "4096"
 * @res: the size in bytes
 *
 * Return: 0, -EINVAL for malformed text, -ERANGE on overflow.
 */
int parse_size(const char *str, uint64_t *res)
{
	const char *p = str, *sfx;
	uint64_t num = 0, frac = 0, fracdiv = 1, base = 1024, mult = 1;
	int exp;

	if (!str || !*str)
		return -EINVAL;
	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;		/* also rejects a sign */

	for (; isdigit((unsigned char)*p); p++) {
		if (mul_u64(num, 10, &num) ||
		    __builtin_add_overflow(num, (uint64_t)(*p - '0'), &num))
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			/* Digits beyond 10^18 cannot change the result. */
			if (fracdiv >= 1000000000000000000ULL)
				continue;
			frac = frac * 10 + (uint64_t)(*p - '0');
			fracdiv *= 10;
		}
	}

	if (*p) {
		sfx = strchr(suffixes, toupper((unsigned char)*p));
		if (!sfx)
			return -EINVAL;
		exp = (int)(sfx - suffixes) + 1;
		p++;
		if (p[0] == 'i' && (p[1] == 'B' || p[1] == 'b') && !p[2]) {
			p += 2;				/* KiB: binary */
		} else if ((p[0] == 'B' || p[0] == 'b') && !p[1]) {
			base = 1000;			/* KB: decimal */
			p++;
		}
		if (*p)
			return -EINVAL;
		while (exp--) {
			if (mul_u64(mult, base, &mult))
				return -ERANGE;
		}
	}

	if (mul_u64(num, mult, &num))
		return -ERANGE;
	if (frac) {
		/* frac / fracdiv of the multiplier, rounded down */
		unsigned __int128 f = (unsigned __int128)frac * mult / fracdiv;

		if (__builtin_add_overflow(num, (uint64_t)f, &num))
			return -ERANGE;
	}
	*res = num;
	return 0;
}

/* Exit with "ERRMESG: 'STR'" (and strerror for a range error) unless rc is 0. */
static void parsed_or_err(int rc, const char *str, const char *errmesg)
{
	if (rc == -ERANGE) {
		errno = ERANGE;
		err(EXIT_FAILURE, "%s: '%s'", errmesg, str);
	}
	if (rc)
		errx(EXIT_FAILURE, "%s: '%s'", errmesg, str);
}

uint64_t strtosize_or_err(const char *str, const char *errmesg)
{
	uint64_t num = 0;

	parsed_or_err(parse_size(str, &num), str, errmesg);
	return num;
}

/* A plain unsigned decimal number, nothing around it. */
int parse_u64(const char *str, uint64_t *res)
{
	char *end;
	unsigned long long num;

	if (!str || !isdigit((unsigned char)*str))
		return -EINVAL;
	errno = 0;
	num = strtoull(str, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*res = num;
	return 0;
}

uint64_t strtou64_or_err(const char *str, const char *errmesg)
{
	uint64_t num = 0;

	parsed_or_err(parse_u64(str, &num), str, errmesg);
	return num;
}

int64_t strtos64_or_err(const char *str, const char *errmesg)
{
	char *end;
	long long num;

	errno = 0;
	num = strtoll(str, &end, 10);
	if (errno == ERANGE)
		err(EXIT_FAILURE, "%s: '%s'", errmesg, str);
	if (end == str || *end)
		errx(EXIT_FAILURE, "%s: '%s'", errmesg, str);
	return num;
}

/**
 * size_to_human_string() - format like util-linux's SIZE_SUFFIX_1LETTER
 * @bytes: size in bytes
 *
 * "512B", "4K", "1.5G": binary multiples, one decimal digit, rounded.
 * Return: a malloc'ed string.
 */
char *size_to_human_string(uint64_t bytes)
{
	static const char letters[] = "BKMGTPE";
	uint64_t div = 1, dec, rem;
	unsigned int exp = 0, frac;

	while (exp < 6 && bytes / div >= 1024) {
		div *= 1024;
		exp++;
	}
	dec = bytes / div;
	rem = bytes % div;
	frac = 0;
	if (exp) {
		/* one decimal digit, rounded half up */
		frac = (unsigned int)(((unsigned __int128)rem * 10 + div / 2) / div);
		if (frac == 10) {
			dec++;
			frac = 0;
		}
	}
	if (frac)
		return xasprintf("%" PRIu64 ".%u%c", dec, frac, letters[exp]);
	return xasprintf("%" PRIu64 "%c", dec, letters[exp]);
}
