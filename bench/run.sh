#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh: zswapblk against zram and brd, one QEMU guest per kernel.
#
#   bench/run.sh [KREL...]        default: the 6.1 and 6.12 releases of
#                                 tests/vm/setup-host.sh (what `make bench` passes)
#
# For each kernel, one guest (tests/vm/vmrun.sh -m 2G -s 2 -d DISK) runs
# bench/guest.sh, which runs every workload back to back on zswapblk, zram and
# brd.  Then bench/report.py turns the guest's output into
# bench/results/<krel>.json, and all of this run's kernels into
# bench/results/summary.md and bench/results/ratios.png (gnuplot).  The guest's
# raw output (fio JSON, logs) stays in build/bench/<date>-<krel>/.
#
# The guests run one after the other, never together: on a 2-core host a
# second guest would be part of the measurement.
#
# Exit status: 0 when every kernel's run finished without a data error and
# its guest exited 0; 1 otherwise (data error: fio verify, memstress or
# blkpat mismatch, exercise CORRUPT; or a failed workload, a kernel splat, a
# timeout).  The results are written either way.
#
# Environment:
#   ZSWAPBLK_BENCH_*          passed into the guest (see bench/guest.sh)
#   ZSWAPBLK_BENCH_RESULTS    where results go (default bench/results)
#   ZSWAPBLK_BENCH_DISK_MIB   size of the writeback disks /dev/vdb, /dev/vdc (512)
#   ZSWAPBLK_BENCH_DISK_MBPS  speed of /dev/vdc, which QEMU throttles to
#                             this many MB/s, reads and writes together
#                             (400: a SATA SSD's class); 0: no /dev/vdc.
#                             /dev/vdb runs at the host's memory speed.
#   ZSWAPBLK_BENCH_TIMEOUT    guest time limit in seconds (1740: 29 min)
#   ZSWAPBLK_BENCH_DEBUG_KERNEL=1  keep the harness's debug options
#                             (slub_debug, page_poison, KFENCE), which cost
#                             every allocation: off by default, since they
#                             are not what a user runs
#   VMTEST_TCG_THREAD         multi (default here: one host thread per vCPU,
#                             so the guest's two CPUs really run at once)
#                             or single, as for vmrun.sh
#   VMTEST_CPU                the guest's CPU model (default here: max,erms=off).
#                             TCG runs rep movsb/stosb one byte per
#                             iteration, so with ERMS the guest kernel's
#                             memset, clear_page and copy_user (which pick
#                             them, as on real CPUs where they are fastest)
#                             cost several times a plain loop: 6.1's lz4
#                             spent a quarter of a write clearing its 16 KiB
#                             hash table, and lz4 -b1 ran at half speed.
#                             Without ERMS the kernels and tools use their
#                             word loops, which TCG translates well.
set -uo pipefail

BENCH=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
REPO=$(dirname "$BENCH")
cd "$REPO" || exit 2
RESULTS=${ZSWAPBLK_BENCH_RESULTS:-$BENCH/results}
RUNS=$REPO/build/bench
DISK_MIB=${ZSWAPBLK_BENCH_DISK_MIB:-512}
export ZSWAPBLK_BENCH_DISK_MBPS=${ZSWAPBLK_BENCH_DISK_MBPS:-400}
DISKS=(-d "$DISK_MIB")
[ "$ZSWAPBLK_BENCH_DISK_MBPS" != 0 ] && DISKS+=(-d "$DISK_MIB:$ZSWAPBLK_BENCH_DISK_MBPS")
TIMEOUT=${ZSWAPBLK_BENCH_TIMEOUT:-1740}
export VMTEST_TCG_THREAD=${VMTEST_TCG_THREAD:-multi}
export VMTEST_CPU=${VMTEST_CPU:-max,erms=off}
EXTRA="slub_debug=- page_poison=0 kfence.sample_interval=0"
[ "${ZSWAPBLK_BENCH_DEBUG_KERNEL:-0}" = 1 ] && EXTRA=

log() { echo "bench: $*" >&2; }

PY=$(command -v /usr/bin/python3 || command -v python3) || { log "python3 is missing"; exit 2; }

