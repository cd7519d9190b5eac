#!/bin/sh
# Runs test binaries given as "LABEL COMMAND" pairs, shows their output, and
# ends with the total "N passed, N failed" over all of them. Exits non-zero
# if any command failed, crashed, or did not print its own closing line.
#
# The commands run TEST_JOBS at a time (default: the number of CPUs), in the
# order given, so the slowest should come first; each one's output is
# captured and shown whole, in the order given, as soon as it and those
# before it are done. The tests do not depend on one another: each makes
# its own scratch directory.
jobs=${TEST_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0
while [ $# -ge 2 ]; do
	n=$((n + 1))
	printf '%s\n' "$1" >"$dir/$n.label"
	printf '%s\n' "$2" >"$dir/$n.cmd"
	shift 2
done

# start I: runs command I in the background; I.rc appears when it is done.
start() {
	(
		$(cat "$dir/$1.cmd") >"$dir/$1.out" 2>&1
		echo $? >"$dir/$1.rc.tmp"
		mv "$dir/$1.rc.tmp" "$dir/$1.rc"
	) &
}

passed=0
failed=0
status=0
next=1      # the next command to start
shown=1     # the next command to show
while [ "$shown" -le "$n" ]; do
	running=0
	k=$shown
	while [ "$k" -lt "$next" ]; do
		[ -f "$dir/$k.rc" ] || running=$((running + 1))
		k=$((k + 1))
	done
	while [ "$next" -le "$n" ] && [ "$running" -lt "$jobs" ]; do
		start "$next"
		next=$((next + 1))
		running=$((running + 1))
	done
	if [ ! -f "$dir/$shown.rc" ]; then
		sleep 1
		continue
	fi
	label=$(cat "$dir/$shown.label")
	rc=$(cat "$dir/$shown.rc")
	out=$dir/$shown.out
	cat "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$label: $(cat "$dir/$shown.cmd") did not finish (no closing line)"
		failed=$((failed + 1))
		status=1
	else
		p=${line%% passed*}
		f=${line#*, }
		f=${f%% failed*}
		echo "$label: $p passed, $f failed"
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" -eq 0 ] && [ "$rc" -eq 0 ] || status=1
	fi
	shown=$((shown + 1))
done
wait
echo "$passed passed, $failed failed"
exit $status
