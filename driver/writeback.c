// SPDX-License-Identifier: GPL-2.0
/*
 * The backing device: asynchronous, batched writeback of stored pages, on
 * demand ("writeback") and automatic (by age and by memory watermark),
 * writes that spill to disk when memory cannot take them, and reads back.
 *
 * Pages are kept on the backing device one PAGE_SIZE block each,
 * uncompressed, so reading one back is a plain read into the destination
 * page.  With compressed_writeback they are kept as their compressed data,
 * packed one after the other: a block holds as many pages as fit, and a
 * page's data may run on from the end of one block into the next.  So
 * writeback copies instead of decompressing, the disk takes fewer blocks,
 * and a read fetches the one or two blocks and decompresses in a worker
 * once they have arrived.  A block is freed when the last page in it is
 * (zswapblk_dev.block_refs).  Huge pages stay a block each, raw.
 *
 * A writeback run marks each slot it picks ZSWAPBLK_SLOT_UNDER_WB and gives
 * it a place in a bio: a block and a page of its own, or a share of the
 * bio's last block.  Blocks that follow each other (the next-fit allocator
 * hands them out in order) share one bio, so the backing device sees large
 * writes.  A full bio goes to a worker on the next CPU in turn, which
 * decompresses (or copies) its slots into its pages and submits it: the
 * CPUs work side by side while the run picks on.  Up to
 * writeback_batch_size pages are in flight at once, in about four bios,
 * so the disk works on some while the next are filled.  Completions are
 * collected on a lock-free list and applied to the slots by a work item:
 * only if a slot still carries ZSWAPBLK_SLOT_UNDER_WB, i.e. nothing
 * rewrote, discarded or freed it meanwhile, does its block replace the data
 * in memory.  Otherwise the block is dropped: the newer data always wins.
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/zsmalloc.h>

#include "zswapblk.h"

/* The automatic triggers run this often. */
#define ZSWAPBLK_WB_INTERVAL_S		1
#define ZSWAPBLK_WB_BATCH_DEFAULT	256	/* pages: 1 MiB in flight */
/* bios a run keeps in flight when writeback_batch_size allows */
#define ZSWAPBLK_WB_BIOS		4
#define ZSWAPBLK_WB_RATE_DEFAULT	65536	/* pages/s: 256 MiB/s */
/* bios from the set the read path may hold while it allocates more */
#define ZSWAPBLK_BIO_POOL		256

/* compressed_writeback: slots per writeback bio, per block it may hold */
#define ZSWAPBLK_WB_PACK		8

/*
 * A slot in a writeback bio, and where its data goes: @pos bytes from the
 * start of the bio's first block.  @size is 0 for a whole page (decompressed,
 * or a huge page), else the size of the compressed data.
 */
struct zswapblk_wb_entry {
	unsigned long index;
	unsigned int pos;
	unsigned int size;
};

/* One bio to or from the backing device. */
struct zswapblk_bd_io {
	struct llist_node node;		/* on zswapblk_dev.wb_done */
	struct zswapblk_dev *dev;
	struct zswapblk_wb_run *run;	/* writeback: the run it belongs to */
	struct zswapblk_req *req;	/* spill: the write it completes */
	struct bio *parent;		/* read: the bio it completes */
	struct bvec_iter iter;		/* read: where in @parent the page goes */
	struct page *bounce;		/* read, spill: our pages, if any */
	unsigned int order;		/* ... of 2^order pages */
	unsigned int size;		/* read: compressed bytes, 0: raw */
	unsigned int off;		/* read: where they start */
	unsigned long index;		/* spill: the slot */
	/*
	 * On the backing device: the first block.  A writeback bio holds
	 * pages of its own, one per block from @block on, and the slots
	 * whose data they take in @entries.
	 */
	unsigned long block;
	struct zswapblk_wb_entry *entries;
	unsigned int nr_entries;
	unsigned int gen;		/* read: the generation it joined */
	/* writeback: fill the pages, submit; compressed read: decompress */
	struct work_struct work;
	struct bio bio;			/* must be last: bio_set front pad */
};

/* A writeback run: what it picks, and its bios in flight. */
struct zswapblk_wb_run {
	unsigned int mode;		/* enum zswapblk_wb_mode */
	u32 cutoff;			/* ZSWAPBLK_WB_AGE: ac_time <= this */
	unsigned long budget;		/* pages at most */
	u64 stop_below;			/* stop once the pool is this small */
	struct zswapblk_bd_io *io;	/* the bio being filled, not submitted */
	unsigned int tail;		/* bytes taken in @io's last page */
	unsigned int bio_pages;		/* pages per bio at most */
	unsigned int max_entries;	/* slots per bio at most */
	int cpu;			/* where the last bio was filled */
	atomic_t pending;		/* pages in submitted bios */
	unsigned long written;		/* pages now on the backing device */
	int error;
	/*
	 * The pages of finished bios, for the next ones: a fresh page is
	 * zeroed, which costs more than filling it.  A page is overwritten
	 * whole (a slot decompresses to PAGE_SIZE bytes), or with
	 * compressed_writeback where the slots' data goes, and the rest
	 * keeps what earlier bios of the run wrote to the backing device:
	 * nothing goes to disk that was not there already.  Data of a slot
	 * that changed before the worker got to it is not copied, and its
	 * share of the block is dropped unread.  free_lock protects
	 * free_pages; both are touched only in process context (the run,
	 * and zswapblk_wb_done_fn()).
	 */
	spinlock_t free_lock;
	struct list_head free_pages;
};

static struct bio_set zswapblk_bio_set;

static void zswapblk_wb_done_fn(struct work_struct *work);
static void zswapblk_wb_auto_fn(struct work_struct *work);

