// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pagemap, kpageflags, mincore, fault counters and /proc/vmstat.
 *
 * PFNs in pagemap and /proc/kpageflags need CAP_SYS_ADMIN; without it the
 * PFN reads as 0, which pagemap users must treat as "unknown".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "zswapctl.h"
#include "pagestate.h"

int pagestate_open(struct pagestate *ps, pid_t pid)
{
	char *p;
	int rc = 0;

	if (pid)
		p = sysroot_path("/proc/%d/pagemap", (int)pid);
	else
		p = sysroot_path("/proc/self/pagemap");
	ps->pagemap = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (ps->pagemap < 0)
		return -errno;

	p = sysroot_path("/proc/kpageflags");
	ps->kpageflags = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (ps->kpageflags < 0) {
		rc = -errno;
		close(ps->pagemap);
		ps->pagemap = -1;
	}
	return rc;
}

void pagestate_close(struct pagestate *ps)
{
	if (ps->pagemap >= 0)
		close(ps->pagemap);
	if (ps->kpageflags >= 0)
		close(ps->kpageflags);
	ps->pagemap = ps->kpageflags = -1;
}

static int pread_u64(int fd, uint64_t idx, uint64_t *val)
{
	ssize_t n;

	n = pread(fd, val, sizeof(*val), (off_t)(idx * sizeof(*val)));
	if (n < 0)
		return -errno;
	if (n != sizeof(*val))
		return -EIO;
	return 0;
}

int pagemap_get(const struct pagestate *ps, const void *addr, uint64_t *ent)
{
	static long psz;

	if (!psz)
		psz = sysconf(_SC_PAGESIZE);
	return pread_u64(ps->pagemap, (uintptr_t)addr / (uint64_t)psz, ent);
}

int kpageflags_get(const struct pagestate *ps, uint64_t pfn, uint64_t *flags)
{
	if (!pfn)
		return -EINVAL;
	return pread_u64(ps->kpageflags, pfn, flags);
}

/*
 * mincore(2) on a swap PTE reports whether the swap entry's folio is in the
 * swap cache (and up to date): mm/mincore.c, mincore_pte_range().
 */
int swapcache_has(const void *addr, bool *cached)
{
	static long psz;
	unsigned char vec = 0;
	uintptr_t a;

	if (!psz)
		psz = sysconf(_SC_PAGESIZE);
	a = (uintptr_t)addr & ~((uintptr_t)psz - 1);
	if (mincore((void *)a, (size_t)psz, &vec))
		return -errno;
	*cached = vec & 1;
	return 0;
}

void fault_counts(uint64_t *minflt, uint64_t *majflt)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*minflt = (uint64_t)ru.ru_minflt;
	*majflt = (uint64_t)ru.ru_majflt;
}

static const char *const vmstat_names[VM__NR] = {
	[VM_PGREUSE]	= "pgreuse",
	[VM_PSWPIN]	= "pswpin",
	[VM_PSWPOUT]	= "pswpout",
	[VM_PGMAJFAULT]	= "pgmajfault",
};

/* Return 0 or -errno; counters the kernel does not have stay !have. */
int vmstat_read(struct vmstat *vs)
{
	char name[64], *p = sysroot_path("/proc/vmstat");
	unsigned long long val;
	FILE *f = fopen(p, "re");
	int i;

	free(p);
	memset(vs, 0, sizeof(*vs));
	if (!f)
		return -errno;
	while (fscanf(f, "%63s %llu", name, &val) == 2) {
		for (i = 0; i < VM__NR; i++) {
			if (!strcmp(name, vmstat_names[i])) {
				vs->v[i] = val;
				vs->have[i] = true;
			}
		}
	}
	fclose(f);
	return 0;
}

void vmstat_delta(const struct vmstat *a, const struct vmstat *b,
		  struct vmstat *d)
{
	int i;

	for (i = 0; i < VM__NR; i++) {
		d->have[i] = a->have[i] && b->have[i];
		d->v[i] = d->have[i] ? b->v[i] - a->v[i] : 0;
	}
}
