// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the kernel should do with one access to one exerciser page.
 *
 * A small transcription of do_swap_page() and do_wp_page() for a private,
 * order-0 anonymous page on a swap device that is not SWP_SYNCHRONOUS_IO
 * (every swap-in goes through the swap cache).  Line references are to the
 * project's kernel-paths.md, sections C ("Outcomes") and D.
 *
 * The model deliberately says nothing about whether the folio leaves the
 * swap cache: that depends on reference counts the exerciser cannot control
 * (a folio_rotate_reclaimable() batch on another CPU holds one after
 * writeback completes), and it does not change which page gets mapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

/* "6.1.0-56-amd64" -> 6.1, "6.12.117+deb12-amd64" -> 6.12. */
enum kmodel kmodel_from_release(const char *release)
{
	unsigned int major, minor;

	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
		return KMODEL_UNKNOWN;
	if (major == 6 && minor == 1)
		return KMODEL_6_1;
	if (major == 6 && minor == 12)
		return KMODEL_6_12;
	return KMODEL_UNKNOWN;
}

const char *kmodel_name(enum kmodel m)
{
	switch (m) {
	case KMODEL_6_1:
		return "6.1";
	case KMODEL_6_12:
		return "6.12";
	default:
		return "unknown";
	}
}

/*
 * do_wp_page() on a present, read-only anonymous page (section D): an
 * exclusive page is reused at once; otherwise folio_free_swap() must succeed,
 * which it cannot while the folio is under writeback or while another swap
 * PTE still references the entry, and then the page is copied.
 */
static void wp_fault(bool exclusive, bool writeback, bool shared,
		     struct outcome *o)
{
	o->writable = true;
	o->exclusive = true;
	if (exclusive || (!writeback && !shared)) {
		o->reuse = true;
		return;
	}
	o->copy = true;
	o->pfn = PFN_NEW;
}

/**
 * predict() - the expected outcome of one access
 * @m: kernel model
 * @write: write access (else read)
 * @s: the page's state just before the access
 * @o: filled in
 */
void predict(enum kmodel m, bool write, const struct fault_state *s,
	     struct outcome *o)
{
	bool exclusive, writeback, freed;

	memset(o, 0, sizeof(*o));
	o->pfn = PFN_SAME;

	if (s->present) {
		o->writable = s->writable;
		o->exclusive = s->exclusive;
		if (!write || s->writable)
			return;			/* no fault */
		o->faults = 1;
		wp_fault(s->exclusive, s->writeback, s->shared, o);
		return;
	}

	/* do_swap_page(), section C */
	o->faults = 1;
	o->major = !s->cached;		/* C.1 hit is minor, C.3 miss is major */
	o->pfn = s->cached ? PFN_SAME : PFN_NEW;
	writeback = s->cached && s->writeback;	/* a fresh read is not */

	/* C.7: the marker is dropped for a stable-writes folio in writeback */
	exclusive = s->pte_exclusive;
	if (exclusive && writeback && s->stable)
		exclusive = false;

	/*
	 * C.8: on a write fault should_try_to_free_swap() is true and
	 * folio_free_swap() succeeds unless the folio is under writeback or
	 * another PTE still holds the swap entry; the folio then has one
	 * reference and is mapped exclusive (C.9).
	 */
	freed = write && !writeback && !s->shared;

	if (exclusive || freed) {
		/* C.9: 6.1 maps writable on a write fault only, 6.12 always */
		o->writable = write || m == KMODEL_6_12;
		o->exclusive = true;
		return;
	}

	/* C.9: read-only, not exclusive; C.10: a write goes on to do_wp_page */
	o->writable = false;
	o->exclusive = false;
	if (write)
		wp_fault(false, writeback, s->shared, o);
}

/* "minor fault, same PFN, exclusive" and the like, for tables. */
const char *outcome_str(const struct outcome *o, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s, %s, %s%s",
		 !o->faults ? "no fault" : o->major ? "major" : "minor",
		 o->copy ? "copy" : o->pfn == PFN_NEW ? "new PFN" : "same PFN",
		 o->exclusive ? "excl" : "not excl",
		 o->reuse ? ", reuse" : "");
	return buf;
}