int zswapblk_wb_module_init(void)
{
	/*
	 * The read path allocates bios inside ->submit_bio, where bios
	 * submitted earlier sit on current->bio_list: a rescuer keeps a
	 * depleted pool from deadlocking on them.
	 */
	return bioset_init(&zswapblk_bio_set, ZSWAPBLK_BIO_POOL,
			   offsetof(struct zswapblk_bd_io, bio),
			   BIOSET_NEED_BVECS | BIOSET_NEED_RESCUER);
}

void zswapblk_wb_module_exit(void)
{
	bioset_exit(&zswapblk_bio_set);
}

void zswapblk_wb_dev_init(struct zswapblk_dev *dev)
{
	spin_lock_init(&dev->bd_lock);
	mutex_init(&dev->wb_mutex);
	atomic_set(&dev->wb_inflight, 0);
	init_waitqueue_head(&dev->wb_wait);
	init_llist_head(&dev->wb_done);
	INIT_WORK(&dev->wb_done_work, zswapblk_wb_done_fn);
	INIT_DELAYED_WORK(&dev->wb_auto, zswapblk_wb_auto_fn);
}

/* Writeback policy of a new device, also restored by reset. */
void zswapblk_wb_set_defaults(struct zswapblk_dev *dev)
{
	dev->wb_batch = ZSWAPBLK_WB_BATCH_DEFAULT;
	dev->wb_rate = ZSWAPBLK_WB_RATE_DEFAULT;
	dev->wb_limit_enable = false;
	dev->wb_limit = 0;
	dev->wb_age = 0;
	dev->wb_low = (struct zswapblk_wmark){};
	dev->wb_high = (struct zswapblk_wmark){};
	dev->wb_direct = ZSWAPBLK_DIRECT_NONE;
	dev->wb_compressed = false;
}

/* --- the backing device ---------------------------------------------- */

/*
 * Open @path as the backing device.  Called with init_lock held for write,
 * before init.  "none" drops the current one.
 */
int zswapblk_backing_set(struct zswapblk_dev *dev, const char *path)
{
	unsigned long *block_map, *limbo0, *limbo1, nr_blocks;
	struct block_device *bdev;
	struct file *file;
	int ret;

	lockdep_assert_held_write(&dev->init_lock);
	if (zswapblk_init_done(dev))
		return -EBUSY;
	if (!strcmp(path, "none")) {
		zswapblk_backing_reset(dev);
		return 0;
	}

	/* O_EXCL: the block device is claimed for us, as zram does */
	file = filp_open(path, O_RDWR | O_LARGEFILE | O_EXCL, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	if (!S_ISBLK(file_inode(file)->i_mode)) {
		ret = -ENOTBLK;
		goto close;
	}
	bdev = I_BDEV(file->f_mapping->host);
	if (zswapblk_is_zswapblk(bdev)) {
		ret = -EINVAL;
		goto close;
	}
	nr_blocks = bdev_nr_bytes(bdev) >> PAGE_SHIFT;
	if (!nr_blocks) {
		ret = -EINVAL;
		goto close;
	}
	block_map = bitmap_zalloc(nr_blocks, GFP_KERNEL | __GFP_NOWARN);
	if (!block_map) {
		ret = -ENOMEM;
		goto close;
	}
	limbo0 = bitmap_zalloc(nr_blocks, GFP_KERNEL | __GFP_NOWARN);
	if (!limbo0) {
		ret = -ENOMEM;
		goto free_block_map;
	}
	limbo1 = bitmap_zalloc(nr_blocks, GFP_KERNEL | __GFP_NOWARN);
	if (!limbo1) {
		ret = -ENOMEM;
		goto free_limbo0;
	}

	zswapblk_backing_reset(dev);
	dev->backing = file;
	dev->bdev = bdev;
	dev->nr_blocks = nr_blocks;
	dev->block_map = block_map;
	dev->limbo_map[0] = limbo0;
	dev->limbo_map[1] = limbo1;
	dev->nr_limbo[0] = 0;
	dev->nr_limbo[1] = 0;
	dev->bd_gen = 0;
	dev->bd_next = 0;
	return 0;

free_limbo0:
	bitmap_free(limbo0);
free_block_map:
	bitmap_free(block_map);
close:
	filp_close(file, NULL);
	return ret;
}

/* Close the backing device.  Nothing may be stored on it any more. */
void zswapblk_backing_reset(struct zswapblk_dev *dev)
{
	if (!dev->backing)
		return;
	filp_close(dev->backing, NULL);
	dev->backing = NULL;
	dev->bdev = NULL;
	bitmap_free(dev->block_map);
	bitmap_free(dev->limbo_map[0]);
	bitmap_free(dev->limbo_map[1]);
	kvfree(dev->block_refs);
	dev->block_refs = NULL;
	dev->block_map = NULL;
	dev->limbo_map[0] = NULL;
	dev->limbo_map[1] = NULL;
	dev->nr_blocks = 0;
}

/*
 * At init: with compressed_writeback, blocks are shared and counted.
 * Called with init_lock held for write.
 */
int zswapblk_wb_init(struct zswapblk_dev *dev)
{
	lockdep_assert_held_write(&dev->init_lock);
	if (!dev->bdev || !dev->wb_compressed)
		return 0;
	dev->block_refs = kvcalloc(dev->nr_blocks, sizeof(*dev->block_refs),
				   GFP_KERNEL);
	return dev->block_refs ? 0 : -ENOMEM;
}

ssize_t zswapblk_backing_show(struct zswapblk_dev *dev, char *buf)
{
	size_t len;
	char *p;

	if (!dev->backing)
		return sysfs_emit(buf, "none\n");
	p = file_path(dev->backing, buf, PAGE_SIZE - 1);
	if (IS_ERR(p))
		return PTR_ERR(p);
	len = strlen(p);
	memmove(buf, p, len);
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

/* --- the block allocator -------------------------------------------- */

/* Allocate a block, next fit.  Returns -ENOSPC when the device is full. */
static long zswapblk_block_alloc(struct zswapblk_dev *dev)
{
	unsigned long flags, block;

	spin_lock_irqsave(&dev->bd_lock, flags);
	block = find_next_zero_bit(dev->block_map, dev->nr_blocks,
				   dev->bd_next);
	if (block >= dev->nr_blocks)
		block = find_first_zero_bit(dev->block_map, dev->nr_blocks);
	if (block < dev->nr_blocks) {
		__set_bit(block, dev->block_map);
		if (dev->block_refs)
			dev->block_refs[block] = 1;
		dev->bd_next = block + 1;
	}
	spin_unlock_irqrestore(&dev->bd_lock, flags);
	if (block >= dev->nr_blocks)
		return -ENOSPC;
	atomic64_inc(&dev->stats.bd_count);
	return block;
}

/*
 * Free a block no reader can have seen: it was never in a slot, and no
 * other page shares it.
 */
static void zswapblk_block_release(struct zswapblk_dev *dev,
				   unsigned long block)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->bd_lock, flags);
	__clear_bit(block, dev->block_map);
	if (dev->block_refs)
		dev->block_refs[block] = 0;
	spin_unlock_irqrestore(&dev->bd_lock, flags);
	atomic64_dec(&dev->stats.bd_count);
}

