// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of zswapblk's internals: the slot table (flags, the lock bit,
 * the packed object size), same-filled page detection, the zero bitmap,
 * storing and loading pages through every compression backend, and the
 * parsers of the sysfs attributes.
 *
 * Built only for a kernel with KUnit, as the module zswapblk_kunit; it needs
 * zswapblk loaded first, whose internals it reaches through
 * EXPORT_SYMBOL_IF_KUNIT.  The suites run when the module is loaded; the
 * results are in dmesg (KTAP) and /sys/kernel/debug/kunit/<suite>/results.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/zsmalloc.h>

#include "zswapblk.h"

#define KT_SLOTS	16

/* A device with a table and nothing else: enough for the slot helpers. */
static struct zswapblk_dev *kt_dev_create(struct kunit *test)
{
	struct zswapblk_dev *dev;

	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, zswapblk_table_create(dev, KT_SLOTS), 0);
	return dev;
}

static void *kt_page(struct kunit *test)
{
	void *p = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

/* --- the slot table ------------------------------------------------------ */

static void kt_table_create(struct kunit *test)
{
	struct zswapblk_dev *dev = kt_dev_create(test);
	unsigned long i;

	KUNIT_EXPECT_EQ(test, dev->nr_pages, KT_SLOTS);
	KUNIT_ASSERT_NOT_NULL(test, dev->table);
	KUNIT_ASSERT_NOT_NULL(test, dev->zero_map);
	for (i = 0; i < KT_SLOTS; i++) {
		KUNIT_EXPECT_EQ(test, dev->table[i].handle, 0UL);
		KUNIT_EXPECT_EQ(test, dev->table[i].flags, 0UL);
	}
	KUNIT_EXPECT_EQ(test, find_first_bit(dev->zero_map, KT_SLOTS),
			(unsigned long)KT_SLOTS);
	zswapblk_table_destroy(dev);
	KUNIT_EXPECT_NULL(test, dev->table);
	KUNIT_EXPECT_NULL(test, dev->zero_map);
	KUNIT_EXPECT_EQ(test, dev->nr_pages, 0UL);
}

static const enum zswapblk_slot_flag kt_flags[] = {
	ZSWAPBLK_SLOT_SAME, ZSWAPBLK_SLOT_HUGE, ZSWAPBLK_SLOT_INCOMPRESSIBLE,
	ZSWAPBLK_SLOT_WB, ZSWAPBLK_SLOT_UNDER_WB, ZSWAPBLK_SLOT_IDLE,
};

static void kt_slot_flags(struct kunit *test)
{
	struct zswapblk_dev *dev = kt_dev_create(test);
	int i, j;

	/* the size field holds PAGE_SIZE, and no flag overlaps it */
	KUNIT_EXPECT_GT(test, BIT(ZSWAPBLK_FLAG_SHIFT), PAGE_SIZE);
	KUNIT_EXPECT_LE(test, (int)__NR_ZSWAPBLK_SLOT_FLAGS, BITS_PER_LONG);
	for (i = 0; i < ARRAY_SIZE(kt_flags); i++)
		KUNIT_EXPECT_GT(test, (int)kt_flags[i], (int)ZSWAPBLK_SLOT_LOCK);

	for (i = 0; i < ARRAY_SIZE(kt_flags); i++) {
		zswapblk_set_flag(dev, 1, kt_flags[i]);
		for (j = 0; j < ARRAY_SIZE(kt_flags); j++)
			KUNIT_EXPECT_EQ_MSG(test,
					    zswapblk_test_flag(dev, 1, kt_flags[j]),
					    (bool)(j == i), "flag %d set, testing %d",
					    kt_flags[i], kt_flags[j]);
		KUNIT_EXPECT_EQ(test, zswapblk_slot_size(dev, 1), 0UL);
		zswapblk_clear_flag(dev, 1, kt_flags[i]);
		KUNIT_EXPECT_EQ(test, dev->table[1].flags, 0UL);
	}
	/* neighbours are untouched */
	zswapblk_set_flag(dev, 2, ZSWAPBLK_SLOT_HUGE);
	KUNIT_EXPECT_EQ(test, dev->table[1].flags, 0UL);
	KUNIT_EXPECT_EQ(test, dev->table[3].flags, 0UL);
	zswapblk_table_destroy(dev);
}

static void kt_slot_size(struct kunit *test)
{
	static const size_t sizes[] = { 0, 1, 37, PAGE_SIZE / 2, PAGE_SIZE - 1,
					PAGE_SIZE };
	struct zswapblk_dev *dev = kt_dev_create(test);
	int i;

	zswapblk_set_flag(dev, 0, ZSWAPBLK_SLOT_HUGE);
	zswapblk_set_flag(dev, 0, ZSWAPBLK_SLOT_IDLE);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		zswapblk_slot_set_size(dev, 0, sizes[i]);
		KUNIT_EXPECT_EQ(test, zswapblk_slot_size(dev, 0),
				(unsigned long)sizes[i]);
		/* the flags survive a new size */
		KUNIT_EXPECT_TRUE(test, zswapblk_test_flag(dev, 0,
							   ZSWAPBLK_SLOT_HUGE));
		KUNIT_EXPECT_TRUE(test, zswapblk_test_flag(dev, 0,
							   ZSWAPBLK_SLOT_IDLE));
		KUNIT_EXPECT_FALSE(test, zswapblk_test_flag(dev, 0,
							    ZSWAPBLK_SLOT_SAME));
	}
	/* and the size survives flag changes */
	zswapblk_clear_flag(dev, 0, ZSWAPBLK_SLOT_HUGE);
	zswapblk_set_flag(dev, 0, ZSWAPBLK_SLOT_WB);
	KUNIT_EXPECT_EQ(test, zswapblk_slot_size(dev, 0), PAGE_SIZE);
	/* a written-back page's offset lives above the flags */
	zswapblk_slot_set_size(dev, 0, 1234);
	zswapblk_slot_set_wb_off(dev, 0, PAGE_SIZE - 1);
	KUNIT_EXPECT_EQ(test, zswapblk_slot_wb_off(dev, 0), PAGE_SIZE - 1);
	KUNIT_EXPECT_EQ(test, zswapblk_slot_size(dev, 0), 1234UL);
	KUNIT_EXPECT_TRUE(test, zswapblk_test_flag(dev, 0, ZSWAPBLK_SLOT_WB));
	KUNIT_EXPECT_TRUE(test, zswapblk_test_flag(dev, 0, ZSWAPBLK_SLOT_IDLE));
	zswapblk_clear_flag(dev, 0, ZSWAPBLK_SLOT_IDLE);
	zswapblk_slot_set_size(dev, 0, 99);
	KUNIT_EXPECT_EQ(test, zswapblk_slot_wb_off(dev, 0), PAGE_SIZE - 1);
	zswapblk_slot_set_wb_off(dev, 0, 0);
	KUNIT_EXPECT_EQ(test, zswapblk_slot_wb_off(dev, 0), 0U);
	KUNIT_EXPECT_EQ(test, zswapblk_slot_size(dev, 0), 99UL);
	dev->table[0].flags = 0;
	zswapblk_table_destroy(dev);
}

