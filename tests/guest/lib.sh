# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers of the in-guest zswapblk tests (tests/guest/NN-*.sh).
# Source it from a test script; it must run as root inside a throw-away guest.
#
# Environment (set by tests/vm/, defaults for a manual run):
#   ZSWAPBLK_KREL    kernel release             (default: the running kernel)
#   ZSWAPBLK_MODULE  path of zswapblk.ko         (default: build/<krel>/zswapblk.ko)
#   ZSWAPBLK_TEST_BUILD  a directory with <krel>/zswapblk.ko to test instead
#                    (a module built outside build/; loaded with insmod)
#   VMOUT            artifact directory          (optional)
#
# Output is TAP: "ok N - desc", "not ok N - desc" (followed by "#" diagnostic
# lines), "ok N - desc # SKIP reason"; the plan "1..N" comes last.  A test
# script ends with tap_done, which exits 1 if any assertion failed; skip_all
# exits 4 when the whole script cannot run.
#
# Under TCG every exec costs 50-150 ms, so sysfs is read and written with bash
# builtins only (read, echo, printf -v), never with cat.

set -u

ZB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IFS= read -r ZB_RUNNING_KREL < /proc/sys/kernel/osrelease
ZB_KREL=${ZSWAPBLK_KREL:-$ZB_RUNNING_KREL}
if [ -n "${ZSWAPBLK_TEST_BUILD:-}" ]; then
	ZB_MODULE=$ZSWAPBLK_TEST_BUILD/$ZB_KREL/zswapblk.ko
else
	ZB_MODULE=${ZSWAPBLK_MODULE:-$ZB_REPO/build/$ZB_KREL/zswapblk.ko}
fi
ZB_PROGS=$ZB_REPO/tests/progs
ZB_FIO=$ZB_REPO/tests/fio
ZB_CTL=/sys/class/zswapblk-control
ZB_ABI_H=$ZB_REPO/include/zswapblk_abi.h
ZB_TMP=/tmp/zswapblk-test.$$
mkdir -p "$ZB_TMP"

# ---- TAP ------------------------------------------------------------------

_tap_n=0 _tap_pass=0 _tap_fail=0 _tap_skip=0

tap_diag() { local l; for l in "$@"; do printf '# %s\n' "$l"; done; }

tap_ok() { _tap_n=$((_tap_n + 1)); _tap_pass=$((_tap_pass + 1)); printf 'ok %d - %s\n' "$_tap_n" "$1"; }

# tap_fail DESC [DIAG...]
tap_fail() {
	_tap_n=$((_tap_n + 1)); _tap_fail=$((_tap_fail + 1))
	printf 'not ok %d - %s\n' "$_tap_n" "$1"
	shift
	local l; for l in "$@"; do printf '#   %s\n' "$l"; done
}

