#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/guest.sh: the benchmark workloads, run inside one QEMU guest by
# bench/run.sh (through tests/vm/vmrun.sh).  Every workload runs back to back
# on three devices of the same guest:
#
#   zswapblk  /dev/zswapblk0, this project's module
#   zram      /dev/zram0, the kernel's own module: same algorithm, same disksize
#   brd       /dev/ram0, no compression: the block layer's ceiling
#
# Workloads (ZSWAPBLK_BENCH_ONLY selects a subset, in this order):
#   fio   4 KiB random write and read, psync QD1 and io_uring QD16 x 4 jobs
#         (and random write at QD16 from one job: fewer submitters than
#         CPUs, where asynchronous workers could help), half-compressible
#         data (buffer_compress_percentage=50,
#         refill_buffers); then a crc32c-verified write pass per device
#   swap  tests/progs/memstress, a working set twice its memory cgroup's
#         limit, every page checksummed; the device is the only swap
#   mem   one data set (blkpat comp:), then zero pages, then same-filled
#         pages, written to a fresh device; mm_stat and MemFree; verified
#   comp  lz4 -b1 and zstd -b3 on the same data in 4 KiB blocks (the CLI
#         tools' benchmark modes), and dd of that data onto each device
#   exercise  zswapctl exercise --json on zswapblk, and what it says on zram
#   wb    writeback of the same data to the first -d disk: zswapblk's
#         "writeback idle" (also with compressed_writeback), zram's, and
#         fio writing the disk directly, also
#         with a niced loop spinning on every vCPU (the host's contention);
#         then the same on the second -d disk, if any, which QEMU throttles
#         to ZSWAPBLK_BENCH_DISK_MBPS like a physical disk
#
# Repetitions are interleaved (rep 1: zswapblk zram brd, rep 2: ...), so a
# slow spell of a shared host hits every device alike.
#
# Results go to $VMOUT/bench/: records.jsonl (one JSON object per
# measurement), fio/*.json (fio's own output), meta.json, logs; bench/report.py
# turns them into the per-kernel JSON on the host.  A data error (fio verify
# error, memstress corruption, blkpat mismatch, exercise CORRUPT) is recorded
# in errors.txt, the run goes on, and the exit status is 1 at the end.
#
# Environment (all optional; bench/run.sh passes its own through):
#   ZSWAPBLK_BENCH_ONLY       workloads to run (default: all, as above)
#   ZSWAPBLK_BENCH_REPS       repetitions of each timed measurement (5)
#   ZSWAPBLK_BENCH_MEM_REPS   repetitions of the memory workload (3): it
#                             counts bytes, it does not time anything
#   ZSWAPBLK_BENCH_RUNTIME    seconds per fio point (6), plus 1 s ramp
#   ZSWAPBLK_BENCH_FIO_MIB    region fio works on (128)
#   ZSWAPBLK_BENCH_DISKSIZE   disksize of zswapblk and zram, size of brd (512M)
#   ZSWAPBLK_BENCH_SWAP_LIMIT_MIB  memory.max of the swap workload (48); the
#                             working set is twice that
#   ZSWAPBLK_BENCH_SWAP_PASSES     memstress random passes (2)
#   ZSWAPBLK_BENCH_MEM_MIB    data set of mem and comp (64)
#   ZSWAPBLK_BENCH_ZERO_MIB   zero pages written by mem (256): MemFree is
#                             noisy, many pages make a per-page cost visible
#   ZSWAPBLK_BENCH_WB_MIB     data written back per run (256)
#   ZSWAPBLK_BENCH_DISK_MBPS  what bench/run.sh throttled the second -d disk
#                             to (MB/s); 0 or unset: no second disk
#   ZSWAPBLK_BENCH_WB_BATCH   zswapblk's writeback_batch_size in the wb runs
#                             (default: the driver's, 256)
#   ZSWAPBLK_BENCH_PERF       1: also profile QD1 random writes, a swap run
#                             and writeback of zswapblk and zram with perf
#                             (perf-*.txt)
#   ZSWAPBLK_BENCH_WAITS      1: also record where the swap workload leaves
#                             the CPU, one run on zswapblk and one on zram
#                             (perf on sched_switch, waits-swap-*.txt)
#   ZSWAPBLK_BENCH_PAGE_CLUSTER  vm.page-cluster for the whole run (default:
#                             the kernel's, 3)
set -uo pipefail

