// SPDX-License-Identifier: GPL-2.0
/*
 * The slot table and the zero bitmap: what each page of the disk holds, and
 * storing and loading one page.
 */

#include <linux/bitmap.h>
#include <linux/highmem.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/zsmalloc.h>

#include "zswapblk.h"
#include "compat.h"

/*
 * Allocate the table and the zero bitmap for @nr_pages slots.  It may sleep.
 */
int zswapblk_table_create(struct zswapblk_dev *dev, unsigned long nr_pages)
{
	BUILD_BUG_ON(__NR_ZSWAPBLK_SLOT_FLAGS > BITS_PER_LONG);
	BUILD_BUG_ON(BIT(ZSWAPBLK_FLAG_SHIFT) <= PAGE_SIZE);

	/* NOWARN: a size too big for this machine is the user's error */
	dev->table = kvcalloc(nr_pages, sizeof(*dev->table),
			      GFP_KERNEL | __GFP_NOWARN);
	if (!dev->table)
		return -ENOMEM;
	dev->zero_map = kvcalloc(BITS_TO_LONGS(nr_pages), sizeof(long),
				 GFP_KERNEL | __GFP_NOWARN);
	if (!dev->zero_map) {
		kvfree(dev->table);
		dev->table = NULL;
		return -ENOMEM;
	}
	dev->nr_pages = nr_pages;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_table_create);

/* Free every slot and the table.  No I/O may be running. */
void zswapblk_table_destroy(struct zswapblk_dev *dev)
{
	unsigned long index;

	for (index = 0; index < dev->nr_pages; index++)
		zswapblk_slot_free(dev, index);
	kvfree(dev->zero_map);
	kvfree(dev->table);
	dev->zero_map = NULL;
	dev->table = NULL;
	dev->nr_pages = 0;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_table_destroy);

/*
 * Forget what slot @index holds, and every flag but the lock.  The caller
 * holds the slot lock, or owns the whole table (teardown).
 */
void zswapblk_slot_free(struct zswapblk_dev *dev, unsigned long index)
{
	struct zswapblk_slot *slot = &dev->table[index];
	struct zswapblk_stats *st = &dev->stats;
	unsigned long handle = slot->handle;

	if (test_bit(index, dev->zero_map)) {
		clear_bit(index, dev->zero_map);
		atomic64_dec(&st->zero_pages);
		atomic64_dec(&st->same_pages);
		atomic64_dec(&st->pages_stored);
	} else if (zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_SAME)) {
		atomic64_dec(&st->same_pages);
		atomic64_dec(&st->pages_stored);
	} else if (zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_WB)) {
		zswapblk_block_put(dev, handle);
		/* compressed data that runs on into the next block */
		if (zswapblk_bd_spans(zswapblk_slot_wb_off(dev, index),
				      zswapblk_slot_size(dev, index)))
			zswapblk_block_put(dev, handle + 1);
		atomic64_dec(&st->bd_pages);
		atomic64_dec(&st->pages_stored);
	} else if (handle) {
		zs_free(dev->pool, handle);
		atomic64_sub(zswapblk_slot_size(dev, index),
			     &st->compr_data_size);
		if (zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_HUGE))
			atomic64_dec(&st->huge_pages);
		atomic64_dec(&st->pages_stored);
	}
	slot->handle = 0;
	slot->flags &= BIT(ZSWAPBLK_SLOT_LOCK);
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_slot_free);

/* Is the page one word repeated?  If so, which word. */
bool zswapblk_page_same_filled(const void *ptr, unsigned long *value)
{
	const unsigned long *page = ptr;
	unsigned int i, last = PAGE_SIZE / sizeof(*page) - 1;
	unsigned long val = page[0];

	/* cheap rejection of most pages before the full scan */
	if (val != page[last])
		return false;
	if (!val) {
		if (memchr_inv(page, 0, PAGE_SIZE))
			return false;
	} else {
		for (i = 1; i < last; i++)
			if (page[i] != val)
				return false;
	}
	*value = val;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_page_same_filled);