/*
 * The slot lock is a bit spinlock: nothing that may sleep (a failed
 * expectation allocates) runs while it is held, so the results are taken
 * under the lock and checked after.
 */
static void kt_slot_lock(struct kunit *test)
{
	struct zswapblk_dev *dev = kt_dev_create(test);
	bool locked, again, other;
	unsigned long held, size, freed;

	locked = zswapblk_slot_trylock(dev, 4);
	KUNIT_ASSERT_TRUE(test, locked);
	held = dev->table[4].flags;
	/* held: a second try fails, another slot's lock is free */
	again = zswapblk_slot_trylock(dev, 4);
	other = zswapblk_slot_trylock(dev, 5);
	if (other)
		zswapblk_slot_unlock(dev, 5);
	/* changes under the lock keep it held */
	zswapblk_set_flag(dev, 4, ZSWAPBLK_SLOT_IDLE);
	zswapblk_slot_set_size(dev, 4, 100);
	zswapblk_clear_flag(dev, 4, ZSWAPBLK_SLOT_IDLE);
	size = dev->table[4].flags;
	/* freeing clears everything but the lock */
	zswapblk_set_flag(dev, 4, ZSWAPBLK_SLOT_IDLE);
	zswapblk_slot_free(dev, 4);
	freed = dev->table[4].flags;
	zswapblk_slot_unlock(dev, 4);

	KUNIT_EXPECT_EQ(test, held, BIT(ZSWAPBLK_SLOT_LOCK));
	KUNIT_EXPECT_FALSE(test, again);
	KUNIT_EXPECT_TRUE(test, other);
	KUNIT_EXPECT_EQ(test, size, BIT(ZSWAPBLK_SLOT_LOCK) | 100);
	KUNIT_EXPECT_EQ(test, freed, BIT(ZSWAPBLK_SLOT_LOCK));
	KUNIT_EXPECT_EQ(test, dev->table[4].flags, 0UL);
	KUNIT_EXPECT_EQ(test, dev->table[5].flags, 0UL);

	zswapblk_slot_lock(dev, 4);
	again = zswapblk_slot_trylock(dev, 4);
	zswapblk_slot_unlock(dev, 4);
	KUNIT_EXPECT_FALSE(test, again);
	locked = zswapblk_slot_trylock(dev, 4);
	if (locked)
		zswapblk_slot_unlock(dev, 4);
	KUNIT_EXPECT_TRUE(test, locked);
	zswapblk_table_destroy(dev);
}

/* --- same-filled pages ---------------------------------------------------- */

