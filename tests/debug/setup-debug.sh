#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup-debug.sh: install what `make check-debug` needs on top of
# tests/vm/setup-host.sh: the tools of a kernel build from
# linux-source-6.12.  Kept apart so that `make check` does not install them.
# Idempotent: packages already present are not upgraded.
set -euo pipefail

DEBUG_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)

log() { echo "setup-debug: $*" >&2; }

bash "$DEBUG_DIR/../vm/setup-host.sh"

pkgs=(bc bison flex libelf-dev libssl-dev cpio xz-utils kmod linux-source-6.12)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	log "installing: ${missing[*]}"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends --no-upgrade "${missing[@]}" >&2
fi
