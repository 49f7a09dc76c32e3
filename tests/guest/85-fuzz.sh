#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 85-fuzz: ABI fuzzing.  Every writable attribute of zswapblk0 (found by mode
# in its sysfs directory at run time, and compared with the ABI document) and
# /sys/class/zswapblk-control/hot_remove get random and adversarial strings
# from tests/progs/sysfuzz: empty lines, a page and more, negatives,
# overflow, size suffixes, NUL bytes, control characters, unicode, spaces,
# several words, valid words with junk, values of other attributes.
#
# In each state of zswapblk0 (uninitialised; initialised and open;
# swapped on under tests/progs/memstress in a memory cgroup; swapped on with
# a backing disk and an on-demand writeback loop; reset and re-initialised in
# a loop), first a known-invalid pass: every write must fail with a
# documented errno and leave every configuration attribute reading as before.
# Then several sysfuzz writers run concurrently with seeds derived from one
# seed, while fio with verification runs on zswapblk1 and a reset is tried in
# a loop.  Any errno outside the documented set, or a write that does not
# return, fails.  Afterwards: fio and memstress verified their data, every
# readable attribute reads back a sane value, both devices reset and the
# module unloads, and the driver logged nothing unexpected.
#
# Env: ZSWAPBLK_FUZZ_SEED (the seed, printed; default 85), ZSWAPBLK_FUZZ_MS
# (each random phase, default 3000), ZSWAPBLK_FUZZ_WRITERS (default 3).
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
command -v fio > /dev/null || skip_all "fio is not installed"
need_prog sysfuzz || skip_all "tests/progs/sysfuzz missing (make -C tests/progs)"
SYSFUZZ=$ZB_PROG_PATH
need_prog memstress || skip_all "tests/progs/memstress missing (make -C tests/progs)"
MEMSTRESS=$ZB_PROG_PATH
need_prog blkpat || skip_all "tests/progs/blkpat missing (make -C tests/progs)"
BLKPAT=$ZB_PROG_PATH

SEED=${ZSWAPBLK_FUZZ_SEED:-85}
FUZZ_MS=${ZSWAPBLK_FUZZ_MS:-3000}
WRITERS=${ZSWAPBLK_FUZZ_WRITERS:-3}
D=/sys/block/zswapblk0
D1=/sys/block/zswapblk1
DEV=/dev/zswapblk0
DEV1=/dev/zswapblk1
CGROOT=/sys/fs/cgroup
CG=$CGROOT/zswapblk-fuzz.$$
ABI_DOC=$ZB_REPO/Documentation/ABI/testing/sysfs-block-zswapblk
# Block-layer attributes of every disk, not the driver's.
GENERIC_ATTRS=" uevent events_poll_msecs "
tap_diag "seed $SEED (ZSWAPBLK_FUZZ_SEED=$SEED reproduces this run), $WRITERS writers, ${FUZZ_MS} ms a phase"

HAVE_CG=0
if [ -f $CGROOT/cgroup.controllers ]; then
	rd ctl $CGROOT/cgroup.controllers
	[[ " $ctl " == *" memory "* ]] && HAVE_CG=1
fi
swaps_active others
HAVE_DISK=0
zb_backing_disk && HAVE_DISK=1

cg_cleanup() { cg_remove "$CG"; }
fuzz_cleanup() {
	rm -f "$ZB_TMP/fio.run" "$ZB_TMP/wb.run" "$ZB_TMP/reset.run"
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	cg_cleanup
	exec 3<&- 4<&-
	zb_unload 2>/dev/null
	zb_backing_disk_release
}
ZB_CLEANUP=fuzz_cleanup

check "insmod with num_devices=2" zb_load num_devices=2 || bail "module does not load"

# ---- the attributes: by mode, against the ABI document -------------------------

