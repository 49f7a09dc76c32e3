#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmrun.sh: run one test in a throw-away QEMU/TCG guest of a given kernel.
#
# The guest boots the Debian kernel KREL (the uncompressed vmlinux through
# PVH, with a small uncompressed busybox initramfs), mounts the whole host
# root read-only over virtio-9p under a tmpfs overlay and switch_roots into
# it, so host tools, kmod and freshly built modules work in place.  Results
# come back through a second 9p share, the per-run directory, seen in the
# guest as /vmout.  See tests/vm/README.md and
# /work/shared/reference/vm-recipe.md for the design.
#
# Exit status:
#   n    the test's own exit status (124, or 137 after SIGKILL: -t fired)
#   250  the test passed but the kernel log has a splat (VMTEST_ALLOW_WARN=1
#        turns this off)
#   251  no result: kernel panic (also a soft lockup or a task hung for
#        120 s), or the boot or host watchdog killed QEMU
#   253  host-side failure: missing kernel, initramfs or QEMU
#   254  stage-1 failure in the guest (insmod or 9p/overlay mount)
#   2    usage error
#
# Environment:
#   ZSWAPBLK_VM_CACHE   cache of vmlinux/initramfs (default $REPO/build/vm-cache)
#   ZSWAPBLK_VM_RUNS    per-run directories (default $REPO/build/vm-runs)
#   ZSWAPBLK_VM_KEEP_RUNS  run directories kept (default 50, oldest removed)
#   ZSWAPBLK_*          passed through into the guest's environment
#   VMTEST_ALLOW_WARN=1 do not turn a splat into 250
#   VMTEST_HOST_TIMEOUT host watchdog in seconds (default TIMEOUT + 120)
#   VMTEST_BOOT_TIMEOUT boot watchdog: seconds until the test starts (300)
#   VMTEST_TCG_THREAD   single (default) or multi: QEMU's TCG threading
#   VMTEST_CPU          QEMU's -cpu model (default max)
#   VMTEST_KEEP_DISKS=1 keep the -d disk images of a passing run
#   VMTEST_DRYRUN=1     print the QEMU command line and exit
#   VMTEST_KERNEL=IMAGE boot IMAGE (an ELF vmlinux with CONFIG_PVH, or a
#                       bzImage) instead of a Debian kernel; -k names its
#                       release, else it is read from the image
#   VMTEST_MODDIR=DIR   with VMTEST_KERNEL: DIR/lib/modules/<release> (from
#                       `make modules_install INSTALL_MOD_PATH=DIR`) is the
#                       guest's /lib/modules/<release>, and the initramfs
#                       takes its modules from there.  Without it, virtio,
#                       9p and overlay must be built in.
set -euo pipefail

. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
# Kernel command line.  The first line is the project's fixed set:
# page_poison, slub_debug and kfence make memory corruption visible (6.1 has
# no KFENCE: kfence.* is ignored there); oops=panic turns an oops into a
# panic, and panic=-1 with -no-reboot makes QEMU exit at once.  Then:
#  - softlockup_panic, hung_task_panic: a CPU spinning or a task blocked in D
#    state (a lost bio completion) for 120 s ends the run at once as a panic
#    (251) with the stack on the console, instead of hanging until the host
#    watchdog.  A test that blocks tasks on purpose for that long can clear
#    /proc/sys/kernel/hung_task_panic.
#  - acpi=noirq: PCI interrupt routing from the BIOS table instead of ACPI
#    link devices; evaluating those under slub_debug costs 2.5 s per device.
#  - no_timer_check: under TCG on a busy host the boot-time check of the
#    8254 timer routing fails spuriously ("MP-BIOS bug").
#  - log_buf_len: the whole log of a long test stays in the ring buffer.
CMDLINE="console=ttyS0 panic=-1 oops=panic quiet loglevel=4 slub_debug=FZPU page_poison=1 kfence.sample_interval=100"
CMDLINE+=" softlockup_panic=1 hung_task_panic=1 acpi=noirq no_timer_check log_buf_len=8M mitigations=off"
# Modules stage 1 inserts, with their dependencies, in load order.
INITRAMFS_MODULES=(virtio_pci 9pnet_virtio 9p overlay virtio_blk)

