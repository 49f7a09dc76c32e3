#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 10-basic: module load with num_devices=2, the control class (hot_add,
# hot_remove), default attribute values, the features list, queue flags,
# the stat files' layout against include/zswapblk_abi.h, zero reads of a
# never-written device, a direct-I/O pattern round trip, reset and rmmod.
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
S=/sys/block

check "insmod with num_devices=2" zb_load num_devices=2 || bail "module does not load"
check "zswapblk0 and zswapblk1 exist in /sys/block and /dev" \
	test -d $S/zswapblk0 -a -d $S/zswapblk1 -a -b /dev/zswapblk0 -a -b /dev/zswapblk1
check "no third device" test ! -e $S/zswapblk2
check "control class $ZB_CTL exists" test -d "$ZB_CTL"

# ---- hot_add / hot_remove ----
if rd id "$ZB_CTL/hot_add"; then
	check_eq "hot_add returns the next id" "$id" 2
	check "hot_add created zswapblk$id" test -d "$S/zswapblk$id" -a -b "/dev/zswapblk$id"
	rd id2 "$ZB_CTL/hot_add"
	check_eq "a second hot_add returns id 3" "$id2" 3
	expect_write_ok "$ZB_CTL/hot_remove" "$id" "hot_remove $id succeeds"
	check "zswapblk$id is gone" test ! -e "$S/zswapblk$id" -a ! -e "/dev/zswapblk$id"
	expect_write_err ENODEV "$ZB_CTL/hot_remove" "$id" "hot_remove of the removed id $id fails with ENODEV"
	expect_write_err ENODEV "$ZB_CTL/hot_remove" 999 "hot_remove of unknown id 999 fails with ENODEV"
	expect_write_ok "$ZB_CTL/hot_remove" "$id2" "hot_remove $id2 succeeds"
	rd id3 "$ZB_CTL/hot_add"
	check "hot_add after removals returns a usable id ($id3)" test -d "$S/zswapblk$id3"
	expect_write_ok "$ZB_CTL/hot_remove" "$id3" "hot_remove $id3 succeeds"
else
	tap_fail "read $ZB_CTL/hot_add"
fi
check "zswapblk0 and zswapblk1 survive hot_add/hot_remove of others" test -d $S/zswapblk0 -a -d $S/zswapblk1

# ---- defaults ----
D=$S/zswapblk0
rd v $D/disksize;	check_eq "disksize defaults to 0" "$v" 0
rd v $D/initstate;	check_eq "initstate defaults to 0" "$v" 0
rd v $D/comp_algorithm
check_match "comp_algorithm defaults to [lz4]" "$v" "*\[lz4\]*"
algs=" ${v//[\[\]]/} "
check_match "comp_algorithm lists lzo, lzo-rle and zstd too" "$algs" "* lzo *"
check_match "... lzo-rle" "$algs" "* lzo-rle *"
check_match "... zstd" "$algs" "* zstd *"
rd v $D/completion_hold; check_eq "completion_hold reads 0 when not holding" "$v" 0
rd feats $D/features
tap_diag "features: $feats"
check "features lists async_write" zb_has_feature zswapblk0 async_write
check "features lists stable_writes" zb_has_feature zswapblk0 stable_writes
rd v $D/queue/stable_writes;	check_eq "queue/stable_writes is 1" "$v" 1
rd v $D/queue/rotational;	check_eq "queue/rotational is 0" "$v" 0
rd v $D/size;		check_eq "capacity is 0 before disksize is set" "$v" 0

# ---- stat file layout matches include/zswapblk_abi.h ----
read -r -a cols < $D/mm_stat
check_eq "mm_stat has the $ZB_MM_NR columns of the ABI header" "${#cols[@]}" "$ZB_MM_NR"
read -r -a cols < $D/io_stat
check_eq "io_stat has the $ZB_IO_NR columns of the ABI header" "${#cols[@]}" "$ZB_IO_NR"
mapfile -t lines < $D/debug_stat
read -r -a cols <<< "${lines[1]:-}"
check_eq "debug_stat: 'version: 1' then $ZB_DBG_NR columns" "${lines[0]:-}/${#cols[@]}" "version: 1/$ZB_DBG_NR"

