#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 20-badinput: every writable attribute gets garbage, negatives, overflow,
# an empty line and writes in the wrong state.  Each bad write must fail with
# the documented errno (docs/abi-draft.md) and leave the device's state
# unchanged; the test asserts both.  Then reset, hot_remove and rmmod while
# the device is open or swapped on must fail with EBUSY.
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
D=/sys/block/zswapblk0
OVERFLOW=99999999999999999999999

check "insmod with num_devices=2" zb_load num_devices=2 || bail "module does not load"

# state VAR: everything a bad write could change, in one string.
state() {
	local ds is ca ap ml ch
	rd ds $D/disksize; rd is $D/initstate; rd ca $D/comp_algorithm
	rd ap $D/algorithm_params; rd ch $D/completion_hold
	mm_stat ml zswapblk0 mem_limit
	printf -v "$1" 'disksize=%s initstate=%s comp_algorithm=%s algorithm_params=%s mem_limit=%s completion_hold=%s' \
		"$ds" "$is" "$ca" "$ap" "$ml" "$ch"
}

# bad ENAME ATTR VALUE: the write fails with ENAME and the state is unchanged.
bad() {
	local err=$1 attr=$2 val=$3 before after
	local desc="$attr <- '$val': $err, state unchanged"
	state before
	if sysfs_write "$D/$attr" "$val"; then
		state after
		tap_fail "$desc" "the write succeeded" "before: $before" "after:  $after"
		return
	fi
	state after
	if ! err_matches "$err" "$ZB_WERR"; then
		tap_fail "$desc" "got: $ZB_WERR" "want: $ZB_WANT"
	elif [[ $after != "$before" ]]; then
		tap_fail "$desc" "state changed" "before: $before" "after:  $after"
	else
		tap_ok "$desc"
	fi
}

# ---- before initialisation ----
# A number too large for its attribute is EINVAL everywhere, as the ABI says:
# never the ERANGE of a bare kstrto*().
tap_diag "uninitialised device"
for v in abc -1 -4096 0 "" "$OVERFLOW" 18446744073709551616 16E 1X 0x; do
	bad EINVAL disksize "$v"
done
for v in nosuch LZ4 "lz4 zstd" $'lz4\nzstd' "" "$OVERFLOW"; do
	bad EINVAL comp_algorithm "$v"
done
for v in level=abc level= level=1x bogus=1 "algo=nosuch level=1" garbage; do
	bad EINVAL algorithm_params "$v"
done
bad EINVAL algorithm_params "level=$OVERFLOW"
for v in abc -1 ""; do
	bad EINVAL mem_limit "$v"
done
bad EINVAL mem_limit "$OVERFLOW"
for v in 1 4096 -1 abc ""; do
	bad EINVAL mem_used_max "$v"
done
bad EINVAL mem_used_max "$OVERFLOW"
for v in abc -1 0 "" 2x; do
	bad EINVAL reset "$v"
done
bad EINVAL reset "$OVERFLOW"
for v in -1 600001 abc "" "$OVERFLOW" 1.5 4294967297; do
	bad EINVAL completion_hold "$v"
done
bad EINVAL completion_hold 1000		# valid, but the device is not initialised
bad EINVAL compact 1
for attr in initstate mm_stat io_stat debug_stat features; do
	bad EACCES $attr 1
done

# Levels out of the algorithm's range (lz4: acceleration >= 1; zstd: 1..22;
# lzo has no levels).
for v in level=0 level=-1 level=99999999; do
	bad EINVAL algorithm_params "$v"
done
expect_write_ok $D/comp_algorithm zstd "comp_algorithm <- zstd"
for v in level=0 level=23 level=-3 "algo=lz4 level=1"; do
	bad EINVAL algorithm_params "$v"
done
expect_write_ok $D/algorithm_params "algo=zstd level=5" "algorithm_params <- 'algo=zstd level=5'"
rd v $D/algorithm_params; check_match "algorithm_params shows level 5" "$v" "*level=5*"
expect_write_ok $D/comp_algorithm lzo "comp_algorithm <- lzo"
bad EINVAL algorithm_params level=1