usage() {
	cat <<EOF
usage: $(basename "$0") -k KREL [options] (-c 'command' | script [args...])

Boot a throw-away QEMU/TCG guest of kernel KREL and run the test in it as
root, in $REPO, with ZSWAPBLK_KREL, ZSWAPBLK_MODULE, ZSWAPBLK_DISKS and
VMOUT=/vmout set.  The exit status is the test's (see the script header).

  -k KREL     kernel release, e.g. 6.1.0-56-amd64, or a prefix such as 6.1
              or 6.12 of an installed or setup-host.sh release; with
              VMTEST_KERNEL=IMAGE, the release of IMAGE (default: read
              from the image)
  -m MEM      guest memory (default 1G)
  -s SMP      guest CPUs (default 2)
  -t SECS     test timeout inside the guest (default 600)
  -a ARGS     append to the kernel command line (repeatable)
  -d MIB[:MBPS]
              attach an extra raw virtio disk of MIB MiB (sparse file in the
              run dir); repeatable: /dev/vdb, /dev/vdc, ...  With MBPS,
              QEMU limits the disk's reads and writes together to MBPS MB/s
              (throttling.bps-total), the speed of a physical disk
  -o DIR      use DIR (created, must not exist) as the run dir instead of
              a new one under the runs directory
  -q          do not copy the guest console to stdout
  -c CMD      run CMD with bash instead of a script
  -h          this help
EOF
}

log() { echo "vmrun: $*" >&2; }
die() { log "$*"; exit 253; }

# Everything the harness needs on the host; setup-host.sh installs it.
host_ready() {
	command -v qemu-system-x86_64 >/dev/null && command -v cpio >/dev/null &&
		command -v xz >/dev/null && command -v zstd >/dev/null &&
		{ [ -n "$CUSTOM" ] || { [ -r "/boot/vmlinuz-$KREL" ] && [ -r "/lib/modules/$KREL/modules.dep" ]; }; } &&
		dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'
}

ensure_host() {
	host_ready && return
	log "host not ready for $KREL: running setup-host.sh"
	bash "$VM_DIR/setup-host.sh" >&2 || die "setup-host.sh failed"
	host_ready || die "kernel $KREL, QEMU or busybox-static still missing after setup-host.sh"
}

# The release of a custom kernel image: the banner of an ELF vmlinux, or the
# kernel_version string of a bzImage's setup header (its offset at 0x20e,
# relative to 0x200).
image_krel() {
	local img=$1 off
	if [ "$(od -An -tx1 -N4 "$img" | tr -d ' ')" = 7f454c46 ]; then
		LC_ALL=C grep -a -o -m1 'Linux version [^ ]*' "$img" | head -n1 | cut -d' ' -f3
	else
		off=$(od -An -tu2 -j $((0x20e)) -N2 "$img" | tr -d ' ')
		[ -n "$off" ] && [ "$off" -gt 0 ] || return 0
		dd if="$img" bs=1 skip=$((off + 0x200)) count=256 status=none |
			LC_ALL=C tr '\0' '\n' | head -n1 | cut -d' ' -f1
	fi
}

