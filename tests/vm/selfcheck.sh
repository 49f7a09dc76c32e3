#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selfcheck.sh [-j JOBS]: test the VM harness itself, on every kernel of
# $ZSWAPBLK_KERNELS (default: the 6.1 and 6.12 releases of setup-host.sh).
# Not part of the default check; run it after changing tests/vm/.
#
# On the host: scan-splats.sh on sample kernel logs.  In guests (JOBS at
# once, default 2; about 2 minutes for both kernels on an idle host):
#   exit 7 passes through        -c 'exit 7'                        7
#   guest timeout                -t 5 -c 'sleep 100'                124
#   host watchdog                VMTEST_HOST_TIMEOUT=45, sleep 300  251
#   panic (sysrq-c)              echo c > /proc/sysrq-trigger       251
#   stage-1 failure              -a module_blacklist=overlay        254
#   WARN caught                  insmod vmtest_provoke what=warn    250
#   WARN allowed                 same with VMTEST_ALLOW_WARN=1      0
#   slub redzone caught          what=redzone                       250
#   oops becomes a panic         what=oops                          251
#   guest environment            -d 64 guest/env-check.sh           0
# vmtest_provoke (tests/vm/provoke/) is built for each kernel under
# build/vm-selfcheck/<krel>/.  Ends with "N passed, N failed"; exit
# status 1 if anything failed.
set -euo pipefail

. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

log() { echo "selfcheck: $*" >&2; }

jobs=${ZSWAPBLK_VM_JOBS:-2}
while getopts "j:h" opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	h) sed -n '3,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) exit 2 ;;
	esac
done

mapfile -t kernels < <(vm_kernels)
runs=${ZSWAPBLK_VM_RUNS:-$REPO/build/vm-runs}
mkdir -p "$runs"
out=$(mktemp -d "$runs/selfcheck-$(date +%Y%m%d-%H%M%S)-XXXX")
n=0 failed=0

result() { # result OK|FAIL DESCRIPTION
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
	fi
}

# --- scan-splats.sh on samples ---------------------------------------------
# expect_scan WANT_RC LINE [-t TAINT]
expect_scan() {
	local want=$1 line=$2 rc=0
	shift 2
	printf '[    1.000000] %s\n' "$line" >"$out/sample.log"
	bash "$VM_DIR/scan-splats.sh" "$@" "$out/sample.log" >/dev/null || rc=$?
	if [ "$rc" = "$want" ]; then
		result OK "scan-splats.sh: ${*:+$* }'$line' -> $rc"
	else
		result FAIL "scan-splats.sh: ${*:+$* }'$line' -> $rc, expected $want"
	fi
}
expect_scan 1 "WARNING: CPU: 1 PID: 93 at drivers/block/x.c:12 f+0x5/0x10 [zswapblk]"
expect_scan 1 "BUG: kernel NULL pointer dereference, address: 0000000000000008"
expect_scan 1 "kernel BUG at mm/swapfile.c:1234!"
expect_scan 1 "Oops: general protection fault, probably for non-canonical address 0xdead"
expect_scan 1 "BUG kmalloc-64 (Tainted: G    B      OE     ): Poison overwritten"
expect_scan 1 "BUG kmalloc-32 (Not tainted): Right Redzone overwritten"
expect_scan 1 "Object padding overwritten"
expect_scan 1 "BUG: KFENCE: out-of-bounds write in f+0x1/0x2"
expect_scan 1 "UBSAN: shift-out-of-bounds in drivers/block/x.c:3:4"
expect_scan 1 "watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [kswapd0:40]"
expect_scan 1 "INFO: task swapoff:201 blocked for more than 120 seconds."
expect_scan 1 "list_add corruption. prev->next should be next (ffff888003a1b2c0)"
expect_scan 1 "BUG: Bad page state in process bash  pfn:1234"
expect_scan 1 "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"
expect_scan 0 "Kernel command line: console=ttyS0 softlockup_panic=1 hung_task_panic=1"
expect_scan 0 "zswapblk: module verification failed: signature and/or required key missing - tainting kernel"
expect_scan 0 "dd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"
expect_scan 0 "Memory cgroup out of memory: Killed process 212 (dd) total-vm:5352kB"
expect_scan 0 "Adding 65532k swap on /dev/zswapblk0.  Priority:100 extents:1 across:65532k SS" -t 12288
expect_scan 1 "nothing to see" -t 512