static void kt_same_filled(struct kunit *test)
{
	unsigned long *p = kt_page(test), value;
	const unsigned long word = 0x0123456789abcdefUL;
	u8 *b = (u8 *)p;

	memset(p, 0, PAGE_SIZE);
	value = 1;
	KUNIT_EXPECT_TRUE(test, zswapblk_page_same_filled(p, &value));
	KUNIT_EXPECT_EQ(test, value, 0UL);

	/* zeros but one byte: first, middle, last */
	b[0] = 1;
	KUNIT_EXPECT_FALSE(test, zswapblk_page_same_filled(p, &value));
	b[0] = 0;
	b[PAGE_SIZE / 2 + 3] = 0x80;
	KUNIT_EXPECT_FALSE(test, zswapblk_page_same_filled(p, &value));
	b[PAGE_SIZE / 2 + 3] = 0;
	b[PAGE_SIZE - 1] = 0xff;
	KUNIT_EXPECT_FALSE(test, zswapblk_page_same_filled(p, &value));

	memset_l(p, word, PAGE_SIZE / sizeof(long));
	value = 0;
	KUNIT_EXPECT_TRUE(test, zswapblk_page_same_filled(p, &value));
	KUNIT_EXPECT_EQ(test, value, word);

	/* one repeated word but one byte */
	b[PAGE_SIZE - 1] ^= 1;
	KUNIT_EXPECT_FALSE(test, zswapblk_page_same_filled(p, &value));
	b[PAGE_SIZE - 1] ^= 1;
	b[0] ^= 0x10;
	KUNIT_EXPECT_FALSE(test, zswapblk_page_same_filled(p, &value));
	b[0] ^= 0x10;
	b[sizeof(long) + 1] ^= 0x10;
	KUNIT_EXPECT_FALSE(test, zswapblk_page_same_filled(p, &value));
	b[sizeof(long) + 1] ^= 0x10;
	b[PAGE_SIZE - sizeof(long) - 1] ^= 0x10;
	KUNIT_EXPECT_FALSE(test, zswapblk_page_same_filled(p, &value));
	b[PAGE_SIZE - sizeof(long) - 1] ^= 0x10;
	KUNIT_EXPECT_TRUE(test, zswapblk_page_same_filled(p, &value));

	/* a repeated byte is a repeated word; all ones too */
	memset(p, 0xa5, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, zswapblk_page_same_filled(p, &value));
	KUNIT_EXPECT_EQ(test, value, 0xa5a5a5a5a5a5a5a5UL);
	memset(p, 0xff, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, zswapblk_page_same_filled(p, &value));
	KUNIT_EXPECT_EQ(test, value, ~0UL);
}

/* --- the zero bitmap and same-filled slots -------------------------------- */

static void kt_expect_page(struct kunit *test, const unsigned long *p,
			   unsigned long word)
{
	unsigned int i, bad = 0;

	for (i = 0; i < PAGE_SIZE / sizeof(long); i++)
		bad += p[i] != word;
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "words differing from %lx", word);
}

static void kt_zero_map(struct kunit *test)
{
	struct zswapblk_dev *dev = kt_dev_create(test);
	struct zswapblk_stats *st = &dev->stats;
	unsigned long *src = kt_page(test), *dst = kt_page(test);
	const unsigned long word = 0xdeadbeefcafef00dUL;
	struct zswapblk_bd_ref ref;

	/* a zero page: its bit, no handle, no flag */
	memset(src, 0, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zswapblk_write_page(dev, 3, src, NULL, NULL), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(3, dev->zero_map));
	KUNIT_EXPECT_EQ(test, find_first_bit(dev->zero_map, KT_SLOTS), 3UL);
	KUNIT_EXPECT_EQ(test, find_next_bit(dev->zero_map, KT_SLOTS, 4),
			(unsigned long)KT_SLOTS);
	KUNIT_EXPECT_EQ(test, dev->table[3].handle, 0UL);
	KUNIT_EXPECT_FALSE(test, zswapblk_test_flag(dev, 3, ZSWAPBLK_SLOT_SAME));
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->zero_pages), 1LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->same_pages), 1LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->pages_stored), 1LL);
	memset(dst, 0x5a, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zswapblk_read_page(dev, 3, dst, &ref), 0);
	kt_expect_page(test, dst, 0);

	/* a same-filled page over it: the word in the handle, bit cleared */
	memset_l(src, word, PAGE_SIZE / sizeof(long));
	KUNIT_ASSERT_EQ(test, zswapblk_write_page(dev, 3, src, NULL, NULL), 0);
	KUNIT_EXPECT_FALSE(test, test_bit(3, dev->zero_map));
	KUNIT_EXPECT_TRUE(test, zswapblk_test_flag(dev, 3, ZSWAPBLK_SLOT_SAME));
	KUNIT_EXPECT_EQ(test, dev->table[3].handle, word);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->zero_pages), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->same_pages), 1LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->pages_stored), 1LL);
	KUNIT_EXPECT_EQ(test, zswapblk_read_page(dev, 3, dst, &ref), 0);
	kt_expect_page(test, dst, word);

	/* and zeros again */
	memset(src, 0, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zswapblk_write_page(dev, 3, src, NULL, NULL), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(3, dev->zero_map));
	KUNIT_EXPECT_FALSE(test, zswapblk_test_flag(dev, 3, ZSWAPBLK_SLOT_SAME));
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->zero_pages), 1LL);

	/* a never written slot reads as zeros and stores nothing */
	memset(dst, 0x5a, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zswapblk_read_page(dev, KT_SLOTS - 1, dst, &ref),
			0);
	kt_expect_page(test, dst, 0);
	KUNIT_EXPECT_FALSE(test, test_bit(KT_SLOTS - 1, dev->zero_map));

	/* freeing undoes the accounting */
	zswapblk_slot_free(dev, 3);
	KUNIT_EXPECT_FALSE(test, test_bit(3, dev->zero_map));
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->zero_pages), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->same_pages), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->pages_stored), 0LL);
	zswapblk_slot_free(dev, 3);	/* twice is harmless */
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->pages_stored), 0LL);

	/* the last slot: the bitmap covers the whole table */
	KUNIT_ASSERT_EQ(test, zswapblk_write_page(dev, KT_SLOTS - 1, src, NULL,
						  NULL), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(KT_SLOTS - 1, dev->zero_map));
	zswapblk_table_destroy(dev);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->zero_pages), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->pages_stored), 0LL);
}

