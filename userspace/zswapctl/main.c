// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zswapctl - set up, list and exercise zswapblk devices
 *
 * The command line follows zramctl(8): no argument lists the devices, a
 * device with --size configures it, --reset resets, --find picks a free
 * device.  "exercise", "estimate", "setup", "teardown" and "stat" are
 * subcommands with their own options.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zswapctl.h"

void errtryhelp(const char *subcmd)
{
	fprintf(stderr, "Try '%s%s%s --help' for more information.\n",
		program_invocation_short_name, subcmd ? " " : "",
		subcmd ? subcmd : "");
	exit(EXIT_FAILURE);
}

/* As util-linux's close_stdout(): a failed write to stdout is an error. */
static void close_stdout(void)
{
	if (fflush(stdout) || ferror(stdout) || fclose(stdout)) {
		if (errno == EPIPE)
			_exit(EXIT_FAILURE);
		warn("write error");
		_exit(EXIT_FAILURE);
	}
}

void print_version(void)
{
	printf("%s from zswapblk %s\n", program_invocation_short_name,
	       ZSWAPCTL_VERSION);
}

/*
 * The options every command takes besides --help: --sysroot and --version.
 * Anything else is an error for @subcmd.  Returns after --sysroot only.
 */
void common_option(int ch, const char *subcmd)
{
	switch (ch) {
	case OPT_SYSROOT:
		set_sysroot(optarg);
		return;
	case 'V':
		print_version();
		exit(EXIT_SUCCESS);
	default:
		errtryhelp(subcmd);
	}
}

static void __noreturn usage(void)
{
	FILE *out = stdout;

	fputs("\nUsage:\n", out);
	fprintf(out,
		" %1$s [options] <device>...\n"
		" %1$s -r <device>...\n"
		" %1$s [options] -f | <device> -s <size>\n"
		" %1$s exercise [options]\n"
		" %1$s estimate [options] <file>|--pid <pid>\n"
		" %1$s setup|teardown [-c <file>]\n"
		" %1$s stat [--format prometheus] [<device>...]\n",
		program_invocation_short_name);

	fputs("\nSet up and control zswapblk devices.\n", out);

	fputs("\nOptions:\n", out);
	fputs(" -a, --algorithm <name>    compression algorithm (see comp_algorithm)\n", out);
	fputs(" -p, --algorithm-params <params>\n"
	      "                           algorithm parameters, e.g. 'level=3'\n", out);
	fputs(" -b, --bytes               print sizes in bytes rather than in human\n"
	      "                           readable format\n", out);
	fputs(" -f, --find                find a free device (hot_add one if needed)\n", out);
	fputs(" -n, --noheadings          don't print headings\n", out);
	fputs(" -o, --output <list>       columns to use for status output\n", out);
	fputs("     --output-all          output all columns\n", out);
	fputs(" -J, --json                use JSON output format\n", out);
	fputs("     --raw                 use raw status output format\n", out);
	fputs(" -r, --reset               reset all specified devices\n", out);
	fputs(" -s, --size <size>         device size\n", out);
	fputs("     --mem-limit <size>    limit of the memory used for compressed data\n", out);
	fputs("     --backing-dev <path>  backing device for writeback\n", out);
	fputs("     --swapon              make a swap area on the device and enable it\n", out);
	fputs("     --priority <prio>     swap priority for --swapon (0-32767)\n", out);
	fputs("     --hold <ms>           hold write completions for at most <ms>\n", out);
	fputs("     --release             release held write completions now\n", out);
	fputs("     --sysroot <dir>       use <dir> as the root of /sys and /proc\n", out);

	fputs("\n -h, --help                display this help\n", out);
	fputs(" -V, --version             display version\n", out);

	list_usage_columns(out);

	fputs("\nSubcommands (see '<subcommand> --help'):\n", out);
	fputs(" exercise   drive the swap-in reuse paths against a held device\n", out);
	fputs(" estimate   estimate how well data would compress\n", out);
	fputs(" setup      create and swapon the devices of " ZSWAPCTL_CONF "\n", out);
	fputs(" teardown   swapoff, reset and remove them\n", out);
	fputs(" stat       print every counter, also for Prometheus\n", out);

	fprintf(out, "\nFor more details see %s(8).\n",
		program_invocation_short_name);
	exit(EXIT_SUCCESS);
}

