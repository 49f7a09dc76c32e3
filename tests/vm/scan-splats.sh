#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scan-splats.sh [-t TAINTED] FILE...
#
# Look for kernel error reports ("splats") in kernel logs: BUG:, oopses,
# WARNING:, UBSAN/KASAN/KFENCE, lockups, hung tasks, general protection
# faults, SLUB debug reports (slub_debug=FZPU: "BUG kmalloc-64 (Tainted...)",
# "Poison overwritten", "Redzone", ...), list corruption, bad pages, RCU
# stalls.  Prints the matching lines and exits 1 if there is any, 0 if the
# logs are clean.  Missing files are ignored.
#
# -t TAINTED: also fail if the taint mask (/proc/sys/kernel/tainted) has
# B (bad page, set by SLUB reports), D (oops), W (warning) or L (soft
# lockup) set.  Catches a report whose text the ring buffer lost.  The O and
# E taints of an out-of-tree, unsigned module are expected and ignored.
#
# Fault injection (failslab, fail_page_alloc, fail-nth) reports each fault
# it forces as "FAULT_INJECTION: forcing a failure." with its attributes
# and a stack dump: that report is no splat, and its lines are skipped (the
# attribute line and the dump's CPU:/Tainted:/Hardware name:/Call Trace:
# lines, frames, <TASK> markers and the registers of the syscall entry only;
# any other line, such as a WARNING in the middle, ends the report and is
# scanned).
#
# vmrun.sh runs this on the guest's dmesg; selfcheck.sh tests it on samples.
set -euo pipefail

# One alternative per line; grep -E syntax, case-sensitive.
patterns=(
	'BUG:'
	'BUG [^ ]+ \((Not tainted|Tainted)'	# SLUB: "BUG kmalloc-64 (Tainted: G B): ..."
	'kernel BUG at'
	'Oops'
	'WARNING:'
	'UBSAN:'
	'KASAN:'
	'KFENCE:'
	'KMSAN:'
	'soft lockup'
	'hard LOCKUP'
	'hung_task: '
	'blocked for more than [0-9]+ seconds'
	'general protection'
	'Poison overwritten'
	'Redzone'
	'[Pp]adding overwritten'
	'Freepointer corrupt'
	'Object already free'
	'[Ss]lab corruption'
	'list_(add|del) corruption'
	'Bad page (state|map)'
	'Bad rss-counter'
	'rcu: INFO: rcu_[a-z]+ (self-)?detected stall'
	'detected stalls on CPUs'
	'refcount_t: '
	'stack-protector:'
	'Kernel panic'
)
# Taint bits: B=5, D=7, W=9, L=14.
taint_mask=$(((1 << 5) | (1 << 7) | (1 << 9) | (1 << 14)))

tainted=
if [ "${1:-}" = -t ]; then
	tainted=${2:?"-t needs the taint mask"}
	shift 2
fi

regex=$(IFS='|'; echo "${patterns[*]}")

# Drop fault-injection reports.  Lines are "[  1.234567] text" (dmesg),
# "5,123,456,-;text" (/dev/kmsg) or bare text.
drop_fault_reports() {
	awk '
	{
		msg = $0
		sub(/^[0-9]+,[0-9]+,[0-9]+,[^;]*;/, "", msg)
		sub(/^\[ *[0-9]+\.[0-9]+\] /, "", msg)
		sub(/^\[ *[TC][0-9]+\] /, "", msg)
		if (msg ~ /^FAULT_INJECTION: forcing a failure/) {
			infi = 1
			next
		}
		if (infi) {
			if (msg ~ /^name [a-z_]+, interval [0-9]+, probability [0-9]+/ ||
			    msg ~ /^CPU: [0-9]+ / || msg ~ /^Tainted: / ||
			    msg ~ /^Hardware name: / || msg ~ /^Workqueue: / ||
			    msg ~ /^Call Trace:/ ||
			    msg ~ /^(RIP|Code|RSP|RAX|RDX|RBP|R10|R13): / ||
			    msg ~ /^ *<\/?(TASK|IRQ|NMI|SOFTIRQ)>$/ ||
			    msg ~ /^ *(\? )?[A-Za-z0-9_.]+\+0x[0-9a-f]+\/0x[0-9a-f]+( \[[A-Za-z0-9_]+\])?$/ ||
			    msg ~ /^ *(\? )?0x[0-9a-f]+$/)
				next
			infi = 0
		}
		print
	}'
}
found=0
for f in "$@"; do
	[ -r "$f" ] || continue
	# The command line (echoed at boot) may name options like hung_task_panic.
	if grep -a -v -i 'command line:' "$f" | drop_fault_reports |
	   grep -E -a -- "$regex"; then
		found=1
	fi
done
if [ -n "$tainted" ] && [ $((tainted & taint_mask)) -ne 0 ]; then
	flags=
	for bit in 5:B 7:D 9:W 14:L; do
		[ $((tainted >> ${bit%:*} & 1)) = 0 ] || flags+=${bit#*:}
	done
	echo "kernel tainted: $tainted (flags $flags)"
	found=1
fi
exit "$found"