/* --- storing and loading through the pool, every backend ------------------ */

static const char * const kt_backends[] = { "lzo", "lzo-rle", "lz4", "zstd" };

static void kt_backend_desc(const char * const *name, char *desc)
{
	strscpy(desc, *name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_backend, kt_backends, kt_backend_desc);

/* Text-like data: compresses well, and is not same-filled. */
static void kt_fill_text(u8 *p)
{
	static const char words[] = "swap pages compressed in memory ";
	unsigned int i;

	for (i = 0; i < PAGE_SIZE; i++)
		p[i] = words[(i * 7 + i / 64) % (sizeof(words) - 1)];
}

static void kt_pool_roundtrip(struct kunit *test)
{
	const char *name = *(const char * const *)test->param_value;
	const struct zswapblk_backend *b = zswapblk_backend_find(name);
	struct zswapblk_dev *dev = kt_dev_create(test);
	struct zswapblk_stats *st = &dev->stats;
	u8 *src = kt_page(test), *dst = kt_page(test), *rnd = kt_page(test);
	struct zswapblk_bd_ref ref;
	char pool_name[32];
	unsigned long size;
	unsigned int copied;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_STREQ(test, b->name, name);
	dev->backend = b;
	dev->level = b->default_level;
	dev->comp = zswapblk_comp_create(b, b->default_level);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev->comp);
	snprintf(pool_name, sizeof(pool_name), "zswapblk-kunit-%s", name);
	dev->pool = zs_create_pool(pool_name);
	if (!dev->pool) {
		zswapblk_comp_destroy(dev->comp);
		KUNIT_FAIL_AND_ABORT(test, "zs_create_pool failed");
	}
	dev->huge_class_size = zs_huge_class_size(dev->pool);

	/* compressible: in the pool, smaller than a page, not huge */
	kt_fill_text(src);
	KUNIT_EXPECT_EQ(test, zswapblk_write_page(dev, 0, src, NULL, NULL), 0);
	size = zswapblk_slot_size(dev, 0);
	KUNIT_EXPECT_NE(test, dev->table[0].handle, 0UL);
	KUNIT_EXPECT_GT(test, size, 0UL);
	KUNIT_EXPECT_LT(test, size, (unsigned long)dev->huge_class_size);
	KUNIT_EXPECT_FALSE(test, zswapblk_test_flag(dev, 0, ZSWAPBLK_SLOT_HUGE));
	KUNIT_EXPECT_FALSE(test, zswapblk_test_flag(dev, 0, ZSWAPBLK_SLOT_SAME));
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->compr_data_size), (s64)size);
	memset(dst, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zswapblk_read_page(dev, 0, dst, &ref), 0);
	KUNIT_EXPECT_MEMEQ(test, dst, src, PAGE_SIZE);

	/*
	 * As compressed_writeback sends it to disk and reads it back: copied
	 * as stored, split across the end of one block and the start of the
	 * next, then decompressed; half of it is an error, not a page.
	 */
	memset(dst, 0x5a, PAGE_SIZE);
	zswapblk_slot_lock(dev, 0);
	copied = zswapblk_slot_copy(dev, 0, rnd, size / 3,
				    rnd + PAGE_SIZE - (size - size / 3));
	zswapblk_slot_unlock(dev, 0);
	KUNIT_EXPECT_EQ(test, copied, (unsigned int)size);
	memmove(rnd + size / 3, rnd + PAGE_SIZE - (size - size / 3),
		size - size / 3);
	KUNIT_EXPECT_EQ(test, zswapblk_decompress(dev, rnd, size, dst), 0);
	KUNIT_EXPECT_MEMEQ(test, dst, src, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zswapblk_decompress(dev, rnd, size / 2, dst), -EIO);

	/* random data: stored raw, huge and incompressible */
	get_random_bytes(rnd, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zswapblk_write_page(dev, 1, rnd, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, zswapblk_slot_size(dev, 1), PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, zswapblk_test_flag(dev, 1, ZSWAPBLK_SLOT_HUGE));
	KUNIT_EXPECT_TRUE(test, zswapblk_test_flag(dev, 1,
						   ZSWAPBLK_SLOT_INCOMPRESSIBLE));
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->huge_pages), 1LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->compr_data_size),
			(s64)(size + PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, zswapblk_read_page(dev, 1, dst, &ref), 0);
	KUNIT_EXPECT_MEMEQ(test, dst, rnd, PAGE_SIZE);

	/* a same-filled page next to them */
	memset(dst, 0x11, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zswapblk_write_page(dev, 2, dst, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->pages_stored), 3LL);

	/* writeback eligibility by mode, and idle marking */
	KUNIT_EXPECT_TRUE(test, zswapblk_wb_eligible(dev, 0, 0, 0));
	KUNIT_EXPECT_FALSE(test, zswapblk_wb_eligible(dev, 0, ZSWAPBLK_WB_HUGE, 0));
	KUNIT_EXPECT_TRUE(test, zswapblk_wb_eligible(dev, 1, ZSWAPBLK_WB_HUGE, 0));
	KUNIT_EXPECT_TRUE(test, zswapblk_wb_eligible(dev, 1,
						     ZSWAPBLK_WB_INCOMPRESSIBLE, 0));
	KUNIT_EXPECT_FALSE(test, zswapblk_wb_eligible(dev, 0, ZSWAPBLK_WB_IDLE, 0));
	KUNIT_EXPECT_FALSE(test, zswapblk_wb_eligible(dev, 2, 0, 0));
	KUNIT_EXPECT_FALSE(test, zswapblk_wb_eligible(dev, 3, 0, 0));
	KUNIT_EXPECT_TRUE(test, zswapblk_wb_eligible(dev, 0, ZSWAPBLK_WB_AGE,
						     U32_MAX));
	KUNIT_EXPECT_FALSE(test, zswapblk_wb_eligible(dev, 0, ZSWAPBLK_WB_AGE,
						      dev->table[0].ac_time - 1));
	zswapblk_mark_idle(dev, U32_MAX);
	KUNIT_EXPECT_TRUE(test, zswapblk_test_flag(dev, 0, ZSWAPBLK_SLOT_IDLE));
	KUNIT_EXPECT_TRUE(test, zswapblk_test_flag(dev, 1, ZSWAPBLK_SLOT_IDLE));
	KUNIT_EXPECT_FALSE(test, zswapblk_test_flag(dev, 2, ZSWAPBLK_SLOT_IDLE));
	KUNIT_EXPECT_TRUE(test, zswapblk_wb_eligible(dev, 1,
						     ZSWAPBLK_WB_HUGE | ZSWAPBLK_WB_IDLE,
						     0));
	zswapblk_set_flag(dev, 1, ZSWAPBLK_SLOT_UNDER_WB);
	KUNIT_EXPECT_FALSE(test, zswapblk_wb_eligible(dev, 1, 0, 0));
	zswapblk_clear_flag(dev, 1, ZSWAPBLK_SLOT_UNDER_WB);
	/* a read clears the mark; a cutoff before the access clears it too */
	KUNIT_EXPECT_EQ(test, zswapblk_read_page(dev, 0, dst, &ref), 0);
	KUNIT_EXPECT_FALSE(test, zswapblk_test_flag(dev, 0, ZSWAPBLK_SLOT_IDLE));
	zswapblk_mark_idle(dev, 0);
	KUNIT_EXPECT_FALSE(test, zswapblk_test_flag(dev, 1, ZSWAPBLK_SLOT_IDLE));

	/* rewriting a slot frees the old object */
	KUNIT_EXPECT_EQ(test, zswapblk_write_page(dev, 1, src, NULL, NULL), 0);
	KUNIT_EXPECT_FALSE(test, zswapblk_test_flag(dev, 1, ZSWAPBLK_SLOT_HUGE));
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->huge_pages), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->compr_data_size),
			(s64)(2 * size));
	KUNIT_EXPECT_EQ(test, zswapblk_read_page(dev, 1, dst, &ref), 0);
	KUNIT_EXPECT_MEMEQ(test, dst, src, PAGE_SIZE);

	zswapblk_table_destroy(dev);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->compr_data_size), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->pages_stored), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->same_pages), 0LL);
	KUNIT_EXPECT_EQ(test, zs_get_total_pages(dev->pool), 0UL);
	zs_destroy_pool(dev->pool);
	zswapblk_comp_destroy(dev->comp);
}

