/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the zswapblk test programs: a small TAP writer, sysfs
 * and /proc readers, pagemap/kpageflags access and a deterministic PRNG.
 *
 * TAP: every assertion prints "ok N - desc" or "not ok N - desc"; a missing
 * precondition prints "ok N - desc # SKIP reason", never a pass.  The plan
 * ("1..N") is printed at the end by tap_finish(), which also returns the
 * exit status: 0 when nothing failed, 1 otherwise.
 */
#ifndef ZSWAPBLK_TEST_COMMON_H
#define ZSWAPBLK_TEST_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))

/* TAP */
void tap_diag(const char *fmt, ...) PRINTF_LIKE(1, 2);
bool tap_check(bool cond, const char *fmt, ...) PRINTF_LIKE(2, 3);
void tap_skip(const char *reason, const char *fmt, ...) PRINTF_LIKE(2, 3);
int tap_failures(void);
int tap_finish(void);
/* Print a failed assertion, the plan, and exit 1. */
void tap_bail(const char *fmt, ...) PRINTF_LIKE(1, 2) __attribute__((noreturn));

/* Files: return 0 or -errno. */
int read_file(const char *path, char *buf, size_t len);
int write_file(const char *path, const char *val);
/* Column col (0-based) of a one-line, space separated stat file. */
int read_stat_col(const char *path, unsigned int col, uint64_t *val);
/* Counter "name" of /proc/vmstat; UINT64_MAX if missing. */
uint64_t vmstat(const char *name);
/* "major.minor" of the running kernel, e.g. 612 for 6.12. */
int kernel_version(void);

/* mm_stat / io_stat / debug_stat columns (include/zswapblk_abi.h). */
#include "zswapblk_abi.h"

/* /proc/self/pagemap and /proc/kpageflags (both need CAP_SYS_ADMIN). */
#define PM_PRESENT	((uint64_t)1 << 63)
#define PM_SWAP		((uint64_t)1 << 62)
#define PM_PFN_MASK	(((uint64_t)1 << 55) - 1)
#define PM_SWAP_TYPE(e)	((e) & 0x1f)
#define PM_SWAP_OFFSET(e) (((e) & PM_PFN_MASK) >> 5)

#define KPF_LOCKED	0
#define KPF_DIRTY	4
#define KPF_LRU		5
#define KPF_WRITEBACK	8
#define KPF_RECLAIM	9
#define KPF_MMAP	11
#define KPF_ANON	12
#define KPF_SWAPCACHE	13

int pagemap_open(void);
uint64_t pagemap_entry(int fd, const void *addr);
int kpageflags_open(void);
uint64_t kpageflags_get(int fd, uint64_t pfn);

/* Run a program (argv[0] looked up in PATH), stdout to /dev/null; exit status. */
int run_quiet(char *const argv[]);

/* Monotonic time in milliseconds. */
uint64_t now_ms(void);
void sleep_ms(unsigned int ms);

/*
 * Checksummed test pages: word 0 magic^index, word 1 index, word 2
 * generation, word 3 checksum of the body (words 4..); the body is derived
 * from (index, generation).  With @compressible, every other 64-byte chunk of
 * the body is a repeated word, so the page compresses to about half.
 */
enum page_err {
	PAGE_OK,
	PAGE_ZERO,		/* the whole page reads as zeros */
	PAGE_WRONG,		/* magic/index belong to another page */
	PAGE_STALE,		/* right page, other generation */
	PAGE_CORRUPT,		/* right header, body fails the checksum */
};

void page_fill(void *page, size_t size, uint64_t index, uint64_t gen, bool compressible);
enum page_err page_check(const void *page, size_t size, uint64_t index, uint64_t gen);
const char *page_err_str(enum page_err err);

/* xorshift64*: deterministic, never returns 0 for a non-zero state. */
static inline uint64_t prng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t prng_seed(uint64_t a, uint64_t b)
{
	uint64_t s = (a + 1) * 0x9E3779B97F4A7C15ULL ^ (b + 1) * 0xC2B2AE3D27D4EB4FULL;

	return s ? s : 1;
}

#endif /* ZSWAPBLK_TEST_COMMON_H */
