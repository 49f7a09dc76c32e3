/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * zswapblk userspace contract: the names of the sysfs files and the column
 * layout of the multi-value stat files.  Shared by the driver and zswapctl so
 * the two cannot drift apart.  Columns are only ever appended, never moved.
 *
 * Every attribute is documented in
 * Documentation/ABI/testing/sysfs-block-zswapblk.
 */
#ifndef _ZSWAPBLK_ABI_H
#define _ZSWAPBLK_ABI_H

#define ZSWAPBLK_NAME			"zswapblk"
#define ZSWAPBLK_CONTROL_CLASS		"zswapblk-control"

/* /sys/class/zswapblk-control/ */
#define ZSWAPBLK_ATTR_HOT_ADD		"hot_add"
#define ZSWAPBLK_ATTR_HOT_REMOVE	"hot_remove"

/* /sys/block/zswapblk<N>/, names and semantics shared with zram */
#define ZSWAPBLK_ATTR_DISKSIZE		"disksize"
#define ZSWAPBLK_ATTR_INITSTATE		"initstate"
#define ZSWAPBLK_ATTR_RESET		"reset"
#define ZSWAPBLK_ATTR_COMP_ALGORITHM	"comp_algorithm"
#define ZSWAPBLK_ATTR_ALGORITHM_PARAMS	"algorithm_params"
#define ZSWAPBLK_ATTR_MEM_LIMIT		"mem_limit"
#define ZSWAPBLK_ATTR_MEM_USED_MAX	"mem_used_max"
#define ZSWAPBLK_ATTR_COMPACT		"compact"
#define ZSWAPBLK_ATTR_MM_STAT		"mm_stat"
#define ZSWAPBLK_ATTR_IO_STAT		"io_stat"
#define ZSWAPBLK_ATTR_DEBUG_STAT	"debug_stat"

/* /sys/block/zswapblk<N>/, zswapblk's own */
#define ZSWAPBLK_ATTR_FEATURES		"features"
#define ZSWAPBLK_ATTR_COMPLETION_HOLD	"completion_hold"
#define ZSWAPBLK_ATTR_VERIFY_STABLE	"verify_stable"

/* /sys/block/zswapblk<N>/, the backing device and writeback */
#define ZSWAPBLK_ATTR_BACKING_DEV	"backing_dev"		/* zram */
#define ZSWAPBLK_ATTR_WRITEBACK		"writeback"		/* zram */
#define ZSWAPBLK_ATTR_IDLE		"idle"			/* zram */
#define ZSWAPBLK_ATTR_WB_LIMIT_ENABLE	"writeback_limit_enable" /* zram */
#define ZSWAPBLK_ATTR_WB_LIMIT		"writeback_limit"	/* zram */
#define ZSWAPBLK_ATTR_WB_BATCH_SIZE	"writeback_batch_size"	/* zram */
#define ZSWAPBLK_ATTR_BD_STAT		"bd_stat"		/* zram */
#define ZSWAPBLK_ATTR_WB_AGE		"writeback_age"
#define ZSWAPBLK_ATTR_WB_RATE		"writeback_rate"
#define ZSWAPBLK_ATTR_WB_WMARK_LOW	"writeback_wmark_low"
#define ZSWAPBLK_ATTR_WB_WMARK_HIGH	"writeback_wmark_high"
#define ZSWAPBLK_ATTR_WB_DIRECT		"writeback_direct"
#define ZSWAPBLK_ATTR_COMPRESSED_WB	"compressed_writeback"	/* zram */

/* features: what this build supports, space separated */
#define ZSWAPBLK_FEATURES \
	"async_write stable_writes zero_bitmap same_filled completion_hold " \
	"writeback verify_stable compressed_writeback"

/*
 * mm_stat: one line, space separated.  Columns 1-9 are zram's, in zram's
 * order; byte counts unless the name says pages.
 */