enum {
	OPT_RAW = OPT_FIRST_OWN,
	OPT_OUTPUT_ALL,
	OPT_MEM_LIMIT,
	OPT_BACKING_DEV,
	OPT_SWAPON,
	OPT_PRIORITY,
	OPT_HOLD,
	OPT_RELEASE,
};

static const struct option longopts[] = {
	{ "algorithm",	      required_argument, NULL, 'a' },
	{ "algorithm-params", required_argument, NULL, 'p' },
	{ "bytes",	      no_argument,	 NULL, 'b' },
	{ "find",	      no_argument,	 NULL, 'f' },
	{ "help",	      no_argument,	 NULL, 'h' },
	{ "json",	      no_argument,	 NULL, 'J' },
	{ "noheadings",	      no_argument,	 NULL, 'n' },
	{ "output",	      required_argument, NULL, 'o' },
	{ "output-all",	      no_argument,	 NULL, OPT_OUTPUT_ALL },
	{ "raw",	      no_argument,	 NULL, OPT_RAW },
	{ "reset",	      no_argument,	 NULL, 'r' },
	{ "size",	      required_argument, NULL, 's' },
	{ "mem-limit",	      required_argument, NULL, OPT_MEM_LIMIT },
	{ "backing-dev",      required_argument, NULL, OPT_BACKING_DEV },
	{ "swapon",	      no_argument,	 NULL, OPT_SWAPON },
	{ "priority",	      required_argument, NULL, OPT_PRIORITY },
	{ "hold",	      required_argument, NULL, OPT_HOLD },
	{ "release",	      no_argument,	 NULL, OPT_RELEASE },
	{ "sysroot",	      required_argument, NULL, OPT_SYSROOT },
	{ "version",	      no_argument,	 NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/*
 * Options that exclude each other, as util-linux's err_exclusive_options():
 * at most one option of each row may be given.
 */
static const int excl[][6] = {
	{ 'f', 'o', 'r', 0 },
	{ 'o', 'r', 's', 0 },
	{ 'r', 's', OPT_HOLD, OPT_RELEASE, 0 },
	{ 'f', 'r', OPT_HOLD, OPT_RELEASE, 0 },
	{ 'J', OPT_RAW, 0 },
	{ 'o', OPT_OUTPUT_ALL, 0 },
	{ OPT_MEM_LIMIT, 'r', OPT_HOLD, OPT_RELEASE, 0 },
};

static const char *option_name(int c)
{
	const struct option *o;
	static char buf[3];

	for (o = longopts; o->name; o++) {
		if (o->val == c)
			return o->name;
	}
	snprintf(buf, sizeof(buf), "%c", c);
	return buf;
}

static void check_exclusive(int c, int *status)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(excl); i++) {
		for (j = 0; excl[i][j]; j++) {
			if (excl[i][j] != c)
				continue;
			if (status[i] && status[i] != c)
				errx(EXIT_FAILURE,
				     "mutually exclusive arguments: --%s --%s",
				     option_name(status[i]), option_name(c));
			status[i] = c;
		}
	}
}

enum action {
	A_LIST,
	A_CREATE,
	A_SET,
	A_FINDONLY,
	A_RESET,
	A_HOLD,
};

struct config {
	uint64_t	size;
	uint64_t	mem_limit;
	bool		has_mem_limit;
	const char	*algorithm;
	const char	*params;
	const char	*backing_dev;
	bool		find;
	bool		swapon;
	int		priority;	/* -1 = kernel default */
	int64_t		hold_ms;	/* -1 = none, 0 = release */
};

static void __noreturn fail_attr(const struct zdev *z, int rc,
				 const char *what)
{
	errno = -rc;
	err(EXIT_FAILURE, "%s: failed to %s", z->devpath, what);
}

static void resolve_or_die(struct zdev *z, const char *arg)
{
	int rc = zdev_from_arg(z, arg);

	if (rc == -EINVAL)
		errx(EXIT_FAILURE, "%s: not a zswapblk device", arg);
	if (rc) {
		errno = -rc;
		err(EXIT_FAILURE, "%s", z->devpath);
	}
}

static void find_or_die(struct zdev *z)
{
	bool hot_added;
	int rc = zdev_find_free(z, &hot_added);

	if (rc == -ENODEV)
		errx(EXIT_FAILURE, "no free zswapblk device found "
		     "(is the zswapblk module loaded?)");
	if (rc) {
		errno = -rc;
		err(EXIT_FAILURE, "failed to find a free zswapblk device");
	}
}

/*
 * Writes in zramctl's order: reset if initialised, then the attributes that
 * are only accepted before initialisation, then disksize, which initialises.
 */