# ---- attribute names: include/zswapblk_abi.h, the ABI document, sysfs ----
ABI_DOC=$ZB_REPO/Documentation/ABI/testing/sysfs-block-zswapblk
if [ -f "$ABI_DOC" ]; then
	declare -A in_hdr=() in_doc=()
	while IFS= read -r line; do
		[[ $line =~ ^#define[[:space:]]+ZSWAPBLK_ATTR_[A-Z_]+[[:space:]]+\"([a-z_]+)\" ]] &&
			in_hdr[${BASH_REMATCH[1]}]=1
	done < "$ZB_ABI_H"
	while read -r key path _; do
		[ "$key" = "What:" ] && in_doc[${path##*/}]=${path/zswapblk<N>/zswapblk0}
	done < "$ABI_DOC"
	missing=()
	for a in "${!in_hdr[@]}"; do [ -n "${in_doc[$a]:-}" ] || missing+=("$a"); done
	check_eq "every attribute named in zswapblk_abi.h is documented" "${missing[*]}" ""
	missing=()
	for a in "${!in_doc[@]}"; do [ -e "${in_doc[$a]}" ] || missing+=("${in_doc[$a]}"); done
	check_eq "every documented attribute exists in sysfs" "${missing[*]}" ""
	# Files every gendisk has (block/genhd.c, 6.1 and 6.12); the rest are ours.
	generic=" alignment_offset capability dev discard_alignment diskseq events events_async
		  events_poll_msecs ext_range hidden inflight partscan range removable ro size stat uevent "
	undocumented=()
	for f in "$D"/*; do
		a=${f##*/}
		[ -f "$f" ] && [ ! -L "$f" ] && [[ $generic != *[[:space:]]${a}[[:space:]]* ]] &&
			[ -z "${in_doc[$a]:-}" ] && undocumented+=("$a")
	done
	check_eq "every zswapblk file in $D is documented" "${undocumented[*]}" ""
else
	tap_skip "attribute names against the ABI document" "no $ABI_DOC"
fi

# ---- initialise; read zeros; pattern round trip ----
check "disksize 64M" zb_init zswapblk0 64M
rd v $D/disksize;	check_eq "disksize reads back 67108864" "$v" 67108864
rd v $D/initstate;	check_eq "initstate is 1" "$v" 1
rd v $D/size;		check_eq "capacity is 131072 sectors" "$v" 131072
check "blockdev --getsize64 reports 64 MiB" test "$(blockdev --getsize64 /dev/zswapblk0)" = 67108864
rd v $D/comp_algorithm;	check_match "comp_algorithm still [lz4] after init" "$v" "*\[lz4\]*"

need_prog blkpat || bail "tests/progs/blkpat missing (make -C tests/progs)"
BLKPAT=$ZB_PROG_PATH
check "never-written sectors (first and last 1 MiB) read as zeros" \
	sh -c "$BLKPAT -v -p zero -l 1M /dev/zswapblk0 && $BLKPAT -v -p zero -o 63M -l 1M /dev/zswapblk0"

io_stat c0 zswapblk0 async_completions
check "blkpat writes a 4 MiB pattern file" "$BLKPAT" -w -p comp:42 -l 4M "$ZB_TMP/pattern"
check "dd the pattern to the device at 8 MiB (oflag=direct)" \
	dd if="$ZB_TMP/pattern" of=/dev/zswapblk0 bs=64k seek=128 oflag=direct status=none
check "dd it back (iflag=direct) and compare" \
	sh -c "dd if=/dev/zswapblk0 bs=64k skip=128 count=64 iflag=direct status=none | cmp - $ZB_TMP/pattern"
check "neighbouring sectors are still zero" \
	sh -c "$BLKPAT -v -p zero -o 7M -l 1M /dev/zswapblk0 && $BLKPAT -v -p zero -o 12M -l 1M /dev/zswapblk0"
check "blkpat writes 4 MiB at 16M (O_DIRECT, 64 KiB requests)" "$BLKPAT" -w -p comp:43 -o 16M -l 4M /dev/zswapblk0
check "blkpat reads them back (O_DIRECT)" "$BLKPAT" -v -p comp:43 -o 16M -l 4M /dev/zswapblk0
# REQ_NOWAIT (io_uring tries it first): served, not refused with EOPNOTSUPP
check "RWF_NOWAIT writes 1 MiB at 24M" "$BLKPAT" -n -w -p comp:44 -o 24M -l 1M /dev/zswapblk0
check "RWF_NOWAIT reads it back" "$BLKPAT" -n -v -p comp:44 -o 24M -l 1M /dev/zswapblk0
check "the dd pattern is still intact" \
	sh -c "dd if=/dev/zswapblk0 bs=64k skip=128 count=64 iflag=direct status=none | cmp - $ZB_TMP/pattern"
io_stat c1 zswapblk0 async_completions
check_cmp "io_stat async_completions moved (writes completed by a worker)" "${c1:-0}" -gt "${c0:-0}"
mm_stat orig zswapblk0 orig_data_size
check_cmp "mm_stat orig_data_size >= 4 MiB" "${orig:-0}" -ge 4194304
check_no_io_errors zswapblk0

# ---- zswapblk1 is independent ----
check "zswapblk1 initialises independently (32M, zstd)" zb_init zswapblk1 32M zstd
rd v $S/zswapblk1/comp_algorithm; check_match "zswapblk1 uses [zstd]" "$v" "*\[zstd\]*"
rd v $D/comp_algorithm;	check_match "zswapblk0 still uses [lz4]" "$v" "*\[lz4\]*"
check "zswapblk1 reads zeros, not zswapblk0's data" "$BLKPAT" -v -p zero -o 8M -l 12M /dev/zswapblk1

# ---- reset ----
check "reset zswapblk0" zb_reset zswapblk0
rd v $D/initstate;	check_eq "initstate is 0 after reset" "$v" 0
rd v $D/disksize;	check_eq "disksize is 0 after reset" "$v" 0
mm_stat orig zswapblk0 orig_data_size
check_eq "mm_stat orig_data_size is 0 after reset" "${orig:-x}" 0
check "re-initialise after reset" zb_init zswapblk0 64M
check "the old data is gone (zeros)" "$BLKPAT" -v -p zero -o 8M -l 4M /dev/zswapblk0

# ---- rmmod ----
check "rmmod zswapblk" rmmod zswapblk
check "devices and control class are gone" test ! -e $S/zswapblk0 -a ! -e $S/zswapblk1 -a ! -e "$ZB_CTL"
check "the module loads again with defaults (one device)" zb_load
check "default num_devices creates only zswapblk0" test -d $S/zswapblk0 -a ! -e $S/zswapblk1
check "rmmod again" rmmod zswapblk

tap_done
