// SPDX-License-Identifier: GPL-2.0
/*
 * swapheld: prove that swap-out to zswapblk is asynchronous and that the
 * kernel treats the device as stable-writes.
 *
 * With the device's completion_hold set, MADV_PAGEOUT returns while every
 * swap write is parked in the driver.  From /proc/self/pagemap and
 * /proc/kpageflags the test then shows that each page is unmapped (a swap PTE
 * with a swap offset) while its old frame sits in the swap cache with
 * PG_writeback set.  While held, a read fault maps that same frame back (data
 * intact), and a write fault must copy it (a new PFN: SWP_STABLE_WRITES keeps
 * the frame under I/O unmodified).  After the release every writeback ends,
 * and every page reads back intact: first from the swap cache, then, after a
 * second MADV_PAGEOUT, through the driver's read path, and finally after
 * swapoff.
 *
 * Modes:
 *   (default)  the test above
 *   -z         zero-filled pages: on 6.1 they must reach the driver and land
 *              in mm_stat zero_pages without using pool memory; on 6.12 the
 *              swap core's zeromap keeps them off the device (checked, and
 *              the zero_pages assertion is a SKIP)
 *   -P         park: hold, page out, print "# parked", wait for SIGUSR1
 *              (someone runs swapoff meanwhile), then verify every page
 * Options:
 *   -d DEV     block device (default /dev/zswapblk0)
 *   -n PAGES   pages to test (default 64, at least 4)
 *   -t MS      completion_hold timeout in ms (default 60000)
 *   -S         swap is managed by the caller: no mkswap/swapon/swapoff
 *
 * Needs root (PFNs in pagemap, kpageflags, swapon).  Prints TAP; exit 0 when
 * every assertion passed, 1 otherwise, 4 when a precondition is missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <unistd.h>

#include "common.h"

#define SWAP_PRIO	32767
#define WB_WAIT_MS	30000

static const char *dev = "/dev/zswapblk0";
static char sysdir[256];
static size_t pgsz;
static size_t npages = 64;
static unsigned int hold_ms = 60000;
static bool manage_swap = true;

/* What we changed and must undo, also on early exit. */
static bool swapped_on, hold_set;
static char saved_page_cluster[32], saved_zswap[8];

static char *sys_path(const char *attr)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", sysdir, attr);
	return path;
}

static uint64_t io_stat(unsigned int col)
{
	uint64_t v = 0;

	if (read_stat_col(sys_path(ZSWAPBLK_ATTR_IO_STAT), col, &v))
		tap_diag("cannot read io_stat column %u", col);
	return v;
}

static uint64_t mm_stat(unsigned int col)
{
	uint64_t v = 0;

	if (read_stat_col(sys_path(ZSWAPBLK_ATTR_MM_STAT), col, &v))
		tap_diag("cannot read mm_stat column %u", col);
	return v;
}

static uint64_t debug_stat(unsigned int col)
{
	char buf[512], *line;
	unsigned int i;
	uint64_t v = 0;

	if (read_file(sys_path(ZSWAPBLK_ATTR_DEBUG_STAT), buf, sizeof(buf)))
		return 0;
	line = strchr(buf, '\n');	/* skip "version: 1" */
	if (!line)
		return 0;
	for (i = 0; i <= col; i++)
		v = strtoull(line, &line, 10);
	return v;
}

static int hold_write(unsigned int ms)
{
	char val[16];
	int ret;

	snprintf(val, sizeof(val), "%u", ms);
	ret = write_file(sys_path(ZSWAPBLK_ATTR_COMPLETION_HOLD), val);
	if (!ret)
		hold_set = ms != 0;
	return ret;
}

static void cleanup(void)
{
	if (hold_set)
		hold_write(0);
	if (swapped_on && swapoff(dev))
		fprintf(stderr, "swapheld: swapoff %s: %s\n", dev, strerror(errno));
	swapped_on = false;
	if (saved_page_cluster[0])
		write_file("/proc/sys/vm/page-cluster", saved_page_cluster);
	if (saved_zswap[0])
		write_file("/sys/module/zswap/parameters/enabled", saved_zswap);
}

