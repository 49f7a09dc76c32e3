// SPDX-License-Identifier: GPL-2.0
/*
 * The block I/O path.
 *
 * Reads, discards and write-zeroes are served inline: the data is in memory
 * and nothing has to wait (pages on the backing device are read by child
 * bios).  Nothing in ->submit_bio waits for I/O, so the disk supports
 * REQ_NOWAIT: such a bio only allocates with GFP_NOWAIT, and when that fails
 * it ends with BLK_STS_AGAIN, unprocessed (a write) or to be read again (a
 * read).  Writes are never completed inside ->submit_bio: each write bio
 * is queued to a CPU's write worker (zswapblk_pick_cpu() says which), where
 * it is compressed, stored and completed; a large one is split into runs of
 * pages for several CPUs' workers (zswapblk_queue_req()).  So the kernel
 * sees swap pages under writeback, and with stable writes advertised it
 * must keep them unmodified meanwhile.
 *
 * completion_hold parks new write bios, unprocessed, on a list and releases
 * them all at once to the workers, when userspace asks or when the hold
 * times out; nothing ever sleeps per bio.
 */

#include <linux/bio.h>
#include <linux/crc32.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/mm.h>

#include "zswapblk.h"

static bool zswapblk_valid_io(struct zswapblk_dev *dev, struct bio *bio)
{
	sector_t start = bio->bi_iter.bi_sector;
	unsigned int size = bio->bi_iter.bi_size;

	if (!IS_ALIGNED(start, ZSWAPBLK_LOGICAL_BLOCK_SIZE >> SECTOR_SHIFT) ||
	    !IS_ALIGNED(size, ZSWAPBLK_LOGICAL_BLOCK_SIZE))
		return false;
	return start + (size >> SECTOR_SHIFT) <= get_capacity(dev->disk);
}

static unsigned long zswapblk_bio_index(const struct bvec_iter *iter)
{
	return iter->bi_sector >> ZSWAPBLK_SECTORS_PER_PAGE_SHIFT;
}

/*
 * Copy one page between @buf and the bio at @iter, whose segments may be
 * smaller than a page, and advance @iter past it.
 */
void zswapblk_copy_page(struct bio *bio, struct bvec_iter *iter, void *buf,
			bool to_bio)
{
	unsigned int done = 0;

	while (done < PAGE_SIZE) {
		struct bio_vec bv = bio_iter_iovec(bio, *iter);

		bv.bv_len = min_t(unsigned int, bv.bv_len, PAGE_SIZE - done);
		if (to_bio)
			memcpy_to_bvec(&bv, buf + done);
		else
			memcpy_from_bvec(buf + done, &bv);
		done += bv.bv_len;
		bio_advance_iter_single(bio, iter, bv.bv_len);
	}
}

/*
 * Fail the read @bio; any context.  As zram, every error is an I/O error
 * to the submitter.  Counted once per request, however many of its pages
 * (children included) failed.
 */
void zswapblk_read_failed(struct zswapblk_dev *dev, struct bio *bio)
{
	if (cmpxchg(&bio->bi_status, BLK_STS_OK, BLK_STS_IOERR) == BLK_STS_OK)
		atomic64_inc(&dev->stats.failed_reads);
}

/*
 * Reads are served inline, page by page.  A page on the backing device is
 * read by a child bio submitted from here (it is dispatched after we
 * return): the parent completes when the last child does, never waiting
 * inside ->submit_bio.
 */
static void zswapblk_bio_read(struct zswapblk_dev *dev, struct bio *bio)
{
	unsigned long start_time = bio_start_io_acct(bio);
	struct bvec_iter iter = bio->bi_iter;
	struct page *bounce = NULL;
	int ret = 0;

	while (iter.bi_size && ret >= 0) {
		unsigned long index = zswapblk_bio_index(&iter);
		struct bio_vec bv = bio_iter_iovec(bio, iter);
		struct zswapblk_bd_ref ref;
		void *dst;

		if (bv.bv_len == PAGE_SIZE) {
			dst = bvec_kmap_local(&bv);
			ret = zswapblk_read_page(dev, index, dst, &ref);
			kunmap_local(dst);
			if (ret == ZSWAPBLK_ON_BACKING) {
				ret = zswapblk_bd_read(dev, bio, &iter, &ref);
				continue;
			}
			flush_dcache_page(bv.bv_page);
			bio_advance_iter_single(bio, &iter, PAGE_SIZE);
			continue;
		}
		/* the page is split across segments: go through a bounce page */
		if (!bounce) {
			bounce = alloc_page(zswapblk_bio_gfp(bio));
			if (!bounce) {
				ret = -ENOMEM;
				break;
			}
		}
		ret = zswapblk_read_page(dev, index, page_address(bounce),
					 &ref);
		if (ret == ZSWAPBLK_ON_BACKING)
			ret = zswapblk_bd_read(dev, bio, &iter, &ref);
		else if (!ret)
			zswapblk_copy_page(bio, &iter, page_address(bounce), true);
	}

	if (bounce)
		__free_page(bounce);
	if (ret == -ENOMEM && (bio->bi_opf & REQ_NOWAIT))
		/* nothing went wrong: the submitter reads it again, waiting */
		cmpxchg(&bio->bi_status, BLK_STS_OK, BLK_STS_AGAIN);
	else if (ret < 0)
		zswapblk_read_failed(dev, bio);
	bio_end_io_acct(bio, start_time);
	bio_endio(bio);
}