static void zswapblk_fill_page(void *dst, unsigned long value)
{
	if (value)
		memset_l(dst, value, PAGE_SIZE / sizeof(unsigned long));
	else
		memset(dst, 0, PAGE_SIZE);
}

/* Does slot @index hold compressed (or raw) data in the pool? */
static bool zswapblk_slot_in_pool(struct zswapblk_dev *dev,
				  unsigned long index)
{
	return dev->table[index].handle &&
	       !zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_SAME) &&
	       !zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_WB);
}

/*
 * Decompress the pool data of slot @index into @dst (a mapped page).  The
 * caller holds the slot lock, which keeps preemption off: this CPU's
 * decompression context is ours.  Returns -EIO if the data does not
 * decompress to a full page: wrong data is never returned.
 */
int zswapblk_slot_decompress(struct zswapblk_dev *dev, unsigned long index,
			     void *dst)
{
	struct zswapblk_slot *slot = &dev->table[index];
	struct zswapblk_comp *comp = dev->comp;
	unsigned long size = zswapblk_slot_size(dev, index);
	void *src;
	int ret = 0;

	src = zs_map_object(dev->pool, slot->handle, ZS_MM_RO);
	if (size == PAGE_SIZE)
		memcpy(dst, src, PAGE_SIZE);
	else
		ret = comp->backend->decompress(*this_cpu_ptr(comp->dctx), src,
						size, dst);
	zs_unmap_object(dev->pool, slot->handle);

	if (WARN_ONCE(ret, "slot %lu does not decompress\n", index))
		return -EIO;
	return 0;
}

/*
 * Copy the pool data of slot @index as it is stored, compressed or raw:
 * up to @room bytes to @dst, the rest to @more, which must then be
 * mapped.  The bytes after them are left as they were.  The caller holds
 * the slot lock.  Returns the size copied.
 */
unsigned int zswapblk_slot_copy(struct zswapblk_dev *dev, unsigned long index,
				void *dst, unsigned int room, void *more)
{
	unsigned long handle = dev->table[index].handle;
	unsigned int size = zswapblk_slot_size(dev, index);
	unsigned int first = min(size, room);
	void *src;

	src = zs_map_object(dev->pool, handle, ZS_MM_RO);
	memcpy(dst, src, first);
	if (size > first)
		memcpy(more, src + first, size - first);
	zs_unmap_object(dev->pool, handle);
	return size;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_slot_copy);

/*
 * Decompress @size bytes at @src, read back from the backing device, into
 * @dst (a mapped page).  Process context.  Returns -EIO if they do not
 * decompress to a full page: a damaged block is an I/O error.
 */
int zswapblk_decompress(struct zswapblk_dev *dev, const void *src,
			unsigned int size, void *dst)
{
	struct zswapblk_comp *comp = dev->comp;
	int ret;

	/* this CPU's decompression context is ours while preemption is off */
	preempt_disable();
	ret = comp->backend->decompress(*this_cpu_ptr(comp->dctx), src, size,
					dst);
	preempt_enable();
	return ret ? -EIO : 0;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_decompress);

/*
 * Copy page @index of the disk into @dst (a mapped page).  It does not sleep.
 * If the page is on the backing device, returns ZSWAPBLK_ON_BACKING with
 * its block in @ref and a backing read accounted (zswapblk_bd_read_get()):
 * the caller must read it with zswapblk_bd_read().
 */