if [ $# -gt 0 ]; then
	KERNELS=("$@")
else
	mapfile -t KERNELS < <(bash tests/vm/setup-host.sh --print-kernels)
fi
[ ${#KERNELS[@]} -gt 0 ] || { log "no kernel to run"; exit 2; }

# gnuplot renders the plot; install it (Debian: gnuplot-nox) if missing.
ensure_gnuplot() {
	command -v gnuplot > /dev/null && return 0
	log "installing gnuplot-nox"
	if [ "$(id -u)" = 0 ]; then
		{ apt-get install -y -qq --no-install-recommends gnuplot-nox ||
		  { apt-get update -qq &&
		    apt-get install -y -qq --no-install-recommends gnuplot-nox; }; } >&2
	else
		sudo apt-get install -y -qq --no-install-recommends gnuplot-nox >&2
	fi
	command -v gnuplot > /dev/null
}

# Host facts for the results: what the guests ran on, and how busy it was.
host_json() {
	local f=$1 when=$2 load
	read -r load _ < /proc/loadavg
	if [ "$when" = before ]; then
		"$PY" - "$f" "$load" "$EXTRA" "$VMTEST_TCG_THREAD" \
			"$(git describe --always --dirty 2>/dev/null || echo unknown)" "$VMTEST_CPU" <<'EOF'
import json, os, platform, subprocess, sys
f, load, extra, tcg, commit, vcpu = sys.argv[1:7]
cpu = "?"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
try:
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.split("\n")[0].split("version")[-1].strip()
except OSError:
    qemu = "?"
mem = 0
for line in open("/proc/meminfo"):
    if line.startswith("MemTotal"):
        mem = int(line.split()[1]) // 1024
json.dump({"hostname": platform.node(), "cpu": cpu, "nproc": os.cpu_count(),
           "mem_mib": mem, "kernel": platform.release(), "qemu": qemu,
           "tcg_thread": tcg, "guest_cpu": vcpu, "cmdline_extra": extra, "commit": commit,
           "load_before": float(load)},
          open(f, "w"))
EOF
	else
		"$PY" - "$f" "$load" <<'EOF'
import json, sys
f, load = sys.argv[1:3]
d = json.load(open(f))
d["load_after"] = float(load)
json.dump(d, open(f, "w"))
EOF
	fi
}

main() {
	local k krel run hj start vrc wall cairo rc=0 done_json=()
	mkdir -p "$RESULTS" "$RUNS"
	for k in "${KERNELS[@]}"; do
		krel=$(. tests/vm/lib.sh && vm_resolve_krel "$k") || { log "unknown kernel $k"; rc=1; continue; }
		run=$RUNS/$(date +%Y%m%d-%H%M%S)-$krel
		hj=$(mktemp)
		host_json "$hj" before
		log "$krel: one guest, -m 2G -s 2 ${DISKS[*]}, limit $TIMEOUT s; run dir $run"
		start=$SECONDS
		VMTEST_HOST_TIMEOUT=$((TIMEOUT + 120)) \
			bash tests/vm/vmrun.sh -k "$krel" -m 2G -s 2 "${DISKS[@]}" -t "$TIMEOUT" \
			-o "$run" ${EXTRA:+-a "$EXTRA"} bench/guest.sh
		vrc=$?
		wall=$((SECONDS - start))
		host_json "$hj" after
		log "$krel: guest exit $vrc after $wall s"
		[ "$vrc" = 0 ] || rc=1
		# A disk image of DISK_MIB stays behind otherwise.
		rm -f "$run"/disk*.img
		if [ ! -s "$run/bench/records.jsonl" ]; then
			log "$krel: no results (see $run/console.log)"
			rc=1
			rm -f "$hj"
			continue
		fi
		if ! "$PY" bench/report.py collect --run "$run" --kernel "$krel" --vmrun-rc "$vrc" \
			--wall "$wall" --host-json "$hj" -o "$RESULTS/$krel.json"; then
			log "$krel: DATA ERRORS, see $RESULTS/$krel.json and $run/bench/errors.txt"
			rc=1
		fi
		rm -f "$hj"
		[ -s "$RESULTS/$krel.json" ] && done_json+=("$RESULTS/$krel.json")
	done

	if [ ${#done_json[@]} -gt 0 ]; then
		cairo=
		if ensure_gnuplot; then
			gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo && cairo=--cairo
		fi
		"$PY" bench/report.py render $cairo -o "$RESULTS" "${done_json[@]}" || rc=1
		if command -v gnuplot > /dev/null; then
			(cd "$RESULTS" && gnuplot ratios.gp) || { log "gnuplot failed"; rc=1; }
		else
			log "WARNING: no gnuplot: $RESULTS/ratios.png not drawn"
		fi
		cat "$RESULTS/summary.md"
	fi
	[ $rc = 0 ] && log "done: results in $RESULTS" || log "FAILED (exit 1): see above"
	return $rc
}

# One line, so that bash has read the whole file before main runs.
main; exit