/* Discard and write-zeroes: whole pages only, as the limits promise. */
static void zswapblk_bio_discard(struct zswapblk_dev *dev, struct bio *bio)
{
	unsigned long index = zswapblk_bio_index(&bio->bi_iter);
	unsigned long n = bio->bi_iter.bi_size >> PAGE_SHIFT;

	for (; n; n--, index++) {
		zswapblk_slot_lock(dev, index);
		zswapblk_slot_free(dev, index);
		zswapblk_slot_unlock(dev, index);
	}
	bio_endio(bio);
}

void zswapblk_end_write(struct zswapblk_req *req, int ret)
{
	struct zswapblk_dev *dev = req->dev;
	struct bio *bio = req->bio;

	/* as zram: whatever went wrong, the submitter sees an I/O error */
	if (ret) {
		atomic64_inc(&dev->stats.failed_writes);
		bio->bi_status = BLK_STS_IOERR;
	}
	bio_end_io_acct(bio, req->start_time);
	bio_endio(bio);
	atomic64_inc(&dev->stats.async_completions);
	atomic_dec(&dev->writes_inflight);
	kfree(req->csums);
	kfree(req->more);
	mempool_free(req, dev->req_pool);
}

/*
 * verify_stable, a stable-write oracle: checksum every page of the bio when
 * it is submitted, and again when the worker stores it.  A page that
 * changed in between was modified under writeback, which a device that
 * advertises stable writes must never see.  Best effort: without memory
 * for the checksums the bio goes unchecked.
 */
static void zswapblk_stable_record(struct zswapblk_req *req)
{
	struct bio *bio = req->bio;
	unsigned int n = bio->bi_iter.bi_size >> PAGE_SHIFT, i;
	struct bvec_iter iter = bio->bi_iter;
	u32 crc = ~0U, done = 0;

	req->csums = kmalloc_array(n, sizeof(u32),
				   zswapblk_bio_gfp(bio) | __GFP_NOWARN);
	if (!req->csums)
		return;
	for (i = 0; iter.bi_size; ) {
		struct bio_vec bv = bio_iter_iovec(bio, iter);
		void *p = bvec_kmap_local(&bv);

		bv.bv_len = min_t(unsigned int, bv.bv_len, PAGE_SIZE - done);
		crc = crc32_le(crc, p, bv.bv_len);
		kunmap_local(p);
		done += bv.bv_len;
		bio_advance_iter_single(bio, &iter, bv.bv_len);
		if (done == PAGE_SIZE) {
			req->csums[i++] = crc;
			crc = ~0U;
			done = 0;
		}
	}
}

static void zswapblk_stable_check(struct zswapblk_req *req, unsigned int i,
				  const void *src)
{
	struct zswapblk_dev *dev = req->dev;

	if (!req->csums)
		return;
	atomic64_inc(&dev->stats.stable_checked);
	if (crc32_le(~0U, src, PAGE_SIZE) != req->csums[i])
		atomic64_inc(&dev->stats.stable_mismatch);
}

/* Drop a reference to @req, recording @ret; true if it was the last. */
static bool zswapblk_req_drop(struct zswapblk_req *req, int ret)
{
	if (ret)
		cmpxchg(&req->error, 0, ret);
	return atomic_dec_and_test(&req->pending);
}

/* Drop a reference to @req, recording @ret; the last one completes it. */
void zswapblk_req_put(struct zswapblk_req *req, int ret)
{
	if (zswapblk_req_drop(req, ret))
		zswapblk_end_write(req, READ_ONCE(req->error));
}