REPO=${ZSWAPBLK_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$REPO" || exit 254
OUT=${VMOUT:-/tmp}/bench
mkdir -p "$OUT/fio" "$OUT/log"
REC=$OUT/records.jsonl
ERRS=$OUT/errors.txt
: > "$REC"
: > "$ERRS"

ONLY=${ZSWAPBLK_BENCH_ONLY:-fio swap mem comp exercise wb}
REPS=${ZSWAPBLK_BENCH_REPS:-5}
MEM_REPS=${ZSWAPBLK_BENCH_MEM_REPS:-3}
RUNTIME=${ZSWAPBLK_BENCH_RUNTIME:-6}
FIO_MIB=${ZSWAPBLK_BENCH_FIO_MIB:-128}
DISKSIZE=${ZSWAPBLK_BENCH_DISKSIZE:-512M}
SWAP_LIMIT=${ZSWAPBLK_BENCH_SWAP_LIMIT_MIB:-48}
SWAP_WS=$((SWAP_LIMIT * 2))
SWAP_PASSES=${ZSWAPBLK_BENCH_SWAP_PASSES:-2}
MEM_MIB=${ZSWAPBLK_BENCH_MEM_MIB:-64}
ZERO_MIB=${ZSWAPBLK_BENCH_ZERO_MIB:-256}
TABLE_SIZE=4G
WB_MIB=${ZSWAPBLK_BENCH_WB_MIB:-256}
# zswapblk's writeback_batch_size in the wb runs; empty: the driver's default
WB_BATCH=${ZSWAPBLK_BENCH_WB_BATCH:-}
PERF=${ZSWAPBLK_BENCH_PERF:-0}
WAITS=${ZSWAPBLK_BENCH_WAITS:-0}
ALG=lz4
DEVS=(zswapblk zram brd)

BLKPAT=$REPO/tests/progs/blkpat
MEMSTRESS=$REPO/tests/progs/memstress
ZSWAPCTL=$REPO/userspace/zswapctl/zswapctl
DATA=/tmp/bench-data		# the data set of mem and comp (tmpfs: guest RAM)
CG=/sys/fs/cgroup/bench

# ---- small helpers (bash builtins where they run often) ---------------------

exec {_sleep_fd}<> <(:)
snooze() { read -r -t "$1" -u "$_sleep_fd" _ || true; }
now() { printf -v "$1" '%s' "${EPOCHREALTIME/[.,]/.}"; }
log() { printf 'bench [%s] %s\n' "$(date +%T)" "$*"; }

# rd VAR PATH: first line of PATH ("" if unreadable).
rd() { local __l=; { IFS= read -r __l < "$2"; } 2>/dev/null; printf -v "$1" '%s' "$__l"; }
# wr PATH VALUE: write, complain on failure.
wr() {
	if ! echo "$2" 2>"$OUT/log/wr.err" > "$1"; then
		log "write '$2' to $1 failed: $(< "$OUT/log/wr.err")"
		return 1
	fi
}
# col VAR PATH N: the Nth (0-based) column of PATH's first line.
col() { local __a=(); read -r -a __a < "$2" 2>/dev/null; printf -v "$1" '%s' "${__a[$3]:-}"; }
# vmstat_snap ASSOC: every /proc/vmstat counter into the associative array.
# (The file is read whole first: bash's line reads of a proc file can come
# back with an empty line.)
vmstat_snap() {
	# shellcheck disable=SC2178 # a nameref to the caller's array
	local -n __a=$1
	local __k __v __t
	__t=$(< /proc/vmstat)
	while read -r __k __v; do
		[ -n "$__k" ] && __a[$__k]=$__v
	done <<< "$__t"
}
meminfo() {
	local __k __v __u
	while read -r __k __v __u; do
		[ "$__k" = "$2:" ] && { printf -v "$1" '%s' "$__v"; return 0; }
	done < /proc/meminfo
	printf -v "$1" 0
}

# rec KEY=VALUE...: one JSON object on records.jsonl; numbers stay numbers.
rec() {
	local kv k v s='{' sep=''
	for kv; do
		k=${kv%%=*} v=${kv#*=}
		if [[ $v =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then
			s+="$sep\"$k\":$v"
		else
			v=${v//\\/\\\\}; v=${v//\"/\\\"}; v=${v//$'\t'/ }; v=${v//$'\n'/ }
			s+="$sep\"$k\":\"$v\""
		fi
		sep=,
	done
	printf '%s}\n' "$s" >> "$REC"
}

# data_error WHAT: a workload saw wrong data (or failed its integrity check).
data_error() {
	log "DATA ERROR: $*"
	echo "$*" >> "$ERRS"
	rec w=error what="$*"
}
# failure WHAT: a workload did not run as planned (no data error).
failure() {
	log "FAILURE: $*"
	echo "failure: $*" >> "$OUT/failures.txt"
	rec w=failure what="$*"
}

want() { [[ " $ONLY " == *" $1 "* ]]; }

# ---- the devices --------------------------------------------------------------

devnode() {
	case $1 in
	zswapblk) echo /dev/zswapblk0 ;;
	zram)	  echo /dev/zram0 ;;
	brd)	  echo /dev/ram0 ;;
	esac
}
devsys() {
	case $1 in
	zswapblk) echo /sys/block/zswapblk0 ;;
	zram)	  echo /sys/block/zram0 ;;
	brd)	  echo /sys/block/ram0 ;;
	esac
}

size_kib() {
	local s=$1
	case $s in
	*[kK]) echo $(( ${s%?} )) ;;
	*[mM]) echo $(( ${s%?} * 1024 )) ;;
	*[gG]) echo $(( ${s%?} * 1024 * 1024 )) ;;
	*)     echo $(( s / 1024 )) ;;
	esac
}

brd_fresh() {
	local n
	[ -d /sys/module/brd ] && { rmmod brd || return 1; }
	modprobe brd rd_nr=1 rd_size="$(size_kib "$DISKSIZE")" max_part=0 || return 1
	for n in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/ram0 ] && return 0; snooze 0.2; done
	return 1
}

# fresh DEV [ALGORITHM [BACKING [SIZE]]]: an empty device of $DISKSIZE; zswapblk
# and zram reset and reconfigured, brd reloaded (it frees memory only so).
fresh() {
	local d=$1 alg=${2:-$ALG} backing=${3:-} size=${4:-$DISKSIZE} sys ini
	if [ "$d" = brd ]; then
		brd_fresh
		return
	fi
	sys=$(devsys "$d")
	rd ini "$sys/initstate"
	if [ "$ini" = 1 ]; then wr "$sys/reset" 1 || return 1; fi
	if [ -n "$backing" ]; then wr "$sys/backing_dev" "$backing" || return 1; fi
	# FRESH_PRE="ATTR=VALUE": one more attribute, before disksize
	if [ -n "${FRESH_PRE:-}" ]; then
		wr "$sys/${FRESH_PRE%%=*}" "${FRESH_PRE#*=}" || return 1
	fi
	wr "$sys/comp_algorithm" "$alg" || return 1
	wr "$sys/disksize" "$size"
}

