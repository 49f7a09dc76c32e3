#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 90-zswapctl: userspace/zswapctl against the real driver.
#
#  - configure, list, reset: "zswapctl -f -s 64M -a zstd" prints the device
#    and sysfs shows it; the default listing has zramctl's columns and the
#    device's values; -J parses (python3 json) and every value equals sysfs;
#    --raw -b, -o, --output-all; --mem-limit on a live device; -r resets.
#  - errors in util-linux style ("zswapctl: DEV: failed to ACTION: strerror",
#    non-zero exit): a bad size, an unknown algorithm, an unknown column, a
#    device that is not ours, a busy device.  --swapon and --priority, then
#    -r on the swap device fails with EBUSY; -f hot_adds when every device is
#    in use; --hold and --release.
#  - with a backing disk (vmrun.sh -d, else skipped): --backing-dev, the
#    BACKING and WB-PAGES columns after a writeback, a bad backing path.
#  - zswapctl exercise -J over every scenario: exit 0, no corrupted page, and
#    the page-frame outcome of every scenario and step as
#    /work/shared/reference/kernel-paths.md (C "Outcomes", D) and
#    userspace/zswapctl/expect.c predict for the running kernel: write-held
#    copies every page, read-held and nostable-write-held keep every frame,
#    and after the release 6.1 reuses on a write fault (pgreuse) where 6.12
#    maps writable at once.
#
# Env: ZB_CTL_PAGES (pages per exercise scenario, default 128).
# Variables are set by name (rd, mm_stat, ... use printf -v).
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"

zb_test_begin
Z=$ZB_REPO/userspace/zswapctl/zswapctl
[ -x "$Z" ] || skip_all "zswapctl is not built (make zswapctl)"
PYTHON=$(command -v /usr/bin/python3 || command -v python3) ||
	skip_all "python3 is not installed"
D=/sys/block/zswapblk0
PAGES=${ZB_CTL_PAGES:-128}

ctl_cleanup() {
	zb_unload 2>/dev/null
	zb_backing_disk_release
}
ZB_CLEANUP=ctl_cleanup

check "insmod" zb_load || bail "module does not load"

# zctl ARGS...: run zswapctl: stdout in OUT, stderr in ERR, exit status in RC.
OUT='' ERR='' RC=0
zctl() {
	"$Z" "$@" > "$ZB_TMP/out" 2> "$ZB_TMP/err"
	RC=$?
	OUT=$(< "$ZB_TMP/out")
	ERR=$(< "$ZB_TMP/err")
}

# ctl_ok DESC WANT_OUT [ANY_ERR]: the last zctl exited 0, printed WANT_OUT
# ("*" for anything) and nothing on stderr (anything with ANY_ERR=1).
ctl_ok() {
	if [ "$RC" = 0 ] && { [ -z "$ERR" ] || [ "${3:-0}" = 1 ]; } &&
	   { [ "$2" = "*" ] || [ "$OUT" = "$2" ]; }; then
		tap_ok "$1"
	else
		tap_fail "$1" "exit $RC" "stdout: $OUT" "stderr: $ERR" "want stdout: $2"
		return 1
	fi
}

