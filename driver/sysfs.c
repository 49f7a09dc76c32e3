// SPDX-License-Identifier: GPL-2.0
/*
 * Per-disk sysfs attributes, /sys/block/zswapblk<N>/.  Where zram has an
 * attribute, it has zram's name and semantics.  Every attribute is documented
 * in Documentation/ABI/testing/sysfs-block-zswapblk; the names are in
 * include/zswapblk_abi.h.
 */

#include <linux/blkdev.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/zsmalloc.h>

#include "zswapblk.h"
#include "compat.h"

static struct zswapblk_dev *dev_to_zswapblk(struct device *d)
{
	return dev_to_disk(d)->private_data;
}

/*
 * Parse a size in bytes: a number with an optional K, M, G, T, P or E suffix
 * (powers of 1024) and an optional trailing newline, as memparse() does but
 * refusing anything else, negatives and overflow.
 */
VISIBLE_IF_KUNIT int zswapblk_parse_size(const char *buf, u64 *size)
{
	size_t len = strcspn(buf, "\n");
	unsigned int shift = 0;
	char num[32];
	u64 val;

	if (buf[len] == '\n' && buf[len + 1])
		return -EINVAL;
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, buf, len);
	num[len] = '\0';

	switch (tolower(num[len - 1])) {
	case 'e':
		shift += 10;
		fallthrough;
	case 'p':
		shift += 10;
		fallthrough;
	case 't':
		shift += 10;
		fallthrough;
	case 'g':
		shift += 10;
		fallthrough;
	case 'm':
		shift += 10;
		fallthrough;
	case 'k':
		shift += 10;
		num[--len] = '\0';
		break;
	}
	if (!len || !isdigit(num[0]) || kstrtoull(num, 0, &val))
		return -EINVAL;
	if (check_shl_overflow(val, shift, size))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_parse_size);

/* disksize: a size as above, not 0, rounded up to whole pages. */
VISIBLE_IF_KUNIT int zswapblk_parse_disksize(const char *buf, u64 *size)
{
	int ret = zswapblk_parse_size(buf, size);

	if (ret)
		return ret;
	/* the size in sectors must fit, and be a whole number of pages */
	if (!*size || *size > (U64_MAX >> 1) - PAGE_SIZE)
		return -EINVAL;
	*size = PAGE_ALIGN(*size);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_parse_disksize);

static ssize_t disksize_show(struct device *d, struct device_attribute *attr,
			     char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	u64 size;

	down_read(&dev->init_lock);
	size = dev->disksize;
	up_read(&dev->init_lock);
	return sysfs_emit(buf, "%llu\n", size);
}

