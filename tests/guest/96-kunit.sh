#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 96-kunit: the KUnit tests of the driver's internals (driver/zswapblk_kunit.c,
# module zswapblk_kunit, built only for a kernel with CONFIG_KUNIT).  Loads
# zswapblk, then zswapblk_kunit, whose suites run at load, and turns every
# KUnit result into a TAP assertion: each test case, each parameter of a
# parameterised case, and each suite as a whole.  The results are read from
# debugfs (/sys/kernel/debug/kunit/<suite>/results, CONFIG_KUNIT_DEBUGFS), or
# else from the KTAP the suites print to the kernel log.
#
# Skips on a kernel without KUnit (Debian's).  The test module is looked for
# next to zswapblk.ko, and in its driver/ build directory.
# Variables are set by name (rd).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

SUITES=(zswapblk_slots zswapblk_parse)
KDBG=/sys/kernel/debug/kunit

[ "$EUID" = 0 ] || skip_all "needs root"
if [ ! -d /sys/module/kunit ]; then
	modprobe kunit 2> /dev/null
	[ -d /sys/module/kunit ] || skip_all "the kernel has no KUnit (CONFIG_KUNIT)"
fi
if [ -r /sys/module/kunit/parameters/enable ] &&
   rd kenable /sys/module/kunit/parameters/enable && [ "$kenable" != Y ]; then
	skip_all "KUnit is disabled (kunit.enable=$kenable)"
fi

zb_test_begin
kunit_cleanup() { [ -d /sys/module/zswapblk_kunit ] && rmmod zswapblk_kunit; }
ZB_CLEANUP=kunit_cleanup

mod_dir=${ZB_MODULE%/*}
KMOD=
for m in "$mod_dir/zswapblk_kunit.ko" "$mod_dir/driver/zswapblk_kunit.ko"; do
	[ -f "$m" ] && { KMOD=$m; break; }
done
[ -n "$KMOD" ] || bail "zswapblk_kunit.ko is built for a kernel with KUnit" \
	"not found in $mod_dir or $mod_dir/driver (make modules for $ZB_KREL)"
tap_diag "test module: $KMOD"

check "insmod zswapblk" zb_load || bail "module does not load"
echo "zswapblk-test: kunit start" > /dev/kmsg
check "insmod zswapblk_kunit (the suites run at load)" insmod "$KMOD" ||
	bail "the test module does not load"

# Where the KTAP of each suite comes from: debugfs, else the kernel log.
ktap_dir=$ZB_TMP/ktap
mkdir -p "$ktap_dir"
if [ -d "$KDBG" ]; then
	src=debugfs
	for s in "${SUITES[@]}"; do
		if [ -r "$KDBG/$s/results" ]; then
			cp "$KDBG/$s/results" "$ktap_dir/$s"
		fi
	done
else
	src="kernel log"
	# Everything after our marker, without the "[ time] " prefix.
	dmesg > "$ZB_TMP/dmesg" 2>&1
	started=0
	while IFS= read -r line; do
		[[ $line =~ ^\[\ *[0-9]+\.[0-9]+\]\ ?(.*)$ ]] && line=${BASH_REMATCH[1]}
		if [ $started = 0 ]; then
			[[ $line == *"zswapblk-test: kunit start"* ]] && started=1
			continue
		fi
		printf '%s\n' "$line"
	done < "$ZB_TMP/dmesg" > "$ZB_TMP/klog"
	# A suite's lines: from its "# Subtest: NAME" to its "ok N NAME".
	for s in "${SUITES[@]}"; do
		in=0
		while IFS= read -r line; do
			[[ $line =~ ^\ *#\ Subtest:\ $s$ ]] && in=1
			[ $in = 1 ] && printf '%s\n' "$line"
			[[ $in = 1 && $line =~ ^(not\ )?ok\ [0-9]+\ $s$ ]] && break
		done < "$ZB_TMP/klog" > "$ktap_dir/$s"
		[ -s "$ktap_dir/$s" ] || rm -f "$ktap_dir/$s"
	done
fi
tap_diag "KUnit results from the $src"

# import_suite SUITE FILE: one assertion per result line of FILE.  KTAP
# nests by 4 spaces: the suite's own result is not indented, its test cases
# are indented once, the parameters of a case (after its "# Subtest:"
# header) twice.  The other lines before a failed result (the failed
# expectations) become its diagnostics.
total=0 failed=0 skipped=0
import_suite() {
	local suite=$1 file=$2 line indent depth parent='' plan='' cases=0 suite_ok=''
	local -a diag=()
	while IFS= read -r line; do
		indent=${line%%[! ]*}
		depth=$(( (${#indent} - 4) / 4 ))
		line=${line#"$indent"}
		case $line in
		"# Subtest: "*)
			[ $depth -ge 1 ] && parent=${line#\# Subtest: }
			diag=() ;;
		"1.."*)	[ $depth -eq 0 ] && plan=${line#1..} ;;
		"KTAP version"*) ;;
		"ok "* | "not ok "*)
			local status=${line%%ok *}ok name=${line#*ok } directive=
			name=${name#* }
			if [[ $name == *" # "* ]]; then
				directive=${name#* # }
				name=${name%% # *}
			fi
			if [ $depth -lt 0 ]; then
				[ "$name" = "$suite" ] && suite_ok=$status
			elif [ $depth -eq 0 ]; then
				cases=$((cases + 1))
				[ "$name" = "$parent" ] && parent=
				report "$status" "$suite: $name" "$directive" "${diag[@]}"
			else
				report "$status" "$suite: ${parent:-?}: $name" "$directive" "${diag[@]}"
			fi
			diag=() ;;
		*)	[ ${#diag[@]} -lt 12 ] && diag+=("$line") ;;
		esac
	done < "$file"
	check_eq "$suite: as many case results as its plan (1..$plan)" "$cases" "${plan:-none}"
	check_eq "$suite: the suite passes" "${suite_ok:-missing}" ok
}

report() {
	local status=$1 desc=$2 directive=$3
	shift 3
	total=$((total + 1))
	if [[ $directive == SKIP* ]]; then
		skipped=$((skipped + 1))
		directive=${directive#SKIP}
		tap_skip "$desc" "${directive# }"
	elif [ "$status" = ok ]; then
		tap_ok "$desc"
	else
		failed=$((failed + 1))
		tap_fail "$desc" "$@"
	fi
}

for s in "${SUITES[@]}"; do
	if [ -f "$ktap_dir/$s" ]; then
		import_suite "$s" "$ktap_dir/$s"
	else
		tap_fail "suite $s ran" "no results in the $src"
	fi
done
tap_diag "KUnit: $total results, $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
check_cmp "KUnit ran test cases" "$total" -gt 0

check "rmmod zswapblk_kunit" rmmod zswapblk_kunit
check "rmmod zswapblk" zb_unload
tap_done