static struct kunit_case kt_slot_cases[] = {
	KUNIT_CASE(kt_table_create),
	KUNIT_CASE(kt_slot_flags),
	KUNIT_CASE(kt_slot_size),
	KUNIT_CASE(kt_slot_lock),
	KUNIT_CASE(kt_same_filled),
	KUNIT_CASE(kt_zero_map),
	KUNIT_CASE_PARAM(kt_pool_roundtrip, kt_backend_gen_params),
	{}
};

static struct kunit_suite kt_slot_suite = {
	.name = "zswapblk_slots",
	.test_cases = kt_slot_cases,
};

/* --- the attribute parsers ------------------------------------------------ */

struct kt_size_case {
	const char *in;
	int ret;
	u64 val;
};

static void kt_parse_size(struct kunit *test)
{
	static const struct kt_size_case cases[] = {
		{ "0", 0, 0 },
		{ "4096", 0, 4096 },
		{ "4096\n", 0, 4096 },
		{ "1k", 0, 1ULL << 10 },
		{ "1K", 0, 1ULL << 10 },
		{ "3m\n", 0, 3ULL << 20 },
		{ "2M", 0, 2ULL << 20 },
		{ "1G", 0, 1ULL << 30 },
		{ "5t", 0, 5ULL << 40 },
		{ "1P", 0, 1ULL << 50 },
		{ "15E", 0, 15ULL << 60 },
		{ "18446744073709551615", 0, U64_MAX },
		{ "16E", -EINVAL },
		{ "16777216T", -EINVAL },
		{ "18446744073709551616", -EINVAL },
		{ "", -EINVAL },
		{ "\n", -EINVAL },
		{ "k", -EINVAL },
		{ "-1", -EINVAL },
		{ "+1", -EINVAL },
		{ " 1", -EINVAL },
		{ "1 ", -EINVAL },
		{ "1x", -EINVAL },
		{ "1KB", -EINVAL },
		{ "1kk", -EINVAL },
		{ "1\n\n", -EINVAL },
		{ "1\nx", -EINVAL },
		{ "1234567890123456789012345678901234567890", -EINVAL },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 val = 12345;
		int ret = zswapblk_parse_size(cases[i].in, &val);

		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "input '%s'",
				    cases[i].in);
		if (!cases[i].ret && !ret)
			KUNIT_EXPECT_EQ_MSG(test, val, cases[i].val,
					    "input '%s'", cases[i].in);
	}
}

