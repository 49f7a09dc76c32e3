// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zswapctl exercise: drive do_swap_page()'s writeback-aware reuse paths.
 *
 * The protocol is the project's kernel-paths.md, section E:
 *
 *   environment  root; the zswapblk device is the highest-priority swap
 *                (32767); page-cluster 0; zswap off; one CPU; this process
 *                mlockall()ed so that only the test buffer can be reclaimed
 *   per scenario fresh private anonymous pages with MADV_NOHUGEPAGE, each
 *                filled with a non-zero, page-specific pattern; PFNs from
 *                pagemap; completion_hold set; MADV_PAGEOUT (memory.reclaim
 *                of a private cgroup for fork-shared, whose pages are mapped
 *                twice); then pagemap must show PM_SWAP and kpageflags of
 *                the old PFNs WRITEBACK and SWAPCACHE
 *   per access   mincore() and kpageflags record whether the folio is in
 *                the swap cache and under writeback; getrusage() counts the
 *                faults of that one access; pagemap gives the new PFN and
 *                kpageflags bit 34 PageAnonExclusive; every page is checked
 *                word by word
 *
 * Each access is compared with expect.c's model for the running kernel.
 * vmstat counters are global, so they are reported and only checked as
 * lower bounds.
 *
 * Whatever was changed is undone by cleanup(), which runs at exit and after
 * a fatal error; the hold is also released from the signal handlers, so that
 * no swapoff ever waits for writes that nobody will release.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zswapctl.h"
#include "expect.h"
#include "pagestate.h"

#ifndef MADV_PAGEOUT
# define MADV_PAGEOUT	21
#endif

#define DEFAULT_PAGES		256
#define MAX_PAGES		(1UL << 18)
#define DEFAULT_SIZE		(128ULL << 20)
#define DEFAULT_HOLD_MS		60000U
#define SWAP_PRIO		32767
#define WAIT_WRITEBACK_MS	30000U
#define MAX_REPORTED		8	/* mismatch messages per step */
#define NO_PAGE			SIZE_MAX

/* ------------------------------------------------------------ scenarios */

enum part { PART_ALL, PART_FIRST, PART_SECOND };

struct step {
	bool		write;
	bool		held;		/* completion_hold still active */
	enum part	part;
	bool		child;		/* done by the forked child */
};

struct scenario {
	const char	*name;
	const char	*help;
	bool		stable;		/* queue/stable_writes at swapon */
	bool		fork;		/* pages mapped by a child too */
	unsigned int	nsteps;
	struct step	steps[3];
};

#define READ	false
#define WRITE	true
#define HELD	true
#define RELEASED false

static const struct scenario scenarios[] = {
	{ "read-held", "read fault while the write is held",
	  true, false, 1, { { READ, HELD, PART_ALL, false } } },
	{ "write-held", "write fault while the write is held",
	  true, false, 1, { { WRITE, HELD, PART_ALL, false } } },
	{ "read-write-released", "release, wait for writeback to end, read, then write",
	  true, false, 2, { { READ, RELEASED, PART_ALL, false },
			    { WRITE, RELEASED, PART_ALL, false } } },
	{ "write-released", "release, wait for writeback to end, write",
	  true, false, 1, { { WRITE, RELEASED, PART_ALL, false } } },
	{ "fork-shared", "fork before swap-out; write half held, half released; the child reads",
	  true, true, 3, { { WRITE, HELD, PART_FIRST, false },
			   { WRITE, RELEASED, PART_SECOND, false },
			   { READ, RELEASED, PART_ALL, true } } },
	{ "nostable-write-held", "write fault while held, queue/stable_writes=0 at swapon",
	  false, false, 1, { { WRITE, HELD, PART_ALL, false } } },
};

#undef READ
#undef WRITE
#undef HELD
#undef RELEASED

static void step_label(const struct step *st, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s%s (%s)%s", st->child ? "child " : "",
		 st->write ? "write" : "read", st->held ? "held" : "released",
		 st->part == PART_FIRST ? " 1st half" :
		 st->part == PART_SECOND ? " 2nd half" : "");
}

/* ------------------------------------------------------------- options */

struct exopts {
	const char	*device;
	uint64_t	size;
	unsigned long	pages;
	unsigned int	hold_ms;
	unsigned int	selected;	/* bit per scenarios[] entry */
	enum kmodel	model;
	bool		dry_run;
	bool		verbose;
	struct outopts	out;
};

/* ------------------------------------------------------------- results */

enum verdict { V_NOTRUN, V_OK, V_FAIL, V_SKIP };

struct stepres {
	char		label[48];
	char		expect[64];
	size_t		pages;
	uint64_t	minflt, majflt;
	size_t		same, newpfn, wb, excl, corrupt;
	size_t		mismatches;
	size_t		exp_reuse, got_major;
	struct vmstat	dv;
};

struct scenres {
	enum verdict	verdict;
	char		note[200];
	size_t		pages;
	uint64_t	minflt, majflt;
	size_t		reused, copied, wb, excl, corrupt;
	struct vmstat	dv;
	unsigned int	nsteps;
	struct stepres	steps[3];
};

/* One page of a run; in a shared, locked mapping (see locked_alloc()). */
struct pagerec {
	uint64_t	pfn_orig;	/* before swap-out */
	uint64_t	swap_ent;	/* pagemap entry after swap-out */
	uint64_t	pfn_before;	/* PFN the access is compared with */
	uint64_t	pfn_after;
	uint64_t	kpf_after;
	uint64_t	minflt, majflt;
	bool		bad;		/* neither present nor swapped out */
	bool		present;	/* PTE present before the access */
	bool		cached;		/* swap cache holds the folio */
	bool		writeback;	/* that folio is under writeback */
	bool		data_ok;
	bool		written;	/* word 0 was overwritten */
	bool		writable;	/* predicted after the last access */
	bool		exclusive;	/* observed after the last access */
};

/* ------------------------------------------------------ global state */

/* What this process changed, for cleanup(). */
static struct {
	pid_t		owner;
	struct zdev	z;
	bool		have_dev;
	bool		set_up;		/* disksize written by us */
	bool		hot_added;
	bool		swap_on;	/* the device is swap now */
	bool		swap_ours;	/* ... and we enabled it */
	bool		user_swap;	/* it was swap before we started */
	int		prio;
	char		*hold_path;
	volatile sig_atomic_t holding;
	uint64_t	hold_since;	/* now_ms() when the hold was set */
	char		*stable_path;
	char		*stable_orig;	/* NULL unless changed */
	char		*pc_path;
	char		*pc_orig;	/* page-cluster, NULL unless changed */
	char		*cg_dir;	/* our cgroup, NULL if none */
	char		*cg_old_procs;	/* cgroup.procs to return to */
	char		*cg_subtree;	/* subtree_control we enabled memory in */
	pid_t		child;
	void		*buf;
	size_t		buflen;
	bool		cleaned;
} env = { .child = -1 };

static volatile sig_atomic_t interrupted;
static enum kmodel model;
static size_t psz;

/* async-signal-safe: open(2), write(2), close(2) only */
static void release_hold_now(void)
{
	int fd;

	if (!env.holding || !env.hold_path)
		return;
	fd = open(env.hold_path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "0", 1) == 1)
			env.holding = 0;
		close(fd);
	}
}

static void on_signal(int sig)
{
	if (getpid() == env.owner)
		release_hold_now();
	interrupted = sig;
}

