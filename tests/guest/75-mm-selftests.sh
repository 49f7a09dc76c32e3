#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 75-mm-selftests: the kernel's own mm selftests with zswapblk as the only
# swap device, against the same selftests with zram as the only swap device.
# Both devices get the same setup: disksize ZB_MM_DISKSIZE (512M), lz4,
# mkswap + swapon -p 100, every other swap off, zswap off, the same
# page-cluster, nr_hugepages=32 (cow's hugetlb cases).  zram runs first, as
# the reference.  Programs (built on the host by tests/selftests/build.sh):
#
#   cow            6.12 tree on both kernels (6.1 has no cow).  Pages out
#                  base pages, THPs and (6.12) mTHPs with MADV_PAGEOUT, then
#                  checks COW, GUP-pin, io_uring and vmsplice semantics.
#   khugepaged     the running kernel's tree, "madvise:anon" (MADV_COLLAPSE;
#                  includes collapse over swapped-out PTEs and max_ptes_swap;
#                  the khugepaged-thread context only adds scan wait time).
#                  Its collapse_compound_extreme case holds 512 THPs (1 GiB)
#                  at once and aborts the whole program with "Failed to
#                  allocate huge page" before the swap cases in a 1G guest,
#                  so it runs only with ZB_MM_KHUGEPAGED_MIB (1800) MiB of
#                  MemTotal or more (vmrun.sh -m 2G); else it is skipped.
#   madv_populate  the running kernel's tree: does not page out by itself;
#                  a cheap check that MADV_POPULATE behaves the same.
#
# For each program: zswapblk's fail and error counts are 0, its pass, skip
# and xfail counts equal zram's, and the per-case results (the sequence of
# TAP result lines, or khugepaged's OK/Fail/Skip lines) are identical.  cow
# must really swap on both devices: pswpout grows, and the device's write
# count grows (zswapblk: its asynchronous completions and slot frees too).
# ZSWAPBLK_SELFTESTS: where build.sh put them (build/selftests).
# Each program's output is saved to $VMOUT/75-<prog>.<device>.out.  Both
# runs must complete (exit 0): a reference run on zram that fails or aborts
# is a failure, not a comparison.
#
# Understood difference, not asserted: pswpin.  zram is SWP_SYNCHRONOUS_IO,
# so its pages are written before pageout() returns and freed by the same
# MADV_PAGEOUT pass, and a fault on them misses the swap cache and reads the
# device (with one swap reference even without the swap cache, do_swap_page:
# 6.1 mm/memory.c:3842-3884, 6.12 mm/memory.c:4280-4322).  zswapblk completes writes asynchronously, so the
# folio stays in the swap cache (clean, under writeback or just after it,
# shrink_folio_list keeps it: 6.1 mm/vmscan.c:1955-1961, 6.12 1403-1420),
# and the test's next access is a swap-cache hit (swap_cache_get_folio,
# 6.1 mm/memory.c:3836, 6.12 4274) with no device read: pswpin stays near 0.
# With stable writes, do_swap_page then drops the exclusive marker while
# writeback runs (6.1 mm/memory.c:3993-4023, 6.12 4481-4511), so a write
# goes through do_wp_page's reuse checks: that COW path is what cow tests
# here, and its results must match zram's.
#
# Not run: uffd-unit-tests (minutes under TCG), ksm tests (no swap).
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
now_ms_var T_START
SIZE=${ZB_MM_DISKSIZE:-512M}
PROG_TIMEOUT=${ZB_MM_PROG_TIMEOUT:-300}
ST=${ZSWAPBLK_SELFTESTS:-$ZB_REPO/build/selftests}
if kernel_ge 6 12; then TREE=6.12; else TREE=6.1; fi
COW=$ST/6.12/bin/cow
KHUGEPAGED=$ST/$TREE/bin/khugepaged
POPULATE=$ST/$TREE/bin/madv_populate
for p in "$COW" "$KHUGEPAGED" "$POPULATE"; do
	[ -x "$p" ] || skip_all "${p#"$ZB_REPO"/} missing (make selftests, or tests/selftests/build.sh)"
