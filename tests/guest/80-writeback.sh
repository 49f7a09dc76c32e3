#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 80-writeback: the backing device and writeback (backing_dev, writeback,
# idle, writeback_*, bd_stat, mem_limit spills), on a scratch disk: the first
# disk of vmrun.sh -d (/dev/vdb), else a loop device on a file in /tmp.
#
#  - bad input: backing_dev, writeback, idle and the writeback_* policy files
#    get garbage, paths that are not usable disks and writes in the wrong
#    state; each must fail with the documented errno and change nothing.
#  - on demand: fio (crc32c in every page) fills the disk, then "writeback
#    huge", "page_index=N", "page_indexes=A-B", writeback_limit and "idle
#    all" + "writeback idle" must each move exactly the expected pages
#    (bd_stat), free their memory (mm_stat), and every page must read back
#    correct from the backing device, also into buffers that straddle
#    pages; rewriting and discarding a page that is on the disk gives the
#    new data and frees its block; "idle N" marks only what N seconds left
#    untouched.
#  - concurrency: fio random read/write with verification in four jobs while
#    on-demand writeback loops run, then with automatic writeback by age and
#    by watermark: every block verifies against its last write.
#  - spills: writes over mem_limit go to the disk and verify; without a
#    backing device they fail.  writeback_direct=all and =huge send pages
#    straight to the disk.
#  - swap: zswapblk with a backing disk, a small mem_limit and watermarks as
#    the only swap under tests/progs/memstress in a memory cgroup.
#  - faults (device-mapper): the backing disk is swapped for an "error"
#    table, then for dm-flakey: reads of pages on the disk fail with EIO and
#    never return wrong data, writeback fails and leaves the pages in memory,
#    spilled writes fail; once the table is restored everything verifies.  A
#    full backing disk gives ENOSPC.
#  - lifecycle: reset and rmmod while automatic writeback runs, reset during
#    an on-demand run and after writeback; the disk's claim is released.
#
# Sizes are TCG-sized: a 64 MiB device, at most 24 MiB through fio at once.
# Env: ZB_WB_SWAP_MIB (memstress working set, 48), ZB_WB_SWAP_SECS (25).
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
command -v fio > /dev/null || skip_all "fio is not installed"
D=/sys/block/zswapblk0
D1=/sys/block/zswapblk1
DEV=/dev/zswapblk0
export ZSWAPBLK_DEV=$DEV
export DM_DISABLE_UDEV=1	# no udev in the guest: dmsetup makes the nodes
SWAP_MIB=${ZB_WB_SWAP_MIB:-48}
SWAP_SECS=${ZB_WB_SWAP_SECS:-25}
CGROOT=/sys/fs/cgroup
CG=$CGROOT/zswapblk-wb.$$
DM_NAMES=()

cg_cleanup() { cg_remove "$CG"; }

# Background loops first, then the module (it holds the disks), then the
# device-mapper devices and the loop device under them.
wb_cleanup() {
	local p n
	rm -f "$ZB_TMP/wb.run"
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	cg_cleanup
	zb_unload 2>/dev/null
	for n in "${DM_NAMES[@]}"; do dmsetup remove "$n" 2>/dev/null; done
	zb_backing_disk_release
}
ZB_CLEANUP=wb_cleanup

zb_backing_disk || skip_all "$ZB_DISK_WHY"
DISK=$ZB_DISK
DISK_SECTORS=$((ZB_DISK_BYTES / 512))
tap_diag "backing disk $DISK, $((ZB_DISK_BYTES >> 20)) MiB${ZB_DISK_LOOP:+ (loop device)}"
[ "$ZB_DISK_BYTES" -ge $((96 << 20)) ] || skip_all "$DISK is smaller than 96 MiB"

check "insmod with num_devices=2" zb_load num_devices=2 || bail "module does not load"
zb_has_feature zswapblk0 writeback || skip_all "driver lacks writeback"
# 4 KiB units of bd_stat are pages only with 4 KiB pages.
[ "$(getconf PAGESIZE)" = 4096 ] || skip_all "bd_stat arithmetic assumes 4 KiB pages"
HAVE_DM=0
modprobe dm-mod 2> /dev/null && command -v dmsetup > /dev/null && HAVE_DM=1

# ---- helpers ------------------------------------------------------------------

# wb_err_matches ENAMES TEXT: err_matches, knowing ENOTBLK and EIO too.
wb_err_matches() {
	local e txt
	ZB_WANT=
	for e in ${1//|/ }; do
		case $e in
		ENOTBLK) txt="Block device required" ;;
		EIO)	 txt="Input/output error" ;;
		*)	 errno_text txt "$e" ;;
		esac
		ZB_WANT+=${ZB_WANT:+ or }$txt
		[[ $2 == *"$txt"* ]] && return 0
	done
	return 1
}

# state VAR DEV: everything a bad write could change, in one string.
state() {
	local __a __v __s=
	for __a in backing_dev initstate disksize writeback_limit_enable \
		   writeback_limit writeback_batch_size writeback_age writeback_rate \
		   writeback_wmark_low writeback_wmark_high writeback_direct \
		   compressed_writeback bd_stat mm_stat; do
		rd __v "/sys/block/$2/$__a"
		__s+="$__a=$__v "
	done
	printf -v "$1" '%s' "$__s"
}

# bad ENAME DEV ATTR VALUE: the write fails with ENAME and changes nothing.
bad() {
	local err=$1 dev=$2 attr=$3 val=$4 before after
	local desc="$dev $attr <- '$val': $err, state unchanged"
	state before "$dev"
	if sysfs_write "/sys/block/$dev/$attr" "$val"; then
		state after "$dev"
		tap_fail "$desc" "the write succeeded" "before: $before" "after:  $after"
		return 1
	fi
	state after "$dev"
	if ! wb_err_matches "$err" "$ZB_WERR"; then
		tap_fail "$desc" "got: $ZB_WERR" "want: $ZB_WANT"
	elif [[ $after != "$before" ]]; then
		tap_fail "$desc" "state changed" "before: $before" "after:  $after"
	else
		tap_ok "$desc"
		return 0
	fi
	return 1
}

