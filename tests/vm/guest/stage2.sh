#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2 of the zswapblk VM harness: PID 1 after switch_root, running from
# the results share (/vmout) on the host's static busybox.  PID 1 must never
# exit (the kernel would panic), so every path ends in poweroff.
#
# Runs /vmout/test.sh (written by vmrun.sh) with bash under coreutils'
# timeout, copies its output to /vmout/log and to the console, then saves
# the kernel log and the taint mask and writes the test's exit status to
# /vmout/rc (last, so the host finds the rest complete once rc exists).  The
# same status is printed as the console sentinel VMTEST-RC=<n>.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
# Static busybox applets for the glue (cheap under TCG).  Where the host's
# tool is wanted (coreutils timeout: exit status 124), give its full path:
# this busybox prefers its own applets to PATH.
bb=/bin/busybox
cd / || exit 1

VMTEST_TIMEOUT=600
. /vmout/vmtest.conf

# Things udev or systemd would provide.
$bb ln -sf /proc/self/fd /dev/fd
$bb ln -sf /proc/self/fd/0 /dev/stdin
$bb ln -sf /proc/self/fd/1 /dev/stdout
$bb ln -sf /proc/self/fd/2 /dev/stderr
$bb ifconfig lo 127.0.0.1 up 2>/dev/null
$bb hostname vmtest

# The whole kernel log, as it happens: survives a panic, unlike the final
# dmesg snapshot below.  The console only shows loglevel < 4.
$bb cat /dev/kmsg >/vmout/kmsg.log 2>/dev/null &
kmsg_pid=$!

read -r up _ </proc/uptime
echo "VMTEST-START uptime=$up"

# The test writes into a FIFO drained by tee, so stray background
# processes the test leaves behind can be killed without losing output.
$bb mkfifo /run/vmtest.out
$bb tee /vmout/log </run/vmtest.out &
tee_pid=$!
/usr/bin/timeout -k 10 "$VMTEST_TIMEOUT" /bin/bash /vmout/test.sh </dev/null >/run/vmtest.out 2>&1
rc=$?

for p in /proc/[0-9]*; do
	pid=${p#/proc/}
	case $pid in 1 | "$tee_pid" | "$kmsg_pid") ;; *) kill -9 "$pid" 2>/dev/null ;; esac
done
# A process stuck in D state may still hold the FIFO open: bounded wait.
($bb sleep 5; kill -9 "$tee_pid" 2>/dev/null) &
wait "$tee_pid"

$bb dmesg >/vmout/dmesg
$bb cat /proc/sys/kernel/tainted >/vmout/tainted
echo "$rc" >/vmout/rc
echo "VMTEST-RC=$rc"
$bb sync
$bb poweroff -f
echo o >/proc/sysrq-trigger
while :; do $bb sleep 60; done
