#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the in-guest zswapblk test suite: every tests/guest/NN-*.sh in order.
#
#   tests/guest/run-all.sh [-t SECONDS] [PREFIX...]
#
# PREFIX limits the run to scripts whose name starts with it (e.g. "10 40").
# -t is the time limit of each script (default 480 s; env ZB_TEST_TIMEOUT).
#
# Each script prints TAP and exits 0 (pass), 4 (skipped as a whole) or
# anything else (failure).  Its lines are shown indented under a top-level
# "ok N - script" line; a copy goes to $VMOUT/<script>.tap when VMOUT is set.
# Assertions are counted across all scripts; a script that fails without a
# failed assertion (crash, timeout) or leaves the module loaded counts as one
# more failure.  The last line is "N passed, N failed, N skipped"; the exit
# status is 1 if anything failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 1

limit=${ZB_TEST_TIMEOUT:-480}
if [ "${1:-}" = -t ]; then
	limit=$2
	shift 2
fi

scripts=()
for s in "$here"/[0-9][0-9]-*.sh; do
	name=${s##*/}
	if [ $# -gt 0 ]; then
		want=0
		for p in "$@"; do [[ $name == "$p"* ]] && want=1; done
		[ $want = 1 ] || continue
	fi
	scripts+=("$s")
done

outdir=${VMOUT:-}
[ -n "$outdir" ] && [ -d "$outdir" ] && [ -w "$outdir" ] || outdir=$(mktemp -d /tmp/zswapblk-suite.XXXXXX)

IFS= read -r krel < /proc/sys/kernel/osrelease
echo "TAP version 13"
if [ -n "${ZSWAPBLK_TEST_BUILD:-}" ]; then
	module=$ZSWAPBLK_TEST_BUILD/$krel/zswapblk.ko
else
	module=${ZSWAPBLK_MODULE:-build/$krel/zswapblk.ko}
fi
echo "# zswapblk guest suite on $krel, module $module"
echo "1..${#scripts[@]}"

pass=0 fail=0 skip=0 n=0
t_suite=${EPOCHREALTIME/[.,]/}
for s in "${scripts[@]}"; do
	name=${s##*/}
	n=$((n + 1))
	out=$outdir/${name%.sh}.tap
	t0=${EPOCHREALTIME/[.,]/}
	echo "# ---- $name"
	timeout -k 10 "$limit" bash "$s" > "$out" 2>&1 < /dev/null
	rc=$?
	t1=${EPOCHREALTIME/[.,]/}

	p=0 f=0 k=0
	while IFS= read -r line; do
		case $line in
		"not ok "*)	f=$((f + 1)) ;;
		"ok "*"# SKIP"*) k=$((k + 1)) ;;
		"ok "*)		p=$((p + 1)) ;;
		esac
		printf '    %s\n' "$line"
	done < "$out"

	status=ok note=
	if [ $rc -eq 4 ] && [ $f -eq 0 ]; then
		[ $((p + k)) -eq 0 ] && k=1
		note=" # SKIP"
	elif [ $rc -ne 0 ]; then
		status="not ok"
		[ $rc -eq 124 ] && note=" # timed out after ${limit}s"
		[ $f -eq 0 ] && f=1
	fi
	# A script must leave no module and no swap behind.
	if [ -d /sys/module/zswapblk ]; then
		for h in /sys/block/zswapblk*/completion_hold; do
			[ -e "$h" ] && echo 0 > "$h" 2>/dev/null
		done
		mapfile -t swaps < /proc/swaps
		for dev in "${swaps[@]%% *}"; do
			[[ $dev == /dev/zswapblk* ]] && swapoff "$dev"
		done
		rmmod zswapblk 2>/dev/null
		echo "    # $name left zswapblk loaded$([ -d /sys/module/zswapblk ] && echo ', and rmmod fails')"
		status="not ok"
		f=$((f + 1))
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + k))
	printf '%s %d - %s%s\n' "$status" "$n" "$name" "$note"
	printf '# %s: exit %d, %d passed, %d failed, %d skipped, %d.%d s\n' "$name" "$rc" \
		"$p" "$f" "$k" $(((t1 - t0) / 1000000)) $(((t1 - t0) / 100000 % 10))
done
t_end=${EPOCHREALTIME/[.,]/}
printf '# suite took %d s\n' $(((t_end - t_suite) / 1000000))
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
