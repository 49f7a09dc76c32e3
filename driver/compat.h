/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels zswapblk supports (Debian's 6.1 and
 * 6.12 lines) lives here, behind helpers named for what they do.  No other
 * file tests LINUX_VERSION_CODE.
 */
#ifndef _ZSWAPBLK_COMPAT_H
#define _ZSWAPBLK_COMPAT_H

#include <linux/blkdev.h>
#include <linux/device/class.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)

/*
 * 6.1: queue limits and flags are set on the allocated queue.  The disk is
 * never made synchronous: that would take a ->rw_page, which we do not have.
 */
static inline struct gendisk *zswapblk_alloc_disk(void)
{
	struct gendisk *disk = blk_alloc_disk(NUMA_NO_NODE);
	struct request_queue *q;

	if (!disk)
		return ERR_PTR(-ENOMEM);
	q = disk->queue;
	blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	blk_queue_flag_clear(QUEUE_FLAG_ADD_RANDOM, q);
	/* swapon turns this into SWP_STABLE_WRITES */
	blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, q);
	/* ->submit_bio honours REQ_NOWAIT (see io.c) */
	blk_queue_flag_set(QUEUE_FLAG_NOWAIT, q);
	blk_queue_physical_block_size(q, PAGE_SIZE);
	blk_queue_logical_block_size(q, ZSWAPBLK_LOGICAL_BLOCK_SIZE);
	blk_queue_io_min(q, PAGE_SIZE);
	blk_queue_io_opt(q, PAGE_SIZE);
	q->limits.discard_granularity = PAGE_SIZE;
	blk_queue_max_discard_sectors(q, UINT_MAX);
	blk_queue_max_write_zeroes_sectors(q, UINT_MAX);
	return disk;
}

#define zswapblk_class_const

/* ->open() takes the block device on 6.1, the disk on 6.12. */
int zswapblk_open(struct gendisk *disk);
static inline int zswapblk_compat_open(struct block_device *bdev, fmode_t mode)
{
	return zswapblk_open(bdev->bd_disk);
}

#else /* 6.9 and later: queue_limits at allocation, feature flags */

static inline struct gendisk *zswapblk_alloc_disk(void)
{
	struct queue_limits lim = {
		.logical_block_size	= ZSWAPBLK_LOGICAL_BLOCK_SIZE,
		.physical_block_size	= PAGE_SIZE,
		.io_min			= PAGE_SIZE,
		.io_opt			= PAGE_SIZE,
		.discard_granularity	= PAGE_SIZE,
		.max_hw_discard_sectors	= UINT_MAX,
		.max_write_zeroes_sectors = UINT_MAX,
		/*
		 * Stable writes: swapon turns this into SWP_STABLE_WRITES.
		 * Deliberately no BLK_FEAT_SYNCHRONOUS (writes complete in
		 * workers) and no BLK_FEAT_ROTATIONAL (an SSD-like device).
		 * ->submit_bio honours REQ_NOWAIT (see io.c).
		 */
		.features		= BLK_FEAT_STABLE_WRITES | BLK_FEAT_NOWAIT,
	};

	return blk_alloc_disk(&lim, NUMA_NO_NODE);
}

#define zswapblk_class_const const

int zswapblk_open(struct gendisk *disk);
static inline int zswapblk_compat_open(struct gendisk *disk, blk_mode_t mode)
{
	return zswapblk_open(disk);
}

#endif

/*
 * Internals the KUnit tests (zswapblk_kunit.c) call are VISIBLE_IF_KUNIT
 * and EXPORT_SYMBOL_IF_KUNIT: static unless the kernel has KUnit, then
 * exported in the EXPORTED_FOR_KUNIT_TESTING namespace.  6.1 has no
 * <kunit/visibility.h> (and Debian's 6.1 no KUnit).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#include <linux/export.h>
#include <kunit/visibility.h>
#else
#define EXPORT_SYMBOL_IF_KUNIT(...)
#define VISIBLE_IF_KUNIT static
#endif

#endif /* _ZSWAPBLK_COMPAT_H */