release() {
	local d=$1 sys ini
	if [ "$d" = brd ]; then
		[ -d /sys/module/brd ] && rmmod brd
		return 0
	fi
	sys=$(devsys "$d")
	rd ini "$sys/initstate"
	[ "$ini" = 1 ] && wr "$sys/reset" 1
	return 0
}

# io_errors DEV: failed_reads + failed_writes of io_stat (zswapblk, zram).
io_errors() {
	local a=() sys
	[ "$1" = brd ] && { echo 0; return; }
	sys=$(devsys "$1")
	read -r -a a < "$sys/io_stat"
	echo $(( ${a[0]:-0} + ${a[1]:-0} ))
}

# mmstat_rec TAG DEV: mm_stat columns as a record.
mmstat_rec() {
	local tag=$1 d=$2 a=()
	[ "$d" = brd ] && return 0
	read -r -a a < "$(devsys "$d")/mm_stat"
	rec w=mm_stat tag="$tag" dev="$d" orig="${a[0]}" compr="${a[1]}" used="${a[2]}" \
		same="${a[5]}" huge="${a[7]}" zero="${a[9]:-}"
}

# ---- environment ------------------------------------------------------------------

setup() {
	local k v
	log "kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB"
	echo 0 > /proc/sys/kernel/hung_task_panic	# writeback of zram is slow under TCG
	if [ -n "${ZSWAPBLK_BENCH_PAGE_CLUSTER:-}" ]; then
		echo "$ZSWAPBLK_BENCH_PAGE_CLUSTER" > /proc/sys/vm/page-cluster
	fi
	# zswap would intercept swap-outs before any device: off (Debian's default).
	[ -w /sys/module/zswap/parameters/enabled ] && echo N > /sys/module/zswap/parameters/enabled
	bash tests/vm/load-module.sh num_devices=1 || { failure "zswapblk does not load"; return 1; }
	modprobe zram num_devices=1 || { failure "zram does not load"; return 1; }
	# 6.1's zram takes its compressor from the crypto API
	modprobe -q lz4 2>/dev/null; modprobe -q zstd 2>/dev/null
	brd_fresh || { failure "brd does not load"; return 1; }
	[ -x "$BLKPAT" ] && [ -x "$MEMSTRESS" ] || { failure "tests/progs not built"; return 1; }
	mkdir -p "$CG"
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null

	local slub=unknown kfence=none ioring=0 cpu
	rd slub /sys/kernel/slab/kmalloc-64/sanity_checks
	rd kfence /sys/module/kfence/parameters/sample_interval
	rd ioring /proc/sys/kernel/io_uring_disabled
	cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
	{
		printf '{"kernel":"%s","nproc":%d,"mem_total_kib":%d,' \
			"$(uname -r)" "$(nproc)" "$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
		printf '"cpu":"%s","cmdline":"%s",' "$cpu" "$(< /proc/cmdline)"
		printf '"slub_sanity_checks":"%s","kfence_sample_interval":"%s",' "$slub" "$kfence"
		printf '"io_uring_disabled":"%s","page_cluster":%d,' "${ioring:-absent}" "$(< /proc/sys/vm/page-cluster)"
		printf '"fio":"%s","lz4":"%s","zstd":"%s",' "$(fio --version)" \
			"$(lz4 --version 2>&1 | sed -n 's/.* \(v[0-9.]*\),.*/\1/p')" \
			"$(zstd --version 2>&1 | sed -n 's/.* \(v[0-9.]*\),.*/\1/p')"
		printf '"zram_algorithms":"%s","zswapblk_algorithms":"%s","zswapblk_features":"%s",' \
			"$(< /sys/block/zram0/comp_algorithm)" "$(< /sys/block/zswapblk0/comp_algorithm)" \
			"$(< /sys/block/zswapblk0/features)"
		printf '"algorithm":"%s","disksize":"%s","reps":%d,"mem_reps":%d,"fio_runtime_s":%d,"fio_mib":%d,' \
			"$ALG" "$DISKSIZE" "$REPS" "$MEM_REPS" "$RUNTIME" "$FIO_MIB"
		printf '"swap_limit_mib":%d,"swap_ws_mib":%d,"swap_passes":%d,"mem_mib":%d,"zero_mib":%d,"wb_mib":%d,' \
			"$SWAP_LIMIT" "$SWAP_WS" "$SWAP_PASSES" "$MEM_MIB" "$ZERO_MIB" "$WB_MIB"
		printf '"disks":"%s","only":"%s"}\n' "${ZSWAPBLK_DISKS:-}" "$ONLY"
	} > "$OUT/meta.json"
	log "slub sanity_checks=$slub kfence=$kfence io_uring_disabled=${ioring:-absent} page-cluster=$(< /proc/sys/vm/page-cluster)"
}

# ---- 1. fio -------------------------------------------------------------------------

IOENGINE_QD16=io_uring
FIO_PREFIX=()

# fio_clean FILE: prints why if a job of fio JSON output FILE failed.
fio_clean() {
	python3 - "$1" <<'EOF'
import json, sys
try:
    t = open(sys.argv[1]).read()
    d = json.loads(t[t.index("{"):])   # fio may print warnings first
except Exception as e:
    print("unreadable fio output: %s" % e); sys.exit(1)
bad = [j.get("jobname") for j in d.get("jobs", []) if j.get("error")]
if bad:
    print("job error in %s" % bad); sys.exit(1)
EOF
}

