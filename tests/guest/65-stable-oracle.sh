#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 65-stable-oracle: verify_stable checksums each page at submit and again
# when a worker stores it.  With the queue's stable_writes set at swapon, no
# page may change in between, even with writes held while the program
# faults its pages; with stable_writes=0 the kernel reuses pages still under
# writeback, and the oracle must catch the change (a check that can fail).
# Variables are set by name (debug_stat ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
DEV=zswapblk0
ZSWAPCTL=userspace/zswapctl/zswapctl
need_prog swapheld || skip_all "tests/progs/swapheld missing (make -C tests/progs)"
SWAPHELD=$ZB_PROG_PATH
[ -x "$ZSWAPCTL" ] || skip_all "$ZSWAPCTL not built (make zswapctl)"
check "insmod" zb_load || bail "module does not load"
zb_has_feature $DEV verify_stable || skip_all "driver lacks verify_stable"
check "disksize 128M" zb_init $DEV 128M || bail "cannot initialise"

expect_write_err EINVAL /sys/block/$DEV/verify_stable maybe
rd v /sys/block/$DEV/verify_stable
check_eq "verify_stable unchanged by a bad write" "$v" 0
check "verify_stable on" sysfs_write /sys/block/$DEV/verify_stable 1

# ---- stable writes: write faults during the hold copy the page ----
rd v /sys/block/$DEV/queue/stable_writes
check_eq "queue/stable_writes is 1" "$v" 1
run_tap_prog "swapheld 128 pages, stable_writes=1" "$SWAPHELD" -d /dev/$DEV -n 128 -t 60000
debug_stat checked $DEV stable_checked
debug_stat mismatch $DEV stable_mismatch
check "the oracle checked every swapped page (checked $checked)" test "${checked:-0}" -ge 128
check_eq "no page changed under writeback with stable writes" "$mismatch" 0

# ---- no stable writes: the kernel reuses pages under writeback ----
check "mkswap + swapon" zb_swapon $DEV
run_tap_prog "zswapctl exercise nostable-write-held" \
	"$ZSWAPCTL" exercise -d /dev/$DEV -S nostable-write-held -N 128
check "swapoff" swapoff /dev/$DEV
debug_stat mismatch2 $DEV stable_mismatch
tap_diag "stable_mismatch after the stable_writes=0 scenario: $mismatch2"
check "the oracle catches pages modified under writeback" test "${mismatch2:-0}" -gt 0
rd v /sys/block/$DEV/queue/stable_writes
check_eq "queue/stable_writes restored to 1" "$v" 1
check_no_io_errors $DEV

tap_done