static int configure(const struct config *c, const char *arg)
{
	struct zdev z;
	int rc;

	if (c->find)
		find_or_die(&z);
	else
		resolve_or_die(&z, arg);

	if (zdev_initialised(&z)) {
		rc = zdev_write_u64(&z, ZSWAPBLK_ATTR_RESET, 1);
		if (rc)
			fail_attr(&z, rc, "reset");
	}
	if (c->algorithm) {
		rc = zdev_write_string(&z, ZSWAPBLK_ATTR_COMP_ALGORITHM,
				       c->algorithm);
		if (rc)
			fail_attr(&z, rc, "set algorithm");
	}
	if (c->params) {
		rc = zdev_write_string(&z, ZSWAPBLK_ATTR_ALGORITHM_PARAMS,
				       c->params);
		if (rc)
			fail_attr(&z, rc, "set algorithm parameters");
	}
	if (c->backing_dev) {
		rc = zdev_write_string(&z, ZSWAPBLK_ATTR_BACKING_DEV,
				       c->backing_dev);
		if (rc)
			fail_attr(&z, rc, "set backing device");
	}
	if (c->has_mem_limit) {
		rc = zdev_write_u64(&z, ZSWAPBLK_ATTR_MEM_LIMIT, c->mem_limit);
		if (rc)
			fail_attr(&z, rc, "set memory limit");
	}
	rc = zdev_write_u64(&z, ZSWAPBLK_ATTR_DISKSIZE, c->size);
	if (rc)
		fail_attr(&z, rc, "set disksize");

	if (c->swapon) {
		rc = wait_for_devnode(z.devpath, 5000);
		if (rc)
			fail_attr(&z, rc, "open device node");
		rc = run_mkswap(z.devpath);
		if (rc)
			fail_attr(&z, rc, "create a swap area (mkswap)");
		rc = zdev_swapon(&z, c->priority);
		if (rc)
			fail_attr(&z, rc, "enable swap");
	}
	if (c->find)
		printf("%s\n", z.devpath);
	return EXIT_SUCCESS;
}

static int reset_devices(char **devs, int ndevs)
{
	int i, rc, ret = EXIT_SUCCESS;
	struct zdev z;

	for (i = 0; i < ndevs; i++) {
		rc = zdev_from_arg(&z, devs[i]);
		if (rc == -EINVAL) {
			warnx("%s: not a zswapblk device", devs[i]);
			ret = EXIT_FAILURE;
			continue;
		}
		if (!rc)
			rc = zdev_write_u64(&z, ZSWAPBLK_ATTR_RESET, 1);
		if (rc) {
			errno = -rc;
			warn("%s: failed to reset", z.devpath);
			ret = EXIT_FAILURE;
		}
	}
	return ret;
}

