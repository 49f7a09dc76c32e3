#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 40-fio: data integrity under fio with crc32c verification (verify_fatal,
# do_verify) on /dev/zswapblk0, jobs in tests/fio/: 4k random writes (psync),
# 64k random read/write (libaio, depth 8, two jobs), large writes (1M, 132k
# and 68k, compressed in parts on several CPUs), 16k zero and same-filled
# data, half-compressible data, incompressible data, and a small job for each
# compression algorithm.  Each run must exit 0 with no job error and no
# verify failure, and io_stat async_completions must move.
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
command -v fio > /dev/null || skip_all "fio is not installed"
DEV=/dev/zswapblk0
export ZSWAPBLK_DEV=$DEV
check "insmod" zb_load || bail "module does not load"

# fresh SIZE [ALGORITHM]: a new, empty device.
fresh() {
	local ini
	rd ini /sys/block/zswapblk0/initstate
	[ "$ini" = 0 ] || zb_reset zswapblk0 || { echo "reset: $ZB_WERR"; return 1; }
	zb_init zswapblk0 "$@"
}

# run_fio JOB [FIO ARGS...]: one job file, its result as TAP.
run_fio() {
	local job=$1; shift
	local out=$ZB_TMP/fio.out err=$ZB_TMP/fio.err rc c0 c1 line jobs=0 bad=() bw=
	io_stat c0 zswapblk0 async_completions
	fio --output="$out" "$@" "$ZB_FIO/$job" 2> "$err"
	rc=$?
	while IFS= read -r line; do
		case $line in
		*": (groupid="*"err= 0:"*) jobs=$((jobs + 1)) ;;
		*": (groupid="*"err="*)	bad+=("$line") ;;
		*"verify failed"*|*"bad magic"*|*"verify: bad"*) bad+=("$line") ;;
		*"WRITE: bw="*)		line=${line#*bw=}; bw+=" write ${line%% *}" ;;
		*"READ: bw="*)		line=${line#*bw=}; bw+=" read ${line%% *}" ;;
		esac
	done < <(cat "$out" "$err")
	[ -n "${VMOUT:-}" ] && [ -d "$VMOUT" ] && cp "$out" "$VMOUT/fio-${job%.fio}-$_tap_n.txt" 2>/dev/null
	if [ $rc -eq 0 ] && [ $jobs -gt 0 ] && [ ${#bad[@]} -eq 0 ]; then
		tap_ok "fio $job: exit 0, $jobs job(s) with err=0, no verify failure"
	else
		local tail_lines=()
		mapfile -t -n 8 tail_lines < "$err"
		tap_fail "fio $job: exit $rc, $jobs clean job(s)" "${bad[@]}" "${tail_lines[@]}"
	fi
	tap_diag "${bw# }"
	io_stat c1 zswapblk0 async_completions
	check_cmp "fio $job: io_stat async_completions moved (+$((c1 - c0)))" "$c1" -gt "$c0"
}

# ratio: mm_stat compr/orig in percent into RATIO
ratio() {
	local o c
	mm_stat o zswapblk0 orig_data_size
	mm_stat c zswapblk0 compr_data_size
	RATIO=$(( o > 0 ? c * 100 / o : 100 ))
	tap_diag "orig_data_size $o, compr_data_size $c ($RATIO%)"
}

check "256M device (lz4)" fresh 256M || bail "cannot initialise"
run_fio 4k-randwrite-psync.fio
check_no_io_errors zswapblk0

check "fresh 256M device" fresh 256M
run_fio 64k-randrw-libaio.fio
io_stat m zswapblk0 writes_inflight_max
check_cmp "io_stat writes_inflight_max > 1 with iodepth 8 ($m)" "${m:-0}" -gt 1

# Bios of 32 pages or more are compressed in parts on several CPUs; with
# verify_stable each part checks its pages against the checksums taken at
# submission, by their place in the bio.
check "fresh 256M device" fresh 256M
check "verify_stable on" sysfs_write /sys/block/zswapblk0/verify_stable 1
debug_stat sp0 zswapblk0 split_writes
run_fio large-write.fio
debug_stat sp1 zswapblk0 split_writes
debug_stat checked zswapblk0 stable_checked
debug_stat mismatch zswapblk0 stable_mismatch
ncpu=$(nproc)
if [ "$ncpu" -gt 1 ]; then
	check_cmp "debug_stat split_writes moved with $ncpu CPUs (+$((sp1 - sp0)))" "$sp1" -gt "$sp0"
else
	check_eq "debug_stat split_writes stays 0 on one CPU" "$sp1" "$sp0"
fi
check_cmp "verify_stable checked every written page ($checked)" "${checked:-0}" -ge 24576
check_eq "no page of a large write was checked against the wrong checksum" "$mismatch" 0
check_no_io_errors zswapblk0

check "fresh 256M device" fresh 256M
run_fio 16k-zero.fio
mm_stat z zswapblk0 zero_pages
mm_stat s zswapblk0 same_pages
check_cmp "zero_pages >= 4096 after 16 MiB of pure zeros ($z)" "${z:-0}" -ge 4096
check_cmp "same_pages >= 8192 after 16 MiB zeros + 16 MiB 0x5a ($s)" "${s:-0}" -ge 8192

check "fresh 256M device" fresh 256M
run_fio compress50.fio
ratio
check_cmp "half-compressible data is stored compressed (< 80%)" "$RATIO" -lt 80

check "fresh 256M device" fresh 256M
mm_stat h0 zswapblk0 huge_pages_since
run_fio random.fio
ratio
mm_stat h1 zswapblk0 huge_pages_since
check_cmp "incompressible pages are stored raw: huge_pages_since moved (+$((h1 - h0)))" "$h1" -gt "$h0"
check_no_io_errors zswapblk0

for alg in lz4 zstd lzo-rle lzo; do
	check "fresh 64M device with $alg" fresh 64M $alg || continue
	rd v /sys/block/zswapblk0/comp_algorithm
	check_match "comp_algorithm shows [$alg]" "$v" "*\[$alg\]*"
	run_fio algo.fio
	ratio
	check_cmp "$alg compresses half-compressible data (< 80%)" "$RATIO" -lt 80
	check_no_io_errors zswapblk0
done

tap_done
