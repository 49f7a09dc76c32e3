#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# env-check.sh DISK_MIB PROVOKE_KO: guest side of selfcheck.sh.
#
# Checks, inside a guest booted by vmrun.sh with "-d DISK_MIB", that the
# environment the tests rely on is there: the variables, the debug options
# on the kernel command line, /proc/sys, cgroup2 with a usable memory
# controller, debugfs, tracefs, the host's modprobe (zram, with its
# dependencies and a request_module() from the kernel), the extra disk and
# load-module.sh.  TAP output; exits 1 if anything failed.
set -uo pipefail

disk_mib=${1:?disk size in MiB}
provoke_ko=${2:?path of vmtest_provoke.ko}
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
mounted() { awk -v mp="$1" -v t="$2" '$2 == mp && $3 == t { f = 1 } END { exit !f }' /proc/mounts; }

# --- environment variables -----------------------------------------------
check "ZSWAPBLK_KREL is the running kernel" [ "$ZSWAPBLK_KREL" = "$(uname -r)" ]
check "ZSWAPBLK_MODULE is build/KREL/zswapblk.ko" \
	[ "$ZSWAPBLK_MODULE" = "$ZSWAPBLK_REPO/build/$ZSWAPBLK_KREL/zswapblk.ko" ]
check "cwd is the repository" [ "$PWD" = "$ZSWAPBLK_REPO" ]
check "running as root" [ "$(id -u)" = 0 ]
check "ZSWAPBLK_IN_VM=1" [ "${ZSWAPBLK_IN_VM:-}" = 1 ]
check "VMOUT=/vmout is writable" touch "$VMOUT/env-check.touch"

# --- kernel command line and debug options -------------------------------
cmdline=$(cat /proc/cmdline)
for p in console=ttyS0 panic=-1 oops=panic quiet loglevel=4 slub_debug=FZPU \
	page_poison=1 kfence.sample_interval=100; do
	check "command line has $p" grep -qw -- "$p" <<<"$cmdline"
done
check "no unknown command line parameters" \
	bash -c '! dmesg | grep -q "Unknown kernel command line"'
s=/sys/kernel/slab/kmalloc-64
check "slub_debug: kmalloc-64 has sanity checks, red zone, poison, owner tracking" \
	[ "$(cat $s/sanity_checks $s/red_zone $s/poison $s/store_user | tr -d '\n')" = 1111 ]
check "page_poison is on" bash -c 'dmesg | grep -q "PAGE_POISONING is on"'
if [ -d /sys/module/kfence ]; then
	check "kfence samples every 100 ms" \
		[ "$(cat /sys/module/kfence/parameters/sample_interval)" = 100 ]
else
	skip "kfence samples every 100 ms" "kernel built without KFENCE"
fi
check "kernel log has no error report" bash -c "dmesg | bash tests/vm/scan-splats.sh /dev/stdin >/dev/null"

# --- pseudo filesystems ---------------------------------------------------
check "/proc/sys is writable" bash -c 'echo 0 >/proc/sys/vm/page-cluster'
check "cgroup2 at /sys/fs/cgroup" mounted /sys/fs/cgroup cgroup2
check "debugfs at /sys/kernel/debug" mounted /sys/kernel/debug debugfs
check "tracefs at /sys/kernel/tracing" test -e /sys/kernel/tracing/trace
check "/dev/fd works (process substitution)" bash -c 'read -r x < <(echo y) && [ "$x" = y ]'

# --- memory controller ------------------------------------------------------
cg=/sys/fs/cgroup/env-check
check "+memory in the root subtree_control" grep -qw memory /sys/fs/cgroup/cgroup.subtree_control
if mkdir "$cg"; then
	echo 16M >"$cg/memory.max"
	[ -e "$cg/memory.swap.max" ] && echo 0 >"$cg/memory.swap.max"
	# 64 MiB of shmem charged to a 16 MiB cgroup without swap: the writer
	# hits memory.max and is OOM-killed inside the cgroup.
	bash -c "echo \$\$ >$cg/cgroup.procs; exec dd if=/dev/zero of=/dev/shm/env-check bs=1M count=64 status=none" 2>/dev/null
	check "memory.max is enforced (max and oom_kill events)" \
		awk '$1 == "max" && $2 > 0 { m = 1 } $1 == "oom_kill" && $2 > 0 { o = 1 } END { exit !(m && o) }' \
		"$cg/memory.events"
	check "memory.swap.max exists (swap accounting)" test -e "$cg/memory.swap.max"
	rm -f /dev/shm/env-check
	check "memory cgroup removed" rmdir "$cg"
else
	not_ok "mkdir $cg"
fi

# --- the host's modprobe through switch_root -------------------------------
if modprobe zram num_devices=1; then
	ok "modprobe zram"
	case $ZSWAPBLK_KREL in
	6.1.*) check "zram pulled in zsmalloc" test -d /sys/module/zsmalloc ;;
	esac
	# lz4 is a module on both kernels: the kernel's request_module() runs
	# the host's /sbin/modprobe.
	check "zram lz4 through request_module" bash -c 'echo lz4 >/sys/block/zram0/comp_algorithm'
	check "zram swap on and off" bash -c 'echo 32M >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 &&
		grep -q "^/dev/zram0 " /proc/swaps && swapoff /dev/zram0'
	check "rmmod zram" rmmod zram
else
	not_ok "modprobe zram"
fi

# --- extra disk -------------------------------------------------------------
check "ZSWAPBLK_DISKS is /dev/vdb" [ "$ZSWAPBLK_DISKS" = /dev/vdb ]
check "/dev/vdb has $disk_mib MiB" [ "$(blockdev --getsize64 /dev/vdb 2>/dev/null)" = $((disk_mib << 20)) ]
check "/dev/vdb reads back what was written" bash -c '
	head -c 1M /dev/urandom >/run/pattern &&
	dd if=/run/pattern of=/dev/vdb bs=1M seek=1 oflag=direct status=none &&
	dd if=/dev/vdb of=/run/readback bs=1M skip=1 count=1 iflag=direct status=none &&
	cmp -s /run/pattern /run/readback'

# --- load-module.sh ---------------------------------------------------------
check "load-module.sh loads a module with parameters" \
	env ZSWAPBLK_MODULE="$provoke_ko" bash tests/vm/load-module.sh what=none
check "module parameter set" [ "$(cat /sys/module/vmtest_provoke/parameters/what 2>/dev/null)" = none ]
check "zswapblk_unload_module (sourced) unloads it" bash -c \
	". tests/vm/load-module.sh && ZSWAPBLK_MODULE='$provoke_ko' zswapblk_unload_module && [ ! -d /sys/module/vmtest_provoke ]"

echo "1..$n"
exit "$failed"