done
modprobe zram num_devices=1 2> /dev/null || skip_all "no zram module for $ZB_KREL"
[ -b /dev/zram0 ] || skip_all "zram loaded but /dev/zram0 is missing"
rd v /sys/block/zram0/initstate
[ "$v" = 0 ] || skip_all "zram0 is already in use"
[ -e /sys/kernel/mm/transparent_hugepage/enabled ] || skip_all "no THP in this kernel"
KH_MIB=${ZB_MM_KHUGEPAGED_MIB:-1800}
mem_kb=0
file_key mem_kb /proc/meminfo MemTotal:

# ---- the same environment for both devices ----

# Every other swap goes off for the run (and back on afterwards).
swaps_active active
OTHER_SWAPS=()
for name in "${active[@]}"; do
	swapoff "$name" && OTHER_SWAPS+=("$name")
done
ZSWAP=/sys/module/zswap/parameters/enabled
zswap_was=
[ -w $ZSWAP ] && rd zswap_was $ZSWAP && sysfs_write $ZSWAP N
HP=/proc/sys/vm/nr_hugepages
rd hp_was $HP
sysfs_write $HP 32

mm_cleanup() {
	swapoff /dev/zram0 2> /dev/null
	[ -e /sys/block/zram0/reset ] && sysfs_write /sys/block/zram0/reset 1
	rmmod zram 2> /dev/null
	sysfs_write $HP "$hp_was"
	[ -n "$zswap_was" ] && sysfs_write $ZSWAP "$zswap_was"
	local s
	for s in "${OTHER_SWAPS[@]}"; do swapon "$s"; done
	return 0
}
# shellcheck disable=SC2034  # read by zb_test_end
ZB_CLEANUP=mm_cleanup

rd hp $HP
rd pc /proc/sys/vm/page-cluster
rd thp /sys/kernel/mm/transparent_hugepage/enabled
zs=off; [ -n "$zswap_was" ] && rd zs $ZSWAP
tap_diag "tree $TREE (cow: 6.12), disksize $SIZE lz4, nr_hugepages $hp," \
	"page-cluster $pc, zswap $zs, THP $thp"
if [ "$hp" -lt 32 ]; then
	tap_diag "only $hp of 32 huge pages: some hugetlb cases skip (on both devices)"
fi

# ---- running a program on a device ----

# swap_on DEV: make DEV (zram0 or zswapblk0, initialised) the only swap.
swap_on() {
	mkswap "/dev/$1" > /dev/null && swapon -p 100 "/dev/$1" || return
	local swaps
	swaps_active swaps
	[ "${swaps[*]}" = "/dev/$1" ]
}

# parse_totals OUT: the kselftest "# Totals:" line of OUT into T_PASS...
# T_ERROR (khugepaged has none: its OK/Fail/Skip lines are counted), and
# the per-case result lines into the array T_CASES.  Status 1 if OUT has no
# result at all.
parse_totals() {
	local line re='^# Totals: pass:([0-9]+) fail:([0-9]+) xfail:([0-9]+) xpass:([0-9]+) skip:([0-9]+) error:([0-9]+)'
	local esc=$'\e' ok=$'\e[32m' bad=$'\e[31m' sk=$'\e[33m'
	T_TOTALS='' T_PASS=0 T_FAIL=0 T_XFAIL=0 T_XPASS=0 T_SKIP=0 T_ERROR=0 T_CASES=()
	local kp=0 kf=0 ks=0
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			T_TOTALS=${line#\# }
			T_PASS=${BASH_REMATCH[1]} T_FAIL=${BASH_REMATCH[2]}
			T_XFAIL=${BASH_REMATCH[3]} T_XPASS=${BASH_REMATCH[4]}
			T_SKIP=${BASH_REMATCH[5]} T_ERROR=${BASH_REMATCH[6]}
			continue
		fi
		case $line in
		"ok "* | "not ok "*) T_CASES+=("$line") ;;
		*"$ok"*)  kp=$((kp + 1)); T_CASES+=("$line") ;;
		*"$bad"*) kf=$((kf + 1)); T_CASES+=("$line") ;;
		*"$sk"*)  ks=$((ks + 1)); T_CASES+=("$line") ;;
		esac
	done < "$1"
	# khugepaged colours its verdicts: ESC[32m OK ESC[0m.
	local colour=$esc'\[[0-9][0-9]m' plain=$esc'\[[0-9]m'
	T_CASES=("${T_CASES[@]//$colour/}")
	T_CASES=("${T_CASES[@]//$plain/}")
	if [ -z "$T_TOTALS" ] && [ $((kp + kf + ks)) -gt 0 ]; then
		T_PASS=$kp T_FAIL=$kf T_SKIP=$ks
		T_TOTALS="OK:$kp Fail:$kf Skip:$ks"
	fi
	[ -n "$T_TOTALS" ]
}

