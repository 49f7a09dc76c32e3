#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh: build the 6.12 debug kernel (KASAN, lockdep, KUnit, fault
# injection, ...) of `make check-debug` from Debian's linux-source-6.12.
#
#   tests/debug/build-kernel.sh            build, or reuse the cached build
#   tests/debug/build-kernel.sh --print    only print the cache's env file
#                                          (exit 1 if it is not built yet)
#
# The kernel is `make allnoconfig` plus tests/debug/zswapblk-debug.config
# (merge_config.sh, olddefconfig); the build fails if an option of the
# fragment did not survive.  It is built in place in a cache outside the
# repository, one directory per hash of the fragment, RECIPE (bump it when
# the build steps below change), the linux-source package version and the
# compiler:
#
#   $ZSWAPBLK_DEBUG_CACHE/<hash>/         (default /var/cache/zswapblk/debug-kernel)
#     linux/            the built source tree: vmlinux, and everything
#                       `make -C linux M=DIR modules` needs (modules_prepare,
#                       Module.symvers)
#     mods/lib/modules/<release>/   `make modules_install` (modules.builtin,
#                       modules.dep): modprobe finds built-in drivers
#     kernel.env        shell assignments, printed at the end:
#                       DEBUG_KREL, DEBUG_VMLINUX, DEBUG_KDIR, DEBUG_MODDIR
#     build.log         the build's output
#
# The release is <version>-zswapblk-debug (LOCALVERSION).  A second run with
# the same inputs reuses the build and only prints kernel.env.
set -euo pipefail

DEBUG_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
FRAGMENT=$DEBUG_DIR/zswapblk-debug.config
SOURCE_TAR=/usr/src/linux-source-6.12.tar.xz
LOCALVERSION=-zswapblk-debug
RECIPE=1
CACHE=${ZSWAPBLK_DEBUG_CACHE:-/var/cache/zswapblk/debug-kernel}

log() { echo "build-kernel: $*" >&2; }
die() { log "$*"; exit 1; }

[ -r "$SOURCE_TAR" ] || die "$SOURCE_TAR missing: run tests/debug/setup-debug.sh"
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
	die "linux-source-6.12 is not installed"
key=$({
	echo "recipe $RECIPE $LOCALVERSION linux-source-6.12 $pkgver"
	gcc --version | head -n1
	cat "$FRAGMENT"
} | sha256sum | cut -c1-16)
DIR=$CACHE/$key
SRC=$DIR/linux
ENV=$DIR/kernel.env

if [ "${1:-}" = --print ]; then
	[ -r "$ENV" ] || { log "no debug kernel built in $DIR yet"; exit 1; }
	cat "$ENV"
	exit 0
fi

# check_config CONFIG FRAGMENT: every "CONFIG_X=v" line of the fragment is in
# the final config, and every "# CONFIG_X is not set" is not set there.
check_config() {
	local config=$1 fragment=$2 line opt bad=0
	while read -r line; do
		case $line in
		'# CONFIG_'*' is not set')
			opt=${line#\# }
			opt=${opt%% *}
			if grep -q "^$opt=" "$config"; then
				log "config: $opt should not be set, but is: $(grep "^$opt=" "$config")"
				bad=1
			fi
			;;
		CONFIG_*=*)
			if ! grep -qxF -- "$line" "$config"; then
				opt=${line%%=*}
				log "config: $line did not survive olddefconfig (now: $(grep -E "^$opt=|^# $opt is not set" "$config" || echo absent))"
				bad=1
			fi
			;;
		esac
	done <"$fragment"
	return "$bad"
}

build() {
	local start jobs krel
	start=$SECONDS
	jobs=$(nproc)
	rm -rf "$DIR"
	mkdir -p "$DIR"
	log "extracting $SOURCE_TAR ($pkgver) into $SRC"
	mkdir "$SRC.tmp"
	tar -xJf "$SOURCE_TAR" -C "$SRC.tmp" --strip-components=1
	mv "$SRC.tmp" "$SRC"

	local -a mk=(nice make -C "$SRC" -j"$jobs" LOCALVERSION="$LOCALVERSION")
	log "configuring: allnoconfig + $(basename "$FRAGMENT")"
	"${mk[@]}" -s allnoconfig
	(cd "$SRC" && KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m -O . .config "$FRAGMENT") >"$DIR/merge.log" 2>&1 ||
		{ cat "$DIR/merge.log" >&2; die "merge_config.sh failed"; }
	"${mk[@]}" -s olddefconfig
	check_config "$SRC/.config" "$FRAGMENT" || die "the config lost options of $FRAGMENT (see above)"

	log "building vmlinux and modules with -j$jobs (log: $DIR/build.log)"
	if ! "${mk[@]}" vmlinux modules >"$DIR/build.log" 2>&1; then
		tail -n 40 "$DIR/build.log" >&2
		die "kernel build failed (log: $DIR/build.log)"
	fi
	krel=$("${mk[@]}" -s kernelrelease)
	log "installing the module tree into $DIR/mods"
	"${mk[@]}" INSTALL_MOD_PATH="$DIR/mods" modules_install >>"$DIR/build.log" 2>&1 ||
		die "modules_install failed (log: $DIR/build.log)"
	[ -s "$SRC/Module.symvers" ] || die "no Module.symvers in $SRC"
	[ -r "$DIR/mods/lib/modules/$krel/modules.builtin" ] || die "no modules.builtin in $DIR/mods"
	# The module tree's build link points into the cache, not at /lib/modules.
	ln -sfn "$SRC" "$DIR/mods/lib/modules/$krel/build"
	{
		echo "# The zswapblk debug kernel (tests/debug/build-kernel.sh)."
		printf 'DEBUG_KREL=%q\n' "$krel"
		printf 'DEBUG_VMLINUX=%q\n' "$SRC/vmlinux"
		printf 'DEBUG_KDIR=%q\n' "$SRC"
		printf 'DEBUG_MODDIR=%q\n' "$DIR/mods"
	} >"$ENV.tmp"
	mv "$ENV.tmp" "$ENV"
	log "built $krel in $((SECONDS - start)) s"
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock-$key"
flock 9
if [ -r "$ENV" ] && [ -s "$SRC/vmlinux" ]; then
	log "reusing the debug kernel in $DIR"
else
	build
fi
cat "$ENV"