# tap_skip DESC REASON
tap_skip() { _tap_n=$((_tap_n + 1)); _tap_skip=$((_tap_skip + 1)); printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$1" "$2"; }

# check DESC CMD [ARGS...]: ok when CMD succeeds.
check() {
	local desc=$1; shift
	if "$@" > "$ZB_TMP/check.out" 2>&1; then
		tap_ok "$desc"
	else
		local rc=$? lines=()
		mapfile -t -n 10 lines < "$ZB_TMP/check.out"
		tap_fail "$desc" "command failed (exit $rc): $*" "${lines[@]}"
		return 1
	fi
}

# check_eq DESC GOT WANT; check_ne DESC GOT NOTWANT
check_eq() { if [[ $2 == "$3" ]]; then tap_ok "$1"; else tap_fail "$1" "got:  '$2'" "want: '$3'"; return 1; fi; }
check_ne() { if [[ $2 != "$3" ]]; then tap_ok "$1"; else tap_fail "$1" "got '$2', must differ"; return 1; fi; }

# check_cmp DESC A OP B, OP one of -eq -ne -gt -ge -lt -le (integers)
check_cmp() {
	local desc=$1 a=$2 op=$3 b=$4
	if [[ $a =~ ^-?[0-9]+$ && $b =~ ^-?[0-9]+$ ]] && test "$a" "$op" "$b"; then
		tap_ok "$desc"
	else
		tap_fail "$desc" "expected $a $op $b"
		return 1
	fi
}

# check_match DESC STRING GLOB
check_match() { if [[ $2 == $3 ]]; then tap_ok "$1"; else tap_fail "$1" "'$2' does not match '$3'"; return 1; fi; }

# tap_done: print the plan and leave with the script's status.
tap_done() {
	printf '1..%d\n' "$_tap_n"
	printf '# %s: %d passed, %d failed, %d skipped\n' "${0##*/}" "$_tap_pass" "$_tap_fail" "$_tap_skip"
	[ "$_tap_fail" -eq 0 ] && exit 0
	exit 1
}

# skip_all REASON: nothing of this script can run.
skip_all() { printf '1..0 # SKIP %s\n' "$1"; exit 4; }

# bail DESC [DIAG...]: a failed precondition the rest depends on.
bail() { tap_fail "$@"; tap_done; }

# tap_import FILE [PREFIX]: re-number the TAP lines of a helper program's
# output into this script's stream.  Returns 1 if any of them failed.
tap_import() {
	local line pre=${2:+$2: } rc=0
	while IFS= read -r line; do
		case $line in
		"not ok "*)	line=${line#not ok }; line=${line#*[0-9] }; line=${line#- }
				tap_fail "$pre$line"; rc=1 ;;
		"ok "*"# SKIP"*) line=${line#ok }; line=${line#*[0-9] }; line=${line#- }
				tap_skip "$pre${line%% # SKIP*}" "${line#* # SKIP }" ;;
		"ok "*)		line=${line#ok }; line=${line#*[0-9] }; line=${line#- }
				tap_ok "$pre$line" ;;
		1..*)		;;
		*)		printf '# %s\n' "${line#\# }" ;;
		esac
	done < "$1"
	return $rc
}

# run_tap_prog DESC CMD [ARGS...]: run a TAP-printing helper and import its
# result; a non-zero exit without a failed line is a failure of its own.
run_tap_prog() {
	local desc=$1; shift
	local out=$ZB_TMP/prog.tap rc
	"$@" > "$out" 2>&1
	rc=$?
	tap_import "$out" "${desc}"
	local failed=$?
	if [ $rc -eq 4 ] && [ "$failed" -eq 0 ]; then
		local why='' line
		while IFS= read -r line; do
			[[ $line == "1..0 # SKIP "* ]] && why=${line#1..0 # SKIP }
		done < "$out"
		tap_skip "$desc" "${why:-precondition missing}"
	elif [ $rc -ne 0 ] && [ "$failed" -eq 0 ]; then
		tap_fail "$desc: exit status $rc"
	fi
	[ $rc -eq 0 ]
}

# ---- small builtins-only utilities -------------------------------------------

# file_lines ARRAY FILE: the lines of FILE into ARRAY, read in one go.
# Use it for /proc and cgroup files whose values change while they are read:
# "while read ... done < FILE" seeks back after every line, and a seq_file
# regenerates its text on each seek, so a line can be skipped or cut.
file_lines() { mapfile -t "$1" < "$2"; }

# file_key VAR FILE KEY: the value after KEY in a "key value" file
# (/proc/vmstat, memory.events, /proc/meminfo with "MemTotal:"); 1 if absent.
file_key() {
	local -a __lines
	local __l __k __v
	file_lines __lines "$2" || return 1
	for __l in "${__lines[@]}"; do
		read -r __k __v _ <<< "$__l"
		[ "$__k" = "$3" ] && { printf -v "$1" '%s' "$__v"; return 0; }
	done
	return 1
}

# An fd nobody writes to: "read -t" on it sleeps without an exec.
exec {_zb_sleep_fd}<> <(:)
zb_sleep() { read -r -t "$1" -u "$_zb_sleep_fd" _ || true; }

# now_ms_var VAR: milliseconds since the epoch (bash 5 EPOCHREALTIME, no exec).
now_ms_var() { local __t=${EPOCHREALTIME/[.,]/}; printf -v "$1" '%d' $((__t / 1000)); }

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local limit=$1 t0 t; shift
	now_ms_var t0
	while ! "$@"; do
		now_ms_var t
		[ $((t - t0)) -ge $((limit * 1000)) ] && return 1
		zb_sleep 0.1
	done
}

