#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install or remove zswapblk: the module of each kernel, zswapctl, its man
# page and bash completion, the systemd unit for boot-time setup, a
# modules-load.d snippet and an example configuration.  Called by the
# top-level Makefile ("make install", "make uninstall", "make dkms").
#
#   scripts/install.sh install | uninstall | dkms
#
# Settings, from the environment (the Makefile passes its own):
#   DESTDIR         staging root for packaging; depmod, systemctl and dkms
#                   only run without it
#   KERNELS         releases to install the module for (install, dkms)
#   BUILD           where build/<release>/zswapblk.ko are (default: build)
#   PREFIX          /usr/local; SBINDIR, MANDIR, COMPLETIONDIR, UNITDIR and
#                   DOCDIR follow it
#   MODULESLOADDIR  /etc/modules-load.d; empty: no snippet
#   DEPMOD          auto (default: only without DESTDIR), yes or no
#
# The module goes to /lib/modules/<release>/updates/, which depmod
# searches before the kernel's own tree; depmod records what it needs
# (zsmalloc, lz4_compress, zstd_compress), so "modprobe zswapblk" loads them
# first.  /etc/zswapctl.conf is never written: the example goes to DOCDIR.
# uninstall removes the module from every release and every file install
# wrote, then the directories that are left empty (below DESTDIR only; on
# the live system only the two directories that are zswapblk's own).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/userspace/zswapctl

DESTDIR=${DESTDIR:-}
DESTDIR=${DESTDIR%/}
BUILD=${BUILD:-$top/build}
KERNELS=${KERNELS:-$(uname -r)}
PREFIX=${PREFIX:-/usr/local}
SBINDIR=${SBINDIR:-$PREFIX/sbin}
MANDIR=${MANDIR:-$PREFIX/share/man}
COMPLETIONDIR=${COMPLETIONDIR:-$PREFIX/share/bash-completion/completions}
UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
DOCDIR=${DOCDIR:-$PREFIX/share/doc/zswapblk}
MODULESLOADDIR=${MODULESLOADDIR-/etc/modules-load.d}
DEPMOD=${DEPMOD:-auto}

UNIT=zswapctl-setup.service

log() { echo "  $*"; }
die() { echo "install.sh: $*" >&2; exit 1; }

live() { [ -z "$DESTDIR" ]; }

# The files besides the modules: "source destination mode".
files() {
	echo "$ctl/zswapctl $SBINDIR/zswapctl 0755"
	echo "$ctl/zswapctl.8 $MANDIR/man8/zswapctl.8 0644"
	echo "$ctl/zswapctl.bash-completion $COMPLETIONDIR/zswapctl 0644"
	echo "$ctl/$UNIT $UNITDIR/$UNIT 0644"
	echo "$ctl/zswapctl.conf.example $DOCDIR/zswapctl.conf.example 0644"
	[ -z "$MODULESLOADDIR" ] || echo "$ctl/zswapblk.conf $MODULESLOADDIR/zswapblk.conf 0644"
}

run_depmod() {
	local krel=$1
	case $DEPMOD in
	no)	return 0 ;;
	auto)	live || return 0 ;;
	esac
	if live; then
		log "depmod $krel"
		depmod -a "$krel"
	else
		log "depmod -b $DESTDIR $krel"
		depmod -b "$DESTDIR" "$krel"
	fi
}

systemd_running() {
	live && [ -d /run/systemd/system ] && command -v systemctl > /dev/null
}

do_install() {
	local krel ko src dst mode

	for krel in $KERNELS; do
		ko=$BUILD/$krel/zswapblk.ko
		[ -f "$ko" ] || die "$ko: not built (make modules KERNELS=$krel)"
	done
	[ -x "$ctl/zswapctl" ] || die "$ctl/zswapctl: not built (make zswapctl)"

	for krel in $KERNELS; do
		dst=$DESTDIR/lib/modules/$krel/updates/zswapblk.ko
		log "$dst"
		install -D -m 0644 "$BUILD/$krel/zswapblk.ko" "$dst"
		run_depmod "$krel"
	done
	files | while read -r src dst mode; do
		log "$DESTDIR$dst"
		install -D -m "$mode" "$src" "$DESTDIR$dst"
	done
	# The unit names the program by its path.
	if [ "$SBINDIR" != /usr/local/sbin ]; then
		sed -i "s|/usr/local/sbin/zswapctl|$SBINDIR/zswapctl|" \
			"$DESTDIR$UNITDIR/$UNIT"
	fi
	if systemd_running; then
		systemctl daemon-reload
	fi
	if live; then
		echo "Installed. Write /etc/zswapctl.conf (see $DOCDIR/zswapctl.conf.example),"
		echo "then: systemctl enable --now $UNIT"
	fi
}

# rmdir DIR and its parents while they are empty, never DESTDIR itself.
prune() {
	local d=$1
	while [ "$d" != "$DESTDIR" ] && [ "${d#"$DESTDIR"/}" != "$d" ] &&
	      rmdir "$d" 2> /dev/null; do
		d=${d%/*}
	done
}

do_uninstall() {
	local ko krel d src dst mode

	if systemd_running && [ -e "$UNITDIR/$UNIT" ]; then
		systemctl disable --quiet "$UNIT" 2> /dev/null || true
	fi
	for ko in "$DESTDIR"/lib/modules/*/updates/zswapblk.ko; do
		[ -e "$ko" ] || continue
		krel=${ko%/updates/zswapblk.ko}
		krel=${krel##*/}
		log "rm $ko"
		rm -f "$ko"
		if live; then
			rmdir "${ko%/*}" 2> /dev/null || true
		else
			prune "${ko%/*}"
		fi
		[ -e "$DESTDIR/lib/modules/$krel" ] && run_depmod "$krel"
	done
	files | while read -r src dst mode; do
		[ -e "$DESTDIR$dst" ] || continue
		log "rm $DESTDIR$dst"
		rm -f "$DESTDIR$dst"
		live || prune "$DESTDIR${dst%/*}"
	done
	if live; then
		rmdir "$DOCDIR" 2> /dev/null || true
	fi
	if systemd_running; then
		systemctl daemon-reload
	fi
}

# Sources to /usr/src/zswapblk-<version>, then dkms add and install.
do_dkms() {
	local ver src krel

	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
	[ -n "$ver" ] || die "dkms.conf: no PACKAGE_VERSION"
	src=$DESTDIR/usr/src/zswapblk-$ver
	log "$src"
	rm -rf "$src"
	install -D -m 0644 "$top/dkms.conf" "$src/dkms.conf"
	install -D -m 0644 -t "$src/driver" "$top"/driver/*.[ch] "$top/driver/Kbuild"
	install -D -m 0644 -t "$src/include" "$top"/include/*.h
	live || return 0

	command -v dkms > /dev/null || die "dkms is not installed (apt-get install dkms)"
	if [ -z "$(dkms status -m zswapblk -v "$ver" 2> /dev/null)" ]; then
		dkms add -m zswapblk -v "$ver"
	fi
	for krel in $KERNELS; do
		dkms install -m zswapblk -v "$ver" -k "$krel" \
			--kernelsourcedir "/lib/modules/$krel/build" --force
	done
}

case ${1:-} in
install)	do_install ;;
uninstall)	do_uninstall ;;
dkms)		do_dkms ;;
*)		echo "usage: $0 install | uninstall | dkms" >&2; exit 2 ;;
esac
