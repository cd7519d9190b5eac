#!/bin/sh
# Host fault injection (sim/types.h) through the command: the host runs out
# of memory at the Nth allocation (MMSIM_FAIL_ALLOC=N, or N+ for every
# later one too), or the disk fills up in the middle of the Nth write of a
# trace (MMSIM_FAIL_WRITE=N). Whatever N, a command either finishes as it
# would have, or fails cleanly: exit status 2, one line "mmsim: out of host
# memory (...)" (or the failed write, naming the file), the output path
# untouched, no temporary file left; never a crash, a sanitizer report or
# an "internal error". Boot (`mmsim machine`), an import with its capture,
# run (a Lua scenario, the built-in simulation), diff, report and export
# are each swept over N = 1, 2, 3, 4, 6, 9, ... (x1.5, to a few
# thousand: every allocation of boot and of a small run is among them).
# FAULT_EVERY=2 takes every other N (the ASan build's run).
# Run from the top of the tree; $MMSIM is the binary under test.
MMSIM=${MMSIM:-./mmsim}
case $MMSIM in /*) ;; *) MMSIM=$(pwd)/$MMSIM ;; esac
. "$(dirname "$0")/lib.sh"

"$MMSIM" run tests/scenarios/alloc_free.lua --quiet -o "$tmp/a.jsonl" >/dev/null
# (with the cost model off, the scenario's own check that touches cost cycles fails:
# its trace, ending in an error summary, is still a trace diff must read)
"$MMSIM" run tests/scenarios/alloc_free.lua --quiet -P hw=off -o "$tmp/b.jsonl" >/dev/null 2>&1

ns=""
n=1
i=0
while [ "$n" -le 4000 ]; do
	[ $((i % ${FAULT_EVERY:-1})) -eq 0 ] && ns="$ns $n"
	i=$((i + 1))
	n=$(((n * 3 + 1) / 2))
done

d=$tmp/files
# sweep DESCRIPTION STATUS MODE -- COMMAND...: COMMAND under
# MMSIM_FAIL_ALLOC=N$MODE for each N; it must exit STATUS (its status
# when nothing fails) or fail cleanly. $d/out is its output path, holding
# "precious" until a command replaces it whole.
sweep() {
	what=$1; want=$2; mode=$3; shift 4
	for n in $ns; do
		rm -rf "$d"
		mkdir "$d"
		echo precious >"$d/out"
		MMSIM_FAIL_ALLOC=$n$mode "$@" >"$tmp/stdout" 2>"$tmp/err"
		rc=$?
		if [ "$rc" -eq "$want" ]; then
			ok
		elif [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
			grep -q '^mmsim: out of host memory ([0-9]* bytes wanted): ' "$tmp/err"; then
			if [ "$(cat "$d/out")" = precious ]; then ok; else bad "$what, allocation $n$mode fails: the output was replaced"; fi
		else
			bad "$what, allocation $n$mode fails: exit $rc"
			head -n 20 "$tmp/err"
		fi
		if ls -A "$d" | grep -q '^\.'; then bad "$what, allocation $n$mode: a temporary file is left"; fi
	done
}

sweep "boot" 0 "" -- "$MMSIM" machine --machine x86_64 --show zoneinfo
sweep "import and capture" 0 "" -- "$MMSIM" machine --from tests/data/linux-6.1/b_1g_2cpu/boot --capture all --show meminfo
sweep "run a scenario" 0 "" -- "$MMSIM" run tests/scenarios/alloc_free.lua --quiet -o "$d/out"
sweep "run a scenario, memory gone for good" 0 + -- "$MMSIM" run tests/scenarios/alloc_free.lua --quiet -o "$d/out"
sweep "run the built-in simulation" 0 "" -- "$MMSIM" run --iterations 50 --quiet -o "$d/out"
sweep "diff" 1 "" -- "$MMSIM" diff "$tmp/a.jsonl" "$tmp/b.jsonl"
sweep "diff --json" 1 "" -- "$MMSIM" diff --json "$tmp/a.jsonl" "$tmp/b.jsonl"
sweep "report" 0 "" -- "$MMSIM" report "$tmp/a.jsonl"
sweep "export" 0 "" -- "$MMSIM" export --perfetto "$tmp/a.jsonl" -o "$d/out"

# The disk fills up in the middle of the trace's Nth write (half of it
# written, then ENOSPC): the run stops there, one message names the file,
# what was at the path stays. The writer hands over 64 KiB at a time: the
# built-in simulation's trace takes several writes, the scenario's one.
for case in "1 tests/scenarios/alloc_free.lua" "1 --iterations 2000" "2 --iterations 2000" \
	"5 --iterations 2000"; do
	n=${case%% *}
	run=${case#* }
	rm -rf "$d"
	mkdir "$d"
	echo precious >"$d/out"
	# shellcheck disable=SC2086  # $run is a scenario or options
	expect 2 "run $run, write $n fails" -- env MMSIM_FAIL_WRITE=$n "$MMSIM" run $run --quiet -o "$d/out"
	eq "$(cat "$tmp/err")" "mmsim: run: $d/out: write failed: No space left on device" "run $run, write $n fails: one message"
	eq "$(cat "$d/out")" precious "run $run, write $n fails: the old file stays"
	if ls -A "$d" | grep -q '^\.'; then bad "run $run, write $n fails: a temporary file is left"; else ok; fi
done
# To standard output: the same message, naming it.
expect 2 "run -o -, write 1 fails" -- env MMSIM_FAIL_WRITE=1 "$MMSIM" run --iterations 2000 --quiet -o -
eq "$(cat "$tmp/err")" "mmsim: run: standard output: write failed: No space left on device" "run -o -, write 1 fails: one message"
# A write beyond the trace's last changes nothing.
expect 0 "run, write 1000 would fail" -- env MMSIM_FAIL_WRITE=1000 "$MMSIM" run tests/scenarios/alloc_free.lua --quiet -o "$d/out"
cmp -s "$d/out" "$tmp/a.jsonl" && ok || bad "run, write 1000 would fail: not the same trace"

# Empty is off; a count that is not a number is an error, not a silent
# "off" under a test that means to inject a fault.
expect 0 "MMSIM_FAIL_ALLOC empty: off" -- env MMSIM_FAIL_ALLOC= "$MMSIM" machine --machine x86_64 --show min_free_kbytes
expect 2 "MMSIM_FAIL_ALLOC=x" -- env MMSIM_FAIL_ALLOC=x "$MMSIM" machine --machine x86_64 --show min_free_kbytes
eq "$(cat "$tmp/err")" "mmsim: MMSIM_FAIL_ALLOC=x: expected a call number N or N+ (that call and every later one)" "MMSIM_FAIL_ALLOC=x: says what it wants"
expect 2 "MMSIM_FAIL_WRITE=3+" -- env MMSIM_FAIL_WRITE=3+ "$MMSIM" run --iterations 10 --quiet -o "$d/out"

summary
