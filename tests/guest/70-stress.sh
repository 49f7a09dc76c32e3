#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 70-stress: swap stress with zswapblk as the only swap.  tests/progs/memstress
# runs in a cgroup v2 memory cgroup (memory.max 48M) with a working set of
# about 3x that, every page checksummed and verified on every touch: no
# corruption, pswpout/pswpin move, orig_data_size is non-zero during the run,
# no OOM kill.  Then a short stress-ng --vm write64 --verify run in the same
# cgroup.
#
# A second, THP-backed memstress round sends large folios to swap.
#
# Sizes (env): ZB_STRESS_MIB (144), ZB_STRESS_THP_MIB (96), ZB_STRESS_LIMIT
# (48M), ZB_STRESS_SECS (stress-ng run time, 15).
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
DEV=/dev/zswapblk0
MIB=${ZB_STRESS_MIB:-144}
THP_MIB=${ZB_STRESS_THP_MIB:-96}
LIMIT=${ZB_STRESS_LIMIT:-48M}
SECS=${ZB_STRESS_SECS:-15}
CGROOT=/sys/fs/cgroup
CG=$CGROOT/zswapblk-stress.$$

need_prog memstress || skip_all "tests/progs/memstress missing (make -C tests/progs)"
MEMSTRESS=$ZB_PROG_PATH
[ -f $CGROOT/cgroup.controllers ] || skip_all "cgroup v2 is not mounted at $CGROOT"
rd ctl $CGROOT/cgroup.controllers
[[ " $ctl " == *" memory "* ]] || skip_all "no memory controller in cgroup v2 ($ctl)"
swaps_active others
[ ${#others[@]} -eq 0 ] || skip_all "other swap devices are active: ${others[*]}"

cg_cleanup() { cg_remove "$CG"; }
ZB_CLEANUP=cg_cleanup

check "insmod" zb_load || bail "module does not load"
check "disksize 512M" zb_init zswapblk0 512M || bail "cannot initialise"
check "mkswap + swapon -p 32767" zb_swapon zswapblk0 || bail "swapon failed"
swaps_active swaps
check_eq "zswapblk0 is the only swap" "${swaps[*]}" /dev/zswapblk0

sysfs_write $CGROOT/cgroup.subtree_control +memory
check "memory cgroup $CG with memory.max $LIMIT" \
	sh -c "mkdir $CG && echo $LIMIT > $CG/memory.max && echo max > $CG/memory.swap.max"

# in_cg CMD...: run CMD inside the cgroup (a subshell moves itself, then execs).
in_cg() { ( echo "$BASHPID" > "$CG/cgroup.procs" && exec "$@" ); }

# ---- memstress ----
vmstat out0 pswpout; vmstat in0 pswpin
mem_events() { file_key "$1" "$CG/memory.events" "$2"; }
run_tap_prog "memstress" in_cg "$MEMSTRESS" -m "$MIB" -p 2 -w 30 -s 7 -D 240 \
	-S /sys/block/zswapblk0/mm_stat
vmstat out1 pswpout; vmstat in1 pswpin
check_cmp "pswpout moved during memstress (+$((out1 - out0)))" $((out1 - out0)) -gt 0
check_cmp "pswpin moved during memstress (+$((in1 - in0)))" $((in1 - in0)) -gt 0
oom=0; max=0
mem_events oom oom_kill; mem_events max max
check_eq "no OOM kill in the cgroup (memory.events max $max)" "$oom" 0
mm_stat orig zswapblk0 orig_data_size
tap_diag "after memstress: mm_stat $(< /sys/block/zswapblk0/mm_stat)"
tap_diag "after memstress: io_stat $(< /sys/block/zswapblk0/io_stat)"
check_no_io_errors zswapblk0

# ---- memstress on THP: large folios go to swap whole where the kernel can ----
vmstat out0 pswpout; vmstat thp0 thp_swpout; vmstat thpf0 thp_swpout_fallback
run_tap_prog "memstress THP" in_cg "$MEMSTRESS" -m "$THP_MIB" -p 1 -w 30 -s 8 -D 120 -T huge
vmstat out1 pswpout; vmstat thp1 thp_swpout; vmstat thpf1 thp_swpout_fallback
tap_diag "THP round: pswpout +$((out1 - out0)), thp_swpout +$((thp1 - thp0)), thp_swpout_fallback +$((thpf1 - thpf0))"
check_cmp "pswpout moved during the THP round (+$((out1 - out0)))" $((out1 - out0)) -gt 0
oom=0; mem_events oom oom_kill
check_eq "no OOM kill in the THP round" "$oom" 0
check_no_io_errors zswapblk0

# ---- stress-ng ----
if command -v stress-ng > /dev/null; then
	vmstat out0 pswpout
	in_cg stress-ng --vm 1 --vm-bytes 96M --vm-method write64 --verify \
		--timeout "${SECS}s" --metrics-brief > "$ZB_TMP/stress-ng.out" 2>&1
	rc=$?
	vmstat out1 pswpout
	lines=()
	mapfile -t lines < "$ZB_TMP/stress-ng.out"
	fails=0
	for l in "${lines[@]}"; do [[ $l == *fail* && $l != *"failed: 0"* ]] && fails=1; done
	if [ $rc -eq 0 ] && [ $fails -eq 0 ]; then
		tap_ok "stress-ng --vm write64 --verify ${SECS}s in the cgroup: exit 0, no failure"
	else
		tap_fail "stress-ng --vm write64 --verify: exit $rc" "${lines[@]: -12}"
	fi
	check_cmp "pswpout moved during stress-ng (+$((out1 - out0)))" $((out1 - out0)) -gt 0
	oom=0; mem_events oom oom_kill
	check_eq "no OOM kill during stress-ng" "$oom" 0
	check_no_io_errors zswapblk0
else
	tap_skip "stress-ng --vm write64 --verify" "stress-ng is not installed"
fi

cg_cleanup
check "swapoff" swapoff $DEV
mm_stat orig zswapblk0 orig_data_size
debug_stat miss zswapblk0 miss_free
# What may stay: mkswap's header page and slots whose free was missed.
check_cmp "swapoff freed the slots: orig_data_size $orig <= header page + miss_free ${miss:-0} pages" \
	$(( ${orig:-1} / 4096 )) -le $(( 1 + ${miss:-0} ))

tap_done