/*
 * Limbo.  A backing read joins the current generation (bd_gen); a block
 * freed while reads are in flight goes to the current generation's limbo.
 * Every read that started before that free belongs to the current
 * generation: the generation only ever changes once the other one has no
 * read and no limbo left.  So once the generation has moved on and its
 * reads have drained, its limbo is free for reuse; reads that keep coming
 * join the new generation and cannot hold the old limbo back.
 */
static void zswapblk_limbo_advance(struct zswapblk_dev *dev)
{
	unsigned int old = dev->bd_gen ^ 1, cur = dev->bd_gen;

	lockdep_assert_held(&dev->bd_lock);
	if (!dev->bd_reads[old] && dev->nr_limbo[old]) {
		bitmap_andnot(dev->block_map, dev->block_map,
			      dev->limbo_map[old], dev->nr_blocks);
		bitmap_zero(dev->limbo_map[old], dev->nr_blocks);
		dev->nr_limbo[old] = 0;
	}
	if (!dev->bd_reads[old] && !dev->nr_limbo[old] && dev->nr_limbo[cur]) {
		dev->bd_gen = old;
		/* the new old generation may have drained already */
		if (!dev->bd_reads[cur]) {
			bitmap_andnot(dev->block_map, dev->block_map,
				      dev->limbo_map[cur], dev->nr_blocks);
			bitmap_zero(dev->limbo_map[cur], dev->nr_blocks);
			dev->nr_limbo[cur] = 0;
		}
	}
}

/*
 * A page lets go of @block: free it unless other pages still share it.
 * Any context.
 */
void zswapblk_block_put(struct zswapblk_dev *dev, unsigned long block)
{
	unsigned int gen;
	unsigned long flags;

	spin_lock_irqsave(&dev->bd_lock, flags);
	/* a count gone wrong keeps the block: it leaks, nothing is lost */
	if (dev->block_refs &&
	    (WARN_ON_ONCE(!dev->block_refs[block]) || --dev->block_refs[block])) {
		spin_unlock_irqrestore(&dev->bd_lock, flags);
		return;
	}
	gen = dev->bd_gen;
	if (dev->bd_reads[0] || dev->bd_reads[1]) {
		__set_bit(block, dev->limbo_map[gen]);
		dev->nr_limbo[gen]++;
		zswapblk_limbo_advance(dev);
	} else {
		__clear_bit(block, dev->block_map);
	}
	spin_unlock_irqrestore(&dev->bd_lock, flags);
	atomic64_dec(&dev->stats.bd_count);
}

/*
 * A backing read starts; called under the slot lock of the page it reads.
 * Returns the generation it joined, for zswapblk_bd_read_put().
 */
unsigned int zswapblk_bd_read_get(struct zswapblk_dev *dev)
{
	unsigned long flags;
	unsigned int gen;

	spin_lock_irqsave(&dev->bd_lock, flags);
	gen = dev->bd_gen;
	dev->bd_reads[gen]++;
	spin_unlock_irqrestore(&dev->bd_lock, flags);
	return gen;
}

/* A backing read of generation @gen ended. */
static void zswapblk_bd_read_put(struct zswapblk_dev *dev, unsigned int gen)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->bd_lock, flags);
	dev->bd_reads[gen]--;
	zswapblk_limbo_advance(dev);
	spin_unlock_irqrestore(&dev->bd_lock, flags);
}

/*
 * A bio to the backing device.  With GFP_NOIO it comes from a mempool and
 * cannot fail; with GFP_NOWAIT it may be NULL.
 */
static struct zswapblk_bd_io *zswapblk_bd_io_alloc(struct zswapblk_dev *dev,
						   blk_opf_t opf,
						   unsigned long block,
						   unsigned short nr_pages,
						   gfp_t gfp)
{
	struct zswapblk_bd_io *io;
	struct bio *bio;

	bio = bio_alloc_bioset(dev->bdev, nr_pages, opf, gfp,
			       &zswapblk_bio_set);
	if (!bio)
		return NULL;
	bio->bi_iter.bi_sector = (sector_t)block << ZSWAPBLK_SECTORS_PER_PAGE_SHIFT;
	io = container_of(bio, struct zswapblk_bd_io, bio);
	io->dev = dev;
	io->run = NULL;
	io->req = NULL;
	io->parent = NULL;
	io->bounce = NULL;
	io->order = 0;
	io->size = 0;
	io->off = 0;
	io->block = block;
	io->entries = NULL;
	io->nr_entries = 0;
	return io;
}

/* --- reading back -------------------------------------------------- */

