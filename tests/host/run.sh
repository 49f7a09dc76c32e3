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
	attr "$r/sys/block/zswapblk1" bd_stat "10 2 12 3 0 0 0 0 0 21"
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
	'grep -q "^/dev/zswapblk1 .* /dev/vdb 21 3$" <<<"$OUT"' \
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

# ------------------------------------------------------------ setup, teardown

# A tree of its own, with 8000000 KiB of memory and num_devices=2.
ST=$TMP/setup
mk_tree "$ST"
printf 'MemTotal:        8000000 kB\nMemFree:         1000 kB\n' >"$ST/proc/meminfo"
attr "$ST/sys/module/zswapblk/parameters" num_devices 2
RAM=$((8000000 * 1024))
ST2=$ST/sys/block/zswapblk2
# st_clear DEV...: empty the attribute files setup writes
st_clear() {
	local d f
	for d in "$@"; do
		for f in disksize comp_algorithm algorithm_params backing_dev \
			 mem_limit writeback_age writeback_rate writeback_wmark_low \
			 writeback_wmark_high writeback_direct compressed_writeback \
			 reset; do
			: >"$ST/sys/block/$d/$f"
		done
	done
}
# st_written DEV: "attr=value ..." of the non-empty files st_clear empties
st_written() {
	local f out=
	for f in comp_algorithm algorithm_params backing_dev mem_limit \
		 writeback_age writeback_rate writeback_wmark_low \
		 writeback_wmark_high writeback_direct compressed_writeback \
		 disksize reset; do
		[ -s "$ST/sys/block/$1/$f" ] && out+="$f=$(<"$ST/sys/block/$1/$f") "
	done
	echo "${out% }"
}
st_clear zswapblk2

CONF=$TMP/zswapctl.conf
cat >"$CONF" <<'EOF'
# every key
[zswapblk2]
size = min(ram / 2, 4096M)
algorithm = zstd
level = 9
mem-limit = ram / 4
backing-dev = /dev/vdb
writeback-age = 600
writeback-rate = 1000
writeback-wmark-low = 50%
writeback-wmark-high = 1G + 512M
writeback-direct = huge
compressed-writeback = Yes
swap-priority = 100

; blanks and case of the section name
  [ zswapblk0 ]
size=max(ram/8 , 64M)
EOF

run "$ZSWAPCTL" setup --sysroot "$ST" --dry-run -c "$CONF"
check "setup --dry-run: the writes in order, devices in ascending order" \
	'[ $RC = 0 ]' '[ -z "$ERR" ]' '[ "$OUT" = "zswapblk0 disksize $((RAM / 8))
zswapblk0 mkswap
zswapblk0 swapon
zswapblk2 comp_algorithm zstd
zswapblk2 algorithm_params level=9
zswapblk2 backing_dev /dev/vdb
zswapblk2 mem_limit $((RAM / 4))
zswapblk2 writeback_age 600
zswapblk2 writeback_rate 1000
zswapblk2 writeback_wmark_low 50%
zswapblk2 writeback_wmark_high 1610612736
zswapblk2 writeback_direct huge
zswapblk2 compressed_writeback 1
zswapblk2 disksize $((RAM / 2))
zswapblk2 mkswap
zswapblk2 swapon 100" ]'
check "setup --dry-run changes nothing" '[ -z "$(st_written zswapblk2)" ]'

# size_expr EXPR BYTES: the disksize setup --dry-run computes
size_expr() {
	printf '[zswapblk2]\nsize = %s\n' "$1" >"$TMP/expr.conf"
	run "$ZSWAPCTL" setup --sysroot "$ST" --dry-run -c "$TMP/expr.conf"
	[ $RC = 0 ] && [ "$(head -n1 <<<"$OUT")" = "zswapblk2 disksize $2" ] ||
		{ echo "#   $1: $OUT $ERR"; return 1; }
}
check "size expressions: ram, + - * /, min, max, parentheses, suffixes" \
	'size_expr "ram / 2" $((RAM / 2))' \
	'size_expr "min(ram / 2, 4096M)" 4096000000' \
	'size_expr "min(ram, 1G)" 1073741824' \
	'size_expr "max(ram / 100, 1G)" 1073741824' \
	'size_expr "ram * 3 / 4 - 256M" $((RAM * 3 / 4 - 268435456))' \
	'size_expr "(1G + 1G) * 2" 4294967296' \
	'size_expr "1.5G" 1610612736' 'size_expr "2GB" 2000000000' \
	'size_expr "  4096  " 4096' 'size_expr "ram/3/2" $((RAM / 3 / 2))' \
	'size_expr "min(max(1M, 2M), min(3M, 4M))" 2097152'