static void on_fatal_signal(int sig)
{
	if (getpid() == env.owner)
		release_hold_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	static const int soft[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa = { 0 };
	size_t i;

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (i = 0; i < ARRAY_SIZE(soft); i++)
		sigaction(soft[i], &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < ARRAY_SIZE(fatal); i++)
		sigaction(fatal[i], &sa, NULL);
}

static void info(const char *fmt, ...) __printf(1, 2);
static void info(const char *fmt, ...)
{
	va_list ap;

	fputs("[INFO] ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --------------------------------------------------- hold and release */

static int hold_set(unsigned int ms)
{
	uint64_t val;
	int rc;

	env.holding = 1;	/* before the write: a signal must release */
	env.hold_since = now_ms();
	rc = path_write_u64(env.hold_path, ms);
	if (rc) {
		env.holding = 0;
		return rc;
	}
	if (path_read_u64(env.hold_path, &val) == 0 && val == 0) {
		env.holding = 0;
		return -EIO;
	}
	return 0;
}

static int hold_release(void)
{
	int rc;

	if (!env.holding)
		return 0;
	rc = path_write_u64(env.hold_path, 0);
	if (!rc)
		env.holding = 0;
	return rc;
}

/* Wait until the driver has no write in flight (io_stat), if it says. */
static void wait_driver_idle(unsigned int timeout_ms)
{
	uint64_t io[ZSWAPBLK_IO__NR], start = now_ms();

	while (now_ms() - start < timeout_ms && !interrupted) {
		if (zdev_read_columns(&env.z, ZSWAPBLK_ATTR_IO_STAT, io,
				      ZSWAPBLK_IO__NR) <=
		    ZSWAPBLK_IO_WRITES_INFLIGHT)
			return;
		if (io[ZSWAPBLK_IO_WRITES_INFLIGHT] == 0)
			return;
		sleep_ms(10);
	}
}

/* ------------------------------------------------------------- cleanup */

static void cgroup_leave(void)
{
	if (env.cg_old_procs) {
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		if (path_write_string(env.cg_old_procs, pid))
			warn("failed to move back to the original cgroup");
		free(env.cg_old_procs);
		env.cg_old_procs = NULL;
	}
	if (env.cg_dir) {
		if (rmdir(env.cg_dir))
			warn("%s: failed to remove cgroup", env.cg_dir);
		free(env.cg_dir);
		env.cg_dir = NULL;
	}
	if (env.cg_subtree) {
		path_write_string(env.cg_subtree, "-memory");
		free(env.cg_subtree);
		env.cg_subtree = NULL;
	}
}

static void kill_child(void)
{
	if (env.child > 0) {
		kill(env.child, SIGKILL);
		while (waitpid(env.child, NULL, 0) < 0 && errno == EINTR)
			;
		env.child = -1;
	}
}

static void restore_stable_writes(void)
{
	int rc;

	if (!env.stable_orig)
		return;
	if (env.swap_on) {
		rc = zdev_swapoff(&env.z);
		if (rc) {
			errno = -rc;
			warn("%s: failed to disable swap", env.z.devpath);
			return;
		}
		env.swap_on = false;
	}
	rc = path_write_string(env.stable_path, env.stable_orig);
	if (rc) {
		errno = -rc;
		warn("%s: failed to restore queue/stable_writes", env.z.devpath);
	}
	free(env.stable_orig);
	env.stable_orig = NULL;
	if (env.swap_ours || env.user_swap) {
		rc = zdev_swapon(&env.z, env.prio);
		if (rc) {
			errno = -rc;
			warn("%s: failed to enable swap", env.z.devpath);
			return;
		}
		env.swap_on = true;
	}
}

/* Undo everything, in reverse order of setup.  Idempotent. */
static void cleanup(void)
{
	int rc;

	if (env.cleaned || getpid() != env.owner)
		return;
	env.cleaned = true;

	release_hold_now();
	if (env.have_dev)
		wait_driver_idle(WAIT_WRITEBACK_MS);
	kill_child();
	if (env.buf) {
		munmap(env.buf, env.buflen);
		env.buf = NULL;
	}
	cgroup_leave();
	restore_stable_writes();

	if (env.swap_ours && env.swap_on) {
		rc = zdev_swapoff(&env.z);
		if (rc) {
			errno = -rc;
			warn("%s: failed to disable swap", env.z.devpath);
		}
		env.swap_on = false;
	}
	if (env.user_swap && !env.swap_on) {
		rc = zdev_swapon(&env.z, env.prio);
		if (rc) {
			errno = -rc;
			warn("%s: failed to enable swap", env.z.devpath);
		}
	}
	if (env.set_up && !env.swap_on) {
		rc = zdev_write_u64(&env.z, ZSWAPBLK_ATTR_RESET, 1);
		if (rc) {
			errno = -rc;
			warn("%s: failed to reset", env.z.devpath);
		} else if (env.hot_added) {
			rc = zdev_hot_remove(&env.z);
			if (rc) {
				errno = -rc;
				warn("%s: failed to remove device", env.z.devpath);
			}
		}
	}
	if (env.pc_orig) {
		rc = path_write_string(env.pc_path, env.pc_orig);
		if (rc) {
			errno = -rc;
			warn("failed to restore vm.page-cluster");
		}
	}
}

/* ----------------------------------------------------------- environment */

static char *kernel_release(void)
{
	char *p = sysroot_path("/proc/sys/kernel/osrelease"), *s;
	struct utsname u;
	int rc = path_read_string(p, &s);

	free(p);
	if (!rc)
		return s;
	if (have_sysroot() || uname(&u))
		return xstrdup("unknown");
	return xstrdup(u.release);
}

static void check_zswap(void)
{
	char *p = sysroot_path("/sys/module/zswap/parameters/enabled"), *s;

	if (path_read_string(p, &s) == 0) {
		if (s[0] == 'Y' || s[0] == 'y' || s[0] == '1')
			errx(EXIT_FAILURE, "zswap is enabled, pages would not "
			     "reach the device; disable it: echo N > %s", p);
		free(s);
	}
	free(p);
}

static void set_page_cluster(void)
{
	int rc;

	env.pc_path = sysroot_path("/proc/sys/vm/page-cluster");
	rc = path_read_string(env.pc_path, &env.pc_orig);
	if (rc) {
		errno = -rc;
		err(EXIT_FAILURE, "%s", env.pc_path);
	}
	rc = path_write_string(env.pc_path, "0");
	if (rc) {
		free(env.pc_orig);
		env.pc_orig = NULL;
		errno = -rc;
		err(EXIT_FAILURE, "failed to set vm.page-cluster to 0");
	}
}

static void pin_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		err(EXIT_FAILURE, "sched_getcpu failed");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		err(EXIT_FAILURE, "failed to pin to CPU %d", cpu);
	info("pinned to CPU %d", cpu);
}

static void setup_own_device(const struct exopts *o, bool find)
{
	int rc;

	if (find) {
		rc = zdev_find_free(&env.z, &env.hot_added);
		if (rc == -ENODEV)
			errx(EXIT_FAILURE, "no free zswapblk device found "
			     "(is the zswapblk module loaded?)");
		if (rc) {
			errno = -rc;
			err(EXIT_FAILURE, "failed to find a free zswapblk device");
		}
	}
	env.have_dev = true;
	rc = zdev_write_u64(&env.z, ZSWAPBLK_ATTR_DISKSIZE, o->size);
	if (rc) {
		errno = -rc;
		err(EXIT_FAILURE, "%s: failed to set disksize", env.z.devpath);
	}
	env.set_up = true;
	rc = wait_for_devnode(env.z.devpath, 5000);
	if (!rc)
		rc = run_mkswap(env.z.devpath);
	if (rc) {
		errno = -rc;
		err(EXIT_FAILURE, "%s: failed to create a swap area",
		    env.z.devpath);
	}
	env.prio = SWAP_PRIO;
	rc = zdev_swapon(&env.z, env.prio);
	if (rc) {
		errno = -rc;
		err(EXIT_FAILURE, "%s: failed to enable swap", env.z.devpath);
	}
	env.swap_on = env.swap_ours = true;
}

static void setup_device(const struct exopts *o)
{
	int rc, prio;

	if (!o->device) {
		setup_own_device(o, true);
		return;
	}
	rc = zdev_from_arg(&env.z, o->device);
	if (rc == -EINVAL)
		errx(EXIT_FAILURE, "%s: not a zswapblk device", o->device);
	if (rc) {
		errno = -rc;
		err(EXIT_FAILURE, "%s", env.z.devpath);
	}
	if (zdev_is_swap(&env.z, &prio)) {
		env.have_dev = true;
		env.user_swap = env.swap_on = true;
		env.prio = prio;
	} else if (!zdev_initialised(&env.z)) {
		setup_own_device(o, false);
	} else {
		errx(EXIT_FAILURE, "%s: initialised but not an active swap "
		     "area; reset it or enable swap on it", env.z.devpath);
	}
}

/* Our device must take every page: the highest priority, and room. */
static void check_swap_areas(const struct exopts *o)
{
	uint64_t total = 0, used = 0, need;
	struct swap_entry *ents;
	bool found = false;
	size_t i, n;
	int rc;

	rc = swaps_read(&ents, &n);
	if (rc) {
		errno = -rc;
		err(EXIT_FAILURE, "failed to read /proc/swaps");
	}
	for (i = 0; i < n; i++) {
		total += ents[i].size_kib;
		used += ents[i].used_kib;
		if (swap_path_is_zdev(ents[i].path, &env.z)) {
			found = true;
			continue;
		}
		if (ents[i].prio >= env.prio)
			errx(EXIT_FAILURE, "swap area %s has priority %d, not "
			     "below %s's %d: pages would not all go there",
			     ents[i].path, ents[i].prio, env.z.devpath,
			     env.prio);
	}
	swaps_free(ents, n);
	if (!found)
		errx(EXIT_FAILURE, "%s: not listed in /proc/swaps",
		     env.z.devpath);

	/* vm_swap_full() (> 50 % used) would free swap cache on a read fault */
	need = (uint64_t)o->pages * psz / 1024 * 2;
	if ((used + need) * 2 >= total)
		errx(EXIT_FAILURE, "swap is too small for %lu pages: "
		     "%" PRIu64 " KiB used of %" PRIu64 " KiB, vm_swap_full() "
		     "must stay false", o->pages, used, total);
}

static void setup_environment(const struct exopts *o)
{
	char *p;

	if (geteuid() != 0)
		errx(EXIT_FAILURE, "exercise must be run as root "
		     "(pagemap PFNs and /proc/kpageflags need CAP_SYS_ADMIN)");
	check_zswap();

	env.owner = getpid();
	atexit(cleanup);
	install_signals();

	setup_device(o);
	env.hold_path = zdev_attr_path(&env.z, ZSWAPBLK_ATTR_COMPLETION_HOLD);
	if (!path_exists(env.hold_path))
		errx(EXIT_FAILURE, "%s: the driver has no %s attribute",
		     env.z.devpath, ZSWAPBLK_ATTR_COMPLETION_HOLD);
	env.stable_path = zdev_attr_path(&env.z, "queue/stable_writes");
	check_swap_areas(o);

	set_page_cluster();
	pin_cpu();

	/*
	 * Lock what exists now (text, libraries, stack, heap) so that reclaim,
	 * memory.reclaim in particular, can only take the test buffers, which
	 * are mapped later.  Otherwise our own faults would be counted.
	 */
	if (mlockall(MCL_CURRENT))
		warn("mlockall failed, fault counts may be disturbed");

	p = kernel_release();
	info("kernel %s, model %s; device %s, priority %d; %lu pages per "
	     "scenario; completion_hold %u ms", p, kmodel_name(model),
	     env.z.devpath, env.prio, o->pages, o->hold_ms);
	free(p);
}

/* Switch queue/stable_writes for the next swapon; on failure the reason. */
static int set_stable_writes(bool on, char *reason, size_t rsz)
{
	char *cur, *now;
	int rc;

	rc = path_read_string(env.stable_path, &cur);
	if (rc) {
		snprintf(reason, rsz, "queue/stable_writes: %s", strerror(-rc));
		return rc;
	}
	if ((cur[0] == '1') == on) {
		free(cur);
		return 0;
	}
	if (env.swap_on) {
		rc = zdev_swapoff(&env.z);
		if (rc) {
			free(cur);
			snprintf(reason, rsz, "swapoff: %s", strerror(-rc));
			return rc;
		}
		env.swap_on = false;
	}
	env.stable_orig = cur;		/* restore_stable_writes() undoes */
	rc = path_write_string(env.stable_path, on ? "1" : "0");
	if (!rc) {
		rc = path_read_string(env.stable_path, &now);
		if (!rc) {
			if ((now[0] == '1') != on)
				rc = -EROFS;
			free(now);
		}
	}
	if (rc) {
		snprintf(reason, rsz, "cannot set queue/stable_writes: %s",
			 strerror(-rc));
		return rc;
	}
	rc = zdev_swapon(&env.z, env.prio);
	if (rc) {
		snprintf(reason, rsz, "swapon: %s", strerror(-rc));
		return rc;
	}
	env.swap_on = true;
	return 0;
}

/* ------------------------------------------------------------- cgroup */

/* The cgroup2 mount point from mountinfo, or NULL. */
static char *cgroup2_mount(void)
{
	char line[4096], mnt[PATH_MAX], *p = sysroot_path("/proc/self/mountinfo");
	char *sep, *res = NULL;
	FILE *f = fopen(p, "re");

	free(p);
	if (!f)
		return NULL;
	while (!res && fgets(line, sizeof(line), f)) {
		sep = strstr(line, " - cgroup2 ");
		if (!sep)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1)
			res = xstrdup(mnt);
	}
	fclose(f);
	return res;
}

/*
 * Move into a fresh memory cgroup below the cgroup2 root, so that
 * memory.reclaim can swap out pages that two processes map (MADV_PAGEOUT
 * skips those).
 */
static int cgroup_enter(char *reason, size_t rsz)
{
	char *mnt, *s, *p, *cur = NULL, pid[16];
	int rc;

	mnt = cgroup2_mount();
	if (!mnt) {
		snprintf(reason, rsz, "no cgroup2 mount");
		return -ENOENT;
	}
	p = xasprintf("%s/cgroup.controllers", mnt);
	rc = path_read_string(p, &s);
	free(p);
	if (rc || !strstr(s, "memory")) {
		snprintf(reason, rsz, "no memory controller in cgroup2");
		if (!rc)
			free(s);
		free(mnt);
		return -ENOENT;
	}
	free(s);

	p = sysroot_path("/proc/self/cgroup");
	rc = path_read_string(p, &s);
	free(p);
	if (!rc) {
		char *line = strstr(s, "0::");

		if (line) {
			char *nl = strchr(line, '\n');

			if (nl)
				*nl = '\0';
			cur = xstrdup(line + 3);
		}
		free(s);
	}
	if (!cur) {
		snprintf(reason, rsz, "cannot find own cgroup");
		free(mnt);
		return -ENOENT;
	}

	p = xasprintf("%s/cgroup.subtree_control", mnt);
	if (path_read_string(p, &s) == 0) {
		if (!strstr(s, "memory")) {
			rc = path_write_string(p, "+memory");
			if (rc) {
				snprintf(reason, rsz, "cannot enable the memory "
					 "controller: %s", strerror(-rc));
				free(s);
				free(p);
				free(cur);
				free(mnt);
				return rc;
			}
			env.cg_subtree = xstrdup(p);
		}
		free(s);
	}
	free(p);

	env.cg_dir = xasprintf("%s/zswapctl-exercise.%d", mnt, (int)getpid());
	if (mkdir(env.cg_dir, 0755) && errno != EEXIST) {
		rc = -errno;
		snprintf(reason, rsz, "%s: %s", env.cg_dir, strerror(errno));
		free(env.cg_dir);
		env.cg_dir = NULL;
		free(cur);
		free(mnt);
		return rc;
	}
	env.cg_old_procs = xasprintf("%s%s/cgroup.procs", mnt,
				     strcmp(cur, "/") ? cur : "");
	free(cur);
	free(mnt);

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	p = xasprintf("%s/cgroup.procs", env.cg_dir);
	rc = path_write_string(p, pid);
	free(p);
	if (rc) {
		snprintf(reason, rsz, "cannot join cgroup: %s", strerror(-rc));
		free(env.cg_old_procs);
		env.cg_old_procs = NULL;
		cgroup_leave();
	}
	return rc;
}

/* memory.reclaim; -EAGAIN is expected: pages under writeback do not count */
static int cgroup_reclaim(uint64_t bytes)
{
	char *p = xasprintf("%s/memory.reclaim", env.cg_dir), val[64];
	int rc;

	snprintf(val, sizeof(val), "%" PRIu64 " swappiness=200", bytes);
	rc = path_write_string(p, val);
	if (rc == -EINVAL) {			/* 6.1 has no swappiness= key */
		snprintf(val, sizeof(val), "%" PRIu64, bytes);
		rc = path_write_string(p, val);
	}
	free(p);
	return rc == -EAGAIN ? 0 : rc;
}

/* ------------------------------------------------------------ one run */

struct run {
	const struct scenario	*sc;
	struct scenres		*res;
	char			*buf;
	size_t			npages;
	uint64_t		seed;
	struct pagerec		*recs;		/* parent's view */
	struct pagerec		*crecs;		/* child's view */
	struct pagestate	ps;
	int			go[2], done[2];
	bool			verbose;
};

static void *locked_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		err(EXIT_FAILURE, "cannot map %zu bytes", len);
	if (mlock(p, len))
		memset(p, 0, len);	/* at least populate it */
	return p;
}