# wait_pid PID SECONDS: wait for a background job; 124 on timeout (then killed).
wait_pid() {
	local pid=$1 limit=$2 t0 t
	now_ms_var t0
	while kill -0 "$pid" 2>/dev/null; do
		now_ms_var t
		if [ $((t - t0)) -ge $((limit * 1000)) ]; then
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 124
		fi
		zb_sleep 0.1
	done
	wait "$pid"
}

# kernel_ge MAJOR MINOR: the running kernel is at least MAJOR.MINOR.
kernel_ge() {
	local maj=${ZB_RUNNING_KREL%%.*} rest=${ZB_RUNNING_KREL#*.}
	local min=${rest%%[!0-9]*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}

# ---- sysfs ---------------------------------------------------------------------

# Functions that set a variable by name (printf -v) keep their own locals
# "__"-prefixed, or a caller's variable of the same name would be shadowed.

# rd VAR PATH: first line of PATH into VAR ("" and status 1 if unreadable).
rd() {
	local __l=
	if IFS= read -r __l < "$2" 2>/dev/null || [ -n "$__l" ]; then
		printf -v "$1" '%s' "$__l"
	else
		printf -v "$1" '%s' ""
		return 1
	fi
}

# sysfs_write PATH VALUE: echo VALUE > PATH; the error text lands in ZB_WERR.
ZB_WERR=
sysfs_write() {
	local w=(echo)

	# bash writes its builtins' output line by line, and every write(2) is
	# a store of its own: a value with a newline inside needs one write
	[[ $2 == *$'\n'* ]] && w=(env printf '%s\n')
	if "${w[@]}" "$2" 2> "$ZB_TMP/werr" > "$1"; then
		ZB_WERR=
		return 0
	fi
	IFS= read -r ZB_WERR < "$ZB_TMP/werr" || true
	return 1
}

# errno_text VAR ENAME: the strerror() text bash prints for ENAME.
errno_text() {
	local __et
	case $2 in
	EBUSY)	__et="Device or resource busy" ;;
	EINVAL)	__et="Invalid argument" ;;
	ENOSPC)	__et="No space left on device" ;;
	ENODEV)	__et="No such device" ;;
	ENOENT)	__et="No such file or directory" ;;
	EACCES)	__et="Permission denied" ;;
	EPERM)	__et="Operation not permitted" ;;
	ENOMEM)	__et="Cannot allocate memory" ;;
	ERANGE)	__et="Numerical result out of range" ;;
	*)	__et=$2 ;;
	esac
	printf -v "$1" '%s' "$__et"
}

# expect_write_ok PATH VALUE [DESC]
expect_write_ok() {
	local desc=${3:-"write '$2' to ${1#/sys/} succeeds"}
	if sysfs_write "$1" "$2"; then tap_ok "$desc"; else tap_fail "$desc" "error: $ZB_WERR"; return 1; fi
}

