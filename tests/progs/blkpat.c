// SPDX-License-Identifier: GPL-2.0
/*
 * blkpat: write or verify a deterministic data pattern on a block device with
 * direct I/O (O_DIRECT), so every byte goes through the driver.  On a
 * regular file (created if needed) it uses buffered I/O.
 *
 *   blkpat -w|-v -p PATTERN [-o OFFSET] [-l LENGTH] [-b BLOCK] [-n] DEVICE
 *
 * PATTERN is one of
 *   zero         all-zero pages
 *   same:HEX     every 64-bit word is HEX (a "same-filled" page)
 *   rand:SEED    incompressible; depends on SEED and the page's device offset
 *   comp:SEED    about half compressible (half random, half a repeated word)
 *
 * -n submits every block with RWF_NOWAIT (pwritev2/preadv2), which the kernel
 * passes on as REQ_NOWAIT: a device that does not support it fails them
 * (EOPNOTSUPP), one that does may answer EAGAIN when it would have to wait.
 *
 * Offsets, lengths and block sizes take K/M/G suffixes and must be multiples
 * of 4096.  Because the pattern of a page depends on its offset on the
 * device, data read from the wrong place is detected as well.
 *
 * Exit status: 0 written/verified, 1 mismatch, 2 usage or I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common.h"

#define PG 4096u

enum pat_kind { PAT_ZERO, PAT_SAME, PAT_RAND, PAT_COMP };

struct pattern {
	enum pat_kind kind;
	uint64_t arg;
};

static void fill_page(const struct pattern *pat, uint64_t pgoff, uint64_t *w)
{
	unsigned int i, n = PG / 8;
	uint64_t s;

	switch (pat->kind) {
	case PAT_ZERO:
		memset(w, 0, PG);
		break;
	case PAT_SAME:
		for (i = 0; i < n; i++)
			w[i] = pat->arg;
		break;
	case PAT_RAND:
		s = prng_seed(pat->arg, pgoff);
		for (i = 0; i < n; i++)
			w[i] = prng_next(&s);
		break;
	case PAT_COMP:
		s = prng_seed(pat->arg, pgoff);
		for (i = 0; i < n / 2; i++)
			w[i] = prng_next(&s);
		for (; i < n; i++)
			w[i] = pgoff * 0x0101010101010101ULL + pat->arg;
		break;
	}
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'G': case 'g':
		v <<= 10;
		/* fall through */
	case 'M': case 'm':
		v <<= 10;
		/* fall through */
	case 'K': case 'k':
		v <<= 10;
		end++;
		break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int parse_pattern(const char *s, struct pattern *pat)
{
	const char *colon = strchr(s, ':');
	char *end;

	if (!strcmp(s, "zero")) {
		pat->kind = PAT_ZERO;
		pat->arg = 0;
		return 0;
	}
	if (!colon)
		return -1;
	if (!strncmp(s, "same:", 5))
		pat->kind = PAT_SAME;
	else if (!strncmp(s, "rand:", 5))
		pat->kind = PAT_RAND;
	else if (!strncmp(s, "comp:", 5))
		pat->kind = PAT_COMP;
	else
		return -1;
	errno = 0;
	pat->arg = strtoull(colon + 1, &end, 0);
	return (errno || *end || end == colon + 1) ? -1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: blkpat -w|-v -p zero|same:HEX|rand:SEED|comp:SEED "
		   "[-o OFFSET] [-l LENGTH] [-b BLOCK] [-n] [-q] DEVICE\n");
}

int main(int argc, char **argv)
{
	uint64_t off = 0, len = 1 << 20, bs = 64 << 10, done, bad = 0, pos;
	uint64_t *buf, *exp;
	struct pattern pat = { PAT_ZERO, 0 };
	struct stat st;
	int opt, mode = 0, quiet = 0, fd, have_pat = 0, flags = 0;
	unsigned int i;
	ssize_t n;

	while ((opt = getopt(argc, argv, "wvp:o:l:b:nqh")) != -1) {
		switch (opt) {
		case 'w':
		case 'v':
			mode = opt;
			break;
		case 'p':
			if (parse_pattern(optarg, &pat)) {
				fprintf(stderr, "blkpat: bad pattern '%s'\n", optarg);
				return 2;
			}
			have_pat = 1;
			break;
		case 'o':
		case 'l':
		case 'b':
			if (parse_size(optarg, opt == 'o' ? &off : opt == 'l' ? &len : &bs)) {
				fprintf(stderr, "blkpat: bad size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			flags = RWF_NOWAIT;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!mode || !have_pat || optind != argc - 1 || !bs ||
	    off % PG || len % PG || bs % PG) {
		usage(stderr);
		return 2;
	}

	/* Direct I/O on block devices; a regular file (a reference copy on
	 * a filesystem that may lack O_DIRECT) is written through the cache.
	 */
	fd = open(argv[optind], (mode == 'w' ? O_WRONLY | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st) ||
	    (S_ISBLK(st.st_mode) && fcntl(fd, F_SETFL, O_DIRECT))) {
		fprintf(stderr, "blkpat: %s: %s\n", argv[optind], strerror(errno));
		return 2;
	}
	if (posix_memalign((void **)&buf, PG, bs) || posix_memalign((void **)&exp, PG, PG)) {
		fprintf(stderr, "blkpat: out of memory\n");
		return 2;
	}

	for (done = 0; done < len; done += n) {
		size_t chunk = len - done < bs ? len - done : bs;
		struct iovec iov = { .iov_base = buf, .iov_len = chunk };

		pos = off + done;
		if (mode == 'w') {
			for (i = 0; i < chunk / PG; i++)
				fill_page(&pat, pos / PG + i, buf + i * (PG / 8));
			n = pwritev2(fd, &iov, 1, pos, flags);
		} else {
			n = preadv2(fd, &iov, 1, pos, flags);
		}
		if (n < 0 || (size_t)n != chunk) {
			fprintf(stderr, "blkpat: %s at %" PRIu64 ": %s\n",
				mode == 'w' ? "write" : "read", pos,
				n < 0 ? strerror(errno) : "short transfer");
			return 2;
		}
		if (mode == 'v') {
			for (i = 0; i < chunk / PG; i++) {
				const uint64_t *got = buf + i * (PG / 8);

				fill_page(&pat, pos / PG + i, exp);
				if (!memcmp(got, exp, PG))
					continue;
				if (bad++ < 5) {
					unsigned int w = 0;

					while (got[w] == exp[w])
						w++;
					fprintf(stderr, "blkpat: mismatch in page at %" PRIu64
						", word %u: got %#" PRIx64 " want %#" PRIx64 "\n",
						pos + (uint64_t)i * PG, w, got[w], exp[w]);
				}
			}
		}
	}
	close(fd);

	if (mode == 'v' && bad) {
		fprintf(stderr, "blkpat: %" PRIu64 " of %" PRIu64 " pages differ\n",
			bad, len / PG);
		return 1;
	}
	if (!quiet)
		printf("blkpat: %s %" PRIu64 " bytes at %" PRIu64 "\n",
		       mode == 'w' ? "wrote" : "verified", len, off);
	return 0;
}