static void on_signal(int sig)
{
	(void)sig;
	exit(1);	/* runs cleanup() via atexit */
}

static void skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(4);
}

/* ---- pages -------------------------------------------------------------- */

static char *buf;
static uint64_t *gens;		/* generation each page must hold */
static uint64_t *pfn_a;		/* frame of each page before swap-out */

static char *page(size_t i)
{
	return buf + i * pgsz;
}

static void fill_pages(bool zero)
{
	size_t i;

	for (i = 0; i < npages; i++) {
		gens[i] = 1;
		if (zero) {
			page(i)[0] = 1;	/* fault in a private page ... */
			memset(page(i), 0, pgsz);	/* ... that is all zeros */
		} else {
			page_fill(page(i), pgsz, i, gens[i], true);
		}
	}
}

/* Verify every page; returns the number of bad pages. */
static size_t verify_pages(bool zero)
{
	size_t i, bad = 0, j;

	for (i = 0; i < npages; i++) {
		enum page_err err = PAGE_OK;

		if (zero) {
			for (j = 0; j < pgsz && !page(i)[j]; j++)
				;
			if (j != pgsz)
				err = PAGE_CORRUPT;
		} else {
			err = page_check(page(i), pgsz, i, gens[i]);
		}
		if (err != PAGE_OK && bad++ < 5)
			tap_diag("page %zu %s", i, zero ? "is not zero" : page_err_str(err));
	}
	return bad;
}

/* Count pages whose PTE is a swap entry; check that offsets are distinct. */
static size_t count_swapped(int pm, bool report)
{
	size_t i, j, n = 0;
	uint64_t *off = calloc(npages, sizeof(*off));

	for (i = 0; i < npages; i++) {
		uint64_t e = pagemap_entry(pm, page(i));

		if ((e & PM_SWAP) && !(e & PM_PRESENT)) {
			off[n++] = PM_SWAP_OFFSET(e);
			if (report && i == 0)
				tap_diag("page 0: swap type %" PRIu64 " offset %" PRIu64,
					 PM_SWAP_TYPE(e), PM_SWAP_OFFSET(e));
		}
	}
	for (i = 0; i < n; i++) {
		if (!off[i])
			n = 0;	/* offset 0 is the swap header */
		for (j = i + 1; j < n; j++)
			if (off[i] == off[j])
				n = 0;
	}
	free(off);
	return n;
}

static size_t pageout_all(int pm)
{
	size_t n = 0;
	int tries;

	for (tries = 0; tries < 3 && n < npages; tries++) {
		if (madvise(buf, npages * pgsz, MADV_PAGEOUT))
			tap_bail("madvise(MADV_PAGEOUT): %s", strerror(errno));
		n = count_swapped(pm, false);
	}
	return n;
}

/* Count old frames (pfn_a) with all of @flags set. */
static size_t count_flags(int kpf, uint64_t flags, size_t from)
{
	size_t i, n = 0;

	for (i = from; i < npages; i++)
		if ((kpageflags_get(kpf, pfn_a[i]) & flags) == flags)
			n++;
	return n;
}

static bool wait_writeback_end(int kpf, uint64_t *waited)
{
	uint64_t t0 = now_ms();

	while (count_flags(kpf, 1ULL << KPF_WRITEBACK, 0) && now_ms() - t0 < WB_WAIT_MS)
		sleep_ms(20);
	*waited = now_ms() - t0;
	return !count_flags(kpf, 1ULL << KPF_WRITEBACK, 0);
}