int zswapblk_read_page(struct zswapblk_dev *dev, unsigned long index,
		       void *dst, struct zswapblk_bd_ref *ref)
{
	struct zswapblk_slot *slot = &dev->table[index];
	unsigned long value = 0;
	int ret;

	zswapblk_slot_lock(dev, index);
	zswapblk_clear_flag(dev, index, ZSWAPBLK_SLOT_IDLE);
	if (zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_WB)) {
		ref->block = slot->handle;
		ref->size = zswapblk_slot_size(dev, index);
		ref->off = zswapblk_slot_wb_off(dev, index);
		/* before the unlock: the block cannot be reused under us */
		ref->gen = zswapblk_bd_read_get(dev);
		zswapblk_slot_unlock(dev, index);
		return ZSWAPBLK_ON_BACKING;
	}
	if (zswapblk_slot_in_pool(dev, index)) {
		slot->ac_time = zswapblk_now();
		ret = zswapblk_slot_decompress(dev, index, dst);
		zswapblk_slot_unlock(dev, index);
		return ret;
	}
	if (zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_SAME))
		value = slot->handle;
	zswapblk_slot_unlock(dev, index);
	zswapblk_fill_page(dst, value);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_read_page);

static void zswapblk_store_same(struct zswapblk_dev *dev, unsigned long index,
				unsigned long value)
{
	zswapblk_slot_lock(dev, index);
	zswapblk_slot_free(dev, index);
	if (value) {
		zswapblk_set_flag(dev, index, ZSWAPBLK_SLOT_SAME);
		dev->table[index].handle = value;
	} else {
		set_bit(index, dev->zero_map);
		atomic64_inc(&dev->stats.zero_pages);
	}
	atomic64_inc(&dev->stats.same_pages);
	atomic64_inc(&dev->stats.pages_stored);
	zswapblk_slot_unlock(dev, index);
}

/*
 * Compress @src into the pool as page @index.  Returns -ENOMEM when the
 * pool is over mem_limit or out of memory, -E2BIG when the page does not
 * compress and writeback_direct asks for such pages on disk.
 */
static int zswapblk_store_pool(struct zswapblk_dev *dev, unsigned long index,
			       const void *src)
{
	unsigned long handle, limit, high;
	size_t size = 2 * PAGE_SIZE;
	struct zswapblk_strm *strm;
	bool huge = false, incompressible = false;
	const void *data;
	u64 used;
	void *dst;
	int ret;

	strm = zswapblk_strm_get(dev->comp);
	ret = dev->comp->backend->compress(strm->cctx, src, strm->buffer,
					   &size);
	if (ret)
		goto out;
	data = strm->buffer;
	if (size >= dev->huge_class_size) {
		incompressible = size >= PAGE_SIZE;
		size = PAGE_SIZE;
		data = src;
		huge = true;
		if (dev->bdev && READ_ONCE(dev->wb_direct) == ZSWAPBLK_DIRECT_HUGE) {
			ret = -E2BIG;
			goto out;
		}
	}

	/*
	 * First without direct reclaim, as zram does: we are storing pages
	 * to free memory, and recursing into reclaim would only stall.
	 */
	handle = zs_malloc(dev->pool, size, __GFP_KSWAPD_RECLAIM |
			   __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE);
	if (IS_ERR_VALUE(handle)) {
		atomic64_inc(&dev->stats.writestall);
		/* GFP_NOIO: no I/O from reclaim while we are a swap device */
		handle = zs_malloc(dev->pool, size,
				   GFP_NOIO | __GFP_HIGHMEM | __GFP_MOVABLE);
		if (IS_ERR_VALUE(handle)) {
			ret = -ENOMEM;
			goto out;
		}
	}

	used = zs_get_total_pages(dev->pool);
	limit = READ_ONCE(dev->limit_pages);
	if (limit && used > limit) {
		zs_free(dev->pool, handle);
		ret = -ENOMEM;
		goto out;
	}
	zswapblk_stat_max(&dev->stats.max_used_pages, used);

	dst = zs_map_object(dev->pool, handle, ZS_MM_WO);
	memcpy(dst, data, size);
	zs_unmap_object(dev->pool, handle);
	zswapblk_strm_put(strm);

	zswapblk_slot_lock(dev, index);
	zswapblk_slot_free(dev, index);
	dev->table[index].handle = handle;
	dev->table[index].ac_time = zswapblk_now();
	zswapblk_slot_set_size(dev, index, size);
	if (huge) {
		zswapblk_set_flag(dev, index, ZSWAPBLK_SLOT_HUGE);
		atomic64_inc(&dev->stats.huge_pages);
		atomic64_inc(&dev->stats.huge_pages_since);
	}
	if (incompressible)
		zswapblk_set_flag(dev, index, ZSWAPBLK_SLOT_INCOMPRESSIBLE);
	atomic64_add(size, &dev->stats.compr_data_size);
	atomic64_inc(&dev->stats.pages_stored);
	zswapblk_slot_unlock(dev, index);

	high = zswapblk_wmark_pages(dev, &dev->wb_high);
	if (high && used > high)
		zswapblk_wb_kick(dev);
	return 0;

out:
	zswapblk_strm_put(strm);
	return ret;
}

