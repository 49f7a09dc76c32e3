/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zswapblk: compressed swap block device whose writes complete
 * asynchronously and which requires stable pages.
 *
 * Everything shared between the driver's files lives here: the device, the
 * slot table entry, the compression backend interface and the cross-file
 * prototypes.
 *
 * Lock order, outermost first:
 *
 *   zswapblk_index_mutex		(device idr, hot_add/hot_remove, module exit)
 *     disk->open_mutex		(only to test openers and set ->claim)
 *     zswapblk_dev.init_lock	(configuration and the lifetime of the table)
 *       zswapblk_dev.wb_mutex	(one writeback run at a time)
 *         zswapblk_strm.lock	(a compression stream, may sleep)
 *           slot lock		(bit spinlock in zswapblk_slot.flags)
 *             zsmalloc's own locks
 *             zswapblk_dev.bd_lock	(block allocator; irq-safe)
 *
 * The automatic writeback work takes wb_mutex without init_lock: reset
 * cancels that work, with init_lock held, before it frees anything.
 * zswapblk_dev.hold_lock is a leaf: nothing is taken under it.
 */
#ifndef _ZSWAPBLK_H
#define _ZSWAPBLK_H

#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/llist.h>
#include <linux/mempool.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
/* last: bit_spinlock.h does not include what it uses */
#include <linux/bit_spinlock.h>

#include "zswapblk_abi.h"

#define ZSWAPBLK_SECTORS_PER_PAGE_SHIFT	(PAGE_SHIFT - SECTOR_SHIFT)
/* As zram: one block is one page, so no request ever covers part of a slot. */
#define ZSWAPBLK_LOGICAL_BLOCK_SIZE	PAGE_SIZE
#define ZSWAPBLK_MAX_DEVICES		(MINORMASK + 1)	/* one minor each */

/*
 * One slot per PAGE_SIZE page of the disk.
 *
 * @handle: what the page holds, depending on the flags:
 *	ZSWAPBLK_SLOT_SAME set: the word the whole page is filled with;
 *	otherwise, non-zero: the zsmalloc handle of the compressed data (raw
 *	data when ZSWAPBLK_SLOT_HUGE is set);
 *	0: nothing stored here, unless the page's bit is set in
 *	zswapblk_dev.zero_map.  Either way the page reads as zeros.
 *	ZSWAPBLK_SLOT_WB set: the block on the backing device where the
 *	page's data starts;
 * @flags: the low ZSWAPBLK_FLAG_SHIFT bits are the size of the zsmalloc
 *	object in bytes (with ZSWAPBLK_SLOT_WB: 0 if the block holds the page
 *	uncompressed, else the size of its compressed data, see
 *	compressed_writeback), the bits above are enum zswapblk_slot_flag;
 *	with ZSWAPBLK_SLOT_WB, the bits from ZSWAPBLK_WB_OFF_SHIFT up are
 *	where in the block the compressed data starts.  It may run on into
 *	the next block.
 * @ac_time: when the page was last written or read, in seconds since boot;
 *	writeback's idea of age.
 *
 * All fields, and the slot's bit in zero_map, are protected by the slot
 * lock, ZSWAPBLK_SLOT_LOCK, a bit spinlock in @flags: take it only through
 * zswapblk_slot_lock() and friends, and never sleep under it.
 */
struct zswapblk_slot {
	unsigned long handle;
	unsigned long flags;
	u32 ac_time;
};

#define ZSWAPBLK_FLAG_SHIFT	(PAGE_SHIFT + 1)

enum zswapblk_slot_flag {
	ZSWAPBLK_SLOT_LOCK = ZSWAPBLK_FLAG_SHIFT,
	ZSWAPBLK_SLOT_SAME,	/* filled with one non-zero word: @handle */
	ZSWAPBLK_SLOT_HUGE,	/* compresses badly: stored raw */
	ZSWAPBLK_SLOT_INCOMPRESSIBLE, /* does not compress at all */
	ZSWAPBLK_SLOT_WB,	/* on the backing device, block @handle */
	ZSWAPBLK_SLOT_UNDER_WB,	/* being written back; cleared by any change */
	ZSWAPBLK_SLOT_IDLE,	/* marked by "idle", cleared by any access */
	__NR_ZSWAPBLK_SLOT_FLAGS,
};

