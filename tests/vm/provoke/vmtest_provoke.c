// SPDX-License-Identifier: GPL-2.0
/*
 * vmtest_provoke: a self-test module for the VM harness.  Loading it with
 * what=<case> provokes one kind of kernel report, so that selfcheck.sh can
 * prove vmrun.sh notices it.  Only ever load it in a throw-away guest.
 *
 *   none     load cleanly (checks insmod and load-module.sh)
 *   warn     WARN(): the test passes, vmrun.sh must report 250
 *   redzone  write one byte past a kmalloc() object: slub_debug=FZPU (or
 *            KFENCE) reports it when the object is freed; 250
 *   oops     NULL pointer write: oops=panic makes it a panic; 251
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *what = "none";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "Report to provoke: none, warn, redzone, oops. Default: none");

static int __init vmtest_provoke_init(void)
{
	size_t size = 32;
	int *null = NULL;
	char *p;

	pr_info("provoking '%s'\n", what);
	if (!strcmp(what, "none"))
		return 0;
	if (!strcmp(what, "warn")) {
		WARN(1, "deliberate warning\n");
		return 0;
	}
	if (!strcmp(what, "redzone")) {
		p = kmalloc(size, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		/* Hide the size from the compiler's bounds checks. */
		OPTIMIZER_HIDE_VAR(size);
		p[size] = 0x5a;
		kfree(p);
		return 0;
	}
	if (!strcmp(what, "oops")) {
		OPTIMIZER_HIDE_VAR(null);
		WRITE_ONCE(*null, 1);
		return 0;
	}
	return -EINVAL;
}

static void __exit vmtest_provoke_exit(void)
{
}

module_init(vmtest_provoke_init);
module_exit(vmtest_provoke_exit);
MODULE_DESCRIPTION("VM harness self-test: provoke kernel reports");
MODULE_LICENSE("GPL");
