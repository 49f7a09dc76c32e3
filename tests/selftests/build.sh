#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the kernel's own mm selftests that tests/guest/75-mm-selftests.sh
# runs, from Debian's linux-source packages (tests/vm/setup-host.sh installs
# them), never writing into /usr/src.
#
#   tests/selftests/build.sh [-f] [TREE...]     TREE: 6.1, 6.12 (default: both)
#
# For each TREE it extracts only what the build needs from
# /usr/src/linux-source-TREE.tar.xz (the top Makefile, scripts/, include/,
# arch/x86/, tools/include/ and the selftests) into build/selftests/TREE/src,
# makes the UAPI headers with `make O=... headers` (headers_install needs
# rsync, which is not installed) and builds the programs into
# build/selftests/TREE/bin:
#
#   6.12: cow madv_populate khugepaged   (tools/testing/selftests/mm)
#   6.1:  madv_populate khugepaged       (tools/testing/selftests/vm; 6.1
#         has no cow: it appeared in 6.2, so 6.1 guests run 6.12's cow)
#
# The trees are built in parallel.  A finished tree is cached: bin/.stamp
# records the tarball (size, mtime) and this script's checksum, and a second
# run with the same stamp does nothing.  -f rebuilds anyway.  JOBS (2) is
# make's -j for each tree.  cow needs liburing-dev for its io_uring
# cases: without it the selftests' check_config.sh drops them silently, so
# the build fails here instead.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out_top=${ZSWAPBLK_SELFTESTS:-$repo/build/selftests}
jobs=${JOBS:-2}

log() { echo "selftests: $*" >&2; }

force=0
if [ "${1:-}" = -f ]; then
	force=1
	shift
fi
[ $# -gt 0 ] || set -- 6.1 6.12

# progs TREE: the selftests directory and the programs built from it.
progs() {
	case $1 in
	6.1)	sdir=vm; bins="madv_populate khugepaged" ;;
	*)	sdir=mm; bins="cow madv_populate khugepaged" ;;
	esac
}

build_tree() {
	local tree=$1 tarball=/usr/src/linux-source-$1.tar.xz
	local out=$out_top/$1 top=linux-source-$1 want t0 b st targets=()
	local sdir bins
	progs "$tree"
	[ -f "$tarball" ] || { log "$tarball missing: run 'make deps'"; return 1; }

	want="$(stat -c '%s %Y' "$tarball") $(cksum < "$0")"
	if [ $force = 0 ] && [ -f "$out/bin/.stamp" ] &&
	   [ "$(< "$out/bin/.stamp")" = "$want" ]; then
		for b in $bins; do [ -x "$out/bin/$b" ] || break; done
		if [ -x "$out/bin/$b" ]; then
			log "$tree: cached in ${out#"$repo"/}/bin ($bins)"
			return 0
		fi
	fi

	t0=$SECONDS
	rm -rf "$out"
	mkdir -p "$out/src" "$out/khdr" "$out/bin"
	st=$top/tools/testing/selftests
	log "$tree: extracting from $tarball"
	tar -xJf "$tarball" -C "$out/src" --strip-components=1 \
		"$top/Makefile" "$top/scripts" "$top/include" "$top/arch/x86" \
		"$top/tools/include" "$top/tools/arch/x86" "$top/mm/gup_test.h" \
		"$st/lib.mk" "$st/kselftest.h" "$st/kselftest_harness.h" \
		"$st/kselftest" "$st/x86/check_cc.sh" \
		"$st/x86/trivial_32bit_program.c" "$st/x86/trivial_64bit_program.c" \
		"$st/$sdir"
	log "$tree: UAPI headers ($((SECONDS - t0)) s so far)"
	make -s -C "$out/src" O="$out/khdr" -j"$jobs" headers > "$out/headers.log" 2>&1 ||
		{ cat "$out/headers.log" >&2; log "$tree: make headers failed"; return 1; }

	log "$tree: building $bins ($((SECONDS - t0)) s so far)"
	# khugepaged.c of 6.12.117 uses KSFT_SKIP without kselftest.h.
	for b in $bins; do targets+=("$out/bin/$b"); done
	make -C "$out/src/tools/testing/selftests/$sdir" -j"$jobs" \
		OUTPUT="$out/bin" KHDR_INCLUDES="-isystem $out/khdr/usr/include" \
		EXTRA_CFLAGS=-DKSFT_SKIP=4 "${targets[@]}" > "$out/build.log" 2>&1 ||
		{ cat "$out/build.log" >&2; log "$tree: build failed"; return 1; }
	for b in $bins; do
		[ -x "$out/bin/$b" ] || { log "$tree: $b was not built"; return 1; }
	done
	if [[ " $bins " == *" cow "* ]] &&
	   ! grep -q LIBURING "$out/src/tools/testing/selftests/$sdir/local_config.h"; then
		log "$tree: cow built without io_uring (liburing-dev missing: run 'make deps')"
		return 1
	fi
	echo "$want" > "$out/bin/.stamp"
	log "$tree: built $bins in $((SECONDS - t0)) s"
}

# The trees build in parallel: each is mostly one xz process.
pids=()
for tree in "$@"; do
	build_tree "$tree" &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done
exit $rc