# fio_point NAME DEV REP RW ENGINE QD JOBS
fio_point() {
	local name=$1 d=$2 rep=$3 rw=$4 eng=$5 qd=$6 jobs=$7 f rc
	f=$OUT/fio/$name-$d-$rep.json
	"${FIO_PREFIX[@]}" fio --output-format=json --output="$f" --name="$name" \
		--filename="$(devnode "$d")" --direct=1 --bs=4k --rw="$rw" --ioengine="$eng" --iodepth="$qd" \
		--numjobs="$jobs" --group_reporting --size="${FIO_MIB}M" --norandommap \
		--time_based --runtime="$RUNTIME" --ramp_time=1 \
		--buffer_compress_percentage=50 --refill_buffers \
		--lat_percentiles=1 --percentile_list=50:99 2> "$OUT/log/fio.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		failure "fio $name on $d (rep $rep) exit $rc: $(head -c 300 "$OUT/log/fio.err")"
		return 1
	fi
	rec w=fio point="$name" dev="$d" rep="$rep" rw="$rw" engine="$eng" qd="$qd" jobs="$jobs" \
		file="fio/${f##*/}"
}

# fio_verify DEV: crc32c-verified random writes through both engines.
fio_verify() {
	local d=$1 f e0 e1 rc msg n0 n1
	e0=$(io_errors "$d")
	n0=$(wc -l < "$ERRS")
	for spec in "psync 1 1" "$IOENGINE_QD16 16 4"; do
		set -- $spec
		f=$OUT/fio/verify-$1-$d.json
		fio --output-format=json --output="$f" --name="verify-$1" --filename="$(devnode "$d")" \
			--direct=1 --bs=4k --rw=randwrite --ioengine="$1" --iodepth="$2" \
			--numjobs="$3" --group_reporting --size=$((FIO_MIB / $3))M \
			--offset_increment=$((FIO_MIB / $3))M --io_size=16M \
			--buffer_compress_percentage=50 --refill_buffers \
			--verify=crc32c --verify_fatal=1 --do_verify=1 2> "$OUT/log/fio-verify.err"
		rc=$?
		msg=$(fio_clean "$f")
		if [ $rc -ne 0 ] || [ -n "$msg" ] ||
		   grep -qiE 'verify: bad|verify failed|bad magic|bad header' "$OUT/log/fio-verify.err"; then
			data_error "fio verify ($1) on $d: exit $rc $msg $(head -c 300 "$OUT/log/fio-verify.err")"
		fi
	done
	e1=$(io_errors "$d")
	[ "$e1" = "$e0" ] || data_error "$d io_stat failed reads/writes moved by $((e1 - e0)) under fio"
	n1=$(wc -l < "$ERRS")
	rec w=fio_verify dev="$d" ok="$([ "$n1" = "$n0" ] && echo 1 || echo 0)"
}

run_fio() {
	local d rep p
	log "fio: ${FIO_MIB} MiB region, ${RUNTIME}s per point, $REPS reps"
	for d in "${DEVS[@]}"; do
		fresh "$d" || { failure "set up $d"; return 1; }
		fio --name=fill --filename="$(devnode "$d")" --direct=1 --rw=write --bs=128k \
			--ioengine=psync --size="${FIO_MIB}M" --buffer_compress_percentage=50 \
			--refill_buffers --output=/dev/null || { failure "fio fill $d"; return 1; }
		mmstat_rec fio-fill "$d"
	done
	for rep in $(seq "$REPS"); do
		for p in "randwrite-qd1 randwrite psync 1 1" "randread-qd1 randread psync 1 1" \
			 "randwrite-qd16 randwrite $IOENGINE_QD16 16 4" \
			 "randwrite-qd16x1 randwrite $IOENGINE_QD16 16 1" \
			 "randread-qd16 randread $IOENGINE_QD16 16 4"; do
			set -- $p
			for d in "${DEVS[@]}"; do
				fio_point "$1" "$d" "$rep" "$2" "$3" "$4" "$5"
			done
			log "fio rep $rep $1 done"
		done
	done
	if [ "$PERF" = 1 ]; then
		perf_profile
	fi
	for d in "${DEVS[@]}"; do
		mmstat_rec fio-end "$d"
		fio_verify "$d"
		release "$d"
	done
	log "fio: done"
}

# perf_run NAME CMD...: CMD under a system-wide profile (software clock:
# TCG has no PMU); perf forks CMD once it records.  The report goes to
# $OUT/perf-NAME.txt.  Without ZSWAPBLK_BENCH_PERF=1, just CMD.
perf_run() {
	local name=$1 rc; shift
	if [ "$PERF" != 1 ] || ! command -v perf > /dev/null; then
		"$@"
		return
	fi
	perf record -e cpu-clock -a -g -F 997 -o "/tmp/perf-$name.data" -- "$@" \
		2> "$OUT/log/perf-record-$name.txt"
	rc=$?
	perf report -i "/tmp/perf-$name.data" --stdio --no-children --sort comm,dso,sym \
		--percent-limit 0.3 -g none > "$OUT/perf-$name.txt" 2> /dev/null
	perf report -i "/tmp/perf-$name.data" --stdio --children --sort sym \
		--percent-limit 1.5 -g none > "$OUT/perf-$name-children.txt" 2> /dev/null
	rm -f "/tmp/perf-$name.data"
	return $rc
}

# waits_run NAME CMD...: CMD with every switch away from memstress recorded
# with its call chain (perf, sched:sched_switch): where the workload leaves
# the CPU, preempted (prev_state R: something else wanted it) or blocked
# (D, S: waiting for I/O, a lock, a folio under writeback).  The counts per
# state and the call graph go to $OUT/waits-NAME.txt.  Without
# ZSWAPBLK_BENCH_WAITS=1, just CMD.
waits_run() {
	local name=$1 data=/tmp/waits-$1.data rc
	shift
	if [ "$WAITS" != 1 ] || ! command -v perf > /dev/null; then
		"$@"
		return
	fi
	perf record -q -e sched:sched_switch --filter 'prev_comm == "memstress"' \
		-g -a -o "$data" -- "$@" 2> "$OUT/log/waits-record-$name.txt"
	rc=$?
	{
		echo "# switches away from memstress by prev_state"
		perf script -i "$data" -F trace 2> /dev/null |
			grep -o 'prev_state=[A-Z+]*' | sort | uniq -c
		perf report -i "$data" --stdio --no-children -g caller,0.5,callee \
			--percent-limit 2 2> /dev/null
	} > "$OUT/waits-$name.txt"
	rm -f "$data"
	return $rc
}