# blk_writes VAR DEV: write requests completed by DEV (/sys/block/DEV/stat).
blk_writes() {
	local __s=()
	read -r -a __s < "/sys/block/$2/stat"
	printf -v "$1" '%s' "${__s[4]:-0}"
}

# run_prog DEV NAME CMD...: run one selftest with DEV as swap; its results
# go to R_<field>[NAME.DEV] and its output to $ZB_TMP/NAME.DEV.out.
declare -A R_RC=() R_TOT=() R_PASS=() R_FAIL=() R_XFAIL=() R_XPASS=() R_SKIP=() R_ERR=()
declare -A R_MS=() R_OUT=() R_IN=() R_WR=() R_OK=()
declare -A R_CASES=()
run_prog() {
	local dev=$1 name=$2 key=$2.$1 out=$ZB_TMP/$2.$1.out
	local o0 o1 i0 i1 w0 w1 tc t0 t1 rc
	shift 2
	now_ms_var tc
	sysfs_write /proc/sys/vm/compact_memory 1
	vmstat o0 pswpout; vmstat i0 pswpin; blk_writes w0 "$dev"
	now_ms_var t0
	timeout -k 5 "$PROG_TIMEOUT" "$@" > "$out" 2>&1 < /dev/null
	rc=$?
	now_ms_var t1
	vmstat o1 pswpout; vmstat i1 pswpin; blk_writes w1 "$dev"
	[ -n "${VMOUT:-}" ] && [ -d "$VMOUT" ] && cp "$out" "$VMOUT/75-$key.out"
	R_RC[$key]=$rc R_MS[$key]=$((t1 - t0))
	R_OUT[$key]=$((o1 - o0)) R_IN[$key]=$((i1 - i0)) R_WR[$key]=$((w1 - w0))
	if parse_totals "$out"; then
		R_OK[$key]=1
		R_TOT[$key]=$T_TOTALS R_PASS[$key]=$T_PASS R_FAIL[$key]=$T_FAIL
		R_XFAIL[$key]=$T_XFAIL R_XPASS[$key]=$T_XPASS R_SKIP[$key]=$T_SKIP R_ERR[$key]=$T_ERROR
		local IFS=$'\n'
		R_CASES[$key]="${T_CASES[*]}"
	else
		R_OK[$key]=0
	fi
	tap_diag "$name on $dev: exit $rc, ${R_TOT[$key]:-no totals}," \
		"pswpout +${R_OUT[$key]}, pswpin +${R_IN[$key]}, device writes +${R_WR[$key]}," \
		"$((R_MS[$key] / 1000)).$((R_MS[$key] / 100 % 10)) s (compaction before it $((t0 - tc)) ms)"
}

PROGS=(cow madv_populate)
KH_SKIP=
if [ $((mem_kb / 1024)) -ge "$KH_MIB" ]; then
	PROGS+=(khugepaged)
else
	KH_SKIP="MemTotal $((mem_kb / 1024)) MiB < $KH_MIB MiB: collapse_compound_extreme needs 1 GiB of THPs (vmrun.sh -m 2G)"
fi
declare -A CMD=(
	[cow]=$COW
	[khugepaged]="$KHUGEPAGED madvise:anon"
	[madv_populate]=$POPULATE
)

run_all() {
	local p
	for p in "${PROGS[@]}"; do
		# shellcheck disable=SC2086
		run_prog "$1" "$p" ${CMD[$p]}
	done
}

# elapsed VAR: seconds.tenths since the script's start.
elapsed() {
	local __e
	now_ms_var __e
	__e=$((__e - T_START))
	printf -v "$1" '%d.%d' $((__e / 1000)) $((__e / 100 % 10))
}

# ---- zram: the reference ----

check "zram0: lz4, disksize $SIZE" \
	sh -c "echo lz4 > /sys/block/zram0/comp_algorithm && echo $SIZE > /sys/block/zram0/disksize" ||
	bail "cannot set up zram0"