cat >"$TMP/bad.conf" <<'EOF'
size = 1G
[zswapblk0]
size = ram * 2 -
algorithm = ZSTD
bogus = 1
nothing here
[zswapblk0]
[foo]
size = 2G
[zswapblk1]
algorithm = lzo
level = 3
size = 1G
size = 2G
swap-priority = 40000
mem-limit =
writeback-age = 10
writeback-wmark-low = 101%
writeback-direct = sometimes
[zswapblk3]
size = 0
[zswapblk4]
size = 1G / 0
[zswapblk5]
size = 16E
[zswapblk6]
size = 1G - 2G
[zswapblk7]
size = min(1G 2G)
[zswapblk8]
size = foo(1)
[zswapblk9]
size = (1G
[zswapblk10]
size = 1G)
[zswapblk11]
level = 30
algorithm = zstd
[zswapblk12
EOF
B=$TMP/bad.conf
run "$ZSWAPCTL" setup --sysroot "$ST" --dry-run -c "$B"
check "a bad file: exit 1, nothing on stdout" '[ $RC = 1 ]' '[ -z "$OUT" ]'
check "a bad file: every error as FILE:LINE: message" \
	'[ "$(sort <<<"$ERR")" = "$(sort <<EOF
zswapctl: $B:1: size outside of a [zswapblkN] section
zswapctl: $B:3: size: invalid size '"'ram * 2 -'"': expected a size at the end
zswapctl: $B:4: algorithm: invalid name '"'ZSTD'"'
zswapctl: $B:5: unknown key '"'bogus'"'
zswapctl: $B:6: expected '"'key = value'"' or '"'[zswapblkN]'"'
zswapctl: $B:7: duplicate section [zswapblk0] (first on line 2)
zswapctl: $B:8: invalid section [foo]: expected [zswapblkN]
zswapctl: $B:12: level: lzo has no levels
zswapctl: $B:14: duplicate key size (first on line 13)
zswapctl: $B:15: swap-priority: '"'40000'"' is not a number from 0 to 32767
zswapctl: $B:16: mem-limit: empty value
zswapctl: $B:17: writeback-age needs backing-dev
zswapctl: $B:18: writeback-wmark-low: '"'101%'"' is not a percentage from 0% to 100%
zswapctl: $B:18: writeback-wmark-low needs backing-dev
zswapctl: $B:19: writeback-direct: '"'sometimes'"' is not none, huge or all
zswapctl: $B:19: writeback-direct needs backing-dev
zswapctl: $B:21: size: '"'0'"' is 0 bytes
zswapctl: $B:23: size: invalid size '"'1G / 0'"': division by zero
zswapctl: $B:25: size: invalid size '"'16E'"': '"'16E'"' is too large
zswapctl: $B:27: size: invalid size '"'1G - 2G'"': the size is negative
zswapctl: $B:29: size: invalid size '"'min(1G 2G)'"': expected '"','"' at '"'2G)'"'
zswapctl: $B:31: size: invalid size '"'foo(1)'"': unknown name '"'foo'"'
zswapctl: $B:33: size: invalid size '"'(1G'"': expected '"')'"' at the end
zswapctl: $B:35: size: invalid size '"'1G)'"': unexpected '"')'"'
zswapctl: $B:36: [zswapblk11] has no size
zswapctl: $B:37: level: zstd has levels 1 to 22
zswapctl: $B:39: expected '"']'"' at the end of '"'[zswapblk12'"'
EOF
)" ]'

# bad_line TEXT WANT: a valid device plus one bad line (line 3) fails setup
# with WANT and writes nothing
bad_line() {
	printf '[zswapblk2]\nsize = 1G\n%s\n' "$1" >"$TMP/one.conf"
	st_clear zswapblk2
	run "$ZSWAPCTL" setup --sysroot "$ST" -c "$TMP/one.conf"
	[ $RC = 1 ] && [ "$ERR" = "zswapctl: $TMP/one.conf:3: $2" ] &&
		[ -z "$(st_written zswapblk2)" ] || { echo "#   $1: $ERR"; return 1; }
}
check "one bad line: the message, and nothing is written" \
	'bad_line "level = 0" "level: '"'0'"' is not a number from 1 to 65537"' \
	'bad_line "size = 2G" "duplicate key size (first on line 2)"' \
	'bad_line "backing-dev = vdb" "backing-dev: '"'vdb'"' is not an absolute path"' \
	'bad_line "swap-priority = -1" "swap-priority: '"'-1'"' is not a number from 0 to 32767"' \
	'bad_line "writeback-age = 1" "writeback-age needs backing-dev"' \
	'bad_line "compressed-writeback = yes" "compressed-writeback needs backing-dev"' \
	'bad_line "mem-limit = lots" "mem-limit: invalid size '"'lots'"': unknown name '"'lots'"'"' \
	'bad_line "algorithm = lz4 fast" "algorithm: invalid name '"'lz4 fast'"'"'

printf '[zswapblk2]\nsize = 1G\nbacking-dev = /dev/vdb\ncompressed-writeback = maybe\n' \
	>"$TMP/cw.conf"
st_clear zswapblk2
run "$ZSWAPCTL" setup --sysroot "$ST" -c "$TMP/cw.conf"
check "compressed-writeback takes yes or no" '[ $RC = 1 ]' \
	'[ "$ERR" = "zswapctl: $TMP/cw.conf:4: compressed-writeback: '"'maybe'"' is not yes or no" ]' \
	'[ -z "$(st_written zswapblk2)" ]'

