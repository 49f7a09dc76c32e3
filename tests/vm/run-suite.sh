#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-suite.sh: run the guest test suite once per kernel, each in one
# throw-away guest (vmrun.sh), and sum up.
#
#   tests/vm/run-suite.sh [-j JOBS] [-m MEM] [-t SECS] [-d MIB]... [SCRIPT [ARGS...]]
#
# SCRIPT defaults to tests/guest/run-all.sh; ARGS go to it (run-all.sh takes
# test-name prefixes).  Kernels: $ZSWAPBLK_KERNELS (releases or prefixes
# such as "6.1 6.12", separated by spaces or commas), else the 6.1 and 6.12
# releases of setup-host.sh.
#
# Counting (tap-count.awk): every TAP result line of a guest's log is
# counted once: "ok" passed, "ok ... # SKIP" (or # TODO) skipped, "not ok"
# failed.  An indented block of results (run-all.sh indents each test
# file's assertions) stands for the top-level line that closes it; that
# line counts only for what the block does not show: a failure with no
# failed assertion (crash, timeout), or a file with no assertions at all.
# A guest that fails outside TAP (panic, hang, splat, timeout, stage-1
# failure, or a non-zero exit with no failed result) counts as one more
# failure.  The last line is "N passed, N failed" (", N skipped" when there
# are skips).  Exit status 1 if anything failed.
#
# Environment: ZSWAPBLK_KERNELS; ZSWAPBLK_VM_JOBS (guests at once, default
# 2), ZSWAPBLK_VM_MEM (default 1G), ZSWAPBLK_VM_TIMEOUT (whole guest run,
# default 3600 s), ZSWAPBLK_VM_DISKS (MiB of the extra disks, default "256":
# one /dev/vdb).  Options override them.  Results: build/vm-runs/suite-*/.
set -euo pipefail

. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

log() { echo "run-suite: $*" >&2; }

usage() {
	sed -n '3,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "${BASH_SOURCE[0]}"
}

jobs=${ZSWAPBLK_VM_JOBS:-2}
mem=${ZSWAPBLK_VM_MEM:-1G}
timeout=${ZSWAPBLK_VM_TIMEOUT:-3600}
read -r -a disks <<<"${ZSWAPBLK_VM_DISKS-256}"
opt_disks=()
while getopts "j:m:t:d:h" opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) timeout=$OPTARG ;;
	d) opt_disks+=("$OPTARG") ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${#opt_disks[@]}" -eq 0 ] || disks=("${opt_disks[@]}")
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { log "-j needs a positive number"; exit 2; }
if [ $# -gt 0 ]; then
	script=$1
	shift
else
	script=$REPO/tests/guest/run-all.sh
fi
[ -f "$script" ] || { log "no such script: $script"; exit 2; }

mapfile -t kernels < <(vm_kernels)
[ "${#kernels[@]}" -gt 0 ] || { log "no kernel to test"; exit 2; }

runs=${ZSWAPBLK_VM_RUNS:-$REPO/build/vm-runs}
mkdir -p "$runs"
suite=$(mktemp -d "$runs/suite-$(date +%Y%m%d-%H%M%S)-XXXX")
chmod 755 "$suite"
log "kernels: ${kernels[*]}; $jobs guest(s) at once; results in $suite"

vm_args=(-q -m "$mem" -t "$timeout")
for d in "${disks[@]}"; do
	vm_args+=(-d "$d")
done

# Show one kernel's guest log and vmrun.sh's messages once it is done.
report() {
	local k=$1
	echo "===== $k: $(cat "$suite/$k.rc") in $(cat "$suite/$k.secs") s"
	cat "$suite/$k/log" 2>/dev/null || echo "(no guest log)"
	sed 's/^/  /' "$suite/$k.vmrun"
}

declare -A pid_of
running=0
for k in "${kernels[@]}"; do
	if [ ! -f "$REPO/build/$k/zswapblk.ko" ]; then
		log "warning: $REPO/build/$k/zswapblk.ko is not built"
	fi
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	log "starting $k"
	(
		start=$SECONDS
		rc=0
		bash "$VM_DIR/vmrun.sh" "${vm_args[@]}" -k "$k" -o "$suite/$k" "$script" "$@" \
			>"$suite/$k.vmrun" 2>&1 || rc=$?
		echo $((SECONDS - start)) >"$suite/$k.secs"
		echo "$rc" >"$suite/$k.rc"
		{ flock 9; report "$k"; } 9>"$suite/.report.lock"
	) &
	pid_of[$k]=$!
	running=$((running + 1))
done
for k in "${kernels[@]}"; do
	wait "${pid_of[$k]}" || true
done

# Sum up, in kernel order.
total_pass=0 total_fail=0 total_skip=0 any_bad=0
echo "===== summary"
for k in "${kernels[@]}"; do
	rc=$(cat "$suite/$k.rc" 2>/dev/null || echo 253)
	log_f=$suite/$k/log
	read -r p f s files < <(awk -f "$VM_DIR/tap-count.awk" "$log_f" 2>/dev/null || echo 0 0 0 0)
	note=
	case $rc in
	0) ;;
	124 | 137) note="guest timed out after $timeout s" ;;
	250) note="kernel error report (splat) in dmesg" ;;
	251) note="kernel panic or hang, no result" ;;
	253) note="host-side harness failure" ;;
	254) note="guest stage 1 failed" ;;
	*) [ "$f" -gt 0 ] || note="exit status $rc without a failed TAP line" ;;
	esac
	if [ -n "$note" ]; then
		f=$((f + 1))
	fi
	[ "$rc" = 0 ] || any_bad=1
	guest=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log_f" 2>/dev/null | tail -n 1 || true)
	printf '%-24s %d passed, %d failed, %d skipped in %d test files; exit %s%s%s; %s s\n' \
		"$k" "$p" "$f" "$s" "$files" "$rc" "${note:+ ($note)}" "${guest:+; guest said: $guest}" \
		"$(cat "$suite/$k.secs" 2>/dev/null)"
	[ "$rc" = 0 ] || echo "    run dir: $suite/$k"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
done
[ "$total_fail" -eq 0 ] || any_bad=1
echo "$any_bad" >"$suite/suite.rc"
if [ "$total_skip" -gt 0 ]; then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
exit "$any_bad"