/* ZSWAPBLK_SLOT_WB: the offset in the block, above the flags */
#define ZSWAPBLK_WB_OFF_SHIFT	__NR_ZSWAPBLK_SLOT_FLAGS

/* Statistics.  Units are pages unless the name says otherwise. */
struct zswapblk_stats {
	atomic64_t compr_data_size;	/* bytes of zsmalloc objects */
	atomic64_t pages_stored;	/* slots holding data, zero pages too */
	atomic64_t same_pages;		/* same-filled pages, zero pages too */
	atomic64_t zero_pages;		/* bits set in zero_map */
	atomic64_t huge_pages;		/* pages stored raw */
	atomic64_t huge_pages_since;	/* huge pages stored since init */
	atomic64_t max_used_pages;	/* high-water mark of the pool */
	atomic64_t failed_reads;	/* read requests failed */
	atomic64_t failed_writes;	/* write requests failed */
	atomic64_t invalid_io;		/* requests outside the disk */
	atomic64_t notify_free;		/* swap_slot_free_notify calls */
	atomic64_t miss_free;		/* notify calls that found the slot busy */
	atomic64_t writestall;		/* stores that waited for memory */
	atomic64_t writes_inflight_max;	/* most write requests in flight */
	atomic64_t async_completions;	/* write requests completed by workers */
	atomic64_t hold_releases;	/* completion_hold releases */
	atomic64_t hold_timeouts;	/* ... of which forced by the timeout */
	atomic64_t stable_checked;	/* pages verify_stable checked */
	atomic64_t stable_mismatch;	/* ... that changed under writeback */
	atomic64_t split_writes;	/* write bios stored in parts */
	atomic64_t bd_count;		/* blocks of the backing device in use */
	atomic64_t bd_pages;		/* pages held on the backing device */
	atomic64_t bd_reads;		/* pages read from the backing device */
	atomic64_t bd_writes;		/* pages written to the backing device */
	atomic64_t bd_failed_reads;	/* backing reads that failed */
	atomic64_t bd_failed_writes;	/* backing writes that failed */
	atomic64_t bd_spills;		/* writes sent straight to the backing device */
	atomic64_t wb_age_runs;		/* automatic runs started by age */
	atomic64_t wb_wmark_runs;	/* automatic runs started by the watermark */
};

struct zswapblk_strm;

/*
 * A compression backend: the kernel's own compression libraries, called
 * directly rather than through the crypto API so that a level can be set
 * (algorithm_params) and no algorithm module has to be looked up at run time.
 * A backend with no levels has min_level == max_level == 0.
 *
 * cctx is used by one writer at a time (zswapblk_strm.lock); dctx is per CPU
 * and used with preemption disabled, so decompress() must not sleep.
 */
struct zswapblk_backend {
	const char *name;
	int default_level, min_level, max_level;
	void *(*create_cctx)(int level);
	void (*destroy_cctx)(void *cctx);
	void *(*create_dctx)(void);
	void (*destroy_dctx)(void *dctx);
	int (*compress)(void *cctx, const void *src, void *dst, size_t *dst_len);
	int (*decompress)(void *dctx, const void *src, size_t src_len, void *dst);
};

/*
 * Compression stream, one per possible CPU, picked by the CPU a writer runs
 * on.  Writers may sleep in zs_malloc() while holding it, hence a mutex.
 */
struct zswapblk_strm {
	struct mutex lock;	/* one user at a time */
	void *cctx;		/* backend's compression workspace */
	void *buffer;		/* output, 2 * PAGE_SIZE bytes */
};

struct zswapblk_comp {
	const struct zswapblk_backend *backend;
	int level;
	struct zswapblk_strm __percpu *strms;
	void * __percpu *dctx;	/* NULL entries if the backend needs none */
};

/*
 * A CPU's write queue.  Its work item, on zswapblk_dev.wq bound to that
 * CPU, takes the parts in the order they came and completes their requests
 * in batches (see zswapblk_queue_work()).  @backlog counts the parts queued
 * and not yet taken; it steers zswapblk_pick_cpu().
 */
struct zswapblk_queue {
	struct llist_head parts;
	struct work_struct work;
	atomic_t backlog;
	struct zswapblk_dev *dev;
};

/*
 * The pages of a write bio that one worker compresses: all of them, or for
 * a large bio a run of them, so that the CPUs compress it side by side.
 */