run "$ZSWAPCTL" setup --sysroot "$ST" -c "$TMP/missing.conf"
check "setup: a missing file is an error" '[ $RC = 1 ]' \
	'[ "$ERR" = "zswapctl: $TMP/missing.conf: No such file or directory" ]'

printf '# nothing\n' >"$TMP/empty.conf"
run "$ZSWAPCTL" setup --sysroot "$ST" -c "$TMP/empty.conf"
check "setup: a file without devices does nothing" '[ $RC = 0 ]' \
	'[ -z "$OUT$ERR" ]'

run "$ZSWAPCTL" setup --sysroot "$ST" -c "$CONF" extra
check "setup: no arguments" '[ $RC != 0 ]' 'has "$ERR" "unexpected argument: extra"' \
	'has "$ERR" "Try '"'zswapctl setup --help'"'"'
run "$ZSWAPCTL" teardown --dry-run -c "$CONF"
check "teardown has no --dry-run" '[ $RC != 0 ]' \
	'has "$ERR" "Try '"'zswapctl teardown --help'"'"'

# The writes, in order: a FIFO per attribute, read in the expected order.
SO=$TMP/setup-order
mk_tree "$SO"
SOD=$SO/sys/block/zswapblk2
ORDER="comp_algorithm algorithm_params backing_dev mem_limit writeback_age writeback_rate writeback_wmark_low writeback_wmark_high writeback_direct compressed_writeback disksize"
for f in $ORDER; do
	rm -f "$SOD/$f"
	mkfifo "$SOD/$f"
done
(
	for f in $ORDER; do
		printf '%s=%s\n' "$f" "$(timeout 10 cat "$SOD/$f")"
	done >"$TMP/setup-order.log"
) &
READER=$!
BGPIDS+=("$READER")
sed '/\[ zswapblk0 \]/,$d' "$CONF" | sed 's|ram / 4|1G|; s|min(ram / 2, 4096M)|4G|' >"$TMP/order.conf"
run timeout 10 "$ZSWAPCTL" setup --sysroot "$SO" -c "$TMP/order.conf"
timeout 5 tail --pid="$READER" -f /dev/null 2>/dev/null
kill "$READER" 2>/dev/null
check "setup: every attribute, disksize last" '[ $RC = 0 ]' '[ -z "$ERR" ]' \
	'[ "$(cat "$TMP/setup-order.log" 2>/dev/null)" = "comp_algorithm=zstd
algorithm_params=level=9
backing_dev=/dev/vdb
mem_limit=1073741824
writeback_age=600
writeback_rate=1000
writeback_wmark_low=50%
writeback_wmark_high=1610612736
writeback_direct=huge
compressed_writeback=1
disksize=4294967296" ]'

# Failures undo what was done: devices in ascending order, so zswapblk0 is
# configured when zswapblk2 fails.
cat >"$TMP/two.conf" <<'EOF'
[zswapblk2]
size = 1G
algorithm = zstd
[zswapblk0]
size = 64M
EOF
attr "$ST/sys/block/zswapblk0" initstate 0
st_clear zswapblk0 zswapblk2
rm -f "$ST2/disksize"
ln -s /dev/full "$ST2/disksize"
run "$ZSWAPCTL" setup --sysroot "$ST" -c "$TMP/two.conf"
check "setup: a refused write names file, line, device, value and errno" \
	'[ $RC = 1 ]' \
	'[ "$ERR" = "zswapctl: $TMP/two.conf:2: /dev/zswapblk2: failed to write '"'1073741824'"' to disksize: No space left on device" ]'
check "setup: after a failure every device touched is reset" \
	'[ "$(st_written zswapblk0)" = "disksize=67108864 reset=1" ]' \
	'[ "$(st_written zswapblk2)" = "comp_algorithm=zstd reset=1" ]'
rm -f "$ST2/disksize"
: >"$ST2/disksize"

st_clear zswapblk0 zswapblk2
attr "$ST/sys/block/zswapblk2" initstate 1
run "$ZSWAPCTL" setup --sysroot "$ST" -c "$TMP/two.conf"
check "setup: an initialised device is refused, never reset" '[ $RC = 1 ]' \
	'[ "$ERR" = "zswapctl: $TMP/two.conf:1: /dev/zswapblk2: already initialised (run '"'zswapctl teardown'"' first)" ]' \
	'[ "$(st_written zswapblk2)" = "" ]' \
	'[ "$(st_written zswapblk0)" = "disksize=67108864 reset=1" ]'
attr "$ST/sys/block/zswapblk2" initstate 0

st_clear zswapblk0 zswapblk2
run "$ZSWAPCTL" setup --sysroot "$ST" -c "$TMP/two.conf"
check "setup: success writes each device once, resets none" '[ $RC = 0 ]' \
	'[ -z "$OUT$ERR" ]' \
	'[ "$(st_written zswapblk0)" = "disksize=67108864" ]' \
	'[ "$(st_written zswapblk2)" = "comp_algorithm=zstd disksize=1073741824" ]'

