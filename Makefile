# SPDX-License-Identifier: GPL-2.0
#
# zswapblk: build, lint, test and demo.
#
#   make            module for $(KERNELS) and zswapctl
#   make check      everything CI runs: deps, lint, build for both Debian
#                   kernels, host tests, VM tests on 6.1 and 6.12
#   make check-debug  the guest suite on a 6.12 debug kernel (KASAN, lockdep,
#                   ...) built from linux-source-6.12 (tests/debug/)
#   make demo       boot a guest and swap through zswapblk under load
#   make lint       W=1 + sparse on both kernels, checkpatch --strict
#   make bench      benchmarks against zram (bench/)
#
# Each kernel's module is built in build/<release>/ and lands in
# build/<release>/zswapblk.ko, so several kernels' builds coexist.

SHELL		:= /bin/bash
TOP		:= $(CURDIR)
BUILD		:= $(TOP)/build
SETUP		:= $(TOP)/tests/vm/setup-host.sh

# Debian 12's two kernel lines, resolved through apt (never hard-coded).
DEBIAN_KERNELS	= $(shell bash $(SETUP) --print-kernels 2>/dev/null)
RUNNING		:= $(shell uname -r)
# Default: the running kernel if its headers are installed, else Debian's.
KERNELS		?= $(if $(wildcard /lib/modules/$(RUNNING)/build),$(RUNNING),$(DEBIAN_KERNELS))

DRIVER_SRCS	:= $(wildcard driver/*.c driver/*.h) driver/Kbuild include/zswapblk_abi.h
MODULES		= $(foreach k,$(KERNELS),$(BUILD)/$(k)/zswapblk.ko)

# Module build flags; lint adds sparse and turns warnings into errors.
KBUILD_FLAGS	?= W=1
# Kernel build tree; default /lib/modules/<release>/build.  Set it to build
# for one release whose tree is elsewhere (check-debug's debug kernel).
KDIR		?=

.PHONY: all modules zswapctl progs deps lint checkpatch sparse codespell \
	check check-debug host-test vm-test demo bench clean
.DELETE_ON_ERROR:

all: modules zswapctl

modules: $(MODULES)

$(BUILD)/%/zswapblk.ko: $(DRIVER_SRCS)
	@test -d $(or $(KDIR),/lib/modules/$*/build) || \
		{ echo "no headers for $*: run 'make deps'" >&2; exit 1; }
	@rm -rf $(BUILD)/$*/driver && mkdir -p $(BUILD)/$*/driver $(BUILD)/$*/include
	@cp driver/*.c driver/*.h driver/Kbuild $(BUILD)/$*/driver/
	@cp include/*.h $(BUILD)/$*/include/
	$(MAKE) -C $(or $(KDIR),/lib/modules/$*/build) M=$(BUILD)/$*/driver $(KBUILD_FLAGS) modules
	@cp $(BUILD)/$*/driver/zswapblk.ko $@

zswapctl:
	$(MAKE) -C userspace/zswapctl

progs:
	$(MAKE) -C tests/progs

deps:
	bash $(SETUP)

# --- lint -------------------------------------------------------------------

CHECKPATCH_DIR	:= $(BUILD)/checkpatch
CHECKPATCH	:= $(CHECKPATCH_DIR)/scripts/checkpatch.pl
LINUX_SOURCE	= $(lastword $(sort $(wildcard /usr/src/linux-source-6.12.tar.xz)))

# checkpatch is not in the headers packages: take scripts/ from linux-source.
$(CHECKPATCH):
	@test -n "$(LINUX_SOURCE)" || { echo "linux-source-6.12 missing: run 'make deps'" >&2; exit 1; }
	@mkdir -p $(CHECKPATCH_DIR)
	tar -xJf $(LINUX_SOURCE) -C $(CHECKPATCH_DIR) --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'

# CAMELCASE: zstd's API has camel-case members (cParams).  compat.h is the
# one place where kernel versions are compared, on purpose.
CHECKPATCH_FLAGS := --no-tree --strict --quiet --show-types --ignore CAMELCASE

checkpatch: $(CHECKPATCH)
	perl $(CHECKPATCH) $(CHECKPATCH_FLAGS) \
		-f $(filter-out driver/compat.h,$(wildcard driver/*.c driver/*.h include/*.h))
	perl $(CHECKPATCH) $(CHECKPATCH_FLAGS) \
		--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f driver/compat.h

# W=1 and sparse on both Debian kernels, warnings as errors.
sparse:
	@for k in $(DEBIAN_KERNELS); do \
		rm -f $(BUILD)/$$k/zswapblk.ko; \
		$(MAKE) --no-print-directory KERNELS=$$k \
			KBUILD_FLAGS="W=1 C=2 CF=-Wsparse-error KCFLAGS=-Werror" \
			$(BUILD)/$$k/zswapblk.ko || exit 1; \
	done

# "inflight" is the block layer's word (/sys/block/*/inflight).
codespell:
	codespell -L inflight driver include userspace tests bench README.md \
		Documentation Makefile Kbuild

lint: sparse checkpatch codespell

# --- tests ------------------------------------------------------------------

host-test: zswapctl
	bash tests/host/run.sh
	python3 tests/host/abi_doc.py

check-debug:
	bash tests/debug/check-debug.sh

vm-test: progs zswapctl selftests
	ZSWAPBLK_KERNELS="$(DEBIAN_KERNELS)" bash tests/vm/run-suite.sh

check: deps
	$(MAKE) lint
	$(MAKE) KERNELS="$(DEBIAN_KERNELS)" modules zswapctl progs
	$(MAKE) selftests
	ZSWAPBLK_KERNELS="$(DEBIAN_KERNELS)" bash tests/check.sh

# The kernel's mm selftests that tests/guest/75-mm-selftests.sh runs, built
# from linux-source-6.1/6.12 into build/selftests/ (cached).
.PHONY: selftests
selftests:
	bash tests/selftests/build.sh

# --- demo and benchmarks ----------------------------------------------------

DEMO_KERNEL	?= $(lastword $(DEBIAN_KERNELS))

demo: deps
	$(MAKE) KERNELS="$(DEMO_KERNEL)" modules zswapctl progs
	bash tests/vm/vmrun.sh -k $(DEMO_KERNEL) -m 1G -t 600 tests/demo.sh

bench: deps
	$(MAKE) KERNELS="$(DEBIAN_KERNELS)" modules zswapctl progs
	bash bench/run.sh $(DEBIAN_KERNELS)

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C userspace/zswapctl clean
	-$(MAKE) -C tests/progs clean

# --- install ----------------------------------------------------------------
#
#   make install      the module for $(KERNELS) in /lib/modules/<release>/updates
#                     (depmod), zswapctl in /usr/local/sbin, its man page and
#                     bash completion, zswapctl-setup.service, a modules-load.d
#                     snippet; DESTDIR=, PREFIX= and the rest: scripts/install.sh
#   make uninstall    removes all of it (the module of every release)
#   make dkms         the sources to /usr/src/zswapblk-<version>, dkms add and
#                     dkms install for $(KERNELS)

.PHONY: install uninstall dkms

install: modules zswapctl
	KERNELS="$(KERNELS)" BUILD="$(BUILD)" bash scripts/install.sh install

uninstall:
	bash scripts/install.sh uninstall

dkms:
	KERNELS="$(KERNELS)" bash scripts/install.sh dkms