/* Writes in flight per /sys/block/<dev>/inflight ("reads writes"). */
static unsigned long inflight_writes(void)
{
	unsigned long r = 0, w = 0;
	char val[64];

	if (read_file(sys_path("inflight"), val, sizeof(val)) ||
	    sscanf(val, "%lu %lu", &r, &w) != 2)
		return 0;
	return w;
}

/* ---- setup -------------------------------------------------------------- */

static void setup(bool need_hold)
{
	char tmp[512], *devcopy;
	cpu_set_t set;
	int cpu;

	if (geteuid())
		skip_all("needs root (pagemap PFNs, kpageflags, swapon)");
	devcopy = strdup(dev);
	snprintf(sysdir, sizeof(sysdir), "/sys/block/%s", basename(devcopy));
	free(devcopy);
	if (read_file(sys_path(ZSWAPBLK_ATTR_FEATURES), tmp, sizeof(tmp)))
		skip_all("no zswapblk features file: module not loaded?");
	if (need_hold && !strstr(tmp, "completion_hold"))
		skip_all("driver lacks the completion_hold feature");
	if (access("/proc/kpageflags", R_OK))
		skip_all("no /proc/kpageflags");

	atexit(cleanup);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	/* No readahead: a fault reads exactly the faulting page. */
	if (!read_file("/proc/sys/vm/page-cluster", saved_page_cluster,
		       sizeof(saved_page_cluster)))
		write_file("/proc/sys/vm/page-cluster", "0");
	/* zswap would intercept the pages before they reach the device. */
	if (!read_file("/sys/module/zswap/parameters/enabled", tmp, sizeof(tmp)) &&
	    tmp[0] == 'Y') {
		strcpy(saved_zswap, "Y");
		if (write_file("/sys/module/zswap/parameters/enabled", "N"))
			skip_all("zswap is enabled and cannot be disabled");
	}
	/* One CPU: MADV_PAGEOUT drains only this CPU's LRU batches. */
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		tap_diag("sched_setaffinity: %s", strerror(errno));

	tap_diag("device %s, %zu pages, kernel %d.%d, hold %u ms", dev, npages,
		 kernel_version() / 100, kernel_version() % 100, hold_ms);

	if (manage_swap) {
		char *mk[] = { "mkswap", (char *)dev, NULL };
		int ret = run_quiet(mk);

		if (ret)
			tap_bail("mkswap %s (exit %d)", dev, ret);
		if (swapon(dev, SWAP_FLAG_PREFER |
			   ((SWAP_PRIO << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK)))
			tap_bail("swapon %s: %s", dev, strerror(errno));
		swapped_on = true;
		tap_check(true, "swapon %s with priority %d", dev, SWAP_PRIO);
	}
	if (read_file("/proc/swaps", tmp, sizeof(tmp)))
		tmp[0] = '\0';
	if (!tap_check(strstr(tmp, dev) != NULL, "/proc/swaps lists %s", dev))
		tap_diag("/proc/swaps: %s", tmp);

	buf = mmap(NULL, npages * pgsz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	/* Base pages only: a THP would be swapped as one large folio. */
	if (madvise(buf, npages * pgsz, MADV_NOHUGEPAGE))
		tap_bail("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	gens = calloc(npages, sizeof(*gens));
	pfn_a = calloc(npages, sizeof(*pfn_a));
	if (!gens || !pfn_a)
		tap_bail("out of memory");
}

static void record_pfns(int pm)
{
	size_t i, ok = 0;

	for (i = 0; i < npages; i++) {
		uint64_t e = pagemap_entry(pm, page(i));

		pfn_a[i] = (e & PM_PRESENT) ? e & PM_PFN_MASK : 0;
		if (pfn_a[i])
			ok++;
	}
	if (!tap_check(ok == npages, "all %zu pages present with a PFN in pagemap", npages))
		tap_bail("%zu of %zu pages have no PFN (not root?)", npages - ok, npages);
}

static void swapoff_and_verify(bool zero)
{
	size_t bad;

	if (manage_swap) {
		tap_check(!swapoff(dev), "swapoff %s", dev);
		swapped_on = false;
	}
	bad = verify_pages(zero);
	tap_check(!bad, "all %zu pages intact after swapoff (%zu bad)", npages, bad);
}

/* ---- modes -------------------------------------------------------------- */

static void test_hold(int pm, int kpf)
{
	const uint64_t wbsc = 1ULL << KPF_WRITEBACK | 1ULL << KPF_SWAPCACHE;
	uint64_t held0, compl0, rel0, pswpout0, pswpin0, t0, dt, e, fl, waited;
	bool ok;
	char val[64];
	size_t n, bad;
	volatile char sink;

	fill_pages(false);
	record_pfns(pm);

	held0 = io_stat(ZSWAPBLK_IO_WRITES_HELD);
	compl0 = io_stat(ZSWAPBLK_IO_ASYNC_COMPLETIONS);
	rel0 = debug_stat(ZSWAPBLK_DBG_HOLD_RELEASES);
	pswpout0 = vmstat("pswpout");

	if (!tap_check(!hold_write(hold_ms), "completion_hold set to %u ms", hold_ms))
		tap_bail("cannot hold completions");

	t0 = now_ms();
	n = pageout_all(pm);
	dt = now_ms() - t0;
	tap_check(dt < hold_ms / 2, "MADV_PAGEOUT returned while writes are held (%" PRIu64 " ms)", dt);
	n = count_swapped(pm, true);
	if (!tap_check(n == npages, "all %zu pages swapped out: swap PTEs with distinct offsets (%zu)",
		       npages, n))
		tap_bail("pages did not reach swap; cannot test writeback");
	tap_check(vmstat("pswpout") - pswpout0 >= npages, "pswpout rose by >= %zu (%" PRIu64 ")",
		  npages, vmstat("pswpout") - pswpout0);

	fl = kpageflags_get(kpf, pfn_a[0]);
	tap_diag("kpageflags of page 0's frame: %#" PRIx64, fl);
	n = count_flags(kpf, wbsc, 0);
	tap_check(n == npages, "all %zu frames in the swap cache under writeback "
		  "(KPF_WRITEBACK|KPF_SWAPCACHE: %zu)", npages, n);
	n = count_flags(kpf, 1ULL << KPF_MMAP, 0);
	tap_check(n == 0, "no frame is mapped while under writeback (%zu mapped)", n);
	tap_check(io_stat(ZSWAPBLK_IO_WRITES_HELD) > held0, "io_stat writes_held rose (%" PRIu64 ")",
		  io_stat(ZSWAPBLK_IO_WRITES_HELD) - held0);
	tap_check(io_stat(ZSWAPBLK_IO_WRITES_INFLIGHT) >= npages,
		  "io_stat writes_inflight >= %zu while held (%" PRIu64 ")", npages,
		  io_stat(ZSWAPBLK_IO_WRITES_INFLIGHT));
	tap_check(inflight_writes() > 0, "%s/inflight shows writes in flight (%lu)",
		  sysdir, inflight_writes());

	/* A read fault finds the page in the swap cache: same frame, no wait. */
	t0 = now_ms();
	sink = page(0)[0];
	(void)sink;
	dt = now_ms() - t0;
	e = pagemap_entry(pm, page(0));
	tap_check((e & PM_PRESENT) && (e & PM_PFN_MASK) == pfn_a[0] &&
		  (kpageflags_get(kpf, pfn_a[0]) & wbsc) == wbsc &&
		  page_check(page(0), pgsz, 0, gens[0]) == PAGE_OK,
		  "read fault during writeback maps the swap-cache frame back, data intact "
		  "(%" PRIu64 " ms)", dt);

	/* A write fault must not modify a frame under writeback: it copies. */
	gens[1]++;
	page_fill(page(1), pgsz, 1, gens[1], true);
	e = pagemap_entry(pm, page(1));
	tap_check((e & PM_PRESENT) && (e & PM_PFN_MASK) != pfn_a[1] &&
		  (kpageflags_get(kpf, pfn_a[1]) & wbsc) == wbsc,
		  "write fault during writeback copies the page (stable writes): "
		  "PFN %#" PRIx64 " -> %#" PRIx64, pfn_a[1], e & PM_PFN_MASK);

	tap_check(count_flags(kpf, wbsc, 2) == npages - 2,
		  "untouched frames still under writeback before release");

	/* Release; every writeback must end. */
	tap_check(!hold_write(0), "completion_hold released (write 0)");
	tap_check(!read_file(sys_path(ZSWAPBLK_ATTR_COMPLETION_HOLD), val, sizeof(val)) &&
		  strtoul(val, NULL, 10) == 0, "completion_hold reads 0 after release");
	ok = wait_writeback_end(kpf, &waited);
	tap_check(ok, "writeback of every frame ended after release (%" PRIu64 " ms)", waited);
	t0 = now_ms();
	while (io_stat(ZSWAPBLK_IO_WRITES_INFLIGHT) && now_ms() - t0 < WB_WAIT_MS)
		sleep_ms(20);
	tap_check(io_stat(ZSWAPBLK_IO_WRITES_INFLIGHT) == 0, "io_stat writes_inflight back to 0");
	tap_check(io_stat(ZSWAPBLK_IO_ASYNC_COMPLETIONS) - compl0 >= npages,
		  "io_stat async_completions rose by >= %zu (%" PRIu64 ")", npages,
		  io_stat(ZSWAPBLK_IO_ASYNC_COMPLETIONS) - compl0);
	tap_check(debug_stat(ZSWAPBLK_DBG_HOLD_RELEASES) > rel0, "debug_stat hold_releases rose");

	bad = verify_pages(false);
	tap_check(!bad, "all %zu pages read back intact after writeback (%zu bad)", npages, bad);

	/* Page out again (clean pages are dropped), read through the driver. */
	n = pageout_all(pm);
	tap_check(n == npages, "second MADV_PAGEOUT swapped all %zu pages out (%zu)", npages, n);
	pswpin0 = vmstat("pswpin");
	bad = verify_pages(false);
	tap_check(!bad, "all %zu pages read back through the driver intact (%zu bad)", npages, bad);
	tap_check(vmstat("pswpin") > pswpin0, "pswpin rose (%" PRIu64 ")", vmstat("pswpin") - pswpin0);
	tap_check(io_stat(ZSWAPBLK_IO_FAILED_READS) == 0 && io_stat(ZSWAPBLK_IO_FAILED_WRITES) == 0,
		  "io_stat failed_reads and failed_writes are 0");

	swapoff_and_verify(false);
}

static void test_zero(int pm, int kpf)
{
	uint64_t zero0, same0, used0, pswpout0, swpout_zero0, waited, dz, ds, used1;
	bool ok;
	size_t n, bad;
	int kv = kernel_version();

	(void)kpf;
	fill_pages(true);
	record_pfns(pm);

	zero0 = mm_stat(ZSWAPBLK_MM_ZERO_PAGES);
	same0 = mm_stat(ZSWAPBLK_MM_SAME_PAGES);
	used0 = mm_stat(ZSWAPBLK_MM_MEM_USED_TOTAL);
	pswpout0 = vmstat("pswpout");
	swpout_zero0 = vmstat("swpout_zero");

	n = pageout_all(pm);
	if (!tap_check(n == npages, "all %zu zero pages swapped out (%zu)", npages, n))
		tap_bail("pages did not reach swap");
	ok = wait_writeback_end(kpf, &waited);
	tap_check(ok, "writeback ended (%" PRIu64 " ms)", waited);
	dz = mm_stat(ZSWAPBLK_MM_ZERO_PAGES) - zero0;
	ds = mm_stat(ZSWAPBLK_MM_SAME_PAGES) - same0;
	used1 = mm_stat(ZSWAPBLK_MM_MEM_USED_TOTAL);
	tap_diag("pswpout +%" PRIu64 ", zero_pages +%" PRIu64 ", same_pages +%" PRIu64
		 ", mem_used_total %" PRIu64 " -> %" PRIu64, vmstat("pswpout") - pswpout0,
		 dz, ds, used0, used1);

	if (kv >= 612) {
		tap_skip("6.12 swap keeps zero-filled folios in its zeromap; they never reach the device",
			 "zero-filled anon pages swapped out land in mm_stat zero_pages");
		tap_check(dz == 0 && vmstat("swpout_zero") - swpout_zero0 >= npages,
			  "6.12 zeromap kept the zero pages off the device "
			  "(swpout_zero +%" PRIu64 ", zero_pages +%" PRIu64 ")",
			  vmstat("swpout_zero") - swpout_zero0, dz);
	} else {
		tap_check(vmstat("pswpout") - pswpout0 >= npages, "pswpout rose by >= %zu", npages);
		tap_check(dz >= npages, "zero-filled anon pages swapped out land in mm_stat zero_pages "
			  "(+%" PRIu64 ")", dz);
		tap_check(ds >= npages, "mm_stat same_pages counts them too (+%" PRIu64 ")", ds);
		tap_check(used1 <= used0, "mm_stat mem_used_total did not grow (%" PRIu64 " -> %" PRIu64 ")",
			  used0, used1);
	}
	bad = verify_pages(true);
	tap_check(!bad, "all %zu pages read back as zeros (%zu bad)", npages, bad);
	swapoff_and_verify(true);
}

static volatile sig_atomic_t woken;

static void on_usr1(int sig)
{
	(void)sig;
	woken = 1;
}

static void test_park(int pm)
{
	sigset_t block, old;
	size_t n, bad;

	fill_pages(false);
	record_pfns(pm);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGUSR1, on_usr1);

	if (!tap_check(!hold_write(hold_ms), "completion_hold set to %u ms", hold_ms))
		tap_bail("cannot hold completions");
	n = pageout_all(pm);
	if (!tap_check(n == npages, "all %zu pages swapped out with writes held (%zu)", npages, n))
		tap_bail("pages did not reach swap");
	hold_set = false;	/* from here on the caller owns the hold */
	tap_diag("parked");
	while (!woken)
		sigsuspend(&old);
	bad = verify_pages(false);
	tap_check(!bad, "all %zu pages intact after wake-up (%zu bad)", npages, bad);
}

int main(int argc, char **argv)
{
	char mode = 'h';
	int opt, pm, kpf;

	setvbuf(stdout, NULL, _IOLBF, 0);
	pgsz = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "zPd:n:t:Sh")) != -1) {
		switch (opt) {
		case 'z':
		case 'P':
			mode = opt;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'n':
			npages = strtoul(optarg, NULL, 0);
			break;
		case 't':
			hold_ms = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			manage_swap = false;
			break;
		default:
			fprintf(stderr, "usage: swapheld [-z|-P] [-d DEV] [-n PAGES] [-t HOLD_MS] [-S]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (npages < 4 || !hold_ms || hold_ms > ZSWAPBLK_HOLD_MAX_MS) {
		fprintf(stderr, "swapheld: need -n >= 4 and 1 <= -t <= %u\n", ZSWAPBLK_HOLD_MAX_MS);
		return 2;
	}

	setup(mode != 'z');
	pm = pagemap_open();
	kpf = kpageflags_open();
	if (pm < 0 || kpf < 0)
		tap_bail("cannot open pagemap/kpageflags: %s", strerror(errno));

	if (mode == 'z')
		test_zero(pm, kpf);
	else if (mode == 'P')
		test_park(pm);
	else
		test_hold(pm, kpf);

	cleanup();
	return tap_finish();
}