# documented W ALL: the writable (RW or WO) attributes of the ABI document
# into W, all of its per-disk attributes into ALL.
documented() {
	local __line __w=() __all=() __pending=() __a
	while IFS= read -r __line; do
		if [[ $__line =~ ^What:[[:space:]]+/sys/block/zswapblk\<N\>/([a-z_]+) ]]; then
			__pending+=("${BASH_REMATCH[1]}")
		elif [[ $__line =~ ^[[:space:]]+(RW|WO|RO)[.\ ] ]]; then
			for __a in "${__pending[@]}"; do
				__all+=("$__a")
				[ "${BASH_REMATCH[1]}" != RO ] && __w+=("$__a")
			done
			__pending=()
		elif [[ $__line =~ ^What: ]]; then
			__pending=()
		fi
	done < "$ABI_DOC"
	printf -v "$1" '%s ' "${__w[@]}"
	printf -v "$2" '%s ' "${__all[@]}"
}
documented DOC_W DOC_ALL
mapfile -t found < <(find $D/ -maxdepth 1 -type f -perm /222 -printf '%f\n' | sort)
mapfile -t readable < <(find $D/ -maxdepth 1 -type f -perm /444 -printf '%f\n' | sort)
W_ATTRS=() extra=()
for a in "${found[@]}"; do
	[[ $GENERIC_ATTRS == *" $a "* ]] && continue
	W_ATTRS+=("$a")
	[[ " $DOC_W" == *" $a "* ]] || extra+=("$a")
done
missing=()
for a in $DOC_W; do
	[[ " ${W_ATTRS[*]} " == *" $a "* ]] || missing+=("$a")
done
check_cmp "found ${#W_ATTRS[@]} writable attributes of zswapblk0 by mode" "${#W_ATTRS[@]}" -ge 10
check_eq "every writable attribute is documented RW/WO in the ABI document" "${extra[*]}" ""
check_eq "every attribute documented RW/WO is writable" "${missing[*]}" ""
tap_diag "writable: ${W_ATTRS[*]}"

# What sysfuzz writes to, and what -k compares: the configuration (readable
# and writable, but mem_used_max, which follows the pool), initstate, and
# whether both devices still exist.
FUZZ=()
for a in "${W_ATTRS[@]}"; do FUZZ+=("$D/$a"); done
FUZZ+=("$ZB_CTL/hot_remove")
SNAP=()
for a in "${readable[@]}"; do
	[[ " ${W_ATTRS[*]} " == *" $a "* ]] || continue
	[ "$a" = mem_used_max ] && continue
	SNAP+=(-S "$D/$a")
done
SNAP+=(-S $D/initstate -S $D1/initstate -S $D1/disksize)
RESTORE=(-r completion_hold=0 -r mem_limit=0)

# ---- fio on zswapblk1, the whole time -----------------------------------------

check "zswapblk1: disksize 64M" zb_init zswapblk1 64M || bail "cannot initialise zswapblk1"
# Held open, so that a fuzzed hot_remove or reset cannot take it away.
exec 4< $DEV1
fio_loop() {
	local i=0 rc
	while [ -e "$ZB_TMP/fio.run" ]; do
		i=$((i + 1))
		fio --name=fuzz-io --filename=$DEV1 --allow_file_create=0 --direct=1 --ioengine=libaio \
			--iodepth=4 --rw=randrw --rwmixread=30 --bs=4k --size=32M \
			--io_size=4M --norandommap --randrepeat=0 --serialize_overlap=1 \
			--refill_buffers --buffer_compress_percentage=50 \
			--buffer_compress_chunk=512 --verify=crc32c --verify_fatal=1 \
			--do_verify=1 --verify_backlog=128 \
			--output="$ZB_TMP/fio.$i.out" > /dev/null 2>&1
		rc=$?
		echo "$i $rc" >> "$ZB_TMP/fio.rounds"
		if [ $rc -ne 0 ] && [ -n "${VMOUT:-}" ] && [ -d "$VMOUT" ]; then
			cp "$ZB_TMP/fio.$i.out" "$VMOUT/85-fio-$i.txt" 2>/dev/null
		fi
	done
}
: > "$ZB_TMP/fio.rounds"
touch "$ZB_TMP/fio.run"
fio_loop &
FIO_PID=$!