# err_matches ENAMES TEXT: TEXT carries the strerror of one of ENAMES
# ("EINVAL" or alternatives "EINVAL|ERANGE"); the wanted text goes to ZB_WANT.
err_matches() {
	local e txt
	ZB_WANT=
	for e in ${1//|/ }; do
		errno_text txt "$e"
		ZB_WANT+=${ZB_WANT:+ or }$txt
		[[ $2 == *"$txt"* ]] && return 0
	done
	return 1
}

# expect_write_err ENAMES PATH VALUE [DESC]: the write must fail with ENAMES.
expect_write_err() {
	local err=$1 path=$2 val=$3
	local desc=${4:-"write '$val' to ${path#/sys/} fails with $err"}
	if sysfs_write "$path" "$val"; then
		tap_fail "$desc" "the write succeeded"
		return 1
	elif err_matches "$err" "$ZB_WERR"; then
		tap_ok "$desc"
	else
		tap_fail "$desc" "got: $ZB_WERR" "want: $ZB_WANT"
		return 1
	fi
}

# ---- zswapblk ---------------------------------------------------------------

# ABI columns from include/zswapblk_abi.h: ZB_MM[orig_data_size]=0, ...,
# ZB_IO[...], ZB_DBG[...]; ZB_MM_NR etc. count them.
declare -A ZB_MM=() ZB_IO=() ZB_DBG=()
ZB_MM_NR=0 ZB_IO_NR=0 ZB_DBG_NR=0
_zb_parse_abi() {
	local line name which=
	while IFS= read -r line; do
		case $line in
		"enum zswapblk_mm_stat_col"*)	which=MM ;;
		"enum zswapblk_io_stat_col"*)	which=IO ;;
		"enum zswapblk_debug_stat_col"*) which=DBG ;;
		"};"*)	which= ;;
		*)	[ -n "$which" ] || continue
			[[ $line =~ ^[[:space:]]*ZSWAPBLK_(MM|IO|DBG)_([A-Z_]+), ]] || continue
			name=${BASH_REMATCH[2],,}
			case $which in
			MM)  ZB_MM[$name]=$ZB_MM_NR; ZB_MM_NR=$((ZB_MM_NR + 1)) ;;
			IO)  ZB_IO[$name]=$ZB_IO_NR; ZB_IO_NR=$((ZB_IO_NR + 1)) ;;
			DBG) ZB_DBG[$name]=$ZB_DBG_NR; ZB_DBG_NR=$((ZB_DBG_NR + 1)) ;;
			esac ;;
		esac
	done < "$ZB_ABI_H"
}
_zb_parse_abi

# mm_stat VAR DEV COLUMN, io_stat VAR DEV COLUMN, debug_stat VAR DEV COLUMN
# (COLUMN by its ABI name, e.g. zero_pages); VAR is empty if unreadable.
_zb_stat_col() {
	local __a=() __v=
	case $3 in
	debug_stat) local __l; mapfile -t __l < "/sys/block/$2/debug_stat" 2>/dev/null
		    read -r -a __a <<< "${__l[1]:-}" ;;
	*)	    read -r -a __a < "/sys/block/$2/$3" 2>/dev/null ;;
	esac
	[ -n "$5" ] && __v=${__a[$5]:-}
	printf -v "$1" '%s' "$__v"
}
mm_stat()    { _zb_stat_col "$1" "$2" mm_stat "$3" "${ZB_MM[$3]:-}"; }
io_stat()    { _zb_stat_col "$1" "$2" io_stat "$3" "${ZB_IO[$3]:-}"; }
debug_stat() { _zb_stat_col "$1" "$2" debug_stat "$3" "${ZB_DBG[$3]:-}"; }

# vmstat VAR NAME: a /proc/vmstat counter (0 if the kernel has none).
vmstat() {
	file_key "$1" /proc/vmstat "$2" && return 0
	printf -v "$1" '%s' 0
	return 1
}

zb_loaded() { [ -d /sys/module/zswapblk ]; }

# zb_has_feature DEV NAME
zb_has_feature() {
	local f
	rd f "/sys/block/$1/features" || return 1
	[[ " $f " == *" $2 "* ]]
}

# zb_load [MODULE PARAMS...]: dependencies, then the module.
zb_load() {
	if [ -z "${ZSWAPBLK_TEST_BUILD:-}" ] && [ -x "$ZB_REPO/tests/vm/load-module.sh" ]; then
		"$ZB_REPO/tests/vm/load-module.sh" "$@"
		return
	fi
	[ -f "$ZB_MODULE" ] || { echo "no module at $ZB_MODULE" >&2; return 1; }
	if kernel_ge 6 12; then
		modprobe -a lz4_compress
	else
		modprobe -a zsmalloc lz4_compress zstd_compress
	fi || return
	insmod "$ZB_MODULE" "$@"
}