# hot_add: a FIFO that creates the next disk each time it is read (as the
# driver does, but without the driver's atomicity: reads must be 0.5 s apart).  zswapblk6
# needs zswapblk4 and zswapblk5 first; zswapblk4 is in the file, the gap
# zswapblk5 is removed again.  A failure removes all three.
HA=$TMP/hotadd
hot_add_tree() {
	rm -rf "$HA"
	mk_tree "$HA"
	rm -f "$HA/sys/class/zswapblk-control/hot_add"
	mkfifo "$HA/sys/class/zswapblk-control/hot_add"
	(
		for id in 4 5 6; do
			exec 3>"$HA/sys/class/zswapblk-control/hot_add"
			zdev "$HA" $id 0
			# "broken": the fake driver refuses any comp_algorithm
			if [ "${1:-}" = broken ] && [ $id = 6 ]; then
				rm "$HA/sys/block/zswapblk6/comp_algorithm"
				mkdir "$HA/sys/block/zswapblk6/comp_algorithm"
			fi
			echo $id >&3
			exec 3>&-
			# let the reader see the end of file before the next open
			sleep 0.5
		done
	) &
	BGPIDS+=("$!")
	HAPID=$!
}
printf '[zswapblk6]\nsize = 1G\n[zswapblk4]\nsize = 2G\n' >"$TMP/hot.conf"
hot_add_tree
run timeout 10 "$ZSWAPCTL" setup --sysroot "$HA" -c "$TMP/hot.conf"
check "setup: hot_add creates the devices, the gap is removed" '[ $RC = 0 ]' \
	'[ -z "$ERR" ]' \
	'[ "$(<$HA/sys/block/zswapblk4/disksize)" = 2147483648 ]' \
	'[ "$(<$HA/sys/block/zswapblk6/disksize)" = 1073741824 ]' \
	'[ "$(<$HA/sys/class/zswapblk-control/hot_remove)" = 5 ]'
kill "$HAPID" 2>/dev/null

hot_add_tree broken
rm -f "$HA/sys/class/zswapblk-control/hot_remove"
mkfifo "$HA/sys/class/zswapblk-control/hot_remove"
# one reader for all writes (opened read-write, so it never sees an end of
# file): zswapctl writes the ids without newlines
timeout 20 cat 0<>"$HA/sys/class/zswapblk-control/hot_remove" >"$TMP/hot_remove.log" &
READER=$!
BGPIDS+=("$READER")
printf '[zswapblk6]\nsize = 1G\nalgorithm = zstd\n[zswapblk4]\nsize = 2G\n' >"$TMP/hot.conf"
run timeout 10 "$ZSWAPCTL" setup --sysroot "$HA" -c "$TMP/hot.conf"
sleep 0.5
kill "$READER" "$HAPID" 2>/dev/null
wait "$READER" 2>/dev/null
check "setup: a failure removes every device it created, gap included" \
	'[ $RC = 1 ]' \
	'[ "$ERR" = "zswapctl: $TMP/hot.conf:3: /dev/zswapblk6: failed to write '"'zstd'"' to comp_algorithm: Is a directory" ]' \
	'[ "$(<"$TMP/hot_remove.log")" = 654 ]' \
	'[ "$(<$HA/sys/block/zswapblk4/reset)" = 1 ]'

# teardown: reset every device of the file that exists, hot_remove those at
# or above num_devices (2 here); a missing device is not an error.
printf '[zswapblk0]\nsize = 1G\n[zswapblk2]\nsize = 1G\n[zswapblk9]\nsize = 1G\n' \
	>"$TMP/down.conf"
st_clear zswapblk0 zswapblk2
: >"$ST/sys/class/zswapblk-control/hot_remove"
run "$ZSWAPCTL" teardown --sysroot "$ST" -c "$TMP/down.conf"
check "teardown: reset, hot_remove above num_devices, skip missing ones" \
	'[ $RC = 0 ]' '[ -z "$OUT$ERR" ]' \
	'[ "$(st_written zswapblk0)" = "reset=1" ]' \
	'[ "$(st_written zswapblk2)" = "reset=1" ]' \
	'[ "$(<$ST/sys/class/zswapblk-control/hot_remove)" = 2 ]'

st_clear zswapblk0
run "$ZSWAPCTL" teardown --sysroot "$ST" -c "$B"
check "teardown: a bad file changes nothing" '[ $RC = 1 ]' \
	'has "$ERR" "$B:1: size outside"' '[ "$(st_written zswapblk0)" = "" ]'

rm -f "$ST/sys/block/zswapblk0/reset"
mkdir "$ST/sys/block/zswapblk0/reset"
st_clear zswapblk2
run "$ZSWAPCTL" teardown --sysroot "$ST" -c "$TMP/down.conf"
check "teardown: goes on after a failure, exit 1" '[ $RC = 1 ]' \
	'[ "$ERR" = "zswapctl: /dev/zswapblk0: failed to reset: Is a directory" ]' \
	'[ "$(st_written zswapblk2)" = "reset=1" ]'
rmdir "$ST/sys/block/zswapblk0/reset"

# ------------------------------------------------------------ stat

