// SPDX-License-Identifier: GPL-2.0
/*
 * memstress: checksummed swap stress.  Run it in a memory cgroup whose limit
 * is well below the working set, with the device under test as the only
 * swap, so pages keep going out and coming back.
 *
 *   memstress -m MIB [-p PASSES] [-w WRITE%] [-s SEED] [-D SECONDS]
 *             [-T never|huge|default] [-S MM_STAT_PATH]
 *
 * Every page carries its index, a generation and a checksum of its body
 * (common.c page_fill).  The program fills all pages (generation 1), then
 * runs PASSES passes of random touches (half the pages per pass): a read
 * touch verifies the page, a write touch verifies it and rewrites it with the
 * next generation.  A last pass verifies every page in order.  A page that
 * reads as zeros, as another page, as an older generation or with a bad
 * checksum is a corruption.  With -S, the device's mm_stat orig_data_size is
 * sampled during the run and must have been non-zero (data really went to
 * the device).  -D bounds the random passes' total time (the final
 * verification always runs).  -T chooses THP for the buffer (default: never,
 * i.e. MADV_NOHUGEPAGE).
 *
 * Prints TAP; exit 0 with no corruption, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

static char *buf;
static uint64_t *gens;
static size_t pgsz, npages;
static const char *statpath;
static uint64_t orig_max, orig_samples;
static uint64_t corruptions;

static void sample_orig(void)
{
	uint64_t v;

	if (!statpath || read_stat_col(statpath, ZSWAPBLK_MM_ORIG_DATA_SIZE, &v))
		return;
	orig_samples++;
	if (v > orig_max)
		orig_max = v;
}

/* Verify page i against its generation; count and report a corruption. */
static bool touch_verify(size_t i, const char *when)
{
	const char *p = buf + i * pgsz;
	enum page_err err = page_check(p, pgsz, i, gens[i]);
	const uint64_t *w = (const uint64_t *)p;

	if (err == PAGE_OK)
		return true;
	if (corruptions++ < 10)
		tap_diag("%s: page %zu (generation %" PRIu64 ") %s: header %#" PRIx64
			 " %" PRIu64 " %" PRIu64 " %#" PRIx64, when, i, gens[i],
			 page_err_str(err), w[0], w[1], w[2], w[3]);
	return false;
}

static void touch_write(size_t i)
{
	gens[i]++;
	page_fill(buf + i * pgsz, pgsz, i, gens[i], true);
}

int main(int argc, char **argv)
{
	unsigned int passes = 2, wpct = 30, deadline_s = 0;
	uint64_t seed = 1, s, mib = 0, t0, before, reads, writes, out0, in0;
	const char *thp = "never";
	size_t i, n;
	unsigned int p;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	pgsz = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "m:p:w:s:D:T:S:h")) != -1) {
		switch (opt) {
		case 'm': mib = strtoull(optarg, NULL, 0); break;
		case 'p': passes = strtoul(optarg, NULL, 0); break;
		case 'w': wpct = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'D': deadline_s = strtoul(optarg, NULL, 0); break;
		case 'T': thp = optarg; break;
		case 'S': statpath = optarg; break;
		default:
			fprintf(stderr, "usage: memstress -m MIB [-p PASSES] [-w WRITE%%] [-s SEED] "
				"[-D SECONDS] [-T never|huge|default] [-S MM_STAT_PATH]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!mib || wpct > 100) {
		fprintf(stderr, "memstress: need -m MIB > 0 and -w <= 100\n");
		return 2;
	}
	npages = mib * (1 << 20) / pgsz;
	buf = mmap(NULL, npages * pgsz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gens = calloc(npages, sizeof(*gens));
	if (buf == MAP_FAILED || !gens)
		tap_bail("allocate %" PRIu64 " MiB: %s", mib, strerror(errno));
	if (!strcmp(thp, "never") && madvise(buf, npages * pgsz, MADV_NOHUGEPAGE))
		tap_bail("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	if (!strcmp(thp, "huge") && madvise(buf, npages * pgsz, MADV_HUGEPAGE))
		tap_bail("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	tap_diag("%" PRIu64 " MiB (%zu pages), %u passes, %u%% writes, seed %" PRIu64 ", THP %s",
		 mib, npages, passes, wpct, seed, thp);

	out0 = vmstat("pswpout");
	in0 = vmstat("pswpin");
	t0 = now_ms();

	for (i = 0; i < npages; i++) {
		touch_write(i);
		if (!(i & 1023))
			sample_orig();
	}
	sample_orig();
	tap_check(true, "filled %zu pages (%" PRIu64 " ms)", npages, now_ms() - t0);

	s = prng_seed(seed, 0);
	for (p = 1; p <= passes; p++) {
		uint64_t tp = now_ms();

		before = corruptions;
		reads = writes = 0;
		for (n = 0; n < npages / 2; n++) {
			uint64_t r = prng_next(&s);

			i = (r >> 8) % npages;
			touch_verify(i, "random pass");
			if ((r & 0xff) * 100 < wpct * 256) {
				touch_write(i);
				writes++;
			} else {
				reads++;
			}
			if (!(n & 1023)) {
				sample_orig();
				if (deadline_s && now_ms() - t0 > deadline_s * 1000ULL)
					break;
			}
		}
		tap_check(corruptions == before, "random pass %u: %" PRIu64 " reads, %" PRIu64
			  " writes, %" PRIu64 " corruptions (%" PRIu64 " ms)", p, reads, writes,
			  corruptions - before, now_ms() - tp);
		if (deadline_s && now_ms() - t0 > deadline_s * 1000ULL && p < passes) {
			tap_diag("time budget of %u s used up after pass %u", deadline_s, p);
			break;
		}
	}

	before = corruptions;
	for (i = 0; i < npages; i++) {
		touch_verify(i, "final verification");
		if (!(i & 1023))
			sample_orig();
	}
	tap_check(corruptions == before, "final verification of %zu pages: %" PRIu64 " corruptions",
		  npages, corruptions - before);

	tap_diag("pswpout +%" PRIu64 ", pswpin +%" PRIu64 ", %" PRIu64 " ms",
		 vmstat("pswpout") - out0, vmstat("pswpin") - in0, now_ms() - t0);
	if (statpath)
		tap_check(orig_max > 0, "%s orig_data_size > 0 during the run (max %" PRIu64
			  " bytes, %" PRIu64 " samples)", statpath, orig_max, orig_samples);
	tap_check(corruptions == 0, "no corruption in total (%" PRIu64 ")", corruptions);
	return tap_finish();
}
