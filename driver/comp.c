// SPDX-License-Identifier: GPL-2.0
/*
 * Compression backends: lz4, zstd, lzo and lzo-rle, through the kernel's
 * compression libraries.
 *
 * Why the libraries and not the crypto API: the crypto "comp" interface has
 * no way to pass a level, and it would look algorithm modules up at run time.
 * The libraries are plain function calls; the module's dependencies on
 * lz4_compress and zstd_compress are resolved by modprobe.
 */

#include <linux/cpumask.h>
#include <linux/lz4.h>
#include <linux/lzo.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/zstd.h>

#include "zswapblk.h"
#include "compat.h"

/* --- lz4: the level is LZ4's acceleration factor, 1 is the default --- */

static void zswapblk_kvfree(void *ctx)
{
	kvfree(ctx);
}

struct zswapblk_lz4_cctx {
	int accel;
	u8 wrkmem[];
};

static void *zswapblk_lz4_cctx_create(int level)
{
	struct zswapblk_lz4_cctx *c;

	c = kvmalloc(struct_size(c, wrkmem, LZ4_MEM_COMPRESS), GFP_KERNEL);
	if (c)
		c->accel = level;
	return c;
}

static int zswapblk_lz4_compress(void *cctx, const void *src, void *dst,
				 size_t *dst_len)
{
	struct zswapblk_lz4_cctx *c = cctx;
	int ret;

	ret = LZ4_compress_fast(src, dst, PAGE_SIZE, *dst_len, c->accel,
				c->wrkmem);
	if (!ret)
		return -EINVAL;
	*dst_len = ret;
	return 0;
}

static int zswapblk_lz4_decompress(void *dctx, const void *src,
				   size_t src_len, void *dst)
{
	int ret = LZ4_decompress_safe(src, dst, src_len, PAGE_SIZE);

	return ret == PAGE_SIZE ? 0 : -EINVAL;
}

/* --- lzo and lzo-rle: no levels --- */

static void *zswapblk_lzo_create_cctx(int level)
{
	return kvmalloc(LZO1X_MEM_COMPRESS, GFP_KERNEL);
}

static int zswapblk_lzo_compress(void *cctx, const void *src, void *dst,
				 size_t *dst_len)
{
	return lzo1x_1_compress(src, PAGE_SIZE, dst, dst_len, cctx) == LZO_E_OK ?
		0 : -EINVAL;
}

static int zswapblk_lzorle_compress(void *cctx, const void *src, void *dst,
				    size_t *dst_len)
{
	return lzorle1x_1_compress(src, PAGE_SIZE, dst, dst_len, cctx) ==
		LZO_E_OK ? 0 : -EINVAL;
}

static int zswapblk_lzo_decompress(void *dctx, const void *src,
				   size_t src_len, void *dst)
{
	size_t dst_len = PAGE_SIZE;
	int ret = lzo1x_decompress_safe(src, src_len, dst, &dst_len);

	return ret == LZO_E_OK && dst_len == PAGE_SIZE ? 0 : -EINVAL;
}

/* --- zstd: levels from zstd_min_clevel() to zstd_max_clevel() --- */

#define ZSWAPBLK_ZSTD_DEFAULT_LEVEL	3

struct zswapblk_zstd_cctx {
	zstd_cctx *cctx;
	zstd_parameters params;
	u8 workspace[];
};

static void *zswapblk_zstd_create_cctx(int level)
{
	zstd_parameters params = zstd_get_params(level, PAGE_SIZE);
	size_t size = zstd_cctx_workspace_bound(&params.cParams);
	struct zswapblk_zstd_cctx *c;

	c = kvmalloc(struct_size(c, workspace, size), GFP_KERNEL);
	if (!c)
		return NULL;
	c->params = params;
	c->cctx = zstd_init_cctx(c->workspace, size);
	if (!c->cctx) {
		kvfree(c);
		return NULL;
	}
	return c;
}

static void *zswapblk_zstd_create_dctx(void)
{
	size_t size = zstd_dctx_workspace_bound();
	void *ws = kvmalloc(size, GFP_KERNEL);

	if (ws && !zstd_init_dctx(ws, size)) {
		kvfree(ws);
		return NULL;
	}
	return ws;
}

static int zswapblk_zstd_compress(void *cctx, const void *src, void *dst,
				  size_t *dst_len)
{
	struct zswapblk_zstd_cctx *c = cctx;
	size_t ret;

	ret = zstd_compress_cctx(c->cctx, dst, *dst_len, src, PAGE_SIZE,
				 &c->params);
	if (zstd_is_error(ret))
		return -EINVAL;
	*dst_len = ret;
	return 0;
}

static int zswapblk_zstd_decompress(void *dctx, const void *src,
				    size_t src_len, void *dst)
{
	/* zstd_init_dctx() placed the context at the start of the workspace */
	size_t ret = zstd_decompress_dctx(dctx, dst, PAGE_SIZE, src, src_len);

	return !zstd_is_error(ret) && ret == PAGE_SIZE ? 0 : -EINVAL;
}

