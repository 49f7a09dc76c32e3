#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 97-faults: allocation failures injected into zswapblk under load.
#
# failslab and fail_page_alloc are aimed at the module: their stack-trace
# filter (require-start/require-end) is the module's text, so an allocation
# fails only when zswapblk is on the stack: its own, and those zsmalloc,
# the compressors and the block layer make on its behalf.  Nothing else in
# the system sees a fault.  ignore-gfp-wait and ignore-gfp-highmem are off
# and min-order is 0, so the pool's highmem pages and GFP_KERNEL
# allocations fail too.  Each kind fails up to ZB_FAULT_TIMES allocations
# (300) with probability ZB_FAULT_PCT (5%) per allocation; what remains of
# "times" counts the faults injected.
#
#  (a) fio 4k random writes with verify=crc32c on the first half of
#      zswapblk0: a failed write must be an I/O error (EIO or ENOMEM, as fio
#      reports it; fio drops failed writes from its verify list), a verify
#      mismatch is a failure.  The second half holds a blkpat pattern
#      written before the faults.
#  (b) tests/progs/memstress in a memory cgroup with zswapblk1 as the only
#      swap: a page that reads back wrong fails; a process killed by SIGBUS
#      passes only if the device really failed a read (io_stat failed_reads)
#      and is reported as such.
#  (c) sysfs writes that allocate, with /proc/self/fail-nth: for n = 1, 2,
#      ... the n-th allocation on the module's behalf fails, until the write
#      gets through all of them.  hot_add, disksize, comp_algorithm,
#      algorithm_params and backing_dev must fail with an errno and leave
#      the state as it was, or succeed where a fallback covers the fault.
#
# Then, faults off: the blkpat pattern and a fresh fio round must verify,
# reset and rmmod must work, and kmemleak (when on) must report no object
# allocated by the module.
#
# Skips without failslab and fail_page_alloc in debugfs or without their
# stack-trace filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER).
# Sizes (env): ZB_FAULT_FIO_MIB (32), ZB_FAULT_STRESS_MIB (64),
# ZB_FAULT_LIMIT (32M), ZB_FAULT_NTH_MAX (1000 allocations per write).
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

DBG=/sys/kernel/debug
FS=$DBG/failslab
FP=$DBG/fail_page_alloc
KML=$DBG/kmemleak
PCT=${ZB_FAULT_PCT:-5}
TIMES=${ZB_FAULT_TIMES:-300}
FIO_MIB=${ZB_FAULT_FIO_MIB:-32}
STRESS_MIB=${ZB_FAULT_STRESS_MIB:-64}
LIMIT=${ZB_FAULT_LIMIT:-32M}
NTH_MAX=${ZB_FAULT_NTH_MAX:-1000}
CGROOT=/sys/fs/cgroup
CG=$CGROOT/zswapblk-faults.$$

[ "$EUID" = 0 ] || skip_all "needs root"
[ -d $FS ] && [ -d $FP ] ||
	skip_all "no $FS and $FP (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS)"
[ -e $FS/require-start ] && [ -e $FP/require-start ] ||
	skip_all "no stack-trace filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)"

zb_test_begin
command -v fio > /dev/null || skip_all "fio is not installed"
need_prog blkpat || skip_all "tests/progs/blkpat missing (make -C tests/progs)"
BLKPAT=$ZB_PROG_PATH
need_prog memstress || skip_all "tests/progs/memstress missing (make -C tests/progs)"
MEMSTRESS=$ZB_PROG_PATH

# fault_w FILE VALUE: write a fault attribute; 1 with a message if it fails.
fault_w() {
	sysfs_write "$1" "$2" && return 0
	echo "$1 <- $2: $ZB_WERR" >&2
	return 1
}

faults_off() {
	local d
	for d in $FS $FP; do
		[ -w $d/probability ] && echo 0 > $d/probability
	done
	[ -w /proc/self/fail-nth ] && echo 0 > /proc/self/fail-nth
	return 0
}

cg_cleanup() { cg_remove "$CG"; }
faults_cleanup() { faults_off; cg_cleanup; }
ZB_CLEANUP=faults_cleanup

# kmemleak, if on (scan=off fails when it is not): no automatic scans, and
# forget what leaked before this test.
kml=0
if [ -w $KML ] && { echo scan=off > $KML && echo clear > $KML; } 2> /dev/null; then
	kml=1