# Extract the uncompressed ELF vmlinux from a bzImage.  The boot protocol
# header gives the exact compressed payload: setup_sects at 0x1f1,
# payload_offset at 0x248 and payload_length at 0x24c (protocol >= 2.08).
# Booting it through PVH skips the decompressor, which is slow under TCG
# (xz: about 6.5 s, zstd: about 2.4 s).
extract_vmlinux() {
	local img=$1 out=$2 sects off len magic size
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$img" | tr -d ' ')
	[ "$sects" -ne 0 ] || sects=4
	off=$(od -An -tu4 -j $((0x248)) -N4 "$img" | tr -d ' ')
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$img" | tr -d ' ')
	off=$(((sects + 1) * 512 + off))
	magic=$(od -An -tx1 -j "$off" -N4 "$img" | tr -d ' ')
	local -a unpack
	case $magic in
	28b52ffd) unpack=(zstd -dcq) ;;
	fd377a58) unpack=(xz -dcq) ;;
	1f8b*) unpack=(gzip -dc) ;;
	02214c18) unpack=(lz4 -dcq) ;;
	*) die "$img: unknown payload compression (magic $magic)" ;;
	esac
	# The payload ends with the 4-byte little-endian size of its contents.
	size=$(od -An -tu4 -j $((off + len - 4)) -N4 "$img" | tr -d ' ')
	dd if="$img" iflag=skip_bytes,count_bytes skip="$off" count=$((len - 4)) bs=1M status=none |
		"${unpack[@]}" >"$out"
	[ "$(stat -c %s "$out")" = "$size" ] || die "$img: payload did not decompress to $size bytes"
	[ "$(od -An -tx1 -N4 "$out" | tr -d ' ')" = 7f454c46 ] || die "$img: payload is not an ELF vmlinux"
}

# Build the stage-1 initramfs: static busybox with its applet links,
# /dev/console, the modules (decompressed here, not under TCG) and
# /modules.order.  Kept uncompressed: decompressing costs seconds under TCG.
build_initramfs() {
	local out=$1 dir=$2 m ko base applet
	rm -rf "$dir"
	mkdir -p "$dir"/{bin,dev,proc,sys,lib/modules}
	cp /bin/busybox "$dir/bin/busybox"
	for applet in $("$dir/bin/busybox" --list); do
		# --list includes "busybox" itself: linking it would loop (ELOOP).
		[ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
	done
	ln -s bin "$dir/sbin"
	mknod -m 600 "$dir/dev/console" c 5 1
	cp "$VM_DIR/guest/init" "$dir/init"
	chmod 755 "$dir/init"
	: >"$dir/modules.order"
	local -a modprobe=(modprobe -S "$KREL")
	if [ -n "$CUSTOM" ]; then
		# A custom kernel: its own module tree, bind-mounted in the guest.
		if [ -n "$MODDIR" ]; then
			modprobe+=(-d "$MODDIR")
			echo "$KREL $MODDIR/lib/modules/$KREL" >"$dir/moddir"
		else
			modprobe=()
		fi
	fi
	for m in "${INITRAMFS_MODULES[@]}"; do
		# Built-in modules print "builtin NAME": nothing to load.
		[ "${#modprobe[@]}" -gt 0 ] || break
		"${modprobe[@]}" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		base=$(basename "$ko")
		case $ko in
		*.ko.xz) xz -dc "$ko" >"$dir/lib/modules/${base%.xz}"; base=${base%.xz} ;;
		*.ko.zst) zstd -dcq "$ko" >"$dir/lib/modules/${base%.zst}"; base=${base%.zst} ;;
		*.ko.gz) gzip -dc "$ko" >"$dir/lib/modules/${base%.gz}"; base=${base%.gz} ;;
		*.ko) cp "$ko" "$dir/lib/modules/$base" ;;
		*) die "unexpected module file $ko" ;;
		esac
		echo "$base" >>"$dir/modules.order"
	done
	[ -n "$CUSTOM" ] || [ -s "$dir/modules.order" ] || die "no modules for the initramfs of $KREL"
	(cd "$dir" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out"
	rm -rf "$dir"
}