# stat_keys: the keys include/zswapblk_abi.h names, in its order
stat_keys() {
	echo device algorithm backing_dev disksize initstate completion_hold
	awk '/^enum zswapblk_(mm|io|debug|bd)_stat_col/ { e = $2; next }
	     /^};/ { e = "" }
	     e && $1 ~ /^ZSWAPBLK_[A-Z]+_[A-Z_]+,$/ {
		n = $1; sub(/,$/, "", n); sub(/^ZSWAPBLK_[A-Z]+_/, "", n)
		if (n ~ /^_/) next
		printf "%s%s\n", (e == "zswapblk_bd_stat_col" ? "bd_" : ""), tolower(n) }' \
		"$TOP/include/zswapblk_abi.h"
}
# zstat ARGS...: zswapctl stat against a fresh copy of the default tree
SR=$TMP/stat
mk_tree "$SR"
# abi_cols ENUM: the number of columns include/zswapblk_abi.h gives a file
abi_cols() {
	awk -v e="enum zswapblk_$1_stat_col" '$0 ~ "^" e { in_e = 1; next }
		/^};/ { in_e = 0 } in_e && $1 ~ /^ZSWAPBLK_[A-Z]+_[A-Z_]+,$/ && $1 !~ /__NR/ { n++ }
		END { print n }' "$TOP/include/zswapblk_abi.h"
}
# pad FILE N: append zero columns to the last line of FILE up to N
pad() {
	local first= last cols
	[ "$(wc -l <"$1")" -gt 1 ] && first=$(head -n1 "$1")
	last=$(tail -n1 "$1")
	read -r -a cols <<<"$last"
	while [ "${#cols[@]}" -lt "$2" ]; do cols+=(0); done
	{ [ -n "$first" ] && echo "$first"; echo "${cols[*]}"; } >"$1"
}
for d in 0 1 2; do
	for f in mm io debug bd; do
		pad "$SR/sys/block/zswapblk$d/${f}_stat" "$(abi_cols $f)"
	done
done
zstat() {
	run "$ZSWAPCTL" stat --sysroot "$SR" "$@"
}
zstat zswapblk1
check "stat DEV: a key per line, every column of the ABI header, in order" \
	'[ $RC = 0 ]' '[ -z "$ERR" ]' \
	'[ "$(awk "NF { print \$1 }" <<<"$OUT" | tr "\n" " ")" = "$(stat_keys | tr "\n" " ")" ]' \
	'[ "$(awk "NF && NF != 2" <<<"$OUT")" = "" ]' \
	'[ "$(tail -c1 <<<"$OUT" | od -An -c | tr -d " ")" = "\n" ]'
check "stat DEV: values as sysfs has them" \
	'has "$OUT" "device zswapblk1"' 'has "$OUT" "algorithm zstd"' \
	'has "$OUT" "backing_dev /dev/vdb"' 'has "$OUT" "disksize 536870912"' \
	'has "$OUT" "mem_limit 268435456"' 'has "$OUT" "zero_pages 1"' \
	'has "$OUT" "bd_count 10"' 'has "$OUT" "bd_wb_inflight 3"'
check "the man page names every stat key" \
	'for k in $(stat_keys | tail -n +2); do grep -qF -- "${k//_/_}" "$TOP/userspace/zswapctl/zswapctl.8" || { echo "#   $k"; exit 1; }; done'

zstat
check "stat: every device, a block each, separated by an empty line" \
	'[ $RC = 0 ]' \
	'[ "$(grep "^device " <<<"$OUT" | tr "\n" " ")" = "device zswapblk0 device zswapblk1 device zswapblk2 device zswapblk3 " ]' \
	'[ "$(grep -c "^$" <<<"$OUT")" = 3 ]'
zstat zswapblk3
check "stat: what an older driver lacks is left out" '[ $RC = 0 ]' \
	'lacks "$OUT" "backing_dev"' 'lacks "$OUT" "failed_reads"' \
	'lacks "$OUT" "bd_count"' 'lacks "$OUT" "huge_pages"' \
	'has "$OUT" "pages_compacted 0"'
zstat /dev/zswapblk9
check "stat: an unknown device fails" '[ $RC = 1 ]' \
	'[ "$ERR" = "zswapctl: /dev/zswapblk9: No such device" ]' '[ -z "$OUT" ]'
zstat --format json
check "stat: an unknown format fails" '[ $RC != 0 ]' \
	'has "$ERR" "unknown format: json"' 'has "$ERR" "zswapctl stat --help"'
run "$ZSWAPCTL" stat --sysroot "$EMPTY" --format prometheus
check "stat: no devices, no output" '[ $RC = 0 ]' '[ -z "$OUT$ERR" ]'