static int hold_devices(int64_t ms, char **devs, int ndevs)
{
	int i, rc, ret = EXIT_SUCCESS;
	struct zdev z;

	for (i = 0; i < ndevs; i++) {
		resolve_or_die(&z, devs[i]);
		rc = zdev_write_u64(&z, ZSWAPBLK_ATTR_COMPLETION_HOLD,
				    (uint64_t)ms);
		if (rc) {
			errno = -rc;
			warn("%s: failed to %s", z.devpath,
			     ms ? "hold write completions" :
				  "release write completions");
			ret = EXIT_FAILURE;
		}
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct config c = { .priority = -1, .hold_ms = -1 };
	struct outopts o = { 0 };
	int excl_st[ARRAY_SIZE(excl)] = { 0 };
	enum action act = A_LIST;
	bool reset = false, outputs = false;
	uint64_t num;
	int ch, ndevs;
	char **devs;

	atexit(close_stdout);

	if (argc > 1 && !strcmp(argv[1], "exercise"))
		return exercise_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "estimate"))
		return estimate_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "setup"))
		return setup_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "teardown"))
		return teardown_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "stat"))
		return stat_main(argc - 1, argv + 1);

	while ((ch = getopt_long(argc, argv, "a:bfhJno:p:rs:V", longopts,
				 NULL)) != -1) {
		check_exclusive(ch, excl_st);

		switch (ch) {
		case 'a':
			c.algorithm = optarg;
			break;
		case 'p':
			c.params = optarg;
			break;
		case 'b':
			o.bytes = true;
			break;
		case 'f':
			c.find = true;
			break;
		case 'J':
			o.json = true;
			outputs = true;
			break;
		case 'n':
			o.noheadings = true;
			break;
		case 'o':
			if (list_parse_columns(optarg))
				return EXIT_FAILURE;
			outputs = true;
			break;
		case OPT_OUTPUT_ALL:
			list_all_columns();
			outputs = true;
			break;
		case OPT_RAW:
			o.raw = true;
			outputs = true;
			break;
		case 'r':
			reset = true;
			break;
		case 's':
			c.size = strtosize_or_err(optarg, "failed to parse size");
			if (!c.size)
				errx(EXIT_FAILURE, "invalid size: '%s'", optarg);
			act = A_CREATE;
			break;
		case OPT_MEM_LIMIT:
			c.mem_limit = strtosize_or_err(optarg, "failed to parse "
						       "memory limit");
			c.has_mem_limit = true;
			break;
		case OPT_BACKING_DEV:
			c.backing_dev = optarg;
			break;
		case OPT_SWAPON:
			c.swapon = true;
			break;
		case OPT_PRIORITY:
			num = strtou64_or_err(optarg, "failed to parse priority");
			if (num > 32767)
				errx(EXIT_FAILURE, "priority out of range "
				     "(0-32767): '%s'", optarg);
			c.priority = (int)num;
			break;
		case OPT_HOLD:
			num = strtou64_or_err(optarg, "failed to parse hold time");
			if (num < 1 || num > ZSWAPBLK_HOLD_MAX_MS)
				errx(EXIT_FAILURE, "hold time out of range "
				     "(1-%u ms): '%s'", ZSWAPBLK_HOLD_MAX_MS,
				     optarg);
			c.hold_ms = (int64_t)num;
			break;
		case OPT_RELEASE:
			c.hold_ms = 0;
			break;
		case 'h':
			usage();
		default:
			common_option(ch, NULL);
		}
	}
	devs = argv + optind;
	ndevs = argc - optind;

	if (reset)
		act = A_RESET;
	else if (c.hold_ms >= 0)
		act = A_HOLD;
	else if (act != A_CREATE && c.has_mem_limit)
		act = A_SET;
	else if (act != A_CREATE && c.find)
		act = A_FINDONLY;

	if (act != A_LIST && outputs) {
		warnx("--output, --output-all, --json and --raw are only "
		      "valid when listing devices");
		errtryhelp(NULL);
	}
	if (act != A_CREATE) {
		const char *opt = c.algorithm ? "--algorithm" :
				  c.params ? "--algorithm-params" :
				  c.backing_dev ? "--backing-dev" :
				  c.swapon ? "--swapon" : NULL;
		if (opt) {
			warnx("option %s requires --size", opt);
			errtryhelp(NULL);
		}
	}
	if (c.priority >= 0 && !c.swapon) {
		warnx("option --priority requires --swapon");
		errtryhelp(NULL);
	}
	if (c.swapon && have_sysroot())
		errx(EXIT_FAILURE, "--swapon cannot be used with --sysroot");
	if (c.find && ndevs)
		errx(EXIT_FAILURE,
		     "option --find is mutually exclusive with <device>");

	switch (act) {
	case A_LIST:
		return list_devices(&o, devs, ndevs);
	case A_FINDONLY: {
		struct zdev z;

		find_or_die(&z);
		printf("%s\n", z.devpath);
		return EXIT_SUCCESS;
	}
	case A_CREATE:
		if (!c.find && ndevs != 1) {
			warnx(ndevs ? "only one device can be configured "
			      "at a time" : "no device specified");
			errtryhelp(NULL);
		}
		return configure(&c, c.find ? NULL : devs[0]);
	case A_SET: {
		struct zdev z;
		int rc;

		if (ndevs != 1) {
			warnx(ndevs ? "only one device can be configured "
			      "at a time" : "no device specified");
			errtryhelp(NULL);
		}
		resolve_or_die(&z, devs[0]);
		rc = zdev_write_u64(&z, ZSWAPBLK_ATTR_MEM_LIMIT, c.mem_limit);
		if (rc)
			fail_attr(&z, rc, "set memory limit");
		return EXIT_SUCCESS;
	}
	case A_RESET:
		if (!ndevs) {
			warnx("no device specified");
			errtryhelp(NULL);
		}
		return reset_devices(devs, ndevs);
	case A_HOLD:
		if (!ndevs) {
			warnx("no device specified");
			errtryhelp(NULL);
		}
		return hold_devices(c.hold_ms, devs, ndevs);
	}
	return EXIT_FAILURE;
}
