// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "setup" and "teardown": the devices of zswapctl.conf at boot and at
 * shutdown, without a daemon (zswapctl-setup.service runs them).
 *
 * setup reads and checks the whole file first: a bad file changes nothing.
 * It loads the module if need be, then works in three passes, devices in
 * ascending order:
 *
 *   1. create every device (hot_add) and configure it: the attributes in
 *      enum conf_key_id order, disksize, which initialises it, last;
 *   2. mkswap on every device;
 *   3. swapon on every device.
 *
 * When a step fails, what was done is undone in reverse order (swapoff,
 * reset, hot_remove of the devices this run created), so that nothing is
 * left half-configured.  A device that is initialised already is refused,
 * never reset: it may hold someone's data.
 *
 * teardown undoes setup for every device of the file that exists: swapoff,
 * reset, and hot_remove if the device is one only hot_add creates (its
 * number is num_devices or more).  It goes on after an error and reports it
 * in the exit status.
 *
 * With --sysroot only the attribute files are written: mkswap, swapon and
 * swapoff need a live system and are skipped.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zswapctl.h"

/* What one setup run did to a device, to undo it on failure. */
struct setup_dev {
	struct conf_dev	*cd;
	bool		hot_added;	/* created by this run */
	bool		touched;	/* an attribute was written */
	bool		swapped;	/* swapon succeeded */
	size_t		gaps;		/* s->extra[gap0..] created before it */
	size_t		gap0;
};

struct setup {
	struct conf	conf;
	struct setup_dev *devs;
	struct zdev	*extra;		/* hot_added on the way to a higher N */
	size_t		nextra;		/* in the order they were created */
};

static void __noreturn usage(const char *cmd)
{
	FILE *out = stdout;
	bool setup = !strcmp(cmd, "setup");

	fputs("\nUsage:\n", out);
	fprintf(out, " %s %s [options]\n", program_invocation_short_name, cmd);
	fputs(setup ?
	      "\nCreate, configure and swapon the zswapblk devices of a "
	      "configuration file.\n" :
	      "\nSwapoff, reset and remove the zswapblk devices of a "
	      "configuration file.\n", out);
	fputs("\nOptions:\n", out);
	fprintf(out, " -c, --config <file>       configuration file "
		"(default " ZSWAPCTL_CONF ")\n");
	if (setup)
		fputs("     --dry-run             print what would be done, "
		      "change nothing\n", out);
	fputs("     --sysroot <dir>       use <dir> as the root of /sys and /proc\n", out);
	fputs("\n -h, --help                display this help\n", out);
	fputs(" -V, --version             display version\n", out);
	fprintf(out, "\nFor more details see %s(8).\n",
		program_invocation_short_name);
	exit(EXIT_SUCCESS);
}

enum {
	OPT_DRY_RUN = OPT_FIRST_OWN,
};

static const struct option longopts[] = {
	{ "config",  required_argument, NULL, 'c' },
	{ "dry-run", no_argument,	NULL, OPT_DRY_RUN },
	{ "sysroot", required_argument, NULL, OPT_SYSROOT },
	{ "help",    no_argument,	NULL, 'h' },
	{ "version", no_argument,	NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* Parse the options and read the file; exits on any error. */
static void read_config(struct conf *c, int argc, char **argv, bool *dry_run)
{
	const char *path = ZSWAPCTL_CONF;
	int ch;

	*dry_run = false;
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case OPT_DRY_RUN:
			if (strcmp(argv[0], "setup"))
				errtryhelp(argv[0]);
			*dry_run = true;
			break;
		case 'h':
			usage(argv[0]);
		default:
			common_option(ch, argv[0]);
		}
	}
	if (optind < argc) {
		warnx("unexpected argument: %s", argv[optind]);
		errtryhelp(argv[0]);
	}
	if (conf_read(c, path)) {
		conf_free(c);
		exit(EXIT_FAILURE);
	}
}

static int cmp_dev(const void *a, const void *b)
{
	return ((const struct conf_dev *)a)->z.id -
	       ((const struct conf_dev *)b)->z.id;
}

/*
 * reset and hot_remove fail with EBUSY while anyone has the disk open, and
 * udev opens it for a moment after mkswap closes it: try for 2 s.
 */
static int retry_busy(int (*fn)(const struct zdev *z), const struct zdev *z)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int rc, tries = 40;

	while ((rc = fn(z)) == -EBUSY && --tries)
		nanosleep(&ts, NULL);
	return rc;
}

static int zdev_reset(const struct zdev *z)
{
	return zdev_write_u64(z, ZSWAPBLK_ATTR_RESET, 1);
}

