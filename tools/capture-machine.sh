#!/bin/sh
# Capture what `mmsim machine --from DIR` imports from a real Linux box:
#
#   sh capture-machine.sh [DIR]      (default: ./machine-$(hostname))
#
# Plain sh, mkdir, cp and cat: nothing to install. Run it as root if you
# can: /proc/iomem shows addresses only to root (without them mmsim places
# each zone's holes at its end, and says so). Files the kernel does not have
# are skipped; mmsim gives each missing one a default and a note.
# The files land where they sit on the box (DIR/proc/zoneinfo,
# DIR/sys/devices/system/node/node0/distance, ...).
# ROOT (default /) is where /proc and /sys are read from, for testing.
set -u
ROOT=${ROOT:-}
DIR=${1:-./machine-$(cat "$ROOT/proc/sys/kernel/hostname" 2>/dev/null || echo box)}

grab() { # grab PATH: copy $ROOT/PATH to $DIR/PATH if it is readable
	[ -r "$ROOT/$1" ] || return 0
	mkdir -p "$DIR/$(dirname "$1")" || exit 1
	cat "$ROOT/$1" >"$DIR/$1" 2>/dev/null || rm -f "$DIR/$1"
}

[ -r "$ROOT/proc/zoneinfo" ] || { echo "capture-machine: $ROOT/proc/zoneinfo: not readable (is this Linux?)" >&2; exit 1; }
mkdir -p "$DIR" || exit 1
for f in zoneinfo buddyinfo pagetypeinfo vmstat meminfo iomem cmdline version; do
	grab "proc/$f"
done
for k in min_free_kbytes watermark_scale_factor lowmem_reserve_ratio \
	 percpu_pagelist_high_fraction numa_zonelist_order watermark_boost_factor; do
	grab "proc/sys/vm/$k"
done
grab sys/kernel/mm/transparent_hugepage/enabled
grab sys/devices/system/node/has_cpu
grab sys/devices/system/node/has_memory
for n in "$ROOT"/sys/devices/system/node/node[0-9]*; do
	[ -d "$n" ] || continue
	b=sys/devices/system/node/${n##*/}
	for f in distance cpulist meminfo numastat; do
		grab "$b/$f"
	done
done
# The zonelists as the kernel printed them (only with mminit_loglevel=4).
if dmesg >/dev/null 2>&1; then
	dmesg >"$DIR/dmesg" 2>/dev/null
fi
echo "capture-machine: wrote $DIR (mmsim machine --from $DIR --show zoneinfo)"
