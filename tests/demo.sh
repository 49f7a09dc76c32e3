#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run in a guest by `make demo`: zswapblk as the only swap device
# under a memory-hungry workload, then what the device and the kernel saw.
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=zswapblk0
SYS=/sys/block/$DEV
CG=/sys/fs/cgroup/demo
ZSWAPCTL=userspace/zswapctl/zswapctl

say() { printf '\n== %s\n' "$*"; }
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
mib() { echo "$(( $1 / 1048576 )) MiB"; }

say "kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print int($2/1024) }' /proc/meminfo) MiB RAM"
bash tests/vm/load-module.sh num_devices=1

say "configure /dev/$DEV: lz4, 512 MiB, swap priority 100"
echo lz4 > "$SYS/comp_algorithm"
echo 512M > "$SYS/disksize"
mkswap "/dev/$DEV" >/dev/null
swapon -p 100 "/dev/$DEV"
echo "features:      $(cat "$SYS/features")"
echo "stable_writes: $(cat "$SYS/queue/stable_writes") (swapon sets SWP_STABLE_WRITES)"
echo "rotational:    $(cat "$SYS/queue/rotational")"
swapon --show

declare -A before
for k in pswpout pswpin pgmajfault pgreuse; do before[$k]=$(vmstat $k); done

say "workload: 256 MiB of checksummed pages in a 64 MiB memory cgroup, 3 random passes"
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p "$CG"
echo 64M > "$CG/memory.max"
out=$(mktemp)
(
	echo $BASHPID > "$CG/cgroup.procs"
	exec tests/progs/memstress -m 256 -p 3 -S "$SYS/mm_stat"
) > "$out" 2>&1 &
work=$!
# keep the mm_stat snapshot taken when the device held the most data
peak="0"
while kill -0 "$work" 2>/dev/null; do
	read -r line < "$SYS/mm_stat"
	set -- $line
	[ "$1" -gt "${peak%% *}" ] && peak=$line
	sleep 2
done
rc=0
wait "$work" || rc=$?
grep '^#' "$out" || true
if [ "$rc" != 0 ]; then
	cat "$out"
	echo "workload failed (rc $rc): every page is checksummed, see above"
	exit 1
fi

say "what /dev/$DEV held at its fullest (mm_stat), and its I/O (io_stat)"
read -r orig compr used limit used_max same compacted huge huge_since zero <<< "$peak"
read -r frd fwr inval notify wif wif_max async held < "$SYS/io_stat"
echo "data stored:        $(mib "$orig")"
echo "compressed:         $(mib "$compr")   ratio $(awk -v o="$orig" -v c="$compr" 'BEGIN { printf "%.2f", c ? o / c : 0 }')"
echo "memory used:        $(mib "$used")"
echo "same-filled pages:  $same (zero pages in the bitmap: $zero)"
echo "incompressible:     $huge pages"
echo "writes completed asynchronously by workers: $async"
echo "most writes in flight at once:              $wif_max"
echo "slots freed by swap (notify_free):          $notify"
echo "failed reads/writes:                        $frd/$fwr"

say "what the kernel counted during the workload (/proc/vmstat)"
for k in pswpout pswpin pgmajfault pgreuse; do
	printf '%-11s +%s\n' "$k" $(( $(vmstat $k) - ${before[$k]} ))
done

if [ -x "$ZSWAPCTL" ]; then
	say "zswapctl"
	"$ZSWAPCTL" || true
fi

swapoff "/dev/$DEV"
echo 1 > "$SYS/reset"
say "done: swapoff, reset"
