#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh: `make check-debug`, the guest suite on the debug kernel.
#
#   tests/debug/check-debug.sh [PREFIX...]
#
# 1. setup-debug.sh: the packages of setup-host.sh and of a kernel build;
# 2. build-kernel.sh: builds the 6.12 debug kernel (KASAN, lockdep, ...) or
#    reuses the cached build;
# 3. builds zswapblk.ko against it (make KDIR=...), zswapctl, tests/progs
#    and the mm selftests of 75-mm-selftests;
# 4. runs tests/guest/run-all.sh [PREFIX...] in guests of that kernel
#    (run-suite.sh, VMTEST_KERNEL and VMTEST_MODDIR for vmrun.sh): the test
#    files are shared out over ZSWAPBLK_DEBUG_GUESTS guests (default 2, one
#    per host core) by their measured cost, each guest running its share;
# 5. fails on any failed test and on any kernel error report: vmrun.sh's
#    scan (BUG:, WARNING: -- lockdep's "possible circular/recursive
#    locking" reports start with it --, KASAN:, ...), plus the reports of
#    lockdep and kmemleak that do not start with BUG: or WARNING:.
#
# The last line is "N passed, N failed[, N skipped]" as for `make check`.
#
# Environment: ZSWAPBLK_DEBUG_CACHE (build-kernel.sh),
# ZSWAPBLK_DEBUG_GUESTS (guests at once, default 2),
# ZSWAPBLK_DEBUG_MEM (guest memory, default 1G),
# ZSWAPBLK_DEBUG_TEST_TIMEOUT (limit of each test script, default 1800 s),
# ZSWAPBLK_DEBUG_TIMEOUT (limit of the whole guest run, default 10800 s).
set -uo pipefail

DEBUG_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(cd "$DEBUG_DIR/../.." && pwd)
cd "$REPO" || exit 1

log() { echo "check-debug: $*" >&2; }

# Reports of the debug options that vmrun.sh's scan-splats.sh does not
# match (it catches the ones starting with BUG: or WARNING:).
extra_patterns='INFO: trying to register non-static key|possible circular locking|possible recursive locking|inconsistent lock state|lock inversion dependency|suspicious RCU usage|bad unlock balance|held lock freed|lock held when returning to user space|DEBUG_LOCKS_WARN_ON|kmemleak: [0-9]+ new suspected memory leaks'

# summary PASSED FAILED SKIPPED
summary() {
	if [ "$3" -gt 0 ]; then
		echo "$1 passed, $2 failed, $3 skipped"
	else
		echo "$1 passed, $2 failed"
	fi
}

bash "$DEBUG_DIR/setup-debug.sh" || { log "setup failed"; summary 0 1 0; exit 1; }

start=$SECONDS
env_text=$(bash "$DEBUG_DIR/build-kernel.sh") || { log "kernel build failed"; summary 0 1 0; exit 1; }
DEBUG_KREL='' DEBUG_VMLINUX='' DEBUG_KDIR='' DEBUG_MODDIR=''
eval "$env_text"
log "debug kernel $DEBUG_KREL ready after $((SECONDS - start)) s"

# The module's rule does not know the tree changed: always rebuild it.
rm -f "build/$DEBUG_KREL/zswapblk.ko"
if ! make --no-print-directory KERNELS="$DEBUG_KREL" KDIR="$DEBUG_KDIR" modules ||
	! make --no-print-directory zswapctl progs selftests; then
	log "build failed"
	summary 0 1 0
	exit 1
fi

# Seconds each test file took on the debug kernel (README.md), used only to
# share the files out evenly; a file not listed counts as 120 s.
declare -A cost=([10]=44 [20]=53 [30]=36 [40]=680 [50]=34 [60]=42 [65]=29
	[70]=584 [75]=300 [80]=300 [85]=535 [87]=222 [90]=156 [95]=180 [96]=23
	[97]=650)