static void kt_parse_disksize(struct kunit *test)
{
	static const struct kt_size_case cases[] = {
		{ "1", 0, PAGE_SIZE },
		{ "4096", 0, PAGE_SIZE },
		{ "4097", 0, 2 * PAGE_SIZE },
		{ "256M\n", 0, 256ULL << 20 },
		{ "7E", 0, 7ULL << 60 },
		{ "0", -EINVAL },
		{ "8E", -EINVAL },
		{ "9223372036854771712", -EINVAL },
		{ "9223372036854771711", 0, 9223372036854771712ULL },
		{ "1.5G", -EINVAL },
		{ "", -EINVAL },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 val = 0;
		int ret = zswapblk_parse_disksize(cases[i].in, &val);

		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "input '%s'",
				    cases[i].in);
		if (!cases[i].ret && !ret)
			KUNIT_EXPECT_EQ_MSG(test, val, cases[i].val,
					    "input '%s'", cases[i].in);
	}
}

static void kt_parse_mem_limit(struct kunit *test)
{
	static const struct kt_size_case cases[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1 },
		{ "4096", 0, 1 },
		{ "4097\n", 0, 2 },
		{ "1M", 0, (1 << 20) / PAGE_SIZE },
		{ "2G", 0, (2ULL << 30) / PAGE_SIZE },
		{ "16E", -EINVAL },
		{ "18446744073709551615", -EINVAL },
		{ "-4096", -EINVAL },
		{ "x", -EINVAL },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long pages = 999;
		int ret = zswapblk_parse_mem_limit(cases[i].in, &pages);

		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "input '%s'",
				    cases[i].in);
		if (!cases[i].ret && !ret)
			KUNIT_EXPECT_EQ_MSG(test, (u64)pages, cases[i].val,
					    "input '%s'", cases[i].in);
	}
}

static void kt_backend_find(struct kunit *test)
{
	const struct zswapblk_backend *def = zswapblk_backend_default();
	static const char * const bad[] = { "", "\n", "lz", "lz44", "LZ4",
					    "lz4 ", " lz4", "lzo-", "deflate",
					    "lz4\nzstd", "lz4\n\n" };
	int i;

	KUNIT_ASSERT_NOT_NULL(test, def);
	KUNIT_EXPECT_STREQ(test, def->name, "lz4");
	for (i = 0; i < ARRAY_SIZE(kt_backends); i++) {
		const struct zswapblk_backend *b;
		char buf[16];

		b = zswapblk_backend_find(kt_backends[i]);
		KUNIT_ASSERT_NOT_NULL_MSG(test, b, "%s", kt_backends[i]);
		KUNIT_EXPECT_STREQ(test, b->name, kt_backends[i]);
		KUNIT_EXPECT_LE(test, b->min_level, b->default_level);
		KUNIT_EXPECT_LE(test, b->default_level, b->max_level);
		snprintf(buf, sizeof(buf), "%s\n", kt_backends[i]);
		KUNIT_EXPECT_PTR_EQ(test, zswapblk_backend_find(buf), b);
	}
	KUNIT_EXPECT_EQ(test, zswapblk_backend_find("lzo")->max_level, 0);
	KUNIT_EXPECT_EQ(test, zswapblk_backend_find("zstd")->max_level, 22);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_NULL_MSG(test, zswapblk_backend_find(bad[i]),
				      "input '%s'", bad[i]);
}