/* "DEV: failed to WHAT: strerror(-rc)" */
static void warn_failed(int rc, const struct zdev *z, const char *what)
{
	errno = -rc;
	warn("%s: failed to %s", z->devpath, what);
}

/* The control class appears when the module is loaded. */
static bool module_loaded(void)
{
	char *p = sysroot_path("/sys/class/%s", ZSWAPBLK_CONTROL_CLASS);
	bool rc = path_exists(p);

	free(p);
	return rc;
}

static int load_module(void)
{
	char *const argv[] = { "modprobe", ZSWAPBLK_NAME, NULL };

	if (module_loaded())
		return 0;
	if (!have_sysroot() && run_program(argv) == 0 && module_loaded())
		return 0;
	warnx("the %s module is not loaded and cannot be loaded",
	      ZSWAPBLK_NAME);
	return -ENODEV;
}

static void remove_device(const struct zdev *z)
{
	int rc = retry_busy(zdev_hot_remove, z);

	if (rc)
		warn_failed(rc, z, "remove");
}

/*
 * Undo everything this run did, in reverse order: swapoff, then for each
 * device reset, hot_remove and the removal of the gaps created before it.
 */
static void rollback(struct setup *s)
{
	struct setup_dev *sd;
	size_t i, g;
	int rc;

	for (i = s->conf.ndevs; i-- > 0;) {
		sd = &s->devs[i];
		if (sd->swapped) {
			rc = zdev_swapoff(&sd->cd->z);
			if (rc)
				warn_failed(rc, &sd->cd->z, "disable swap");
		}
	}
	for (i = s->conf.ndevs; i-- > 0;) {
		sd = &s->devs[i];
		if (sd->touched) {
			rc = retry_busy(zdev_reset, &sd->cd->z);
			if (rc)
				warn_failed(rc, &sd->cd->z, "reset");
		}
		if (sd->hot_added)
			remove_device(&sd->cd->z);
		for (g = sd->gaps; g-- > 0;)
			remove_device(&s->extra[sd->gap0 + g]);
	}
}

/* A device that does not exist yet: hot_add until it does. */
static int create_device(struct setup *s, struct setup_dev *sd)
{
	const struct zdev *want = &sd->cd->z;
	struct zdev z;
	int rc;

	sd->gap0 = s->nextra;
	while (!zdev_exists(want)) {
		rc = zdev_hot_add(&z);
		if (rc) {
			errno = -rc;
			warn("%s:%u: %s: failed to create the device (%s)",
			     s->conf.path, sd->cd->line, want->devpath,
			     ZSWAPBLK_ATTR_HOT_ADD);
			return rc;
		}
		if (z.id == want->id) {
			sd->hot_added = true;
			break;
		}
		s->extra = realloc(s->extra, (s->nextra + 1) * sizeof(z));
		if (!s->extra)
			err(EXIT_FAILURE, "cannot allocate memory");
		s->extra[s->nextra++] = z;
		sd->gaps++;
		if (z.id > want->id) {
			warnx("%s:%u: %s: %s created %s instead",
			      s->conf.path, sd->cd->line, want->devpath,
			      ZSWAPBLK_ATTR_HOT_ADD, z.name);
			return -EEXIST;
		}
	}
	return 0;
}

static int configure_device(struct setup *s, struct setup_dev *sd)
{
	const struct conf_dev *cd = sd->cd;
	int k, rc;

	rc = create_device(s, sd);
	if (rc)
		return rc;
	if (zdev_initialised(&cd->z) || (!have_sysroot() &&
					 zdev_is_swap(&cd->z, NULL))) {
		warnx("%s:%u: %s: already initialised (run '%s teardown' "
		      "first)", s->conf.path, cd->line, cd->z.devpath,
		      program_invocation_short_name);
		return -EBUSY;
	}
	for (k = 0; k < CK__NR; k++) {
		if (!cd->value[k] || !conf_keys[k].attr)
			continue;
		sd->touched = true;
		rc = zdev_write_string(&cd->z, conf_keys[k].attr, cd->value[k]);
		if (rc) {
			errno = -rc;
			warn("%s:%u: %s: failed to write '%s' to %s",
			     s->conf.path, cd->vline[k], cd->z.devpath,
			     cd->value[k], conf_keys[k].attr);
			return rc;
		}
	}
	return 0;
}

