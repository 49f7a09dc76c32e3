#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test part of `make check`: host tests, the ABI document check and the
# guest suite on both Debian kernels.  Every part runs even if one before it
# failed; the last line sums them up as "N passed, N failed[, N skipped]",
# and the exit status is non-zero if any part failed.
set -uo pipefail
cd "$(dirname "$0")/.."

logs=build/check
mkdir -p "$logs"
total_p=0 total_f=0 total_s=0 bad=0

# run NAME COMMAND...: run a part, show its output, add up its closing line.
run() {
	local name=$1 log=$logs/$1.log rc line p f s
	shift
	echo "==== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		read -r p _ f _ s _ <<< "${line//,/}"
		total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + ${s:-0}))
	else
		# a TAP stream without the closing line: count its results
		p=$(grep -cE '^ok [0-9]+' "$log" || true)
		f=$(grep -cE '^not ok [0-9]+' "$log" || true)
		total_p=$((total_p + p)) total_f=$((total_f + f))
	fi
	if [ "$rc" != 0 ]; then
		bad=1
		echo "==== $name failed (exit $rc), log: $log"
		# a failure the counts do not show still counts
		[ "${f:-0}" -gt 0 ] || total_f=$((total_f + 1))
	fi
}

run host-zswapctl bash tests/host/run.sh
run host-abi-doc python3 tests/host/abi_doc.py
run vm-suite bash tests/vm/run-suite.sh "$@"

echo "==== summary: host tests, ABI document, guest suite on ${ZSWAPBLK_KERNELS:-both kernels}"
if [ "$total_s" -gt 0 ]; then
	echo "$total_p passed, $total_f failed, $total_s skipped"
else
	echo "$total_p passed, $total_f failed"
fi
exit "$bad"
