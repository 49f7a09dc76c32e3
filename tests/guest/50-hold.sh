#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 50-hold: completion_hold.  While held, a direct write does not complete
# (io_stat writes_held, writes_inflight and /sys/block/zswapblk0/inflight show
# it) but reads still do; "echo 0" releases it and the data verifies.  A
# short hold releases itself at its timeout.  swapoff with swap writes held
# returns once the timeout releases them.  reset and rmmod work afterwards.
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
DEV=/dev/zswapblk0
D=/sys/block/zswapblk0
need_prog blkpat || skip_all "tests/progs/blkpat missing (make -C tests/progs)"
BLKPAT=$ZB_PROG_PATH
check "insmod" zb_load || bail "module does not load"
zb_has_feature zswapblk0 completion_hold || skip_all "driver lacks completion_hold"
check "disksize 64M" zb_init zswapblk0 64M || bail "cannot initialise"

held_gt() { local h; io_stat h zswapblk0 writes_held; [ "${h:-0}" -gt "$1" ]; }
inflight_w() { local __r __w; read -r __r __w < $D/inflight; printf -v "$1" '%s' "${__w:-0}"; }
writer_running() { kill -0 "$WPID" 2>/dev/null; }

# ---- hold, then release by hand ----
io_stat held0 zswapblk0 writes_held
debug_stat rel0 zswapblk0 hold_releases
expect_write_ok $D/completion_hold 60000 "completion_hold <- 60000"
rd v $D/completion_hold; check_eq "completion_hold reads 60000 while holding" "$v" 60000

"$BLKPAT" -w -p rand:11 -o 0 -l 1M -b 64K $DEV > /dev/null 2> "$ZB_TMP/w.err" &
WPID=$!
check "the direct write reaches the driver and is held (writes_held rises)" wait_for 20 held_gt "${held0:-0}"
zb_sleep 1
check "the writer has not completed after 1 s" writer_running
io_stat n zswapblk0 writes_inflight
check_cmp "io_stat writes_inflight > 0 while held ($n)" "${n:-0}" -gt 0
inflight_w w
check_cmp "$D/inflight shows writes ($w)" "$w" -gt 0
check "a read completes while writes are held" timeout 30 "$BLKPAT" -v -p zero -o 32M -l 1M $DEV
check "the writer is still blocked" writer_running

expect_write_ok $D/completion_hold 0 "completion_hold <- 0 releases"
rd v $D/completion_hold; check_eq "completion_hold reads 0 after release" "$v" 0
wait_pid $WPID 60
rc=$?
check_eq "the writer completes after release, exit 0" "$rc" 0
check "the released data verifies" "$BLKPAT" -v -p rand:11 -o 0 -l 1M $DEV
debug_stat rel1 zswapblk0 hold_releases
check_cmp "debug_stat hold_releases rose ($rel0 -> $rel1)" "${rel1:-0}" -gt "${rel0:-0}"
io_stat n zswapblk0 writes_inflight
check_eq "io_stat writes_inflight back to 0" "$n" 0
inflight_w w
check_eq "$D/inflight shows no writes" "$w" 0
check "new writes are not held after release" timeout 30 "$BLKPAT" -w -p rand:12 -o 2M -l 1M $DEV

# ---- the timeout releases by itself ----
io_stat held0 zswapblk0 writes_held
debug_stat to0 zswapblk0 hold_timeouts
expect_write_ok $D/completion_hold 2000 "completion_hold <- 2000"
now_ms_var t0
"$BLKPAT" -w -p rand:13 -o 4M -l 256K -b 64K $DEV > /dev/null 2> "$ZB_TMP/w.err" &
WPID=$!
check "the write is held" wait_for 20 held_gt "${held0:-0}"
wait_pid $WPID 60
rc=$?
now_ms_var t1
check_eq "the writer completes without a release, exit 0" "$rc" 0
check_cmp "it waited for the timeout ($((t1 - t0)) ms >= 1500)" $((t1 - t0)) -ge 1500
rd v $D/completion_hold; check_eq "completion_hold reads 0 after the timeout" "$v" 0
debug_stat to1 zswapblk0 hold_timeouts
check_cmp "debug_stat hold_timeouts rose ($to0 -> $to1)" "${to1:-0}" -gt "${to0:-0}"
check "the data verifies" "$BLKPAT" -v -p rand:13 -o 4M -l 256K $DEV
check_no_io_errors zswapblk0

# ---- swapoff while swap writes are held ----
if need_prog swapheld; then
	SWAPHELD=$ZB_PROG_PATH
	check "reset" zb_reset zswapblk0
	check "disksize 64M" zb_init zswapblk0 64M
	check "mkswap + swapon -p 32767" zb_swapon zswapblk0
	debug_stat to0 zswapblk0 hold_timeouts
	# swapheld sets a 5 s hold, swaps 64 pages out, prints "# parked",
	# and verifies its pages when woken with SIGUSR1.
	"$SWAPHELD" -P -S -n 64 -t 5000 -d $DEV > "$ZB_TMP/park.tap" 2>&1 &
	PPID_=$!
	parked() { local l; while IFS= read -r l; do [ "$l" = "# parked" ] && return 0; done < "$ZB_TMP/park.tap"; return 1; }
	if wait_for 60 parked; then
		io_stat n zswapblk0 writes_inflight
		now_ms_var t0
		timeout 120 swapoff $DEV
		rc=$?
		now_ms_var t1
		if [ "${n:-0}" -gt 0 ]; then
			check_eq "swapoff with $n swap writes held returns 0 (in $((t1 - t0)) ms)" "$rc" 0
		else
			tap_skip "swapoff while held" "the 5 s hold expired before swapoff started (slow host)"
		fi
		check_cmp "swapoff did not hang (< 60 s)" $((t1 - t0)) -lt 60000
		debug_stat to1 zswapblk0 hold_timeouts
		check_cmp "the hold timeout released the writes ($to0 -> $to1)" "${to1:-0}" -gt "${to0:-0}"
		check "$DEV is no longer swap" sh -c "! grep -q '^$DEV ' /proc/swaps"
		kill -USR1 $PPID_
	else
		tap_fail "swapheld parked its pages"
		kill $PPID_ 2>/dev/null
	fi
	wait_pid $PPID_ 60
	rc=$?
	tap_import "$ZB_TMP/park.tap" "swapheld -P"
	check_eq "swapheld -P exit status" "$rc" 0
else
	tap_skip "swapoff while held" "tests/progs/swapheld missing"
fi

# ---- reset and rmmod after release ----
check "reset after the holds" zb_reset zswapblk0
rd v $D/initstate; check_eq "initstate 0" "$v" 0
check "rmmod" rmmod zswapblk

tap_done