/* A backing read is over: count it, and end @parent's share of it. */
static void zswapblk_bd_read_done(struct zswapblk_bd_io *io, bool ok)
{
	struct zswapblk_dev *dev = io->dev;
	struct bio *parent = io->parent;

	if (ok) {
		atomic64_inc(&dev->stats.bd_reads);
	} else {
		atomic64_inc(&dev->stats.bd_failed_reads);
		zswapblk_read_failed(dev, parent);
	}
	if (io->bounce)
		__free_pages(io->bounce, io->order);
	bio_put(&io->bio);
	zswapblk_bd_read_put(dev, io->gen);
	bio_endio(parent);
}

/*
 * Work item: decompress compressed data read back into its page of
 * @parent; directly, or through the bounce page after the data's when the
 * page is split across segments.
 */
static void zswapblk_bd_read_fn(struct work_struct *work)
{
	struct zswapblk_bd_io *io = container_of(work, struct zswapblk_bd_io,
						 work);
	struct bio_vec bv = bio_iter_iovec(io->parent, io->iter);
	void *src = page_address(io->bounce) + io->off;
	void *dst;
	int ret;

	if (bv.bv_len != PAGE_SIZE) {
		dst = page_address(io->bounce + io->bio.bi_vcnt);
		ret = zswapblk_decompress(io->dev, src, io->size, dst);
		if (!ret)
			zswapblk_copy_page(io->parent, &io->iter, dst, true);
	} else {
		dst = kmap_local_page(bv.bv_page);
		ret = zswapblk_decompress(io->dev, src, io->size,
					  dst + bv.bv_offset);
		kunmap_local(dst);
	}
	zswapblk_bd_read_done(io, !ret);
}

static void zswapblk_bd_read_end(struct bio *bio)
{
	struct zswapblk_bd_io *io = container_of(bio, struct zswapblk_bd_io,
						 bio);

	if (bio->bi_status) {
		zswapblk_bd_read_done(io, false);
	} else if (io->size) {
		/* no decompression in interrupt context */
		INIT_WORK(&io->work, zswapblk_bd_read_fn);
		queue_work(io->dev->wq, &io->work);
	} else {
		if (io->bounce)
			zswapblk_copy_page(io->parent, &io->iter,
					   page_address(io->bounce), true);
		zswapblk_bd_read_done(io, true);
	}
}

/*
 * Read @ref's block (two, if its data runs on into the next one) into the
 * page of @parent at @iter, and advance @iter.
 * The backing read was accounted by zswapblk_read_page().  @parent
 * completes only once this read has.  It does not wait, except for memory
 * with GFP_NOIO; for a REQ_NOWAIT @parent it does not wait at all and
 * returns -ENOMEM when memory is short.
 */
int zswapblk_bd_read(struct zswapblk_dev *dev, struct bio *parent,
		     struct bvec_iter *iter, const struct zswapblk_bd_ref *ref)
{
	unsigned int i, blocks = 1 + zswapblk_bd_spans(ref->off, ref->size);
	gfp_t gfp = zswapblk_bio_gfp(parent);
	struct bio_vec bv = bio_iter_iovec(parent, *iter);
	struct zswapblk_bd_io *io;

	io = zswapblk_bd_io_alloc(dev, REQ_OP_READ, ref->block, blocks, gfp);
	if (!io) {
		zswapblk_bd_read_put(dev, ref->gen);
		return -ENOMEM;
	}
	io->gen = ref->gen;
	io->parent = parent;
	io->iter = *iter;
	io->size = ref->size;
	io->off = ref->off;
	if (bv.bv_len == PAGE_SIZE && !io->size) {
		__bio_add_page(&io->bio, bv.bv_page, PAGE_SIZE, bv.bv_offset);
	} else {
		/*
		 * Compressed, or split across segments: read into our pages,
		 * then decompress or copy.  A compressed page split across
		 * segments is decompressed into one more page first.
		 */
		io->order = order_base_2(blocks +
					 (io->size && bv.bv_len != PAGE_SIZE));
		io->bounce = alloc_pages(gfp, io->order);
		if (!io->bounce) {
			bio_put(&io->bio);
			zswapblk_bd_read_put(dev, ref->gen);
			return -ENOMEM;
		}
		for (i = 0; i < blocks; i++)
			__bio_add_page(&io->bio, io->bounce + i, PAGE_SIZE, 0);
	}
	bio_advance_iter(parent, iter, PAGE_SIZE);
	io->bio.bi_end_io = zswapblk_bd_read_end;
	bio_inc_remaining(parent);
	submit_bio(&io->bio);
	return 0;
}

/* --- writing out --------------------------------------------------- */

static void zswapblk_bd_write_end(struct bio *bio)
{
	struct zswapblk_bd_io *io = container_of(bio, struct zswapblk_bd_io,
						 bio);
	struct zswapblk_dev *dev = io->dev;

	/* slot locks are not irq-safe: apply the result in a worker */
	llist_add(&io->node, &dev->wb_done);
	queue_work(dev->wq, &dev->wb_done_work);
}

/*
 * Put @block into slot @index, in place of whatever it held; @off and
 * @size are how the block holds the page, as in struct zswapblk_bd_ref.
 */
static void zswapblk_slot_set_block(struct zswapblk_dev *dev,
				    unsigned long index, unsigned long block,
				    unsigned int off, unsigned int size)
{
	zswapblk_slot_free(dev, index);
	zswapblk_set_flag(dev, index, ZSWAPBLK_SLOT_WB);
	zswapblk_slot_set_size(dev, index, size);
	zswapblk_slot_set_wb_off(dev, index, off);
	dev->table[index].handle = block;
	atomic64_inc(&dev->stats.bd_pages);
	atomic64_inc(&dev->stats.pages_stored);
}

/* A spilled write of slot @index to @block ended: the data is nowhere else. */
static void zswapblk_spill_place(struct zswapblk_dev *dev, unsigned long index,
				 unsigned long block, bool ok)
{
	if (ok) {
		zswapblk_slot_lock(dev, index);
		zswapblk_slot_set_block(dev, index, block, 0, 0);
		zswapblk_slot_unlock(dev, index);
		atomic64_inc(&dev->stats.bd_spills);
	} else {
		zswapblk_block_release(dev, block);
	}
}