static void kt_parse_algo_params(struct kunit *test)
{
	static const struct {
		const char *in;
		int ret;
		bool have_level;
		int level;
		const char *algo;
	} cases[] = {
		{ "level=3", 0, true, 3, NULL },
		{ "level=3\n", 0, true, 3, NULL },
		{ "  level=9  ", 0, true, 9, NULL },
		{ "level=-1", 0, true, -1, NULL },
		{ "algo=zstd level=5", 0, true, 5, "zstd" },
		{ "level=5 algo=lz4", 0, true, 5, "lz4" },
		{ "algo=lzo-rle", 0, false, 0, "lzo-rle" },
		{ "algo=nope", -EINVAL },
		{ "algo=", -EINVAL },
		{ "level", -EINVAL },
		{ "level=", -EINVAL },
		{ "level=x", -EINVAL },
		{ "level=99999999999", -ERANGE },
		{ "foo=1", -EINVAL },
		{ "level=1 foo", -EINVAL },
		{ "", -EINVAL },
		{ "\t\t", -EINVAL },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct zswapblk_backend *algo = NULL;
		bool have_level = false;
		int level = 0, ret;
		char buf[64];

		strscpy(buf, cases[i].in, sizeof(buf));
		ret = zswapblk_parse_algo_params(buf, &algo, &have_level,
						 &level);
		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "input '%s'",
				    cases[i].in);
		if (ret || cases[i].ret)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, have_level, cases[i].have_level,
				    "input '%s'", cases[i].in);
		if (cases[i].have_level)
			KUNIT_EXPECT_EQ_MSG(test, level, cases[i].level,
					    "input '%s'", cases[i].in);
		if (cases[i].algo)
			KUNIT_EXPECT_PTR_EQ(test, algo,
					    zswapblk_backend_find(cases[i].algo));
		else
			KUNIT_EXPECT_NULL(test, algo);
	}
}

static void kt_parse_wb_type(struct kunit *test)
{
	unsigned int mode;

	KUNIT_EXPECT_EQ(test, zswapblk_parse_wb_type("idle", &mode), 0);
	KUNIT_EXPECT_EQ(test, mode, (unsigned int)ZSWAPBLK_WB_IDLE);
	KUNIT_EXPECT_EQ(test, zswapblk_parse_wb_type("huge", &mode), 0);
	KUNIT_EXPECT_EQ(test, mode, (unsigned int)ZSWAPBLK_WB_HUGE);
	KUNIT_EXPECT_EQ(test, zswapblk_parse_wb_type("huge_idle", &mode), 0);
	KUNIT_EXPECT_EQ(test, mode,
			(unsigned int)(ZSWAPBLK_WB_HUGE | ZSWAPBLK_WB_IDLE));
	KUNIT_EXPECT_EQ(test, zswapblk_parse_wb_type("incompressible", &mode),
			0);
	KUNIT_EXPECT_EQ(test, mode, (unsigned int)ZSWAPBLK_WB_INCOMPRESSIBLE);
	KUNIT_EXPECT_EQ(test, zswapblk_parse_wb_type("", &mode), -EINVAL);
	KUNIT_EXPECT_EQ(test, zswapblk_parse_wb_type("Idle", &mode), -EINVAL);
	KUNIT_EXPECT_EQ(test, zswapblk_parse_wb_type("idle_huge", &mode),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zswapblk_parse_wb_type("age", &mode), -EINVAL);
}

static void kt_parse_wb_cmd(struct kunit *test)
{
	static const struct {
		const char *in;
		int ret;
		unsigned int mode;
		bool range;
		unsigned long lo, hi;
	} cases[] = {
		{ "idle", 0, ZSWAPBLK_WB_IDLE },
		{ "idle\n", 0, ZSWAPBLK_WB_IDLE },
		{ "huge", 0, ZSWAPBLK_WB_HUGE },
		{ "huge_idle", 0, ZSWAPBLK_WB_HUGE | ZSWAPBLK_WB_IDLE },
		{ "incompressible", 0, ZSWAPBLK_WB_INCOMPRESSIBLE },
		{ "type=huge", 0, ZSWAPBLK_WB_HUGE },
		{ "type=huge_idle\n", 0, ZSWAPBLK_WB_HUGE | ZSWAPBLK_WB_IDLE },
		{ "page_index=5", 0, 0, true, 5, 5 },
		{ "page_index=0\n", 0, 0, true, 0, 0 },
		{ "page_indexes=2-9", 0, 0, true, 2, 9 },
		{ "page_indexes=7-7", 0, 0, true, 7, 7 },
		{ "page_indexes=0-18446744073709551615", 0, 0, true, 0,
		  ULONG_MAX },
		{ "idle page_indexes=1-3", 0, ZSWAPBLK_WB_IDLE, true, 1, 3 },
		{ "page_index=4 type=huge", 0, ZSWAPBLK_WB_HUGE, true, 4, 4 },
		{ "page_indexes=9-2", -EINVAL },
		{ "page_indexes=5", -EINVAL },
		{ "page_indexes=-5", -EINVAL },
		{ "page_indexes=1-", -EINVAL },
		{ "page_indexes=a-b", -EINVAL },
		{ "page_index=x", -EINVAL },
		{ "page_index=-1", -EINVAL },
		{ "page_index=", -EINVAL },
		{ "page_index=1 page_index=2", -EINVAL },
		{ "page_index=1 page_indexes=2-3", -EINVAL },
		{ "idle huge", -EINVAL },
		{ "type=idle idle", -EINVAL },
		{ "type=bogus", -EINVAL },
		{ "bogus", -EINVAL },
		{ "idle=1", -EINVAL },
		{ "", -EINVAL },
		{ "\n", -EINVAL },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long lo = 1, hi = 1;
		unsigned int mode = 99;
		bool range = true;
		char buf[64];
		int ret;

		strscpy(buf, cases[i].in, sizeof(buf));
		ret = zswapblk_parse_wb_cmd(buf, &mode, &lo, &hi, &range);
		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "input '%s'",
				    cases[i].in);
		if (ret || cases[i].ret)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, mode, cases[i].mode, "input '%s'",
				    cases[i].in);
		KUNIT_EXPECT_EQ_MSG(test, range, cases[i].range, "input '%s'",
				    cases[i].in);
		if (cases[i].range) {
			KUNIT_EXPECT_EQ_MSG(test, lo, cases[i].lo,
					    "input '%s'", cases[i].in);
			KUNIT_EXPECT_EQ_MSG(test, hi, cases[i].hi,
					    "input '%s'", cases[i].in);
		} else {
			/* no range: the whole disk */
			KUNIT_EXPECT_EQ(test, lo, 0UL);
			KUNIT_EXPECT_EQ(test, hi, ULONG_MAX);
		}
	}
}

