#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 95-setup: the installed layout and boot-time setup.
#
#  - install: scripts/install.sh puts the module in
#    /lib/modules/<release>/updates, zswapctl in /usr/local/sbin, the man
#    page, completion, unit and modules-load snippet in place (the guest
#    root is a tmpfs overlay: all of it vanishes with the guest).  depmod
#    records what the module needs, so "modprobe zswapblk" loads it first
#    (6.1: zsmalloc, lz4_compress, zstd_compress; 6.12: lz4_compress).
#  - setup/teardown round trip: "zswapctl setup -c FILE" loads the module,
#    configures zswapblk0 and, through hot_add, zswapblk2 (zswapblk1 is a
#    gap, removed again): algorithm, level, mem_limit, backing device and
#    writeback policy; mkswap; swapon with the configured priorities.
#    memstress swaps through them; "zswapctl stat" shows the counters, as
#    key-value lines and as Prometheus text, also without root.  A second
#    setup is refused and changes nothing.  teardown leaves no swap,
#    zswapblk0 reset and zswapblk2 removed.
#  - bad configuration: a syntax error changes nothing; a value the driver
#    refuses on the second device rolls back the first: no swap, nothing
#    initialised, no device setup created.
#  - uninstall removes every file; modprobe no longer finds the module.
#    Its depmod is skipped (DEPMOD=no, the same depmod as install's): the
#    module indexes saved before the install are put back instead, which
#    saves a minute and a half of depmod under TCG.
#
# Variables are set by name (rd, mm_stat, ... use printf -v).
# ZB_CLEANUP is lib.sh's:
# shellcheck disable=SC2154,SC2034
. "$(dirname "$0")/lib.sh"

zb_test_begin
K=$ZB_KREL
[ "$K" = "$ZB_RUNNING_KREL" ] || skip_all "the module is for $K, running $ZB_RUNNING_KREL"
[ -x "$ZB_REPO/userspace/zswapctl/zswapctl" ] ||
	skip_all "userspace/zswapctl/zswapctl is not built (make zswapctl)"
need_prog memstress || skip_all "tests/progs/memstress missing (make -C tests/progs)"
MEMSTRESS=$ZB_PROG_PATH
CGROOT=/sys/fs/cgroup
CG=$CGROOT/zswapblk-setup.$$
INSTALLED=0
CONF=$ZB_TMP/zswapctl.conf
UPD=/lib/modules/$K/updates/zswapblk.ko

MODIDX=$ZB_TMP/modules-index

# install.sh with the module staged as build/<release>/zswapblk.ko
install_sh() {
	mkdir -p "$ZB_TMP/build/$K" &&
	cp "$ZB_MODULE" "$ZB_TMP/build/$K/zswapblk.ko" &&
	KERNELS=$K BUILD=$ZB_TMP/build bash "$ZB_REPO/scripts/install.sh" "$@"
}

cleanup() {
	cg_remove "$CG"
	[ -f "$CONF" ] && zswapctl teardown -c "$CONF" > /dev/null 2>&1
	zb_unload 2>/dev/null
	zb_backing_disk_release
	[ "$INSTALLED" = 1 ] && uninstall
}

# uninstall, and the module indexes as they were before the install
uninstall() {
	DEPMOD=no install_sh uninstall && cp -a "$MODIDX"/. "/lib/modules/$K/" &&
		INSTALLED=0
}
ZB_CLEANUP=cleanup

# no_zswap_swap: no zswapblk device is an active swap area
no_zswap_swap() {
	local -a swaps
	local name
	swaps_active swaps
	for name in "${swaps[@]}"; do
		[[ $name == /dev/zswapblk* ]] && { echo "$name is swap"; return 1; }
	done
	return 0
}

# swap_prio DEV: the priority of an active swap area, or nothing
swap_prio() {
	local -a ent
	swap_entry ent "$1" || return 1
	echo "${ent[4]}"
}

# devices: the zswapblk disks, e.g. "zswapblk0 zswapblk2"
devices() {
	local d out=()
	for d in /sys/block/zswapblk*; do
		[ -e "$d" ] && out+=("${d##*/}")
	done
	echo "${out[*]}"
}

# ---- install ----
if ! mkdir -p "$MODIDX" || ! cp -a "/lib/modules/$K"/modules.* "$MODIDX"/; then
	bail "cannot save the module indexes"