# Profiles of QD1 random writes (ZSWAPBLK_BENCH_PERF=1).
perf_profile() {
	local d
	for d in zswapblk zram; do
		log "perf: randwrite-qd1 on $d"
		FIO_PREFIX=(perf_run "fio-w1-$d")
		fio_point perf-randwrite-qd1 "$d" 1 randwrite psync 1 1
		FIO_PREFIX=()
	done
}

# ---- 2. swap ----------------------------------------------------------------------

# /proc/vmstat counters recorded as deltas over each swap run: the issue's
# four, then what tells where the time goes (readahead, reclaim, throttling).
SWAP_PREFIX=()
SWAP_VMSTAT=(pgmajfault pswpin pswpout pgreuse swap_ra swap_ra_hit pgscan_direct
	pgsteal_direct pgscan_kswapd pgsteal_kswapd nr_vmscan_immediate_reclaim
	pgrotated workingset_refault_anon allocstall_normal allocstall_movable)

swap_run() {
	local d=$1 rep=$2 dev sys out t0 t1 rc oom=0 k v c extra=()
	local -A v0=() v1=()
	local statarg=()
	dev=$(devnode "$d")
	sys=$(devsys "$d")
	fresh "$d" || { failure "set up $d for swap"; return 1; }
	mkswap "$dev" > /dev/null && swapon -p 32767 "$dev" || { failure "swapon $d"; return 1; }
	[ "$d" != brd ] && statarg=(-S "$sys/mm_stat")
	rmdir "$CG" 2>/dev/null
	mkdir "$CG" && echo "${SWAP_LIMIT}M" > "$CG/memory.max" &&
		echo max > "$CG/memory.swap.max" || { failure "memory cgroup"; return 1; }
	echo 3 > /proc/sys/vm/drop_caches
	vmstat_snap v0
	out=$OUT/log/memstress-$d-$rep.tap
	now t0
	# The workload joins the cgroup itself: a profiler stays outside it.
	"${SWAP_PREFIX[@]}" bash -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" \
		"$MEMSTRESS" -m "$SWAP_WS" -p "$SWAP_PASSES" -w 30 -s "${rep//[!0-9]/}" \
		"${statarg[@]}" > "$out" 2>&1
	rc=$?
	now t1
	vmstat_snap v1
	for c in "${SWAP_VMSTAT[@]}"; do extra+=("$c=$(( ${v1[$c]:-0} - ${v0[$c]:-0} ))"); done
	while read -r k v; do [ "$k" = oom_kill ] && oom=$v; done <<< "$(< "$CG/memory.events")"
	# The cgroup's own reclaim counters (memcg reclaim is not in the global
	# pgscan/pgsteal) and its memory pressure stall time (PSI, microseconds).
	while read -r k v; do
		case $k in
		pgscan|pgsteal|pgrefill|pgactivate|pgdeactivate|workingset_refault_anon|\
		workingset_activate_anon|swapcached)
			extra+=("memcg_$k=$v") ;;
		esac
	done <<< "$(< "$CG/memory.stat")"
	while read -r k v; do
		v=${v##*total=}
		extra+=("psi_${k}_us=$v")
	done <<< "$(< "$CG/memory.pressure")"
	if [ $rc -ne 0 ]; then
		if grep -q 'corruption' "$out" && grep -q '^not ok' "$out"; then
			data_error "memstress on $d (rep $rep): $(grep -m3 -e '^not ok' -e '^#.*page' "$out" | tr '\n' ' ')"
		else
			failure "memstress on $d (rep $rep) exit $rc, oom_kill $oom: $(tail -n 3 "$out" | tr '\n' ' ')"
		fi
	fi
	rec w=swap dev="$d" rep="$rep" rc="$rc" wall_s="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')" \
		oom_kill="$oom" "${extra[@]}"
	mmstat_rec "swap-$rep" "$d"
	swapoff "$dev" || failure "swapoff $d"
	rmdir "$CG" 2>/dev/null
	release "$d"
	[ $rc -eq 0 ]
}

run_swap() {
	local rep d
	log "swap: memstress ${SWAP_WS} MiB in a ${SWAP_LIMIT} MiB cgroup, $SWAP_PASSES passes, $REPS reps"
	swapoff -a 2>/dev/null
	for rep in $(seq "$REPS"); do
		for d in "${DEVS[@]}"; do
			swap_run "$d" "$rep"
			log "swap rep $rep $d done"
		done
	done
	[ "$PERF" = 1 ] && swap_profiled perf perf_run
	[ "$WAITS" = 1 ] && swap_profiled waits waits_run
	return 0
}

# swap_profiled REP PROFILER: one more swap run on zswapblk and on zram
# under PROFILER (perf_run or waits_run), recorded as repetition REP.
swap_profiled() {
	local d
	for d in zswapblk zram; do
		log "$1: swap on $d"
		SWAP_PREFIX=("$2" "swap-$d")
		swap_run "$d" "$1"
		SWAP_PREFIX=()
	done
}

# ---- 3. memory efficiency -------------------------------------------------------

# blk DEV ARGS...: blkpat on the device; a mismatch (exit 1) is a data error.
blk() {
	local d=$1 rc; shift
	"$BLKPAT" "$@" "$(devnode "$d")" > "$OUT/log/blkpat.out" 2>&1
	rc=$?
	case $rc in
	0) return 0 ;;
	1) data_error "blkpat $* on $d: $(head -c 300 "$OUT/log/blkpat.out")" ;;
	*) failure "blkpat $* on $d exit $rc: $(head -c 300 "$OUT/log/blkpat.out")" ;;
	esac
	return 1
}