/*
 * Compress and store the pages of @part.  Returns true if that completed
 * its request, and nothing else (another part, a backing write) holds it:
 * the caller ends it.  Otherwise @part may be gone on return.
 */
static bool zswapblk_write_part(struct zswapblk_wpart *part)
{
	struct zswapblk_req *req = part->req;
	struct zswapblk_dev *dev = req->dev;
	struct bio *bio = req->bio;
	struct bvec_iter iter = part->iter;
	struct page *bounce = NULL;
	unsigned int i;
	int ret = 0;

	for (i = 0; iter.bi_size && !ret; i++) {
		unsigned long index = zswapblk_bio_index(&iter);
		struct bio_vec bv = bio_iter_iovec(bio, iter);
		void *src;

		if (bv.bv_len == PAGE_SIZE) {
			src = bvec_kmap_local(&bv);
			zswapblk_stable_check(req, part->first + i, src);
			ret = zswapblk_write_page(dev, index, src, bv.bv_page,
						  req);
			kunmap_local(src);
			bio_advance_iter_single(bio, &iter, PAGE_SIZE);
			continue;
		}
		if (!bounce) {
			bounce = alloc_page(GFP_NOIO);
			if (!bounce) {
				ret = -ENOMEM;
				break;
			}
		}
		zswapblk_copy_page(bio, &iter, page_address(bounce), false);
		zswapblk_stable_check(req, part->first + i,
				      page_address(bounce));
		ret = zswapblk_write_page(dev, index, page_address(bounce),
					  NULL, req);
	}

	if (bounce)
		__free_page(bounce);
	return zswapblk_req_drop(req, ret);
}

static void zswapblk_end_batch(struct list_head *batch, unsigned int *n)
{
	struct zswapblk_req *req, *next;

	list_for_each_entry_safe(req, next, batch, node)
		zswapblk_end_write(req, READ_ONCE(req->error));
	INIT_LIST_HEAD(batch);
	*n = 0;
}

/*
 * A CPU's write worker.  It takes every queued part at once, oldest first,
 * and ends the bios it completed ZSWAPBLK_END_BATCH at a time, and
 * whenever the queue runs dry.  Each bio_endio() wakes the submitter, which
 * would preempt us at the next request: a batch wakes it once for many
 * bios, and it submits as many again before it sleeps.  A lone request
 * (queue depth 1) still ends as soon as it is stored.
 */
#define ZSWAPBLK_END_BATCH	16

static void zswapblk_queue_work(struct work_struct *work)
{
	struct zswapblk_queue *q = container_of(work, struct zswapblk_queue,
						work);
	struct zswapblk_wpart *part, *next;
	struct llist_node *list;
	LIST_HEAD(batch);
	unsigned int n = 0;

	while ((list = llist_del_all(&q->parts))) {
		list = llist_reverse_order(list);
		llist_for_each_entry_safe(part, next, list, qnode) {
			/* @part may be gone once it is written */
			struct zswapblk_req *req = part->req;

			atomic_dec(&q->backlog);
			if (zswapblk_write_part(part)) {
				list_add_tail(&req->node, &batch);
				n++;
			}
			if (n >= ZSWAPBLK_END_BATCH) {
				zswapblk_end_batch(&batch, &n);
				cond_resched();
			}
		}
		zswapblk_end_batch(&batch, &n);
		cond_resched();
	}
}

void zswapblk_queues_init(struct zswapblk_dev *dev)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct zswapblk_queue *q = per_cpu_ptr(dev->queues, cpu);

		init_llist_head(&q->parts);
		INIT_WORK(&q->work, zswapblk_queue_work);
		atomic_set(&q->backlog, 0);
		q->dev = dev;
	}
}

/*
 * Where a write is compressed: on the CPU that submitted it, which keeps
 * the data in its cache and costs no cross-CPU wakeup, unless that CPU
 * already has ZSWAPBLK_LOCAL_BACKLOG writes queued; then on the next
 * online CPU in turn, so that one busy submitter still gets every CPU
 * compressing.
 *
 * A submitter in reclaim (PF_MEMALLOC: kswapd, direct and memcg reclaim)
 * does not wait for its write: it goes on scanning on this CPU, and a
 * worker woken here would preempt it at its next cond_resched(), page after
 * page.  Its writes go to the other CPUs in turn, but only while the next
 * one has fewer than ZSWAPBLK_RECLAIM_BACKLOG queued: reclaim frees a page
 * only once its write has completed, and a reclaimer that ran far ahead of
 * its writes would find nothing to free and end in an early OOM kill of a
 * tight memory cgroup.  When that CPU is behind, the write is done here,
 * which holds the reclaimer back.
 */