# The test files to run (run-all.sh's prefix match), dearest first.
files=()
for t in tests/guest/[0-9][0-9]-*.sh; do
	name=${t##*/}
	name=${name%.sh}
	want=$(($# == 0))
	for p in "$@"; do [[ $name == "$p"* ]] && want=1; done
	[ "$want" = 1 ] && files+=("${cost[${name%%-*}]:-120} $name")
done
[ "${#files[@]}" -gt 0 ] || { log "no test file matches: $*"; summary 0 1 0; exit 1; }
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -rn)

# Longest first, each to the guest with the least work so far.
guests=${ZSWAPBLK_DEBUG_GUESTS:-2}
[[ $guests =~ ^[1-9][0-9]*$ ]] || { log "ZSWAPBLK_DEBUG_GUESTS must be a positive number"; exit 2; }
[ "$guests" -le "${#files[@]}" ] || guests=${#files[@]}
share=() load=()
for ((g = 0; g < guests; g++)); do share[g]='' load[g]=0; done
for f in "${files[@]}"; do
	least=0
	for ((g = 1; g < guests; g++)); do
		[ "${load[g]}" -lt "${load[least]}" ] && least=$g
	done
	share[least]+=" ${f#* }"
	load[least]=$((load[least] + ${f%% *}))
done

outs=()
trap 'rm -f "${outs[@]}"' EXIT
start=$SECONDS
pids=()
for ((g = 0; g < guests; g++)); do
	outs[g]=$(mktemp)
	read -r -a names <<<"${share[g]}"
	log "guest $((g + 1)) of $guests: ${names[*]} (about ${load[g]} s on an idle host)"
	VMTEST_KERNEL=$DEBUG_VMLINUX VMTEST_MODDIR=$DEBUG_MODDIR ZSWAPBLK_KERNELS=$DEBUG_KREL \
		bash tests/vm/run-suite.sh -j 1 -m "${ZSWAPBLK_DEBUG_MEM:-1G}" \
		-t "${ZSWAPBLK_DEBUG_TIMEOUT:-10800}" \
		tests/guest/run-all.sh -t "${ZSWAPBLK_DEBUG_TEST_TIMEOUT:-1800}" "${names[@]}" \
		>"${outs[g]}" 2>&1 &
	pids[g]=$!
done
rc=0
for ((g = 0; g < guests; g++)); do
	wait "${pids[g]}" || rc=1
	echo "===== guest $((g + 1)) of $guests"
	cat "${outs[g]}"
done
log "guest suite on $DEBUG_KREL: exit $rc after $((SECONDS - start)) s"

# scan_run OUT: counts of one guest's run into p/f/s, its kernel log
# checked for the reports vmrun.sh does not catch.
p=0 f=0 s=0
scan_run() {
	local line gp=0 gf=1 gs=0 suite run l hits logs=()
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -n "$line" ]; then
		read -r gp _ gf _ gs _ <<<"${line//,/}"
		gs=${gs:-0}
	fi
	suite=$(sed -n 's/^run-suite: .*; results in \(.*\)$/\1/p' "$1" | tail -n 1)
	run=$suite/$DEBUG_KREL
	if [ -n "$suite" ] && [ -d "$run" ]; then
		for l in "$run/dmesg" "$run/kmsg.log"; do
			[ -s "$l" ] && logs+=("$l")
		done
		[ "${#logs[@]}" -eq 0 ] || hits=$(grep -a -h -E -- "$extra_patterns" "${logs[@]}" | sort -u)
		if [ -n "${hits:-}" ]; then
			log "lockdep/kmemleak reports in the kernel log of $run:"
			printf '%s\n' "$hits" | head -n 40 | sed 's/^/check-debug:   /' >&2
			gf=$((gf + 1))
			rc=1
		fi
	else
		log "no run directory of the guest"
		rc=1
	fi
	p=$((p + gp)) f=$((f + gf)) s=$((s + gs))
}
for ((g = 0; g < guests; g++)); do
	scan_run "${outs[g]}"
done
[ "$rc" = 0 ] || [ "$f" -gt 0 ] || f=1
summary "$p" "$f" "$s"
[ "$rc" = 0 ]
