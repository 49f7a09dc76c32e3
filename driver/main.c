// SPDX-License-Identifier: GPL-2.0
/*
 * zswapblk: a compressed swap block device in the spirit of zram, whose
 * writes complete asynchronously and which requires stable pages.
 *
 * This file: the module, the device lifecycle (create, initialise, reset,
 * remove) and the zswapblk-control class (hot_add, hot_remove).
 */

#include <linux/blkdev.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/zsmalloc.h>

#include "zswapblk.h"
#include "compat.h"

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of devices created at load. Default: 1");

/* Device ids; zswapblk_index_mutex serialises creation and removal. */
static DEFINE_IDR(zswapblk_index_idr);
static DEFINE_MUTEX(zswapblk_index_mutex);

static int zswapblk_major;
static struct kmem_cache *zswapblk_req_cache;

/* Requests a device can always get, however tight memory is. */
#define ZSWAPBLK_MIN_REQS	64

/* ->open: refuse while a reset or a removal is running. */
int zswapblk_open(struct gendisk *disk)
{
	struct zswapblk_dev *dev = disk->private_data;

	lockdep_assert_held(&disk->open_mutex);
	return dev->claim ? -EBUSY : 0;
}

static const struct block_device_operations zswapblk_fops;

/* Is @bdev one of ours?  A zswapblk device cannot back another. */
bool zswapblk_is_zswapblk(struct block_device *bdev)
{
	return bdev->bd_disk->fops == &zswapblk_fops;
}

static const struct block_device_operations zswapblk_fops = {
	.owner			= THIS_MODULE,
	.open			= zswapblk_compat_open,
	.submit_bio		= zswapblk_submit_bio,
	.swap_slot_free_notify	= zswapblk_slot_free_notify,
	/* no ->rw_page: that would make swap treat us as synchronous */
};

/*
 * Allocate the compression streams, the pool and the table for a disk of
 * @disksize bytes (page aligned), and make it visible.  It may sleep.
 */
int zswapblk_init_device(struct zswapblk_dev *dev, u64 disksize)
{
	struct zswapblk_comp *comp;
	struct zs_pool *pool;
	int ret;

	lockdep_assert_held_write(&dev->init_lock);
	if (zswapblk_init_done(dev))
		return -EBUSY;

	comp = zswapblk_comp_create(dev->backend, dev->level);
	if (IS_ERR(comp))
		return PTR_ERR(comp);
	pool = zs_create_pool(dev->disk->disk_name);
	if (!pool) {
		ret = -ENOMEM;
		goto destroy_comp;
	}
	ret = zswapblk_table_create(dev, disksize >> PAGE_SHIFT);
	if (ret)
		goto destroy_pool;
	ret = zswapblk_wb_init(dev);
	if (ret)
		goto destroy_table;

	dev->comp = comp;
	dev->pool = pool;
	dev->huge_class_size = zs_huge_class_size(pool);
	dev->disksize = disksize;
	set_capacity_and_notify(dev->disk, disksize >> SECTOR_SHIFT);
	zswapblk_wb_start(dev);
	return 0;

destroy_table:
	zswapblk_table_destroy(dev);
destroy_pool:
	zs_destroy_pool(pool);
destroy_comp:
	zswapblk_comp_destroy(comp);
	return ret;
}

/* The defaults of a new device, also restored by reset. */
static void zswapblk_set_defaults(struct zswapblk_dev *dev)
{
	dev->backend = zswapblk_backend_default();
	dev->level = dev->backend->default_level;
	WRITE_ONCE(dev->limit_pages, 0);
	zswapblk_wb_set_defaults(dev);
}

/*
 * Back to the state after creation: no data, no backing device, default
 * algorithm, no limits.  The disk is not open (->claim is set), so no new
 * I/O can arrive; what was submitted before is released from any hold and
 * drained first, writeback included.
 */
static void zswapblk_reset_device(struct zswapblk_dev *dev)
{
	down_write(&dev->init_lock);
	cancel_delayed_work_sync(&dev->hold_timeout);
	zswapblk_hold_release(dev, false);
	flush_workqueue(dev->wq);
	zswapblk_wb_stop(dev);

	if (zswapblk_init_done(dev)) {
		set_capacity_and_notify(dev->disk, 0);
		zswapblk_table_destroy(dev);
		zs_destroy_pool(dev->pool);
		dev->pool = NULL;
		zswapblk_comp_destroy(dev->comp);
		dev->comp = NULL;
		dev->disksize = 0;
	}
	zswapblk_backing_reset(dev);
	zswapblk_set_defaults(dev);
	memset(&dev->stats, 0, sizeof(dev->stats));
	up_write(&dev->init_lock);
}