static int make_swap(struct setup *s, struct setup_dev *sd)
{
	const struct conf_dev *cd = sd->cd;
	int rc;

	rc = wait_for_devnode(cd->z.devpath, 5000);
	if (!rc)
		rc = run_mkswap(cd->z.devpath);
	if (rc) {
		errno = -rc;
		warn("%s:%u: %s: failed to create a swap area (mkswap)",
		     s->conf.path, cd->line, cd->z.devpath);
	}
	return rc;
}

static int enable_swap(struct setup *s, struct setup_dev *sd)
{
	const struct conf_dev *cd = sd->cd;
	int rc = zdev_swapon(&cd->z, cd->priority);

	if (rc) {
		errno = -rc;
		warn("%s:%u: %s: failed to enable swap", s->conf.path,
		     cd->priority >= 0 ? cd->vline[CK_SWAP_PRIORITY] : cd->line,
		     cd->z.devpath);
		return rc;
	}
	sd->swapped = true;
	return 0;
}

static void print_plan(const struct conf *c)
{
	const struct conf_dev *cd;
	size_t i;
	int k;

	for (i = 0; i < c->ndevs; i++) {
		cd = &c->devs[i];
		for (k = 0; k < CK__NR; k++) {
			if (cd->value[k] && conf_keys[k].attr)
				printf("%s %s %s\n", cd->z.name,
				       conf_keys[k].attr, cd->value[k]);
		}
		printf("%s mkswap\n", cd->z.name);
		if (cd->priority >= 0)
			printf("%s swapon %d\n", cd->z.name, cd->priority);
		else
			printf("%s swapon\n", cd->z.name);
	}
}

int setup_main(int argc, char **argv)
{
	struct setup s = { 0 };
	bool dry_run;
	size_t i;
	int rc = 0;

	read_config(&s.conf, argc, argv, &dry_run);
	qsort(s.conf.devs, s.conf.ndevs, sizeof(*s.conf.devs), cmp_dev);
	if (dry_run) {
		print_plan(&s.conf);
		conf_free(&s.conf);
		return EXIT_SUCCESS;
	}
	if (!s.conf.ndevs) {
		conf_free(&s.conf);
		return EXIT_SUCCESS;
	}
	rc = load_module();
	if (rc)
		goto out;

	s.devs = xcalloc(s.conf.ndevs, sizeof(*s.devs));
	for (i = 0; i < s.conf.ndevs; i++)
		s.devs[i].cd = &s.conf.devs[i];

	for (i = 0; i < s.conf.ndevs && !rc; i++)
		rc = configure_device(&s, &s.devs[i]);
	if (!have_sysroot()) {
		for (i = 0; i < s.conf.ndevs && !rc; i++)
			rc = make_swap(&s, &s.devs[i]);
		for (i = 0; i < s.conf.ndevs && !rc; i++)
			rc = enable_swap(&s, &s.devs[i]);
	}
	if (rc) {
		rollback(&s);
	} else {
		/* the gaps hot_add had to fill are not wanted */
		for (i = s.nextra; i-- > 0;)
			remove_device(&s.extra[i]);
	}
	free(s.devs);
	free(s.extra);
out:
	conf_free(&s.conf);
	return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* The devices the module creates at load; only hot_add makes the others. */
static int module_num_devices(void)
{
	char *p = sysroot_path("/sys/module/%s/parameters/num_devices",
			       ZSWAPBLK_NAME);
	uint64_t num;
	int rc = path_read_u64(p, &num);

	free(p);
	return rc || num > INT_MAX ? INT_MAX : (int)num;
}

int teardown_main(int argc, char **argv)
{
	struct conf c;
	struct zdev *z;
	bool dry_run;
	int rc, ret = EXIT_SUCCESS, ndev;
	size_t i;

	read_config(&c, argc, argv, &dry_run);
	qsort(c.devs, c.ndevs, sizeof(*c.devs), cmp_dev);
	ndev = module_num_devices();

	for (i = c.ndevs; i-- > 0;) {
		z = &c.devs[i].z;
		if (!zdev_exists(z))
			continue;
		if (!have_sysroot() && zdev_is_swap(z, NULL)) {
			rc = zdev_swapoff(z);
			if (rc) {
				warn_failed(rc, z, "disable swap");
				ret = EXIT_FAILURE;
				continue;
			}
		}
		rc = retry_busy(zdev_reset, z);
		if (rc) {
			warn_failed(rc, z, "reset");
			ret = EXIT_FAILURE;
			continue;
		}
		if (z->id >= ndev) {
			rc = retry_busy(zdev_hot_remove, z);
			if (rc) {
				warn_failed(rc, z, "remove");
				ret = EXIT_FAILURE;
			}
		}
	}
	conf_free(&c);
	return ret;
}