fi

check "insmod num_devices=2" zb_load num_devices=2 || bail "module does not load"

# ---- the module's text range -------------------------------------------------
rd text /sys/module/zswapblk/sections/.text
rd coresize /sys/module/zswapblk/coresize
if ! [[ $text =~ ^0x[0-9a-f]+$ ]] || [ $((text)) = 0 ] || ! [[ $coresize =~ ^[0-9]+$ ]]; then
	bail "the module's text address is readable" ".text '$text', coresize '$coresize'"
fi
# coresize covers text and data: more than the text, but only this module.
TEXT_START=$((text))
TEXT_END=$((text + coresize))
printf -v start_hex '0x%x' $TEXT_START
printf -v end_hex '0x%x' $TEXT_END
tap_diag "zswapblk text: $start_hex - $end_hex"

setup_attr() {
	local d=$1
	fault_w $d/probability 0 && fault_w $d/interval 1 && fault_w $d/space 0 &&
	fault_w $d/times 0 && fault_w $d/task-filter N &&
	fault_w $d/ignore-gfp-wait N && fault_w $d/stacktrace-depth 32 &&
	fault_w $d/reject-start 0 && fault_w $d/reject-end 0 &&
	fault_w $d/require-start $start_hex && fault_w $d/require-end $end_hex &&
	fault_w $d/verbose 2
}
check "failslab aimed at the module" setup_attr $FS || bail "cannot set up failslab"
check "fail_page_alloc aimed at the module" \
	eval 'setup_attr $FP && fault_w $FP/ignore-gfp-highmem N && fault_w $FP/min-order 0' ||
	bail "cannot set up fail_page_alloc"

# faults_on: both kinds, up to TIMES faults each, PCT percent per allocation.
faults_on() { fault_w $FS/times $TIMES && fault_w $FP/times $TIMES &&
	      fault_w $FS/probability $PCT && fault_w $FP/probability $PCT; }