/*
 * Claim the disk for a reset or a removal: fails with -EBUSY while anyone
 * has it open (swapon, a mount, a process) or another claim is running.
 */
static int zswapblk_claim(struct zswapblk_dev *dev)
{
	struct gendisk *disk = dev->disk;
	int ret = 0;

	mutex_lock(&disk->open_mutex);
	if (disk_openers(disk) || dev->claim)
		ret = -EBUSY;
	else
		dev->claim = true;
	mutex_unlock(&disk->open_mutex);
	return ret;
}

static void zswapblk_unclaim(struct zswapblk_dev *dev)
{
	mutex_lock(&dev->disk->open_mutex);
	dev->claim = false;
	mutex_unlock(&dev->disk->open_mutex);
}

int zswapblk_reset(struct zswapblk_dev *dev)
{
	int ret = zswapblk_claim(dev);

	if (ret)
		return ret;
	/* write out what the page cache of the disk still holds */
	sync_blockdev(dev->disk->part0);
	zswapblk_reset_device(dev);
	zswapblk_unclaim(dev);
	return 0;
}

/* Create a device.  Called with zswapblk_index_mutex held.  It may sleep. */
static int zswapblk_add(void)
{
	struct zswapblk_dev *dev;
	struct gendisk *disk;
	int ret;

	lockdep_assert_held(&zswapblk_index_mutex);
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	ret = idr_alloc(&zswapblk_index_idr, dev, 0, ZSWAPBLK_MAX_DEVICES,
			GFP_KERNEL);
	if (ret < 0)
		goto free_dev;
	dev->id = ret;

	init_rwsem(&dev->init_lock);
	spin_lock_init(&dev->hold_lock);
	INIT_LIST_HEAD(&dev->held);
	INIT_DELAYED_WORK(&dev->hold_timeout, zswapblk_hold_timeout_fn);
	atomic_set(&dev->writes_inflight, 0);
	zswapblk_wb_dev_init(dev);
	zswapblk_set_defaults(dev);

	dev->req_pool = mempool_create_slab_pool(ZSWAPBLK_MIN_REQS,
						 zswapblk_req_cache);
	if (!dev->req_pool) {
		ret = -ENOMEM;
		goto remove_id;
	}
	dev->queues = alloc_percpu(struct zswapblk_queue);
	if (!dev->queues) {
		ret = -ENOMEM;
		goto destroy_pool;
	}
	zswapblk_queues_init(dev);
	/*
	 * Per-CPU workers (see zswapblk_pick_cpu()); WQ_MEM_RECLAIM, because
	 * reclaim waits on us.
	 */
	dev->wq = alloc_workqueue("%s%d", WQ_MEM_RECLAIM, 0, ZSWAPBLK_NAME,
				  dev->id);
	if (!dev->wq) {
		ret = -ENOMEM;
		goto free_queues;
	}

	disk = zswapblk_alloc_disk();
	if (IS_ERR(disk)) {
		ret = PTR_ERR(disk);
		goto destroy_wq;
	}
	dev->disk = disk;
	disk->major = zswapblk_major;
	disk->first_minor = dev->id;
	disk->minors = 1;
	disk->flags |= GENHD_FL_NO_PART;
	disk->fops = &zswapblk_fops;
	disk->private_data = dev;
	snprintf(disk->disk_name, DISK_NAME_LEN, "%s%d", ZSWAPBLK_NAME,
		 dev->id);
	set_capacity(disk, 0);

	ret = device_add_disk(NULL, disk, zswapblk_disk_groups);
	if (ret)
		goto put_disk;

	pr_info("added device %s\n", disk->disk_name);
	return dev->id;

put_disk:
	put_disk(disk);
destroy_wq:
	destroy_workqueue(dev->wq);
free_queues:
	free_percpu(dev->queues);
destroy_pool:
	mempool_destroy(dev->req_pool);
remove_id:
	idr_remove(&zswapblk_index_idr, dev->id);
free_dev:
	kfree(dev);
	return ret;
}

/* Tear a claimed or unused device down.  zswapblk_index_mutex is held. */
static void zswapblk_destroy(struct zswapblk_dev *dev)
{
	pr_info("removed device %s\n", dev->disk->disk_name);
	/* waits for running attribute methods; afterwards no new I/O */
	del_gendisk(dev->disk);
	zswapblk_reset_device(dev);
	destroy_workqueue(dev->wq);
	free_percpu(dev->queues);
	mempool_destroy(dev->req_pool);
	put_disk(dev->disk);
	kfree(dev);
}

