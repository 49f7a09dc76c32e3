#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of zswapctl: no module, no root needed.  zswapctl runs with
# --sysroot against a fabricated /sys and /proc of regular files (and a few
# FIFOs that record the order of the writes).  TAP output; the exit status
# is non-zero when a test failed; the last line is "N passed, N failed".
#
#   tests/host/run.sh [-v]       -v: show the output of every command
#
# ZSWAPCTL=<path> tests another binary; by default userspace/zswapctl is
# built first.
#
# Checks are strings evaluated by check(), hence single quotes around "$..."
# and variables that seem unused:
# shellcheck disable=SC2016,SC2034,SC2001
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
VERBOSE=0
[ "${1:-}" = -v ] && VERBOSE=1

if [ -z "${ZSWAPCTL:-}" ]; then
	ZSWAPCTL=$TOP/userspace/zswapctl/zswapctl
	if ! make -s -C "$TOP/userspace/zswapctl" >&2; then
		echo "Bail out! cannot build zswapctl"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi

# The pyenv shim, if any, costs a third of a second per call.
PYTHON=$(command -v /usr/bin/python3 || command -v python3)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/zswapctl-host.XXXXXX")
BGPIDS=()
cleanup() {
	local p
	for p in "${BGPIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# ------------------------------------------------------------------ TAP

NTEST=0
NPASS=0
NFAIL=0
NSKIP=0
OUT=
ERR=
RC=0

echo "TAP version 13"

# run CMD...: capture stdout, stderr and the exit status
run() {
	OUT=$("$@" 2>"$TMP/stderr")
	RC=$?
	ERR=$(<"$TMP/stderr")
	if [ "$VERBOSE" = 1 ]; then
		echo "# \$ $*"
		[ -n "$OUT" ] && sed 's/^/# > /' <<<"$OUT"
		[ -n "$ERR" ] && sed 's/^/# 2> /' <<<"$ERR"
		echo "# rc=$RC"
	fi
}

# zctl ARGS...: run zswapctl against the default fake tree
zctl() {
	run "$ZSWAPCTL" --sysroot "$ROOT" "$@"
}

pass() {
	NTEST=$((NTEST + 1))
	NPASS=$((NPASS + 1))
	echo "ok $NTEST - $1"
}

fail() {
	NTEST=$((NTEST + 1))
	NFAIL=$((NFAIL + 1))
	echo "not ok $NTEST - $1"
	shift
	local l
	for l in "$@"; do
		echo "#   $l"
	done
	echo "#   rc=$RC"
	[ -n "$OUT" ] && sed 's/^/#   stdout: /' <<<"$OUT"
	[ -n "$ERR" ] && sed 's/^/#   stderr: /' <<<"$ERR"
	return 0
}

skip() {
	NTEST=$((NTEST + 1))
	NSKIP=$((NSKIP + 1))
	NPASS=$((NPASS + 1))
	echo "ok $NTEST - $1 # SKIP $2"
}

# check DESC COND...: every condition is a shell command; all must succeed
check() {
	local desc=$1 c
	shift
	for c in "$@"; do
		if ! eval "( $c )"; then
			fail "$desc" "failed: $c"
			return
		fi
	done
	pass "$desc"
}

has() { grep -qF -- "$2" <<<"$1"; }
lacks() { ! grep -qF -- "$2" <<<"$1"; }

# json EXPR: evaluate a Python expression over the JSON in $OUT (as d)
json() {
	"$PYTHON" -c 'import json, sys; d = json.load(sys.stdin); sys.exit(0 if ('"$1"') else 1)' <<<"$OUT"
}

# ------------------------------------------------------------ fake trees

# attr DIR NAME VALUE: a sysfs attribute as a regular file
attr() {
	mkdir -p "$(dirname "$1/$2")"
	printf '%s\n' "$3" >"$1/$2"
}

# An attribute that was never written reads as empty; this one is WO.
wo() {
	mkdir -p "$(dirname "$1/$2")"
	: >"$1/$2"
}

# zdev ROOT N DISKSIZE: a zswapblk disk with the current ABI's files
zdev() {
	local d=$1/sys/block/zswapblk$2 init=0
	[ "$3" != 0 ] && init=1
	mkdir -p "$d"
	attr "$d" disksize "$3"
	attr "$d" initstate "$init"
	attr "$d" dev "254:$2"
	attr "$d" comp_algorithm "lzo lzo-rle [lz4] zstd"
	attr "$d" algorithm_params ""
	attr "$d" mem_limit 0
	attr "$d" mem_used_max 0
	attr "$d" features "async_write stable_writes zero_bitmap same_filled completion_hold writeback"
	attr "$d" completion_hold 0
	attr "$d" backing_dev none
	attr "$d" mm_stat "0 0 0 0 0 0 0 0 0 0"
	attr "$d" io_stat "0 0 0 0 0 0 0 0"
	attr "$d" bd_stat "0 0 0 0 0 0 0 0 0"
	attr "$d" debug_stat "version: 1
0 0 0 0"
	attr "$d" queue/stable_writes 1
	attr "$d" queue/rotational 0
	wo "$d" reset
	wo "$d" compact
}

# The default tree:
#   zswapblk0  1 GiB, swap ([SWAP]), lz4, with stats
#   zswapblk1  512 MiB, zstd, mounted on "/mnt/with space", backing /dev/vdb
#   zswapblk2  not initialised
#   zswapblk3  an older driver: short mm_stat, no io_stat, bd_stat, backing_dev
#   sda        not ours
mk_tree() {
	local r=$1
	mkdir -p "$r/proc" "$r/sys/block/sda" "$r/sys/class/zswapblk-control"
	zdev "$r" 0 1073741824
	attr "$r/sys/block/zswapblk0" mm_stat "419430400 104857600 110100480 0 115343360 12 0 3 5 7"
	attr "$r/sys/block/zswapblk0" io_stat "0 0 0 5 2 64 900 0"
	zdev "$r" 1 536870912
	attr "$r/sys/block/zswapblk1" comp_algorithm "lzo lzo-rle lz4 [zstd]"
	attr "$r/sys/block/zswapblk1" backing_dev /dev/vdb
	attr "$r/sys/block/zswapblk1" bd_stat "10 2 12 3 0 0 0 0 0"
	attr "$r/sys/block/zswapblk1" mem_limit 268435456
	attr "$r/sys/block/zswapblk1" mm_stat "4096 1024 8192 268435456 8192 0 0 0 0 1"
	zdev "$r" 2 0
	zdev "$r" 3 2147483648
	rm -f "$r/sys/block/zswapblk3/io_stat" "$r/sys/block/zswapblk3/bd_stat" \
	      "$r/sys/block/zswapblk3/backing_dev"
	attr "$r/sys/block/zswapblk3" mm_stat "8192 4096 12288 0 12288 0 0"
	attr "$r/sys/block/sda" size 1000
	printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/zswapblk0                          partition\t1048572\t\t0\t\t100\n' \
		>"$r/proc/swaps"
	printf '/dev/vda1 / ext4 rw 0 0\n/dev/zswapblk1 /mnt/with\\040space ext4 rw 0 0\n' \
		>"$r/proc/mounts"
	attr "$r/sys/class/zswapblk-control" hot_add 7
	wo "$r/sys/class/zswapblk-control" hot_remove
	mkdir -p "$r/proc/sys/kernel"
	attr "$r/proc/sys/kernel" osrelease "6.12.117+deb12-amd64"
}

ROOT=$TMP/root
mk_tree "$ROOT"
Z0=$ROOT/sys/block/zswapblk0
Z1=$ROOT/sys/block/zswapblk1
Z2=$ROOT/sys/block/zswapblk2
TRYHELP="Try 'zswapctl --help' for more information."

# ------------------------------------------------------------ basics

check "binary exists" "[ -x '$ZSWAPCTL' ]"

run "$ZSWAPCTL" --help
check "--help: exit 0, usage on stdout, nothing on stderr" \
	'[ $RC = 0 ]' 'has "$OUT" "Usage:"' 'has "$OUT" "--sysroot"' \
	'[ -z "$ERR" ]'
check "--help lists every column of the column table" \
	'for c in NAME DISKSIZE DATA COMPR ALGORITHM ZERO-PAGES TOTAL MEM-LIMIT MEM-USED MOUNTPOINT BACKING WB-PAGES WB-INFLIGHT INFLIGHT; do grep -q "^ *$c  " <<<"$OUT" || exit 1; done'

run "$ZSWAPCTL" -V
check "-V prints the version" '[ $RC = 0 ]' 'has "$OUT" "zswapctl from zswapblk "'

run "$ZSWAPCTL" --bogus
check "unknown option: non-zero, message, try --help" \
	'[ $RC != 0 ]' 'has "$ERR" "unrecognized option"' \
	'[ "$(tail -n1 <<<"$ERR")" = "$TRYHELP" ]' '[ -z "$OUT" ]'

run "$ZSWAPCTL" -s
check "missing option argument: non-zero, try --help" \
	'[ $RC != 0 ]' 'has "$ERR" "$TRYHELP"'

run "$ZSWAPCTL" --sysroot "$TMP/nonexistent"
check "--sysroot to a missing directory fails" \
	'[ $RC != 0 ]' 'has "$ERR" "No such file or directory"'

# ------------------------------------------------------------ listing

zctl
HDR=$(head -n1 <<<"$OUT" | tr -s ' ')
check "listing: default columns" '[ $RC = 0 ]' \
	'[ "$HDR" = "NAME DISKSIZE DATA COMPR ALGORITHM ZERO-PAGES TOTAL MEM-LIMIT MEM-USED INFLIGHT MOUNTPOINT" ]'
R0=$(grep '^/dev/zswapblk0 ' <<<"$OUT" | tr -s ' ')
R1=$(grep '^/dev/zswapblk1 ' <<<"$OUT" | tr -s ' ')
check "listing: initialised devices only, ours only, in order" \
	'[ "$(awk "NR > 1 { print \$1 }" <<<"$OUT" | tr "\n" " ")" = "/dev/zswapblk0 /dev/zswapblk1 /dev/zswapblk3 " ]'
check "listing: values of a swap device" \
	'[ "$R0" = "/dev/zswapblk0 1G 400M 100M lz4 7 105M 0B 110M 2 [SWAP]" ]'
check "listing: mount point with an escaped space, zstd, mem limit" \
	'[ "$R1" = "/dev/zswapblk1 512M 4K 1K zstd 1 8K 256M 8K 0 /mnt/with space" ]'

zctl -b
check "-b: sizes in bytes" '[ $RC = 0 ]' \
	'grep -q "^/dev/zswapblk0 *1073741824 *419430400 *104857600 *lz4 " <<<"$OUT"'

zctl -n
check "-n: no header" '[ $RC = 0 ]' 'lacks "$OUT" "DISKSIZE"' \
	'[ "$(wc -l <<<"$OUT")" = 3 ]'

zctl --raw -o NAME,DISKSIZE,ALGORITHM
check "--raw -o NAME,DISKSIZE,ALGORITHM" '[ $RC = 0 ]' \
	'[ "$OUT" = "NAME DISKSIZE ALGORITHM
/dev/zswapblk0 1G lz4
/dev/zswapblk1 512M zstd
/dev/zswapblk3 2G lz4" ]'

zctl --raw -o name,mountpoint -n zswapblk1
check "--raw escapes blanks; column names are case-insensitive" \
	'[ $RC = 0 ]' '[ "$OUT" = "/dev/zswapblk1 /mnt/with\x20space" ]'

zctl -o +BACKING,WB-PAGES,WB-INFLIGHT --raw
check "-o +COL extends the default columns" '[ $RC = 0 ]' \
	'[ "$(head -n1 <<<"$OUT")" = "NAME DISKSIZE DATA COMPR ALGORITHM ZERO-PAGES TOTAL MEM-LIMIT MEM-USED INFLIGHT MOUNTPOINT BACKING WB-PAGES WB-INFLIGHT" ]' \
	'grep -q "^/dev/zswapblk1 .* /dev/vdb 10 3$" <<<"$OUT"' \
	'grep -q "^/dev/zswapblk0 .*\[SWAP\]  0 0$" <<<"$OUT"'

zctl -o NAME,FOO
check "-o with an unknown column fails" '[ $RC != 0 ]' \
	'has "$ERR" "zswapctl: unknown column: FOO"' '[ -z "$OUT" ]'

zctl -o NAME,
check "-o with an empty column name fails" '[ $RC != 0 ]' \
	'has "$ERR" "empty column name"'

zctl --output-all --raw
check "--output-all prints every column" '[ $RC = 0 ]' \
	'for c in NAME DISKSIZE BACKING WB-PAGES WB-INFLIGHT INFLIGHT SAME-PAGES HUGE-PAGES MIGRATED HELD HOLD PARAMS; do grep -qw -- "$c" <<<"$(head -n1 <<<"$OUT")" || exit 1; done'

zctl -J
check "-J: valid JSON" '[ $RC = 0 ]' '"$PYTHON" -m json.tool >/dev/null <<<"$OUT"'
check "-J: numbers are JSON numbers, in bytes" \
	'json "d[\"zswapblk\"][0][\"disksize\"] == 1073741824 and d[\"zswapblk\"][0][\"zero-pages\"] == 7 and d[\"zswapblk\"][0][\"inflight\"] == 2"'
check "-J: strings and [SWAP]" \
	'json "d[\"zswapblk\"][0][\"name\"] == \"/dev/zswapblk0\" and d[\"zswapblk\"][0][\"mountpoint\"] == \"[SWAP]\" and d[\"zswapblk\"][1][\"algorithm\"] == \"zstd\""'
check "-J: values an older driver lacks are null" \
	'json "d[\"zswapblk\"][2][\"name\"] == \"/dev/zswapblk3\" and d[\"zswapblk\"][2][\"zero-pages\"] is None and d[\"zswapblk\"][2][\"inflight\"] is None and d[\"zswapblk\"][2][\"data\"] == 8192"'

zctl -J --output-all
check "-J --output-all: valid JSON, missing writeback files are null" \
	'[ $RC = 0 ]' \
	'json "d[\"zswapblk\"][2][\"backing\"] is None and d[\"zswapblk\"][2][\"wb-pages\"] is None and d[\"zswapblk\"][1][\"backing\"] == \"/dev/vdb\" and d[\"zswapblk\"][1][\"wb-inflight\"] == 3 and d[\"zswapblk\"][0][\"backing\"] is None"'

zctl /dev/zswapblk2 --raw -o NAME,DISKSIZE
check "a named device is listed even if not initialised" '[ $RC = 0 ]' \
	'[ "$(tail -n1 <<<"$OUT")" = "/dev/zswapblk2 0B" ]'

zctl /dev/zswapblk9
check "listing an unknown device fails" '[ $RC != 0 ]' \
	'[ "$ERR" = "zswapctl: /dev/zswapblk9: No such device" ]' '[ -z "$OUT" ]'

zctl /dev/sda
check "listing a device that is not ours fails" '[ $RC != 0 ]' \
	'[ "$ERR" = "zswapctl: /dev/sda: not a zswapblk device" ]'

zctl -J --raw
check "-J and --raw are mutually exclusive" '[ $RC != 0 ]' \
	'has "$ERR" "mutually exclusive arguments: --json --raw"'

zctl -o NAME --output-all
check "-o and --output-all are mutually exclusive" '[ $RC != 0 ]' \
	'has "$ERR" "mutually exclusive arguments"'

EMPTY=$TMP/empty
mkdir -p "$EMPTY/sys/block" "$EMPTY/proc"
run "$ZSWAPCTL" --sysroot "$EMPTY"
check "no devices: just the header" '[ $RC = 0 ]' '[ "$(wc -l <<<"$OUT")" = 1 ]'

# ------------------------------------------------------------ sizes

size_ok() {
	local in=$1 want=$2
	: >"$Z2/disksize"
	zctl -s "$in" zswapblk2
	[ $RC = 0 ] && [ "$(<"$Z2/disksize")" = "$want" ]
}
check "sizes: plain, K, KiB, KB, fractions, lower case, T, E" \
	'size_ok 4096 4096' 'size_ok 1K 1024' 'size_ok 1KiB 1024' \
	'size_ok 1KB 1000' 'size_ok 1.5G 1610612736' 'size_ok 2m 2097152' \
	'size_ok 0.5K 512' 'size_ok 3MB 3000000' 'size_ok 1T 1099511627776' \
	'size_ok 15E 17293822569102704640' 'size_ok 1.25GiB 1342177280'

size_bad() {
	zctl -s "$1" zswapblk2
	[ $RC != 0 ] && has "$ERR" "zswapctl: failed to parse size: '$1'" &&
		[ "$(<"$Z2/disksize")" = "" ]
}
: >"$Z2/disksize"
check "sizes: malformed ones are rejected" \
	"size_bad abc" "size_bad -1" "size_bad 1X" "size_bad 1.G" \
	"size_bad 1KiBx" "size_bad 1.5.5G" "size_bad ''" "size_bad 0x10" \
	"size_bad '1 G'"

size_big() {
	zctl -s "$1" zswapblk2
	[ $RC != 0 ] &&
		[ "$ERR" = "zswapctl: failed to parse size: '$1': Numerical result out of range" ]
}
check "sizes: overflow is reported as such" \
	'size_big 18446744073709551616' 'size_big 16E' 'size_big 16384P' \
	'size_big 99999999999999999999999' 'size_big 17179869184G'

zctl -s 0 zswapblk2
check "size 0 is rejected" '[ $RC != 0 ]' 'has "$ERR" "invalid size: '"'0'"'"'

zctl --mem-limit 12Q zswapblk2
check "--mem-limit is parsed as a size" '[ $RC != 0 ]' \
	'has "$ERR" "failed to parse memory limit: '"'12Q'"'"'

# ------------------------------------------------------------ configure

for f in disksize comp_algorithm algorithm_params mem_limit backing_dev reset; do
	: >"$Z2/$f"
done
zctl zswapblk2 -s 1G -a zstd -p level=9 --mem-limit 256M --backing-dev /dev/vdb
check "configure: every attribute gets its value" '[ $RC = 0 ]' \
	'[ -z "$OUT" ] && [ -z "$ERR" ]' \
	'[ "$(<$Z2/disksize)" = 1073741824 ]' '[ "$(<$Z2/comp_algorithm)" = zstd ]' \
	'[ "$(<$Z2/algorithm_params)" = level=9 ]' \
	'[ "$(<$Z2/mem_limit)" = 268435456 ]' '[ "$(<$Z2/backing_dev)" = /dev/vdb ]'
check "configure: an uninitialised device is not reset" '[ ! -s $Z2/reset ]'

: >"$Z1/reset"
zctl /dev/zswapblk1 -s 2G
check "configure: an initialised device is reset first" '[ $RC = 0 ]' \
	'[ "$(<$Z1/reset)" = 1 ]' '[ "$(<$Z1/disksize)" = 2147483648 ]'

# Write order: a tree whose attributes are FIFOs; a reader takes them in the
# expected order, so any other order blocks and times out.
ORD=$TMP/order
mk_tree "$ORD"
OD=$ORD/sys/block/zswapblk1
for f in reset comp_algorithm algorithm_params backing_dev mem_limit disksize; do
	rm -f "$OD/$f"
	mkfifo "$OD/$f"
done
(
	for f in reset comp_algorithm algorithm_params backing_dev mem_limit disksize; do
		printf '%s=%s\n' "$f" "$(cat "$OD/$f")"
	done >"$TMP/order.log"
) &
READER=$!
BGPIDS+=("$READER")
run timeout 10 "$ZSWAPCTL" --sysroot "$ORD" zswapblk1 --size 64M --algorithm lz4 \
	--algorithm-params level=1 --backing-dev /dev/vdc --mem-limit 32M
timeout 5 tail --pid="$READER" -f /dev/null 2>/dev/null
kill "$READER" 2>/dev/null
check "configure: writes in zramctl's order (reset ... disksize last)" \
	'[ $RC = 0 ]' \
	'[ "$(cat "$TMP/order.log" 2>/dev/null)" = "reset=1
comp_algorithm=lz4
algorithm_params=level=1
backing_dev=/dev/vdc
mem_limit=33554432
disksize=67108864" ]'

ln -sf /dev/full "$Z2/disksize"
zctl -s 1G zswapblk2
check "configure: a failed write names the device, the action and errno" \
	'[ $RC = 1 ]' \
	'[ "$ERR" = "zswapctl: /dev/zswapblk2: failed to set disksize: No space left on device" ]'
rm -f "$Z2/disksize"
: >"$Z2/disksize"

rm -f "$Z2/comp_algorithm"
mkdir "$Z2/comp_algorithm"
zctl -s 1G -a lz4 zswapblk2
check "configure: stops at the first failure" '[ $RC = 1 ]' \
	'[ "$ERR" = "zswapctl: /dev/zswapblk2: failed to set algorithm: Is a directory" ]' \
	'[ ! -s "$Z2/disksize" ]'
rmdir "$Z2/comp_algorithm"
: >"$Z2/comp_algorithm"

zctl -s 1G /dev/zswapblk9
check "configure: unknown device" '[ $RC != 0 ]' \
	'[ "$ERR" = "zswapctl: /dev/zswapblk9: No such device" ]'

zctl -s 1G /dev/sda
check "configure: not a zswapblk device" '[ $RC != 0 ]' \
	'[ "$ERR" = "zswapctl: /dev/sda: not a zswapblk device" ]'

zctl -s 1G
check "configure: no device" '[ $RC != 0 ]' 'has "$ERR" "no device specified"' \
	'has "$ERR" "$TRYHELP"'

zctl -s 1G zswapblk1 zswapblk2
check "configure: one device at a time" '[ $RC != 0 ]' \
	'has "$ERR" "only one device"'

: >"$Z0/mem_limit"
: >"$Z0/disksize"
zctl --mem-limit 1G zswapblk0
check "--mem-limit alone changes only mem_limit" '[ $RC = 0 ]' \
	'[ "$(<$Z0/mem_limit)" = 1073741824 ]' '[ ! -s $Z0/disksize ]'
attr "$Z0" disksize 1073741824

# ------------------------------------------------------------ conflicts

conflict() {
	zctl "$@"
	[ $RC != 0 ] && has "$ERR" "mutually exclusive"
}
check "conflicting options are rejected" \
	'conflict -f -r zswapblk0' 'conflict -r -s 1G zswapblk0' \
	'conflict --hold 10 --release zswapblk0' 'conflict -f --hold 10' \
	'conflict -r --mem-limit 1G zswapblk0' 'conflict -f -o NAME' \
	'conflict -o NAME -s 1G zswapblk0'

needs() {
	zctl "$@"
	[ $RC != 0 ] && has "$ERR" "$TRYHELP"
}
check "options that need another are rejected" \
	'needs -a lz4 zswapblk0' 'needs -p level=1 zswapblk0' \
	'needs --backing-dev /dev/vdb zswapblk0' 'needs --swapon zswapblk0' \
	'needs -s 1G --priority 5 zswapblk0' 'needs -J -s 1G zswapblk0' \
	'needs --raw -r zswapblk0'

zctl -f zswapblk0
check "--find with a device is rejected" '[ $RC != 0 ]' \
	'has "$ERR" "mutually exclusive with <device>"'

zctl -s 1G --swapon zswapblk2
check "--swapon is refused with --sysroot" '[ $RC != 0 ]' \
	'has "$ERR" "--swapon cannot be used with --sysroot"'

zctl -s 1G --swapon --priority 32768 zswapblk2
check "--priority range" '[ $RC != 0 ]' 'has "$ERR" "priority out of range"'

# ------------------------------------------------------------ find, reset, hold

zctl -f
check "-f prints the first uninitialised device" '[ $RC = 0 ]' \
	'[ "$OUT" = /dev/zswapblk2 ]'

for f in disksize reset; do : >"$Z2/$f"; done
zctl -f -s 8M
check "-f -s configures and prints the free device" '[ $RC = 0 ]' \
	'[ "$OUT" = /dev/zswapblk2 ]' '[ "$(<$Z2/disksize)" = 8388608 ]'

# hot_add: a FIFO whose writer creates the disk only when it is read, as the
# kernel does; every existing disk is initialised.
HOT=$TMP/hot
mk_tree "$HOT"
attr "$HOT/sys/block/zswapblk2" initstate 1
rm -f "$HOT/sys/class/zswapblk-control/hot_add"
mkfifo "$HOT/sys/class/zswapblk-control/hot_add"
(
	exec 3>"$HOT/sys/class/zswapblk-control/hot_add"
	zdev "$HOT" 4 0
	echo 4 >&3
) &
BGPIDS+=("$!")
run timeout 10 "$ZSWAPCTL" --sysroot "$HOT" -f -s 16M
check "-f reads hot_add when no device is free" '[ $RC = 0 ]' \
	'[ "$OUT" = /dev/zswapblk4 ]' \
	'[ "$(<$HOT/sys/block/zswapblk4/disksize)" = 16777216 ]'

NOCTL=$TMP/noctl
mk_tree "$NOCTL"
attr "$NOCTL/sys/block/zswapblk2" initstate 1
rm -rf "$NOCTL/sys/class/zswapblk-control"
run "$ZSWAPCTL" --sysroot "$NOCTL" -f
check "-f without a free device or the control class fails" '[ $RC != 0 ]' \
	'has "$ERR" "no free zswapblk device found"'

: >"$Z0/reset"
: >"$Z1/reset"
zctl -r zswapblk0 /dev/zswapblk1
check "-r resets every device" '[ $RC = 0 ]' \
	'[ "$(<$Z0/reset)" = 1 ]' '[ "$(<$Z1/reset)" = 1 ]'

: >"$Z0/reset"
zctl -r zswapblk9 zswapblk0
check "-r: a failure is reported, the other devices are still reset" \
	'[ $RC = 1 ]' '[ "$(<$Z0/reset)" = 1 ]' \
	'[ "$ERR" = "zswapctl: /dev/zswapblk9: failed to reset: No such device" ]'

zctl -r
check "-r without a device fails" '[ $RC != 0 ]' 'has "$ERR" "no device specified"'

zctl --hold 5000 zswapblk0
check "--hold writes completion_hold" '[ $RC = 0 ]' \
	'[ "$(<$Z0/completion_hold)" = 5000 ]'
zctl --release zswapblk0
check "--release writes 0" '[ $RC = 0 ]' '[ "$(<$Z0/completion_hold)" = 0 ]'

hold_bad() {
	zctl --hold "$1" zswapblk0
	[ $RC != 0 ] && has "$ERR" "$2"
}
check "--hold range and syntax" \
	'hold_bad 0 "hold time out of range"' \
	'hold_bad 600001 "hold time out of range"' \
	'hold_bad 1s "failed to parse hold time"' \
	'hold_bad -5 "failed to parse hold time"'

# ------------------------------------------------------------ estimate

EST=$TMP/est.bin
"$PYTHON" - "$EST" <<'EOF'
import os, random, struct, sys
ps = os.sysconf("SC_PAGE_SIZE")
rnd = random.Random(42)
with open(sys.argv[1], "wb") as f:
    for i in range(4):
        f.write(b"\0" * ps)                                   # zero
    for i in range(3):
        f.write(bytes([0xab]) * ps)                           # same-filled
    f.write(struct.pack("<Q", 0x1122334455667788) * (ps // 8))  # same word
    for i in range(5):
        f.write(bytes(rnd.getrandbits(8) for _ in range(ps)))  # random
    for i in range(2):
        f.write((b"hello zswapblk " * (ps // 15 + 1))[:ps])    # text
    f.write(b"tail" * 10)                                     # short page
EOF
PS=$(getconf PAGESIZE)

run "$ZSWAPCTL" estimate -J "$EST"
check "estimate: valid JSON, one row per algorithm" '[ $RC = 0 ]' \
	'"$PYTHON" -m json.tool >/dev/null <<<"$OUT"' \
	'json "[r[\"algorithm\"] for r in d[\"estimate\"]] == [\"lz4\", \"zstd-3\"]"'
check "estimate: pages, zero and same-filled pages" \
	'json "all(r[\"pages\"] == 16 and r[\"zero\"] == 4 and r[\"same\"] == 4 and r[\"data\"] == 16 * '"$PS"' for r in d[\"estimate\"])"'
check "estimate: random pages are incompressible, the rest compress" \
	'json "all(r[\"incompr\"] == 5 and 5 * '"$PS"' <= r[\"compr\"] < 6 * '"$PS"' and r[\"ratio\"] > 2.5 for r in d[\"estimate\"])"'

run "$ZSWAPCTL" estimate -a zstd -z 1,19 --raw -b "$EST"
check "estimate: --zstd-level list, --raw, -b" '[ $RC = 0 ]' \
	'[ "$(head -n1 <<<"$OUT")" = "ALGORITHM PAGES ZERO SAME DATA COMPR RATIO INCOMPR" ]' \
	'grep -q "^zstd-1 16 4 4 $((16 * PS)) " <<<"$OUT"' \
	'grep -q "^zstd-19 16 4 4 $((16 * PS)) " <<<"$OUT"' \
	'[ "$(wc -l <<<"$OUT")" = 3 ]'

head -c $((3 * PS)) /dev/zero >"$TMP/zero.bin"
run "$ZSWAPCTL" estimate -J -a lz4 "$TMP/zero.bin"
check "estimate: all-zero input has no ratio (null)" '[ $RC = 0 ]' \
	'json "d[\"estimate\"][0][\"zero\"] == 3 and d[\"estimate\"][0][\"compr\"] == 0 and d[\"estimate\"][0][\"ratio\"] is None"'

est_bad() {
	local want=$1
	shift
	run "$ZSWAPCTL" estimate "$@"
	[ $RC != 0 ] && has "$ERR" "$want"
}
check "estimate: bad usage is rejected" \
	'est_bad "no input specified"' \
	'est_bad "only one input" "$EST" "$EST"' \
	'est_bad "unsupported algorithm: lzo" -a lzo "$EST"' \
	'est_bad "zstd level out of range" -z 99 "$EST"' \
	'est_bad "failed to parse zstd level" -z x "$EST"' \
	'est_bad "mutually exclusive" --pid 1 "$EST"' \
	'est_bad "No such file or directory" "$TMP/missing"' \
	'est_bad "Try '"'zswapctl estimate --help'"'" --bogus'

sleep 30 &
SLEEPER=$!
BGPIDS+=("$SLEEPER")
run "$ZSWAPCTL" estimate -J -a lz4 --pid "$SLEEPER"
if [ $RC = 0 ]; then
	check "estimate --pid reads a process's anonymous memory" \
		'json "d[\"estimate\"][0][\"pages\"] > 0"'
elif has "$ERR" "Permission denied"; then
	skip "estimate --pid reads a process's anonymous memory" \
		"no ptrace access to the child"
else
	fail "estimate --pid reads a process's anonymous memory"
fi
kill "$SLEEPER" 2>/dev/null

# ------------------------------------------------------------ exercise

run "$ZSWAPCTL" exercise --help
check "exercise --help: exit 0, scenarios listed" '[ $RC = 0 ]' \
	'for s in read-held write-held read-write-released write-released fork-shared nostable-write-held; do has "$OUT" " $s " || exit 1; done'

run "$ZSWAPCTL" exercise --list
check "exercise --list" '[ $RC = 0 ]' '[ "$(wc -l <<<"$OUT")" = 6 ]'

ex_bad() {
	local want=$1
	shift
	run "$ZSWAPCTL" exercise "$@"
	[ $RC != 0 ] && has "$ERR" "$want"
}
check "exercise: bad usage is rejected" \
	'ex_bad "unknown scenario: nope" -S nope' \
	'ex_bad "Try '"'zswapctl exercise --help'"'" -S nope' \
	'ex_bad "pages out of range" --pages 0' \
	'ex_bad "failed to parse pages" --pages 1k' \
	'ex_bad "hold time out of range" --hold-ms 700000' \
	'ex_bad "unknown kernel model" --expect 5.10' \
	'ex_bad "unexpected argument" extra' \
	'ex_bad "failed to parse size" -s 1Z' \
	'ex_bad "--sysroot can only be used with --dry-run" --sysroot "$ROOT" --expect 6.12'

# The expectations follow the kernel release read below the sysroot.
plan() {
	attr "$ROOT/proc/sys/kernel" osrelease "$1"
	shift
	run "$ZSWAPCTL" exercise --sysroot "$ROOT" --dry-run -J "$@"
}
step() {	# step SCENARIO INDEX EXPR over the step as s
	json "[s for p in d[\"plan\"] if p[\"name\"] == \"$1\" for s in [p[\"children\"][$2]]] and [1 for p in d[\"plan\"] if p[\"name\"] == \"$1\" for s in [p[\"children\"][$2]] if $3]"
}
plan 6.1.0-56-amd64
check "dry-run 6.1: valid JSON, all six scenarios" '[ $RC = 0 ]' \
	'json "len(d[\"plan\"]) == 6"'
check "dry-run 6.1: read under writeback maps the cache page, not exclusive" \
	'step read-held 0 "s[\"fault\"] == \"minor\" and s[\"pfn\"] == \"same\" and not s[\"excl\"]"'
check "dry-run 6.1: write under writeback copies" \
	'step write-held 0 "s[\"pfn\"] == \"copy\" and s[\"excl\"]"'
check "dry-run 6.1: read after writeback is R/O exclusive, the write reuses" \
	'step read-write-released 0 "not s[\"writable\"] and s[\"excl\"]"' \
	'step read-write-released 1 "s[\"fault\"] == \"minor\" and s[\"pfn\"] == \"same\" and s[\"pgreuse\"]"'
check "dry-run 6.1: shared swap entry copies, held or not; the child maps the cache page" \
	'step fork-shared 0 "s[\"pfn\"] == \"copy\""' \
	'step fork-shared 1 "s[\"pfn\"] == \"copy\""' \
	'step fork-shared 2 "s[\"pfn\"] == \"same\" and not s[\"excl\"]"'
check "dry-run 6.1: without stable writes the page under writeback is reused" \
	'step nostable-write-held 0 "s[\"pfn\"] == \"same\" and s[\"excl\"] and s[\"writable\"]"'

plan 6.12.117+deb12-amd64
check "dry-run 6.12: read after writeback maps writable, the write takes no fault" \
	'[ $RC = 0 ]' \
	'step read-write-released 0 "s[\"writable\"] and s[\"excl\"]"' \
	'step read-write-released 1 "s[\"fault\"] == \"none\" and not s[\"pgreuse\"]"'
check "dry-run 6.12: held cases as on 6.1" \
	'step read-held 0 "s[\"pfn\"] == \"same\" and not s[\"excl\"]"' \
	'step write-held 0 "s[\"pfn\"] == \"copy\""' \
	'step nostable-write-held 0 "s[\"pfn\"] == \"same\""'

plan 6.12.117+deb12-amd64 -S write-released -S read-held
check "dry-run: --scenario selects" '[ $RC = 0 ]' \
	'json "[p[\"name\"] for p in d[\"plan\"]] == [\"read-held\", \"write-released\"]"'

plan 5.10.0-30-amd64
check "dry-run: an unknown kernel needs --expect" '[ $RC != 0 ]' \
	'has "$ERR" "no expectation model"'
plan 5.10.0-30-amd64 --expect 6.1
check "dry-run: --expect overrides the kernel release" '[ $RC = 0 ]' \
	'step read-write-released 1 "s[\"pgreuse\"]"'
attr "$ROOT/proc/sys/kernel" osrelease "6.12.117+deb12-amd64"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$ZSWAPCTL" exercise --expect 6.12
	check "exercise refuses to run without root" '[ $RC != 0 ]' \
		'has "$ERR" "must be run as root"'
elif [ "$(id -u)" != 0 ]; then
	run "$ZSWAPCTL" exercise --expect 6.12
	check "exercise refuses to run without root" '[ $RC != 0 ]' \
		'has "$ERR" "must be run as root"'
else
	skip "exercise refuses to run without root" "no setpriv"
fi

# ------------------------------------------------------------ man, completion

MAN=$TOP/userspace/zswapctl/zswapctl.8
if command -v groff >/dev/null; then
	run groff -man -Tutf8 -ww -z "$MAN"
	check "man page formats without warnings" '[ $RC = 0 ]' '[ -z "$ERR" ]'
else
	skip "man page formats without warnings" "no groff"
fi
# man_has WORD: the word appears in the man page with its dashes escaped
man_has() {
	grep -qF -- "${1//-/\\-}" "$MAN"
}
man_options() {
	local o
	for o in $("$ZSWAPCTL" --help | grep -o -- "--[a-z][a-z-]*" | sort -u) \
		 $("$ZSWAPCTL" exercise --help | grep -o -- "--[a-z][a-z-]*" | sort -u) \
		 $("$ZSWAPCTL" estimate --help | grep -o -- "--[a-z][a-z-]*" | sort -u); do
		man_has "$o" || { echo "#   missing $o"; return 1; }
	done
}
man_columns() {
	local c
	for c in $("$ZSWAPCTL" --help | sed -n '/^Available output columns:/,/^$/p' |
		   awk 'NF > 1 && !/:$/ { print $1 }'); do
		grep -qxF -- ".B ${c//-/\\-}" "$MAN" || { echo "#   missing $c"; return 1; }
	done
}
check "man page documents every option of every --help" 'man_options'
check "man page documents every column" 'man_columns'

COMP=$TOP/userspace/zswapctl/zswapctl.bash-completion
complete_words() {	# complete_words WORD...: COMPREPLY for the last word
	bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_zswapctl_module
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$COMP" "$@" 2>/dev/null
}
check "bash completion: syntax" 'bash -n "$COMP"'
# the completion's lists must follow the program's
comp_lists() {
	local cols scens
	cols=$(bash -c 'source "$1"; echo $_zswapctl_columns' _ "$COMP")
	scens=$(bash -c 'source "$1"; echo $_zswapctl_scenarios' _ "$COMP")
	[ "$cols" = "$("$ZSWAPCTL" --help | sed -n '/^Available output columns:/,/^$/p' |
		awk 'NF > 1 && !/:$/ { print $1 }' | tr '\n' ' ' | sed 's/ $//')" ] &&
	[ "$scens" = "$("$ZSWAPCTL" exercise --list | tr '\n' ' ' | sed 's/ $//')" ]
}
check "bash completion: columns and scenarios match the program" 'comp_lists'
check "bash completion: options, subcommands, columns, scenarios" \
	'complete_words zswapctl --sys | grep -qx -- --sysroot' \
	'complete_words zswapctl ex | grep -qx exercise' \
	'complete_words zswapctl -o NAME,WB- | grep -qx NAME,WB-PAGES,' \
	'complete_words zswapctl exercise --scenario fork | grep -qx fork-shared' \
	'complete_words zswapctl estimate --zstd | grep -qx -- --zstd-level'

# ------------------------------------------------------------ summary

echo "1..$NTEST"
[ "$NSKIP" -gt 0 ] && echo "# $NSKIP skipped"
echo "$NPASS passed, $NFAIL failed"
[ "$NFAIL" -eq 0 ]