struct zswapblk_wpart {
	struct llist_node qnode;	/* on zswapblk_queue.parts */
	struct zswapblk_req *req;
	struct bvec_iter iter;		/* its pages in req->bio */
	unsigned int first;		/* its first page's number in the bio */
};

/*
 * One write bio on its way: queued to the CPUs' write queues, or parked on
 * zswapblk_dev.held while completion_hold is on.  @pending counts each part
 * still queued or being stored, and each page sent to the backing device;
 * the bio completes when it drops to zero, with @error if anything failed.
 * @part covers the whole bio, or its first run of pages when
 * zswapblk_queue_req() splits it; @more holds the other runs.
 */
struct zswapblk_req {
	struct zswapblk_wpart part;
	struct zswapblk_wpart *more;
	struct list_head node;		/* on zswapblk_dev.held, or a batch */
	struct zswapblk_dev *dev;
	struct bio *bio;
	unsigned long start_time;	/* jiffies, from bio_start_io_acct() */
	atomic_t pending;
	int error;
	u32 *csums;			/* verify_stable: crc32 per page at submit */
};

#define ZSWAPBLK_WB_BATCH_MAX	1024		/* writeback_batch_size */
#define ZSWAPBLK_WB_AGE_MAX	(10 * 365 * 24 * 3600)	/* writeback_age, s */

/* What a writeback run picks (zram's "writeback" modes, and age). */
enum zswapblk_wb_mode {
	ZSWAPBLK_WB_IDLE		= BIT(0),
	ZSWAPBLK_WB_HUGE		= BIT(1),
	ZSWAPBLK_WB_INCOMPRESSIBLE	= BIT(2),
	ZSWAPBLK_WB_AGE			= BIT(3),	/* ac_time <= cutoff */
};

/* writeback_direct: which pages skip memory and go straight to disk */
enum zswapblk_wb_direct {
	ZSWAPBLK_DIRECT_NONE,
	ZSWAPBLK_DIRECT_HUGE,
	ZSWAPBLK_DIRECT_ALL,
};

/* A watermark: bytes, or a percentage of mem_limit; 0 = off. */
struct zswapblk_wmark {
	u64 val;
	bool pct;
};

struct zswapblk_dev {
	struct gendisk *disk;
	int id;

	/*
	 * init_lock protects the configuration and the lifetime of everything
	 * allocated at init: @disksize, @table, @zero_map, @pool, @comp,
	 * @backend, @level.  Written by disksize and reset, read by the
	 * attributes.  The I/O path does not take it: I/O needs the disk
	 * open, and reset refuses an open disk and drains the workqueue.
	 */
	struct rw_semaphore init_lock;
	u64 disksize;			/* bytes; 0 = not initialised */
	unsigned long nr_pages;		/* slots in @table */
	struct zswapblk_slot *table;
	unsigned long *zero_map;	/* one bit per slot: page is all zeros */
	struct zs_pool *pool;
	size_t huge_class_size;		/* objects this big are stored raw */
	struct zswapblk_comp *comp;
	const struct zswapblk_backend *backend;	/* selected before init */
	int level;			/* selected before init */
	unsigned long limit_pages;	/* mem_limit in pages, 0 = none */
	bool verify_stable;		/* checksum pages at submit and at store */

	bool claim;		/* reset or removal running; protected by open_mutex */

	struct workqueue_struct *wq;	/* write workers, WQ_MEM_RECLAIM */
	struct zswapblk_queue __percpu *queues;	/* a write queue per CPU */
	int next_cpu;			/* where the overflow goes next */
	mempool_t *req_pool;		/* struct zswapblk_req */
	atomic_t writes_inflight;	/* write requests not completed */

	/*
	 * completion_hold.  hold_lock protects @hold_ms, @held and @nr_held;
	 * @hold_timeout releases the parked requests when the hold expires.
	 */
	spinlock_t hold_lock;
	unsigned int hold_ms;		/* 0 = not holding */
	struct list_head held;
	unsigned int nr_held;
	struct delayed_work hold_timeout;

