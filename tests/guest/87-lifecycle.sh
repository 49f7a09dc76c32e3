#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 87-lifecycle: reset, hot_remove, swapoff and rmmod racing with
#  (a) fio with verification on the device, at several delays after its
#      I/O starts: while the disk is open, reset, hot_remove and rmmod fail
#      with EBUSY (also reset in a loop for fio's whole run) and data written
#      before still verifies; once the users are gone, reset succeeds, and
#      fio's data verified.  hot_remove in a loop while fio runs and exits
#      is EBUSY until it succeeds;
#  (b) held write completions (completion_hold): with a direct write parked,
#      reset, hot_remove and rmmod fail with EBUSY, without blocking; the
#      write completes at the release or at the hold's timeout, and its data
#      verifies.  swapoff with swap-outs parked (tests/progs/swapheld -P)
#      returns once the hold is released, at several delays, or times out;
#      all pages come back intact;
#  (c) writeback to a backing disk: with the disk open, reset, hot_remove
#      and rmmod fail with EBUSY and the pages verify after the run; with it
#      closed, reset, hot_remove and rmmod wait for the run and complete;
#      swapoff during writeback runs brings every page back.
# Every blocking step runs with a time limit, so a hang is a failed
# assertion with a diagnostic, not a stuck guest.
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
command -v fio > /dev/null || skip_all "fio is not installed"
need_prog blkpat || skip_all "tests/progs/blkpat missing (make -C tests/progs)"
BLKPAT=$ZB_PROG_PATH
need_prog swapheld || skip_all "tests/progs/swapheld missing (make -C tests/progs)"
SWAPHELD=$ZB_PROG_PATH
D=/sys/block/zswapblk0
DEV=/dev/zswapblk0
swaps_active others
HAVE_DISK=0
zb_backing_disk && HAVE_DISK=1

life_cleanup() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	exec 3<&-
	zb_unload 2>/dev/null
	zb_backing_disk_release
}
ZB_CLEANUP=life_cleanup

check "insmod" zb_load || bail "module does not load"

# ---- helpers ------------------------------------------------------------------

# timed_write SECS PATH VALUE: the write, in a background subshell.  Returns
# 0, 1 (the error text in ZB_WERR) or 124 when it has not returned after
# SECS (it is then left behind: a task stuck in the kernel cannot be killed).
timed_write() {
	local secs=$1 path=$2 val=$3 pid t0 t rc
	: > "$ZB_TMP/tw.err"
	( echo "$val" > "$path" ) 2> "$ZB_TMP/tw.err" &
	pid=$!
	now_ms_var t0
	while kill -0 $pid 2>/dev/null; do
		now_ms_var t
		if [ $((t - t0)) -ge $((secs * 1000)) ]; then
			kill -KILL $pid 2>/dev/null
			ZB_WERR="no return after $secs s"
			return 124
		fi
		zb_sleep 0.05
	done
	wait $pid
	rc=$?
	ZB_WERR=
	[ $rc = 0 ] || IFS= read -r ZB_WERR < "$ZB_TMP/tw.err"
	[ $rc = 0 ] && return 0
	return 1
}

# timed_run SECS CMD...: CMD in the background; its status, 124 if it has
# not ended after SECS (then left behind).
timed_run() {
	local secs=$1 pid t0 t; shift
	"$@" > "$ZB_TMP/tr.out" 2>&1 &
	pid=$!
	now_ms_var t0
	while kill -0 $pid 2>/dev/null; do
		now_ms_var t
		if [ $((t - t0)) -ge $((secs * 1000)) ]; then
			kill -KILL $pid 2>/dev/null
			return 124
		fi
		zb_sleep 0.05
	done
	wait $pid
}

# want_busy DESC PATH VALUE: the write fails with EBUSY within 30 s.
want_busy() {
	timed_write 30 "$2" "$3"
	case $? in
	0)	tap_fail "$1: EBUSY" "the write succeeded" ;;
	124)	tap_fail "$1: EBUSY" "the write hangs: $ZB_WERR" ;;
	*)	if err_matches EBUSY "$ZB_WERR"; then tap_ok "$1: EBUSY"
		else tap_fail "$1: EBUSY" "got: $ZB_WERR"; fi ;;
	esac
}