/* Non-zero, different in every word and every page: never same-filled. */
static inline uint64_t pattern(uint64_t seed, size_t page, size_t word)
{
	return 0xa500000000000000ULL ^ (seed << 40) ^ ((uint64_t)page << 12) ^
	       (uint64_t)word;
}

static inline uint64_t pattern_written(uint64_t seed, size_t page)
{
	return ~pattern(seed, page, 0);
}

static bool verify_page(const struct run *r, size_t i, bool written)
{
	const uint64_t *w = (const uint64_t *)(r->buf + i * psz);
	size_t k, nw = psz / sizeof(uint64_t);

	if (w[0] != (written ? pattern_written(r->seed, i) :
			       pattern(r->seed, i, 0)))
		return false;
	for (k = 1; k < nw; k++) {
		if (w[k] != pattern(r->seed, i, k))
			return false;
	}
	return true;
}

/*
 * Touch the stack below us, so that the measured accesses do not fault on
 * it: after fork() every private page is copy-on-write, and a deeper stack
 * may not be populated yet.
 */
static void __attribute__((noinline)) warm_stack(void)
{
	volatile char pad[128 * 1024];
	size_t i;

	for (i = 0; i < sizeof(pad); i += 256)
		pad[i] = (char)i;
}

/* One access to page @i, with its state before and after. */
static void access_page(struct run *r, struct pagerec *rec, size_t i,
			bool write)
{
	volatile uint64_t *w = (volatile uint64_t *)(r->buf + i * psz);
	uint64_t ent = 0, kpf = 0, min0, maj0, min1, maj1;

	rec->bad = rec->present = rec->cached = rec->writeback = false;
	if (pagemap_get(&r->ps, (const void *)w, &ent)) {
		rec->bad = true;
	} else if (ent & PM_PRESENT) {
		rec->present = true;
		rec->pfn_before = ent & PM_PFN_MASK;
		if (!kpageflags_get(&r->ps, rec->pfn_before, &kpf))
			rec->writeback = kpf & KPF_WRITEBACK;
	} else if (ent & PM_SWAP) {
		rec->pfn_before = rec->pfn_orig;
		if (swapcache_has((const void *)w, &rec->cached))
			rec->bad = true;
		if (rec->cached && !kpageflags_get(&r->ps, rec->pfn_orig, &kpf))
			rec->writeback = kpf & KPF_WRITEBACK;
	} else {
		rec->bad = true;
	}

	fault_counts(&min0, &maj0);
	if (write)
		w[0] = pattern_written(r->seed, i);
	else
		(void)w[0];
	fault_counts(&min1, &maj1);

	if (write)
		rec->written = true;
	rec->minflt = min1 - min0;
	rec->majflt = maj1 - maj0;
	rec->pfn_after = 0;
	rec->kpf_after = 0;
	if (!pagemap_get(&r->ps, (const void *)w, &ent) && (ent & PM_PRESENT)) {
		rec->pfn_after = ent & PM_PFN_MASK;
		kpageflags_get(&r->ps, rec->pfn_after, &rec->kpf_after);
	}
	rec->data_ok = verify_page(r, i, rec->written);
}

