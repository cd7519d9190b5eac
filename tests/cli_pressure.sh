#!/bin/sh
# Checks of the real-kernel pressure captures (tests/data/pressure-6.1) and
# the tools that make and read them: every run folder is complete and
# says the guest finished without an OOM kill, the two boots of each
# workload are both there, the summary in the README is what
# tools/pressure-summary.sh prints today, and both scripts refuse bad input
# with a clear message (capture-pressure.sh before it installs or boots
# anything). No QEMU here: a capture takes minutes. Ends with
# "N passed, N failed".
DATA=${DATA:-tests/data/pressure-6.1}
. "$(dirname "$0")/lib.sh"

runs=0
for d in "$DATA"/*_[0-9]; do
	[ -d "$d" ] || continue
	runs=$((runs + 1))
	n=${d##*/}
	for f in qemu.cmd phases workload/log workload/peak boot/uname-a \
		 boot/proc/cmdline boot/sys/kernel/mm/lru_gen/enabled \
		 before/proc/vmstat before/proc/zoneinfo before/proc/swaps \
		 before/proc/sys/vm/swappiness end/proc/vmstat end/dmesg \
		 series/vmstat.tsv series/meminfo.tsv series/buddyinfo.tsv; do
		if [ -s "$d/$f" ]; then ok; else bad "$n: no $f"; fi
	done
	has "$d/workload/log" '^end .* status 0 oom_kills 0$' "$n: finished, no OOM"
	has "$d/boot/proc/cmdline" '^console=ttyS0 panic=5 nokaslr mminit_loglevel=4$' "$n: kernel command line"
	peak=$(cat "$d/workload/peak")
	if [ -s "$d/$peak/proc/zoneinfo" ]; then ok; else bad "$n: no $peak phase"; fi
	# Each time-series row has as many fields as its header.
	for t in vmstat meminfo; do
		awk -F'\t' 'NR == 1 { n = NF } NF != n { exit 1 } END { exit NR < 3 }' \
			"$d/series/$t.tsv" && ok || bad "$n: series/$t.tsv ragged or short"
	done
	# The twin boot exists.
	case $n in *_1) [ -d "${d%_1}_2" ] && ok || bad "$n: no second boot" ;; esac
done
[ "$runs" -ge 12 ] && ok || bad "only $runs runs in $DATA"

# Swap was used by every hog (the point of the workload).
for d in "$DATA"/*_hog*_[0-9]; do
	out=$(awk '$1 == "pswpout" { print $2 }' "$d/end/proc/vmstat")
	[ "${out:-0}" -gt 0 ] && ok || bad "${d##*/}: no pswpout"
done

# The README's table is the summary tool's output for that pair.
expect 0 "summary" -- sh tools/pressure-summary.sh "$DATA/b_1g_2cpu_hog_1" "$DATA/b_1g_2cpu_hog_2"
has "$tmp/out" '^events +pswpout ' "summary lists pswpout"
has "$tmp/out" '^after_pass2 +N0\.DMA32_min ' "summary lists the DMA32 min watermark"
grep '^events  *pgscan_kswapd ' "$tmp/out" >"$tmp/line"
hasf "$DATA/README.md" "$(cat "$tmp/line")" "README's 1G hog pgscan_kswapd row"
expect 0 "variation.txt is current" -- sh -c "sh tools/pressure-summary.sh --pairs $DATA | cmp - $DATA/variation.txt"

# Bad input: clear messages, non-zero exits, nothing installed or booted.
expect 1 "summary of a non-run" -- sh tools/pressure-summary.sh "$DATA"
has "$tmp/err" 'pressure-summary: .*not a capture-pressure run' "summary names the folder"
expect 1 "unknown shape" -- sh tools/capture-pressure.sh z_9g hog
has "$tmp/err" "capture-pressure: unknown shape 'z_9g'" "capture names the shape"
expect 1 "unknown workload" -- sh tools/capture-pressure.sh b_1g_2cpu dance
has "$tmp/err" "capture-pressure: unknown workload 'dance'" "capture names the workload"
expect 1 "existing run folder" -- env OUT="$DATA" sh tools/capture-pressure.sh b_1g_2cpu hog 1
has "$tmp/err" 'exists; remove it first' "capture never replaces a run"
expect 2 "no arguments" -- sh tools/capture-pressure.sh
has "$tmp/err" 'SHAPE WORKLOAD' "usage"

# The guest helper builds warning-free (it is linked statically in the guest).
if command -v gcc >/dev/null 2>&1; then
	expect 0 "memhog builds" -- gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$tmp/memhog" tools/pressure/memhog.c
	expect 2 "memhog usage" -- "$tmp/memhog" dance
fi
summary