# rmmod_busy DESC: rmmod fails because the module is in use.
rmmod_busy() {
	local out=()
	timed_run 30 rmmod zswapblk
	case $? in
	0)	tap_fail "$1: rmmod fails with EBUSY" "rmmod succeeded"
		zb_load ;;
	124)	tap_fail "$1: rmmod fails with EBUSY" "rmmod hangs" ;;
	*)	mapfile -t out < "$ZB_TMP/tr.out"
		check_match "$1: rmmod fails with EBUSY (in use)" "${out[*]}" "*in use*" ;;
	esac
}

# all_busy DESC: reset, hot_remove and rmmod are refused.
all_busy() {
	want_busy "$1: reset" $D/reset 1
	want_busy "$1: hot_remove" $ZB_CTL/hot_remove 0
	rmmod_busy "$1"
}

# want_done DESC SECS PATH VALUE: the write succeeds within SECS.
want_done() {
	timed_write "$2" "$3" "$4"
	case $? in
	0)	tap_ok "$1" ;;
	124)	tap_fail "$1" "the write hangs: $ZB_WERR"; return 1 ;;
	*)	tap_fail "$1" "error: $ZB_WERR"; return 1 ;;
	esac
}

writes_done() { local __s=() ; read -r -a __s < $D/stat; printf -v "$1" '%s' "${__s[4]:-0}"; }
held_gt() { local h; io_stat h zswapblk0 writes_held; [ "${h:-0}" -gt "$1" ]; }
alive() { kill -0 "$1" 2>/dev/null; }
# add_again DESC: hot_add makes zswapblk0 again, with its device node.
add_again() {
	local id
	rd id $ZB_CTL/hot_add
	check_eq "$1: hot_add makes zswapblk0 again" "$id" 0
	check "$1: $DEV is a block device again" wait_for 10 test -b $DEV
}
init0() {
	local v
	rd v $D/initstate
	[ "$v" = 1 ] || zb_init zswapblk0 64M
}

# ---- (a) fio on the device ----------------------------------------------------------

# fio closes and reopens the disk between its write and verify phases, so
# a verified round keeps the disk open (fd 3) until fio has exited; the
# removal race below runs without verification and without fd 3.
it=0
for delay in 0.1 0.5 1.5; do
	it=$((it + 1))
	A="fio race $it (${delay} s)"
	check "$A: disksize 64M" init0 || break
	check "$A: 2 MiB of pattern written first" "$BLKPAT" -w -p rand:$it -o 0 -l 2M $DEV
	writes_done w0
	exec 3< $DEV
	fio --name=race --filename=$DEV --allow_file_create=0 --direct=1 --ioengine=libaio --iodepth=4 \
		--rw=randwrite --bs=4k --offset=8M --size=16M --io_size=8M \
		--norandommap --randrepeat=0 --serialize_overlap=1 --refill_buffers \
		--buffer_compress_percentage=50 --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --verify_backlog=64 \
		--output="$ZB_TMP/fio.out" > /dev/null 2>&1 &
	FIO=$!
	fio_io() { local w; writes_done w; [ "$w" -gt "$w0" ]; }
	check "$A: fio's I/O starts" wait_for 60 fio_io
	zb_sleep "$delay"
	all_busy "$A, fio running"
	check "$A: the data written before still verifies" \
		"$BLKPAT" -v -p rand:$it -o 0 -l 2M $DEV
	# reset in a loop while fio runs: always EBUSY, never a hang
	n=0 busy=0 other=()
	while alive $FIO && [ $n -lt 600 ]; do
		n=$((n + 1))
		timed_write 60 $D/reset 1
		rc=$?
		if [ $rc = 1 ] && err_matches EBUSY "$ZB_WERR"; then
			busy=$((busy + 1))
		else
			other+=("${ZB_WERR:-succeeded}")
			[ $rc = 124 ] && break
		fi
		zb_sleep 0.1
	done
	wait_pid $FIO 120
	rc=$?
	if [ $rc != 0 ]; then
		mapfile -t lines < "$ZB_TMP/fio.out"
		tap_fail "$A: fio verified its data (exit 0)" "exit $rc" "${lines[@]: -8}"
	else
		tap_ok "$A: fio verified its data (exit 0)"
	fi
	check_eq "$A: $n resets tried while fio ran: all EBUSY" "${other[*]:0:3}" ""
	check "$A: the data written first still verifies" \
		"$BLKPAT" -v -p rand:$it -o 0 -l 2M $DEV
	exec 3<&-
	want_done "$A: reset once the users are gone" 60 $D/reset 1
	rd v $D/initstate
	check_eq "$A: initstate 0 after the reset" "$v" 0