# Cached per kernel, rebuilt when the kernel package, busybox or the
# stage-1 script change.  flock: parallel runs share the cache.
prepare_images() {
	mkdir -p "$CACHE"
	VMLINUX=$CACHE/vmlinux-$KREL
	INITRD=$CACHE/initramfs-$KREL.cpio
	# A custom kernel may share its release with an installed one.
	[ -z "$CUSTOM" ] || INITRD=$CACHE/initramfs-custom-$KREL.cpio
	local stamp
	stamp=$({
		if [ -n "$CUSTOM" ]; then
			stat -c '%n %s %Y' "$CUSTOM" /bin/busybox
			[ -z "$MODDIR" ] || stat -c '%n %s %Y' "$MODDIR/lib/modules/$KREL/modules.dep"
		else
			stat -c '%n %s %Y' "/boot/vmlinuz-$KREL" "/lib/modules/$KREL/modules.dep" /bin/busybox
		fi
		cat "$VM_DIR/guest/init"
		echo "${INITRAMFS_MODULES[*]}"
	} | sha256sum | cut -c1-16)
	exec 8>"$CACHE/.lock-$KREL"
	flock 8
	if [ -n "$CUSTOM" ]; then
		# Booted as it is: no copy of a custom image.
		VMLINUX=$CUSTOM
	elif [ "$(cat "$VMLINUX.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -s "$VMLINUX" ]; then
		log "extracting vmlinux of $KREL into $CACHE"
		extract_vmlinux "/boot/vmlinuz-$KREL" "$VMLINUX.tmp"
		mv "$VMLINUX.tmp" "$VMLINUX"
		echo "$stamp" >"$VMLINUX.stamp"
	fi
	if [ "$(cat "$INITRD.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -s "$INITRD" ]; then
		log "building the initramfs of $KREL into $CACHE"
		build_initramfs "$INITRD.tmp" "$CACHE/initramfs-$KREL.d"
		mv "$INITRD.tmp" "$INITRD"
		echo "$stamp" >"$INITRD.stamp"
	fi
	flock -u 8
	exec 8>&-
}

# /vmout/test.sh: the guest-side environment, then the test itself.
write_test_script() {
	local f=$RUN/test.sh v
	{
		echo "# Generated by vmrun.sh: environment and command of one guest test."
		# Pass the host's ZSWAPBLK_* through; the harness owns the ones below.
		for v in $(compgen -e); do
			case $v in
			ZSWAPBLK_KREL | ZSWAPBLK_MODULE | ZSWAPBLK_REPO | ZSWAPBLK_DISKS | ZSWAPBLK_IN_VM) ;;
			ZSWAPBLK_*) printf 'export %s=%q\n' "$v" "${!v}" ;;
			esac
		done
		printf 'export ZSWAPBLK_REPO=%q\n' "$REPO"
		cat <<'EOF'
export ZSWAPBLK_IN_VM=1 VMOUT=/vmout
read -r ZSWAPBLK_KREL </proc/sys/kernel/osrelease
export ZSWAPBLK_KREL
export ZSWAPBLK_MODULE=$ZSWAPBLK_REPO/build/$ZSWAPBLK_KREL/zswapblk.ko
# Disks attached with -d, in order, found by the serial vmrun.sh gave them.
ZSWAPBLK_DISKS=
for _d in /sys/block/vd*; do
	[ -r "$_d/serial" ] || continue
	read -r _s <"$_d/serial" || true
	case $_s in zswapblk-disk*) ZSWAPBLK_DISKS+="${ZSWAPBLK_DISKS:+ }/dev/${_d##*/}" ;; esac
done
export ZSWAPBLK_DISKS
unset _d _s
cd "$ZSWAPBLK_REPO" || exit 254
EOF
		if [ -n "$CMD" ]; then
			printf 'exec bash -c %q vmtest\n' "$CMD"
		else
			# An executable runs as itself (any interpreter), else with bash.
			[ -x "$SCRIPT" ] && printf 'exec' || printf 'exec bash'
			for v in "$SCRIPT" "${ARGS[@]}"; do
				printf ' %q' "$v"
			done
			echo
		fi
	} >"$f"
}