	/*
	 * The backing device.  @backing, @bdev, @nr_blocks and the maps'
	 * lifetime follow init_lock, like the table: set before init,
	 * released by reset.  bd_lock (irq-safe: read completions take it)
	 * protects @block_map, @block_refs, @limbo_map, @nr_limbo, @bd_next,
	 * @bd_gen and @bd_reads.  With compressed_writeback, blocks are shared:
	 * @block_refs counts the pages whose data is in each block (a page
	 * whose data runs on into the next block counts in both), and a block
	 * is freed when its count drops to zero.  Without, @block_refs is NULL
	 * and every block holds one page.  A block freed while backing reads are in flight goes
	 * to the limbo of the current generation, and is only reused once
	 * every read that started before it was freed has ended (see
	 * zswapblk_limbo_advance()), so a read
	 * never returns a block rewritten under it.
	 */
	struct file *backing;
	struct block_device *bdev;
	unsigned long nr_blocks;	/* PAGE_SIZE blocks */
	spinlock_t bd_lock;
	unsigned long *block_map;	/* allocated blocks, limbo included */
	u16 *block_refs;		/* pages per block; see above */
	unsigned long *limbo_map[2];	/* freed, waiting for reads to drain */
	unsigned long nr_limbo[2];
	unsigned long bd_next;		/* next-fit cursor */
	unsigned int bd_gen;		/* generation new reads join, 0 or 1 */
	unsigned int bd_reads[2];	/* backing reads in flight, by generation */

	/* writeback: wb_mutex serialises runs, on demand and automatic */
	struct mutex wb_mutex;
	atomic_t wb_inflight;		/* backing writes in flight */
	wait_queue_head_t wb_wait;	/* woken as @wb_inflight drops */
	struct llist_head wb_done;	/* finished backing writes */
	struct work_struct wb_done_work; /* slot updates, on @wq */
	struct delayed_work wb_auto;	/* age and watermark triggers */
	unsigned long wb_kicked;	/* bit 0: watermark kick pending */

	/* writeback policy; plain words, read with READ_ONCE */
	unsigned int wb_batch;		/* writeback_batch_size, bios */
	bool wb_limit_enable;
	u64 wb_limit;			/* writeback_limit, 4 KiB units */
	unsigned int wb_age;		/* writeback_age, seconds; 0 = off */
	unsigned int wb_rate;		/* writeback_rate, pages/s; 0 = no limit */
	/*
	 * compressed_writeback: written before init under init_lock, fixed
	 * after; read with READ_ONCE by the attribute
	 */
	bool wb_compressed;
	struct zswapblk_wmark wb_low, wb_high;
	enum zswapblk_wb_direct wb_direct;

	struct zswapblk_stats stats;
};

static inline bool zswapblk_init_done(struct zswapblk_dev *dev)
{
	return dev->disksize != 0;
}

/*
 * The slot lock.  Inline, so that sparse sees the bit spinlock's context
 * annotations in the callers.
 */
static inline void zswapblk_slot_lock(struct zswapblk_dev *dev,
				      unsigned long index)
{
	bit_spin_lock(ZSWAPBLK_SLOT_LOCK, &dev->table[index].flags);
}

static inline bool zswapblk_slot_trylock(struct zswapblk_dev *dev,
					 unsigned long index)
{
	return bit_spin_trylock(ZSWAPBLK_SLOT_LOCK, &dev->table[index].flags);
}

static inline void zswapblk_slot_unlock(struct zswapblk_dev *dev,
					unsigned long index)
{
	bit_spin_unlock(ZSWAPBLK_SLOT_LOCK, &dev->table[index].flags);
}

static inline unsigned long zswapblk_slot_size(struct zswapblk_dev *dev,
					       unsigned long index)
{
	return dev->table[index].flags & (BIT(ZSWAPBLK_FLAG_SHIFT) - 1);
}

static inline void zswapblk_slot_set_size(struct zswapblk_dev *dev,
					  unsigned long index, size_t size)
{
	unsigned long flags = dev->table[index].flags >> ZSWAPBLK_FLAG_SHIFT;

	dev->table[index].flags = (flags << ZSWAPBLK_FLAG_SHIFT) | size;
}

static inline unsigned int zswapblk_slot_wb_off(struct zswapblk_dev *dev,
						unsigned long index)
{
	return dev->table[index].flags >> ZSWAPBLK_WB_OFF_SHIFT;
}