# prom_check: the text exposition format, as node_exporter's textfile
# collector parses it (families contiguous, HELP and TYPE first, counters
# end in _total, one sample per device and family, valid label syntax)
prom_check() {
	"$PYTHON" -c '
import re, sys
fams, seen, cur, err = {}, set(), None, []
sample = re.compile(r"^(zswapblk_[a-z_]+)\{device=\"(zswapblk[0-9]+)\"((,[a-z_]+=\"([^\"\\]|\\.)*\")*)\} (-?[0-9]+(\.[0-9]+)?)$")
for n, l in enumerate(sys.stdin.read().splitlines(), 1):
    m = re.match(r"^# (HELP|TYPE) (zswapblk_[a-z_]+) (.+)$", l)
    if m:
        kind, name, rest = m.groups()
        if kind == "HELP":
            if name in seen: err.append("%d: family %s twice" % (n, name))
            seen.add(name); cur = name; fams[name] = {"help": rest, "devs": set()}
        else:
            if name != cur or "type" in fams[name]: err.append("%d: TYPE out of place" % n)
            if rest not in ("gauge", "counter"): err.append("%d: type %s" % (n, rest))
            if rest == "counter" and not name.endswith("_total"): err.append("%d: counter %s" % (n, name))
            fams[name]["type"] = rest
        continue
    m = sample.match(l)
    if not m: err.append("%d: bad line %r" % (n, l)); continue
    name, dev = m.group(1), m.group(2)
    if name != cur or "type" not in fams[name]: err.append("%d: %s outside its family" % (n, name))
    elif dev in fams[name]["devs"]: err.append("%d: %s twice for %s" % (n, name, dev))
    else: fams[name]["devs"].add(dev)
for e in err: print("#   " + e)
sys.exit(1 if err or not fams else 0)' <<<"$OUT"
}
# prom NAME DEV: the value of one sample
prom() {
	awk -v m="$1{device=\"$2\"}" '$1 == m { print $2 }' <<<"$OUT"
}
zstat --format prometheus
check "stat --format prometheus: the text exposition format" '[ $RC = 0 ]' \
	'[ -z "$ERR" ]' 'prom_check'
check "stat --format prometheus: values in bytes, 4 KiB units converted" \
	'[ "$(prom zswapblk_orig_data_bytes zswapblk0)" = 419430400 ]' \
	'[ "$(prom zswapblk_compr_data_bytes zswapblk0)" = 104857600 ]' \
	'[ "$(prom zswapblk_zero_pages zswapblk0)" = 7 ]' \
	'[ "$(prom zswapblk_writes_inflight zswapblk0)" = 2 ]' \
	'[ "$(prom zswapblk_async_completions_total zswapblk0)" = 900 ]' \
	'[ "$(prom zswapblk_bd_stored_bytes zswapblk1)" = 40960 ]' \
	'[ "$(prom zswapblk_bd_written_bytes_total zswapblk1)" = 49152 ]' \
	'[ "$(prom zswapblk_disksize_bytes zswapblk2)" = 0 ]' \
	'[ "$(prom zswapblk_completion_hold_seconds zswapblk0)" = 0.000 ]' \
	'has "$OUT" "zswapblk_info{device=\"zswapblk1\",algorithm=\"zstd\",backing_dev=\"/dev/vdb\"} 1"' \
	'has "$OUT" "zswapblk_info{device=\"zswapblk0\",algorithm=\"lz4\",backing_dev=\"\"} 1"' \
	'has "$OUT" "# TYPE zswapblk_failed_reads_total counter"' \
	'has "$OUT" "# TYPE zswapblk_mem_used_total_bytes gauge"'
check "stat --format prometheus: a family for every stat key" \
	'[ "$(grep -c "^# TYPE" <<<"$OUT")" = "$(($(stat_keys | wc -w) - 3 + 1))" ]'
check "stat --format prometheus: an older driver's missing values are left out" \
	'[ -z "$(prom zswapblk_failed_reads_total zswapblk3)" ]' \
	'[ -n "$(prom zswapblk_failed_reads_total zswapblk0)" ]'
attr "$SR/sys/block/zswapblk1" backing_dev '/dev/odd "name"\x'
attr "$SR/sys/block/zswapblk0" completion_hold 1500
zstat -f prometheus zswapblk1 zswapblk0
check "stat --format prometheus: label values escaped, seconds, devices as given" \
	'[ $RC = 0 ]' 'prom_check' \
	'has "$OUT" "backing_dev=\"/dev/odd \\\"name\\\"\\\\x\"} 1"' \
	'[ "$(prom zswapblk_completion_hold_seconds zswapblk0)" = 1.500 ]' \
	'[ "$(grep -m1 "^zswapblk_orig" <<<"$OUT" | grep -o "zswapblk[0-9]*\"")" = "zswapblk1\"" ]'

# ------------------------------------------------------------ subcommand help

for sub in setup teardown stat; do
	run "$ZSWAPCTL" "$sub" --help
	check "$sub --help: exit 0, usage on stdout" '[ $RC = 0 ]' \
		'has "$OUT" "zswapctl $sub"' '[ -z "$ERR" ]'
done
man_sub_options() {
	local o s
	for s in setup teardown stat; do
		for o in $("$ZSWAPCTL" $s --help | grep -o -- "--[a-z][a-z-]*" | sort -u); do
			man_has "$o" || { echo "#   $s: missing $o"; return 1; }
		done
	done
}
check "man page documents the options of setup, teardown and stat" 'man_sub_options'
check "man page documents every configuration key" \
	'for k in size algorithm level mem-limit backing-dev writeback-age writeback-rate writeback-wmark-low writeback-wmark-high writeback-direct compressed-writeback swap-priority; do grep -qE "^\.B[IR]? ${k//-/\\\\-}( |$)" "$MAN" || { echo "#   $k"; exit 1; }; done'