enum zswapblk_mm_stat_col {
	ZSWAPBLK_MM_ORIG_DATA_SIZE,	/* bytes stored, before compression */
	ZSWAPBLK_MM_COMPR_DATA_SIZE,	/* bytes stored, after compression */
	ZSWAPBLK_MM_MEM_USED_TOTAL,	/* bytes of memory held by the pool */
	ZSWAPBLK_MM_MEM_LIMIT,		/* bytes; 0 = no limit */
	ZSWAPBLK_MM_MEM_USED_MAX,	/* bytes; high-water mark of the pool */
	ZSWAPBLK_MM_SAME_PAGES,		/* pages filled with one word (zeros too) */
	ZSWAPBLK_MM_PAGES_COMPACTED,	/* pages freed by compaction */
	ZSWAPBLK_MM_HUGE_PAGES,		/* incompressible pages, stored raw */
	ZSWAPBLK_MM_HUGE_PAGES_SINCE,	/* huge pages stored since init */
	ZSWAPBLK_MM_ZERO_PAGES,		/* pages in the zero bitmap */
	ZSWAPBLK_MM__NR
};

/* io_stat: columns 1-4 are zram's; the rest describe asynchronous writes. */
enum zswapblk_io_stat_col {
	ZSWAPBLK_IO_FAILED_READS,	/* read requests failed */
	ZSWAPBLK_IO_FAILED_WRITES,	/* write requests failed */
	ZSWAPBLK_IO_INVALID_IO,		/* requests outside the device */
	ZSWAPBLK_IO_NOTIFY_FREE,	/* slots freed by swap_slot_free_notify */
	ZSWAPBLK_IO_WRITES_INFLIGHT,	/* write requests not completed yet */
	ZSWAPBLK_IO_WRITES_INFLIGHT_MAX, /* most write requests in flight at once */
	ZSWAPBLK_IO_ASYNC_COMPLETIONS,	/* write requests completed by a worker */
	ZSWAPBLK_IO_WRITES_HELD,	/* write requests parked by completion_hold */
	ZSWAPBLK_IO__NR
};

/* debug_stat: "version: 1" then one line of these columns. */
#define ZSWAPBLK_DEBUG_STAT_VERSION	1
enum zswapblk_debug_stat_col {
	ZSWAPBLK_DBG_WRITESTALL,	/* stores that had to wait for memory */
	ZSWAPBLK_DBG_MISS_FREE,		/* slot frees skipped: slot was busy */
	ZSWAPBLK_DBG_HOLD_RELEASES,	/* times completion_hold released bios */
	ZSWAPBLK_DBG_HOLD_TIMEOUTS,	/* releases forced by the hold timeout */
	ZSWAPBLK_DBG_STABLE_CHECKED,	/* pages verify_stable checked */
	ZSWAPBLK_DBG_STABLE_MISMATCH,	/* ... found changed under writeback */
	ZSWAPBLK_DBG_SPLIT_WRITES,	/* write bios stored by several CPUs */
	ZSWAPBLK_DBG__NR
};

/* bd_stat: columns 1-3 are zram's, in 4 KiB units; the rest are counts. */
enum zswapblk_bd_stat_col {
	ZSWAPBLK_BD_COUNT,		/* 4 KiB units on the backing device */
	ZSWAPBLK_BD_READS,		/* 4 KiB units read back */
	ZSWAPBLK_BD_WRITES,		/* 4 KiB units written */
	ZSWAPBLK_BD_WB_INFLIGHT,	/* backing writes in flight now */
	ZSWAPBLK_BD_FAILED_READS,	/* backing reads that failed */
	ZSWAPBLK_BD_FAILED_WRITES,	/* backing writes that failed */
	ZSWAPBLK_BD_SPILLS,		/* writes sent straight to disk */
	ZSWAPBLK_BD_AGE_RUNS,		/* automatic runs by age */
	ZSWAPBLK_BD_WMARK_RUNS,		/* automatic runs by watermark */
	ZSWAPBLK_BD_PAGES,		/* pages held on the backing device */
	ZSWAPBLK_BD__NR
};

/* completion_hold: milliseconds a hold may last before it releases itself. */
#define ZSWAPBLK_HOLD_MAX_MS		600000U

#endif /* _ZSWAPBLK_ABI_H */
