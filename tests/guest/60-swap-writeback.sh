#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 60-swap-writeback: zswapblk as swap.  swapon --show and /proc/swaps list
# it; then tests/progs/swapheld proves from pagemap and kpageflags that with
# completion_hold set, swapped-out pages sit in the swap cache under
# writeback, that a write fault copies such a page (stable writes), that the
# release ends every writeback, and that every page reads back intact.
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
DEV=/dev/zswapblk0
need_prog swapheld || skip_all "tests/progs/swapheld missing (make -C tests/progs)"
SWAPHELD=$ZB_PROG_PATH
check "insmod" zb_load || bail "module does not load"
zb_has_feature zswapblk0 completion_hold || skip_all "driver lacks completion_hold"
check "disksize 128M" zb_init zswapblk0 128M || bail "cannot initialise"

# ---- swapon --show ----
check "mkswap + swapon -p 32767" zb_swapon zswapblk0
show=$(swapon --show=NAME,TYPE,PRIO --noheadings --raw 2>&1)
check_match "swapon --show lists $DEV as a partition with priority 32767" "$show" "*$DEV partition 32767*"
swap_entry ent $DEV
check_eq "/proc/swaps lists $DEV, partition, priority 32767" "${ent[1]:-} ${ent[4]:-}" "partition 32767"
check "swapoff" swapoff $DEV

# ---- writeback under hold ----
vmstat wb0 nr_writeback
run_tap_prog "swapheld" "$SWAPHELD" -d $DEV -n 64 -t 60000
vmstat wb1 nr_writeback
tap_diag "nr_writeback before $wb0, after $wb1"
check "$DEV is no longer swap" sh -c "! grep -q '^$DEV ' /proc/swaps"
rd v /sys/block/zswapblk0/completion_hold
check_eq "completion_hold is 0 again" "$v" 0
check_no_io_errors zswapblk0

# A second, larger round (more pages than one bio batch) for good measure.
run_tap_prog "swapheld 512" "$SWAPHELD" -d $DEV -n 512 -t 60000
check_no_io_errors zswapblk0

tap_done