static void part_range(const struct run *r, enum part part, size_t *from,
		       size_t *to)
{
	*from = part == PART_SECOND ? r->npages / 2 : 0;
	*to = part == PART_FIRST ? r->npages / 2 : r->npages;
}

static void run_accesses(struct run *r, struct pagerec *recs,
			 const struct step *st)
{
	size_t i, from, to;

	part_range(r, st->part, &from, &to);
	warm_stack();
	for (i = from; i < to && !interrupted; i++)
		access_page(r, &recs[i], i, st->write);
}

/*
 * After a signal the hold is gone (the handler released it), so whatever
 * fails next is the signal's doing: say so instead.
 */
static bool note_interrupted(struct run *r)
{
	if (!interrupted)
		return false;
	if (r->res->verdict != V_FAIL) {
		r->res->verdict = V_FAIL;
		snprintf(r->res->note, sizeof(r->res->note),
			 "interrupted by signal %d", (int)interrupted);
		warnx("%s: %s", r->sc->name, r->res->note);
	}
	return true;
}

static void mismatch(struct run *r, struct stepres *sr, size_t page,
		     const char *fmt, ...) __printf(4, 5);
static void mismatch(struct run *r, struct stepres *sr, size_t page,
		     const char *fmt, ...)
{
	char msg[160], where[32] = "";
	va_list ap;

	if (note_interrupted(r))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (page != NO_PAGE)
		snprintf(where, sizeof(where), "page %zu: ", page);
	if (sr->mismatches < MAX_REPORTED || r->verbose)
		warnx("%s: %s: %s%s", r->sc->name, sr->label, where, msg);
	else if (sr->mismatches == MAX_REPORTED)
		warnx("%s: %s: more mismatches not shown (use --verbose)",
		      r->sc->name, sr->label);
	if (r->res->verdict != V_FAIL) {
		r->res->verdict = V_FAIL;
		snprintf(r->res->note, sizeof(r->res->note), "%s: %s%s",
			 sr->label, where, msg);
	}
	sr->mismatches++;
}