done

# A removal in a loop while fio runs and exits: EBUSY, then done.  fio runs
# for a fixed time, not a fixed amount: on a fast host 2 MiB were done
# before the first attempt, which then found the disk free.
A="fio race, hot_remove"
check "$A: disksize 64M" init0
fio --name=race --filename=$DEV --allow_file_create=0 --direct=1 --ioengine=libaio --iodepth=4 \
	--rw=randwrite --bs=4k --size=8M --time_based --runtime=3 \
	--output="$ZB_TMP/fio.out" > /dev/null 2>&1 &
FIO=$!
writes_done w0
fio_io() { local w; writes_done w; [ "$w" -gt "$w0" ]; }
check "$A: fio's I/O starts" wait_for 60 fio_io
n=0 busy=0 other=() done=0
while [ $n -lt 600 ]; do
	n=$((n + 1))
	timed_write 60 $ZB_CTL/hot_remove 0
	rc=$?
	if [ $rc = 0 ]; then done=1; break; fi
	if [ $rc = 124 ] || ! err_matches EBUSY "$ZB_WERR"; then other+=("$ZB_WERR"); break; fi
	busy=$((busy + 1))
	zb_sleep 0.1
done
wait_pid $FIO 120
tap_diag "$A: fio exit status $? (it may lose the race to the removal)"
check_cmp "$A: hot_remove was refused while fio had the disk open ($busy times)" "$busy" -gt 0
check_eq "$A: hot_remove in a loop: EBUSY, then done" "$done ${other[*]}" "1 "
check "$A: zswapblk0 is gone" test ! -e $D
add_again "$A"

# ---- (b) held write completions -------------------------------------------------------

B="held write"
check "$B: disksize 64M" init0
io_stat h0 zswapblk0 writes_held
expect_write_ok $D/completion_hold 60000 "$B: completion_hold 60000"
"$BLKPAT" -w -p rand:21 -o 0 -l 1M -b 64K $DEV > /dev/null 2> "$ZB_TMP/w.err" &
WPID=$!
if check "$B: the write is parked" wait_for 30 held_gt "${h0:-0}"; then
	all_busy "$B"
	check "$B: the writer is still parked" alive $WPID
fi
want_done "$B: release (completion_hold 0)" 10 $D/completion_hold 0
wait_pid $WPID 60
check_eq "$B: the writer completes" "$?" 0
check "$B: its data verifies" "$BLKPAT" -v -p rand:21 -o 0 -l 1M $DEV
want_done "$B: reset once the writer is gone" 60 $D/reset 1

B="held write, timeout"
check "$B: disksize 64M" init0
io_stat h0 zswapblk0 writes_held
expect_write_ok $D/completion_hold 2500 "$B: completion_hold 2500"
"$BLKPAT" -w -p rand:22 -o 0 -l 512K -b 64K $DEV > /dev/null 2> "$ZB_TMP/w.err" &
WPID=$!
if check "$B: the write is parked" wait_for 30 held_gt "${h0:-0}"; then
	want_busy "$B: reset" $D/reset 1
	want_busy "$B: hot_remove" $ZB_CTL/hot_remove 0
fi
wait_pid $WPID 60
check_eq "$B: the writer completes at the timeout" "$?" 0
check "$B: its data verifies" "$BLKPAT" -v -p rand:22 -o 0 -l 512K $DEV
want_done "$B: reset once the writer is gone" 60 $D/reset 1