# roundtrip ATTR VALUE WANT: writing VALUE works and reads back as WANT.
roundtrip() {
	local v
	if ! sysfs_write "$D/$1" "$2"; then
		tap_fail "$1 <- '$2' reads '$3'" "the write failed: $ZB_WERR"
		return 1
	fi
	rd v "$D/$1"
	check_eq "$1 <- '$2' reads '$3'" "${v%"${v##*[! ]}"}" "$3"
}

# wb_cmd DESC ERR PAGES VALUE: write VALUE to zswapblk0's writeback: it must
# succeed (ERR "-") or fail with ERR, bd_stat pages must move by exactly
# PAGES, count and writes (blocks) by exactly PAGES too, or with WB_PACKED=1
# (compressed_writeback packs pages into blocks) both by the same number,
# more than 0 and at most PAGES; and no backing write may be in flight once
# the write returned (bd_stat wb_inflight 0).
WB_PACKED=0
wb_cmd() {
	local desc=$1 err=$2 want=$3 val=$4 c0 c1 w0 w1 p0 p1 fl res=ok blocks
	bd_stat c0 zswapblk0 count; bd_stat w0 zswapblk0 writes; bd_stat p0 zswapblk0 pages
	sysfs_write $D/writeback "$val" || res=$ZB_WERR
	bd_stat fl zswapblk0 wb_inflight
	bd_stat c1 zswapblk0 count; bd_stat w1 zswapblk0 writes; bd_stat p1 zswapblk0 pages
	blocks=$want
	if [ "$WB_PACKED" = 1 ] && [ $((c1 - c0)) -gt 0 ] && [ $((c1 - c0)) -le "$want" ]; then
		blocks=$((c1 - c0))
	fi
	if [ "$err" = - ] && [ "$res" != ok ]; then
		tap_fail "$desc" "writeback <- '$val' failed: $res"
	elif [ "$err" != - ] && [ "$res" = ok ]; then
		tap_fail "$desc" "writeback <- '$val' succeeded, want $err"
	elif [ "$err" != - ] && ! wb_err_matches "$err" "$res"; then
		tap_fail "$desc" "writeback <- '$val': $res" "want: $ZB_WANT"
	elif [ $((p1 - p0)) -ne "$want" ]; then
		tap_fail "$desc" "bd_stat pages +$((p1 - p0)), want +$want"
	elif [ $((c1 - c0)) -ne "$blocks" ] || [ $((w1 - w0)) -ne "$blocks" ]; then
		tap_fail "$desc" "bd_stat count +$((c1 - c0)), writes +$((w1 - w0)), want +$blocks each"
	elif [ "$fl" != 0 ]; then
		tap_fail "$desc" "bd_stat wb_inflight $fl after the write returned, want 0"
	else
		tap_ok "$desc"
		return 0
	fi
	return 1
}

# wb_fio DESC WANT JOB [VAR=VALUE...]: tests/fio/JOB with the variables in its
# environment, as one assertion.  WANT: ok (exit 0, every job err=0), eio
# (fio fails, and every error it reports is EIO), eio-or-ok (either), fail
# (fio fails with I/O errors, whichever).  A verify failure (wrong data)
# always fails.  The output goes to $VMOUT.
wb_fio() {
	local desc=$1 want=$2 job=$3; shift 3
	local out=$ZB_TMP/fio.out err=$ZB_TMP/fio.err rc line clean=0 eio=0 ioerr=0 other=() vfail=()
	env WB_NOWAIT=0 "$@" fio --output="$out" "$ZB_FIO/$job" 2> "$err"
	rc=$?
	while IFS= read -r line; do
		case $line in
		*"verify: "*|*"verify failed"*|*"verify type mismatch"*)
				vfail+=("$line") ;;
		*": (groupid="*"err= 0:"*) clean=$((clean + 1)) ;;
		*": (groupid="*"err= 5 "*) eio=$((eio + 1)) ;;
		*": (groupid="*"err="*"func=io_u error"*) ioerr=$((ioerr + 1)); other+=("$line") ;;
		*": (groupid="*"err="*) other+=("$line") ;;
		*"io_u error"*)	[[ $line == *"Input/output error"* ]] || other+=("$line") ;;
		esac
	done < <(cat "$out" "$err")
	[ -n "${VMOUT:-}" ] && [ -d "$VMOUT" ] && cp "$out" "$VMOUT/80-fio-$_tap_n-$job.txt" 2>/dev/null
	local ok=0
	if [ "$want" = fail ] && [ ${#vfail[@]} -eq 0 ] && [ $rc -ne 0 ] &&
	   [ $((eio + ioerr)) -gt 0 ]; then
		ok=1
	elif [ ${#vfail[@]} -eq 0 ] && [ ${#other[@]} -eq 0 ]; then
		case $want in
		ok)	   [ $rc -eq 0 ] && [ $eio -eq 0 ] && [ $clean -gt 0 ] && ok=1 ;;
		eio)	   [ $rc -ne 0 ] && [ $eio -gt 0 ] && ok=1 ;;
		eio-or-ok) { [ $rc -eq 0 ] && [ $clean -gt 0 ]; } || [ $eio -gt 0 ] && ok=1 ;;
		esac
	fi
	if [ $ok = 1 ]; then
		tap_ok "$desc"
		return 0
	fi
	local tail_lines=()
	mapfile -t -n 6 tail_lines < "$err"
	tap_fail "$desc" "fio exit $rc, $clean clean job(s), $eio with EIO, $ioerr with other I/O errors, want $want" \
		"${vfail[@]:0:6}" "${other[@]:0:4}" "${tail_lines[@]}"
	return 1
}

# fill DESC WANT OFFSET SIZE COMPRESS: wb-fill.fio writes and verifies a
# region: COMPRESS 50, half-compressible pages in 4 KiB writes; COMPRESS 0,
# incompressible pages in 64 KiB writes.  With ALIGN=512 the buffers start
# 512 bytes into a page: every page of I/O straddles two pages, which takes
# the driver's bounce paths.
fill() {
	local bs=4k
	[ "$5" = 0 ] && bs=64k
	wb_fio "$1" "$2" wb-fill.fio WB_OFFSET="$3" WB_SIZE="$4" WB_COMPRESS="$5" \
		WB_BS=$bs WB_VERIFY_ONLY=0 WB_ALIGN="${ALIGN:-0}"
}

# verify DESC WANT OFFSET SIZE COMPRESS: only verify what fill left there.
verify() {
	local bs=4k
	[ "$5" = 0 ] && bs=64k
	wb_fio "$1" "$2" wb-fill.fio WB_OFFSET="$3" WB_SIZE="$4" WB_COMPRESS="$5" \
		WB_BS=$bs WB_VERIFY_ONLY=1 WB_ALIGN="${ALIGN:-0}" WB_NOWAIT="${NOWAIT:-0}"
}

# dd_fill: the module file, three times, 4 MiB apart (when the data does not
# matter: dd starts much faster than fio); POOL gets the pages in memory.
dd_fill() {
	local k o s
	for k in 0 1 2; do
		dd if="$ZB_MODULE" of=$DEV bs=64k seek=$((k * 64)) conv=sync,notrunc \
			oflag=direct 2> "$ZB_TMP/dd.err" || { cat "$ZB_TMP/dd.err"; return 1; }
	done
	mm_stat o zswapblk0 orig_data_size; mm_stat s zswapblk0 same_pages
	POOL=$((o / 4096 - s))
}

# setup SIZE BACKING [ATTR=VALUE...]: zswapblk0 reset, backing_dev BACKING
# ("none": none), each ATTR set, then disksize SIZE.
setup() {
	local size=$1 backing=$2 kv ini
	shift 2
	rd ini $D/initstate
	if [ "$ini" != 0 ] && ! zb_reset zswapblk0; then
		echo "reset: $ZB_WERR"
		return 1
	fi
	if [ "$backing" != none ] && ! sysfs_write $D/backing_dev "$backing"; then
		echo "backing_dev $backing: $ZB_WERR"
		return 1
	fi
	for kv; do
		sysfs_write "$D/${kv%%=*}" "${kv#*=}" || { echo "$kv: $ZB_WERR"; return 1; }
	done
	zb_init zswapblk0 "$size"
}

# dm_set NAME TABLE: create NAME with TABLE, or swap TABLE in (suspend, load,
# resume).
dm_set() {
	if [ -e "/dev/mapper/$1" ]; then
		dmsetup suspend "$1" && dmsetup load "$1" --table "$2" && dmsetup resume "$1"
	else
		dmsetup create "$1" --table "$2" && DM_NAMES+=("$1")
	fi
}

dm_remove() {
	local n keep=()
	dmsetup remove "$1" || return
	for n in "${DM_NAMES[@]}"; do [ "$n" = "$1" ] || keep+=("$n"); done
	DM_NAMES=("${keep[@]}")
}

# ddr VAR PAGE [BS]: one O_DIRECT read of BS bytes (default 4096) at page
# PAGE of zswapblk0; VAR gets "ok" or dd's error text.
ddr() {
	local __bs=${3:-4096} __e=
	if dd if=$DEV of=/dev/null bs="$__bs" count=1 skip=$(($2 * 4096 / __bs)) \
	      iflag=direct 2> "$ZB_TMP/dd.err"; then
		printf -v "$1" ok
	else
		IFS= read -r __e < "$ZB_TMP/dd.err"
		printf -v "$1" '%s' "$__e"
	fi
}

NP=16384	# pages of the 64 MiB device

# section TITLE: a diagnostic line, with the time the previous section took.
_sec_t0='' _sec_name=''
section() {
	local t
	now_ms_var t
	[ -n "$_sec_name" ] && tap_diag "($_sec_name: $(((t - _sec_t0) / 1000)) s)"
	_sec_t0=$t _sec_name=$1
	[ -n "$1" ] && tap_diag "$1"
}

