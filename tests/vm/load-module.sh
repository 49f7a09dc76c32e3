#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# load-module.sh: load zswapblk in a guest started by vmrun.sh.
#
#   tests/vm/load-module.sh [param=value ...]      # run: load now
#   . tests/vm/load-module.sh                      # source: define functions
#   zswapblk_load_module [param=value ...]
#   zswapblk_unload_module
#
# Loads the module's dependencies first with the host's modprobe, since the
# module sits outside /lib/modules and insmod does not resolve them (6.1:
# zsmalloc, lz4_compress, zstd_compress; 6.12: lz4_compress).  The list comes
# from the .ko itself (modinfo depends, plus softdep pre:), so it follows the
# driver as it changes.  Then insmod "$ZSWAPBLK_MODULE" with the parameters.
#
# Sourcing only defines the functions: a sourced file sees its caller's
# arguments, which are not module parameters.  The functions return
# non-zero with a message on stderr; they do not exit the caller.
#
# ZSWAPBLK_MODULE defaults to <repo>/build/<uname -r>/zswapblk.ko (vmrun.sh
# sets it).

# The .ko to load.
zswapblk_module_path() {
	read -r krel </proc/sys/kernel/osrelease
	echo "${ZSWAPBLK_MODULE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/$krel/zswapblk.ko}"
}

zswapblk_load_module() {
	local ko krel vermagic deps line mods pre=() dep
	ko=$(zswapblk_module_path)
	read -r krel </proc/sys/kernel/osrelease
	if [ ! -f "$ko" ]; then
		echo "load-module: $ko: not built for $krel" >&2
		return 1
	fi
	vermagic=$(modinfo -F vermagic "$ko") || return 1
	if [ "${vermagic%% *}" != "$krel" ]; then
		echo "load-module: $ko was built for ${vermagic%% *}, running $krel" >&2
		return 1
	fi
	deps=$(modinfo -F depends "$ko") || return 1
	# MODULE_SOFTDEP("pre: a b post: c") -> a b
	while read -r line; do
		[[ $line == *pre:* ]] || continue
		line=${line#*pre:}
		read -r -a mods <<<"${line%%post:*}"
		pre+=("${mods[@]}")
	done < <(modinfo -F softdep "$ko")
	for dep in ${deps//,/ } "${pre[@]}"; do
		modprobe "$dep" || { echo "load-module: modprobe $dep failed" >&2; return 1; }
	done
	insmod "$ko" "$@" || { echo "load-module: insmod $ko $* failed" >&2; return 1; }
}

zswapblk_unload_module() {
	local ko name
	ko=$(zswapblk_module_path)
	name=$(basename "$ko" .ko)
	name=${name//-/_}
	[ -d "/sys/module/$name" ] || return 0
	rmmod "$name" || { echo "load-module: rmmod $name failed" >&2; return 1; }
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	zswapblk_load_module "$@"
fi