# ctl_err DESC WANT_ERR: the last zctl exited non-zero with exactly WANT_ERR
# on stderr and nothing on stdout.
ctl_err() {
	if [ "$RC" != 0 ] && [ "$ERR" = "$2" ] && [ -z "$OUT" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "exit $RC" "stdout: $OUT" "stderr: $ERR" "want stderr: $2"
		return 1
	fi
}

# The JSON checks are a python3 script: it prints "PASS desc" or
# "FAIL desc" with "#" lines after it, which py_tap turns into TAP.
cat > "$ZB_TMP/jcheck.py" <<'EOF'
import json, sys

def val(s):
    if s == "null":
        return None
    if s.isdigit():
        return int(s)
    return s

def row_check(path, dev, pairs):
    """The row of DEV in zswapctl -J has KEY=VALUE for every pair."""
    d = json.load(open(path))
    rows = [r for r in d["zswapblk"] if r.get("name") == dev]
    if len(rows) != 1:
        print("FAIL JSON has one row for %s" % dev)
        print("# rows: %s" % [r.get("name") for r in d["zswapblk"]])
        return
    r, bad = rows[0], []
    for p in pairs:
        k, v = p.split("=", 1)
        if k not in r:
            bad.append("no key %s" % k)
        elif r[k] != val(v):
            bad.append("%s: got %r, want %r" % (k, r[k], val(v)))
    keys = ", ".join(p.split("=", 1)[0] for p in pairs)
    print(("FAIL" if bad else "PASS") + " zswapctl -J %s: %s match sysfs" % (dev, keys))
    for b in bad:
        print("# " + b)

def exercise(path, model, n):
    """The exerciser's results against the kernel-paths.md outcomes."""
    d = json.load(open(path))
    res = {s["name"]: s for s in d["scenarios"]}
    half = n // 2
    # scenario: (whole-run field that must equal n, per step: {field: value})
    steps_6_1 = {"minflt": n, "reused": n}
    steps_6_12 = {"minflt": 0, "reused": n}
    want = {
        "read-held": ("reused", [{"reused": n, "copied": 0, "excl": 0, "majflt": 0, "wb-at-fault": n}]),
        "write-held": ("copied", [{"copied": n, "reused": 0, "excl": n, "majflt": 0, "wb-at-fault": n}]),
        "read-write-released": ("reused", [{"reused": n, "copied": 0, "excl": n, "majflt": 0},
                                           steps_6_1 if model == "6.1" else steps_6_12]),
        "write-released": ("reused", [{"reused": n, "copied": 0, "excl": n, "minflt": n}]),
        "fork-shared": ("copied", [{"copied": half, "reused": 0},
                                   {"copied": n - half, "reused": 0},
                                   {"reused": n, "copied": 0, "excl": 0}]),
        "nostable-write-held": ("reused", [{"reused": n, "copied": 0, "excl": n, "wb-at-fault": n}]),
    }
    for name, (field, steps) in want.items():
        s = res.get(name)
        if s is None:
            print("FAIL exercise %s: ran" % name)
            continue
        if s.get("result") == "SKIP":
            print("SKIP exercise %s :: %s" % (name, s.get("note")))
            continue
        print(("PASS" if s.get("result") == "ok" else "FAIL") +
              " exercise %s: result ok" % name)
        if s.get("result") != "ok":
            print("# note: %s" % s.get("note"))
        ok = s.get("corrupt") == 0 and s.get("pages") == n
        print(("PASS" if ok else "FAIL") + " exercise %s: %d pages, none corrupted" % (name, n))
        if not ok:
            print("# pages %s, corrupt %s" % (s.get("pages"), s.get("corrupt")))
        other = "copied" if field == "reused" else "reused"
        ok = s.get(field) == n and s.get(other) == 0
        print(("PASS" if ok else "FAIL") + " exercise %s: every page %s (%s %d, %s 0)" %
              (name, "kept its frame" if field == "reused" else "copied to a new frame",
               field, n, other))
        if not ok:
            print("# %s %s, %s %s" % (field, s.get(field), other, s.get(other)))
        kids = s.get("children", [])
        for i, w in enumerate(steps):
            if i >= len(kids):
                print("FAIL exercise %s: step %d ran" % (name, i + 1))
                continue
            k = kids[i]
            bad = ["%s: got %r, want %r" % (f, k.get(f), v) for f, v in w.items() if k.get(f) != v]
            if k.get("result") != "ok":
                bad.append("result %r" % k.get("result"))
            desc = ", ".join("%s %s" % (f, v) for f, v in w.items())
            print(("FAIL" if bad else "PASS") + " exercise %s: %s: %s" % (name, k.get("name"), desc))
            for b in bad:
                print("# " + b)
        if name == "read-write-released" and model == "6.1" and len(kids) > 1:
            pg = kids[1].get("pgreuse")
            print(("PASS" if pg is not None and pg >= n else "FAIL") +
                  " exercise %s: 6.1 write reuses: pgreuse %s >= %d" % (name, pg, n))

if __name__ == "__main__":
    try:
        if sys.argv[1] == "row":
            row_check(sys.argv[2], sys.argv[3], sys.argv[4:])
        elif sys.argv[1] == "exercise":
            exercise(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    except (ValueError, KeyError, TypeError) as e:
        print("FAIL %s: the JSON is what zswapctl documents" % sys.argv[1])
        print("# %s: %s" % (type(e).__name__, e))
EOF

# py_tap ARGS...: run jcheck.py and turn its lines into TAP.
py_tap() {
	local line last=
	"$PYTHON" "$ZB_TMP/jcheck.py" "$@" > "$ZB_TMP/py.out" 2>&1
	while IFS= read -r line; do
		case $line in
		"PASS "*) tap_ok "${line#PASS }" ;;
		"FAIL "*) tap_fail "${line#FAIL }" ;;
		"SKIP "*) line=${line#SKIP }; tap_skip "${line% :: *}" "${line##* :: }" ;;
		"# "*)	  printf '#   %s\n' "${line#\# }" ;;
		*)	  tap_fail "jcheck.py $1: unexpected output" "$line" ;;
		esac
	done < "$ZB_TMP/py.out"
}