# ---- bad input --------------------------------------------------------------
section "bad input, uninitialised devices"
: > "$ZB_TMP/regular"
bad ENOTBLK zswapblk0 backing_dev "$ZB_TMP/regular"
bad ENOTBLK zswapblk0 backing_dev /dev/null
bad EINVAL zswapblk0 backing_dev /dev/zswapblk0
bad EINVAL zswapblk0 backing_dev /dev/zswapblk1
bad ENOENT zswapblk0 backing_dev /dev/nonexistent-zswapblk-disk
bad EINVAL zswapblk0 backing_dev ""
bad EINVAL zswapblk0 backing_dev $'/dev/null\nx'
modprobe loop 2> /dev/null
empty=$(losetup -f 2> /dev/null)
if [ -b "$empty" ]; then
	bad EINVAL zswapblk0 backing_dev "$empty"
else
	tap_skip "backing_dev on an empty disk: EINVAL" "no unbound loop device"
fi
bad EINVAL zswapblk0 writeback idle
bad EINVAL zswapblk0 writeback page_index=0
bad EINVAL zswapblk0 idle all
bad EINVAL zswapblk0 idle 10

for v in 0 1025 abc "" -1 4294967297 1x; do
	bad EINVAL zswapblk0 writeback_batch_size "$v"
done
for a in writeback_wmark_low writeback_wmark_high; do
	for v in 101% 1000% abc % -1 -1% 1.5% 5%% "" 1X 99999999999999999999999 $'5%\n5'; do
		bad EINVAL zswapblk0 $a "$v"
	done
done
for v in garbage "" ALL "all huge" 1 nonee; do
	bad EINVAL zswapblk0 writeback_direct "$v"
done
for a in writeback_limit writeback_limit_enable; do
	for v in abc "" -1 1x 99999999999999999999999; do
		bad EINVAL zswapblk0 $a "$v"
	done
done
for v in abc "" -1 315360001 4294967296; do
	bad EINVAL zswapblk0 writeback_age "$v"
done
for v in abc "" -1 4294967296; do
	bad EINVAL zswapblk0 writeback_rate "$v"
done
for v in abc "" 2 -1 x1; do
	bad EINVAL zswapblk0 compressed_writeback "$v"
done

# Valid values read back as written; then back to the defaults.
roundtrip writeback_batch_size 1 1
roundtrip writeback_batch_size 1024 1024
roundtrip writeback_batch_size 64 64
roundtrip writeback_wmark_high 50% 50%
roundtrip writeback_wmark_low 4M 4194304
roundtrip writeback_wmark_high 0 0
roundtrip writeback_wmark_low 0 0
roundtrip writeback_direct huge "none [huge] all"
roundtrip writeback_direct none "[none] huge all"
roundtrip writeback_limit 100 100
roundtrip writeback_limit 0 0
roundtrip writeback_limit_enable 1 1
roundtrip writeback_limit_enable 0 0
roundtrip writeback_age 315360000 315360000
roundtrip writeback_age 0 0
roundtrip writeback_rate 0 0
roundtrip writeback_rate 65536 65536
roundtrip compressed_writeback 1 1
roundtrip compressed_writeback 0 0
rd v $D/backing_dev; check_eq "backing_dev reads 'none' by default" "$v" none

# A disk someone else holds.
expect_write_ok $D1/backing_dev "$DISK" "zswapblk1 backing_dev <- $DISK"
bad EBUSY zswapblk0 backing_dev "$DISK"
expect_write_ok $D1/backing_dev none "zswapblk1 backing_dev <- none releases it"
rd v $D1/backing_dev; check_eq "zswapblk1 backing_dev reads 'none'" "$v" none
if [ $HAVE_DM = 1 ] && check "dm linear table over $DISK" dm_set zbwb-hold "0 $DISK_SECTORS linear $DISK 0"; then
	bad EBUSY zswapblk0 backing_dev "$DISK"
	check "remove zbwb-hold" dm_remove zbwb-hold
fi

expect_write_ok $D/backing_dev "$DISK" "zswapblk0 backing_dev <- $DISK"
rd v $D/backing_dev; check_eq "backing_dev reads $DISK" "$v" "$DISK"
expect_write_ok $D/backing_dev none "backing_dev <- none before init"
expect_write_ok $D/backing_dev "$DISK" "backing_dev <- $DISK again"
check "disksize 64M" zb_init zswapblk0 64M || bail "cannot initialise"

section "bad input, initialised device with a backing disk"
bad EBUSY zswapblk0 backing_dev "$DISK"
bad EBUSY zswapblk0 compressed_writeback 1
bad EBUSY zswapblk0 backing_dev none
bad EBUSY zswapblk0 backing_dev /dev/nonexistent-zswapblk-disk
for v in "" garbage IDLE type=bogus type= "idle huge" "idle type=huge" bogus=1 \
	 page_index=abc page_index=-1 page_index= page_index=$NP \
	 page_indexes=20-10 page_indexes=10 page_indexes=-5 page_indexes=5- \
	 "page_indexes=5-$NP" "page_index=1 page_indexes=1-2" "page_index=1 page_index=2" \
	 "huge page_index=$NP"; do
	bad EINVAL zswapblk0 writeback "$v"
done
# An index too big for unsigned long is still "an index past the disk":
# EINVAL, as the ABI says, not the ERANGE of a bare kstrtoul().
bad EINVAL zswapblk0 writeback page_index=99999999999999999999
bad EINVAL zswapblk0 writeback page_indexes=0-99999999999999999999
for v in "" abc -1 all2 1s 4294967296 "all 1"; do
	bad EINVAL zswapblk0 idle "$v"
done
wb_cmd "writeback idle of an empty device: nothing to do" - 0 idle
wb_cmd "writeback page_indexes=0-$((NP - 1)) of an empty device" - 0 "page_indexes=0-$((NP - 1))"

check "zswapblk1: disksize 16M, no backing_dev" zb_init zswapblk1 16M
for v in idle huge huge_idle incompressible page_index=0 "type=idle page_indexes=0-9"; do
	bad ENODEV zswapblk1 writeback "$v"
done
expect_write_ok $D1/idle all "zswapblk1: idle all works without backing_dev"
check "zswapblk1 reset" zb_reset zswapblk1

# verify_ab_on_disk [HOW]: A and B, all on the disk, read back and verified,
# then again into buffers that straddle pages; every page is read from the
# disk each time.
verify_ab_on_disk() {
	local r0 r1 r2
	bd_stat r0 zswapblk0 reads
	verify "verify A from the backing disk${1:+ ($1)}" ok 0 16M 50
	verify "verify B from the backing disk" ok 16M 8M 0
	bd_stat r1 zswapblk0 reads
	check_eq "bd_stat reads: every page came from the disk once" $((r1 - r0)) 6144
	ALIGN=512 NOWAIT=1 verify "verify A from the disk into buffers 512 bytes into a page, RWF_NOWAIT" \
		ok 0 16M 50
	ALIGN=512 NOWAIT=1 verify "verify B likewise, 64 KiB reads" ok 16M 8M 0
	bd_stat r2 zswapblk0 reads
	check_eq "bd_stat reads: every page from the disk once more" $((r2 - r1)) 6144
}

# ---- on demand ----------------------------------------------------------------
section "on-demand writeback"
# A: pages 0-4095, half-compressible; B: pages 4096-6143, incompressible.
fill "fill A (0-16M, half-compressible), verified" ok 0 16M 50
fill "fill B (16M-24M, incompressible), verified" ok 16M 8M 0
mm_stat huge zswapblk0 huge_pages
mm_stat orig0 zswapblk0 orig_data_size
check_eq "mm_stat huge_pages: B's 2048 pages" "$huge" 2048
check_eq "mm_stat orig_data_size: 6144 pages" "$orig0" $((6144 * 4096))