# swapoff with swap-outs parked: released by hand after DELAY, or by the
# hold's timeout (DELAY "timeout").
swapoff_held() {
	local delay=$1 hold=60000 B pid rc t0 t1 n orig miss
	B="swapoff, held ($delay)"
	[ "$delay" = timeout ] && hold=4000
	check "$B: disksize 64M, swapon" sh -c "echo 64M > $D/disksize && mkswap $DEV > /dev/null && swapon -p 32767 $DEV" || return
	: > "$ZB_TMP/park.tap"
	"$SWAPHELD" -P -S -n 64 -t $hold -d $DEV > "$ZB_TMP/park.tap" 2>&1 &
	pid=$!
	parked() { local l; while IFS= read -r l; do [ "$l" = "# parked" ] && return 0; done < "$ZB_TMP/park.tap"; return 1; }
	if ! check "$B: swapheld parked its pages" wait_for 60 parked; then
		kill $pid 2>/dev/null
		wait_pid $pid 30
		tap_import "$ZB_TMP/park.tap" "$B: swapheld"
		timed_run 60 swapoff $DEV
		return
	fi
	io_stat n zswapblk0 writes_held
	tap_diag "$B: $n writes held"
	now_ms_var t0
	swapoff $DEV > "$ZB_TMP/swapoff.out" 2>&1 &
	SOFF=$!
	zb_sleep 0.3
	if alive $SOFF; then
		all_busy "$B, swapoff running"
	else
		tap_skip "$B: reset/hot_remove/rmmod during swapoff" "swapoff already returned"
	fi
	if [ "$delay" != timeout ]; then
		zb_sleep "$delay"
		want_done "$B: release (completion_hold 0)" 10 $D/completion_hold 0
	fi
	wait_pid $SOFF 90
	rc=$?
	now_ms_var t1
	check_eq "$B: swapoff returns 0 (after $(((t1 - t0) / 100))00 ms)" "$rc" 0
	check "$B: $DEV is no longer swap" sh -c "! grep -q '^$DEV ' /proc/swaps"
	kill -USR1 $pid
	wait_pid $pid 60
	rc=$?
	tap_import "$ZB_TMP/park.tap" "$B: swapheld"
	check_eq "$B: swapheld: every page back and intact (exit 0)" "$rc" 0
	mm_stat orig zswapblk0 orig_data_size
	debug_stat miss zswapblk0 miss_free
	check_cmp "$B: the slots are freed: orig_data_size $orig <= header page + miss_free ${miss:-0} pages" \
		$(( ${orig:-1} / 4096 )) -le $(( 1 + ${miss:-0} ))
	want_done "$B: reset after swapoff" 60 $D/reset 1
}
if [ ${#others[@]} -ne 0 ]; then
	tap_skip "swapoff with held completions" "other swap devices are active: ${others[*]}"
else
	swapoff_held 0.2
	swapoff_held 1.5
	swapoff_held timeout
fi

# ---- (c) writeback to a backing device -------------------------------------------------

# wb_setup DESC: backing disk, disksize, 8 MiB of pattern, all idle.
wb_setup() {
	want_done "$1: backing_dev $ZB_DISK" 30 $D/backing_dev "$ZB_DISK" &&
	check "$1: disksize 64M" zb_init zswapblk0 64M &&
	check "$1: 8 MiB of pattern" "$BLKPAT" -w -p rand:31 -o 0 -l 8M $DEV &&
	expect_write_ok $D/idle all "$1: idle all"
}
# wb_start: "writeback idle" in the background.
wb_start() {
	( echo idle > $D/writeback ) 2> "$ZB_TMP/wb.err" &
	WB=$!
}
# wb_end DESC OK_ERRORS: the run returns, successfully or with one of them.
wb_end() {
	local rc e=
	wait_pid $WB 90
	rc=$?
	[ $rc = 0 ] && { tap_ok "$1: the writeback run returns"; return; }
	IFS= read -r e < "$ZB_TMP/wb.err"
	if [ $rc = 124 ]; then
		tap_fail "$1: the writeback run returns" "it hangs"
	elif [ -n "$2" ] && err_matches "$2" "$e"; then
		tap_ok "$1: the writeback run returns ($e)"
	else
		tap_fail "$1: the writeback run returns" "exit $rc: $e"
	fi
}
wb_running() { local n; bd_stat n zswapblk0 wb_inflight; [ "${n:-0}" -gt 0 ] || ! alive $WB; }

if [ $HAVE_DISK = 0 ]; then
	tap_skip "races with writeback" "$ZB_DISK_WHY"
else
	C="writeback, disk open"
	if wb_setup "$C"; then
		exec 3< $DEV
		wb_start
		wait_for 20 wb_running
		all_busy "$C"
		wb_end "$C" ""
		bd_stat n zswapblk0 count
		check_cmp "$C: pages are on the backing disk ($n)" "${n:-0}" -gt 0
		check "$C: every page verifies" "$BLKPAT" -v -p rand:31 -o 0 -l 8M $DEV
		exec 3<&-
	fi
	want_done "$C: reset once closed" 60 $D/reset 1

	C="writeback, reset"
	if wb_setup "$C"; then
		wb_start
		wait_for 20 wb_running
		want_done "$C: reset waits for the run and completes" 60 $D/reset 1
		wb_end "$C" "EINVAL|ENODEV"
		rd v $D/initstate; rd b $D/backing_dev
		check_eq "$C: initstate 0, backing_dev none" "$v $b" "0 none"
	fi

	C="writeback, hot_remove"
	if wb_setup "$C"; then
		wb_start
		wait_for 20 wb_running
		want_done "$C: hot_remove waits for the run and completes" 60 $ZB_CTL/hot_remove 0
		wb_end "$C" "EINVAL|ENODEV"
		check "$C: zswapblk0 is gone" test ! -e $D
		add_again "$C"
	fi

	C="writeback, swapoff"
	if [ ${#others[@]} -ne 0 ]; then
		tap_skip "$C" "other swap devices are active"
	elif want_done "$C: backing_dev $ZB_DISK" 30 $D/backing_dev "$ZB_DISK" &&
	     check "$C: disksize 64M, swapon" sh -c "echo 64M > $D/disksize && mkswap $DEV > /dev/null && swapon -p 32767 $DEV"; then
		"$SWAPHELD" -P -S -n 512 -t 1 -d $DEV > "$ZB_TMP/park.tap" 2>&1 &
		pid=$!
		parked() { local l; while IFS= read -r l; do [ "$l" = "# parked" ] && return 0; done < "$ZB_TMP/park.tap"; return 1; }
		check "$C: 512 pages swapped out" wait_for 60 parked
		expect_write_ok $D/idle all "$C: idle all"
		wb_start
		wait_for 20 wb_running
		timed_run 90 swapoff $DEV
		check_eq "$C: swapoff during the run returns 0" "$?" 0
		wb_end "$C" ""
		bd_stat n zswapblk0 writes
		tap_diag "$C: bd_stat $(< $D/bd_stat)"
		kill -USR1 $pid
		wait_pid $pid 60
		rc=$?
		tap_import "$ZB_TMP/park.tap" "$C: swapheld"
		check_eq "$C: swapheld: every page back and intact (exit 0)" "$rc" 0
	fi
	want_done "$C: reset" 60 $D/reset 1

	C="writeback, rmmod"
	if wb_setup "$C"; then
		wb_start
		wait_for 20 wb_running
		timed_run 90 rmmod zswapblk
		check_eq "$C: rmmod waits for the run and completes" "$?" 0
		wb_end "$C" "EINVAL|ENODEV"
		check "$C: the module is gone" test ! -d /sys/module/zswapblk
	fi
fi

# ---- the end: rmmod works --------------------------------------------------------

if zb_loaded; then
	timed_run 60 rmmod zswapblk
	check_eq "rmmod at the end" "$?" 0
fi
check "the module is gone" test ! -d /sys/module/zswapblk

tap_done