/* Compare every access of a step with the model. */
static void evaluate_step(struct run *r, struct pagerec *recs,
			  const struct step *st, struct stepres *sr,
			  bool shared)
{
	struct outcome o;
	struct fault_state s;
	size_t i, from, to;
	uint64_t faults;
	bool excl;

	part_range(r, st->part, &from, &to);
	for (i = from; i < to; i++) {
		struct pagerec *rec = &recs[i];

		sr->pages++;
		sr->minflt += rec->minflt;
		sr->majflt += rec->majflt;
		sr->got_major += rec->majflt ? 1 : 0;
		if (!rec->data_ok) {
			sr->corrupt++;
			mismatch(r, sr, i, "data corrupted");
		}
		if (rec->bad) {
			mismatch(r, sr, i, "neither present nor swapped out "
				 "before the access");
			continue;
		}
		if (!rec->present)
			sr->wb += rec->writeback;

		if (r->verbose)
			fprintf(stderr, "[PAGE] %s %s %zu: %s%s%s pfn %#" PRIx64
				" -> %#" PRIx64 " min %" PRIu64 " maj %" PRIu64
				" kpf %#" PRIx64 "\n", r->sc->name, sr->label,
				i, rec->present ? "present" : "swapped",
				rec->cached ? " cached" : "",
				rec->writeback ? " writeback" : "",
				rec->pfn_before, rec->pfn_after, rec->minflt,
				rec->majflt, rec->kpf_after);

		if (!rec->present && st->held && !rec->writeback)
			mismatch(r, sr, i, "not under writeback at fault time "
				 "(completion_hold not effective or expired)");
		if (!rec->present && !st->held && rec->writeback)
			mismatch(r, sr, i, "still under writeback after the "
				 "release");

		s = (struct fault_state){
			.present = rec->present,
			.writable = rec->writable,
			.exclusive = rec->exclusive,
			.cached = rec->cached,
			.writeback = rec->writeback,
			.stable = r->sc->stable,
			.shared = shared,
			.pte_exclusive = !shared,
		};
		predict(model, st->write, &s, &o);
		sr->exp_reuse += o.reuse;

		faults = rec->minflt + rec->majflt;
		if (faults != (uint64_t)o.faults)
			mismatch(r, sr, i, "expected %d fault(s), got %" PRIu64
				 " (minor %" PRIu64 ", major %" PRIu64 ")",
				 o.faults, faults, rec->minflt, rec->majflt);
		else if (o.faults && (rec->majflt != 0) != o.major)
			mismatch(r, sr, i, "expected a %s fault",
				 o.major ? "major" : "minor");

		if (!rec->pfn_after) {
			mismatch(r, sr, i, "not present after the access");
			continue;
		}
		if (rec->pfn_after == rec->pfn_before)
			sr->same++;
		else
			sr->newpfn++;
		if (o.pfn == PFN_SAME && rec->pfn_after != rec->pfn_before)
			mismatch(r, sr, i, "expected the same PFN %#" PRIx64
				 ", got %#" PRIx64, rec->pfn_before,
				 rec->pfn_after);
		if (o.pfn == PFN_NEW && rec->pfn_after == rec->pfn_before)
			mismatch(r, sr, i, "expected a new PFN (%s), got the "
				 "same %#" PRIx64, o.copy ? "copy" : "read",
				 rec->pfn_before);

		excl = rec->kpf_after & KPF_ANON_EXCLUSIVE;
		sr->excl += excl;
		if (!(rec->kpf_after & KPF_ANON))
			mismatch(r, sr, i, "kpageflags: not an anonymous page");
		else if (excl != o.exclusive)
			mismatch(r, sr, i, "expected PageAnonExclusive %s",
				 o.exclusive ? "set" : "clear");

		rec->writable = o.writable;
		rec->exclusive = excl;
	}
}

/* Lower bounds only: the counters are global. */
static void check_vmstat_step(struct run *r, struct stepres *sr)
{
	if (sr->dv.have[VM_PGREUSE] && sr->dv.v[VM_PGREUSE] < sr->exp_reuse)
		mismatch(r, sr, NO_PAGE, "pgreuse rose by %" PRIu64 ", expected at "
			 "least %zu", sr->dv.v[VM_PGREUSE], sr->exp_reuse);
	if (sr->dv.have[VM_PSWPIN] && sr->dv.v[VM_PSWPIN] < sr->got_major)
		mismatch(r, sr, NO_PAGE, "pswpin rose by %" PRIu64 ", but %zu major "
			 "faults were counted", sr->dv.v[VM_PSWPIN],
			 sr->got_major);
}

static void fail(struct run *r, const char *fmt, ...) __printf(2, 3);
static void fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (note_interrupted(r))
		return;
	va_start(ap, fmt);
	if (r->res->verdict != V_FAIL) {
		r->res->verdict = V_FAIL;
		vsnprintf(r->res->note, sizeof(r->res->note), fmt, ap);
		warnx("%s: %s", r->sc->name, r->res->note);
	}
	va_end(ap);
}