#define ZSWAPBLK_LOCAL_BACKLOG	4
#define ZSWAPBLK_RECLAIM_BACKLOG	32	/* a reclaim batch: SWAP_CLUSTER_MAX */

static int zswapblk_backlog(struct zswapblk_dev *dev, int cpu)
{
	return atomic_read(&per_cpu_ptr(dev->queues, cpu)->backlog);
}

static int zswapblk_pick_cpu(struct zswapblk_dev *dev)
{
	int this = raw_smp_processor_id();
	int cpu;

	if (current->flags & PF_MEMALLOC) {
		cpu = zswapblk_next_cpu(READ_ONCE(dev->next_cpu));
		if (cpu == this)
			cpu = zswapblk_next_cpu(cpu);
		if (zswapblk_backlog(dev, cpu) >= ZSWAPBLK_RECLAIM_BACKLOG)
			return this;
		WRITE_ONCE(dev->next_cpu, cpu);
		return cpu;
	}
	if (zswapblk_backlog(dev, this) < ZSWAPBLK_LOCAL_BACKLOG)
		return this;
	cpu = zswapblk_next_cpu(READ_ONCE(dev->next_cpu));
	WRITE_ONCE(dev->next_cpu, cpu);
	return cpu;
}

static void zswapblk_queue_part(struct zswapblk_dev *dev,
				struct zswapblk_wpart *part, int cpu)
{
	struct zswapblk_queue *q = per_cpu_ptr(dev->queues, cpu);

	atomic_inc(&q->backlog);
	/* the first part on an empty queue wakes the worker */
	if (llist_add(&part->qnode, &q->parts))
		queue_work_on(cpu, dev->wq, &q->work);
}

/*
 * A write of at least twice ZSWAPBLK_PART_PAGES pages is split into up to
 * one run of pages per online CPU, ZSWAPBLK_PART_PAGES or more each, and
 * the runs go to consecutive CPUs' workers: one large write (dd, a file
 * system's writeback, fio with a large block size) is then compressed on
 * every CPU, as many small writes in flight are.  Reclaim writes single
 * pages, which zswapblk_pick_cpu() steers, and is never split.  Without
 * memory for the runs a bio stays whole.
 */
#define ZSWAPBLK_PART_PAGES	16

/* How many parts @req is queued in; for more than one, req->more holds them. */
static unsigned int zswapblk_alloc_parts(struct zswapblk_req *req)
{
	unsigned int pages = req->bio->bi_iter.bi_size >> PAGE_SHIFT;
	unsigned int n;

	if (pages < 2 * ZSWAPBLK_PART_PAGES || (current->flags & PF_MEMALLOC))
		return 1;
	n = min(num_online_cpus(), pages / ZSWAPBLK_PART_PAGES);
	if (n < 2)
		return 1;
	req->more = kmalloc_array(n - 1, sizeof(*req->more),
				  GFP_NOWAIT | __GFP_NOWARN);
	return req->more ? n : 1;
}

/* Queue @req, whole or in parts, to the CPUs' write workers. */
void zswapblk_queue_req(struct zswapblk_req *req)
{
	struct zswapblk_dev *dev = req->dev;
	struct bio *bio = req->bio;
	unsigned int pages = bio->bi_iter.bi_size >> PAGE_SHIFT;
	unsigned int n = zswapblk_alloc_parts(req), first = 0, i;
	struct bvec_iter iter = bio->bi_iter;
	int cpu = zswapblk_pick_cpu(dev);

	/* @req holds one reference already; no part may complete it early */
	if (n > 1) {
		atomic_add(n - 1, &req->pending);
		atomic64_inc(&dev->stats.split_writes);
	}
	for (i = 0; i < n; i++) {
		struct zswapblk_wpart *part = i ? &req->more[i - 1] : &req->part;
		unsigned int len = pages / n + (i < pages % n);

		part->req = req;
		part->iter = iter;
		part->iter.bi_size = len << PAGE_SHIFT;
		part->first = first;
		first += len;
		if (i + 1 < n)
			bio_advance_iter(bio, &iter, len << PAGE_SHIFT);
		if (i)
			cpu = zswapblk_next_cpu(cpu);
		zswapblk_queue_part(dev, part, cpu);
	}
}

