#!/bin/sh
# Runs test binaries given as "LABEL BINARY" pairs, shows their output, and
# ends with the total "N passed, N failed" over all of them. Exits non-zero
# if any binary failed, crashed, or did not print its own closing line.
passed=0
failed=0
status=0
while [ $# -ge 2 ]; do
	label=$1
	bin=$2
	shift 2
	out=$(mktemp)
	$bin >"$out" 2>&1
	rc=$?
	cat "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$label: $bin did not finish (no closing line)"
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
	rm -f "$out"
done
echo "$passed passed, $failed failed"
exit $status
