/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the exerciser observes about its pages: /proc/<pid>/pagemap,
 * /proc/kpageflags, mincore(2), getrusage(2) and /proc/vmstat.
 * Bit meanings are in the kernel's Documentation/admin-guide/mm/pagemap.rst
 * and in docs/kernel-paths.md section E of the project.
 */
#ifndef ZSWAPCTL_PAGESTATE_H
#define ZSWAPCTL_PAGESTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* pagemap entry, 8 bytes per virtual page */
#define PM_PRESENT		(1ULL << 63)
#define PM_SWAP			(1ULL << 62)
#define PM_MMAP_EXCLUSIVE	(1ULL << 56)
#define PM_PFN_MASK		((1ULL << 55) - 1)
#define PM_SWAP_TYPE(e)		((unsigned int)((e) & 0x1f))
#define PM_SWAP_OFFSET(e)	(((e) & PM_PFN_MASK) >> 5)

/*
 * kpageflags bits.  Bit 34 is a raw page flag: KPF_MAPPEDTODISK on 6.1,
 * KPF_OWNER_2 on 6.12; for an anonymous page it is PG_anon_exclusive on both.
 */
#define KPF_BIT(n)		(1ULL << (n))
#define KPF_WRITEBACK_BIT	8
#define KPF_RECLAIM_BIT		9
#define KPF_MMAP_BIT		11
#define KPF_ANON_BIT		12
#define KPF_SWAPCACHE_BIT	13
#define KPF_COMPOUND_HEAD_BIT	15
#define KPF_COMPOUND_TAIL_BIT	16
#define KPF_THP_BIT		22
#define KPF_ANON_EXCLUSIVE_BIT	34

#define KPF_WRITEBACK		KPF_BIT(KPF_WRITEBACK_BIT)
#define KPF_RECLAIM		KPF_BIT(KPF_RECLAIM_BIT)
#define KPF_MMAP		KPF_BIT(KPF_MMAP_BIT)
#define KPF_ANON		KPF_BIT(KPF_ANON_BIT)
#define KPF_SWAPCACHE		KPF_BIT(KPF_SWAPCACHE_BIT)
#define KPF_LARGE		(KPF_BIT(KPF_COMPOUND_HEAD_BIT) | \
				 KPF_BIT(KPF_COMPOUND_TAIL_BIT) | \
				 KPF_BIT(KPF_THP_BIT))
#define KPF_ANON_EXCLUSIVE	KPF_BIT(KPF_ANON_EXCLUSIVE_BIT)

struct pagestate {
	int	pagemap;	/* /proc/<pid>/pagemap */
	int	kpageflags;	/* /proc/kpageflags */
};

int pagestate_open(struct pagestate *ps, pid_t pid);
void pagestate_close(struct pagestate *ps);
int pagemap_get(const struct pagestate *ps, const void *addr, uint64_t *ent);
int kpageflags_get(const struct pagestate *ps, uint64_t pfn, uint64_t *flags);
int swapcache_has(const void *addr, bool *cached);
void fault_counts(uint64_t *minflt, uint64_t *majflt);

/* /proc/vmstat counters the exerciser reports */
enum vmstat_item {
	VM_PGREUSE,
	VM_PSWPIN,
	VM_PSWPOUT,
	VM_PGMAJFAULT,
	VM__NR
};

struct vmstat {
	uint64_t v[VM__NR];
	bool	 have[VM__NR];
};

int vmstat_read(struct vmstat *vs);
void vmstat_delta(const struct vmstat *a, const struct vmstat *b,
		  struct vmstat *d);

#endif /* ZSWAPCTL_PAGESTATE_H */