mm_stat compr0 zswapblk0 compr_data_size
wb_cmd "writeback huge: exactly B's 2048 pages" - 2048 huge
mm_stat huge zswapblk0 huge_pages; mm_stat compr1 zswapblk0 compr_data_size
check_eq "huge_pages 0 after writeback huge" "$huge" 0
check_eq "compr_data_size dropped by 2048 raw pages" $((compr0 - compr1)) $((2048 * 4096))
wb_cmd "writeback type=huge page_indexes=0-4095: no huge page left" - 0 "type=huge page_indexes=0-4095"
wb_cmd "writeback page_index=100: one page" - 1 page_index=100
wb_cmd "writeback page_index=100 again: already on disk" - 0 page_index=100
wb_cmd "writeback page_index=5000 (B, on disk): nothing" - 0 page_index=5000
wb_cmd "writeback page_index=$((NP - 1)) (never written): nothing" - 0 page_index=$((NP - 1))
wb_cmd "writeback page_indexes=200-299: 100 pages" - 100 page_indexes=200-299
wb_cmd "writeback page_indexes=250-349: the 50 not yet on disk" - 50 page_indexes=250-349
expect_write_ok $D/idle 3600 "idle 3600: nothing is an hour old"
wb_cmd "writeback idle after idle 3600: nothing" - 0 idle
wb_cmd "writeback huge_idle: nothing" - 0 huge_idle

# writeback_limit, in 4 KiB units
expect_write_ok $D/writeback_limit_enable 1 "writeback_limit_enable <- 1"
expect_write_ok $D/writeback_limit 64 "writeback_limit <- 64"
expect_write_ok $D/idle all "idle all"
wb_cmd "writeback idle with limit 64: 64 pages, then EIO" EIO 64 idle
rd v $D/writeback_limit; check_eq "writeback_limit used up: 0" "$v" 0
wb_cmd "writeback page_index=4000 with no limit left: EIO, nothing" EIO 0 page_index=4000
expect_write_ok $D/writeback_limit 16 "writeback_limit <- 16"
wb_cmd "writeback type=idle page_indexes=1000-1999 with limit 16: 16 pages, EIO" EIO 16 "type=idle page_indexes=1000-1999"
expect_write_ok $D/writeback_limit 1000000 "writeback_limit <- 1000000"
wb_cmd "writeback page_indexes=2000-2099 within the limit: 100 pages" - 100 page_indexes=2000-2099
rd v $D/writeback_limit; check_eq "writeback_limit took 100: 999900" "$v" 999900
expect_write_ok $D/writeback_limit_enable 0 "writeback_limit_enable <- 0"

# Everything else that is idle.  4096 pages of A, less what went above.
mm_stat used0 zswapblk0 mem_used_total
want=$((4096 - 1 - 150 - 64 - 16 - 100))
wb_cmd "writeback idle: the rest of A, $want pages" - "$want" idle
mm_stat compr zswapblk0 compr_data_size; mm_stat used zswapblk0 mem_used_total
mm_stat orig zswapblk0 orig_data_size
bd_stat cnt zswapblk0 count
check_eq "bd_stat count: all 6144 pages on the disk" "$cnt" 6144
check_eq "compr_data_size 0 with everything on the disk" "$compr" 0
check_cmp "mem_used_total fell from $used0 to $used (< 1/8)" $((used * 8)) -lt "$used0"
check_eq "orig_data_size unchanged by writeback" "$orig" "$orig0"
verify_ab_on_disk
check_no_io_errors zswapblk0

# Rewrite, write back again and discard one page that is on the disk.
P=3000
head -c 4096 /dev/urandom > "$ZB_TMP/page"
bd_stat c0 zswapblk0 count
check "rewrite page $P (on the disk)" dd if="$ZB_TMP/page" of=$DEV bs=4096 seek=$P \
	count=1 oflag=direct conv=notrunc
bd_stat c1 zswapblk0 count
check_eq "the rewrite freed its block: count -1" $((c1 - c0)) -1
check "page $P reads the new data (memory)" sh -c \
	"dd if=$DEV bs=4096 skip=$P count=1 iflag=direct 2>/dev/null | cmp - '$ZB_TMP/page'"
wb_cmd "writeback page_index=$P: written back again" - 1 page_index=$P
check "page $P reads the new data (disk)" sh -c \
	"dd if=$DEV bs=4096 skip=$P count=1 iflag=direct 2>/dev/null | cmp - '$ZB_TMP/page'"
bd_stat c2 zswapblk0 count
check "discard page $P" blkdiscard -o $((P * 4096)) -l 4096 $DEV
bd_stat c3 zswapblk0 count
check_eq "the discard freed its block: count -1" $((c3 - c2)) -1
check "page $P reads zeros after the discard" sh -c \
	"dd if=$DEV bs=4096 skip=$P count=1 iflag=direct 2>/dev/null | cmp -n 4096 - /dev/zero"
check "discard the whole device" blkdiscard $DEV
bd_stat cnt zswapblk0 count; mm_stat orig zswapblk0 orig_data_size
check_eq "bd_stat count 0 after discarding everything" "$cnt" 0
check_eq "orig_data_size 0 after discarding everything" "$orig" 0

# idle N marks what was not touched for more than N seconds, and only that.
# Access times are kept to the second and rounded so that a younger page is
# never marked: page 8000 stays in memory unless this guest stalls for two
# seconds between its write and the idle write.
check "write the module file three times" dd_fill
zb_sleep 3.5
check "3.5 s later, write page 8000" dd if="$ZB_TMP/page" of=$DEV bs=4096 seek=8000 \
	count=1 oflag=direct conv=notrunc
expect_write_ok $D/idle 2 "idle 2"
wb_cmd "writeback idle after idle 2: the $POOL older pages, not page 8000" - "$POOL" idle
wb_cmd "writeback page_index=8000: it was not idle, it is still in memory" - 1 page_index=8000
check "discard the whole device" blkdiscard $DEV

# ---- concurrency --------------------------------------------------------------
section "writeback while fio rewrites and verifies"

# wb_loop: on-demand writeback runs back to back, with batch sizes 1, 64 and
# 1024, until $ZB_TMP/wb.run goes; "RUNS FAILED [ERROR]" to wb.result.
wb_loop() {
	local n=0 failed=0 last='' b batches=(64 1 1024)
	ZB_TMP=$ZB_TMP/loop
	mkdir -p "$ZB_TMP"
	while [ -e "$ZB_TMP/../wb.run" ]; do
		b=${batches[n % 3]}
		sysfs_write $D/writeback_batch_size "$b" || { failed=$((failed + 1)); last="batch $b: $ZB_WERR"; }
		sysfs_write $D/idle all || { failed=$((failed + 1)); last="idle: $ZB_WERR"; }
		sysfs_write $D/writeback idle || { failed=$((failed + 1)); last="idle: $ZB_WERR"; }
		sysfs_write $D/writeback "page_indexes=$((n % 4 * 1024))-$((n % 4 * 1024 + 1023))" ||
			{ failed=$((failed + 1)); last="range: $ZB_WERR"; }
		n=$((n + 1))
		zb_sleep 0.2
	done
	echo "$n $failed $last" > "$ZB_TMP/../wb.result"
}

# fio_during_wb_loop DESC: fio randrw x4 with verification while wb_loop
# runs; the loop must have run and no run may have failed.
fio_during_wb_loop() {
	local runs failed last loop_pid
	: > "$ZB_TMP/wb.run"
	wb_loop &
	loop_pid=$!
	wb_fio "$1" ok wb-randrw.fio WB_SIZE=4M WB_IO=6M
	rm -f "$ZB_TMP/wb.run"
	wait_pid $loop_pid 60
	read -r runs failed last < "$ZB_TMP/wb.result" 2>/dev/null || runs=0
	check_cmp "writeback loop ran during fio ($runs rounds)" "${runs:-0}" -ge 2
	check_eq "no writeback run failed${last:+ (last: $last)}" "${failed:-x}" 0
}

check "fresh 64M device with the backing disk" setup 64M "$DISK"
fio_during_wb_loop "fio randrw x4, verify, while on-demand writeback loops"
bd_stat w zswapblk0 writes; bd_stat r zswapblk0 reads; bd_stat cnt zswapblk0 count
tap_diag "bd_stat: $(< $D/bd_stat)"
check_cmp "bd_stat writes moved ($w)" "${w:-0}" -gt 0
check_cmp "bd_stat reads moved: fio read pages from the disk ($r)" "${r:-0}" -gt 0
check_cmp "rewrites freed written-back blocks: count $cnt < writes $w" "${cnt:-0}" -lt "${w:-0}"
check_no_io_errors zswapblk0