# sysfs_row DEV: KEY=VALUE pairs of what zswapctl -J should show for DEV.
sysfs_row() {
	local __d=$1 ds alg v o c m ml mx z inf
	rd ds "/sys/block/$__d/disksize"
	rd v "/sys/block/$__d/comp_algorithm"; alg=${v#*[}; alg=${alg%%]*}
	mm_stat o "$__d" orig_data_size; mm_stat c "$__d" compr_data_size
	mm_stat m "$__d" mem_used_total; mm_stat ml "$__d" mem_limit
	mm_stat mx "$__d" mem_used_max; mm_stat z "$__d" zero_pages
	io_stat inf "$__d" writes_inflight
	ROW=(name="/dev/$__d" disksize="$ds" algorithm="$alg" data="$o" compr="$c" total="$m"
	     mem-limit="$ml" mem-used="$mx" zero-pages="$z" inflight="$inf")
}

# ---- configure, list, reset -------------------------------------------------
tap_diag "configure, list, reset"
zctl -f -s 64M -a zstd
ctl_ok "zswapctl -f -s 64M -a zstd prints the device" /dev/zswapblk0
rd ds $D/disksize; rd alg $D/comp_algorithm; rd ini $D/initstate
check_eq "sysfs: disksize 64M, initialised" "$ds/$ini" 67108864/1
check_match "sysfs: comp_algorithm [zstd]" "$alg" "*\[zstd\]*"

# Data: the module file (compressible) and 1 MiB of zeros.
check "write $(basename "$ZB_MODULE") and 1M of zeros" sh -c \
	"dd if='$ZB_MODULE' of=/dev/zswapblk0 bs=64k conv=sync oflag=direct 2>/dev/null &&
	 dd if=/dev/zero of=/dev/zswapblk0 bs=64k seek=512 count=16 oflag=direct 2>/dev/null"

zctl
ctl_ok "zswapctl lists devices" "*"
mapfile -t lines <<< "$OUT"
read -r -a hdr <<< "${lines[0]:-}"
check_eq "header: zramctl's default columns, INFLIGHT added" "${hdr[*]}" \
	"NAME DISKSIZE DATA COMPR ALGORITHM ZERO-PAGES TOTAL MEM-LIMIT MEM-USED INFLIGHT MOUNTPOINT"
read -r -a row <<< "${lines[1]:-}"
check_eq "one device listed" "${#lines[@]}" 2
check_eq "row: NAME, DISKSIZE, ALGORITHM" "${row[0]:-} ${row[1]:-} ${row[4]:-}" "/dev/zswapblk0 64M zstd"
check_eq "row: ten values (MOUNTPOINT empty)" "${#row[@]}" 10

zctl --raw -b -n -o NAME,DISKSIZE,ALGORITHM,ZERO-PAGES
mm_stat z zswapblk0 zero_pages
ctl_ok "--raw -b -n -o NAME,DISKSIZE,ALGORITHM,ZERO-PAGES" "/dev/zswapblk0 67108864 zstd $z"
check_cmp "zero_pages counts the 256 zero pages ($z)" "${z:-0}" -ge 256

zctl -J
ctl_ok "zswapctl -J" "*"
printf '%s\n' "$OUT" > "$ZB_TMP/list.json"
sysfs_row zswapblk0
py_tap row "$ZB_TMP/list.json" /dev/zswapblk0 "${ROW[@]}" mountpoint=null

zctl -J --output-all zswapblk0
ctl_ok "zswapctl -J --output-all zswapblk0" "*"
printf '%s\n' "$OUT" > "$ZB_TMP/all.json"
mm_stat same zswapblk0 same_pages; mm_stat huge zswapblk0 huge_pages
mm_stat mig zswapblk0 pages_compacted; rd ap $D/algorithm_params
py_tap row "$ZB_TMP/all.json" /dev/zswapblk0 "${ROW[@]}" backing=null wb-pages=0 \
	wb-inflight=0 same-pages="$same" huge-pages="$huge" migrated="$mig" held=0 hold=0 \
	params="$ap"

zctl --mem-limit 32M zswapblk0
ctl_ok "--mem-limit 32M on the live device" ""
rd ml $D/mem_limit; rd ds $D/disksize
check_eq "sysfs: mem_limit 32M, disksize unchanged" "$ml/$ds" 33554432/67108864
zctl -J zswapblk0
printf '%s\n' "$OUT" > "$ZB_TMP/list.json"
py_tap row "$ZB_TMP/list.json" /dev/zswapblk0 mem-limit=33554432 disksize=67108864
zctl --mem-limit 0 zswapblk0
ctl_ok "--mem-limit 0 removes the limit" ""
rd ml $D/mem_limit; check_eq "sysfs: mem_limit 0" "$ml" 0

# ---- errors ------------------------------------------------------------------
tap_diag "errors"
zctl -s 12Q zswapblk0
ctl_err "-s 12Q: a parse error" "zswapctl: failed to parse size: '12Q'"
zctl -s 0 zswapblk0
ctl_err "-s 0: an invalid size" "zswapctl: invalid size: '0'"
zctl --mem-limit 1X zswapblk0
ctl_err "--mem-limit 1X: a parse error" "zswapctl: failed to parse memory limit: '1X'"
rd ds $D/disksize; check_eq "the device is untouched by the parse errors" "$ds" 67108864
zctl -o FOO
ctl_err "-o FOO: unknown column" "zswapctl: unknown column: FOO"
zctl -s 32M /dev/zswapblk7
ctl_err "an absent device" "zswapctl: /dev/zswapblk7: No such device"
zctl -s 32M /dev/null
ctl_err "not a zswapblk device" "zswapctl: /dev/null: not a zswapblk device"
zctl -s 32M -a nosuch zswapblk0
ctl_err "-a nosuch: the driver's EINVAL, named" \
	"zswapctl: /dev/zswapblk0: failed to set algorithm: Invalid argument"
rd ini $D/initstate
check_eq "reset first, then stopped at the algorithm: uninitialised" "$ini" 0
zctl -s 32M -p level=99 -a zstd zswapblk0
ctl_err "-p level=99: the driver's EINVAL" \
	"zswapctl: /dev/zswapblk0: failed to set algorithm parameters: Invalid argument"
zctl
ctl_ok "no initialised device: the listing is empty" ""

zctl -f -s 64M -a zstd
ctl_ok "-f -s 64M -a zstd again" /dev/zswapblk0
zctl -r /dev/zswapblk0
ctl_ok "-r /dev/zswapblk0" ""
rd ini $D/initstate; rd ds $D/disksize; rd alg $D/comp_algorithm
check_eq "after -r: uninitialised, disksize 0" "$ini/$ds" 0/0
check_match "after -r: the default algorithm again" "$alg" "*\[lz4\]*"
zctl -r zswapblk0
ctl_ok "-r of an uninitialised device (kernel name) works" ""

# ---- swap --------------------------------------------------------------------
tap_diag "swap"
zctl -f -s 64M --swapon --priority 100
# mkswap's report goes to stderr: stdout is only the device.
ctl_ok "-f -s 64M --swapon --priority 100" /dev/zswapblk0 1
swap_entry ent /dev/zswapblk0
check_eq "/proc/swaps: /dev/zswapblk0 with priority 100" "${ent[4]:-}" 100
zctl --raw -n -o NAME,MOUNTPOINT
ctl_ok "MOUNTPOINT shows [SWAP]" "/dev/zswapblk0 [SWAP]"
zctl -r /dev/zswapblk0
ctl_err "-r of the swap device: EBUSY" \
	"zswapctl: /dev/zswapblk0: failed to reset: Device or resource busy"
zctl -s 32M zswapblk0
ctl_err "configuring the swap device: EBUSY at the reset" \
	"zswapctl: /dev/zswapblk0: failed to reset: Device or resource busy"
check "still swap after the refusals" grep -q '^/dev/zswapblk0 ' /proc/swaps
rd ds $D/disksize; check_eq "disksize unchanged" "$ds" 67108864
zctl -f -s 16M
ctl_ok "-f with every device busy hot_adds one" /dev/zswapblk1
zctl --raw -n -o NAME
ctl_ok "both listed" "/dev/zswapblk0
/dev/zswapblk1"
zctl --hold 1000 zswapblk0
ctl_ok "--hold 1000" ""
rd h $D/completion_hold; check_eq "completion_hold reads 1000" "$h" 1000
zctl --raw -n -o HOLD zswapblk0
ctl_ok "HOLD column shows 1000" 1000
zctl --release zswapblk0
ctl_ok "--release" ""
rd h $D/completion_hold; check_eq "completion_hold reads 0" "$h" 0
zctl --hold 600001 zswapblk0
ctl_err "--hold 600001: out of range" "zswapctl: hold time out of range (1-600000 ms): '600001'"
check "swapoff" swapoff /dev/zswapblk0
zctl -r zswapblk0 zswapblk1
ctl_ok "-r of both devices" ""

# ---- backing device ---------------------------------------------------------
tap_diag "backing device"
if zb_backing_disk; then
	DISK=$ZB_DISK
	zctl -f -s 32M --backing-dev "$DISK"
	ctl_ok "-f -s 32M --backing-dev $DISK" /dev/zswapblk0
	rd b $D/backing_dev; check_eq "sysfs: backing_dev $DISK" "$b" "$DISK"
	check "write $(basename "$ZB_MODULE")" sh -c \
		"dd if='$ZB_MODULE' of=/dev/zswapblk0 bs=64k conv=sync oflag=direct 2>/dev/null"
	expect_write_ok $D/idle all "idle all"
	expect_write_ok $D/writeback idle "writeback idle"
	bd_stat cnt zswapblk0 pages
	check_cmp "pages went to the disk ($cnt)" "${cnt:-0}" -gt 0
	zctl -J -o +BACKING,WB-PAGES,WB-INFLIGHT
	printf '%s\n' "$OUT" > "$ZB_TMP/list.json"
	py_tap row "$ZB_TMP/list.json" /dev/zswapblk0 backing="$DISK" wb-pages="$cnt" wb-inflight=0
	zctl --raw -n -o NAME,BACKING,WB-PAGES
	ctl_ok "--raw -o NAME,BACKING,WB-PAGES" "/dev/zswapblk0 $DISK $cnt"
	zctl -f -s 32M --backing-dev "$DISK"
	ctl_err "a second device on the same disk: EBUSY" \
		"zswapctl: /dev/zswapblk1: failed to set backing device: Device or resource busy"
	zctl -r zswapblk0
	ctl_ok "-r" ""
	rd b $D/backing_dev; check_eq "backing_dev none after -r" "$b" none
	zctl -f -s 32M --backing-dev /dev/null
	ctl_err "--backing-dev /dev/null: ENOTBLK" \
		"zswapctl: /dev/zswapblk0: failed to set backing device: Block device required"
else
	tap_skip "zswapctl --backing-dev" "$ZB_DISK_WHY"
fi

# ---- exercise ------------------------------------------------------------
tap_diag "zswapctl exercise"
case $ZB_RUNNING_KREL in
6.1.*)	MODEL=6.1 ;;
6.12.*)	MODEL=6.12 ;;
*)	MODEL= ;;
esac
swaps_active others
if [ -z "$MODEL" ]; then
	tap_skip "zswapctl exercise" "no model for kernel $ZB_RUNNING_KREL"
elif [ ${#others[@]} -gt 0 ]; then
	tap_skip "zswapctl exercise" "other swap devices are active: ${others[*]}"
else
	rd pc0 /proc/sys/vm/page-cluster
	zctl exercise -N "$PAGES" -J
	[ -n "${VMOUT:-}" ] && [ -d "$VMOUT" ] && printf '%s\n' "$OUT" > "$VMOUT/90-exercise.json"
	if [ "$RC" = 0 ]; then
		tap_ok "zswapctl exercise -N $PAGES -J: exit 0"
	else
		mapfile -t -n 12 el < "$ZB_TMP/err"
		tap_fail "zswapctl exercise -N $PAGES -J: exit 0" "exit $RC" "${el[@]}"
	fi
	printf '%s\n' "$OUT" > "$ZB_TMP/ex.json"
	py_tap exercise "$ZB_TMP/ex.json" "$MODEL" "$PAGES"
	swaps_active left
	check_eq "exercise left no swap behind" "${left[*]}" ""
	rd pc1 /proc/sys/vm/page-cluster
	check_eq "exercise restored vm.page-cluster" "$pc1" "$pc0"
fi
check "rmmod" rmmod zswapblk

tap_done