# faults_count PHASE: turn them off and add what was injected to the totals.
declare -A INJ=([failslab]=0 [fail_page_alloc]=0)
faults_count() {
	local d left n
	faults_off
	for d in $FS $FP; do
		rd left $d/times
		n=$((TIMES - left))
		INJ[${d##*/}]=$(( ${INJ[${d##*/}]} + n ))
		tap_diag "$1: ${d##*/} injected $n faults"
	done
}

# ---- (a) fio with verification on zswapblk0 ------------------------------------
DEV=/dev/zswapblk0
HALF=$((FIO_MIB / 2))
check "zswapblk0: disksize ${FIO_MIB}M" zb_init zswapblk0 "${FIO_MIB}M" || bail "cannot initialise"
check "blkpat writes comp:7 on the second half (no faults)" \
	"$BLKPAT" -w -p comp:7 -o "${HALF}M" -l "${HALF}M" $DEV

# run_fio DESC: random 4k writes then a verifying read of every write that
# succeeded; the result's numbers go to FIO_* (python3 reads fio's JSON).
run_fio() {
	local out=$ZB_TMP/fio.json rc
	fio --name=faults --filename=$DEV --direct=1 --ioengine=libaio --iodepth=8 \
		--rw=randwrite --bs=4k --size="${HALF}M" --verify=crc32c --do_verify=1 \
		--verify_fatal=1 --continue_on_error=write --buffer_compress_percentage=50 \
		--refill_buffers --output-format=json --output="$out" 2> "$ZB_TMP/fio.err"
	rc=$?
	FIO_RC=$rc
	read -r FIO_ERR FIO_TOTAL_ERR FIO_FIRST_ERR FIO_WRITES FIO_READS < <(python3 -c '
import json, sys
try:
    text = open(sys.argv[1]).read()
    j = json.loads(text[text.index("{"):])["jobs"][0]
    print(j.get("error", -1), j.get("total_err", 0), j.get("first_error", 0),
          j["write"]["total_ios"], j["read"]["total_ios"])
except Exception:
    print(-1, -1, -1, 0, 0)
' "$out")
	[ -n "${VMOUT:-}" ] && [ -d "$VMOUT" ] && cp "$out" "$VMOUT/faults-fio-$1.json" 2> /dev/null
	local lines=()
	mapfile -t -n 8 lines < "$ZB_TMP/fio.err"
	FIO_DIAG=("${lines[@]}")
}

io_stat fw0 zswapblk0 failed_writes
check "faults on" faults_on
run_fio faults
faults_count "fio"
io_stat fw1 zswapblk0 failed_writes
tap_diag "fio under faults: exit $FIO_RC, error $FIO_ERR, $FIO_TOTAL_ERR failed writes (first errno $FIO_FIRST_ERR), $FIO_WRITES writes, $FIO_READS verified reads; io_stat failed_writes +$((fw1 - fw0))"
# fio's job error is the first write error, which it went on after; a
# verify mismatch (EILSEQ) or a failed read would end the job.
if [ "$FIO_RC" = 0 ] && { [ "$FIO_ERR" = 0 ] || [ "$FIO_ERR" = "$FIO_FIRST_ERR" ]; }; then
	tap_ok "fio under faults: exit 0, no verify mismatch, no read error"
else
	tap_fail "fio under faults: exit $FIO_RC, error $FIO_ERR" "${FIO_DIAG[@]}"
fi
case $FIO_FIRST_ERR in
0 | 5 | 12) tap_ok "fio: failed writes are I/O errors (first errno $FIO_FIRST_ERR)" ;;
*)	    tap_fail "fio: a failed write is not EIO or ENOMEM" "first errno $FIO_FIRST_ERR" ;;
esac
# Every write that succeeded is read back (fio may or may not count the
# failed ones in its writes).
if [ "$FIO_READS" -gt 0 ] && [ "$FIO_READS" -le "$FIO_WRITES" ] &&
   [ "$FIO_READS" -ge $((FIO_WRITES - FIO_TOTAL_ERR)) ]; then
	tap_ok "fio verified every write that succeeded ($FIO_READS reads, $FIO_WRITES writes, $FIO_TOTAL_ERR failed)"
else
	tap_fail "fio verified every write that succeeded" \
		"$FIO_READS reads, $FIO_WRITES writes, $FIO_TOTAL_ERR failed"
fi
# A failed bio fails every fio write merged into it, never the reverse.
check_cmp "io_stat failed_writes (+$((fw1 - fw0))) <= fio's failed writes ($FIO_TOTAL_ERR)" \
	$((fw1 - fw0)) -le "$FIO_TOTAL_ERR"
if [ "$FIO_TOTAL_ERR" -gt 0 ]; then
	check_cmp "io_stat failed_writes moved with fio's failed writes" $((fw1 - fw0)) -gt 0
fi
pages_verified=$FIO_READS

# ---- (b) memstress with zswapblk1 as swap ---------------------------------------
swaps_active others
rd ctl $CGROOT/cgroup.controllers
if [ ${#others[@]} -gt 0 ]; then
	tap_skip "memstress under faults" "other swap devices are active: ${others[*]}"
elif [[ " $ctl " != *" memory "* ]]; then
	tap_skip "memstress under faults" "no memory controller in cgroup v2"
else
	check "zswapblk1: 256M swap" eval 'zb_init zswapblk1 256M && zb_swapon zswapblk1'
	sysfs_write $CGROOT/cgroup.subtree_control +memory
	check "memory cgroup with memory.max $LIMIT" \
		sh -c "mkdir $CG && echo $LIMIT > $CG/memory.max && echo max > $CG/memory.swap.max"
	in_cg() { ( echo "$BASHPID" > "$CG/cgroup.procs" && exec "$@" ); }
	vmstat out0 pswpout
	io_stat fr0 zswapblk1 failed_reads
	io_stat sw0 zswapblk1 failed_writes
	check "faults on" faults_on
	in_cg "$MEMSTRESS" -m "$STRESS_MIB" -p 1 -w 30 -s 11 -D 120 \
		-S /sys/block/zswapblk1/mm_stat > "$ZB_TMP/memstress.tap" 2>&1
	rc=$?
	faults_count "memstress"
	vmstat out1 pswpout
	io_stat fr1 zswapblk1 failed_reads
	io_stat sw1 zswapblk1 failed_writes
	tap_diag "memstress: exit $rc, pswpout +$((out1 - out0)), failed swap writes +$((sw1 - sw0)), failed swap reads +$((fr1 - fr0))"
	tap_import "$ZB_TMP/memstress.tap" "memstress under faults"
	if [ $rc = 0 ]; then
		tap_ok "memstress under faults: exit 0, every page read back right"
		n=0
		while IFS= read -r line; do
			[[ $line =~ final\ verification\ of\ ([0-9]+)\ pages ]] && n=${BASH_REMATCH[1]}
		done < "$ZB_TMP/memstress.tap"
		pages_verified=$((pages_verified + n))
	elif [ $rc = $((128 + 7)) ] && [ $((fr1 - fr0)) -gt 0 ]; then
		tap_ok "memstress under faults: killed by SIGBUS after $((fr1 - fr0)) failed swap-in reads (allowed)"
	else
		tap_fail "memstress under faults: exit $rc" \
			"failed swap reads +$((fr1 - fr0)); a SIGBUS (exit 135) is allowed only after one"
	fi
	check_cmp "pswpout moved under faults (+$((out1 - out0)))" $((out1 - out0)) -gt 0
	cg_cleanup
	check "swapoff zswapblk1" swapoff /dev/zswapblk1
	check "reset zswapblk1" zb_reset zswapblk1
fi

# ---- (c) sysfs writes that allocate, every allocation in turn ---------------------
# nth_run DESC OP STATE UNDO: for n = 1, 2, ..., fail the n-th allocation
# made for the module while OP runs in this shell (a builtin, so the fault
# hits this task).  When the fault hit and OP failed, it must have failed
# with an errno and STATE must set STATE as it did before; when OP
# succeeded anyway (a fallback), UNDO restores the state.  It ends when OP
# gets through n - 1 allocations without the n-th.  Counts into NTH_FAULTS.
# Builtins only in the loop: no process per allocation.
NTH_FAULTS=0 STATE=
nth_run() {
	local desc=$1 op=$2 state=$3 undo=$4 n before left rc e
	local fails=0 survived=0 bad=() errs=()
	declare -A errno_seen=()
	"$state"
	before=$STATE
	for ((n = 1; n <= NTH_MAX; n++)); do
		echo $n > /proc/self/fail-nth
		"$op" 2> "$ZB_TMP/op.err"
		rc=$?
		IFS= read -r left < /proc/self/fail-nth
		echo 0 > /proc/self/fail-nth
		if [ "$left" != 0 ]; then
			# fewer than n allocations: the write went through untouched
			e=
			IFS= read -r e < "$ZB_TMP/op.err"
			[ $rc = 0 ] || bad+=("n=$n: failed with no fault injected: $e")
			break
		fi
		if [ $rc = 0 ]; then
			survived=$((survived + 1))
			"$undo" || bad+=("n=$n: cannot undo a successful write")
			continue
		fi
		fails=$((fails + 1))
		e=
		IFS= read -r e < "$ZB_TMP/op.err"
		e=${e##*: }
		[ -n "$e" ] || { e="no message"; bad+=("n=$n: failed without an error message"); }
		errno_seen[$e]=$((${errno_seen[$e]:-0} + 1))
		"$state"
		[ "$STATE" = "$before" ] ||
			bad+=("n=$n: state changed: '$before' -> '$STATE' (error: $e)")
	done
	NTH_FAULTS=$((NTH_FAULTS + fails + survived))
	for e in "${!errno_seen[@]}"; do errs+=("$e: ${errno_seen[$e]}"); done
	tap_diag "$desc: $((n - 1)) allocations failed in turn: $fails writes failed, $survived succeeded anyway; errors: ${errs[*]:-none}"
	if [ $n -gt $NTH_MAX ]; then
		tap_diag "$desc: stopped after $NTH_MAX allocations (ZB_FAULT_NTH_MAX)"
	fi
	if [ ${#bad[@]} -eq 0 ]; then
		tap_ok "$desc: every injected failure fails cleanly, state unchanged"
	else
		tap_fail "$desc: a failure is not clean" "${bad[@]:0:8}"
	fi
	if [ $n -le $NTH_MAX ] && [ $rc = 0 ]; then
		tap_ok "$desc: succeeds once no allocation fails ($((n - 1)) allocations)"
	elif [ $n -le $NTH_MAX ]; then
		tap_fail "$desc: succeeds once no allocation fails" "exit $rc: $e"
	fi
	# leave the state as OP leaves it on success: the caller goes on from there
	return 0
}

if [ ! -w /proc/self/fail-nth ]; then
	tap_skip "sysfs writes under fail-nth" "no /proc/self/fail-nth"
else
	# hot_add: a new device or nothing.
	devs_state() { local d; STATE=; for d in /sys/block/zswapblk*; do STATE+="${d##*/} "; done; }
	NEW_ID=
	op_hot_add() { NEW_ID=; read -r NEW_ID < "$ZB_CTL/hot_add" && [ -n "$NEW_ID" ]; }
	undo_hot_add() { [ -n "$NEW_ID" ] && sysfs_write "$ZB_CTL/hot_remove" "$NEW_ID"; }
	nth_run "hot_add" op_hot_add devs_state undo_hot_add
	if [ -n "$NEW_ID" ] && [ -d /sys/block/zswapblk$NEW_ID ]; then
		tap_ok "hot_add made zswapblk$NEW_ID"
		D=zswapblk$NEW_ID
	else
		tap_fail "hot_add made a device" "id '$NEW_ID'"
		D=zswapblk1
	fi
	SYS=/sys/block/$D

	# comp_algorithm and algorithm_params, before init
	cfg_state() { local a p i; rd a $SYS/comp_algorithm; rd p $SYS/algorithm_params; rd i $SYS/initstate; STATE="$a | $p | $i"; }
	op_comp() { sysfs_write $SYS/comp_algorithm zstd || { echo "$ZB_WERR" >&2; return 1; }; }
	undo_comp() { sysfs_write $SYS/comp_algorithm lz4; }
	nth_run "$D comp_algorithm zstd" op_comp cfg_state undo_comp
	op_params() { sysfs_write $SYS/algorithm_params "level=7" || { echo "$ZB_WERR" >&2; return 1; }; }
	undo_params() { sysfs_write $SYS/algorithm_params "level=3"; }	# zstd's default
	nth_run "$D algorithm_params level=7" op_params cfg_state undo_params
	rd p $SYS/algorithm_params
	check_eq "$D algorithm_params after the runs" "$p" "algo=zstd level=7"

	# disksize: initialised, or not at all (lz4: zstd's workspaces are
	# hundreds of pages, each an allocation to fail in turn)
	check "$D comp_algorithm lz4" sysfs_write $SYS/comp_algorithm lz4
	op_disksize() { sysfs_write $SYS/disksize 64M || { echo "$ZB_WERR" >&2; return 1; }; }
	undo_disksize() { zb_reset $D; }
	dsize_state() { local s i a; rd s $SYS/disksize; rd i $SYS/initstate; rd a $SYS/comp_algorithm; STATE="$s $i $a"; }
	nth_run "$D disksize 64M" op_disksize dsize_state undo_disksize
	rd s $SYS/disksize
	check_eq "$D disksize after the runs" "$s" $((64 << 20))
	check "$D: blkpat after init under fail-nth" eval \
		'"$BLKPAT" -w -p comp:3 -l 8M /dev/$D && "$BLKPAT" -v -p comp:3 -l 8M /dev/$D'
	check "reset $D" zb_reset $D

	# backing_dev: set, or still none
	if zb_backing_disk; then
		bd_state() { rd STATE $SYS/backing_dev; }
		op_backing() { sysfs_write $SYS/backing_dev "$ZB_DISK" || { echo "$ZB_WERR" >&2; return 1; }; }
		undo_backing() { zb_reset $D; }
		nth_run "$D backing_dev $ZB_DISK" op_backing bd_state undo_backing
		rd b $SYS/backing_dev
		check_eq "$D backing_dev after the runs" "$b" "$ZB_DISK"
		check "reset $D (releases the backing device)" zb_reset $D
		zb_backing_disk_release
	else
		tap_skip "backing_dev under fail-nth" "$ZB_DISK_WHY"
	fi
	[ -n "$NEW_ID" ] && check "hot_remove $NEW_ID" sysfs_write "$ZB_CTL/hot_remove" "$NEW_ID"
	tap_diag "fail-nth: $NTH_FAULTS faults injected"
fi

# ---- faults injected ------------------------------------------------------------
faults_off
tap_diag "faults injected: failslab ${INJ[failslab]}, fail_page_alloc ${INJ[fail_page_alloc]}, fail-nth $NTH_FAULTS"
check_cmp "failslab injected faults under load (${INJ[failslab]})" "${INJ[failslab]}" -gt 0
check_cmp "fail_page_alloc injected faults under load (${INJ[fail_page_alloc]})" "${INJ[fail_page_alloc]}" -gt 0
if [ -w /proc/self/fail-nth ]; then
	check_cmp "fail-nth injected faults into sysfs writes ($NTH_FAULTS)" "$NTH_FAULTS" -gt 0
fi

# ---- afterwards, no faults: the data, reset, rmmod, leaks --------------------------
check "blkpat: the pattern written before the faults verifies" \
	"$BLKPAT" -v -p comp:7 -o "${HALF}M" -l "${HALF}M" $DEV
pages_verified=$((pages_verified + HALF * 256))
run_fio clean
if [ "$FIO_RC" = 0 ] && [ "$FIO_ERR" = 0 ] && [ "$FIO_TOTAL_ERR" = 0 ]; then
	tap_ok "fio without faults: exit 0, no error, all $FIO_READS writes verified"
else
	tap_fail "fio without faults: exit $FIO_RC, error $FIO_ERR, $FIO_TOTAL_ERR failed writes" "${FIO_DIAG[@]}"
fi
pages_verified=$((pages_verified + FIO_READS))
tap_diag "pages verified: $pages_verified"
check "reset zswapblk0" zb_reset zswapblk0
check "rmmod" zb_unload

if [ $kml = 0 ]; then
	tap_skip "kmemleak: nothing leaked by the module" "kmemleak is not on ($KML)"
else
	# Objects must be 5 s old to be reported; two scans, as kmemleak advises.
	zb_sleep 6
	echo scan > $KML; echo scan > $KML
	cp $KML "$ZB_TMP/kmemleak"
	[ -n "${VMOUT:-}" ] && [ -d "$VMOUT" ] && cp "$ZB_TMP/kmemleak" "$VMOUT/kmemleak.txt" 2> /dev/null
	# An object is the module's when the first frame of its backtrace past
	# the allocators is in the module (by name, or by address once it is
	# unloaded).  Objects that kernel code leaked in its own error paths
	# while called by the module (deeper frames) are listed, not failed.
	leaks=() other=() all=0 block=() where=
	flush_leak() {
		[ ${#block[@]} -gt 0 ] || return 0
		all=$((all + 1))
		case $where in
		mine)	leaks+=("${block[@]:0:14}") ;;
		under)	other+=("${block[0]} ${block[@]: -8:1}") ;;
		esac
		block=() where=
	}
	first=
	while IFS= read -r line; do
		if [[ $line == "unreferenced object"* ]]; then
			flush_leak
			first=1
		fi
		block+=("$line")
		[[ $line =~ \[[\<]([0-9a-f]+)[\>]\]\ (.*)$ ]] || continue
		a=$((16#${BASH_REMATCH[1]})) fn=${BASH_REMATCH[2]}
		ours=0
		[[ $fn == *zswapblk* ]] && ours=1
		[ $a -ge $TEXT_START ] && [ $a -lt $TEXT_END ] && ours=1
		if [ -n "$first" ]; then
			case $fn in
			kmemleak_* | __kmalloc* | kmalloc* | __kmem_cache* | kmem_cache_alloc* | \
			kzalloc* | kcalloc* | kstrdup* | kstrndup* | kmemdup* | kvasprintf* | \
			__kvmalloc* | kvmalloc* | kvzalloc* | kvcalloc* | krealloc* | \
			__vmalloc* | vmalloc* | vzalloc* | __alloc_pages* | alloc_pages* | \
			pcpu_* | __alloc_percpu* | slab_post_alloc_hook*) continue ;;
			esac
			first=
			[ $ours = 1 ] && where=mine
		fi
		[ $ours = 1 ] && [ -z "$where" ] && where=under
	done < "$ZB_TMP/kmemleak"
	flush_leak
	tap_diag "kmemleak: $all unreferenced objects in all, ${#other[@]} leaked by kernel code called from the module"
	[ ${#other[@]} -eq 0 ] || tap_diag "${other[@]:0:10}"
	if [ ${#leaks[@]} -eq 0 ]; then
		tap_ok "kmemleak: nothing leaked by the module"
	else
		tap_fail "kmemleak: objects leaked by the module" "${leaks[@]:0:42}"
	fi
fi

tap_done