# ---- helpers ----------------------------------------------------------------------

PHASE=0
now_ms_var T_STATE
# state NAME: start a state, with the time the previous one took.
state() {
	local t
	now_ms_var t
	S=$1
	tap_diag "state: $S (previous step $(((t - T_STATE) / 1000)) s)"
	T_STATE=$t
}
# known_pass NAME: the known-invalid pass, one process, nothing else writing.
known_pass() {
	run_tap_prog "$1" "$SYSFUZZ" -k -i "$1" -W 30000 "${SNAP[@]}" "${FUZZ[@]}"
}

# Writers in the background, seeds SEED*100 + phase*10 + i.
start_writers() {
	local i s
	PHASE=$((PHASE + 1))
	WPIDS=()
	for ((i = 1; i <= WRITERS; i++)); do
		s=$((SEED * 100 + PHASE * 10 + i))
		"$SYSFUZZ" -s $s -D "$FUZZ_MS" -W 30000 -i "$1 writer $i" "${RESTORE[@]}" \
			"${FUZZ[@]}" > "$ZB_TMP/w$i.tap" 2>&1 &
		WPIDS+=($!)
	done
}
writers_running() {
	local p
	for p in "${WPIDS[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}
# end_writers NAME: wait for them (a hung write is a failure, not a hang).
end_writers() {
	local i rc
	for ((i = 1; i <= WRITERS; i++)); do
		wait_pid "${WPIDS[$((i - 1))]}" $((FUZZ_MS / 1000 + 60))
		rc=$?
		tap_import "$ZB_TMP/w$i.tap"
		[ $rc -eq 0 ] || tap_fail "$1 writer $i: exit status $rc"
	done
}

# reset_attempts NAME: while the writers run, reset must fail with EBUSY
# (the device is open).
reset_attempts() {
	local n=0 busy=0 other=()
	while writers_running; do
		n=$((n + 1))
		if sysfs_write $D/reset 1; then
			other+=("succeeded")
		elif err_matches EBUSY "$ZB_WERR"; then
			busy=$((busy + 1))
		else
			other+=("$ZB_WERR")
		fi
		zb_sleep 0.05
	done
	if [ ${#other[@]} -eq 0 ] && [ $n -gt 0 ]; then
		tap_ok "$1: $n reset attempts on the open device during fuzzing, all EBUSY"
	else
		tap_fail "$1: reset attempts on the open device must be EBUSY" \
			"$n attempts, $busy EBUSY, others: ${other[*]:0:5}"
	fi
}

# wait_diag PID SECS DESC: wait_pid, but on a timeout, show where PID and
# its children are stuck.
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_diag() {
	local p
	if ! wait_for "$2" gone "$1"; then
		for p in "$1" $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
			tap_diag "$3 did not end: pid $p $(cat /proc/$p/cmdline 2>/dev/null | tr '\0' ' ')" \
				"wchan $(cat /proc/$p/wchan 2>/dev/null)" \
				"$(cat /proc/$p/stack 2>/dev/null)"
		done
	fi
	wait_pid "$1" 5
}

# zswapblk0 back to a known state: recreated if a fuzzed hot_remove took it,
# then reset.
recover0() {
	local id
	if [ ! -e $D ]; then
		rd id $ZB_CTL/hot_add
		tap_diag "zswapblk0 was removed by a fuzzed hot_remove; hot_add gave $id"
	fi
	check "$1: zswapblk0 exists" test -e $D || bail "zswapblk0 is gone"
	zb_release_holds
	expect_write_ok $D/reset 1 "$1: reset zswapblk0 afterwards"
	local extra=()
	for id in /sys/block/zswapblk*; do
		case ${id##*/} in zswapblk0|zswapblk1) ;; *) extra+=("${id##*/}") ;; esac
	done
	for id in "${extra[@]}"; do sysfs_write $ZB_CTL/hot_remove "${id#zswapblk}"; done
}

# Memory-cgroup swap load: memstress in $CG, in the background.
memstress_start() {
	cg_cleanup
	mkdir "$CG" && echo 12M > "$CG/memory.max" && echo max > "$CG/memory.swap.max" || return 1
	( echo "$BASHPID" > "$CG/cgroup.procs" &&
	  exec "$MEMSTRESS" -m 24 -p 2 -w 30 -s "$SEED" -D "$1" -S $D/mm_stat ) \
		> "$ZB_TMP/memstress.tap" 2>&1 &
	MS_PID=$!
}
memstress_end() {
	local rc
	wait_pid "$MS_PID" 240
	rc=$?
	tap_import "$ZB_TMP/memstress.tap" "$1: memstress"
	check_eq "$1: memstress exit status (checksums of every page)" "$rc" 0
	cg_cleanup
}
swapping() { local v; mm_stat v zswapblk0 orig_data_size; [ "${v:-0}" -gt $((1 << 20)) ]; }

# ---- 1. uninitialised ---------------------------------------------------------------

state "uninitialised"
known_pass "$S -k"
start_writers "$S"
end_writers "$S"
recover0 "$S"

# ---- 2. initialised, held open, data on it -------------------------------------------

state "initialised"
check "$S: disksize 32M" zb_init zswapblk0 32M
check "$S: write 4 MiB of pattern" "$BLKPAT" -w -p rand:$SEED -o 0 -l 4M $DEV
exec 3< $DEV
known_pass "$S -k"
start_writers "$S"
reset_attempts "$S"
end_writers "$S"
check "$S: the pattern still verifies" "$BLKPAT" -v -p rand:$SEED -o 0 -l 4M $DEV
exec 3<&-
recover0 "$S"

# ---- 3. swapped on, swap in use --------------------------------------------------

S="swapped on"
if [ $HAVE_CG = 0 ]; then
	tap_skip "$S" "no cgroup v2 memory controller"
elif [ ${#others[@]} -ne 0 ]; then
	tap_skip "$S" "other swap devices are active: ${others[*]}"
else
	state "$S"
	sysfs_write $CGROOT/cgroup.subtree_control +memory
	check "$S: disksize 128M, swapon" sh -c "echo 128M > $D/disksize && mkswap $DEV > /dev/null && swapon -p 32767 $DEV"
	vmstat out0 pswpout
	check "$S: memstress in a 12M memory cgroup" memstress_start 10
	check "$S: swap is in use (orig_data_size > 1 MiB)" wait_for 60 swapping
	known_pass "$S -k"
	start_writers "$S"
	reset_attempts "$S"
	end_writers "$S"
	memstress_end "$S"
	vmstat out1 pswpout
	check_cmp "$S: pswpout moved (+$((out1 - out0)))" $((out1 - out0)) -gt 0
	check "$S: swapoff" timeout 120 swapoff $DEV
	recover0 "$S"
fi

# ---- 4. swapped on, backing device, writeback running --------------------------

S="writeback"
if [ $HAVE_CG = 0 ] || [ ${#others[@]} -ne 0 ]; then
	tap_skip "$S" "no memory cgroup or other swap active"
elif [ $HAVE_DISK = 0 ]; then
	tap_skip "$S" "$ZB_DISK_WHY"
else
	state "$S"
	tap_diag "backing device $ZB_DISK"
	expect_write_ok $D/backing_dev "$ZB_DISK" "$S: backing_dev $ZB_DISK"
	check "$S: disksize 128M, swapon" sh -c "echo 128M > $D/disksize && mkswap $DEV > /dev/null && swapon -p 32767 $DEV"
	# On-demand writeback in a loop; its errors must be documented ones.
	wb_loop() {
		local bad=0 runs=0 ok=0 top=$ZB_TMP w
		# its own sysfs_write error file
		ZB_TMP=$top/wb-loop
		mkdir -p "$ZB_TMP"
		while [ -e "$top/wb.run" ]; do
			for w in "idle all" "writeback idle" "writeback huge" "writeback incompressible"; do
				runs=$((runs + 1))
				sysfs_write "$D/${w%% *}" "${w#* }" && { ok=$((ok + 1)); continue; }
				case $ZB_WERR in
				*"Invalid argument"*|*"No such device"*|*"Input/output error"*|*"No space left"*|*"Cannot allocate"*) ;;
				*) bad=$((bad + 1)); echo "$w: $ZB_WERR" >> "$top/wb.bad" ;;
				esac
			done
			sleep 0.2
		done
		echo "$runs $ok" > "$top/wb.count"
		return $((bad > 0))
	}
	touch "$ZB_TMP/wb.run"
	: > "$ZB_TMP/wb.bad"
	wb_loop &
	WB_PID=$!
	check "$S: memstress in a 12M memory cgroup" memstress_start 10
	check "$S: swap is in use (orig_data_size > 1 MiB)" wait_for 60 swapping
	known_pass "$S -k"
	start_writers "$S"
	reset_attempts "$S"
	end_writers "$S"
	memstress_end "$S"
	rm -f "$ZB_TMP/wb.run"
	wait_diag $WB_PID 120 "$S: the writeback loop"
	rc=$?
	mapfile -t lines < "$ZB_TMP/wb.bad"
	check_eq "$S: the writeback loop ended, its errors documented" "$rc" 0 || tap_diag "${lines[@]:0:5}"
	runs=0 ok=0
	[ -f "$ZB_TMP/wb.count" ] && read -r runs ok < "$ZB_TMP/wb.count"
	bd_stat n zswapblk0 writes
	tap_diag "$S: $ok of $runs idle/writeback writes succeeded; bd_stat $(< $D/bd_stat)"
	check_cmp "$S: pages were written back (bd_stat bd_writes $n)" "${n:-0}" -gt 0
	check "$S: swapoff" timeout 120 swapoff $DEV
	recover0 "$S"
fi

# ---- 5. reset, re-initialised and removed while fuzzed ------------------------

state "reset racing"
start_writers "$S"
n=0 bad=()
while writers_running; do
	n=$((n + 1))
	[ -e $D ] || rd id $ZB_CTL/hot_add
	for op in "disksize 16M" "mem_limit 8M" "reset 1" "disksize 8M" "reset 1"; do
		sysfs_write "$D/${op%% *}" "${op#* }" && continue
		case $ZB_WERR in
		*"Invalid argument"*|*"Device or resource busy"*|*"No such file"*|*"No such device"*|*"Cannot allocate"*) ;;
		*) bad+=("$op: $ZB_WERR") ;;
		esac
	done
	if [ $((n % 4)) = 0 ] && [ -e $D ]; then
		sysfs_write $ZB_CTL/hot_remove 0 || case $ZB_WERR in
			*"Device or resource busy"*|*"No such device"*) ;;
			*) bad+=("hot_remove 0: $ZB_WERR") ;;
		esac
	fi
done
end_writers "$S"
check_eq "$S: $n rounds of disksize/reset/hot_remove/hot_add, every error documented" "${bad[*]:0:5}" ""
recover0 "$S"

# ---- afterwards ---------------------------------------------------------------------

state "afterwards"

rm -f "$ZB_TMP/fio.run"
wait_pid $FIO_PID 180
check_eq "the fio loop on zswapblk1 ended" "$?" 0
rounds=0 failed=()
while read -r i rc; do
	rounds=$((rounds + 1))
	[ "$rc" = 0 ] || failed+=("round $i: exit $rc")
done < "$ZB_TMP/fio.rounds"
check_cmp "fio ran on zswapblk1 throughout ($rounds rounds)" "$rounds" -ge 1
check_eq "every fio round verified its data (crc32c)" "${failed[*]}" ""
check_no_io_errors zswapblk1

# sane DEV: every readable attribute reads back a well-formed value.
sane() {
	local dev=$1 a v bad=() cols
	local num='^[0-9]+$'
	for a in $DOC_ALL; do
		[[ " ${readable[*]} " == *" $a "* ]] || continue
		rd v "/sys/block/$dev/$a" || { bad+=("$a: unreadable"); continue; }
		case $a in
		disksize|mem_limit)
			[[ $v =~ $num ]] && [ $((v % 4096)) = 0 ] || bad+=("$a='$v'") ;;
		initstate|verify_stable|writeback_limit_enable|compressed_writeback)
			[[ $v == [01] ]] || bad+=("$a='$v'") ;;
		comp_algorithm|writeback_direct)
			[[ $v =~ ^([a-z0-9-]+\ )*\[[a-z0-9-]+\](\ [a-z0-9-]+)*\ ?$ ]] || bad+=("$a='$v'") ;;
		algorithm_params)
			[[ $v =~ ^algo=[a-z0-9-]+(\ level=-?[0-9]+)?$ ]] || bad+=("$a='$v'") ;;
		completion_hold)
			[[ $v =~ $num ]] && [ "$v" -le 600000 ] || bad+=("$a='$v'") ;;
		writeback_batch_size)
			[[ $v =~ $num ]] && [ "$v" -ge 1 ] && [ "$v" -le 1024 ] || bad+=("$a='$v'") ;;
		writeback_age)
			[[ $v =~ $num ]] && [ "$v" -le 315360000 ] || bad+=("$a='$v'") ;;
		writeback_wmark_low|writeback_wmark_high)
			[[ $v =~ ^[0-9]+$ || ( $v =~ ^([0-9]+)%$ && ${BASH_REMATCH[1]} -le 100 ) ]] || bad+=("$a='$v'") ;;
		mem_used_max|writeback_limit|writeback_rate)
			[[ $v =~ $num ]] || bad+=("$a='$v'") ;;
		mm_stat|io_stat|bd_stat)
			read -r -a cols <<< "$v"
			case $a in mm_stat) want=$ZB_MM_NR ;; io_stat) want=$ZB_IO_NR ;; *) want=$ZB_BD_NR ;; esac
			[ ${#cols[@]} = "$want" ] && [[ ${cols[*]} =~ ^[0-9\ ]+$ ]] || bad+=("$a='$v'") ;;
		debug_stat)
			[ "$v" = "version: 1" ] || bad+=("$a='$v'") ;;
		backing_dev)
			[[ $v == none || $v == /* ]] || bad+=("$a='$v'") ;;
		features)
			[ -n "$v" ] || bad+=("$a empty") ;;
		esac
	done
	check_eq "$dev: every readable attribute reads back a sane value" "${bad[*]}" ""
}
sane zswapblk0
sane zswapblk1

exec 4<&-
expect_write_ok $D1/reset 1 "reset zswapblk1 once nobody holds it"
expect_write_ok $D/reset 1 "reset zswapblk0"
check "rmmod" rmmod zswapblk
check "the module is gone" test ! -d /sys/module/zswapblk

# The driver's own lines in the kernel log during this test: only device
# creation and removal.
mapfile -t lines < <(dmesg)
mine=0 odd=()
for l in "${lines[@]}"; do
	case $l in
	*"zswapblk-test: begin ${0##*/}"*) mine=1; odd=() ;;
	*"zswapblk: added device"*|*"zswapblk: removed device"*) ;;
	*"zswapblk: loading out-of-tree module"*|*"zswapblk: module verification failed"*) ;;
	*"zswapblk: "*) [ $mine = 1 ] && odd+=("$l") ;;
	esac
done
check_eq "the driver logged nothing but device creation and removal" "${odd[*]:0:5}" ""

tap_done