# memfree VAR: MemFree in KiB, after caches are dropped and things settle.
memfree() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	snooze 0.3
	meminfo "$1" MemFree
}

# mem_run DEV REP: the table at disksize (measured on a $TABLE_SIZE device:
# the bigger, the less MemFree's noise matters), then $MEM_MIB of data,
# $ZERO_MIB of zero pages and $MEM_MIB of same-filled pages on a fresh
# device; mm_stat and MemFree after each; then all of it verified.
mem_run() {
	local d=$1 rep=$2 sys a=() t0 t1 f1 f2 f3 f4 u1 u2 u3 z2 s2 s3 n nz
	local same=0x5a5a5a5a5a5a5a5a zoff=$((MEM_MIB)) soff=$((MEM_MIB + ZERO_MIB))
	n=$((MEM_MIB * 256))		# pages of data, and of same-filled pages
	nz=$((ZERO_MIB * 256))		# zero pages
	sys=$(devsys "$d")
	release "$d"
	if [ "$d" != brd ]; then
		memfree t0
		fresh "$d" "$ALG" "" "$TABLE_SIZE" || { failure "set up $d for mem"; return 1; }
		memfree t1
		rec w=mem part=table dev="$d" rep="$rep" pages=$(( $(size_kib "$TABLE_SIZE") / 4 )) \
			memfree_kib=$((t0 - t1))
		release "$d"
	fi
	fresh "$d" || { failure "set up $d for mem"; return 1; }
	memfree f1
	blk "$d" -w -p comp:7 -o 0 -l "${MEM_MIB}M" -b 64K
	memfree f2
	if [ "$d" != brd ]; then
		read -r -a a < "$sys/mm_stat"
		u1=${a[2]}
		rec w=mem part=data dev="$d" rep="$rep" pages="$n" orig="${a[0]}" compr="${a[1]}" \
			used="${a[2]}" huge="${a[7]}" memfree_kib=$((f1 - f2))
	else
		rec w=mem part=data dev="$d" rep="$rep" pages="$n" memfree_kib=$((f1 - f2))
	fi
	blk "$d" -w -p zero -o "${zoff}M" -l "${ZERO_MIB}M" -b 64K
	memfree f3
	if [ "$d" != brd ]; then
		read -r -a a < "$sys/mm_stat"
		u2=${a[2]} z2=${a[9]:-} s2=${a[5]}
		rec w=mem part=zero dev="$d" rep="$rep" pages="$nz" used_delta=$((u2 - u1)) \
			zero_pages="$z2" same_pages="$s2" memfree_kib=$((f2 - f3))
	else
		rec w=mem part=zero dev="$d" rep="$rep" pages="$nz" memfree_kib=$((f2 - f3))
	fi
	blk "$d" -w -p "same:$same" -o "${soff}M" -l "${MEM_MIB}M" -b 64K
	memfree f4
	if [ "$d" != brd ]; then
		read -r -a a < "$sys/mm_stat"
		u3=${a[2]} s3=${a[5]}
		rec w=mem part=same dev="$d" rep="$rep" pages="$n" used_delta=$((u3 - u2)) \
			same_pages=$((s3 - s2)) memfree_kib=$((f3 - f4))
	else
		rec w=mem part=same dev="$d" rep="$rep" pages="$n" memfree_kib=$((f3 - f4))
	fi
	blk "$d" -v -p comp:7 -o 0 -l "${MEM_MIB}M" -b 64K
	blk "$d" -v -p zero -o "${zoff}M" -l "${ZERO_MIB}M" -b 64K
	blk "$d" -v -p "same:$same" -o "${soff}M" -l "${MEM_MIB}M" -b 64K
	release "$d"
}

run_mem() {
	local rep d
	log "mem: ${MEM_MIB} MiB half-compressible, $ZERO_MIB MiB zero, $MEM_MIB MiB same-filled pages, $MEM_REPS reps"
	for rep in $(seq "$MEM_REPS"); do
		for d in "${DEVS[@]}"; do
			mem_run "$d" "$rep"
		done
		log "mem rep $rep done"
	done
}

# ---- 4. compression: the physical limit ----------------------------------------

# clibench TOOL LEVEL REP: "-L  csize (ratio) cMB/s MB/s dMB/s MB/s  file"
clibench() {
	local tool=$1 lvl=$2 rep=$3 line a=()
	line=$("$tool" -q -b"$lvl" -B4096 -i2 "$DATA" 2>&1 | tr '\r' '\n' | grep 'MB/s' | tail -n1)
	read -r -a a <<< "$line"
	# a: -1 8527855 (1.967) 3829.82 MB/s 7868.6 MB/s bd.dat
	if [ "${#a[@]}" -lt 6 ]; then
		failure "$tool -b$lvl: cannot parse '$line'"
		return 1
	fi
	rec w=comp tool="$tool" level="$lvl" rep="$rep" csize="${a[1]}" ratio="${a[2]//[()x]/}" \
		c_MBps="${a[3]}" d_MBps="${a[5]}"
}