static void kt_parse_idle(struct kunit *test)
{
	static const struct {
		const char *in;
		u32 now;
		int ret;
		u32 cutoff;
	} cases[] = {
		{ "all", 100, 0, U32_MAX },
		{ "all\n", 5, 0, U32_MAX },
		{ "0", 100, 0, 99 },
		{ "10", 100, 0, 89 },
		{ "10\n", 100, 0, 89 },
		{ "99", 100, 0, 0 },
		{ "100", 100, 0, 0 },
		{ "4294967295", 100, 0, 0 },
		{ "0", 0, 0, 0 },
		{ "4294967296", 100, -EINVAL },
		{ "ALL", 100, -EINVAL },
		{ "al", 100, -EINVAL },
		{ "-1", 100, -EINVAL },
		{ "1s", 100, -EINVAL },
		{ "", 100, -EINVAL },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u32 cutoff = 7;
		int ret = zswapblk_parse_idle(cases[i].in, cases[i].now,
					      &cutoff);

		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "input '%s'",
				    cases[i].in);
		if (!ret && !cases[i].ret)
			KUNIT_EXPECT_EQ_MSG(test, cutoff, cases[i].cutoff,
					    "input '%s' at %u", cases[i].in,
					    cases[i].now);
	}
}

static void kt_parse_wmark(struct kunit *test)
{
	static const struct {
		const char *in;
		int ret;
		u64 val;
		bool pct;
	} cases[] = {
		{ "0", 0, 0, false },
		{ "50%", 0, 50, true },
		{ "50%\n", 0, 50, true },
		{ "0%", 0, 0, true },
		{ "100%", 0, 100, true },
		{ "64M", 0, 64ULL << 20, false },
		{ "4096\n", 0, 4096, false },
		{ "101%", -EINVAL },
		{ "%", -EINVAL },
		{ "x%", -EINVAL },
		{ "1M%", -EINVAL },
		{ "-5%", -EINVAL },
		{ "50%%", -EINVAL },
		{ "16E", -EINVAL },
		{ "", -EINVAL },
		{ "50%\nx", -EINVAL },
		{ "4096\n\n", -EINVAL },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct zswapblk_wmark wm = { .val = 5, .pct = true };
		int ret = zswapblk_parse_wmark(cases[i].in, &wm);

		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "input '%s'",
				    cases[i].in);
		if (ret || cases[i].ret)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, wm.val, cases[i].val, "input '%s'",
				    cases[i].in);
		KUNIT_EXPECT_EQ_MSG(test, wm.pct, cases[i].pct, "input '%s'",
				    cases[i].in);
	}
}

static struct kunit_case kt_parse_cases[] = {
	KUNIT_CASE(kt_parse_size),
	KUNIT_CASE(kt_parse_disksize),
	KUNIT_CASE(kt_parse_mem_limit),
	KUNIT_CASE(kt_backend_find),
	KUNIT_CASE(kt_parse_algo_params),
	KUNIT_CASE(kt_parse_wb_type),
	KUNIT_CASE(kt_parse_wb_cmd),
	KUNIT_CASE(kt_parse_idle),
	KUNIT_CASE(kt_parse_wmark),
	{}
};

static struct kunit_suite kt_parse_suite = {
	.name = "zswapblk_parse",
	.test_cases = kt_parse_cases,
};

kunit_test_suites(&kt_slot_suite, &kt_parse_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of zswapblk's internals");