/*
 * Apply the backing write of @e, an entry of @io, to its slot: only if the
 * slot is unchanged since the run picked it does its data on the disk
 * replace the data in memory; otherwise its share of the blocks is
 * dropped.  Returns true if the slot now holds the block.
 */
static bool zswapblk_wb_place(struct zswapblk_dev *dev,
			      struct zswapblk_bd_io *io,
			      const struct zswapblk_wb_entry *e, bool ok)
{
	unsigned long block = io->block + (e->pos >> PAGE_SHIFT);
	bool placed = false;

	zswapblk_slot_lock(dev, e->index);
	if (zswapblk_test_flag(dev, e->index, ZSWAPBLK_SLOT_UNDER_WB)) {
		if (ok) {
			/* what the worker wrote: see zswapblk_wb_fill_fn() */
			zswapblk_slot_set_block(dev, e->index, block,
						e->pos & ~PAGE_MASK, e->size);
			placed = true;
		} else {
			zswapblk_clear_flag(dev, e->index,
					    ZSWAPBLK_SLOT_UNDER_WB);
		}
	}
	zswapblk_slot_unlock(dev, e->index);
	if (placed)
		return true;
	if (!dev->block_refs) {
		zswapblk_block_release(dev, block);
		return false;
	}
	/* other pages of the block may be in their slots, and being read */
	zswapblk_block_put(dev, block);
	if (zswapblk_bd_spans(e->pos, e->size))
		zswapblk_block_put(dev, block + 1);
	return false;
}

/*
 * Apply one finished backing write to its slots.  The device's counters
 * move first: whoever waits for this write (the bio it spilled for, or the
 * writeback run) may return once it is released, and must find them done.
 */
static void zswapblk_wb_finish(struct zswapblk_bd_io *io)
{
	struct zswapblk_dev *dev = io->dev;
	struct zswapblk_wb_run *run = io->run;
	struct zswapblk_req *req = io->req;
	bool ok = !io->bio.bi_status;
	unsigned int i, nr;

	if (req) {
		nr = 1;
		zswapblk_spill_place(dev, io->index, io->block, ok);
		if (io->bounce)
			__free_pages(io->bounce, io->order);
	} else {
		LIST_HEAD(done);

		for (i = 0; i < io->nr_entries; i++)
			if (zswapblk_wb_place(dev, io, &io->entries[i], ok))
				run->written++;
		kfree(io->entries);
		/* our own bio: its vector is as we built it, page by page */
		nr = io->bio.bi_vcnt;
		for (i = 0; i < nr; i++)
			list_add(&io->bio.bi_io_vec[i].bv_page->lru, &done);
		spin_lock(&run->free_lock);
		list_splice(&done, &run->free_pages);
		spin_unlock(&run->free_lock);
		if (!ok)
			run->error = -EIO;
	}
	if (ok)
		atomic64_add(nr, &dev->stats.bd_writes);
	else
		atomic64_add(nr, &dev->stats.bd_failed_writes);
	bio_put(&io->bio);
	atomic_sub(nr, &dev->wb_inflight);
	if (req) {
		zswapblk_req_put(req, ok ? 0 : -EIO);
	} else {
		/*
		 * The run may return once this drops: touch it no more, and
		 * let free_pages, written and error be seen first.
		 */
		smp_mb__before_atomic();
		atomic_sub(nr, &run->pending);
	}
	wake_up_all(&dev->wb_wait);
}

static void zswapblk_wb_done_fn(struct work_struct *work)
{
	struct zswapblk_dev *dev = container_of(work, struct zswapblk_dev,
						wb_done_work);
	struct zswapblk_bd_io *io, *next;
	struct llist_node *list;

	list = llist_del_all(&dev->wb_done);
	llist_for_each_entry_safe(io, next, list, node)
		zswapblk_wb_finish(io);
}

/*
 * Write page @index straight to the backing device for @req: from @page,
 * which stays stable until @req completes, or from a copy of @src.  @req
 * completes when the write does.  Called from the write worker.
 */
int zswapblk_spill(struct zswapblk_dev *dev, struct zswapblk_req *req,
		   unsigned long index, const void *src, struct page *page)
{
	struct zswapblk_bd_io *io;
	long block;

	block = zswapblk_block_alloc(dev);
	if (block < 0)
		return block;
	io = zswapblk_bd_io_alloc(dev, REQ_OP_WRITE, block, 1, GFP_NOIO);
	io->req = req;
	io->index = index;
	if (!page) {
		io->bounce = alloc_page(GFP_NOIO);
		if (!io->bounce) {
			bio_put(&io->bio);
			zswapblk_block_release(dev, block);
			return -ENOMEM;
		}
		memcpy(page_address(io->bounce), src, PAGE_SIZE);
		page = io->bounce;
	}
	__bio_add_page(&io->bio, page, PAGE_SIZE, 0);
	io->bio.bi_end_io = zswapblk_bd_write_end;
	atomic_inc(&req->pending);
	atomic_inc(&dev->wb_inflight);
	submit_bio(&io->bio);
	return 0;
}

/* Take one page of writeback_limit; false when it is used up. */
static bool zswapblk_wb_limit_take(struct zswapblk_dev *dev)
{
	unsigned long flags;
	bool ok = true;

	spin_lock_irqsave(&dev->bd_lock, flags);
	if (dev->wb_limit_enable) {
		/* zram's unit: 4 KiB, whatever the page size */
		u64 need = ZSWAPBLK_FOUR_K(1ULL);

		if (dev->wb_limit < need)
			ok = false;
		else
			dev->wb_limit -= need;
	}
	spin_unlock_irqrestore(&dev->bd_lock, flags);
	return ok;
}