fi
check "install.sh install for $K" install_sh install || bail "install failed"
INSTALLED=1
for f in "$UPD" /usr/local/sbin/zswapctl /usr/local/share/man/man8/zswapctl.8 \
	 /usr/local/share/bash-completion/completions/zswapctl \
	 /usr/local/lib/systemd/system/zswapctl-setup.service \
	 /etc/modules-load.d/zswapblk.conf; do
	check "installed: $f" test -f "$f"
done
check_eq "zswapctl on PATH is the installed one" "$(command -v zswapctl)" /usr/local/sbin/zswapctl
check_eq "modinfo finds zswapblk in updates/" "$(modinfo -F filename zswapblk 2>&1)" "$UPD"

IFS=, read -r -a deps <<< "$(modinfo -F depends "$UPD")"
tap_diag "depends: ${deps[*]}"
# A kernel with zsmalloc and the compressors built in (the debug kernel of
# tests/debug) leaves modprobe nothing to resolve.
if [ "${#deps[@]}" -gt 0 ]; then
	tap_ok "the module has dependencies to resolve (${#deps[@]})"
else
	tap_skip "the module has dependencies to resolve" "zsmalloc and the compressors are built into $ZB_KREL"
fi
show=$(modprobe --show-depends zswapblk 2>&1)
missing=
for d in "${deps[@]}"; do
	[[ $show == *"/$d.ko"* ]] || missing+=" $d"
done
check_eq "modprobe --show-depends lists every dependency" "$missing" ""
# Unload what nothing else holds, so that modprobe has to load it.
modprobe -r -q "${deps[@]}" 2> /dev/null
before=
for d in "${deps[@]}"; do [ -d "/sys/module/$d" ] && before+=" $d"; done
tap_diag "loaded before modprobe:${before:- none}"
check "modprobe zswapblk" modprobe zswapblk
missing=
for d in "${deps[@]}"; do [ -d "/sys/module/$d" ] || missing+=" $d"; done
check_eq "modprobe loaded every dependency" "$missing" ""
check "zswapblk is loaded" zb_loaded
check "rmmod zswapblk" rmmod zswapblk

# ---- setup ----
read -r _ mem_kib _ < <(grep '^MemTotal:' /proc/meminfo)
ram=$((mem_kib * 1024))
size0=$((ram / 4 < 64 * 1048576 ? ram / 4 : 64 * 1048576))
cat > "$CONF" <<EOF
# 95-setup
[zswapblk0]
size = min(ram / 4, 64M)
algorithm = zstd
level = 5
mem-limit = 48M
swap-priority = 32000

[zswapblk2]
size = 32M
algorithm = lz4
swap-priority = 100
EOF
if zb_backing_disk; then
	tap_diag "backing device: $ZB_DISK"
	cat >> "$CONF" <<EOF
mem-limit = 16M
backing-dev = $ZB_DISK
writeback-age = 3600
writeback-wmark-high = 90%
writeback-wmark-low = 80%
writeback-direct = huge
EOF
else
	tap_diag "no backing device: $ZB_DISK_WHY"
fi

check "zswapctl setup -c FILE" zswapctl setup -c "$CONF" || bail "setup failed"
check "setup loaded the module" zb_loaded
check_eq "devices: zswapblk0 and zswapblk2, the gap zswapblk1 removed" "$(devices)" "zswapblk0 zswapblk2"
check_eq "zswapblk0 is swap with priority 32000" "$(swap_prio /dev/zswapblk0)" 32000
check_eq "zswapblk2 is swap with priority 100" "$(swap_prio /dev/zswapblk2)" 100
S0=/sys/block/zswapblk0
S2=/sys/block/zswapblk2
rd v $S0/disksize;		check_eq "zswapblk0 disksize min(ram / 4, 64M)" "$v" "$size0"
rd v $S0/comp_algorithm;	check_match "zswapblk0 algorithm zstd" "$v" "*\[zstd\]*"
rd v $S0/algorithm_params;	check_match "zswapblk0 level 5" "$v" "*level=5*"
rd v $S0/mem_limit;		check_eq "zswapblk0 mem_limit 48M" "$v" $((48 << 20))
rd v $S2/disksize;		check_eq "zswapblk2 disksize 32M" "$v" $((32 << 20))
rd v $S2/comp_algorithm;	check_match "zswapblk2 algorithm lz4" "$v" "*\[lz4\]*"
if [ -n "$ZB_DISK" ]; then
	rd v $S2/backing_dev;		check_eq "zswapblk2 backing_dev" "$v" "$ZB_DISK"
	rd v $S2/writeback_age;		check_eq "zswapblk2 writeback_age" "$v" 3600
	rd v $S2/writeback_wmark_high;	check_eq "zswapblk2 writeback_wmark_high" "$v" "90%"
	rd v $S2/writeback_wmark_low;	check_eq "zswapblk2 writeback_wmark_low" "$v" "80%"
	rd v $S2/writeback_direct;	check_match "zswapblk2 writeback_direct huge" "$v" "*\[huge\]*"
	rd v $S2/mem_limit;		check_eq "zswapblk2 mem_limit 16M" "$v" $((16 << 20))