static void zswapblk_bio_write(struct zswapblk_dev *dev, struct bio *bio)
{
	struct zswapblk_req *req;
	int inflight;

	/*
	 * GFP_NOIO, as we may be writing out pages to free memory: from the
	 * mempool, this cannot fail.  GFP_NOWAIT can, before anything is done.
	 */
	req = mempool_alloc(dev->req_pool, zswapblk_bio_gfp(bio));
	if (!req) {
		bio_wouldblock_error(bio);
		return;
	}
	req->dev = dev;
	req->bio = bio;
	req->more = NULL;
	req->start_time = bio_start_io_acct(bio);
	atomic_set(&req->pending, 1);
	req->error = 0;
	req->csums = NULL;
	if (READ_ONCE(dev->verify_stable))
		zswapblk_stable_record(req);

	inflight = atomic_inc_return(&dev->writes_inflight);
	zswapblk_stat_max(&dev->stats.writes_inflight_max, inflight);

	spin_lock(&dev->hold_lock);
	if (dev->hold_ms) {
		list_add_tail(&req->node, &dev->held);
		dev->nr_held++;
		spin_unlock(&dev->hold_lock);
		return;
	}
	spin_unlock(&dev->hold_lock);
	zswapblk_queue_req(req);
}

void zswapblk_submit_bio(struct bio *bio)
{
	struct zswapblk_dev *dev = bio->bi_bdev->bd_disk->private_data;

	if (!zswapblk_valid_io(dev, bio)) {
		atomic64_inc(&dev->stats.invalid_io);
		bio_io_error(bio);
		return;
	}

	switch (bio_op(bio)) {
	case REQ_OP_READ:
		zswapblk_bio_read(dev, bio);
		break;
	case REQ_OP_WRITE:
		zswapblk_bio_write(dev, bio);
		break;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		zswapblk_bio_discard(dev, bio);
		break;
	default:
		bio_io_error(bio);
		break;
	}
}

/*
 * Swap no longer needs slot @index.  Called in atomic context, with the swap
 * device's lock held, so the slot lock is only tried.
 */
void zswapblk_slot_free_notify(struct block_device *bdev, unsigned long index)
{
	struct zswapblk_dev *dev = bdev->bd_disk->private_data;

	if (WARN_ON_ONCE(index >= dev->nr_pages))
		return;
	atomic64_inc(&dev->stats.notify_free);
	if (!zswapblk_slot_trylock(dev, index)) {
		atomic64_inc(&dev->stats.miss_free);
		return;
	}
	zswapblk_slot_free(dev, index);
	zswapblk_slot_unlock(dev, index);
}

/*
 * End the hold and hand every parked request to the workers.  @timeout says
 * whether the hold expired (for the statistics).
 */
void zswapblk_hold_release(struct zswapblk_dev *dev, bool timeout)
{
	struct zswapblk_req *req, *next;
	LIST_HEAD(list);

	spin_lock(&dev->hold_lock);
	if (!dev->hold_ms) {
		spin_unlock(&dev->hold_lock);
		return;
	}
	dev->hold_ms = 0;
	list_splice_init(&dev->held, &list);
	dev->nr_held = 0;
	spin_unlock(&dev->hold_lock);

	atomic64_inc(&dev->stats.hold_releases);
	if (timeout)
		atomic64_inc(&dev->stats.hold_timeouts);
	list_for_each_entry_safe(req, next, &list, node) {
		list_del(&req->node);
		zswapblk_queue_req(req);
	}
}

void zswapblk_hold_timeout_fn(struct work_struct *work)
{
	struct zswapblk_dev *dev = container_of(to_delayed_work(work),
						struct zswapblk_dev,
						hold_timeout);

	zswapblk_hold_release(dev, true);
}

/*
 * Start holding write completions for at most @ms milliseconds, or with
 * @ms == 0 release them now.  Holding again restarts the timeout.
 */
int zswapblk_hold_set(struct zswapblk_dev *dev, unsigned int ms)
{
	if (ms > ZSWAPBLK_HOLD_MAX_MS)
		return -EINVAL;
	if (!ms) {
		cancel_delayed_work_sync(&dev->hold_timeout);
		zswapblk_hold_release(dev, false);
		return 0;
	}
	spin_lock(&dev->hold_lock);
	dev->hold_ms = ms;
	spin_unlock(&dev->hold_lock);
	mod_delayed_work(system_wq, &dev->hold_timeout, msecs_to_jiffies(ms));
	return 0;
}