/* Give back a page of writeback_limit taken for a page not written. */
static void zswapblk_wb_limit_return(struct zswapblk_dev *dev)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->bd_lock, flags);
	if (dev->wb_limit_enable)
		dev->wb_limit += ZSWAPBLK_FOUR_K(1ULL);
	spin_unlock_irqrestore(&dev->bd_lock, flags);
}

/* Copy slot @e->index as stored to where @e says, in one page or two. */
static void zswapblk_wb_copy(struct zswapblk_dev *dev,
			     struct zswapblk_bd_io *io,
			     const struct zswapblk_wb_entry *e)
{
	struct bio_vec *bv = &io->bio.bi_io_vec[e->pos >> PAGE_SHIFT];
	unsigned int off = e->pos & ~PAGE_MASK;
	void *dst, *more = NULL;

	dst = kmap_local_page(bv->bv_page);
	if (zswapblk_bd_spans(off, e->size))
		more = kmap_local_page(bv[1].bv_page);
	/* a huge page (size 0 here) is raw already */
	zswapblk_slot_copy(dev, e->index, dst + off, PAGE_SIZE - off, more);
	if (more)
		kunmap_local(more);
	kunmap_local(dst);
}

/*
 * Work item: decompress the slots of a writeback bio into its pages (with
 * compressed_writeback, copy them as stored), and submit it.  A slot that
 * changed since the run picked it (no longer ZSWAPBLK_SLOT_UNDER_WB) is
 * left alone: zswapblk_wb_place() then drops its share of the blocks, and
 * the newer data stays.  So does a slot that fails to decompress, which
 * stays in memory.
 */
static void zswapblk_wb_fill_fn(struct work_struct *work)
{
	struct zswapblk_bd_io *io = container_of(work, struct zswapblk_bd_io,
						 work);
	struct zswapblk_dev *dev = io->dev;
	unsigned int i;

	for (i = 0; i < io->nr_entries; i++) {
		const struct zswapblk_wb_entry *e = &io->entries[i];
		struct page *page = io->bio.bi_io_vec[e->pos >> PAGE_SHIFT].bv_page;
		unsigned long index = e->index;
		void *dst;

		zswapblk_slot_lock(dev, index);
		if (!zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_UNDER_WB)) {
			/* changed: see above */
		} else if (dev->wb_compressed) {
			zswapblk_wb_copy(dev, io, e);
		} else {
			dst = kmap_local_page(page);
			if (zswapblk_slot_decompress(dev, index, dst)) {
				zswapblk_clear_flag(dev, index,
						    ZSWAPBLK_SLOT_UNDER_WB);
				zswapblk_wb_limit_return(dev);
			}
			kunmap_local(dst);
		}
		zswapblk_slot_unlock(dev, index);
	}
	submit_bio(&io->bio);
}

/*
 * Count the pages whose data each block of @io takes.  Until now the
 * blocks were the run's alone; from here on a page that changes drops its
 * share, and the last one out frees the block.
 */
static void zswapblk_wb_count_refs(struct zswapblk_dev *dev,
				   struct zswapblk_bd_io *io)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&dev->bd_lock, flags);
	for (i = 0; i < io->bio.bi_vcnt; i++)
		dev->block_refs[io->block + i] = 0;
	for (i = 0; i < io->nr_entries; i++) {
		const struct zswapblk_wb_entry *e = &io->entries[i];
		unsigned long block = io->block + (e->pos >> PAGE_SHIFT);

		dev->block_refs[block]++;
		if (zswapblk_bd_spans(e->pos, e->size))
			dev->block_refs[block + 1]++;
	}
	spin_unlock_irqrestore(&dev->bd_lock, flags);
}

/* Hand the bio @run is filling, if any, to the next CPU's worker. */
static void zswapblk_wb_submit(struct zswapblk_dev *dev,
			       struct zswapblk_wb_run *run)
{
	struct zswapblk_bd_io *io = run->io;

	if (!io)
		return;
	run->io = NULL;
	if (dev->block_refs)
		zswapblk_wb_count_refs(dev, io);
	io->bio.bi_end_io = zswapblk_bd_write_end;
	atomic_add(io->bio.bi_vcnt, &run->pending);
	atomic_add(io->bio.bi_vcnt, &dev->wb_inflight);
	run->cpu = zswapblk_next_cpu(run->cpu);
	INIT_WORK(&io->work, zswapblk_wb_fill_fn);
	queue_work_on(run->cpu, dev->wq, &io->work);
}

/* A new writeback bio for @run, from @block on; NULL without memory. */
static struct zswapblk_bd_io *zswapblk_wb_io_new(struct zswapblk_dev *dev,
						 struct zswapblk_wb_run *run,
						 unsigned long block)
{
	struct zswapblk_wb_entry *entries;
	struct zswapblk_bd_io *io;

	entries = kmalloc_array(run->max_entries, sizeof(*entries),
				GFP_NOIO | __GFP_NOWARN);
	if (!entries)
		return NULL;
	io = zswapblk_bd_io_alloc(dev, REQ_OP_WRITE, block, run->bio_pages,
				  GFP_NOIO);
	io->run = run;
	io->entries = entries;
	run->io = io;
	run->tail = 0;
	return io;
}

/*
 * Give slot @index, of @size bytes in the pool, its place in the bio being
 * filled: with compressed_writeback, in what is left of the bio's last
 * block if it fits; else on a new block, with *@page for it, in this bio
 * if the block follows, or in a new one.  Compressed data that does not
 * fit the last block starts there and runs on into the new one, if that
 * follows.  Returns 1 when the slot was taken, or an error.
 */