# zb_release_holds: let every parked bio go (ignores errors).
zb_release_holds() {
	local h
	for h in /sys/block/zswapblk*/completion_hold; do
		[ -e "$h" ] && sysfs_write "$h" 0
	done
	return 0
}

# zb_swapoff_all: swapoff every zswapblk device in /proc/swaps.
zb_swapoff_all() {
	local -a swaps
	local name
	swaps_active swaps
	for name in "${swaps[@]}"; do
		[[ $name == /dev/zswapblk* ]] && swapoff "$name"
	done
	return 0
}

# swaps_active VAR: the active swap areas of /proc/swaps into array VAR.
swaps_active() {
	local -n _zb_swaps=$1
	local -a lines
	local l name
	_zb_swaps=()
	file_lines lines /proc/swaps
	for l in "${lines[@]}"; do
		read -r name _ <<< "$l"
		[ "$name" = Filename ] || _zb_swaps+=("$name")
	done
}

# swap_entry ARRAY DEV: DEV's fields in /proc/swaps (Filename Type Size Used
# Priority) into ARRAY; empty and 1 if DEV is not an active swap area.
swap_entry() {
	local -n _zb_ent=$1
	local -a lines
	local l
	file_lines lines /proc/swaps
	for l in "${lines[@]}"; do
		read -r -a _zb_ent <<< "$l"
		[ "${_zb_ent[0]:-}" = "$2" ] && return 0
	done
	_zb_ent=()
	return 1
}

# cg_remove CG: kill every process of memory cgroup CG, then remove it.
# Quiet if it does not exist.
cg_remove() {
	local -a procs
	[ -d "$1" ] || return 0
	file_lines procs "$1/cgroup.procs"
	[ ${#procs[@]} -eq 0 ] || kill -KILL "${procs[@]}" 2>/dev/null
	wait_for 10 rmdir "$1" 2>/dev/null
}

# zb_unload: release, swapoff, rmmod.  Quiet if not loaded.
zb_unload() {
	zb_loaded || return 0
	zb_release_holds
	zb_swapoff_all
	rmmod zswapblk
}

# zb_init DEV SIZE [ALGORITHM]: configure and initialise a device.
zb_init() {
	local sys=/sys/block/$1
	if [ -n "${3:-}" ]; then
		sysfs_write "$sys/comp_algorithm" "$3" || { echo "comp_algorithm $3: $ZB_WERR" >&2; return 1; }
	fi
	sysfs_write "$sys/disksize" "$2" || { echo "disksize $2: $ZB_WERR" >&2; return 1; }
}

# zb_reset DEV
zb_reset() { sysfs_write "/sys/block/$1/reset" 1; }

# zb_swapon DEV: mkswap and swapon with the highest priority.
zb_swapon() { mkswap "/dev/$1" > /dev/null && swapon -p 32767 "/dev/$1"; }

# need_prog NAME: the path of a tests/progs helper in ZB_PROG_PATH, building
# the helpers if they are missing (normally built on the host).
need_prog() {
	ZB_PROG_PATH=$ZB_PROGS/$1
	if [ ! -x "$ZB_PROG_PATH" ]; then
		make -s -C "$ZB_PROGS" > "$ZB_TMP/make.out" 2>&1 || true
	fi
	[ -x "$ZB_PROG_PATH" ]
}

# check_no_io_errors DEV: io_stat failed_reads/failed_writes are 0.
check_no_io_errors() {
	local fr fw
	io_stat fr "$1" failed_reads
	io_stat fw "$1" failed_writes
	check_eq "$1 io_stat failed_reads/failed_writes are 0" "$fr/$fw" "0/0"
}

# zb_test_begin: common start of a test script: root, module present,
# cleanup on exit, a clean (unloaded) module state.
zb_test_begin() {
	[ "$EUID" = 0 ] || skip_all "needs root"
	[ -f "$ZB_MODULE" ] ||
		skip_all "no module at $ZB_MODULE (run make modules)"
	trap zb_test_end EXIT
	echo "zswapblk-test: begin ${0##*/}" > /dev/kmsg 2>/dev/null
	if zb_loaded && ! zb_unload; then
		bail "unload a previously loaded zswapblk"
	fi
}

# Extra cleanup a test may register (a function name).
ZB_CLEANUP=
zb_test_end() {
	local rc=$?
	[ -n "$ZB_CLEANUP" ] && "$ZB_CLEANUP"
	# Never leave children behind (a held writer, a stress run).
	local pids
	pids=$(jobs -p)
	[ -n "$pids" ] && kill $pids 2>/dev/null
	zb_unload 2>/dev/null
	echo "zswapblk-test: end ${0##*/} rc=$rc" > /dev/kmsg 2>/dev/null
	rm -rf "$ZB_TMP"
	exit $rc
}

# ---- the backing device and writeback (80-writeback, 90-zswapctl) --------------

# bd_stat columns from include/zswapblk_abi.h: ZB_BD[bd_count]=0, ...
declare -A ZB_BD=()
ZB_BD_NR=0
_zb_parse_bd_abi() {
	local line in=0
	while IFS= read -r line; do
		case $line in
		"enum zswapblk_bd_stat_col"*) in=1 ;;
		"};"*)	in=0 ;;
		*)	[ $in = 1 ] || continue
			[[ $line =~ ^[[:space:]]*ZSWAPBLK_BD_([A-Z_]+), ]] || continue
			ZB_BD[${BASH_REMATCH[1],,}]=$ZB_BD_NR
			ZB_BD_NR=$((ZB_BD_NR + 1)) ;;
		esac
	done < "$ZB_ABI_H"
}
_zb_parse_bd_abi

