# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the host-side VM scripts (vmrun.sh, run-suite.sh,
# selfcheck.sh).  Sourced, never run.

VM_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this
REPO=$(cd "$VM_DIR/../.." && pwd)

# The kernel releases the harness tests by default, one per line: the 6.1
# and 6.12 releases setup-host.sh resolves.
vm_default_kernels() {
	bash "$VM_DIR/setup-host.sh" --print-kernels
}

# vm_resolve_krel NAME: print the full release NAME stands for.  An
# installed release stands for itself.  Otherwise NAME is a prefix ending
# at a '.' or '-' (6.1, 6.12) of exactly one installed release, or else of
# one of the default releases (setup-host.sh installs it later).  With
# VMTEST_KERNEL set, NAME is the custom kernel's release as it is.  Returns 1
# with a message on stderr if there is no such release.
vm_resolve_krel() {
	local want=$1 k all match=()
	# A custom kernel (VMTEST_KERNEL, see vmrun.sh) is named by its release.
	if [ -n "${VMTEST_KERNEL:-}" ]; then
		echo "$want"
		return 0
	fi
	if [ -e "/boot/vmlinuz-$want" ]; then
		echo "$want"
		return 0
	fi
	for k in /boot/vmlinuz-"$want".* /boot/vmlinuz-"$want"-*; do
		[ -e "$k" ] && match+=("${k#/boot/vmlinuz-}")
	done
	if [ "${#match[@]}" -eq 1 ]; then
		echo "${match[0]}"
		return 0
	fi
	match=()
	all=$(vm_default_kernels) || return 1
	while read -r k; do
		[[ $k == "$want" || $k == "$want"[.-]* ]] && match+=("$k")
	done <<<"$all"
	if [ "${#match[@]}" -ne 1 ]; then
		echo "kernel '$want' is not installed and is not one of: ${all//$'\n'/ }" >&2
		return 1
	fi
	echo "${match[0]}"
}

# vm_kernels: the releases to test, one per line: $ZSWAPBLK_KERNELS (names
# or prefixes, separated by spaces or commas) or the default ones.
vm_kernels() {
	local k
	if [ -n "${ZSWAPBLK_KERNELS:-}" ]; then
		for k in ${ZSWAPBLK_KERNELS//,/ }; do
			vm_resolve_krel "$k" || return 1
		done
	else
		vm_default_kernels
	fi
}