# ddtime VAR ARGS...: dd's own elapsed seconds (excludes the exec).
ddtime() {
	local __v=$1 __l; shift
	__l=$(dd "$@" 2>&1 | tail -n1) || { printf -v "$__v" ''; return 1; }
	# "67108864 bytes (67 MB, 64 MiB) copied, 0.51 s, 132 MB/s"
	__l=${__l#*copied, }
	printf -v "$__v" '%s' "${__l%% s,*}"
}

comp_dev() {
	local d=$1 alg=$2 rep=$3 tw tr bytes=$((MEM_MIB << 20)) a=()
	fresh "$d" "$alg" || { failure "set up $d ($alg)"; return 1; }
	ddtime tw if="$DATA" of="$(devnode "$d")" bs=1M oflag=direct
	ddtime tr if="$(devnode "$d")" of=/dev/null bs=1M count="$MEM_MIB" iflag=direct
	blk "$d" -v -p comp:7 -o 0 -l "${MEM_MIB}M" -b 64K
	if [ "$d" != brd ]; then
		read -r -a a < "$(devsys "$d")/mm_stat"
	fi
	rec w=compdev dev="$d" alg="$alg" rep="$rep" bytes="$bytes" write_s="$tw" read_s="$tr" \
		orig="${a[0]:-}" compr="${a[1]:-}"
	release "$d"
}

run_comp() {
	local rep d
	log "comp: lz4 -b1 / zstd -b3 in 4 KiB blocks vs dd onto each device, ${MEM_MIB} MiB, $REPS reps"
	"$BLKPAT" -w -p comp:7 -l "${MEM_MIB}M" -b 64K "$DATA" > /dev/null || { failure "make $DATA"; return 1; }
	for rep in $(seq "$REPS"); do
		clibench lz4 1 "$rep"
		clibench zstd 3 "$rep"
		for d in "${DEVS[@]}"; do
			comp_dev "$d" "$ALG" "$rep"
		done
		comp_dev zswapblk zstd "$rep"
		comp_dev zram zstd "$rep"
		log "comp rep $rep done"
	done
	rm -f "$DATA"
}

# ---- 5. reuse paths: zswapctl exercise ----------------------------------------

run_exercise() {
	local rc
	log "exercise: zswapctl exercise --json on zswapblk"
	swapoff -a 2>/dev/null
	release zswapblk
	"$ZSWAPCTL" exercise --json > "$OUT/exercise-zswapblk.json" 2> "$OUT/exercise-zswapblk.err"
	rc=$?
	rec w=exercise dev=zswapblk rc="$rc" file=exercise-zswapblk.json \
		stderr="$(head -c 600 "$OUT/exercise-zswapblk.err")"
	if grep -q '"corrupt": *[1-9]' "$OUT/exercise-zswapblk.json"; then
		data_error "zswapctl exercise on zswapblk reports CORRUPT pages"
	fi
	[ $rc -eq 0 ] || log "exercise on zswapblk exit $rc (see exercise-zswapblk.err)"
	release zswapblk

	log "exercise: zswapctl exercise --json on zram"
	fresh zram && mkswap /dev/zram0 > /dev/null && swapon -p 32767 /dev/zram0
	"$ZSWAPCTL" exercise --json -d /dev/zram0 > "$OUT/exercise-zram.json" 2> "$OUT/exercise-zram.err"
	rc=$?
	rec w=exercise dev=zram rc="$rc" file=exercise-zram.json \
		stderr="$(head -c 600 "$OUT/exercise-zram.err")"
	swapoff /dev/zram0
	release zram
}

# ---- 6. writeback -------------------------------------------------------------------

# wb_dev DEV REP DISK [NAME [ATTR=VALUE]]: fill, idle all, time "writeback
# idle", verify; recorded as NAME (default DEV), with ATTR=VALUE set before
# disksize.
wb_dev() {
	local d=$1 rep=$2 disk=$3 name=${4:-$1} sys t0 t1 a=() b=() err= pc
	sys=$(devsys "$d")
	FRESH_PRE=${5:-} fresh "$d" "$ALG" "$disk" ||
		{ failure "set up $name with backing_dev $disk"; return 1; }
	if [ "$d" = zswapblk ] && [ -n "$WB_BATCH" ]; then
		wr "$sys/writeback_batch_size" "$WB_BATCH" ||
			{ failure "$d writeback_batch_size $WB_BATCH"; return 1; }
	fi
	blk "$d" -w -p comp:9 -o 0 -l "${WB_MIB}M" -b 64K || return 1
	read -r -a b < "$sys/bd_stat"
	wr "$sys/idle" all || { failure "$d idle all"; return 1; }
	now t0
	echo idle 2> "$OUT/log/wb.err" > "$sys/writeback" || err=$(< "$OUT/log/wb.err")
	now t1
	[ -n "$err" ] && failure "$name writeback idle: $err"
	read -r -a a < "$sys/bd_stat"
	# pages moved: zswapblk's bd_stat column 10 (compressed_writeback packs
	# several into a block); zram's writes (column 3) are one each
	pc=2
	[ "$d" = zswapblk ] && pc=9
	rec w=wb dev="$name" rep="$rep" pages=$((a[pc] - b[pc])) blocks=$((a[2] - b[2])) \
		seconds="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')" \
		bytes=$(( (a[pc] - b[pc]) * 4096 )) batch="$(cat "$sys/writeback_batch_size" 2>/dev/null)" error="$err"
	blk "$d" -v -p comp:9 -o 0 -l "${WB_MIB}M" -b 64K
	release "$d"
}

wb_fio() {
	local name=$1 rep=$2 disk=$3 bs=$4 qd=$5 f rc
	f=$OUT/fio/wb-$name-$rep.json
	fio --output-format=json --output="$f" --name="$name" --filename="$disk" --direct=1 \
		--rw=write --bs="$bs" --ioengine=libaio --iodepth="$qd" --size="${WB_MIB}M" \
		2> "$OUT/log/fio.err"
	rc=$?
	[ $rc -eq 0 ] || { failure "fio $name on $disk exit $rc"; return 1; }
	rec w=wbfio point="$name" rep="$rep" bs="$bs" qd="$qd" file="fio/${f##*/}"
}

# wb_busy_fio REP DISK: fio 1M QD4 on DISK while a niced loop spins on every
# vCPU.  Writeback keeps the vCPUs busy decompressing, and on a small host
# their threads take the cores QEMU's I/O needs: this is the disk's speed
# under that contention (see bench/README.md).
wb_busy_fio() {
	local rep=$1 disk=$2 pids=() i
	for i in $(seq "$(nproc)"); do
		nice -n 19 bash -c 'while :; do :; done' &
		pids+=($!)
	done
	wb_fio 1m-qd4-busy "$rep" "$disk" 1M 4
	kill "${pids[@]}" 2> /dev/null
	wait "${pids[@]}" 2> /dev/null
	return 0
}

# wb_disk DISK SUFFIX: the writeback runs on DISK, recorded with SUFFIX on
# their names; the 4k and busy fio points only on the unthrottled disk.
wb_disk() {
	local disk=$1 sfx=$2 rep
	# Allocate the disk image on the host once, so no run pays for it.
	fio --name=prefill --filename="$disk" --direct=1 --rw=write --bs=1M --ioengine=libaio \
		--iodepth=4 --output=/dev/null 2> /dev/null
	for rep in $(seq "$REPS"); do
		wb_dev zswapblk "$rep" "$disk" "zswapblk$sfx"
		if [ -e /sys/block/zswapblk0/compressed_writeback ]; then
			wb_dev zswapblk "$rep" "$disk" "zswapblk-cwb$sfx" compressed_writeback=1
		fi
		[ -e /sys/block/zram0/backing_dev ] && wb_dev zram "$rep" "$disk" "zram$sfx"
		if [ -z "$sfx" ]; then
			wb_fio 4k-qd64 "$rep" "$disk" 4k 64
			wb_fio 1m-qd4 "$rep" "$disk" 1M 4
			wb_busy_fio "$rep" "$disk"
		else
			wb_fio "1m-qd4$sfx" "$rep" "$disk" 1M 4
		fi
		log "wb rep $rep on $disk done"
	done
}

run_wb() {
	local disk slow= size
	disk=${ZSWAPBLK_DISKS%% *}
	if [ -z "$disk" ] || [ ! -b "$disk" ]; then
		failure "writeback: no disk (vmrun.sh -d)"
		return 1
	fi
	if [ "${ZSWAPBLK_BENCH_DISK_MBPS:-0}" != 0 ]; then
		slow=$(echo "$ZSWAPBLK_DISKS" | awk '{print $2}')
		[ -b "$slow" ] || { failure "writeback: no throttled disk (vmrun.sh -d MIB:MBPS)"; slow=; }
	fi
	size=$(blockdev --getsize64 "$disk")
	log "wb: ${WB_MIB} MiB through $disk ($((size >> 20)) MiB)${slow:+ and $slow}, $REPS reps"
	if [ ! -r /sys/block/zram0/writeback ] && [ ! -e /sys/block/zram0/backing_dev ]; then
		rec w=wbinfo zram_writeback=0
	else
		rec w=wbinfo zram_writeback=1 disk="$disk" disk_bytes="$size" \
			slow_disk="$slow" slow_mbps="${slow:+$ZSWAPBLK_BENCH_DISK_MBPS}"
	fi
	wb_disk "$disk" ""
	[ -n "$slow" ] && wb_disk "$slow" -slow
	[ "$PERF" = 1 ] && wb_perf "$disk"
}

# Profiles of "writeback idle" on each device (ZSWAPBLK_BENCH_PERF=1).
wb_perf() {
	local disk=$1 d sys
	for d in zswapblk zram; do
		[ "$d" = zram ] && [ ! -e /sys/block/zram0/backing_dev ] && continue
		log "perf: writeback idle on $d"
		sys=$(devsys "$d")
		fresh "$d" "$ALG" "$disk" || { failure "set up $d with backing_dev $disk"; return 1; }
		blk "$d" -w -p comp:9 -o 0 -l "${WB_MIB}M" -b 64K || return 1
		wr "$sys/idle" all || { failure "$d idle all"; return 1; }
		perf_run "wb-$d" sh -c "echo idle > $sys/writeback" || failure "$d writeback idle under perf"
		blk "$d" -v -p comp:9 -o 0 -l "${WB_MIB}M" -b 64K
		release "$d"
	done
}

# ---- main ---------------------------------------------------------------------------

cleanup() {
	swapoff -a 2>/dev/null
	[ -d "$CG" ] && rmdir "$CG" 2>/dev/null
	for h in /sys/block/zswapblk*/completion_hold; do [ -e "$h" ] && echo 0 > "$h"; done 2>/dev/null
}

main() {
	local w t0 t1
	trap cleanup EXIT
	setup || exit 1
	for w in fio swap mem comp exercise wb; do
		want "$w" || continue
		now t0
		"run_$w"
		now t1
		rec w=section name="$w" seconds="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')"
	done
	release zswapblk; release zram; release brd
	# A workload that died half-way (a shell error) left no section record.
	for w in $ONLY; do
		grep -q "\"name\":\"$w\"" "$REC" || failure "workload $w did not finish"
	done
	log "done: $(wc -l < "$REC") records, $(wc -l < "$ERRS") data errors"
	if [ -s "$ERRS" ]; then
		log "DATA ERRORS:"
		cat "$ERRS"
		exit 1
	fi
	if [ -s "$OUT/failures.txt" ]; then
		log "FAILURES (no data error):"
		cat "$OUT/failures.txt"
		exit 3
	fi
	exit 0
}

# One line, so that bash has read the whole file before main runs:
# the script may be edited on the host while a guest runs it.
main "$@"; exit