/*
 * Store @src (a mapped page) as page @index of the disk, replacing what was
 * there.  It may sleep.  With a backing device, a page that memory cannot
 * take (mem_limit, no memory) or that writeback_direct sends to disk is
 * written there instead, from @page if not NULL (it stays stable until
 * @req completes) or from a copy; @req then completes when that write does.
 * On error the slot keeps its old contents.
 */
int zswapblk_write_page(struct zswapblk_dev *dev, unsigned long index,
			const void *src, struct page *page,
			struct zswapblk_req *req)
{
	unsigned long value;
	int ret;

	if (zswapblk_page_same_filled(src, &value)) {
		zswapblk_store_same(dev, index, value);
		return 0;
	}
	if (dev->bdev && READ_ONCE(dev->wb_direct) == ZSWAPBLK_DIRECT_ALL)
		return zswapblk_spill(dev, req, index, src, page);

	ret = zswapblk_store_pool(dev, index, src);
	if ((ret == -ENOMEM || ret == -E2BIG) && dev->bdev)
		ret = zswapblk_spill(dev, req, index, src, page);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_write_page);

/*
 * Mark idle every slot in the pool last accessed at or before @cutoff
 * (seconds since boot; U32_MAX marks all), and clear the mark on the others.
 */
void zswapblk_mark_idle(struct zswapblk_dev *dev, u32 cutoff)
{
	unsigned long index;

	for (index = 0; index < dev->nr_pages; index++) {
		zswapblk_slot_lock(dev, index);
		if (zswapblk_slot_in_pool(dev, index) &&
		    !zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_UNDER_WB)) {
			if (dev->table[index].ac_time <= cutoff)
				zswapblk_set_flag(dev, index, ZSWAPBLK_SLOT_IDLE);
			else
				zswapblk_clear_flag(dev, index, ZSWAPBLK_SLOT_IDLE);
		}
		zswapblk_slot_unlock(dev, index);
		cond_resched();
	}
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_mark_idle);

/*
 * May slot @index be written back by a run of @mode?  It must hold data in
 * the pool and not be under writeback already.  The caller holds the slot
 * lock.
 */
bool zswapblk_wb_eligible(struct zswapblk_dev *dev, unsigned long index,
			  unsigned int mode, u32 cutoff)
{
	if (!zswapblk_slot_in_pool(dev, index) ||
	    zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_UNDER_WB))
		return false;
	if ((mode & ZSWAPBLK_WB_IDLE) &&
	    !zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_IDLE))
		return false;
	if ((mode & ZSWAPBLK_WB_HUGE) &&
	    !zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_HUGE))
		return false;
	if ((mode & ZSWAPBLK_WB_INCOMPRESSIBLE) &&
	    !zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_INCOMPRESSIBLE))
		return false;
	if ((mode & ZSWAPBLK_WB_AGE) && dev->table[index].ac_time > cutoff)
		return false;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_wb_eligible);