static int zswapblk_wb_add(struct zswapblk_dev *dev,
			   struct zswapblk_wb_run *run, unsigned long index,
			   unsigned int size, struct page **page)
{
	/* uncompressed, or a huge page: a block of its own */
	bool whole = !dev->wb_compressed || size >= PAGE_SIZE;
	unsigned int need = whole ? PAGE_SIZE : size;
	struct zswapblk_bd_io *io = run->io;
	struct zswapblk_wb_entry *e;
	unsigned int room = 0, pos;
	long block;

	if (io && io->nr_entries >= run->max_entries) {
		zswapblk_wb_submit(dev, run);
		io = NULL;
	}
	if (io && !whole)
		room = PAGE_SIZE - run->tail;
	if (need <= room) {
		pos = io->bio.bi_vcnt * PAGE_SIZE - room;
		run->tail += need;
		goto add;
	}

	block = zswapblk_block_alloc(dev);
	if (block < 0)
		return block;
	if (!zswapblk_wb_limit_take(dev)) {
		zswapblk_block_release(dev, block);
		return -EIO;	/* zram's answer to an exhausted limit */
	}
	if (io && (io->bio.bi_vcnt >= run->bio_pages ||
		   block != io->block + io->bio.bi_vcnt)) {
		zswapblk_wb_submit(dev, run);
		io = NULL;
		room = 0;
	}
	if (!io) {
		io = zswapblk_wb_io_new(dev, run, block);
		if (!io) {
			zswapblk_wb_limit_return(dev);
			zswapblk_block_release(dev, block);
			return -ENOMEM;
		}
	}
	__bio_add_page(&io->bio, *page, PAGE_SIZE, 0);
	*page = NULL;
	/* from the end of the last block, or from the start of the new one */
	pos = (io->bio.bi_vcnt - 1) * PAGE_SIZE - room;
	run->tail = need - room;
add:
	e = &io->entries[io->nr_entries++];
	e->index = index;
	e->pos = pos;
	e->size = whole ? 0 : size;
	return 1;
}

/*
 * Start the writeback of slot @index if @run picks it: mark it, and give
 * it its place in a bio (zswapblk_wb_add()), which may consume *@page.
 * Returns 1 when the slot was taken, 0 when it was skipped, or an error
 * that ends the run.
 */
static int zswapblk_wb_one(struct zswapblk_dev *dev,
			   struct zswapblk_wb_run *run, unsigned long index,
			   struct page **page)
{
	unsigned int size;
	int ret;

	zswapblk_slot_lock(dev, index);
	if (!zswapblk_wb_eligible(dev, index, run->mode, run->cutoff)) {
		zswapblk_slot_unlock(dev, index);
		return 0;
	}
	zswapblk_set_flag(dev, index, ZSWAPBLK_SLOT_UNDER_WB);
	/* fixed while the flag stays: any change of the slot clears it */
	size = zswapblk_slot_size(dev, index);
	zswapblk_slot_unlock(dev, index);

	ret = zswapblk_wb_add(dev, run, index, size, page);
	if (ret < 0) {
		zswapblk_slot_lock(dev, index);
		zswapblk_clear_flag(dev, index, ZSWAPBLK_SLOT_UNDER_WB);
		zswapblk_slot_unlock(dev, index);
	}
	return ret;
}

/* A page for the next slot: one a finished bio gave back, or a new one. */
static struct page *zswapblk_wb_page(struct zswapblk_wb_run *run)
{
	struct page *page;

	spin_lock(&run->free_lock);
	page = list_first_entry_or_null(&run->free_pages, struct page, lru);
	if (page)
		list_del(&page->lru);
	spin_unlock(&run->free_lock);
	/* zeroed: none of the kernel's old data goes to disk */
	return page ?: alloc_page(GFP_NOIO | __GFP_NOWARN | __GFP_ZERO);
}

/*
 * Write back the slots in [@lo, @hi] that @run picks, with up to
 * writeback_batch_size pages in flight, and wait for them all.  Called
 * with wb_mutex held.  Returns the first error, or 0.
 */
static int zswapblk_wb_run(struct zswapblk_dev *dev,
			   struct zswapblk_wb_run *run,
			   unsigned long lo, unsigned long hi)
{
	unsigned int batch = max(READ_ONCE(dev->wb_batch), 1U);
	unsigned long index, submitted = 0;
	struct page *page = NULL;
	LIST_HEAD(pages);
	int ret = 0;

	lockdep_assert_held(&dev->wb_mutex);
	run->io = NULL;
	run->tail = 0;
	run->cpu = raw_smp_processor_id();
	run->bio_pages = clamp(batch / ZSWAPBLK_WB_BIOS, 1U, BIO_MAX_VECS);
	run->max_entries = run->bio_pages;
	if (dev->wb_compressed)
		run->max_entries *= ZSWAPBLK_WB_PACK;
	atomic_set(&run->pending, 0);
	run->written = 0;
	run->error = 0;
	spin_lock_init(&run->free_lock);
	INIT_LIST_HEAD(&run->free_pages);
	hi = min(hi, dev->nr_pages - 1);

	for (index = lo; index <= hi && submitted < run->budget; index++) {
		if (run->stop_below && !(index % 64) &&
		    zs_get_total_pages(dev->pool) <= run->stop_below)
			break;
		if (!page) {
			page = zswapblk_wb_page(run);
			if (!page) {
				ret = -ENOMEM;
				break;
			}
		}
		ret = zswapblk_wb_one(dev, run, index, &page);
		if (ret < 0)
			break;
		submitted += ret;
		ret = 0;
		if (run->io && run->io->bio.bi_vcnt >= run->bio_pages)
			zswapblk_wb_submit(dev, run);
		if (atomic_read(&run->pending) +
		    (run->io ? run->io->bio.bi_vcnt : 0) >= batch) {
			/* never wait with pages of our own held back */
			zswapblk_wb_submit(dev, run);
			wait_event(dev->wb_wait,
				   atomic_read(&run->pending) < batch);
		}
		cond_resched();
	}
	zswapblk_wb_submit(dev, run);
	if (page)
		__free_page(page);

	wait_event(dev->wb_wait, !atomic_read(&run->pending));
	/* the lock orders this after the last zswapblk_wb_finish() */
	spin_lock(&run->free_lock);
	list_splice_init(&run->free_pages, &pages);
	spin_unlock(&run->free_lock);
	put_pages_list(&pages);
	return ret ? ret : run->error;
}