static ssize_t disksize_store(struct device *d, struct device_attribute *attr,
			      const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	u64 size;
	int ret;

	ret = zswapblk_parse_disksize(buf, &size);
	if (ret)
		return ret;

	down_write(&dev->init_lock);
	ret = zswapblk_init_device(dev, size);
	up_write(&dev->init_lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(disksize);

static ssize_t initstate_show(struct device *d, struct device_attribute *attr,
			      char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	bool init;

	down_read(&dev->init_lock);
	init = zswapblk_init_done(dev);
	up_read(&dev->init_lock);
	return sysfs_emit(buf, "%u\n", init);
}
static DEVICE_ATTR_RO(initstate);

static ssize_t reset_store(struct device *d, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	unsigned long long do_reset;
	int ret;

	/* any non-zero integer; EINVAL, never ERANGE, for the rest */
	if (kstrtoull(buf, 10, &do_reset) || !do_reset)
		return -EINVAL;
	ret = zswapblk_reset(dev_to_zswapblk(d));
	return ret ? ret : len;
}
static DEVICE_ATTR_WO(reset);

static ssize_t comp_algorithm_show(struct device *d,
				   struct device_attribute *attr, char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	ssize_t ret;

	down_read(&dev->init_lock);
	ret = zswapblk_backend_list(dev->backend, buf, 0);
	up_read(&dev->init_lock);
	return ret;
}

static ssize_t comp_algorithm_store(struct device *d,
				    struct device_attribute *attr,
				    const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	const struct zswapblk_backend *b = zswapblk_backend_find(buf);
	int ret = 0;

	if (!b)
		return -EINVAL;
	down_write(&dev->init_lock);
	if (zswapblk_init_done(dev)) {
		ret = -EBUSY;
	} else if (b != dev->backend) {
		dev->backend = b;
		dev->level = b->default_level;
	}
	up_write(&dev->init_lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(comp_algorithm);

static ssize_t algorithm_params_show(struct device *d,
				     struct device_attribute *attr, char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	ssize_t ret;

	down_read(&dev->init_lock);
	if (dev->backend->max_level)
		ret = sysfs_emit(buf, "algo=%s level=%d\n", dev->backend->name,
				 dev->level);
	else
		ret = sysfs_emit(buf, "algo=%s\n", dev->backend->name);
	up_read(&dev->init_lock);
	return ret;
}

/*
 * Parse algorithm_params: "level=N", optionally with "algo=NAME", as zram's
 * algorithm_params.  @args is modified.  @level is set only if given, with
 * @have_level; @algo only if named.
 */
VISIBLE_IF_KUNIT int
zswapblk_parse_algo_params(char *args, const struct zswapblk_backend **algo,
			   bool *have_level, int *level)
{
	char *param, *val;
	int ret = 0;

	args = strim(args);
	if (!*args)
		return -EINVAL;
	while (*args && !ret) {
		args = next_arg(args, &param, &val);
		if (!val) {
			ret = -EINVAL;
		} else if (!strcmp(param, "level")) {
			ret = kstrtoint(val, 10, level);
			*have_level = true;
		} else if (!strcmp(param, "algo")) {
			*algo = zswapblk_backend_find(val);
			if (!*algo)
				ret = -EINVAL;
		} else {
			ret = -EINVAL;
		}
	}
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_parse_algo_params);

/* Only before init; the level must be within the selected backend's range. */
static ssize_t algorithm_params_store(struct device *d,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	const struct zswapblk_backend *algo = NULL;
	bool have_level = false;
	int level = 0, ret;
	char *copy;

	copy = kstrndup(buf, len, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	ret = zswapblk_parse_algo_params(copy, &algo, &have_level, &level);
	kfree(copy);
	/* a level that does not fit an int is out of range: EINVAL */
	if (ret)
		return -EINVAL;

	down_write(&dev->init_lock);
	if (zswapblk_init_done(dev)) {
		ret = -EBUSY;
	} else if (algo && algo != dev->backend) {
		ret = -EINVAL;
	} else if (have_level) {
		const struct zswapblk_backend *b = dev->backend;

		if (level < b->min_level || level > b->max_level ||
		    !b->max_level)
			ret = -EINVAL;
		else
			dev->level = level;
	}
	up_write(&dev->init_lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(algorithm_params);

static ssize_t mem_limit_show(struct device *d, struct device_attribute *attr,
			      char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);

	return sysfs_emit(buf, "%llu\n",
			  (u64)READ_ONCE(dev->limit_pages) << PAGE_SHIFT);
}

/* mem_limit: a size in bytes, rounded up to pages; 0 is no limit. */
VISIBLE_IF_KUNIT int zswapblk_parse_mem_limit(const char *buf,
					      unsigned long *pages)
{
	u64 limit;
	int ret;

	ret = zswapblk_parse_size(buf, &limit);
	if (ret)
		return ret;
	if (limit > (u64)ULONG_MAX - PAGE_SIZE)
		return -EINVAL;
	*pages = PAGE_ALIGN(limit) >> PAGE_SHIFT;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_parse_mem_limit);

static ssize_t mem_limit_store(struct device *d, struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	unsigned long pages;
	int ret;

	ret = zswapblk_parse_mem_limit(buf, &pages);
	if (ret)
		return ret;
	down_write(&dev->init_lock);
	WRITE_ONCE(dev->limit_pages, pages);
	up_write(&dev->init_lock);
	return len;
}
static DEVICE_ATTR_RW(mem_limit);

static ssize_t mem_used_max_show(struct device *d,
				 struct device_attribute *attr, char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	u64 val = 0;

	down_read(&dev->init_lock);
	if (zswapblk_init_done(dev))
		val = atomic64_read(&dev->stats.max_used_pages) << PAGE_SHIFT;
	up_read(&dev->init_lock);
	return sysfs_emit(buf, "%llu\n", val);
}

/* Only "0" may be written: it restarts the high-water mark from now. */
static ssize_t mem_used_max_store(struct device *d,
				  struct device_attribute *attr,
				  const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	unsigned long val;
	int ret;

	ret = kstrtoul(buf, 10, &val);
	if (ret || val)
		return -EINVAL;
	down_read(&dev->init_lock);
	if (zswapblk_init_done(dev))
		atomic64_set(&dev->stats.max_used_pages,
			     zs_get_total_pages(dev->pool));
	up_read(&dev->init_lock);
	return len;
}
static DEVICE_ATTR_RW(mem_used_max);

static ssize_t compact_store(struct device *d, struct device_attribute *attr,
			     const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	int ret = 0;

	down_read(&dev->init_lock);
	if (zswapblk_init_done(dev))
		zs_compact(dev->pool);
	else
		ret = -EINVAL;
	up_read(&dev->init_lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_WO(compact);

static ssize_t mm_stat_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	struct zswapblk_stats *st = &dev->stats;
	struct zs_pool_stats pool_stats = {};
	u64 orig_size, mem_used = 0;
	ssize_t ret;

	down_read(&dev->init_lock);
	if (zswapblk_init_done(dev)) {
		mem_used = zs_get_total_pages(dev->pool);
		zs_pool_stats(dev->pool, &pool_stats);
	}
	orig_size = atomic64_read(&st->pages_stored);
	ret = sysfs_emit(buf,
			 "%8llu %8llu %8llu %8llu %8llu %8llu %8lu %8llu %8llu %8llu\n",
			 orig_size << PAGE_SHIFT,
			 (u64)atomic64_read(&st->compr_data_size),
			 mem_used << PAGE_SHIFT,
			 (u64)READ_ONCE(dev->limit_pages) << PAGE_SHIFT,
			 (u64)atomic64_read(&st->max_used_pages) << PAGE_SHIFT,
			 (u64)atomic64_read(&st->same_pages),
			 (unsigned long)atomic_long_read(&pool_stats.pages_compacted),
			 (u64)atomic64_read(&st->huge_pages),
			 (u64)atomic64_read(&st->huge_pages_since),
			 (u64)atomic64_read(&st->zero_pages));
	up_read(&dev->init_lock);
	return ret;
}
static DEVICE_ATTR_RO(mm_stat);

static ssize_t io_stat_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	struct zswapblk_stats *st = &dev->stats;
	unsigned int held;

	spin_lock(&dev->hold_lock);
	held = dev->nr_held;
	spin_unlock(&dev->hold_lock);

	return sysfs_emit(buf,
			  "%8llu %8llu %8llu %8llu %8d %8llu %8llu %8u\n",
			  (u64)atomic64_read(&st->failed_reads),
			  (u64)atomic64_read(&st->failed_writes),
			  (u64)atomic64_read(&st->invalid_io),
			  (u64)atomic64_read(&st->notify_free),
			  atomic_read(&dev->writes_inflight),
			  (u64)atomic64_read(&st->writes_inflight_max),
			  (u64)atomic64_read(&st->async_completions),
			  held);
}
static DEVICE_ATTR_RO(io_stat);

static ssize_t debug_stat_show(struct device *d, struct device_attribute *attr,
			       char *buf)
{
	struct zswapblk_stats *st = &dev_to_zswapblk(d)->stats;

	return sysfs_emit(buf,
			  "version: %d\n%8llu %8llu %8llu %8llu %8llu %8llu %8llu\n",
			  ZSWAPBLK_DEBUG_STAT_VERSION,
			  (u64)atomic64_read(&st->writestall),
			  (u64)atomic64_read(&st->miss_free),
			  (u64)atomic64_read(&st->hold_releases),
			  (u64)atomic64_read(&st->hold_timeouts),
			  (u64)atomic64_read(&st->stable_checked),
			  (u64)atomic64_read(&st->stable_mismatch),
			  (u64)atomic64_read(&st->split_writes));
}
static DEVICE_ATTR_RO(debug_stat);

static ssize_t features_show(struct device *d, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n", ZSWAPBLK_FEATURES);
}
static DEVICE_ATTR_RO(features);

static ssize_t completion_hold_show(struct device *d,
				    struct device_attribute *attr, char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	unsigned int ms;

	spin_lock(&dev->hold_lock);
	ms = dev->hold_ms;
	spin_unlock(&dev->hold_lock);
	return sysfs_emit(buf, "%u\n", ms);
}

static ssize_t completion_hold_store(struct device *d,
				     struct device_attribute *attr,
				     const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	unsigned int ms;
	int ret;

	if (kstrtouint(buf, 10, &ms))
		return -EINVAL;
	down_read(&dev->init_lock);
	if (zswapblk_init_done(dev))
		ret = zswapblk_hold_set(dev, ms);
	else
		ret = -EINVAL;
	up_read(&dev->init_lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(completion_hold);

static ssize_t verify_stable_show(struct device *d,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  READ_ONCE(dev_to_zswapblk(d)->verify_stable));
}

static ssize_t verify_stable_store(struct device *d,
				   struct device_attribute *attr,
				   const char *buf, size_t len)
{
	bool val;

	if (kstrtobool(buf, &val))
		return -EINVAL;
	WRITE_ONCE(dev_to_zswapblk(d)->verify_stable, val);
	return len;
}
static DEVICE_ATTR_RW(verify_stable);

/* --- the backing device and writeback --------------------------------- */

static ssize_t backing_dev_show(struct device *d,
				struct device_attribute *attr, char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	ssize_t ret;

	down_read(&dev->init_lock);
	ret = zswapblk_backing_show(dev, buf);
	up_read(&dev->init_lock);
	return ret;
}

static ssize_t backing_dev_store(struct device *d,
				 struct device_attribute *attr,
				 const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	size_t n;
	char *path;
	int ret;

	path = kstrndup(buf, len, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	/* one trailing newline, as echo writes it; no other */
	n = strlen(path);
	if (n && path[n - 1] == '\n')
		path[n - 1] = '\0';
	if (!*path || strchr(path, '\n')) {
		kfree(path);
		return -EINVAL;
	}
	down_write(&dev->init_lock);
	ret = zswapblk_backing_set(dev, path);
	up_write(&dev->init_lock);
	kfree(path);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(backing_dev);

static ssize_t compressed_writeback_show(struct device *d,
					 struct device_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  READ_ONCE(dev_to_zswapblk(d)->wb_compressed));
}

/* As zram: chosen before init, for every page the device writes back. */
static ssize_t compressed_writeback_store(struct device *d,
					  struct device_attribute *attr,
					  const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	ssize_t ret = len;
	bool val;

	if (kstrtobool(buf, &val))
		return -EINVAL;
	down_write(&dev->init_lock);
	if (zswapblk_init_done(dev))
		ret = -EBUSY;
	else
		WRITE_ONCE(dev->wb_compressed, val);
	up_write(&dev->init_lock);
	return ret;
}
static DEVICE_ATTR_RW(compressed_writeback);

VISIBLE_IF_KUNIT int zswapblk_parse_wb_type(const char *val,
					    unsigned int *mode)
{
	if (!strcmp(val, "idle"))
		*mode = ZSWAPBLK_WB_IDLE;
	else if (!strcmp(val, "huge"))
		*mode = ZSWAPBLK_WB_HUGE;
	else if (!strcmp(val, "huge_idle"))
		*mode = ZSWAPBLK_WB_HUGE | ZSWAPBLK_WB_IDLE;
	else if (!strcmp(val, "incompressible"))
		*mode = ZSWAPBLK_WB_INCOMPRESSIBLE;
	else
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_parse_wb_type);

/*
 * Parse a writeback command, zram's forms: "idle", "huge", "huge_idle",
 * "incompressible" (also as "type=..."), "page_index=N",
 * "page_indexes=A-B" (inclusive), a type and a range together.  @args is
 * modified.  Sets @mode (0 if no type), @range and, with a range, @lo and
 * @hi; the range is not checked against the disk size here.
 */
VISIBLE_IF_KUNIT int zswapblk_parse_wb_cmd(char *args, unsigned int *mode,
					   unsigned long *lo, unsigned long *hi,
					   bool *range)
{
	char *param, *val;
	int ret = 0;

	*mode = 0;
	*lo = 0;
	*hi = ULONG_MAX;
	*range = false;
	args = strim(args);
	if (!*args)
		return -EINVAL;
	while (*args && !ret) {
		args = next_arg(args, &param, &val);
		if (!val) {
			ret = *mode ? -EINVAL : zswapblk_parse_wb_type(param, mode);
		} else if (!strcmp(param, "type")) {
			ret = *mode ? -EINVAL : zswapblk_parse_wb_type(val, mode);
		} else if (!strcmp(param, "page_index") && !*range) {
			ret = kstrtoul(val, 10, lo) ? -EINVAL : 0;
			*hi = *lo;
			*range = true;
		} else if (!strcmp(param, "page_indexes") && !*range) {
			char *dash = strchr(val, '-');

			if (!dash)
				return -EINVAL;
			*dash = '\0';
			if (kstrtoul(val, 10, lo) ||
			    kstrtoul(dash + 1, 10, hi) || *hi < *lo)
				ret = -EINVAL;
			*range = true;
		} else {
			ret = -EINVAL;
		}
	}
	if (!ret && !*mode && !*range)
		ret = -EINVAL;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_parse_wb_cmd);

/*
 * A writeback command (see zswapblk_parse_wb_cmd()).  The run writes back
 * with many bios in flight and returns when all have completed.
 */
static ssize_t writeback_store(struct device *d, struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	unsigned long lo, hi;
	unsigned int mode;
	bool range;
	char *copy;
	int ret;

	copy = kstrndup(buf, len, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	ret = zswapblk_parse_wb_cmd(copy, &mode, &lo, &hi, &range);
	kfree(copy);
	if (ret)
		return ret;

	down_read(&dev->init_lock);
	if (!zswapblk_init_done(dev))
		ret = -EINVAL;
	else if (range && hi >= dev->nr_pages)
		ret = -EINVAL;
	else
		ret = zswapblk_writeback(dev, mode, lo, hi);
	up_read(&dev->init_lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_WO(writeback);

/*
 * "all", or an age in seconds: pages not used for longer than that become
 * idle.  Access times have a resolution of one second, so the cutoff is one
 * second earlier: a page younger than the age is never marked.  @now is the
 * current zswapblk_now(); the cutoff (U32_MAX for "all") goes to @cutoff.
 */
VISIBLE_IF_KUNIT int zswapblk_parse_idle(const char *buf, u32 now,
					 u32 *cutoff)
{
	unsigned int age;

	if (sysfs_streq(buf, "all")) {
		*cutoff = U32_MAX;
		return 0;
	}
	if (kstrtouint(buf, 10, &age))
		return -EINVAL;
	*cutoff = now > age ? now - age - 1 : 0;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_parse_idle);

static ssize_t idle_store(struct device *d, struct device_attribute *attr,
			  const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	u32 cutoff;
	int ret;

	ret = zswapblk_parse_idle(buf, zswapblk_now(), &cutoff);
	if (ret)
		return ret;
	down_read(&dev->init_lock);
	if (zswapblk_init_done(dev))
		zswapblk_mark_idle(dev, cutoff);
	else
		ret = -EINVAL;
	up_read(&dev->init_lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_WO(idle);

static ssize_t writeback_limit_enable_show(struct device *d,
					   struct device_attribute *attr,
					   char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  READ_ONCE(dev_to_zswapblk(d)->wb_limit_enable));
}

static ssize_t writeback_limit_enable_store(struct device *d,
					    struct device_attribute *attr,
					    const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	unsigned long flags;
	u64 val;

	if (kstrtoull(buf, 10, &val))
		return -EINVAL;
	spin_lock_irqsave(&dev->bd_lock, flags);
	dev->wb_limit_enable = val;
	spin_unlock_irqrestore(&dev->bd_lock, flags);
	return len;
}
static DEVICE_ATTR_RW(writeback_limit_enable);

static ssize_t writeback_limit_show(struct device *d,
				    struct device_attribute *attr, char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	unsigned long flags;
	u64 val;

	spin_lock_irqsave(&dev->bd_lock, flags);
	val = dev->wb_limit;
	spin_unlock_irqrestore(&dev->bd_lock, flags);
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t writeback_limit_store(struct device *d,
				     struct device_attribute *attr,
				     const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	unsigned long flags;
	u64 val;

	if (kstrtoull(buf, 10, &val))
		return -EINVAL;
	spin_lock_irqsave(&dev->bd_lock, flags);
	dev->wb_limit = val;
	spin_unlock_irqrestore(&dev->bd_lock, flags);
	return len;
}
static DEVICE_ATTR_RW(writeback_limit);

/* An unsigned int attribute of the writeback policy within [min, max]. */
static ssize_t zswapblk_store_uint(const char *buf, size_t len,
				   unsigned int *field, unsigned int min,
				   unsigned int max)
{
	unsigned int val;

	if (kstrtouint(buf, 10, &val) || val < min || val > max)
		return -EINVAL;
	WRITE_ONCE(*field, val);
	return len;
}

static ssize_t writeback_batch_size_show(struct device *d,
					 struct device_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(dev_to_zswapblk(d)->wb_batch));
}

static ssize_t writeback_batch_size_store(struct device *d,
					  struct device_attribute *attr,
					  const char *buf, size_t len)
{
	return zswapblk_store_uint(buf, len, &dev_to_zswapblk(d)->wb_batch, 1,
				   ZSWAPBLK_WB_BATCH_MAX);
}
static DEVICE_ATTR_RW(writeback_batch_size);

static ssize_t writeback_age_show(struct device *d,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(dev_to_zswapblk(d)->wb_age));
}

static ssize_t writeback_age_store(struct device *d,
				   struct device_attribute *attr,
				   const char *buf, size_t len)
{
	return zswapblk_store_uint(buf, len, &dev_to_zswapblk(d)->wb_age, 0,
				   ZSWAPBLK_WB_AGE_MAX);
}
static DEVICE_ATTR_RW(writeback_age);

static ssize_t writeback_rate_show(struct device *d,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(dev_to_zswapblk(d)->wb_rate));
}

static ssize_t writeback_rate_store(struct device *d,
				    struct device_attribute *attr,
				    const char *buf, size_t len)
{
	return zswapblk_store_uint(buf, len, &dev_to_zswapblk(d)->wb_rate, 0,
				   UINT_MAX);
}
static DEVICE_ATTR_RW(writeback_rate);

static ssize_t zswapblk_wmark_show(struct zswapblk_wmark *wm, char *buf)
{
	if (READ_ONCE(wm->pct))
		return sysfs_emit(buf, "%llu%%\n", READ_ONCE(wm->val));
	return sysfs_emit(buf, "%llu\n", READ_ONCE(wm->val));
}

/* "N%" of mem_limit (0 to 100), a size in bytes, or 0 to turn it off. */
VISIBLE_IF_KUNIT int zswapblk_parse_wmark(const char *buf,
					  struct zswapblk_wmark *wm)
{
	size_t n = strcspn(buf, "\n");
	char num[24];

	wm->val = 0;
	wm->pct = false;
	if (buf[n] == '\n' && buf[n + 1])
		return -EINVAL;		/* only a trailing newline */
	if (n && buf[n - 1] == '%') {
		if (n - 1 >= sizeof(num))
			return -EINVAL;
		memcpy(num, buf, n - 1);
		num[n - 1] = '\0';
		if (kstrtoull(num, 10, &wm->val) || wm->val > 100)
			return -EINVAL;
		wm->pct = true;
	} else if (zswapblk_parse_size(buf, &wm->val)) {
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_parse_wmark);

static ssize_t zswapblk_wmark_store(struct zswapblk_dev *dev,
				    struct zswapblk_wmark *wm,
				    const char *buf, size_t len)
{
	struct zswapblk_wmark new;

	if (zswapblk_parse_wmark(buf, &new))
		return -EINVAL;
	down_write(&dev->init_lock);
	WRITE_ONCE(wm->val, new.val);
	WRITE_ONCE(wm->pct, new.pct);
	up_write(&dev->init_lock);
	return len;
}

static ssize_t writeback_wmark_low_show(struct device *d,
					struct device_attribute *attr,
					char *buf)
{
	return zswapblk_wmark_show(&dev_to_zswapblk(d)->wb_low, buf);
}

static ssize_t writeback_wmark_low_store(struct device *d,
					 struct device_attribute *attr,
					 const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);

	return zswapblk_wmark_store(dev, &dev->wb_low, buf, len);
}
static DEVICE_ATTR_RW(writeback_wmark_low);

static ssize_t writeback_wmark_high_show(struct device *d,
					 struct device_attribute *attr,
					 char *buf)
{
	return zswapblk_wmark_show(&dev_to_zswapblk(d)->wb_high, buf);
}

static ssize_t writeback_wmark_high_store(struct device *d,
					  struct device_attribute *attr,
					  const char *buf, size_t len)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);

	return zswapblk_wmark_store(dev, &dev->wb_high, buf, len);
}
static DEVICE_ATTR_RW(writeback_wmark_high);

static const char * const zswapblk_direct_names[] = {
	[ZSWAPBLK_DIRECT_NONE]	= "none",
	[ZSWAPBLK_DIRECT_HUGE]	= "huge",
	[ZSWAPBLK_DIRECT_ALL]	= "all",
};

static ssize_t writeback_direct_show(struct device *d,
				     struct device_attribute *attr, char *buf)
{
	enum zswapblk_wb_direct cur = READ_ONCE(dev_to_zswapblk(d)->wb_direct);
	ssize_t at = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(zswapblk_direct_names); i++)
		at += sysfs_emit_at(buf, at, i == cur ? "[%s] " : "%s ",
				    zswapblk_direct_names[i]);
	return at + sysfs_emit_at(buf, at, "\n");
}

static ssize_t writeback_direct_store(struct device *d,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	int i = sysfs_match_string(zswapblk_direct_names, buf);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(dev_to_zswapblk(d)->wb_direct, i);
	return len;
}
static DEVICE_ATTR_RW(writeback_direct);

/* zram's three columns in 4 KiB units, then ours. */
static ssize_t bd_stat_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct zswapblk_dev *dev = dev_to_zswapblk(d);
	struct zswapblk_stats *st = &dev->stats;

	return sysfs_emit(buf,
			  "%8llu %8llu %8llu %8d %8llu %8llu %8llu %8llu %8llu %8llu\n",
			  ZSWAPBLK_FOUR_K((u64)atomic64_read(&st->bd_count)),
			  ZSWAPBLK_FOUR_K((u64)atomic64_read(&st->bd_reads)),
			  ZSWAPBLK_FOUR_K((u64)atomic64_read(&st->bd_writes)),
			  atomic_read(&dev->wb_inflight),
			  (u64)atomic64_read(&st->bd_failed_reads),
			  (u64)atomic64_read(&st->bd_failed_writes),
			  (u64)atomic64_read(&st->bd_spills),
			  (u64)atomic64_read(&st->wb_age_runs),
			  (u64)atomic64_read(&st->wb_wmark_runs),
			  (u64)atomic64_read(&st->bd_pages));
}
static DEVICE_ATTR_RO(bd_stat);

static struct attribute *zswapblk_disk_attrs[] = {
	&dev_attr_disksize.attr,
	&dev_attr_initstate.attr,
	&dev_attr_reset.attr,
	&dev_attr_comp_algorithm.attr,
	&dev_attr_algorithm_params.attr,
	&dev_attr_mem_limit.attr,
	&dev_attr_mem_used_max.attr,
	&dev_attr_compact.attr,
	&dev_attr_mm_stat.attr,
	&dev_attr_io_stat.attr,
	&dev_attr_debug_stat.attr,
	&dev_attr_features.attr,
	&dev_attr_completion_hold.attr,
	&dev_attr_verify_stable.attr,
	&dev_attr_backing_dev.attr,
	&dev_attr_writeback.attr,
	&dev_attr_idle.attr,
	&dev_attr_writeback_limit_enable.attr,
	&dev_attr_writeback_limit.attr,
	&dev_attr_writeback_batch_size.attr,
	&dev_attr_writeback_age.attr,
	&dev_attr_writeback_rate.attr,
	&dev_attr_writeback_wmark_low.attr,
	&dev_attr_writeback_wmark_high.attr,
	&dev_attr_writeback_direct.attr,
	&dev_attr_compressed_writeback.attr,
	&dev_attr_bd_stat.attr,
	NULL,
};

static const struct attribute_group zswapblk_disk_group = {
	.attrs = zswapblk_disk_attrs,
};

const struct attribute_group *zswapblk_disk_groups[] = {
	&zswapblk_disk_group,
	NULL,
};