fi

check "a second setup is refused" sh -c "! zswapctl setup -c '$CONF' 2> '$ZB_TMP/again.err'"
IFS= read -r err < "$ZB_TMP/again.err"
check_match "... naming the device already set up" "$err" "*$CONF:2: /dev/zswapblk0: already initialised*"
check_eq "... and leaving both swap areas on" "$(swap_prio /dev/zswapblk0)/$(swap_prio /dev/zswapblk2)" 32000/100

# ---- swap through them ----
if [ -f $CGROOT/cgroup.controllers ] && [[ " $(< $CGROOT/cgroup.controllers) " == *" memory "* ]]; then
	sysfs_write $CGROOT/cgroup.subtree_control +memory
	check "memory cgroup with memory.max 24M" \
		sh -c "mkdir $CG && echo 24M > $CG/memory.max && echo max > $CG/memory.swap.max"
	vmstat out0 pswpout
	run_tap_prog "memstress" sh -c "echo \$\$ > $CG/cgroup.procs && exec $MEMSTRESS -m 48 -p 1 -w 30 -s 3 -D 20 -S $S0/mm_stat"
	vmstat out1 pswpout
	check_cmp "pswpout moved (+$((out1 - out0)))" $((out1 - out0)) -gt 0
	wait_for 10 rmdir "$CG"
else
	tap_skip "memstress through the configured swap" "no cgroup v2 memory controller"
fi

# ---- stat ----
declare -A st=()
stat_out=$(zswapctl stat zswapblk0 2>&1)
while read -r k val; do [ -n "$k" ] && st[$k]=$val; done <<< "$stat_out"
check_eq "stat: device line" "${st[device]:-}" zswapblk0
check_eq "stat: algorithm" "${st[algorithm]:-}" zstd
check_eq "stat: disksize" "${st[disksize]:-}" "$size0"
missing=
for k in "${!ZB_MM[@]}" "${!ZB_IO[@]}" "${!ZB_DBG[@]}"; do
	[ -n "${st[$k]:-}" ] || missing+=" $k"
done
for k in "${!ZB_BD[@]}"; do [ -n "${st[bd_$k]:-}" ] || missing+=" bd_$k"; done
check_eq "stat: every column of the ABI header" "$missing" ""
check_cmp "stat: async_completions moved" "${st[async_completions]:-0}" -gt 0
check_cmp "stat: mem_used_max moved" "${st[mem_used_max]:-0}" -gt 0
check_eq "stat: no failed reads or writes" "${st[failed_reads]:-x}/${st[failed_writes]:-x}" 0/0
mm_stat v zswapblk0 mem_limit
check_eq "stat: mem_limit as in mm_stat" "${st[mem_limit]:-}" "$v"

if command -v setpriv > /dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		zswapctl stat --format prometheus > "$ZB_TMP/prom" 2>&1
	rc=$?
	check_eq "stat --format prometheus works without root" "$rc" 0
	prom=$(< "$ZB_TMP/prom")
else
	tap_skip "stat --format prometheus works without root" "no setpriv"
	prom=$(zswapctl stat --format prometheus 2>&1)
fi
check_match "prometheus: TYPE lines" "$prom" "*# TYPE zswapblk_async_completions_total counter*"
v=
while read -r name val; do
	[ "$name" = 'zswapblk_async_completions_total{device="zswapblk0"}' ] && v=$val
