#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything the build, the lint and the VM tests need on a Debian 12
# host: both kernel lines (6.1 through the meta-package, the newest 6.12 ABI
# resolved through its meta-package), QEMU, busybox, fio and the -dev libraries
# of zswapctl.  Idempotent: packages already present are not upgraded.
#
# Prints the two kernel releases it resolved, one per line, on stdout when
# called with --print-kernels.
set -euo pipefail

log() { echo "setup-host: $*" >&2; }

need_update=1
apt_update() {
	if [ "$need_update" = 1 ]; then
		log "apt-get update"
		apt-get update -qq >&2
		need_update=0
	fi
}

# Kernel releases: the 6.1 image pulled in by linux-image-amd64 and the 6.12
# one the linux-headers-6.12-amd64 meta-package points at.
resolve_kernels() {
	K61=$(apt-cache depends linux-image-amd64 2>/dev/null |
	      sed -n 's/^ *Depends: linux-image-\(6\.1\.[0-9.-]*-amd64\)$/\1/p' | head -n1)
	K612=$(apt-cache depends linux-headers-6.12-amd64 2>/dev/null |
	       sed -n 's/^ *Depends: linux-headers-\(6\.12\..*-amd64\)$/\1/p' | head -n1)
}

resolve_kernels
if [ -z "${K61:-}" ] || [ -z "${K612:-}" ]; then
	apt_update
	resolve_kernels
fi
[ -n "$K61" ] || { log "cannot resolve the 6.1 kernel release"; exit 1; }
[ -n "$K612" ] || { log "cannot resolve the 6.12 kernel release"; exit 1; }

if [ "${1:-}" = --print-kernels ]; then
	echo "$K61"
	echo "$K612"
	exit 0
fi

pkgs=(
	build-essential pkg-config sparse kmod cpio xz-utils zstd
	"linux-image-$K61" "linux-headers-$K61"
	"linux-image-$K612-unsigned" "linux-headers-$K612"
	linux-source-6.12
	qemu-system-x86 busybox-static
	fio stress-ng dmsetup util-linux
	libsmartcols-dev liblz4-dev libzstd-dev liblz4-tool
	codespell dkms
	# mm selftests (tests/selftests/build.sh): 6.1's own tree, cow's io_uring cases
	linux-source-6.1 liburing-dev
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
	apt_update
	log "installing: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends --no-upgrade "${missing[@]}" >&2
fi
log "kernels: $K61 $K612"