/*
 * On demand: write back the slots in [@lo, @hi] that @mode picks.  Called
 * with init_lock held for read.
 */
int zswapblk_writeback(struct zswapblk_dev *dev, unsigned int mode,
		       unsigned long lo, unsigned long hi)
{
	struct zswapblk_wb_run run = {
		.mode = mode,
		.budget = ULONG_MAX,
	};
	int ret;

	if (!dev->bdev)
		return -ENODEV;
	if (lo >= dev->nr_pages || hi < lo)
		return -EINVAL;
	ret = mutex_lock_interruptible(&dev->wb_mutex);
	if (ret)
		return ret;
	ret = zswapblk_wb_run(dev, &run, lo, hi);
	mutex_unlock(&dev->wb_mutex);
	return ret;
}

/* --- automatic writeback ------------------------------------------- */

/* A watermark in pool pages; 0 when off (or a percentage without limit). */
u64 zswapblk_wmark_pages(struct zswapblk_dev *dev,
			 const struct zswapblk_wmark *wm)
{
	u64 val = READ_ONCE(wm->val);

	if (READ_ONCE(wm->pct))
		return div_u64((u64)READ_ONCE(dev->limit_pages) * val, 100);
	return val >> PAGE_SHIFT;
}

/*
 * The newest ac_time such that about @want pool pages were last used at or
 * before it: the oldest pages go first.  A histogram over log2(age).
 */
static u32 zswapblk_wb_cutoff(struct zswapblk_dev *dev, unsigned long want,
			      u32 now)
{
	unsigned long hist[33] = {};
	unsigned long index, sum = 0;
	int bucket;

	for (index = 0; index < dev->nr_pages; index++) {
		struct zswapblk_slot *slot = &dev->table[index];
		unsigned long flags = READ_ONCE(slot->flags);
		u32 age;

		/* a racy look is enough for a histogram */
		if (!READ_ONCE(slot->handle) ||
		    (flags & (BIT(ZSWAPBLK_SLOT_SAME) | BIT(ZSWAPBLK_SLOT_WB))))
			continue;
		age = now - READ_ONCE(slot->ac_time);
		hist[fls(age)]++;
	}
	for (bucket = 32; bucket > 0; bucket--) {
		sum += hist[bucket];
		if (sum >= want)
			break;
	}
	/* bucket b holds ages in [2^(b-1), 2^b) */
	return bucket ? now - (1U << (bucket - 1)) : now;
}

static void zswapblk_wb_auto_fn(struct work_struct *work)
{
	struct zswapblk_dev *dev = container_of(to_delayed_work(work),
						struct zswapblk_dev, wb_auto);
	struct zswapblk_wb_run run = { .mode = ZSWAPBLK_WB_AGE };
	unsigned int rate = READ_ONCE(dev->wb_rate);
	unsigned int age = READ_ONCE(dev->wb_age);
	u64 high, low, used;
	u32 now;

	clear_bit(0, &dev->wb_kicked);
	/* an on-demand run is going on: try again later */
	if (!mutex_trylock(&dev->wb_mutex))
		goto rearm;

	now = zswapblk_now();
	run.budget = rate ? rate * ZSWAPBLK_WB_INTERVAL_S : ULONG_MAX;
	high = zswapblk_wmark_pages(dev, &dev->wb_high);
	low = zswapblk_wmark_pages(dev, &dev->wb_low);
	if (!low || low > high)
		low = high;
	used = zs_get_total_pages(dev->pool);

	if (high && used > high) {
		u64 pool_pages = atomic64_read(&dev->stats.pages_stored) -
				 atomic64_read(&dev->stats.same_pages) -
				 atomic64_read(&dev->stats.bd_pages);
		/* pool pages to free, in stored pages at the current ratio */
		u64 want = div64_u64((used - low) * pool_pages, used) + 1;

		run.cutoff = zswapblk_wb_cutoff(dev, want, now);
		run.stop_below = low;
		atomic64_inc(&dev->stats.wb_wmark_runs);
		zswapblk_wb_run(dev, &run, 0, ULONG_MAX);
	} else if (age && now > age) {
		/* one second earlier, as for idle: never a younger page */
		run.cutoff = now - age - 1;
		zswapblk_wb_run(dev, &run, 0, ULONG_MAX);
		if (run.written)
			atomic64_inc(&dev->stats.wb_age_runs);
	}
	mutex_unlock(&dev->wb_mutex);
rearm:
	queue_delayed_work(system_unbound_wq, &dev->wb_auto,
			   ZSWAPBLK_WB_INTERVAL_S * HZ);
}

/* The write path crossed the high watermark: run the triggers now. */
void zswapblk_wb_kick(struct zswapblk_dev *dev)
{
	if (dev->bdev && !test_and_set_bit(0, &dev->wb_kicked))
		mod_delayed_work(system_unbound_wq, &dev->wb_auto, 0);
}

/* Arm the automatic triggers of a device just initialised. */
void zswapblk_wb_start(struct zswapblk_dev *dev)
{
	if (dev->bdev)
		queue_delayed_work(system_unbound_wq, &dev->wb_auto,
				   ZSWAPBLK_WB_INTERVAL_S * HZ);
}

/*
 * Stop the automatic triggers and wait for every backing write.  Called by
 * reset with init_lock held for write, after the write workers drained: no
 * new write can kick the triggers again.
 */
void zswapblk_wb_stop(struct zswapblk_dev *dev)
{
	lockdep_assert_held_write(&dev->init_lock);
	cancel_delayed_work_sync(&dev->wb_auto);
	wait_event(dev->wb_wait, !atomic_read(&dev->wb_inflight));
	flush_work(&dev->wb_done_work);
}
