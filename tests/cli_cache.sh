#!/bin/sh
# End-to-end tests of `mmsim cache`: options, both trace formats, standard
# input, errors with line numbers, the table and the JSON, and a real
# valgrind lackey trace. $MMSIM is the binary under test (default ./mmsim).
# Ends with "N passed, N failed" like the unit tests.
MMSIM=${MMSIM:-./mmsim}
case $MMSIM in /*) ;; *) MMSIM=$(pwd)/$MMSIM ;; esac
. "$(dirname "$0")/lib.sh"

# json KEY: the first number after "KEY": in $tmp/out.
json() { grep -o "\"$1\":[0-9]*" "$tmp/out" | head -n 1 | cut -d: -f2; }

one="--l2 none --llc none"

# Dinero IV's testing/simple.32.txt (13 reads) in din form; Dinero IV gives
# 11 misses and 704 bytes from memory for -l1-dsize 32k -l1-dbsize 64
# -l1-dassoc 8 (its testing/simple.32.txt.good.d32b64a8rlD).
printf '0 1000\n0 2000\n0 3000\n0 4000\n0 5000\n0 6000\n0 7000\n0 8000\n0 9000\n0 8000\n0 1000\n0 2000\n0 4000\n' >"$tmp/simple.din"

expect 0 "help" -- "$MMSIM" --help
has "$tmp/out" '^ +cache ' "top-level help lists cache"
expect 0 "cache --help" -- "$MMSIM" cache --help
has "$tmp/out" '--l1d SPEC' "cache --help documents --l1d"
has "$tmp/out" '^examples:' "cache --help has examples"

expect 0 "table" -- "$MMSIM" cache $one --l1d 32K:8:64 "$tmp/simple.din"
has "$tmp/out" '^l1-ucache  32 KiB, 8-way, 64-byte lines, lru, write-back, write-allocate$' "level title"
has "$tmp/out" '^ Metrics +Total +Instrn +Data +Read +Write +Misc$' "Dinero columns"
has "$tmp/out" '^ Demand Fetches +13 +0 +13 +13 +0 +0$' "demand fetches row"
has "$tmp/out" '^ Demand Misses +11 +0 +11 +11 +0 +0$' "demand misses row (Dinero: 11)"
has "$tmp/out" '^  Demand miss rate +0\.8462 ' "miss rate (Dinero: 0.8462)"
has "$tmp/out" '^ Bytes From Memory +704$' "bytes from memory (Dinero: 704)"
has "$tmp/out" '^ Evictions +3$' "evictions row"
has "$tmp/out" '13 references: 13 read' "reference counts"

# Standard input, with and without '-'.
expect 0 "stdin" -- sh -c "\"$MMSIM\" cache $one --json < \"$tmp/simple.din\""
has "$tmp/out" '"trace":"standard input","format":"din"' "stdin named, format detected"
eq "$(json total)" 13 "stdin: fetches"
expect 0 "stdin -" -- sh -c "cat \"$tmp/simple.din\" | \"$MMSIM\" cache $one --json -"
eq "$(grep -o '"misses":{"total":[0-9]*' "$tmp/out" | cut -d: -f3)" 11 "stdin -: the default L1d is 32K:8:64, Dinero gives 11 misses"

# The default hierarchy is the simulator's machine: L1d, L2, LLC.
expect 0 "defaults" -- "$MMSIM" cache --json "$tmp/simple.din"
has "$tmp/out" '"name":"l1d","size":32768,"ways":8,"line":64,"repl":"lru","write":"back","write_allocate":true' "default l1d"
has "$tmp/out" '"name":"l2","size":1048576,"ways":16,"line":64' "default l2"
has "$tmp/out" '"name":"llc","size":16777216,"ways":16,"line":64' "default llc"

# Per-level policies; no implicit flush unless asked.
printf '0 000\n1 040\n0 000\n0 080\n1 020\n0 040\n1 000\n' >"$tmp/w.din"
expect 0 "write-back" -- "$MMSIM" cache $one --l1d 128:2:32 --json "$tmp/w.din"
eq "$(json bytes_to_next)" 32 "write-back, no flush: one write-back"
expect 0 "flush" -- "$MMSIM" cache $one --l1d 128:2:32 --flush --json "$tmp/w.din"
eq "$(json bytes_to_next)" 96 "--flush copies the dirty lines back"
expect 0 "fifo" -- "$MMSIM" cache $one --l1d 128:2:32:fifo --json "$tmp/w.din"
eq "$(json bytes_from_next)" 160 "fifo per level"
expect 0 "--repl fifo" -- "$MMSIM" cache $one --l1d 128:2:32 --repl fifo --json "$tmp/w.din"
eq "$(json bytes_from_next)" 160 "--repl fifo"
expect 0 "wt nwa" -- "$MMSIM" cache $one --l1d 128:2:32:wt:nwa --json "$tmp/w.din"
eq "$(json bytes_to_next)" 12 "write-through, no-write-allocate"
expect 0 "global wt nwa" -- "$MMSIM" cache $one --l1d 128:2:32 --write-through --no-write-allocate --json "$tmp/w.din"
eq "$(json bytes_to_next)" 12 "--write-through --no-write-allocate"
has "$tmp/out" '"write":"through","write_allocate":false' "policies in the JSON"

# Miss classification: Dinero IV gives 9 compulsory, 0 capacity, 3 conflict
# misses for -l1-usize 8k -l1-ubsize 16 -l1-uassoc 4 -l1-uccc
# (testing/simple.32.txt.good.u8b16a4cD).
expect 0 "ccc table" -- "$MMSIM" cache $one --l1d 8K:4:16 --ccc "$tmp/simple.din"
has "$tmp/out" '^   Compulsory misses +9 +0 +9 +9 +0 +0$' "compulsory row"
has "$tmp/out" '^   Capacity misses +0 ' "capacity row"
has "$tmp/out" '^   Conflict misses +3 +0 +3 +3 +0 +0$' "conflict row"
expect 0 "ccc json" -- "$MMSIM" cache $one --l1d 8K:4:16:ccc --json "$tmp/simple.din"
has "$tmp/out" '"compulsory":\{"total":9,.*"capacity":\{"total":0,.*"conflict":\{"total":3,' "classification in the JSON"

# Bad trace lines: exit 2, the file and the line number.
printf '0 1000\n1 2000\n0 zz\n' >"$tmp/bad.din"
expect 2 "bad din line" -- "$MMSIM" cache "$tmp/bad.din"
has "$tmp/err" "^mmsim: cache: $tmp/bad.din:3: din: bad hexadecimal address in '0 zz'$" "bad line message"
expect 2 "wrong format" -- "$MMSIM" cache --format lackey "$tmp/simple.din"
has "$tmp/err" ':1: lackey: expected' "lackey reader on din"
printf 'hello\n' >"$tmp/what"
expect 2 "undetectable" -- "$MMSIM" cache "$tmp/what"
has "$tmp/err" 'cannot tell the trace format.*use --format' "detection failure message"
expect 2 "missing file" -- "$MMSIM" cache "$tmp/nosuch.din"
has "$tmp/err" "^mmsim: cache: $tmp/nosuch.din: No such file" "missing file message"

# Bad usage.
expect 2 "bad spec" -- "$MMSIM" cache --l1d 32K:8 "$tmp/simple.din"
has "$tmp/err" "^mmsim: cache: --l1d: '32K:8' is not SIZE:WAYS:LINE" "bad spec message"
expect 2 "bad geometry" -- "$MMSIM" cache --l2 1000:16:64 "$tmp/simple.din"
has "$tmp/err" '^mmsim: cache: l2: size 1000 is not' "bad geometry message"
expect 2 "bad policy" -- "$MMSIM" cache --l1d 32K:8:64:plru "$tmp/simple.din"
has "$tmp/err" "unknown policy 'plru'" "bad policy message"
expect 2 "bad repl" -- "$MMSIM" cache --repl mru "$tmp/simple.din"
expect 2 "bad format" -- "$MMSIM" cache --format pixie "$tmp/simple.din"
expect 2 "unknown option" -- "$MMSIM" cache --bogus
has "$tmp/err" "unknown option '--bogus'" "unknown option message"
expect 2 "missing value" -- "$MMSIM" cache --l2
expect 2 "two traces" -- "$MMSIM" cache a b
expect 2 "no level" -- "$MMSIM" cache --l1d none --l2 none --llc none "$tmp/simple.din"
if [ -w /dev/full ]; then
	expect 2 "full stdout" -- sh -c "\"$MMSIM\" cache \"$tmp/simple.din\" > /dev/full"
	eq "$(cat "$tmp/err")" "mmsim: cannot write standard output: No space left on device" "full stdout: one message"
fi

# A real lackey trace: reference counts must equal the trace's line counts
# (I: instruction fetches; L: reads; S: writes; M: one of each).
if command -v valgrind >/dev/null 2>&1 && command -v "${CC:-cc}" >/dev/null 2>&1; then
	cat >"$tmp/prog.c" <<'EOF'
int main(void)
{
	volatile int a[256];
	int s = 0;
	for (int i = 0; i < 256; i++)
		a[i] = i;
	for (int i = 0; i < 256; i++)
		a[i] += 1;      /* a modify */
	for (int i = 0; i < 256; i++)
		s += a[i];
	return s == 256 * 255 / 2 + 256 ? 0 : 1;
}
EOF
	if ! "${CC:-cc}" -O1 -o "$tmp/prog" "$tmp/prog.c" ||
	   ! valgrind --tool=lackey --trace-mem=yes --log-file="$tmp/prog.lackey" "$tmp/prog"; then
		echo "note: could not build or run the program under valgrind: lackey test skipped"
		summary
		[ "$failed" -eq 0 ]
		exit
	fi
	I=$(grep -c '^I  ' "$tmp/prog.lackey")
	L=$(grep -c '^ L ' "$tmp/prog.lackey")
	S=$(grep -c '^ S ' "$tmp/prog.lackey")
	M=$(grep -c '^ M ' "$tmp/prog.lackey")
	expect 0 "lackey trace" -- "$MMSIM" cache --l1i 32K:8:64 --json "$tmp/prog.lackey"
	has "$tmp/out" '"format":"lackey"' "lackey detected"
	eq "$(json instr)" "$I" "instruction fetches = I lines"
	eq "$(json read)" "$((L + M))" "reads = L + M lines"
	eq "$(json write)" "$((S + M))" "writes = S + M lines"
	if [ "$M" -gt 0 ]; then ok; else bad "the program's trace has no M line"; fi
	expect 0 "lackey table" -- "$MMSIM" cache --l1i 32K:8:64 "$tmp/prog.lackey"
	has "$tmp/out" '^l1-icache ' "split L1: l1-icache"
	has "$tmp/out" '^l1-dcache ' "split L1: l1-dcache"
else
	echo "note: valgrind or a C compiler missing: lackey end-to-end test skipped"
fi

summary
[ "$failed" -eq 0 ]