static inline void zswapblk_slot_set_wb_off(struct zswapblk_dev *dev,
					    unsigned long index,
					    unsigned int off)
{
	unsigned long low = BIT(ZSWAPBLK_WB_OFF_SHIFT) - 1;

	static_assert(ZSWAPBLK_WB_OFF_SHIFT + PAGE_SHIFT <= BITS_PER_LONG);
	dev->table[index].flags = (dev->table[index].flags & low) |
				  (unsigned long)off << ZSWAPBLK_WB_OFF_SHIFT;
}

/* Does compressed data of @size bytes from @off run on into the next block? */
static inline bool zswapblk_bd_spans(unsigned int off, unsigned int size)
{
	return size && (off & ~PAGE_MASK) + size > PAGE_SIZE;
}

static inline bool zswapblk_test_flag(struct zswapblk_dev *dev,
				      unsigned long index,
				      enum zswapblk_slot_flag flag)
{
	return dev->table[index].flags & BIT(flag);
}

static inline void zswapblk_set_flag(struct zswapblk_dev *dev,
				     unsigned long index,
				     enum zswapblk_slot_flag flag)
{
	dev->table[index].flags |= BIT(flag);
}

static inline void zswapblk_clear_flag(struct zswapblk_dev *dev,
				       unsigned long index,
				       enum zswapblk_slot_flag flag)
{
	dev->table[index].flags &= ~BIT(flag);
}

/* Raise the high-water mark @max to @val if it is below. */
static inline void zswapblk_stat_max(atomic64_t *max, s64 val)
{
	s64 cur = atomic64_read(max);

	while (val > cur && !atomic64_try_cmpxchg(max, &cur, val))
		;
}

/* Seconds since boot, the unit of zswapblk_slot.ac_time. */
static inline u32 zswapblk_now(void)
{
	return (u32)ktime_get_boottime_seconds();
}

/* main.c: device lifecycle */
int zswapblk_init_device(struct zswapblk_dev *dev, u64 disksize);
int zswapblk_reset(struct zswapblk_dev *dev);
bool zswapblk_is_zswapblk(struct block_device *bdev);
extern const struct attribute_group *zswapblk_disk_groups[];

/* io.c: the block I/O path */
void zswapblk_submit_bio(struct bio *bio);
void zswapblk_slot_free_notify(struct block_device *bdev, unsigned long index);
void zswapblk_copy_page(struct bio *bio, struct bvec_iter *iter, void *buf,
			bool to_bio);
void zswapblk_read_failed(struct zswapblk_dev *dev, struct bio *bio);
void zswapblk_queues_init(struct zswapblk_dev *dev);
void zswapblk_queue_req(struct zswapblk_req *req);
void zswapblk_end_write(struct zswapblk_req *req, int ret);
void zswapblk_req_put(struct zswapblk_req *req, int ret);
void zswapblk_hold_release(struct zswapblk_dev *dev, bool timeout);
void zswapblk_hold_timeout_fn(struct work_struct *work);
int zswapblk_hold_set(struct zswapblk_dev *dev, unsigned int ms);

/*
 * How ->submit_bio allocates for @bio.  The disk supports REQ_NOWAIT (the
 * flag io_uring submits with first): such a bio must not wait for memory,
 * and is ended with BLK_STS_AGAIN when GFP_NOWAIT fails; the submitter then
 * retries from a context that may block.
 */
static inline gfp_t zswapblk_bio_gfp(const struct bio *bio)
{
	return bio->bi_opf & REQ_NOWAIT ? GFP_NOWAIT : GFP_NOIO;
}

/* The online CPU after @cpu, wrapping round: workers are picked in turn. */
static inline int zswapblk_next_cpu(int cpu)
{
	cpu = cpumask_next(cpu, cpu_online_mask);
	return cpu < nr_cpu_ids ? cpu : cpumask_first(cpu_online_mask);
}

/* @pages in zram's unit for bd_stat and writeback_limit: 4 KiB. */
#define ZSWAPBLK_FOUR_K(pages)	((pages) << (PAGE_SHIFT - 12))

/* slots.c: the slot table and the zero bitmap */
int zswapblk_table_create(struct zswapblk_dev *dev, unsigned long nr_pages);
void zswapblk_table_destroy(struct zswapblk_dev *dev);
void zswapblk_slot_free(struct zswapblk_dev *dev, unsigned long index);
/* zswapblk_read_page() returns this when the page is on the backing device */
#define ZSWAPBLK_ON_BACKING	1

