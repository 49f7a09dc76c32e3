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

/*
 * Forget what slot @index holds.  The caller holds the slot lock, or owns
 * the whole table (teardown).
 */
void zswapblk_slot_free(struct zswapblk_dev *dev, unsigned long index)
{
	struct zswapblk_slot *slot = &dev->table[index];
	struct zswapblk_stats *st = &dev->stats;

	if (test_bit(index, dev->zero_map)) {
		clear_bit(index, dev->zero_map);
		atomic64_dec(&st->zero_pages);
		atomic64_dec(&st->same_pages);
		atomic64_dec(&st->pages_stored);
		return;
	}
	if (zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_SAME)) {
		zswapblk_clear_flag(dev, index, ZSWAPBLK_SLOT_SAME);
		slot->handle = 0;
		atomic64_dec(&st->same_pages);
		atomic64_dec(&st->pages_stored);
		return;
	}
	if (!slot->handle)
		return;

	zs_free(dev->pool, slot->handle);
	atomic64_sub(zswapblk_slot_size(dev, index), &st->compr_data_size);
	if (zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_HUGE)) {
		zswapblk_clear_flag(dev, index, ZSWAPBLK_SLOT_HUGE);
		atomic64_dec(&st->huge_pages);
	}
	atomic64_dec(&st->pages_stored);
	slot->handle = 0;
	zswapblk_slot_set_size(dev, index, 0);
}

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

static void zswapblk_fill_page(void *dst, unsigned long value)
{
	if (value)
		memset_l(dst, value, PAGE_SIZE / sizeof(unsigned long));
	else
		memset(dst, 0, PAGE_SIZE);
}

/*
 * Copy page @index of the disk into @dst (a mapped page).  It does not sleep.
 * Returns 0, or -EIO if the stored data does not decompress to a full page:
 * wrong data is never returned.
 */
int zswapblk_read_page(struct zswapblk_dev *dev, unsigned long index,
		       void *dst)
{
	struct zswapblk_slot *slot = &dev->table[index];
	struct zswapblk_comp *comp = dev->comp;
	unsigned long size;
	void *src, **dctx;
	int ret = 0;

	zswapblk_slot_lock(dev, index);
	if (test_bit(index, dev->zero_map) || !slot->handle) {
		zswapblk_slot_unlock(dev, index);
		zswapblk_fill_page(dst, 0);
		return 0;
	}
	if (zswapblk_test_flag(dev, index, ZSWAPBLK_SLOT_SAME)) {
		unsigned long value = slot->handle;

		zswapblk_slot_unlock(dev, index);
		zswapblk_fill_page(dst, value);
		return 0;
	}

	size = zswapblk_slot_size(dev, index);
	src = zs_map_object(dev->pool, slot->handle, ZS_MM_RO);
	if (size == PAGE_SIZE) {
		memcpy(dst, src, PAGE_SIZE);
	} else {
		/* the slot lock keeps preemption off: this CPU's dctx is ours */
		dctx = this_cpu_ptr(comp->dctx);
		ret = comp->backend->decompress(*dctx, src, size, dst);
	}
	zs_unmap_object(dev->pool, slot->handle);
	zswapblk_slot_unlock(dev, index);

	if (WARN_ONCE(ret, "zswapblk: slot %lu does not decompress\n", index))
		return -EIO;
	return 0;
}

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
 * Store @src (a mapped page) as page @index of the disk, replacing what was
 * there.  It may sleep.  On error the slot keeps its old contents.
 */
int zswapblk_write_page(struct zswapblk_dev *dev, unsigned long index,
			const void *src)
{
	struct zswapblk_strm *strm;
	unsigned long handle, value;
	size_t size = 2 * PAGE_SIZE;
	unsigned long limit;
	const void *data;
	bool huge = false;
	u64 used;
	void *dst;
	int ret;

	if (zswapblk_page_same_filled(src, &value)) {
		zswapblk_store_same(dev, index, value);
		return 0;
	}

	strm = zswapblk_strm_get(dev->comp);
	ret = dev->comp->backend->compress(strm->cctx, src, strm->buffer,
					   &size);
	if (ret)
		goto out;
	data = strm->buffer;
	if (size >= dev->huge_class_size) {
		size = PAGE_SIZE;
		data = src;
		huge = true;
	}

	/*
	 * First without direct reclaim, as zram does: we are writing pages
	 * out to free memory, and recursing into reclaim would only stall.
	 */
	handle = zs_malloc(dev->pool, size, __GFP_KSWAPD_RECLAIM |
			   __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE);
	if (IS_ERR_VALUE(handle)) {
		atomic64_inc(&dev->stats.writestall);
		/* GFP_NOIO: no I/O from reclaim while we are a swap device */
		handle = zs_malloc(dev->pool, size,
				   GFP_NOIO | __GFP_HIGHMEM | __GFP_MOVABLE);
		if (IS_ERR_VALUE(handle)) {
			ret = PTR_ERR((void *)handle);
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
	zswapblk_slot_set_size(dev, index, size);
	if (huge) {
		zswapblk_set_flag(dev, index, ZSWAPBLK_SLOT_HUGE);
		atomic64_inc(&dev->stats.huge_pages);
		atomic64_inc(&dev->stats.huge_pages_since);
	}
	atomic64_add(size, &dev->stats.compr_data_size);
	atomic64_inc(&dev->stats.pages_stored);
	zswapblk_slot_unlock(dev, index);
	return 0;

out:
	zswapblk_strm_put(strm);
	return ret;
}