check "bash completion: setup, teardown, stat" \
	'complete_words zswapctl se | grep -qx setup' \
	'complete_words zswapctl setup --dr | grep -qx -- --dry-run' \
	'complete_words zswapctl teardown --c | grep -qx -- --config' \
	'[ -z "$(complete_words zswapctl teardown --dr)" ]' \
	'complete_words zswapctl stat --format p | grep -qx prometheus'
check "the example configuration is a good file" \
	'"$ZSWAPCTL" setup --sysroot "$ST" --dry-run -c "$TOP/userspace/zswapctl/zswapctl.conf.example" >/dev/null' \
	'sed "s/^#\(\[\|[a-z]\)/\1/" "$TOP/userspace/zswapctl/zswapctl.conf.example" >"$TMP/example.conf"' \
	'"$ZSWAPCTL" setup --sysroot "$ST" --dry-run -c "$TMP/example.conf" | grep -q "^zswapblk1 writeback_wmark_high 75%$"'

# ------------------------------------------------------------ install

# A fake build of two kernel releases, installed into a DESTDIR and removed.
FAKEB=$TMP/fakebuild
for k in 6.99.1-test 6.99.2-test; do
	mkdir -p "$FAKEB/$k"
	echo "$k" >"$FAKEB/$k/zswapblk.ko"
done
DEST=$TMP/dest
INST_FILES="/lib/modules/6.99.1-test/updates/zswapblk.ko 644
/lib/modules/6.99.2-test/updates/zswapblk.ko 644
/usr/local/sbin/zswapctl 755
/usr/local/share/man/man8/zswapctl.8 644
/usr/local/share/bash-completion/completions/zswapctl 644
/usr/local/lib/systemd/system/zswapctl-setup.service 644
/usr/local/share/doc/zswapblk/zswapctl.conf.example 644
/etc/modules-load.d/zswapblk.conf 644"
installed() {
	(cd "$DEST" && find . -type f -printf '/%P %m\n' | sort)
}
run env DESTDIR="$DEST" KERNELS="6.99.1-test 6.99.2-test" BUILD="$FAKEB" \
	bash "$TOP/scripts/install.sh" install
check "install into DESTDIR: module per release, zswapctl, man, completion, unit, snippet" \
	'[ $RC = 0 ]' '[ "$(installed)" = "$(sort <<<"$INST_FILES")" ]' \
	'cmp -s "$FAKEB/6.99.2-test/zswapblk.ko" "$DEST/lib/modules/6.99.2-test/updates/zswapblk.ko"' \
	'cmp -s "$ZSWAPCTL" "$DEST/usr/local/sbin/zswapctl"' \
	'[ "$(<"$DEST/etc/modules-load.d/zswapblk.conf" grep -v "^#")" = zswapblk ]'
UNITF=$DEST/usr/local/lib/systemd/system/zswapctl-setup.service
check "the unit: oneshot, RemainAfterExit, setup and teardown" \
	'grep -qx "Type=oneshot" "$UNITF"' 'grep -qx "RemainAfterExit=yes" "$UNITF"' \
	'grep -qx "ExecStart=/usr/local/sbin/zswapctl setup" "$UNITF"' \
	'grep -qx "ExecStop=/usr/local/sbin/zswapctl teardown" "$UNITF"' \
	'grep -qx "WantedBy=swap.target" "$UNITF"'
if command -v systemd-analyze >/dev/null; then
	run systemd-analyze verify --man=no "$TOP/userspace/zswapctl/zswapctl-setup.service"
	check "systemd-analyze verify: nothing but the program's path" \
		'[ -z "$(grep -v "zswapctl is not executable\|^$" <<<"$ERR$OUT")" ]'
else
	skip "systemd-analyze verify" "no systemd-analyze"
fi
run env DESTDIR="$DEST" bash "$TOP/scripts/install.sh" uninstall
check "uninstall from DESTDIR: no file and no directory left" '[ $RC = 0 ]' \
	'[ -z "$(cd "$DEST" && find . -mindepth 1)" ]'

run env DESTDIR="$DEST/" PREFIX=/usr MODULESLOADDIR= KERNELS=6.99.1-test \
	BUILD="$FAKEB" bash "$TOP/scripts/install.sh" install
check "install PREFIX=/usr: the unit runs /usr/sbin/zswapctl; no snippet" \
	'[ $RC = 0 ]' '[ -x "$DEST/usr/sbin/zswapctl" ]' \
	'grep -qx "ExecStart=/usr/sbin/zswapctl setup" "$DEST/usr/lib/systemd/system/zswapctl-setup.service"' \
	'[ ! -e "$DEST/etc" ]'
run env DESTDIR="$DEST" PREFIX=/usr bash "$TOP/scripts/install.sh" uninstall
check "uninstall PREFIX=/usr" '[ $RC = 0 ]' '[ -z "$(cd "$DEST" && find . -mindepth 1)" ]'

