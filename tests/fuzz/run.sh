#!/bin/sh
# `make fuzz`: runs each libFuzzer target for SECONDS, one after the other.
#   sh tests/fuzz/run.sh BINDIR SECONDS NAME...
# Each target reads its committed seeds (tests/fuzz/NAME/) and regression
# inputs (tests/fuzz/regress/NAME/) and grows its own corpus in
# build/fuzz/corpus/NAME/ (kept between runs, never committed); a dictionary
# tests/fuzz/NAME.dict is used when there is one. A crash, a sanitizer
# report, a broken property (FUZZ_CHECK), a hang or runaway memory stops
# that target: its input is kept in build/fuzz/crashes/ and the end of the
# fuzzer's log is shown. Exit status: 0 when every target ran its time
# clean, 1 otherwise.
bindir=$1
seconds=$2
shift 2
mkdir -p build/fuzz/crashes
status=0
for name in "$@"; do
	corpus=build/fuzz/corpus/$name
	log=build/fuzz/$name.log
	mkdir -p "$corpus"
	set -- -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=16384 \
		-close_fd_mask=1 -print_final_stats=1 -artifact_prefix="build/fuzz/crashes/$name-"
	[ -f "tests/fuzz/$name.dict" ] && set -- "$@" -dict="tests/fuzz/$name.dict"
	dirs="$corpus tests/fuzz/$name"
	[ -d "tests/fuzz/regress/$name" ] && dirs="$dirs tests/fuzz/regress/$name"
	# shellcheck disable=SC2086  # dirs is a list of paths without spaces
	if "$bindir/$name" "$@" $dirs >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -E "^#[0-9]+[[:space:]]+DONE" "$log" | sed "s/.*cov: \([0-9]*\).*/\1/")
		echo "fuzz $name: ${execs:-?} inputs in ${seconds} s, coverage ${cov:-?} edges, corpus $(ls "$corpus" | wc -l) files: ok"
	else
		status=1
		echo "fuzz $name: FAILED (log: $log)"
		grep -E -A40 'ERROR: |==[0-9]+==|property broken|runtime error|Test unit written' "$log" | head -n 40
		echo "Once fixed, copy the input (build/fuzz/crashes/$name-*) into tests/fuzz/regress/$name/"
		echo "with a name that says what it broke: make test replays it from then on."
	fi
done
exit $status
