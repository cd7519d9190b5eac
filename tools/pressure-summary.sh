#!/bin/sh
# Key reclaim counters of capture-pressure.sh runs, side by side:
#
#   sh tools/pressure-summary.sh RUNDIR RUNDIR...
#   sh tools/pressure-summary.sh tests/data/pressure-6.1/b_1g_2cpu_hog_*
#   sh tools/pressure-summary.sh --pairs DIR    (each NAME_1 beside NAME_2)
#
# Events (vmstat counters) are counted from the `before` phase to the `end`
# phase. Levels (zoneinfo's free pages and watermarks per zone, meminfo) are
# read at the run's peak phase, named in workload/peak (the moment of most
# pressure: after the hog's second pass, after the file's read, after the
# tmpfs fill); PHASE=name picks another phase. `min free` rows are the least
# free pages seen in the time series (series/vmstat.tsv nr_free_pages, and
# per zone from series/buddyinfo.tsv, which excludes per-CPU lists).
# The last columns: with two runs, run 2 minus run 1 and that difference as
# a percentage of their mean; with more, max minus min and its percentage.
set -u
[ $# -ge 1 ] || { sed -n '3,6p' "$0" | sed 's/^# //' >&2; exit 2; }

if [ "$1" = --pairs ]; then
	[ $# = 2 ] && [ -d "$2" ] || { echo "pressure-summary: --pairs needs one folder" >&2; exit 2; }
	first=1
	for one in "$2"/*_1; do
		[ -d "${one%_1}_2" ] || continue
		[ $first = 1 ] || echo
		first=0
		echo "## ${one##*/}" | sed 's/_1$//'
		sh "$0" "$one" "${one%_1}_2" || exit 1
	done
	exit 0
fi

extract() { # extract RUNDIR: "key value" lines
	d=$1
	peak=${PHASE:-$(cat "$d/workload/peak" 2>/dev/null || echo end)}
	[ -r "$d/before/proc/vmstat" ] && [ -r "$d/end/proc/vmstat" ] \
		&& [ -r "$d/$peak/proc/zoneinfo" ] || {
		echo "pressure-summary: $d: no before/, end/ or $peak/ (not a capture-pressure run?)" >&2
		exit 1
	}
	awk -v peak="$peak" '
	FILENAME ~ /before\/proc\/vmstat$/ { b[$1] = $2; next }
	FILENAME ~ /end\/proc\/vmstat$/ { e[$1] = $2; names[++n] = $1; next }
	FILENAME ~ /proc\/zoneinfo$/ {
		if ($1 == "Node") { z = "N" $2 "." $4; sub(/,/, "", z); zones[++nz] = z; next }
		if ($1 == "pages" && $2 == "free") { free[z] = $3; inz = 1; next }
		if (inz && ($1 == "min" || $1 == "low" || $1 == "high")) { wm[z, $1] = $2; next }
		if ($1 == "managed") { man[z] = $2; inz = 0 }
		next
	}
	FILENAME ~ /proc\/meminfo$/ { k = $1; sub(/:$/, "", k); mi[k] = $2; next }
	FILENAME ~ /series\/vmstat.tsv$/ {
		if (FNR == 1) { for (i = 1; i <= NF; i++) if ($i == "nr_free_pages") col = i; next }
		if (col && (minfree == "" || $col + 0 < minfree)) minfree = $col + 0
		next
	}
	FILENAME ~ /series\/buddyinfo.tsv$/ {
		if (FNR == 1) next
		k = "N" $2 "." $3; s = 0
		for (i = 4; i <= NF; i++) s += $i * 2 ^ (i - 4)
		if (!(k in bmin) || s < bmin[k]) bmin[k] = s
		next
	}
	END {
		want = "^(pgscan_kswapd|pgscan_direct|pgsteal_kswapd|pgsteal_direct|pswpin|pswpout|allocstall_.*|pageoutrun|kswapd_low_wmark_hit_quickly|kswapd_high_wmark_hit_quickly|workingset_.*|pgmajfault|pgpgin|pgpgout|pgactivate|pgdeactivate|pgrefill|pgrotated|oom_kill|thp_fault_alloc|thp_fault_fallback|thp_swpout|thp_swpout_fallback|thp_split_page|compact_stall|pgscan_anon|pgscan_file|pgsteal_anon|pgsteal_file)$"
		for (i = 1; i <= n; i++)
			if (names[i] ~ want)
				printf "events %s %d\n", names[i], e[names[i]] - b[names[i]]
		for (i = 1; i <= nz; i++) {
			z = zones[i]
			if (man[z] + 0 == 0) continue
			printf "%s %s_free %d\n", peak, z, free[z]
			printf "%s %s_min %d\n", peak, z, wm[z, "min"]
			printf "%s %s_low %d\n", peak, z, wm[z, "low"]
			printf "%s %s_high %d\n", peak, z, wm[z, "high"]
			if (z in bmin) printf "series min_free_%s %d\n", z, bmin[z]
		}
		if (minfree != "") printf "series min_nr_free_pages %d\n", minfree
		split("MemFree SwapFree SwapCached Dirty Writeback Cached AnonPages Shmem Active(anon) Inactive(anon) Active(file) Inactive(file)", m, " ")
		for (i = 1; i in m; i++)
			printf "%s %s_kB %d\n", peak, m[i], mi[m[i]]
	}' "$d/before/proc/vmstat" "$d/end/proc/vmstat" "$d/$peak/proc/zoneinfo" \
		"$d/$peak/proc/meminfo" "$d/series/vmstat.tsv" "$d/series/buddyinfo.tsv"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pressure-summary.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
i=0
for d in "$@"; do
	i=$((i + 1))
	extract "$d" >"$tmp/$i" || exit 1
done
awk -v nruns="$i" '
	{ split(FILENAME, p, "/"); r = p[length(p)] + 0
	  k = $1 " " $2
	  if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }
	  v[k, r] = $3 }
	END {
		printf "%-11s %-34s", "at", "counter"
		for (r = 1; r <= nruns; r++) printf " %12s", "run" r
		printf " %12s %7s\n", nruns == 2 ? "run2-run1" : "max-min", "%mean"
		for (i = 1; i <= nk; i++) {
			k = keys[i]; split(k, kk, " ")
			lo = hi = sum = ""
			for (r = 1; r <= nruns; r++) {
				x = (k, r) in v ? v[k, r] : 0
				if (lo == "" || x < lo) lo = x
				if (hi == "" || x > hi) hi = x
				sum += x
			}
			d = nruns == 2 ? v[k, 2] - v[k, 1] : hi - lo
			mean = sum / nruns
			printf "%-11s %-34s", kk[1], kk[2]
			for (r = 1; r <= nruns; r++) printf " %12d", (k, r) in v ? v[k, r] : 0
			if (mean != 0) printf " %12d %6.1f%%\n", d, 100 * (d < 0 ? -d : d) / (mean < 0 ? -mean : mean)
			else printf " %12d %7s\n", d, "-"
		}
	}' $(i=1; while [ $i -le $# ]; do echo "$tmp/$i"; i=$((i + 1)); done) || exit 1
