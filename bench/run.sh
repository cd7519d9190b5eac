#!/bin/sh
# bench/run.sh BENCH...: what `make bench` runs. Every benchmark runs and
# prints its figures even when an earlier one missed a target or failed;
# each is framed by the machine's load average (/proc/loadavg: 1, 5 and 15
# minutes, then runnable/all tasks) before and after, because on a shared
# machine a figure means little without it. At the end, one table of every
# target (the benchmarks append to $BENCH_SUMMARY, see bench_target in
# bench/bench.h). Exit status 0 when every target was met and every
# benchmark ran to its end, 1 otherwise.

load() {
	if [ -r /proc/loadavg ]; then cut -d' ' -f1-4 /proc/loadavg; else echo unknown; fi
}

BENCH_SUMMARY=$(mktemp "${TMPDIR:-/tmp}/mmsim-bench-summary.XXXXXX") || exit 1
export BENCH_SUMMARY
trap 'rm -f "$BENCH_SUMMARY"' EXIT
trap 'exit 1' INT TERM HUP

cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
load0=$(load)
echo "make bench: $cpus host CPUs; load average before: $load0"
failed=""
for b in "$@"; do
	name=$(basename "$b")
	echo
	echo "== $name (load before: $(load))"
	"$b"
	rc=$?
	echo "== $name: exit status $rc (load after: $(load))"
	[ "$rc" -eq 0 ] || failed="$failed $name"
done
load1=$(load)

echo
echo "== summary: targets (load average before: $load0; after: $load1)"
missed=$(grep -c '	MISSED$' "$BENCH_SUMMARY")
total=$(grep -c . "$BENCH_SUMMARY")
awk -F '\t' '
	BEGIN { printf "%-46s %-20s %-16s %s\n", "benchmark", "measured", "target", "verdict" }
	{ printf "%-46s %-20s %-16s %s\n", $1, $2, $3, $4 }' "$BENCH_SUMMARY"
echo "$total targets, $missed missed"
# A load average at or above the CPU count means other processes shared the
# CPUs during the run: rates then fall, ratios to in-run baselines much less.
busy=$(echo "$load0 $load1" | awk -v n="$cpus" '{ print (n != "?" && ($1 >= n || $5 >= n)) ? 1 : 0 }')
if [ "$busy" = 1 ]; then
	echo "note: the load average reached the $cpus host CPUs: other processes shared them, so"
	echo "      rates are low (ratios to the in-run baselines suffer much less)"
fi
status=0
if [ "$missed" -gt 0 ]; then
	status=1
fi
if [ -n "$failed" ]; then
	echo "benchmarks that did not run to their end:$failed"
	status=1
fi
exit $status