# bd_stat VAR DEV COLUMN (by its ABI name without BD_, e.g. count, spills,
# failed_reads): VAR is empty if unreadable.  The first three columns are
# in 4 KiB units.
bd_stat() { _zb_stat_col "$1" "$2" bd_stat "$3" "${ZB_BD[$3]:-}"; }

# zb_backing_disk: a scratch block device for backing_dev, into ZB_DISK, and
# its size in bytes into ZB_DISK_BYTES.  The first disk vmrun.sh attached
# (-d, $ZSWAPBLK_DISKS), else /dev/vdb, else a loop device on a file in /tmp
# (a tmpfs in the guest: RAM, so ZB_LOOP_MIB, default 128).  Its contents are
# destroyed.  Returns 1 with the reason in ZB_DISK_WHY if there is none.
# zb_backing_disk_release detaches a loop device made here (call it once
# nothing holds the device any more).
ZB_DISK= ZB_DISK_BYTES=0 ZB_DISK_WHY= ZB_DISK_LOOP=
zb_backing_disk() {
	local d= f
	for f in ${ZSWAPBLK_DISKS:-} /dev/vdb; do
		[ -b "$f" ] && { d=$f; break; }
	done
	if [ -z "$d" ]; then
		f=$ZB_TMP/backing.img
		modprobe loop 2> /dev/null
		if ! truncate -s "${ZB_LOOP_MIB:-128}M" "$f" 2> "$ZB_TMP/loop.err" ||
		   ! d=$(losetup -f --show "$f" 2>> "$ZB_TMP/loop.err"); then
			IFS= read -r ZB_DISK_WHY < "$ZB_TMP/loop.err"
			ZB_DISK_WHY="no disk (vmrun.sh -d) and no loop device: $ZB_DISK_WHY"
			rm -f "$f"
			return 1
		fi
		ZB_DISK_LOOP=$d
	fi
	ZB_DISK_BYTES=$(blockdev --getsize64 "$d" 2> /dev/null)
	if ! [[ $ZB_DISK_BYTES =~ ^[1-9][0-9]*$ ]]; then
		ZB_DISK_WHY="$d: cannot read its size"
		zb_backing_disk_release
		return 1
	fi
	ZB_DISK=$d
}

zb_backing_disk_release() {
	[ -n "$ZB_DISK_LOOP" ] || return 0
	losetup -d "$ZB_DISK_LOOP" 2> /dev/null
	rm -f "$ZB_TMP/backing.img"
	ZB_DISK_LOOP=
}