run env DESTDIR="$DEST" KERNELS=6.99.3-test BUILD="$FAKEB" bash "$TOP/scripts/install.sh" install
check "install: a release that is not built fails before installing anything" \
	'[ $RC = 1 ]' 'has "$ERR" "6.99.3-test/zswapblk.ko: not built"' \
	'[ -z "$(cd "$DEST" && find . -mindepth 1)" ]'

run make -s -n -C "$TOP" uninstall DESTDIR="$DEST"
check "make uninstall runs scripts/install.sh" '[ $RC = 0 ]' \
	'has "$OUT" "scripts/install.sh uninstall"'

# ------------------------------------------------------------ dkms

run env DESTDIR="$DEST" bash "$TOP/scripts/install.sh" dkms
DKV=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TOP/dkms.conf")
DKS=$DEST/usr/src/zswapblk-$DKV
check "make dkms: the source tree in /usr/src/zswapblk-$DKV" '[ $RC = 0 ]' \
	'[ -n "$DKV" ]' '[ -f "$DKS/dkms.conf" ]' '[ -f "$DKS/driver/Kbuild" ]' \
	'[ -f "$DKS/include/zswapblk_abi.h" ]' \
	'for f in "$TOP"/driver/*.[ch]; do cmp -s "$f" "$DKS/driver/${f##*/}" || exit 1; done'
check "dkms.conf: name, module, location" \
	'grep -qx "PACKAGE_NAME=\"zswapblk\"" "$TOP/dkms.conf"' \
	'grep -qx "BUILT_MODULE_NAME\[0\]=\"zswapblk\"" "$TOP/dkms.conf"' \
	'grep -qx "BUILT_MODULE_LOCATION\[0\]=\"driver/\"" "$TOP/dkms.conf"' \
	'grep -qx "AUTOINSTALL=\"yes\"" "$TOP/dkms.conf"'

# dkms build for each Debian kernel whose headers are installed, in trees of
# its own (--sourcetree, --dkmstree): nothing of the system's dkms changes.
DKMS_KERNELS=$(bash "$TOP/tests/vm/setup-host.sh" --print-kernels 2>/dev/null)
if ! command -v dkms >/dev/null; then
	skip "dkms build" "dkms is not installed (apt-get install dkms)"
elif [ -z "$DKMS_KERNELS" ]; then
	skip "dkms build" "cannot resolve the Debian kernel releases"
else
	mkdir -p "$TMP/dkms/src" "$TMP/dkms/tree"
	cp -a "$DKS" "$TMP/dkms/src/"
	for k in $DKMS_KERNELS; do
		if [ ! -d "/lib/modules/$k/build" ]; then
			skip "dkms build -k $k" "no headers for $k"
			continue
		fi
		run dkms build -m zswapblk -v "$DKV" -k "$k" \
			--kernelsourcedir "/lib/modules/$k/build" \
			--sourcetree "$TMP/dkms/src" --dkmstree "$TMP/dkms/tree"
		KO=$(find "$TMP/dkms/tree/zswapblk/$DKV/$k" -name 'zswapblk.ko*' 2>/dev/null | head -n1)
		check "dkms build -k $k: a module for $k" '[ $RC = 0 ]' '[ -n "$KO" ]' \
			'[ "$(modinfo -F vermagic "$KO" | cut -d" " -f1)" = "$k" ]' \
			'[ -n "$(modinfo -F depends "$KO")" ]'
	done
fi
rm -rf "$DEST"

# ------------------------------------------------------------ admin guide

RST=$TOP/Documentation/zswapblk.rst
ABI_DOC=$TOP/Documentation/ABI/testing/sysfs-block-zswapblk
# rst_rows NAME...: each NAME starts a row of a table in the admin guide
rst_rows() {
	local n
	for n in "$@"; do
		grep -qE "^ *$n +" "$RST" || { echo "#   $n"; return 1; }
	done
}
check "admin guide: every attribute of the ABI document in its tables" \
	'rst_rows $(sed -n "s|^What:[[:space:]]*/sys/.*/||p" "$ABI_DOC")'
check "admin guide: every stat column of include/zswapblk_abi.h in its tables" \
	'rst_rows $(stat_keys | tail -n +2 | sed "s/^bd_\(wb_inflight\|spills\|age_runs\|wmark_runs\)$/\1/")'
if "$PYTHON" -c 'import docutils' 2>/dev/null || python3 -c 'import docutils' 2>/dev/null; then
	DOCPY=$PYTHON
	"$PYTHON" -c 'import docutils' 2>/dev/null || DOCPY=python3
	run "$DOCPY" -c '
import sys, docutils.core
docutils.core.publish_string(open(sys.argv[1]).read(), writer_name="null",
	settings_overrides={"report_level": 2, "halt_level": 2})' "$RST"
	check "admin guide: valid reStructuredText" '[ $RC = 0 ]' '[ -z "$ERR" ]'
else
	skip "admin guide: valid reStructuredText" "no python docutils"
fi

# ------------------------------------------------------------ summary

echo "1..$NTEST"
[ "$NSKIP" -gt 0 ] && echo "# $NSKIP skipped"
echo "$NPASS passed, $NFAIL failed"
[ "$NFAIL" -eq 0 ]