static const struct zswapblk_backend zswapblk_backends[] = {
	{
		.name		= "lzo",
		.create_cctx	= zswapblk_lzo_create_cctx,
		.destroy_cctx	= zswapblk_kvfree,
		.compress	= zswapblk_lzo_compress,
		.decompress	= zswapblk_lzo_decompress,
	}, {
		.name		= "lzo-rle",
		.create_cctx	= zswapblk_lzo_create_cctx,
		.destroy_cctx	= zswapblk_kvfree,
		.compress	= zswapblk_lzorle_compress,
		.decompress	= zswapblk_lzo_decompress,
	}, {
		.name		= "lz4",
		.default_level	= LZ4_ACCELERATION_DEFAULT,
		.min_level	= 1,
		.max_level	= 65537,	/* LZ4_ACCELERATION_MAX */
		.create_cctx	= zswapblk_lz4_cctx_create,
		.destroy_cctx	= zswapblk_kvfree,
		.compress	= zswapblk_lz4_compress,
		.decompress	= zswapblk_lz4_decompress,
	}, {
		.name		= "zstd",
		.default_level	= ZSWAPBLK_ZSTD_DEFAULT_LEVEL,
		.min_level	= 1,
		.max_level	= 22,		/* zstd_max_clevel() of zstd 1.5 */
		.create_cctx	= zswapblk_zstd_create_cctx,
		.destroy_cctx	= zswapblk_kvfree,
		.create_dctx	= zswapblk_zstd_create_dctx,
		.destroy_dctx	= zswapblk_kvfree,
		.compress	= zswapblk_zstd_compress,
		.decompress	= zswapblk_zstd_decompress,
	},
};

/* lz4 is the default, as in zram on current kernels. */
#define ZSWAPBLK_DEFAULT_BACKEND	2

const struct zswapblk_backend *zswapblk_backend_default(void)
{
	return &zswapblk_backends[ZSWAPBLK_DEFAULT_BACKEND];
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_backend_default);

/* Look up a backend by name; @name may end in one newline (sysfs). */
const struct zswapblk_backend *zswapblk_backend_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(zswapblk_backends); i++)
		if (sysfs_streq(zswapblk_backends[i].name, name))
			return &zswapblk_backends[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_backend_find);

/* List the backends into a sysfs buffer, the selected one in brackets. */
ssize_t zswapblk_backend_list(const struct zswapblk_backend *selected,
			      char *buf, ssize_t at)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(zswapblk_backends); i++) {
		const struct zswapblk_backend *b = &zswapblk_backends[i];

		at += sysfs_emit_at(buf, at, b == selected ? "[%s] " : "%s ",
				    b->name);
	}
	at += sysfs_emit_at(buf, at, "\n");
	return at;
}

static void zswapblk_comp_free_strms(struct zswapblk_comp *comp)
{
	const struct zswapblk_backend *b = comp->backend;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct zswapblk_strm *strm = per_cpu_ptr(comp->strms, cpu);
		void *dctx = *per_cpu_ptr(comp->dctx, cpu);

		if (strm->cctx)
			b->destroy_cctx(strm->cctx);
		kvfree(strm->buffer);
		if (dctx)
			b->destroy_dctx(dctx);
	}
}

/*
 * Allocate the per-CPU streams of @b at @level.  It may sleep.  Returns an
 * ERR_PTR on failure.
 */
struct zswapblk_comp *zswapblk_comp_create(const struct zswapblk_backend *b,
					   int level)
{
	struct zswapblk_comp *comp;
	int cpu;

	comp = kzalloc(sizeof(*comp), GFP_KERNEL);
	if (!comp)
		return ERR_PTR(-ENOMEM);
	comp->backend = b;
	comp->level = level;
	comp->strms = alloc_percpu(struct zswapblk_strm);
	if (!comp->strms)
		goto free_comp;
	comp->dctx = alloc_percpu(void *);
	if (!comp->dctx)
		goto free_strms;

	for_each_possible_cpu(cpu) {
		struct zswapblk_strm *strm = per_cpu_ptr(comp->strms, cpu);

		mutex_init(&strm->lock);
		strm->cctx = b->create_cctx(level);
		strm->buffer = kvmalloc(2 * PAGE_SIZE, GFP_KERNEL);
		if (!strm->cctx || !strm->buffer)
			goto free_all;
		if (b->create_dctx) {
			void *dctx = b->create_dctx();

			*per_cpu_ptr(comp->dctx, cpu) = dctx;
			if (!dctx)
				goto free_all;
		}
	}
	return comp;

free_all:
	zswapblk_comp_free_strms(comp);
	free_percpu(comp->dctx);
free_strms:
	free_percpu(comp->strms);
free_comp:
	kfree(comp);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_comp_create);

void zswapblk_comp_destroy(struct zswapblk_comp *comp)
{
	if (!comp)
		return;
	zswapblk_comp_free_strms(comp);
	free_percpu(comp->dctx);
	free_percpu(comp->strms);
	kfree(comp);
}
EXPORT_SYMBOL_IF_KUNIT(zswapblk_comp_destroy);

/*
 * Take the compression stream of the CPU we run on.  It may sleep; the
 * stream stays ours until zswapblk_strm_put() even if we migrate.
 */
struct zswapblk_strm *zswapblk_strm_get(struct zswapblk_comp *comp)
{
	struct zswapblk_strm *strm;

	strm = per_cpu_ptr(comp->strms, raw_smp_processor_id());
	mutex_lock(&strm->lock);
	return strm;
}

void zswapblk_strm_put(struct zswapblk_strm *strm)
{
	mutex_unlock(&strm->lock);
}