check "zram0 is the only swap" swap_on zram0 || bail "swapon zram0"
run_all zram0
check "swapoff zram0" swapoff /dev/zram0
sysfs_write /sys/block/zram0/reset 1
rmmod zram
elapsed e
tap_diag "zram0 done at $e s"

# ---- zswapblk ----

check "insmod" zb_load || bail "module does not load"
check "zswapblk0: lz4, disksize $SIZE" zb_init zswapblk0 "$SIZE" lz4 || bail "cannot initialise"
io_stat ac0 zswapblk0 async_completions
io_stat nf0 zswapblk0 notify_free
check "zswapblk0 is the only swap" swap_on zswapblk0 || bail "swapon zswapblk0"
# cow's writes and slot frees are counted on their own.
run_prog zswapblk0 cow "${CMD[cow]}"
io_stat ac1 zswapblk0 async_completions
io_stat nf1 zswapblk0 notify_free
for p in "${PROGS[@]:1}"; do
	# shellcheck disable=SC2086
	run_prog zswapblk0 "$p" ${CMD[$p]}
done
check "swapoff zswapblk0" swapoff /dev/zswapblk0
check_no_io_errors zswapblk0
elapsed e
tap_diag "zswapblk0 done at $e s"

# ---- swap was really used during cow ----

for d in zram0 zswapblk0; do
	check_cmp "cow on $d: pswpout grew (+${R_OUT[cow.$d]})" "${R_OUT[cow.$d]}" -gt 0
	check_cmp "cow on $d: $d completed writes (+${R_WR[cow.$d]})" "${R_WR[cow.$d]}" -gt 0
done
check_cmp "cow on zswapblk0: asynchronous write completions (+$((ac1 - ac0)))" \
	"$((ac1 - ac0))" -gt 0
check_cmp "cow on zswapblk0: slots freed through swap_slot_free_notify (+$((nf1 - nf0)))" \
	"$((nf1 - nf0))" -gt 0

# ---- zswapblk against zram ----

for p in "${PROGS[@]}"; do
	z=$p.zram0 b=$p.zswapblk0
	if [ "${R_OK[$z]}" != 1 ]; then
		tap_fail "$p on zram0 reports results" "exit ${R_RC[$z]}, no totals in its output"
		continue
	fi
	if [ "${R_OK[$b]}" != 1 ]; then
		tap_fail "$p on zswapblk0 reports results" "exit ${R_RC[$b]}, no totals in its output"
		continue
	fi
	tap_diag "$p zram0:     ${R_TOT[$z]}" "$p zswapblk0: ${R_TOT[$b]}"
	check_eq "$p on zram0 (the reference) completes: exit 0" "${R_RC[$z]}" 0
	check_eq "$p on zswapblk0 completes: exit 0" "${R_RC[$b]}" 0
	check_eq "$p on zswapblk0: fail 0, error 0 (${R_TOT[$b]})" \
		"${R_FAIL[$b]}/${R_ERR[$b]}" 0/0
	want="${R_PASS[$z]}/${R_SKIP[$z]}/${R_XFAIL[$z]}/${R_XPASS[$z]}"
	check_eq "$p: pass/skip/xfail/xpass on zswapblk0 equal zram0's ($want)" \
		"${R_PASS[$b]}/${R_SKIP[$b]}/${R_XFAIL[$b]}/${R_XPASS[$b]}" "$want"
	if [ "${R_CASES[$z]}" = "${R_CASES[$b]}" ]; then
		tap_ok "$p: every case has the same result on both devices"
	else
		mapfile -t zc <<< "${R_CASES[$z]}"
		mapfile -t bc <<< "${R_CASES[$b]}"
		diffs=()
		for ((i = 0; i < ${#zc[@]} || i < ${#bc[@]}; i++)); do
			[ "${zc[i]:-}" = "${bc[i]:-}" ] && continue
			diffs+=("zram0:     ${zc[i]:-(none)}" "zswapblk0: ${bc[i]:-(none)}")
			[ ${#diffs[@]} -ge 16 ] && break
		done
		tap_fail "$p: every case has the same result on both devices" "${diffs[@]}"
	fi
done
[ -n "$KH_SKIP" ] && tap_skip "khugepaged madvise:anon on zram0 and zswapblk0" "$KH_SKIP"

tap_done
