#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 30-zero: zero and same-filled pages.  With direct block I/O (both kernels):
# zero pages raise mm_stat zero_pages and same_pages without growing
# mem_used_total; same-filled non-zero pages raise same_pages only; both read
# back unchanged; overwriting and discarding (blkdiscard) drop the counts and
# leave zeros.  Through swap (tests/progs/swapheld -z): on 6.1, zero-filled
# anon pages land in zero_pages; on 6.12 the swap core's zeromap keeps them
# from the device, which is checked instead (the zero_pages case is a SKIP).
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
DEV=/dev/zswapblk0
need_prog blkpat || skip_all "tests/progs/blkpat missing (make -C tests/progs)"
BLKPAT=$ZB_PROG_PATH
check "insmod" zb_load || bail "module does not load"
zb_has_feature zswapblk0 zero_bitmap || tap_diag "features lacks zero_bitmap: $(< /sys/block/zswapblk0/features)"
check "disksize 64M" zb_init zswapblk0 64M || bail "cannot initialise"

snap() { # snap PREFIX: PREFIX_zero PREFIX_same PREFIX_used PREFIX_orig
	mm_stat "${1}_zero" zswapblk0 zero_pages
	mm_stat "${1}_same" zswapblk0 same_pages
	mm_stat "${1}_used" zswapblk0 mem_used_total
	mm_stat "${1}_orig" zswapblk0 orig_data_size
}

# Control: real data does use pool memory, so "did not grow" means something.
snap a
check "write 4 MiB of compressible data at 48M" "$BLKPAT" -w -p comp:9 -o 48M -l 4M $DEV
snap b
check_cmp "control: compressible data grows mem_used_total ($a_used -> $b_used)" "$b_used" -gt "$a_used"

# ---- zero pages ----
snap a
check "write 16 MiB of zeros at 0 (O_DIRECT)" "$BLKPAT" -w -p zero -o 0 -l 16M $DEV
snap b
check_eq "zero_pages rose by 4096 ($a_zero -> $b_zero)" $((b_zero - a_zero)) 4096
check_eq "same_pages rose by 4096 ($a_same -> $b_same)" $((b_same - a_same)) 4096
check_cmp "mem_used_total did not grow ($a_used -> $b_used)" "$b_used" -le "$a_used"
check "the 16 MiB read back as zeros (O_DIRECT)" "$BLKPAT" -v -p zero -o 0 -l 16M $DEV
check "dd (buffered) reads zeros too" \
	sh -c "dd if=$DEV bs=1M count=16 status=none | cmp -n 16777216 - /dev/zero"

# ---- same-filled, non-zero ----
snap a
check "write 4 MiB of same-filled pages (word 0x0123456789abcdef) at 16M" \
	"$BLKPAT" -w -p same:0x0123456789abcdef -o 16M -l 4M $DEV
check "write 4 MiB of same-filled pages (bytes 0xa5) at 20M" \
	"$BLKPAT" -w -p same:0xa5a5a5a5a5a5a5a5 -o 20M -l 4M $DEV
snap b
check_eq "same_pages rose by 2048 ($a_same -> $b_same)" $((b_same - a_same)) 2048
check_eq "zero_pages unchanged ($a_zero -> $b_zero)" "$b_zero" "$a_zero"
check_cmp "mem_used_total did not grow ($a_used -> $b_used)" "$b_used" -le "$a_used"
check "same-filled pages read back (0x0123456789abcdef)" \
	"$BLKPAT" -v -p same:0x0123456789abcdef -o 16M -l 4M $DEV
check "same-filled pages read back (0xa5)" "$BLKPAT" -v -p same:0xa5a5a5a5a5a5a5a5 -o 20M -l 4M $DEV

# ---- overwrite zero pages with data ----
snap a
check "overwrite the first 1 MiB of zeros with data" "$BLKPAT" -w -p comp:3 -o 0 -l 1M $DEV
snap b
check_eq "zero_pages dropped by 256" $((a_zero - b_zero)) 256
check_eq "same_pages dropped by 256" $((a_same - b_same)) 256
check "the data reads back, the zeros after it too" \
	sh -c "$BLKPAT -v -p comp:3 -o 0 -l 1M $DEV && $BLKPAT -v -p zero -o 1M -l 15M $DEV"
check "and a zero page written over data is a zero page again" "$BLKPAT" -w -p zero -o 0 -l 64K $DEV
mm_stat z zswapblk0 zero_pages
check_eq "zero_pages rose by 16" $((z - b_zero)) 16

# ---- discard ----
snap a
check "blkdiscard 1M..16M (zero pages)" blkdiscard -o 1M -l 15M $DEV
snap b
check_eq "zero_pages dropped by 3840" $((a_zero - b_zero)) 3840
check_eq "same_pages dropped by 3840" $((a_same - b_same)) 3840
check "blkdiscard 16M..24M (same-filled pages)" blkdiscard -o 16M -l 8M $DEV
snap c
check_eq "same_pages dropped by 2048 more" $((b_same - c_same)) 2048
check_eq "zero_pages unchanged by that" "$c_zero" "$b_zero"
check "discarded ranges read as zeros" "$BLKPAT" -v -p zero -o 1M -l 23M $DEV
check "blkdiscard 48M..52M (compressed data)" blkdiscard -o 48M -l 4M $DEV
snap d
check_cmp "orig_data_size dropped ($c_orig -> $d_orig)" "$d_orig" -lt "$c_orig"
check "blkdiscard -z (write zeroes) over data at 0..1M" blkdiscard -z -o 0 -l 1M $DEV
check "it reads as zeros" "$BLKPAT" -v -p zero -o 0 -l 1M $DEV
check "discard everything" blkdiscard $DEV
snap e
check_eq "zero_pages/same_pages/orig_data_size all 0 after a full discard" \
	"$e_zero/$e_same/$e_orig" "0/0/0"
check_no_io_errors zswapblk0

# ---- through swap ----
need_prog swapheld || bail "tests/progs/swapheld missing"
reinit() { zb_reset zswapblk0 && zb_init zswapblk0 64M; }
check "reset and re-initialise for swap" reinit
run_tap_prog "swap" "$ZB_PROG_PATH" -z -n 256 -d $DEV
check_no_io_errors zswapblk0

tap_done
