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
# 3. builds zswapblk.ko against it (make KDIR=...), zswapctl and tests/progs;
# 4. runs tests/guest/run-all.sh [PREFIX...] in one guest of that kernel
#    (run-suite.sh, VMTEST_KERNEL and VMTEST_MODDIR for vmrun.sh);
# 5. fails on any failed test and on any kernel error report: vmrun.sh's
#    scan (BUG:, WARNING: -- lockdep's "possible circular/recursive
#    locking" reports start with it --, KASAN:, ...), plus the reports of
#    lockdep and kmemleak that do not start with BUG: or WARNING:.
#
# The last line is "N passed, N failed[, N skipped]" as for `make check`.
#
# Environment: ZSWAPBLK_DEBUG_CACHE (build-kernel.sh),
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
	! make --no-print-directory zswapctl progs; then
	log "build failed"
	summary 0 1 0
	exit 1
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$SECONDS
VMTEST_KERNEL=$DEBUG_VMLINUX VMTEST_MODDIR=$DEBUG_MODDIR ZSWAPBLK_KERNELS=$DEBUG_KREL \
	bash tests/vm/run-suite.sh -j 1 -m "${ZSWAPBLK_DEBUG_MEM:-1G}" \
	-t "${ZSWAPBLK_DEBUG_TIMEOUT:-10800}" \
	tests/guest/run-all.sh -t "${ZSWAPBLK_DEBUG_TEST_TIMEOUT:-1800}" "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
log "guest suite on $DEBUG_KREL: exit $rc after $((SECONDS - start)) s"

line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
p=0 f=1 s=0
if [ -n "$line" ]; then
	read -r p _ f _ s _ <<<"${line//,/}"
	s=${s:-0}
fi
suite=$(sed -n 's/^run-suite: .*; results in \(.*\)$/\1/p' "$out" | tail -n 1)
run=$suite/$DEBUG_KREL
if [ -n "$suite" ] && [ -d "$run" ]; then
	logs=()
	for l in "$run/dmesg" "$run/kmsg.log"; do
		[ -s "$l" ] && logs+=("$l")
	done
	hits=
	[ "${#logs[@]}" -eq 0 ] || hits=$(grep -a -h -E -- "$extra_patterns" "${logs[@]}" | sort -u)
	if [ -n "$hits" ]; then
		log "lockdep/kmemleak reports in the kernel log of $run:"
		printf '%s\n' "$hits" | head -n 40 | sed 's/^/check-debug:   /' >&2
		f=$((f + 1))
		rc=1
	fi
else
	log "no run directory of the guest"
	[ "$rc" != 0 ] || rc=1
fi
[ "$rc" = 0 ] || [ "$f" -gt 0 ] || f=1
summary "$p" "$f" "$s"
[ "$rc" = 0 ]
