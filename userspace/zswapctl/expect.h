/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exerciser's model of the kernel's swap-in and write-fault decisions
 * (do_swap_page() and do_wp_page() of Debian's 6.1 and 6.12 kernels).
 */
#ifndef ZSWAPCTL_EXPECT_H
#define ZSWAPCTL_EXPECT_H

#include <stdbool.h>

enum kmodel {
	KMODEL_UNKNOWN,
	KMODEL_6_1,	/* swap-in maps read-only unless it is a write fault */
	KMODEL_6_12,	/* exclusive swap-in maps writable on a read fault too */
};

enum kmodel kmodel_from_release(const char *release);
const char *kmodel_name(enum kmodel m);

/* The page just before the access, as observed (or as predicted before). */
struct fault_state {
	bool	present;	/* PTE present: an earlier access mapped it */
	bool	writable;	/* present: PTE writable (predicted earlier) */
	bool	exclusive;	/* present: PageAnonExclusive */
	bool	cached;		/* swap PTE: its folio is in the swap cache */
	bool	writeback;	/* that folio (or the present page) is under writeback */
	bool	stable;		/* the swap area has SWP_STABLE_WRITES */
	bool	shared;		/* another process maps the page or the swap entry */
	bool	pte_exclusive;	/* swap PTE carries the exclusive marker */
};

enum pfn_outcome {
	PFN_SAME,	/* the swap-cache folio or the present page is mapped */
	PFN_NEW,	/* a copy, or a folio freshly read from the device */
};

struct outcome {
	int		faults;		/* 0 or 1 */
	bool		major;		/* read I/O in the fault */
	enum pfn_outcome pfn;
	bool		copy;		/* do_wp_page() copied */
	bool		reuse;		/* wp_page_reuse(): pgreuse + 1 */
	bool		writable;	/* the PTE is writable afterwards */
	bool		exclusive;	/* the page is PageAnonExclusive afterwards */
};

void predict(enum kmodel m, bool write, const struct fault_state *s,
	     struct outcome *o);
const char *outcome_str(const struct outcome *o, char *buf, size_t sz);

#endif /* ZSWAPCTL_EXPECT_H */