/* Fresh pages: mapped, filled, order 0, PFNs recorded. */
static int prepare_buffer(struct run *r)
{
	size_t i, k, nw = psz / sizeof(uint64_t);
	uint64_t ent, kpf;

	env.buflen = r->npages * psz;
	env.buf = mmap(NULL, env.buflen, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (env.buf == MAP_FAILED) {
		env.buf = NULL;
		fail(r, "mmap: %s", strerror(errno));
		return -1;
	}
	r->buf = env.buf;
	if (madvise(r->buf, env.buflen, MADV_NOHUGEPAGE))
		warn("madvise(MADV_NOHUGEPAGE)");

	for (i = 0; i < r->npages; i++) {
		uint64_t *w = (uint64_t *)(r->buf + i * psz);

		for (k = 0; k < nw; k++)
			w[k] = pattern(r->seed, i, k);
	}
	for (i = 0; i < r->npages; i++) {
		if (pagemap_get(&r->ps, r->buf + i * psz, &ent) ||
		    !(ent & PM_PRESENT) || !(ent & PM_PFN_MASK)) {
			fail(r, "page %zu: no PFN in pagemap", i);
			return -1;
		}
		r->recs[i].pfn_orig = ent & PM_PFN_MASK;
		if (kpageflags_get(&r->ps, r->recs[i].pfn_orig, &kpf)) {
			fail(r, "page %zu: cannot read kpageflags", i);
			return -1;
		}
		if (!(kpf & KPF_ANON) || (kpf & KPF_LARGE)) {
			fail(r, "page %zu: not an order-0 anonymous page "
			     "(kpageflags %#" PRIx64 ")", i, kpf);
			return -1;
		}
	}
	return 0;
}

/* How many pages are not swapped out yet, per pagemap of @ps. */
static size_t count_resident(struct run *r, const struct pagestate *ps,
			     bool record)
{
	size_t i, left = 0;
	uint64_t ent;

	for (i = 0; i < r->npages; i++) {
		if (pagemap_get(ps, r->buf + i * psz, &ent) ||
		    !(ent & PM_SWAP) || (ent & PM_PRESENT)) {
			left++;
			continue;
		}
		if (record)
			r->recs[i].swap_ent = ent;
	}
	return left;
}

/* MADV_PAGEOUT on the pages that are still mapped (all of them at first). */
static int pageout(struct run *r, bool first)
{
	uint64_t ent;
	size_t i;

	if (first)
		return madvise(r->buf, env.buflen, MADV_PAGEOUT) ? -errno : 0;
	for (i = 0; i < r->npages; i++) {
		if (!pagemap_get(&r->ps, r->buf + i * psz, &ent) &&
		    (ent & PM_SWAP))
			continue;
		if (madvise(r->buf + i * psz, psz, MADV_PAGEOUT))
			return -errno;
	}
	return 0;
}

/*
 * Swap every page out while the hold keeps the writes, then check: PM_SWAP
 * in pagemap, and WRITEBACK and SWAPCACHE without MMAP on the old PFN.
 * MADV_PAGEOUT silently skips a page it cannot take, so retry a few times.
 */
static int swap_out(struct run *r)
{
	struct pagestate cps = { -1, -1 };
	size_t i, left = r->npages;
	uint64_t kpf;
	int tries, rc;

	for (tries = 0; tries < 4 && left && !interrupted; tries++) {
		if (r->sc->fork)
			rc = cgroup_reclaim((uint64_t)r->npages * psz * 2);
		else
			rc = pageout(r, tries == 0);
		if (rc) {
			fail(r, "%s: %s", r->sc->fork ? "memory.reclaim" :
			     "madvise(MADV_PAGEOUT)", strerror(-rc));
			return -1;
		}
		left = count_resident(r, &r->ps, true);
	}
	if (left) {
		fail(r, "%zu of %zu pages not swapped out", left, r->npages);
		return -1;
	}
	if (r->sc->fork && pagestate_open(&cps, env.child) == 0) {
		left = count_resident(r, &cps, false);
		pagestate_close(&cps);
		if (left) {
			fail(r, "%zu pages still mapped in the child", left);
			return -1;
		}
	}
	for (i = 0; i < r->npages; i++) {
		if (kpageflags_get(&r->ps, r->recs[i].pfn_orig, &kpf)) {
			fail(r, "page %zu: cannot read kpageflags", i);
			return -1;
		}
		if (!(kpf & KPF_WRITEBACK) || !(kpf & KPF_SWAPCACHE) ||
		    (kpf & KPF_MMAP)) {
			uint64_t hold = 1;

			path_read_u64(env.hold_path, &hold);
			fail(r, "page %zu: after swap-out kpageflags %#" PRIx64
			     " lack WRITEBACK|SWAPCACHE or have MMAP; the hold "
			     "set %" PRIu64 " ms ago is %s", i, kpf,
			     now_ms() - env.hold_since,
			     hold ? "still on" : "over (timed out?)");
			return -1;
		}
	}
	return 0;
}

/* After the release: every old folio that is still cached leaves writeback. */
static int wait_writeback_end(struct run *r, unsigned int timeout_ms)
{
	uint64_t start = now_ms(), kpf;
	size_t i, busy;

	do {
		busy = 0;
		for (i = 0; i < r->npages; i++) {
			if (!kpageflags_get(&r->ps, r->recs[i].pfn_orig, &kpf) &&
			    (kpf & KPF_SWAPCACHE) && (kpf & KPF_WRITEBACK))
				busy++;
		}
		if (!busy)
			return 0;
		sleep_ms(10);
	} while (now_ms() - start < timeout_ms && !interrupted);
	return -ETIMEDOUT;
}

static int release_and_wait(struct run *r)
{
	int rc = hold_release();

	if (rc) {
		fail(r, "failed to release completion_hold: %s", strerror(-rc));
		return rc;
	}
	rc = wait_writeback_end(r, WAIT_WRITEBACK_MS);
	if (rc)
		fail(r, "writeback did not end within %u ms of the release",
		     WAIT_WRITEBACK_MS);
	return rc;
}

/* The forked child: waits, reads its view of every page, reports, exits. */
static void __noreturn child_main(struct run *r, const struct step *st)
{
	ssize_t n;
	size_t i;
	char c;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	close(r->go[1]);
	close(r->done[0]);
	pagestate_close(&r->ps);

	do {
		n = read(r->go[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(1);
	if (pagestate_open(&r->ps, 0))
		_exit(2);
	/* fork() does not copy the PTEs of a shared mapping: fault them now */
	for (i = 0; i < r->npages; i++)
		((volatile struct pagerec *)r->crecs)[i].bad = false;
	run_accesses(r, r->crecs, st);
	c = 1;
	if (write(r->done[1], &c, 1) != 1)
		_exit(3);
	_exit(0);
}

static int start_child(struct run *r)
{
	const struct step *st = &r->sc->steps[r->sc->nsteps - 1];
	pid_t pid;

	if (pipe2(r->go, O_CLOEXEC) || pipe2(r->done, O_CLOEXEC)) {
		r->go[0] = r->go[1] = r->done[0] = r->done[1] = -1;
		fail(r, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fail(r, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_main(r, st);
	env.child = pid;
	close(r->go[0]);
	close(r->done[1]);
	return 0;
}

static int run_child_step(struct run *r)
{
	char c = 1;
	ssize_t n;
	int status;

	if (write(r->go[1], &c, 1) != 1) {
		fail(r, "cannot start the child: %s", strerror(errno));
		return -1;
	}
	do {
		n = read(r->done[0], &c, 1);
	} while (n < 0 && errno == EINTR && !interrupted);
	while (waitpid(env.child, &status, 0) < 0 && errno == EINTR)
		;
	env.child = -1;
	close(r->go[1]);
	close(r->done[0]);
	r->go[1] = r->done[0] = -1;
	if (n != 1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fail(r, "the child failed (status %#x)", status);
		return -1;
	}
	return 0;
}

static void run_scenario(const struct scenario *sc, const struct exopts *o,
			 unsigned int idx, struct scenres *res)
{
	struct run r = { .sc = sc, .res = res, .npages = o->pages,
			 .verbose = o->verbose, .ps = { -1, -1 },
			 .go = { -1, -1 }, .done = { -1, -1 } };
	struct vmstat v0, v1, s0, s1;
	unsigned int k;
	size_t i;
	int rc;

	res->verdict = V_OK;
	res->nsteps = sc->nsteps;
	for (k = 0; k < sc->nsteps; k++)
		step_label(&sc->steps[k], res->steps[k].label,
			   sizeof(res->steps[k].label));
	r.seed = (uint64_t)(idx + 1) << 4 | ((uint64_t)getpid() & 0xf);

	if (!sc->stable &&
	    set_stable_writes(false, res->note, sizeof(res->note))) {
		res->verdict = V_SKIP;
		return;
	}
	if (sc->fork && cgroup_enter(res->note, sizeof(res->note))) {
		res->verdict = V_SKIP;
		return;
	}
	if (pagestate_open(&r.ps, 0)) {
		fail(&r, "cannot open pagemap/kpageflags: %s", strerror(errno));
		goto out;
	}
	r.recs = locked_alloc(r.npages * sizeof(*r.recs));
	if (sc->fork)
		r.crecs = locked_alloc(r.npages * sizeof(*r.crecs));

	vmstat_read(&s0);
	if (prepare_buffer(&r))
		goto out;
	if (sc->fork) {
		for (i = 0; i < r.npages; i++)
			r.crecs[i].pfn_orig = r.recs[i].pfn_orig;
		if (start_child(&r))
			goto out;
	}

	rc = hold_set(o->hold_ms);
	if (rc) {
		fail(&r, "failed to set completion_hold: %s", strerror(-rc));
		goto out;
	}
	if (swap_out(&r))
		goto out;

	for (k = 0; k < sc->nsteps && !interrupted; k++) {
		const struct step *st = &sc->steps[k];
		struct stepres *sr = &res->steps[k];

		if (!st->held && env.holding && release_and_wait(&r))
			goto out;
		vmstat_read(&v0);
		if (st->child) {
			if (run_child_step(&r))
				goto out;
		} else {
			run_accesses(&r, r.recs, st);
		}
		vmstat_read(&v1);
		vmstat_delta(&v0, &v1, &sr->dv);
		evaluate_step(&r, st->child ? r.crecs : r.recs, st, sr,
			      sc->fork);
		check_vmstat_step(&r, sr);
	}
	note_interrupted(&r);

out:
	if (env.holding)
		hold_release();
	if (r.buf && !interrupted)
		wait_writeback_end(&r, WAIT_WRITEBACK_MS);
	kill_child();
	if (r.go[1] >= 0)
		close(r.go[1]);
	if (r.done[0] >= 0)
		close(r.done[0]);
	vmstat_read(&s1);
	vmstat_delta(&s0, &s1, &res->dv);

	/* Whole-run figures: final PFN against the one before swap-out. */
	if (r.buf && !interrupted) {
		for (i = 0; i < r.npages; i++) {
			uint64_t ent = 0, kpf = 0;

			res->pages++;
			if (!verify_page(&r, i, r.recs[i].written))
				res->corrupt++;
			if (pagemap_get(&r.ps, r.buf + i * psz, &ent) ||
			    !(ent & PM_PRESENT))
				continue;
			if ((ent & PM_PFN_MASK) == r.recs[i].pfn_orig)
				res->reused++;
			else
				res->copied++;
			if (!kpageflags_get(&r.ps, ent & PM_PFN_MASK, &kpf) &&
			    (kpf & KPF_ANON_EXCLUSIVE))
				res->excl++;
		}
		if (res->corrupt)
			fail(&r, "%zu pages corrupted", res->corrupt);
	}
	for (k = 0; k < res->nsteps; k++) {
		res->minflt += res->steps[k].minflt;
		res->majflt += res->steps[k].majflt;
		res->wb += res->steps[k].wb;
	}
	if (res->verdict == V_OK && res->dv.have[VM_PSWPOUT] &&
	    res->dv.v[VM_PSWPOUT] < r.npages)
		fail(&r, "pswpout rose by %" PRIu64 ", expected at least %zu",
		     res->dv.v[VM_PSWPOUT], r.npages);

	if (env.buf) {
		munmap(env.buf, env.buflen);
		env.buf = NULL;
	}
	if (r.recs)
		munmap(r.recs, r.npages * sizeof(*r.recs));
	if (r.crecs)
		munmap(r.crecs, r.npages * sizeof(*r.crecs));
	pagestate_close(&r.ps);
	if (sc->fork)
		cgroup_leave();
	if (!sc->stable)
		restore_stable_writes();
}

/* ------------------------------------------------------------- output */

enum {
	XC_NAME, XC_PAGES, XC_MINFLT, XC_MAJFLT, XC_REUSED, XC_COPIED,
	XC_WB, XC_EXCL, XC_PGREUSE, XC_PSWPIN, XC_PSWPOUT, XC_PGMAJFAULT,
	XC_CORRUPT, XC_EXPECT, XC_RESULT, XC_NOTE,
};

static const struct {
	const char	*name;
	double		whint;
	int		flags;
	int		json;
} xcols[] = {
	[XC_NAME]	= { "NAME",	   0.2, SCOLS_FL_TREE, SCOLS_JSON_STRING },
	[XC_PAGES]	= { "PAGES",	   5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_MINFLT]	= { "MINFLT",	   5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_MAJFLT]	= { "MAJFLT",	   5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_REUSED]	= { "REUSED",	   5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_COPIED]	= { "COPIED",	   5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_WB]		= { "WB-AT-FAULT", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_EXCL]	= { "EXCL",	   5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_PGREUSE]	= { "PGREUSE",	   5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_PSWPIN]	= { "PSWPIN",	   5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_PSWPOUT]	= { "PSWPOUT",	   5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_PGMAJFAULT]	= { "PGMAJFAULT",  5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_CORRUPT]	= { "CORRUPT",	   5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[XC_EXPECT]	= { "EXPECT",	   0.2, 0, SCOLS_JSON_STRING },
	[XC_RESULT]	= { "RESULT",	   4, 0, SCOLS_JSON_STRING },
	[XC_NOTE]	= { "NOTE",	   0.3, SCOLS_FL_TRUNC, SCOLS_JSON_STRING },
};

static void set_vmstat(struct libscols_line *ln, const struct vmstat *d)
{
	static const int map[VM__NR] = {
		[VM_PGREUSE] = XC_PGREUSE, [VM_PSWPIN] = XC_PSWPIN,
		[VM_PSWPOUT] = XC_PSWPOUT, [VM_PGMAJFAULT] = XC_PGMAJFAULT,
	};
	int i;

	for (i = 0; i < VM__NR; i++) {
		if (d->have[i])
			line_set_u64(ln, map[i], d->v[i]);
	}
}

static const char *verdict_str(enum verdict v)
{
	switch (v) {
	case V_OK:
		return "ok";
	case V_FAIL:
		return "FAIL";
	case V_SKIP:
		return "SKIP";
	default:
		return "-";
	}
}

static struct libscols_table *results_table(const struct outopts *out)
{
	struct libscols_table *tb = new_table(out, "scenarios");
	size_t i;

	for (i = 0; i < ARRAY_SIZE(xcols); i++)
		new_column(tb, xcols[i].name, xcols[i].whint, xcols[i].flags,
			   xcols[i].json);
	return tb;
}

/* The nominal expectation of every step: all pages in the swap cache. */
static void nominal_outcomes(const struct scenario *sc, struct outcome *out)
{
	struct fault_state g[2], s;
	unsigned int k;

	for (k = 0; k < 2; k++)
		g[k] = (struct fault_state){
			.cached = true, .stable = sc->stable,
			.shared = sc->fork, .pte_exclusive = !sc->fork,
		};
	for (k = 0; k < sc->nsteps; k++) {
		const struct step *st = &sc->steps[k];
		struct fault_state *gs = &g[st->part == PART_SECOND];

		if (st->child) {
			s = (struct fault_state){
				.cached = true, .stable = sc->stable,
				.shared = true, .pte_exclusive = false,
			};
			predict(model, st->write, &s, &out[k]);
			continue;
		}
		s = *gs;
		s.writeback = !s.present && st->held;
		predict(model, st->write, &s, &out[k]);
		gs->present = true;
		gs->writable = out[k].writable;
		gs->exclusive = out[k].exclusive;
		gs->writeback = false;
		if (st->part == PART_ALL)
			g[1] = g[0];
	}
}

static void print_results(const struct exopts *o, struct scenres *res)
{
	struct libscols_table *tb = results_table(&o->out);
	struct outcome exp[3];
	char buf[64];
	unsigned int k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct scenario *sc = &scenarios[i];
		struct scenres *sr = &res[i];
		struct libscols_line *ln, *cl;

		if (sr->verdict == V_NOTRUN)
			continue;
		ln = new_line(tb, NULL);
		line_set_str(ln, XC_NAME, sc->name);
		line_set_str(ln, XC_RESULT, verdict_str(sr->verdict));
		line_set_str(ln, XC_NOTE, sr->note[0] ? sr->note : NULL);
		if (sr->verdict == V_SKIP)
			continue;
		line_set_u64(ln, XC_PAGES, sr->pages);
		line_set_u64(ln, XC_MINFLT, sr->minflt);
		line_set_u64(ln, XC_MAJFLT, sr->majflt);
		line_set_u64(ln, XC_REUSED, sr->reused);
		line_set_u64(ln, XC_COPIED, sr->copied);
		line_set_u64(ln, XC_WB, sr->wb);
		line_set_u64(ln, XC_EXCL, sr->excl);
		line_set_u64(ln, XC_CORRUPT, sr->corrupt);
		set_vmstat(ln, &sr->dv);

		nominal_outcomes(sc, exp);
		for (k = 0; k < sr->nsteps; k++) {
			struct stepres *st = &sr->steps[k];

			cl = new_line(tb, ln);
			line_set_str(cl, XC_NAME, st->label);
			line_set_str(cl, XC_EXPECT,
				     outcome_str(&exp[k], buf, sizeof(buf)));
			if (!st->pages)
				continue;
			line_set_u64(cl, XC_PAGES, st->pages);
			line_set_u64(cl, XC_MINFLT, st->minflt);
			line_set_u64(cl, XC_MAJFLT, st->majflt);
			line_set_u64(cl, XC_REUSED, st->same);
			line_set_u64(cl, XC_COPIED, st->newpfn);
			line_set_u64(cl, XC_WB, st->wb);
			line_set_u64(cl, XC_EXCL, st->excl);
			line_set_u64(cl, XC_CORRUPT, st->corrupt);
			set_vmstat(cl, &st->dv);
			line_set_str(cl, XC_RESULT, st->mismatches ? "FAIL" : "ok");
		}
	}
	print_table(tb);
}

/* --dry-run: the model's prediction for every selected scenario. */
static void print_plan(const struct exopts *o)
{
	struct libscols_table *tb = new_table(&o->out, "plan");
	struct outcome exp[3];
	char buf[64];
	unsigned int k;
	size_t i;

	new_column(tb, "NAME", 0.2, SCOLS_FL_TREE, SCOLS_JSON_STRING);
	new_column(tb, "FAULT", 5, 0, SCOLS_JSON_STRING);
	new_column(tb, "PFN", 5, 0, SCOLS_JSON_STRING);
	new_column(tb, "EXCL", 3, 0, SCOLS_JSON_BOOLEAN);
	new_column(tb, "WRITABLE", 3, 0, SCOLS_JSON_BOOLEAN);
	new_column(tb, "PGREUSE", 3, 0, SCOLS_JSON_BOOLEAN);
	new_column(tb, "EXPECT", 0.3, 0, SCOLS_JSON_STRING);

	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct scenario *sc = &scenarios[i];
		struct libscols_line *ln, *cl;

		if (!(o->selected & (1U << i)))
			continue;
		ln = new_line(tb, NULL);
		line_set_str(ln, 0, sc->name);
		nominal_outcomes(sc, exp);
		for (k = 0; k < sc->nsteps; k++) {
			step_label(&sc->steps[k], buf, sizeof(buf));
			cl = new_line(tb, ln);
			line_set_str(cl, 0, buf);
			line_set_str(cl, 1, !exp[k].faults ? "none" :
					    exp[k].major ? "major" : "minor");
			line_set_str(cl, 2, exp[k].copy ? "copy" :
					    exp[k].pfn == PFN_NEW ? "new" : "same");
			line_set_str(cl, 3, exp[k].exclusive ? "yes" : "no");
			line_set_str(cl, 4, exp[k].writable ? "yes" : "no");
			line_set_str(cl, 5, exp[k].reuse ? "yes" : "no");
			line_set_str(cl, 6, outcome_str(&exp[k], buf, sizeof(buf)));
		}
	}
	print_table(tb);
}

/* -------------------------------------------------------------- main */

static void __noreturn usage(void)
{
	FILE *out = stdout;
	size_t i;

	fputs("\nUsage:\n", out);
	fprintf(out, " %s exercise [options]\n", program_invocation_short_name);
	fputs("\nDrive the kernel's swap-in reuse paths with writes held by a "
	      "zswapblk device\nand check every decision against the running "
	      "kernel (6.1 or 6.12). Needs root.\n", out);

	fputs("\nOptions:\n", out);
	fputs(" -d, --device <dev>        use this device (default: set up a free one)\n", out);
	fputs(" -s, --size <size>         size of a device set up here (default 128M)\n", out);
	fputs(" -S, --scenario <name>     run this scenario (repeatable; default: all)\n", out);
	fputs(" -N, --pages <n>           pages per scenario (default 256)\n", out);
	fputs("     --hold-ms <ms>        completion_hold timeout (default 60000)\n", out);
	fputs("     --expect <6.1|6.12>   kernel model (default: from the kernel release)\n", out);
	fputs("     --dry-run             print the expected outcomes, change nothing\n", out);
	fputs("     --list                list the scenarios\n", out);
	fputs(" -J, --json                use JSON output format\n", out);
	fputs("     --raw                 use raw output format\n", out);
	fputs(" -n, --noheadings          don't print headings\n", out);
	fputs(" -v, --verbose             report every page on stderr\n", out);
	fputs("     --sysroot <dir>       use <dir> as the root of /sys and /proc\n"
	      "                           (--dry-run only)\n", out);
	fputs("\n -h, --help                display this help\n", out);
	fputs(" -V, --version             display version\n", out);

	fputs("\nScenarios:\n", out);
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		fprintf(out, " %-20s %s\n", scenarios[i].name, scenarios[i].help);

	fputs("\nExit status: 0 all passed, 1 a failure, 4 all skipped.\n", out);
	fprintf(out, "\nFor more details see %s(8).\n",
		program_invocation_short_name);
	exit(EXIT_SUCCESS);
}

static int scenario_index(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		if (!strcmp(scenarios[i].name, name))
			return (int)i;
	}
	return -1;
}

int exercise_main(int argc, char **argv)
{
	enum { OPT_HOLD_MS = OPT_FIRST_OWN, OPT_EXPECT, OPT_DRY_RUN, OPT_LIST,
	       OPT_RAW };
	static const struct option longopts[] = {
		{ "device",	required_argument, NULL, 'd' },
		{ "size",	required_argument, NULL, 's' },
		{ "scenario",	required_argument, NULL, 'S' },
		{ "pages",	required_argument, NULL, 'N' },
		{ "hold-ms",	required_argument, NULL, OPT_HOLD_MS },
		{ "expect",	required_argument, NULL, OPT_EXPECT },
		{ "dry-run",	no_argument,	   NULL, OPT_DRY_RUN },
		{ "list",	no_argument,	   NULL, OPT_LIST },
		{ "json",	no_argument,	   NULL, 'J' },
		{ "raw",	no_argument,	   NULL, OPT_RAW },
		{ "noheadings",	no_argument,	   NULL, 'n' },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "sysroot",	required_argument, NULL, OPT_SYSROOT },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct exopts o = { .size = DEFAULT_SIZE, .pages = DEFAULT_PAGES,
			    .hold_ms = DEFAULT_HOLD_MS };
	struct scenres res[ARRAY_SIZE(scenarios)];
	bool list = false, failed = false, ran = false;
	uint64_t num;
	char *rel;
	size_t i;
	int c, idx;

	while ((c = getopt_long(argc, argv, "d:s:S:N:JnvhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			o.device = optarg;
			break;
		case 's':
			o.size = strtosize_or_err(optarg, "failed to parse size");
			if (!o.size)
				errx(EXIT_FAILURE, "invalid size: '%s'", optarg);
			break;
		case 'S':
			idx = scenario_index(optarg);
			if (idx < 0) {
				warnx("unknown scenario: %s", optarg);
				errtryhelp("exercise");
			}
			o.selected |= 1U << idx;
			break;
		case 'N':
			num = strtou64_or_err(optarg, "failed to parse pages");
			if (num < 1 || num > MAX_PAGES)
				errx(EXIT_FAILURE, "pages out of range (1-%lu): "
				     "'%s'", MAX_PAGES, optarg);
			o.pages = (unsigned long)num;
			break;
		case OPT_HOLD_MS:
			num = strtou64_or_err(optarg, "failed to parse hold time");
			if (num < 1 || num > ZSWAPBLK_HOLD_MAX_MS)
				errx(EXIT_FAILURE, "hold time out of range "
				     "(1-%u ms): '%s'", ZSWAPBLK_HOLD_MAX_MS,
				     optarg);
			o.hold_ms = (unsigned int)num;
			break;
		case OPT_EXPECT:
			o.model = kmodel_from_release(optarg);
			if (o.model == KMODEL_UNKNOWN) {
				warnx("unknown kernel model: %s (use 6.1 or "
				      "6.12)", optarg);
				errtryhelp("exercise");
			}
			break;
		case OPT_DRY_RUN:
			o.dry_run = true;
			break;
		case OPT_LIST:
			list = true;
			break;
		case 'J':
			o.out.json = true;
			break;
		case OPT_RAW:
			o.out.raw = true;
			break;
		case 'n':
			o.out.noheadings = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage();
		default:
			common_option(c, "exercise");
		}
	}
	if (optind < argc) {
		warnx("unexpected argument: %s", argv[optind]);
		errtryhelp("exercise");
	}
	if (o.out.json && o.out.raw)
		errx(EXIT_FAILURE, "mutually exclusive arguments: --json --raw");
	if (!o.selected)
		o.selected = (1U << ARRAY_SIZE(scenarios)) - 1;

	if (list) {
		for (i = 0; i < ARRAY_SIZE(scenarios); i++)
			printf("%s\n", scenarios[i].name);
		return EXIT_SUCCESS;
	}

	psz = (size_t)sysconf(_SC_PAGESIZE);
	model = o.model;
	if (model == KMODEL_UNKNOWN) {
		rel = kernel_release();
		model = kmodel_from_release(rel);
		if (model == KMODEL_UNKNOWN)
			errx(EXIT_FAILURE, "kernel %s: no expectation model "
			     "(only 6.1 and 6.12 are known); use --expect",
			     rel);
		free(rel);
	}

	if (o.dry_run) {
		print_plan(&o);
		return EXIT_SUCCESS;
	}
	if (have_sysroot())
		errx(EXIT_FAILURE, "--sysroot can only be used with --dry-run");

	setup_environment(&o);
	memset(res, 0, sizeof(res));
	for (i = 0; i < ARRAY_SIZE(scenarios) && !interrupted; i++) {
		if (!(o.selected & (1U << i)))
			continue;
		info("scenario %s", scenarios[i].name);
		run_scenario(&scenarios[i], &o, (unsigned int)i, &res[i]);
		if (res[i].verdict == V_FAIL)
			failed = true;
		if (res[i].verdict == V_OK)
			ran = true;
		if (res[i].verdict == V_SKIP)
			info("scenario %s skipped: %s", scenarios[i].name,
			     res[i].note);
	}
	cleanup();
	print_results(&o, res);

	if (interrupted || failed)
		return EXIT_FAILURE;
	return ran ? EXIT_SUCCESS : EXIT_SKIP;
}