# Age: pages untouched for more than writeback_age seconds go to the disk
# without being asked, within a few of the worker's one-second rounds; then
# fio rewrites and verifies them while the worker keeps going.
check "fresh 64M device, writeback_age 1" setup 64M "$DISK" writeback_age=1
rd v $D/writeback_age; check_eq "writeback_age reads 1" "$v" 1
fill "fill 16M, half-compressible" ok 0 16M 50
# age_runs counts a run once all its writes completed
age_ran() { local __r; bd_stat __r zswapblk0 age_runs; [ "${__r:-0}" -gt 0 ]; }
check "the age worker writes pages back within 15 s (age_runs)" wait_for 15 age_ran
bd_stat w zswapblk0 writes
check_cmp "bd_stat writes moved ($w)" "${w:-0}" -gt 0
wb_fio "fio randrw x4, verify, with writeback by age" ok wb-randrw.fio WB_SIZE=4M WB_IO=6M
tap_diag "bd_stat: $(< $D/bd_stat)"
check_no_io_errors zswapblk0

check "fresh 64M device, mem_limit 8M, watermarks 50%/25%" setup 64M "$DISK" \
	mem_limit=8M writeback_wmark_high=50% writeback_wmark_low=25%
wb_fio "fio randrw x4, verify, with writeback by watermark" ok wb-randrw.fio WB_SIZE=4M WB_IO=6M
bd_stat runs zswapblk0 wmark_runs; bd_stat age zswapblk0 age_runs
tap_diag "bd_stat: $(< $D/bd_stat)"
tap_diag "mm_stat: $(< $D/mm_stat)"
check_cmp "bd_stat wmark_runs moved ($runs)" "${runs:-0}" -gt 0
check_eq "bd_stat age_runs 0 (writeback_age is 0)" "$age" 0
pool_le() { local __u; mm_stat __u zswapblk0 mem_used_total; [ "${__u:-0}" -le "$1" ]; }
if wait_for 15 pool_le $((4 << 20)); then
	tap_ok "mem_used_total falls to the high watermark (4M) or below"
else
	mm_stat used zswapblk0 mem_used_total
	tap_fail "mem_used_total falls to the high watermark (4M) or below" "still $used after 15 s"
fi
check_no_io_errors zswapblk0

# ---- spills --------------------------------------------------------------
section "mem_limit and spills"
check "fresh 64M device, mem_limit 8M, backing disk" setup 64M "$DISK" mem_limit=8M
fill "24M through an 8M mem_limit: no write error, verified" ok 0 24M 50
bd_stat sp zswapblk0 spills; bd_stat cnt zswapblk0 count
mm_stat used zswapblk0 mem_used_total; mm_stat max zswapblk0 mem_used_max
tap_diag "bd_stat: $(< $D/bd_stat)" "mm_stat: $(< $D/mm_stat)"
check_cmp "bd_stat spills > 0 ($sp)" "${sp:-0}" -gt 0
check_eq "every spill is on the disk: count == spills" "$cnt" "$sp"
check_cmp "mem_used_max $max <= mem_limit 8M" "${max:-x}" -le $((8 << 20))
check_cmp "mem_used_total $used <= mem_limit 8M" "${used:-x}" -le $((8 << 20))
check_cmp "mem_used_total $used near the limit (>= 6M)" "${used:-0}" -ge $((6 << 20))
verify "verify the 24M again" ok 0 24M 50
check_no_io_errors zswapblk0

check "fresh 64M device, mem_limit 8M, no backing disk" setup 64M none mem_limit=8M
fill "24M through an 8M mem_limit without a backing disk: write errors" fail 0 24M 50
io_stat fw zswapblk0 failed_writes
check_cmp "io_stat failed_writes > 0 ($fw)" "${fw:-0}" -gt 0
head -c 4096 /dev/urandom > "$ZB_TMP/page"
dd if="$ZB_TMP/page" of=$DEV bs=4096 seek=10000 count=1 oflag=direct conv=notrunc 2> "$ZB_TMP/dd.err"
rc=$?; err=; IFS= read -r err < "$ZB_TMP/dd.err"
check_match "a write over mem_limit without a backing disk fails with an I/O error (EIO), as documented (rc $rc)" \
	"$err" "*Input/output error*"
mm_stat max zswapblk0 mem_used_max
check_cmp "mem_used_max $max <= mem_limit 8M" "${max:-x}" -le $((8 << 20))

# ---- writeback_direct -------------------------------------------------------
section "writeback_direct"
check "fresh 64M device, writeback_direct all" setup 64M "$DISK" writeback_direct=all
fill "A (0-4M, half-compressible) with writeback_direct all" ok 0 4M 50
bd_stat sp zswapblk0 spills; bd_stat cnt zswapblk0 count
mm_stat compr zswapblk0 compr_data_size
check_eq "all: spills == A's 1024 pages" "$sp" 1024
check_eq "all: bd_stat count == 1024" "$cnt" 1024
check_eq "all: nothing compressed in memory" "$compr" 0
bd_stat r0 zswapblk0 reads
verify "verify A from the disk" ok 0 4M 50
bd_stat r1 zswapblk0 reads
check_eq "all: 1024 pages read from the disk" $((r1 - r0)) 1024
ALIGN=512 fill "A' (4M-6M) from buffers 512 bytes into a page: spilled from a copy" ok 4M 2M 50
bd_stat sp zswapblk0 spills
check_eq "all: A' spilled too: 1536 spills" "$sp" 1536
verify "verify A' from the disk" ok 4M 2M 50

check "fresh 64M device, writeback_direct huge" setup 64M "$DISK" writeback_direct=huge
fill "A with writeback_direct huge: memory" ok 0 4M 50
fill "B (4M-8M, incompressible) with writeback_direct huge: disk" ok 4M 4M 0
bd_stat sp zswapblk0 spills; bd_stat cnt zswapblk0 count
mm_stat compr zswapblk0 compr_data_size; mm_stat huge zswapblk0 huge_pages
check_eq "huge: spills == B's 1024 pages" "$sp" 1024
check_eq "huge: bd_stat count == 1024" "$cnt" 1024
check_eq "huge: no huge page in memory" "$huge" 0
check_cmp "huge: A is compressed in memory ($compr)" "${compr:-0}" -gt 0
verify "verify B (disk)" ok 4M 4M 0
expect_write_ok $D/writeback_direct none "writeback_direct <- none on a live device"
fill "C (8M-12M, incompressible) with writeback_direct none" ok 8M 4M 0
bd_stat sp zswapblk0 spills; mm_stat huge zswapblk0 huge_pages
check_eq "none: no new spill, C is in memory (spills/huge_pages)" "$sp/$huge" 1024/1024
check_no_io_errors zswapblk0

# ---- swap ---------------------------------------------------------------------
section "swap with a backing disk, mem_limit and watermarks"
swaps_active others
rd ctl $CGROOT/cgroup.controllers
if ! need_prog memstress; then
	tap_skip "swap under memstress" "tests/progs/memstress missing"
elif [[ " $ctl " != *" memory "* ]]; then
	tap_skip "swap under memstress" "no cgroup v2 memory controller"