# Remove old run directories (run-suite.sh's too): keep the newest
# $ZSWAPBLK_VM_KEEP_RUNS, and never one that is still running (no vmrun.rc
# or suite.rc yet) unless it is older than a day.
prune_runs() {
	local keep=${ZSWAPBLK_VM_KEEP_RUNS:-50} d
	find "$RUNS" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn |
		tail -n +$((keep + 1)) | while read -r _ d; do
		if [ -e "$d/vmrun.rc" ] || [ -e "$d/suite.rc" ] ||
			[ -n "$(find "$d" -maxdepth 0 -mmin +1440)" ]; then
			rm -rf "$d"
		fi
	done
}

main() {
	local opt mem=1G smp=2 quiet=0 extra=() rundir=''
	KREL='' TIMEOUT=600 CMD='' SCRIPT='' DISKS=()
	while getopts "k:m:s:t:a:d:c:o:qh" opt; do
		case $opt in
		k) KREL=$OPTARG ;;
		m) mem=$OPTARG ;;
		s) smp=$OPTARG ;;
		t) TIMEOUT=$OPTARG ;;
		a) extra+=("$OPTARG") ;;
		d) DISKS+=("$OPTARG") ;;
		c) CMD=$OPTARG ;;
		o) rundir=$OPTARG ;;
		q) quiet=1 ;;
		h) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	ARGS=("$@")
	CUSTOM=${VMTEST_KERNEL:-} MODDIR=''
	if [ -n "$CUSTOM" ]; then
		[ -r "$CUSTOM" ] || { log "VMTEST_KERNEL=$CUSTOM: no such image"; exit 253; }
		CUSTOM=$(readlink -f "$CUSTOM")
		[ -n "$KREL" ] || KREL=$(image_krel "$CUSTOM")
		[ -n "$KREL" ] || { log "cannot read the release of $CUSTOM: give -k"; exit 253; }
		if [ -n "${VMTEST_MODDIR:-}" ]; then
			MODDIR=$(readlink -f "$VMTEST_MODDIR")
			[ -r "$MODDIR/lib/modules/$KREL/modules.dep" ] ||
				{ log "VMTEST_MODDIR=$VMTEST_MODDIR has no lib/modules/$KREL/modules.dep"; exit 253; }
		fi
	fi
	[ -n "$KREL" ] || { log "-k KREL is required"; usage >&2; exit 2; }
	[[ $TIMEOUT =~ ^[0-9]+$ ]] || { log "-t needs seconds"; exit 2; }
	if [ -n "$CMD" ]; then
		[ "${#ARGS[@]}" -eq 0 ] || { log "-c and a script are exclusive"; exit 2; }
	else
		[ "${#ARGS[@]}" -gt 0 ] || { log "nothing to run: give -c CMD or a script"; usage >&2; exit 2; }
		SCRIPT=$(readlink -f "${ARGS[0]}")
		ARGS=("${ARGS[@]:1}")
		[ -f "$SCRIPT" ] || { log "no such script: $SCRIPT"; exit 2; }
	fi
	local d
	for d in "${DISKS[@]}"; do
		[[ $d =~ ^[1-9][0-9]*(:[1-9][0-9]*)?$ ]] ||
			{ log "-d needs a size in MiB and optionally :MB/s, not '$d'"; exit 2; }
	done

	[ -n "$CUSTOM" ] || KREL=$(vm_resolve_krel "$KREL") || exit 253
	ensure_host
	CACHE=${ZSWAPBLK_VM_CACHE:-$REPO/build/vm-cache}
	RUNS=${ZSWAPBLK_VM_RUNS:-$REPO/build/vm-runs}
	prepare_images

	mkdir -p "$RUNS"
	prune_runs
	if [ -n "$rundir" ]; then
		mkdir "$rundir" || exit 253
		RUN=$(readlink -f "$rundir")
	else
		RUN=$(mktemp -d "$RUNS/run-$(date +%Y%m%d-%H%M%S)-$KREL-XXXX")
		chmod 755 "$RUN"
	fi
	cp "$VM_DIR/guest/stage2.sh" "$RUN/stage2.sh"
	echo "VMTEST_TIMEOUT=$TIMEOUT" >"$RUN/vmtest.conf"
	write_test_script

	local host_timeout=${VMTEST_HOST_TIMEOUT:-$((TIMEOUT + 120))}
	# TCG only (/dev/kvm exists here but does not work), and single-threaded
	# by default: with one host thread per vCPU (thread=multi), a busy host
	# produced guest oopses that were QEMU's, not the kernel's ("Oops: int3"
	# in code being live-patched, a cryptomgr_test soft lockup at boot).
	# The guest still has -smp CPUs, interleaved on one host thread, which
	# also fits a 2-core host running 2 guests.
	local -a qemu=(
		# --foreground: a Ctrl-C on the terminal reaches QEMU.
		timeout --foreground -k 5 "$host_timeout"
		qemu-system-x86_64 -machine pc -accel "tcg,thread=${VMTEST_TCG_THREAD:-single}"
		-cpu "${VMTEST_CPU:-max}" -smp "$smp" -m "$mem"
		-nodefaults -no-user-config -display none -no-reboot -serial stdio
		-kernel "$VMLINUX" -initrd "$INITRD"
		-append "$CMDLINE${extra[*]:+ ${extra[*]}}"
		-virtfs "local,path=$RUN,mount_tag=vmout,security_model=none,multidevs=remap"
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	)
	if [ "${#DISKS[@]}" -gt 0 ]; then
		# vda is a reserved 1 MiB read-only null disk, so the -d disks are
		# vdb, vdc, ... as on an ordinary VM whose system disk is vda.
		qemu+=(-blockdev "driver=null-co,node-name=sys0,size=1048576,read-zeroes=on,read-only=on"
			-device "virtio-blk-pci,drive=sys0,serial=vmtest-reserved")
		local i=0 throttle
		for d in "${DISKS[@]}"; do
			i=$((i + 1))
			throttle=
			[[ $d == *:* ]] && throttle=",throttling.bps-total=$((${d#*:} * 1000000))"
			truncate -s "${d%%:*}M" "$RUN/disk$i.img"
			qemu+=(-drive "file=$RUN/disk$i.img,if=none,id=disk$i,format=raw,cache=unsafe,discard=unmap$throttle"
				-device "virtio-blk-pci,drive=disk$i,serial=zswapblk-disk$i")
		done
	fi
	printf '%q ' "${qemu[@]}" >"$RUN/cmd"
	echo >>"$RUN/cmd"
	if [ -n "${VMTEST_DRYRUN:-}" ]; then
		cat "$RUN/cmd"
		rm -rf "$RUN"
		exit 0
	fi
	ln -sfn "$RUN" "$RUNS/latest-$KREL"

	local start end qrc=0 rc reason='' panic boot_timeout=${VMTEST_BOOT_TIMEOUT:-300}
	start=$(date +%s.%N)
	SECONDS=0
	: >"$RUN/console.log"
	"${qemu[@]}" </dev/null >"$RUN/console.log" 2>&1 &
	QEMU_PID=$!
	# An asynchronous command ignores SIGINT: stop QEMU when we go.
	trap 'kill "$QEMU_PID" 2>/dev/null || true' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ "$quiet" = 0 ]; then
		tail -s 0.2 -n +1 -f --pid="$QEMU_PID" "$RUN/console.log" &
	fi
	# Boot watchdog: the guest must reach the test within $boot_timeout s.
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		if grep -q '^VMTEST-START' "$RUN/console.log"; then
			break
		fi
		if [ "$SECONDS" -ge "$boot_timeout" ]; then
			reason="boot watchdog: no test start after $boot_timeout s"
			kill "$QEMU_PID" 2>/dev/null || true
			break
		fi
		sleep 0.5
	done
	wait "$QEMU_PID" || qrc=$?
	wait
	trap - EXIT INT TERM
	end=$(date +%s.%N)

	# The test's status: /vmout/rc, else the console sentinel (stage 1
	# failure), else no result.
	if [[ "$(cat "$RUN/rc" 2>/dev/null)" =~ ^[0-9]+$ ]]; then
		rc=$(cat "$RUN/rc")
	else
		rc=$(tr -d '\r' <"$RUN/console.log" | sed -n 's/^VMTEST-RC=\([0-9]\+\)$/\1/p' | tail -n1)
		if [ -z "$rc" ]; then
			rc=251
			panic=$(tr -d '\r' <"$RUN/console.log" | sed -n 's/.*\(Kernel panic - not syncing: .*\)/\1/p' | head -n1)
			if [ -n "$reason" ]; then
				: # boot watchdog
			elif [ -n "$panic" ]; then
				reason=$panic
			elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
				reason="host watchdog: QEMU killed after $host_timeout s"
			else
				reason="no result (QEMU exit status $qrc)"
			fi
		elif [ "$rc" = 254 ]; then
			reason="stage 1 failed: $(tr -d '\r' <"$RUN/console.log" | sed -n 's/^vmtest-init: //p' | tail -n1)"
		fi
	fi

	# Splats: in the final dmesg, or in the streamed log after a crash.
	local splats tainted
	tainted=$(cat "$RUN/tainted" 2>/dev/null || true)
	[[ $tainted =~ ^[0-9]+$ ]] || tainted=
	if [ -s "$RUN/dmesg" ]; then
		splats=$(bash "$VM_DIR/scan-splats.sh" ${tainted:+-t "$tainted"} "$RUN/dmesg" || true)
	else
		splats=$(bash "$VM_DIR/scan-splats.sh" "$RUN/kmsg.log" || true)
	fi
	if [ -n "$splats" ]; then
		log "kernel log of $KREL has error reports:"
		printf '%s\n' "$splats" | head -n 40 | sed 's/^/vmrun:   /' >&2
		if [ "$rc" = 0 ] && [ -z "${VMTEST_ALLOW_WARN:-}" ]; then
			rc=250
			reason="test passed but the kernel log has a splat (VMTEST_ALLOW_WARN=1 to ignore)"
		fi
	fi
	case $rc in
	124 | 137) reason="test timed out after $TIMEOUT s (guest timeout)" ;;
	esac
	if [ "$rc" = 251 ]; then
		# The start of the first report, and the panic line.
		# else the last lines.
		log "console:"
		tr -d '\r' <"$RUN/console.log" |
			awk '/BUG:|Oops|WARNING:|general protection|sysrq: |Kernel panic/ && !n { n = 1 }
			     n && n++ <= 20 || /Kernel panic/ { print; shown = 1 }
			     { last[NR % 10] = $0 }
			     END { if (!shown) for (i = NR - 9; i <= NR; i++) if (i > 0) print last[i % 10] }' |
			sed 's/^/vmrun:   /' >&2
	fi

	local up
	up=$(tr -d '\r' <"$RUN/console.log" | sed -n 's/^VMTEST-START uptime=//p' | head -n1)
	echo "$rc" >"$RUN/vmrun.rc"
	log "$KREL: rc=$rc${reason:+ ($reason)}, wall $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s, test started at guest uptime ${up:-?} s"
	if [ "$rc" != 0 ]; then
		log "run dir: $RUN"
	elif [ -z "${VMTEST_KEEP_DISKS:-}" ]; then
		rm -f "$RUN"/disk*.img
	fi
	exit "$rc"
}

# On one line: bash has read the whole file before main runs, so editing
# this script while a guest runs cannot break the run.
main "$@"; exit