/*
 * A backing read being set up: its block, the generation it joined, and
 * how the block holds the page (0: uncompressed; else the size of the
 * compressed data, from @off on).
 */
struct zswapblk_bd_ref {
	unsigned long block;
	unsigned int gen;
	unsigned int size;
	unsigned int off;	/* where in the block the data starts */
};

int zswapblk_read_page(struct zswapblk_dev *dev, unsigned long index,
		       void *dst, struct zswapblk_bd_ref *ref);
int zswapblk_slot_decompress(struct zswapblk_dev *dev, unsigned long index,
			     void *dst);
unsigned int zswapblk_slot_copy(struct zswapblk_dev *dev, unsigned long index,
				void *dst, unsigned int room, void *more);
int zswapblk_decompress(struct zswapblk_dev *dev, const void *src,
			unsigned int size, void *dst);
int zswapblk_write_page(struct zswapblk_dev *dev, unsigned long index,
			const void *src, struct page *page,
			struct zswapblk_req *req);
void zswapblk_mark_idle(struct zswapblk_dev *dev, u32 cutoff);
bool zswapblk_wb_eligible(struct zswapblk_dev *dev, unsigned long index,
			  unsigned int mode, u32 cutoff);
bool zswapblk_page_same_filled(const void *ptr, unsigned long *value);

/* writeback.c: the backing device and writeback */
int zswapblk_wb_module_init(void);
void zswapblk_wb_module_exit(void);
void zswapblk_wb_dev_init(struct zswapblk_dev *dev);
void zswapblk_wb_set_defaults(struct zswapblk_dev *dev);
int zswapblk_backing_set(struct zswapblk_dev *dev, const char *path);
void zswapblk_backing_reset(struct zswapblk_dev *dev);
ssize_t zswapblk_backing_show(struct zswapblk_dev *dev, char *buf);
void zswapblk_wb_start(struct zswapblk_dev *dev);
void zswapblk_wb_stop(struct zswapblk_dev *dev);
void zswapblk_wb_kick(struct zswapblk_dev *dev);
int zswapblk_wb_init(struct zswapblk_dev *dev);
void zswapblk_block_put(struct zswapblk_dev *dev, unsigned long block);
unsigned int zswapblk_bd_read_get(struct zswapblk_dev *dev);
int zswapblk_bd_read(struct zswapblk_dev *dev, struct bio *parent,
		     struct bvec_iter *iter, const struct zswapblk_bd_ref *ref);
int zswapblk_spill(struct zswapblk_dev *dev, struct zswapblk_req *req,
		   unsigned long index, const void *src, struct page *page);
int zswapblk_writeback(struct zswapblk_dev *dev, unsigned int mode,
		       unsigned long lo, unsigned long hi);
u64 zswapblk_wmark_pages(struct zswapblk_dev *dev,
			 const struct zswapblk_wmark *wm);

/* comp.c: compression backends */
const struct zswapblk_backend *zswapblk_backend_find(const char *name);
const struct zswapblk_backend *zswapblk_backend_default(void);
ssize_t zswapblk_backend_list(const struct zswapblk_backend *selected,
			      char *buf, ssize_t at);
struct zswapblk_comp *zswapblk_comp_create(const struct zswapblk_backend *b,
					   int level);
void zswapblk_comp_destroy(struct zswapblk_comp *comp);
struct zswapblk_strm *zswapblk_strm_get(struct zswapblk_comp *comp);
void zswapblk_strm_put(struct zswapblk_strm *strm);

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * sysfs.c: the attribute parsers, static without KUnit (VISIBLE_IF_KUNIT,
 * see compat.h).
 */
int zswapblk_parse_size(const char *buf, u64 *size);
int zswapblk_parse_disksize(const char *buf, u64 *size);
int zswapblk_parse_mem_limit(const char *buf, unsigned long *pages);
int zswapblk_parse_algo_params(char *args, const struct zswapblk_backend **algo,
			       bool *have_level, int *level);
int zswapblk_parse_wb_type(const char *val, unsigned int *mode);
int zswapblk_parse_wb_cmd(char *args, unsigned int *mode, unsigned long *lo,
			  unsigned long *hi, bool *range);
int zswapblk_parse_idle(const char *buf, u32 now, u32 *cutoff);
int zswapblk_parse_wmark(const char *buf, struct zswapblk_wmark *wm);
#endif

#endif /* _ZSWAPBLK_H */