elif [ ${#others[@]} -gt 0 ]; then
	tap_skip "swap under memstress" "other swap devices are active: ${others[*]}"
else
	MEMSTRESS=$ZB_PROG_PATH
	check "fresh 128M device, mem_limit 8M, watermarks 75%/50%" setup 128M "$DISK" \
		mem_limit=8M writeback_wmark_high=75% writeback_wmark_low=50%
	check "mkswap + swapon" zb_swapon zswapblk0
	sysfs_write $CGROOT/cgroup.subtree_control +memory
	check "memory cgroup, memory.max 24M" \
		sh -c "mkdir $CG && echo 24M > $CG/memory.max && echo max > $CG/memory.swap.max"
	in_cg() { ( echo "$BASHPID" > "$CG/cgroup.procs" && exec "$@" ); }
	vmstat out0 pswpout; vmstat in0 pswpin
	run_tap_prog "memstress" in_cg "$MEMSTRESS" -m "$SWAP_MIB" -p 2 -w 30 -s 11 \
		-D "$SWAP_SECS" -S $D/mm_stat
	vmstat out1 pswpout; vmstat in1 pswpin
	tap_diag "bd_stat: $(< $D/bd_stat)" "mm_stat: $(< $D/mm_stat)"
	check_cmp "pswpout moved (+$((out1 - out0)))" $((out1 - out0)) -gt 0
	check_cmp "pswpin moved (+$((in1 - in0)))" $((in1 - in0)) -gt 0
	bd_stat w zswapblk0 writes; bd_stat r zswapblk0 reads
	bd_stat sp zswapblk0 spills; bd_stat wm zswapblk0 wmark_runs
	check_cmp "bd_stat writes moved ($w)" "${w:-0}" -gt 0
	check_cmp "bd_stat reads moved ($r)" "${r:-0}" -gt 0
	check_cmp "spills ($sp) or watermark runs ($wm)" $((${sp:-0} + ${wm:-0})) -gt 0
	oom=0
	file_key oom "$CG/memory.events" oom_kill
	check_eq "no OOM kill in the cgroup" "$oom" 0
	check_no_io_errors zswapblk0
	cg_cleanup
	check "swapoff" swapoff $DEV
	bd_stat cnt zswapblk0 count; debug_stat miss zswapblk0 miss_free
	check_cmp "swapoff freed the blocks: count $cnt <= miss_free ${miss:-0} + 1" \
		"${cnt:-1}" -le $((${miss:-0} + 1))
fi

# ---- faults (device-mapper) -------------------------------------------------------
section "compressed_writeback"
# Pages are packed into blocks: count and writes move by fewer than pages.
WB_PACKED=1

# disk_layout: the first 6144 blocks of the backing disk (more than this
# section wrote) hold each of B's 2048 pages as it is, and not one of A's
# 4096 pages: A went to disk compressed, B raw (its pages are huge).
disk_layout() {
	"$PYTHON" - "$DEV" "$DISK" <<-'EOF'
	import hashlib, mmap, os, sys
	def pages(path, n):
	    fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
	    buf = mmap.mmap(-1, 1 << 20)
	    out = []
	    for off in range(0, n * 4096, 1 << 20):
	        got = os.preadv(fd, [buf], off)
	        out += [hashlib.sha1(buf[i:i + 4096]).digest()
	                for i in range(0, min(got, n * 4096 - off), 4096)]
	    os.close(fd)
	    return out
	dev = pages(sys.argv[1], 6144)
	disk = set(pages(sys.argv[2], 6144))
	raw_a = sum(h in disk for h in dev[:4096])
	raw_b = sum(h in disk for h in dev[4096:])
	print(f"on the disk as they are: {raw_a} of A's 4096 pages, {raw_b} of B's 2048")
	sys.exit(0 if raw_a == 0 and raw_b == 2048 else 1)
	EOF
}
PYTHON=$(command -v /usr/bin/python3 || command -v python3)

check "fresh 64M device, compressed_writeback 1" setup 64M "$DISK" compressed_writeback=1
rd v $D/compressed_writeback; check_eq "compressed_writeback reads 1" "$v" 1
bad EBUSY zswapblk0 compressed_writeback 0
fill "fill A (0-16M, half-compressible), verified" ok 0 16M 50
fill "fill B (16M-24M, incompressible), verified" ok 16M 8M 0
expect_write_ok $D/idle all "idle all"
wb_cmd "writeback idle: A and B, 6144 pages" - 6144 idle
# A's pages compress to about half a page, packed: they share blocks
bd_stat cnt zswapblk0 count; bd_stat pg zswapblk0 pages
tap_diag "bd_stat: $(< $D/bd_stat)"
check_eq "bd_stat pages: 6144 on the disk" "$pg" 6144
check_cmp "bd_stat count: A in at most 3072 blocks, B in 2048 ($cnt)" "${cnt:-0}" -le 5120
mm_stat compr zswapblk0 compr_data_size; mm_stat orig zswapblk0 orig_data_size
check_eq "compr_data_size 0 with everything on the disk" "$compr" 0
check_eq "orig_data_size: still 6144 pages" "$orig" $((6144 * 4096))
verify_ab_on_disk decompressed
if [ -n "$PYTHON" ]; then
	check "the disk holds B's pages raw and none of A's: A is compressed" disk_layout
else
	tap_skip "what the disk holds" "python3 is not installed"
fi
check_no_io_errors zswapblk0
P=3000
head -c 4096 /dev/urandom > "$ZB_TMP/page"
check "rewrite page $P (on the disk, compressed)" dd if="$ZB_TMP/page" of=$DEV bs=4096 \
	seek=$P count=1 oflag=direct conv=notrunc
wb_cmd "writeback page_index=$P: an incompressible page, raw" - 1 page_index=$P
check "page $P reads the new data (disk)" sh -c \
	"dd if=$DEV bs=4096 skip=$P count=1 iflag=direct 2>/dev/null | cmp - '$ZB_TMP/page'"
check "discard page $P" blkdiscard -o $((P * 4096)) -l 4096 $DEV
check "page $P reads zeros after the discard" sh -c \
	"dd if=$DEV bs=4096 skip=$P count=1 iflag=direct 2>/dev/null | cmp -n 4096 - /dev/zero"

# A damaged block: 4 KiB of 0xff over block 10, written to the disk behind
# the driver's back.  The pages whose data is in it (some of them may only
# start or end there) do not decompress: EIO, never wrong data; the other
# pages read back as written, and a rewrite heals a damaged page.
# damaged_pages REF BAD: read each page of the 512 in REF on its own; none
# may differ from REF, and 1 to 4 pages in a row (a fresh device packs them
# in order) must fail with EIO; their numbers go to BAD.
damaged_pages() {
	"$PYTHON" - "$DEV" "$1" "$2" <<-'EOF'
	import errno, mmap, os, sys
	fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECT)
	ref = open(sys.argv[2], "rb").read()
	buf = mmap.mmap(-1, 4096)
	bad, wrong = [], []
	for i in range(512):
	    try:
	        os.preadv(fd, [buf], i * 4096)
	    except OSError as e:
	        if e.errno != errno.EIO:
	            raise
	        bad.append(i)
	        continue
	    if buf[:] != ref[i * 4096:(i + 1) * 4096]:
	        wrong.append(i)
	open(sys.argv[3], "w").write(" ".join(map(str, bad)) + "\n")
	print(f"EIO: pages {bad}; wrong data: pages {wrong}")
	run = bad == list(range(bad[0], bad[0] + len(bad))) if bad else False
	sys.exit(0 if not wrong and 1 <= len(bad) <= 4 and run else 1)
	EOF
}
check "fresh 64M device, compressed_writeback 1" setup 64M "$DISK" compressed_writeback=1
fill "fill A (0-2M)" ok 0 2M 50
check "a copy of A" dd if=$DEV of="$ZB_TMP/a.ref" bs=64k count=32 iflag=direct
expect_write_ok $D/idle all "idle all"
wb_cmd "A written back: 512 pages" - 512 idle
check "overwrite block 10 of $DISK with 0xff" sh -c \
	"head -c 4096 /dev/zero | tr '\\0' '\\377' | dd of=$DISK bs=4096 seek=10 count=1 oflag=direct conv=notrunc 2>/dev/null"
bd_stat bfr0 zswapblk0 failed_reads
if [ -n "$PYTHON" ]; then
	check "A reads back as written but for block 10's pages: EIO" \
		damaged_pages "$ZB_TMP/a.ref" "$ZB_TMP/bad"
	read -r -a bad < "$ZB_TMP/bad"
else
	tap_skip "A reads back as written but for block 10's pages" "python3 is not installed"
	bad=()
fi
bd_stat bfr1 zswapblk0 failed_reads
check_eq "bd_stat failed_reads: one per damaged page" $((bfr1 - bfr0)) "${#bad[@]}"
verify "verify A: EIO for the damaged pages, never wrong data" eio 0 2M 50
P=${bad[0]:-10}
ddr res "$P"
check_match "a read of damaged page $P fails with EIO" "$res" "*Input/output error*"
check "rewrite page $P" dd if="$ZB_TMP/page" of=$DEV bs=4096 seek="$P" count=1 \
	oflag=direct conv=notrunc
check "page $P reads the new data" sh -c \
	"dd if=$DEV bs=4096 skip=$P count=1 iflag=direct 2>/dev/null | cmp - '$ZB_TMP/page'"
io_stat fr zswapblk0 failed_reads
check_cmp "io_stat failed_reads counts the failed reads ($fr)" "${fr:-0}" -ge 2

# Fio rewrites and verifies while on-demand writeback loops, compressed.
check "fresh 64M device, compressed_writeback 1" setup 64M "$DISK" compressed_writeback=1
fio_during_wb_loop "fio randrw x4, verify, while compressed writeback loops"
bd_stat w zswapblk0 writes; bd_stat r zswapblk0 reads
check_cmp "bd_stat writes ($w) and reads ($r) moved" "$((${w:-0} > 0 && ${r:-0} > 0))" -eq 1
check_no_io_errors zswapblk0
check "reset zswapblk0" zb_reset zswapblk0
rd v $D/compressed_writeback; check_eq "reset restores compressed_writeback 0" "$v" 0
WB_PACKED=0

section "a failing backing disk"
check "reset zswapblk0: it lets go of $DISK" zb_reset zswapblk0
BD=/dev/mapper/zbwb-bd
LINEAR="0 $DISK_SECTORS linear $DISK 0"
if [ $HAVE_DM = 0 ]; then
	tap_skip "failing backing disk" "no device-mapper (dm-mod, dmsetup)"
elif check "dm linear zbwb-bd over $DISK" dm_set zbwb-bd "$LINEAR" &&
     check "fresh 64M device on $BD" setup 64M $BD; then
	fill "A (0-2M) written" ok 0 2M 50
	expect_write_ok $D/idle all "idle all"
	wb_cmd "A written back: 512 pages" - 512 idle
	fill "B (2M-4M) in memory" ok 2M 2M 50
	check "swap in an error table" dm_set zbwb-bd "0 $DISK_SECTORS error"

	io_stat fr0 zswapblk0 failed_reads; bd_stat bfr0 zswapblk0 failed_reads
	ddr res 10
	check_match "a 4 KiB read of a page on the disk fails with EIO" "$res" "*Input/output error*"
	io_stat fr1 zswapblk0 failed_reads; bd_stat bfr1 zswapblk0 failed_reads
	check_eq "io_stat failed_reads +1, bd_stat failed_reads +1" \
		"$((fr1 - fr0))/$((bfr1 - bfr0))" 1/1
	ddr res 16 65536
	check_match "a 64 KiB read (16 pages on the disk) fails with EIO" "$res" "*Input/output error*"
	io_stat fr2 zswapblk0 failed_reads; bd_stat bfr2 zswapblk0 failed_reads
	check_eq "bd_stat failed_reads +16 (backing reads)" $((bfr2 - bfr1)) 16
	check_eq "io_stat failed_reads +1 (one failed request, as documented)" $((fr2 - fr1)) 1
	verify "verify A: EIO, never wrong data" eio 0 2M 50

	bd_stat bfw0 zswapblk0 failed_writes
	mm_stat compr0 zswapblk0 compr_data_size
	expect_write_ok $D/idle all "idle all"
	wb_cmd "writeback idle to the failing disk: EIO, nothing moves" EIO 0 idle
	bd_stat bfw1 zswapblk0 failed_writes; mm_stat compr1 zswapblk0 compr_data_size
	check_cmp "bd_stat failed_writes moved (+$((bfw1 - bfw0)))" "$bfw1" -gt "$bfw0"
	check_eq "B stays in memory: compr_data_size unchanged" "$compr1" "$compr0"
	wb_cmd "writeback page_index=700 to the failing disk: EIO" EIO 0 page_index=700
	verify "verify B (memory) after the failed writeback" ok 2M 2M 50

	io_stat fw0 zswapblk0 failed_writes
	expect_write_ok $D/writeback_direct all "writeback_direct <- all"
	fill "C (4M-5M) spilled to the failing disk: write errors (EIO)" eio 4M 1M 50
	io_stat fw1 zswapblk0 failed_writes
	check_cmp "io_stat failed_writes moved (+$((fw1 - fw0)))" "$fw1" -gt "$fw0"
	check "C still reads zeros (a failed write keeps the old data)" sh -c \
		"dd if=$DEV bs=64k skip=64 count=16 iflag=direct 2>/dev/null | cmp -n 1048576 - /dev/zero"
	expect_write_ok $D/writeback_direct none "writeback_direct <- none"

	check "restore the linear table" dm_set zbwb-bd "$LINEAR"
	verify "verify A (disk) after the restore" ok 0 2M 50
	expect_write_ok $D/idle all "idle all"
	wb_cmd "writeback idle now works: B's 512 pages" - 512 idle
	verify "verify B (disk)" ok 2M 2M 50
	expect_write_ok $D/writeback_direct all "writeback_direct <- all"
	bd_stat sp0 zswapblk0 spills
	check "a page spilled to the restored disk (page 1100)" dd if="$ZB_TMP/page" of=$DEV \
		bs=4096 seek=1100 count=1 oflag=direct conv=notrunc
	bd_stat sp1 zswapblk0 spills
	check_eq "one more spill" $((sp1 - sp0)) 1
	check "page 1100 reads back (disk)" sh -c \
		"dd if=$DEV bs=4096 skip=1100 count=1 iflag=direct 2>/dev/null | cmp - '$ZB_TMP/page'"
	expect_write_ok $D/writeback_direct none "writeback_direct <- none"

	# dm-flakey: the disk fails for 1 s of every 2 while D is rewritten and
	# written back and A is read, round after round.  Whatever fails,
	# nothing reads wrong, and everything verifies once the disk is back.
	if modprobe dm-flakey 2> /dev/null &&
	   check "swap in a flakey table (up 1 s, down 1 s)" dm_set zbwb-bd "0 $DISK_SECTORS flakey $DISK 0 1 1"; then
		bd_stat bf0 zswapblk0 failed_writes; bd_stat br0 zswapblk0 failed_reads
		# At least two rounds, and until the disk failed something (at most 6).
		wbfail=0 wbok=0 i=0
		while :; do
			i=$((i + 1))
			fill "flakey round $i: D (6M-7M) rewritten" ok 6M 1M 50
			sysfs_write $D/idle all
			if sysfs_write $D/writeback idle; then
				wbok=$((wbok + 1))
			elif wb_err_matches EIO "$ZB_WERR"; then
				wbfail=$((wbfail + 1))
			else
				tap_fail "flakey round $i: writeback fails only with EIO" "got: $ZB_WERR"
			fi
			verify "flakey round $i: verify A: EIO or correct, never wrong" eio-or-ok 0 2M 50
			bd_stat bf1 zswapblk0 failed_writes; bd_stat br1 zswapblk0 failed_reads
			[ $i -ge 2 ] && [ $((bf1 - bf0 + br1 - br0)) -gt 0 ] && break
			[ $i -ge 6 ] && break
		done
		tap_diag "flakey: $wbok writeback runs ok, $wbfail failed; backing writes failed +$((bf1 - bf0)), reads +$((br1 - br0))"
		check_cmp "the flakey disk failed some backing I/O" $((bf1 - bf0 + br1 - br0)) -gt 0
		check "restore the linear table" dm_set zbwb-bd "$LINEAR"
		verify "verify A after flakey" ok 0 2M 50
		verify "verify D after flakey" ok 6M 1M 50
		check "page 1100 still reads back" sh -c \
			"dd if=$DEV bs=4096 skip=1100 count=1 iflag=direct 2>/dev/null | cmp - '$ZB_TMP/page'"
		expect_write_ok $D/idle all "idle all"
		expect_write_ok $D/writeback idle "writeback idle works after flakey"
	else
		tap_skip "flakey backing disk" "dm-flakey does not load"
	fi

	# compressed_writeback on the failing disk: a failed run gives every
	# block it took back (bd_count), a page packed with others fails alone,
	# and once every page is gone so is every block.
	check "reset zswapblk0" zb_reset zswapblk0
	if check "fresh 64M device on $BD, compressed_writeback 1" setup 64M $BD \
		compressed_writeback=1; then
		WB_PACKED=1
		fill "compressed: A (0-2M) written" ok 0 2M 50
		expect_write_ok $D/idle all "idle all"
		wb_cmd "compressed: A written back, packed" - 512 idle
		fill "compressed: B (2M-4M) in memory" ok 2M 2M 50
		check "swap in an error table" dm_set zbwb-bd "0 $DISK_SECTORS error"
		verify "compressed: verify A: EIO, never wrong data" eio 0 2M 50
		bd_stat c0 zswapblk0 count; bd_stat bfw0 zswapblk0 failed_writes
		expect_write_ok $D/idle all "idle all"
		wb_cmd "compressed: writeback idle to the failing disk: EIO, nothing moves" EIO 0 idle
		bd_stat c1 zswapblk0 count; bd_stat bfw1 zswapblk0 failed_writes
		check_eq "compressed: the failed run gave its blocks back (bd_count)" "$c1" "$c0"
		check_cmp "compressed: bd_stat failed_writes moved" "$bfw1" -gt "$bfw0"
		verify "compressed: verify B (memory)" ok 2M 2M 50
		check "restore the linear table" dm_set zbwb-bd "$LINEAR"
		verify "compressed: verify A (disk)" ok 0 2M 50
		expect_write_ok $D/idle all "idle all"
		wb_cmd "compressed: B written back now" - 512 idle
		verify "compressed: verify B (disk)" ok 2M 2M 50
		check "compressed: a copy of A and B" dd if=$DEV of="$ZB_TMP/ab.ref" bs=64k \
			count=64 iflag=direct
		check "compressed: discard page 1 (it shares a block)" blkdiscard -o 4096 -l 4096 $DEV
		check "compressed: page 1 reads zeros, the others as they were" sh -c \
			"dd if=/dev/zero of='$ZB_TMP/ab.ref' bs=4096 seek=1 count=1 conv=notrunc 2>/dev/null &&
			 dd if=$DEV of='$ZB_TMP/ab.got' bs=64k count=64 iflag=direct 2>/dev/null &&
			 cmp '$ZB_TMP/ab.ref' '$ZB_TMP/ab.got'"
		check "compressed: discard everything" blkdiscard $DEV
		bd_stat cnt zswapblk0 count; bd_stat pg zswapblk0 pages
		check_eq "compressed: no page and no block left on the disk" "$pg/$cnt" 0/0
		WB_PACKED=0
	fi

	# A full backing disk: 1 MiB = 256 blocks.
	check "reset zswapblk0" zb_reset zswapblk0
	if check "dm linear zbwb-small, 1M of $DISK" dm_set zbwb-small "0 2048 linear $DISK 0" &&
	   check "fresh 16M device on the 1M disk" setup 16M /dev/mapper/zbwb-small; then
		fill "4M (1024 pages) for a 256-block disk" ok 0 4M 50
		expect_write_ok $D/idle all "idle all"
		wb_cmd "writeback idle to a full disk: ENOSPC after 256 pages" ENOSPC 256 idle
		verify "verify the 4M: disk and memory" ok 0 4M 50
		check "reset zswapblk0" zb_reset zswapblk0
		check "dm remove zbwb-small: zswapblk released it" dm_remove zbwb-small
	fi
	check "reset zswapblk0" zb_reset zswapblk0
	check "dm remove zbwb-bd: zswapblk released it" dm_remove zbwb-bd
fi

# ---- lifecycle ------------------------------------------------------------
section "reset and rmmod with writeback going on"
age_ran() { local __r; bd_stat __r zswapblk0 age_runs; [ "${__r:-0}" -ge 1 ]; }

# Automatic writeback slow enough (256 pages a second) to be still busy.
check "fresh 64M device, writeback_age 1, writeback_rate 256" setup 64M "$DISK" \
	writeback_age=1 writeback_rate=256
check "write the module file three times" dd_fill
if wait_for 20 age_ran; then tap_ok "automatic writeback started"; else tap_fail "automatic writeback started" "bd_stat: $(< $D/bd_stat)"; fi
bd_stat cnt zswapblk0 count
tap_diag "bd_stat count $cnt of $POOL pages when reset"
check "reset while automatic writeback runs" zb_reset zswapblk0
st=; for a in initstate backing_dev writeback_age writeback_rate bd_stat; do rd v $D/$a; st+="$a=${v// /} "; done
zeros=$(printf '0%.0s' $(seq "$ZB_BD_NR"))
check_eq "after reset: defaults, no data" "$st" \
	"initstate=0 backing_dev=none writeback_age=0 writeback_rate=65536 bd_stat=$zeros "
expect_write_ok $D1/backing_dev "$DISK" "reset released the disk: zswapblk1 can claim it"
expect_write_ok $D1/backing_dev none "zswapblk1 backing_dev <- none"

check "fresh 64M device" setup 64M "$DISK"
check "write the module file three times" dd_fill
expect_write_ok $D/writeback_batch_size 1 "writeback_batch_size <- 1"
expect_write_ok $D/idle all "idle all"
( ZB_TMP=$ZB_TMP/bg; mkdir -p "$ZB_TMP"
  sysfs_write $D/writeback idle || { echo "$ZB_WERR" > "$ZB_TMP/../wb.bg"; exit 1; } ) &
bg=$!
# Reset once the run has written a page (or is over already): a fixed
# sleep lets a busy host reset before the run starts, which then finds no
# device (EINVAL).
wb_started() { local __w; bd_stat __w zswapblk0 writes; [ "${__w:-0}" -ge 1 ] || ! kill -0 $bg 2>/dev/null; }
wait_for 60 wb_started || tap_diag "no page written back 60 s after the run began"
check "reset during an on-demand writeback run" zb_reset zswapblk0
wait_pid $bg 120; rc=$?
err=; [ -f "$ZB_TMP/wb.bg" ] && IFS= read -r err < "$ZB_TMP/wb.bg"
check_eq "the writeback run finished first, without error${err:+ ($err)}" "$rc" 0
rd v $D/initstate; check_eq "initstate 0" "$v" 0

check "fresh 64M device" setup 64M "$DISK"
check "write the module file three times" dd_fill
expect_write_ok $D/idle all "idle all"
wb_cmd "writeback idle: all $POOL pages in memory" - "$POOL" idle
check "reset after writeback" zb_reset zswapblk0
bd_stat cnt zswapblk0 count; check_eq "bd_stat count 0 after reset" "$cnt" 0

check "fresh 64M device, writeback_age 1, writeback_rate 256" setup 64M "$DISK" \
	writeback_age=1 writeback_rate=256
check "write the module file three times" dd_fill
if wait_for 20 age_ran; then tap_ok "automatic writeback started"; else tap_fail "automatic writeback started" "bd_stat: $(< $D/bd_stat)"; fi
check "rmmod while automatic writeback runs" rmmod zswapblk
check "module gone" test ! -d /sys/module/zswapblk
check "insmod again" zb_load || bail "module does not load again"
expect_write_ok $D/backing_dev "$DISK" "rmmod released the disk: a new zswapblk0 claims it"
check "disksize 64M" zb_init zswapblk0 64M
check "write the module file three times" dd_fill
expect_write_ok $D/idle all "idle all"
wb_cmd "writeback idle: all $POOL pages in memory" - "$POOL" idle
check "rmmod after writeback" rmmod zswapblk

section ""
tap_done