# --- the provoke module, per kernel -------------------------------------------
for k in "${kernels[@]}"; do
	d=$REPO/build/vm-selfcheck/$k
	mkdir -p "$d"
	cp "$VM_DIR"/provoke/Kbuild "$VM_DIR"/provoke/vmtest_provoke.c "$d/"
	if [ ! -d "/lib/modules/$k/build" ]; then
		log "no headers for $k: running setup-host.sh"
		bash "$VM_DIR/setup-host.sh" >&2
	fi
	if make -s -C "/lib/modules/$k/build" M="$d" modules >"$out/build-$k.log" 2>&1; then
		result OK "$k: vmtest_provoke.ko builds"
	else
		result FAIL "$k: vmtest_provoke.ko builds (see $out/build-$k.log)"
	fi
done

# --- guests ---------------------------------------------------------------------
# Each case: name, expected status, environment (or -), vmrun.sh arguments.
# %KO% stands for the kernel's vmtest_provoke.ko.
cases=(
	"exit-status|7|-|-c|exit 7"
	"guest-timeout|124|-|-t|5|-c|sleep 100"
	"host-watchdog|251|VMTEST_HOST_TIMEOUT=45|-c|sleep 300"
	"sysrq-panic|251|-|-c|echo c >/proc/sysrq-trigger"
	"stage1-failure|254|-|-a|module_blacklist=overlay|-c|true"
	"warn-caught|250|-|-c|insmod %KO% what=warn"
	"warn-allowed|0|VMTEST_ALLOW_WARN=1|-c|insmod %KO% what=warn"
	"redzone-caught|250|-|-c|insmod %KO% what=redzone"
	"oops-panics|251|-|-c|insmod %KO% what=oops"
	"environment|0|-|-d|64|$VM_DIR/guest/env-check.sh|64|%KO%"
)

run_case() { # run_case KREL CASE
	local k=$1 name want env a args=() rc=0 start=$SECONDS
	IFS='|' read -r name want env rest <<<"$2"
	IFS='|' read -r -a args <<<"$rest"
	for a in "${!args[@]}"; do
		args[a]=${args[a]//%KO%/$REPO/build/vm-selfcheck/$k/vmtest_provoke.ko}
	done
	[ "$env" = - ] && env=
	# shellcheck disable=SC2086 # $env is empty or one VAR=value
	env $env bash "$VM_DIR/vmrun.sh" -q -k "$k" -o "$out/$k-$name" "${args[@]}" \
		>"$out/$k-$name.vmrun" 2>&1 || rc=$?
	echo "$rc $want $((SECONDS - start))" >"$out/$k-$name.result"
}

log "${#kernels[@]} kernel(s), ${#cases[@]} guests each, $jobs at once; results in $out"
running=0
for k in "${kernels[@]}"; do
	for c in "${cases[@]}"; do
		if [ "$running" -ge "$jobs" ]; then
			wait -n || true
			running=$((running - 1))
		fi
		run_case "$k" "$c" &
		running=$((running + 1))
	done
done
wait

for k in "${kernels[@]}"; do
	for c in "${cases[@]}"; do
		name=${c%%|*}
		read -r rc want secs <"$out/$k-$name.result"
		if [ "$rc" = "$want" ]; then
			result OK "$k: $name: exit status $rc ($secs s)"
		else
			result FAIL "$k: $name: exit status $rc, expected $want ($secs s); see $out/$k-$name"
			sed 's/^/#   /' "$out/$k-$name.vmrun"
		fi
	done
done

echo 1 >"$out/suite.rc"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