# Valid writes before init still work, and take effect.
expect_write_ok $D/comp_algorithm zstd "comp_algorithm <- zstd before init"
rd v $D/comp_algorithm; check_match "comp_algorithm now [zstd]" "$v" "*\[zstd\]*"
expect_write_ok $D/comp_algorithm lz4 "comp_algorithm <- lz4 before init"
expect_write_ok $D/algorithm_params "level=1" "algorithm_params <- 'level=1' before init"
expect_write_ok $D/mem_limit 64M "mem_limit <- 64M"
mm_stat v zswapblk0 mem_limit; check_eq "mm_stat mem_limit is 67108864" "$v" 67108864
expect_write_ok $D/mem_limit 0 "mem_limit <- 0 (no limit)"
mm_stat v zswapblk0 mem_limit; check_eq "mm_stat mem_limit is 0" "$v" 0

# ---- after initialisation ----
check "disksize 32M" zb_init zswapblk0 32M || bail "cannot initialise"
tap_diag "initialised device"
bad EBUSY disksize 64M
bad EBUSY disksize 32M
bad EBUSY comp_algorithm zstd
bad EBUSY comp_algorithm lz4
bad EBUSY algorithm_params level=3
for v in abc -1 ""; do
	bad EINVAL mem_limit "$v"
done
for v in 1 -1 abc ""; do
	bad EINVAL mem_used_max "$v"
done
for v in abc -1 0 ""; do
	bad EINVAL reset "$v"
done
for v in -1 600001 abc "" "$OVERFLOW"; do
	bad EINVAL completion_hold "$v"
done
expect_write_ok $D/mem_used_max 0 "mem_used_max <- 0"
mm_stat used zswapblk0 mem_used_total; mm_stat max zswapblk0 mem_used_max
check_eq "mem_used_max equals mem_used_total after reset to 0" "$max" "$used"
expect_write_ok $D/compact 1 "compact on an initialised device"
expect_write_ok $D/completion_hold 600000 "completion_hold <- 600000 (the maximum)"
rd v $D/completion_hold; check_eq "completion_hold reads 600000" "$v" 600000
expect_write_ok $D/completion_hold 0 "completion_hold <- 0 releases"
rd v $D/completion_hold; check_eq "completion_hold reads 0" "$v" 0

# ---- control class ----
for v in abc -1 ""; do
	expect_write_err EINVAL $ZB_CTL/hot_remove "$v" "hot_remove <- '$v': EINVAL"
done
expect_write_err EINVAL $ZB_CTL/hot_remove "$OVERFLOW" "hot_remove <- overflow: EINVAL"
expect_write_err ENODEV $ZB_CTL/hot_remove 7 "hot_remove of unknown id 7: ENODEV"
check "both devices still exist" test -d /sys/block/zswapblk0 -a -d /sys/block/zswapblk1
expect_write_err EACCES $ZB_CTL/hot_add 1 "hot_add is read-only: EACCES"

# ---- open device ----
exec 3< /dev/zswapblk0
tap_diag "zswapblk0 held open by fd 3"
bad EBUSY reset 1
expect_write_err EBUSY $ZB_CTL/hot_remove 0 "hot_remove of the open zswapblk0: EBUSY"
check "zswapblk0 survives" test -d $D -a -b /dev/zswapblk0
check "rmmod fails while a device is open" sh -c '! rmmod zswapblk 2>/dev/null'
check "module still loaded" test -d /sys/module/zswapblk
exec 3<&-

# zswapblk1 is not initialised but open: hot_remove must still refuse.
exec 3< /dev/zswapblk1
expect_write_err EBUSY $ZB_CTL/hot_remove 1 "hot_remove of open, uninitialised zswapblk1: EBUSY"
exec 3<&-

# ---- swapped on ----
check "mkswap + swapon zswapblk0" zb_swapon zswapblk0 || bail "swapon failed"
bad EBUSY reset 1
bad EBUSY disksize 64M
expect_write_err EBUSY $ZB_CTL/hot_remove 0 "hot_remove of swapped-on zswapblk0: EBUSY"
check "rmmod fails while swapped on" sh -c '! rmmod zswapblk 2>/dev/null'
check "module still loaded, zswapblk0 still swap" grep -q '^/dev/zswapblk0 ' /proc/swaps
check "swapoff" swapoff /dev/zswapblk0

# ---- the good path still works after all this ----
expect_write_ok $D/reset 1 "reset after swapoff"
rd v $D/initstate; check_eq "initstate 0 after reset" "$v" 0
rd v $D/disksize; check_eq "disksize 0 after reset" "$v" 0
expect_write_ok $ZB_CTL/hot_remove 1 "hot_remove of idle zswapblk1"
check "zswapblk1 is gone" test ! -e /sys/block/zswapblk1
check "rmmod" rmmod zswapblk

tap_done