static ssize_t hot_add_show(zswapblk_class_const struct class *class,
			    zswapblk_class_const struct class_attribute *attr,
			    char *buf)
{
	int ret;

	mutex_lock(&zswapblk_index_mutex);
	ret = zswapblk_add();
	mutex_unlock(&zswapblk_index_mutex);
	if (ret < 0)
		return ret;
	return sysfs_emit(buf, "%d\n", ret);
}

/* As zram: reading creates a device, so only root may read. */
static struct class_attribute class_attr_hot_add =
	__ATTR(hot_add, 0400, hot_add_show, NULL);

static ssize_t hot_remove_store(zswapblk_class_const struct class *class,
				zswapblk_class_const struct class_attribute *attr,
				const char *buf, size_t count)
{
	struct zswapblk_dev *dev;
	int ret, id;

	/* EINVAL for anything else, an id too big for an int included */
	if (kstrtoint(buf, 10, &id) || id < 0)
		return -EINVAL;

	mutex_lock(&zswapblk_index_mutex);
	dev = idr_find(&zswapblk_index_idr, id);
	if (!dev) {
		ret = -ENODEV;
	} else {
		ret = zswapblk_claim(dev);
		if (!ret) {
			idr_remove(&zswapblk_index_idr, id);
			zswapblk_destroy(dev);
		}
	}
	mutex_unlock(&zswapblk_index_mutex);
	return ret ? ret : count;
}
static CLASS_ATTR_WO(hot_remove);

static struct attribute *zswapblk_control_class_attrs[] = {
	&class_attr_hot_add.attr,
	&class_attr_hot_remove.attr,
	NULL,
};
ATTRIBUTE_GROUPS(zswapblk_control_class);

static struct class zswapblk_control_class = {
	.name		= ZSWAPBLK_CONTROL_CLASS,
	.class_groups	= zswapblk_control_class_groups,
};

static int zswapblk_destroy_cb(int id, void *ptr, void *data)
{
	zswapblk_destroy(ptr);
	return 0;
}

static void zswapblk_destroy_all(void)
{
	mutex_lock(&zswapblk_index_mutex);
	idr_for_each(&zswapblk_index_idr, zswapblk_destroy_cb, NULL);
	idr_destroy(&zswapblk_index_idr);
	mutex_unlock(&zswapblk_index_mutex);
}

static int __init zswapblk_init(void)
{
	unsigned int i;
	int ret;

	if (num_devices > ZSWAPBLK_MAX_DEVICES) {
		pr_err("num_devices %u is more than %u\n", num_devices,
		       ZSWAPBLK_MAX_DEVICES);
		return -EINVAL;
	}

	zswapblk_req_cache = KMEM_CACHE(zswapblk_req, 0);
	if (!zswapblk_req_cache)
		return -ENOMEM;
	ret = zswapblk_wb_module_init();
	if (ret)
		goto destroy_cache;
	ret = class_register(&zswapblk_control_class);
	if (ret)
		goto exit_wb;
	zswapblk_major = register_blkdev(0, ZSWAPBLK_NAME);
	if (zswapblk_major < 0) {
		ret = zswapblk_major;
		goto unregister_class;
	}

	for (i = 0; i < num_devices; i++) {
		mutex_lock(&zswapblk_index_mutex);
		ret = zswapblk_add();
		mutex_unlock(&zswapblk_index_mutex);
		if (ret < 0)
			goto destroy_devices;
	}
	return 0;

destroy_devices:
	zswapblk_destroy_all();
	unregister_blkdev(zswapblk_major, ZSWAPBLK_NAME);
unregister_class:
	class_unregister(&zswapblk_control_class);
exit_wb:
	zswapblk_wb_module_exit();
destroy_cache:
	kmem_cache_destroy(zswapblk_req_cache);
	return ret;
}

static void __exit zswapblk_exit(void)
{
	/* hot_add and hot_remove go first, so no device appears meanwhile */
	class_unregister(&zswapblk_control_class);
	zswapblk_destroy_all();
	unregister_blkdev(zswapblk_major, ZSWAPBLK_NAME);
	zswapblk_wb_module_exit();
	kmem_cache_destroy(zswapblk_req_cache);
}

module_init(zswapblk_init);
module_exit(zswapblk_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Compressed swap block device with asynchronous writes");