done <<< "$prom"
check_eq "prometheus: async_completions_total as in stat" "$v" "${st[async_completions]:-}"
check_match "prometheus: info of zswapblk2" "$prom" \
	"*zswapblk_info{device=\"zswapblk2\",algorithm=\"lz4\",backing_dev=\"${ZB_DISK}\"} 1*"
bad=0
re='^zswapblk_[a-z_]+[{]device="zswapblk[02]"[^}]*[}] [0-9]+([.][0-9]+)?$'
while IFS= read -r line; do
	[[ $line == "# HELP zswapblk_"* || $line == "# TYPE zswapblk_"* || $line =~ $re ]] ||
		{ tap_diag "bad line: $line"; bad=$((bad + 1)); }
done <<< "$prom"
check_eq "prometheus: every line is HELP, TYPE or a sample" "$bad" 0

# ---- teardown ----
check "zswapctl teardown -c FILE" zswapctl teardown -c "$CONF"
check "teardown: no zswapblk swap left" no_zswap_swap
check_eq "teardown: zswapblk2 removed, zswapblk0 stays" "$(devices)" zswapblk0
rd v $S0/initstate;		check_eq "teardown: zswapblk0 is reset" "$v" 0
rd v $S0/comp_algorithm;	check_match "teardown: zswapblk0 has the default algorithm again" "$v" "*\[lz4\]*"
check "teardown again: nothing to do, no error" zswapctl teardown -c "$CONF"

# ---- bad configuration ----
# nothing_configured: no swap, nothing initialised, only zswapblk0
nothing_configured() {
	local v
	no_zswap_swap || return 1
	[ "$(devices)" = zswapblk0 ] || { echo "devices: $(devices)"; return 1; }
	rd v $S0/initstate
	[ "$v" = 0 ] || { echo "zswapblk0 initstate $v"; return 1; }
	rd v $S0/backing_dev
	[ "$v" = none ] || { echo "zswapblk0 backing_dev $v"; return 1; }
}

BAD=$ZB_TMP/bad.conf
printf '[zswapblk0]\nsize = 32M\nswap-priority = 5\n[zswapblk2]\nsize 32M\n' > "$BAD"
check "syntax error: setup fails" sh -c "! zswapctl setup -c '$BAD' 2> '$ZB_TMP/bad.err'"
IFS= read -r err < "$ZB_TMP/bad.err"
check_eq "syntax error: reported as FILE:LINE" "$err" \
	"zswapctl: $BAD:5: expected 'key = value' or '[zswapblkN]'"
check "syntax error: nothing configured" nothing_configured

# bad_runtime DESC KEY-LINE ERRNO-TEXT: zswapblk0 is good, zswapblk2 has a
# value the driver refuses (line 6): setup rolls back
bad_runtime() {
	printf '[zswapblk0]\nsize = 32M\nalgorithm = zstd\nswap-priority = 5\n[zswapblk2]\n%s\nsize = 32M\n' \
		"$2" > "$BAD"
	check "$1: setup fails" sh -c "! zswapctl setup -c '$BAD' 2> '$ZB_TMP/bad.err'"
	IFS= read -r err < "$ZB_TMP/bad.err"
	check_match "$1: reported with FILE:LINE and the errno" "$err" \
		"zswapctl: $BAD:6: /dev/zswapblk2: failed to write *: $3"
	check "$1: zswapblk0 reset, zswapblk1 and zswapblk2 removed, no swap" nothing_configured
}
bad_runtime "unknown algorithm" "algorithm = nosuch" "Invalid argument"
bad_runtime "missing backing device" "backing-dev = /dev/nonexistent" "No such file or directory"
bad_runtime "backing device that is no block device" "backing-dev = /dev/null" "Block device required"

check "rmmod zswapblk" rmmod zswapblk

# ---- uninstall ----
check "install.sh uninstall" uninstall
left=
for f in "$UPD" /usr/local/sbin/zswapctl /usr/local/share/man/man8/zswapctl.8 \
	 /usr/local/share/bash-completion/completions/zswapctl \
	 /usr/local/lib/systemd/system/zswapctl-setup.service \
	 /etc/modules-load.d/zswapblk.conf /usr/local/share/doc/zswapblk; do
	[ -e "$f" ] && left+=" $f"
done
check_eq "uninstall: no file left" "$left" ""
check "uninstall: modprobe no longer finds zswapblk" sh -c "! modprobe -n zswapblk 2> /dev/null"
rm -f "$CONF"

tap_done
