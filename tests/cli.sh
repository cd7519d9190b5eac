#!/bin/sh
# End-to-end tests of the mmsim command: exit statuses, messages, and the
# trace's shape and determinism. $MMSIM is the binary under test (default
# ./mmsim). Ends with "N passed, N failed" like the unit tests.
MMSIM=${MMSIM:-./mmsim}
case $MMSIM in /*) ;; *) MMSIM=$(pwd)/$MMSIM ;; esac
. "$(dirname "$0")/lib.sh"

expect 0 "help" -- "$MMSIM" --help
has "$tmp/out" '^ +run ' "help lists run"
expect 2 "no command" -- "$MMSIM"
expect 2 "unknown command" -- "$MMSIM" frobnicate
has "$tmp/err" "^mmsim: unknown command 'frobnicate'" "unknown command message"
expect 0 "run --help" -- "$MMSIM" run --help
has "$tmp/out" '--seed N' "run --help documents --seed"

# The default run prints a human summary and writes no file.
in_tmp() { (cd "$tmp" && exec "$@"); }
expect 0 "default run" -- in_tmp "$MMSIM" run --iterations 100
has "$tmp/out" '^simulated +[0-9]+ cycles' "summary: simulated time"
has "$tmp/out" 'private \(per-CPU data\)' "summary: private row"
has "$tmp/out" '^L1d' "summary: cache table"
eq "$(ls "$tmp" | grep -c jsonl)" 0 "no trace file without -o"

# Traces: header first, summary last, one line per operation between.
expect 0 "run -o" -- "$MMSIM" run --quiet --seed 5 --iterations 200 -o "$tmp/a.jsonl"
eq "$(lines "$tmp/out")" 0 "--quiet prints nothing"
eq "$(lines "$tmp/a.jsonl")" $((2 + 4 * 200)) "line count: header + 4 CPUs x 200 ops + summary"
has "$tmp/a.jsonl" '^\{"type":"header","format":"mmsim-trace","version":1,' "header first"
eq "$(head -n 1 "$tmp/a.jsonl" | grep -c '"seed":5')" 1 "header records the seed"
eq "$(tail -n 1 "$tmp/a.jsonl" | grep -c '^{"type":"summary","status":"ok"')" 1 "summary last"
has "$tmp/a.jsonl" '^\{"ev":"smoke_shared","t":[0-9]+,"cpu":[0-9],"task":"worker[0-9]","lock":"0x[0-9a-f]+","spin":[0-9]+,"cycles":[0-9]+\}$' "event line shape"

# Determinism: same seed, byte-identical; another seed, different.
expect 0 "rerun" -- "$MMSIM" run --quiet --seed 5 --iterations 200 -o "$tmp/b.jsonl"
if cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl"; then ok; else bad "same seed gives a different trace"; fi
expect 0 "other seed" -- "$MMSIM" run --quiet --seed 6 --iterations 200 -o "$tmp/c.jsonl"
if cmp -s "$tmp/a.jsonl" "$tmp/c.jsonl"; then bad "another seed gives the same trace"; else ok; fi

# -o - writes the trace to stdout and nothing else.
expect 0 "run -o -" -- "$MMSIM" run --iterations 10 -o -
eq "$(lines "$tmp/out")" $((2 + 40)) "trace on stdout"

# The event filter.
expect 0 "filter" -- "$MMSIM" run --quiet --iterations 200 --events smoke_shared -o "$tmp/f.jsonl"
eq "$(grep -c '"ev":"smoke_private"' "$tmp/f.jsonl")" 0 "filtered event absent"
eq "$(grep -c '"ev":"smoke_shared"' "$tmp/f.jsonl")" 400 "kept event present"
expect 0 "exclusion" -- "$MMSIM" run --quiet --iterations 200 --events '-smoke_shared' -o "$tmp/g.jsonl"
eq "$(grep -c '"ev":"smoke_shared"' "$tmp/g.jsonl")" 0 "excluded event absent"

# Bad usage: exit 2 with one message naming what is wrong.
expect 2 "missing scenario file" -- "$MMSIM" run nosuch.lua -o "$tmp/nosuch.jsonl"
has "$tmp/err" '^mmsim: run: nosuch.lua: cannot open' "scenario message names the file"
if [ -e "$tmp/nosuch.jsonl" ]; then bad "a trace was created for a missing scenario"; else ok; fi
expect 2 "unknown option" -- "$MMSIM" run --bogus
has "$tmp/err" "unknown option '--bogus'" "unknown option message"
expect 2 "bad seed" -- "$MMSIM" run --seed abc
has "$tmp/err" "--seed: 'abc'" "bad seed message"
expect 2 "missing value" -- "$MMSIM" run -o
expect 2 "unknown machine" -- "$MMSIM" run --machine nope
has "$tmp/err" 'x86_64-numa2' "unknown machine lists the presets"
expect 2 "unwritable trace" -- "$MMSIM" run -o "$tmp/no/such/dir/t.jsonl"
has "$tmp/err" "$tmp/no/such/dir/t.jsonl" "open error names the file"
if [ -w /dev/full ]; then
	expect 2 "full disk" -- "$MMSIM" run --quiet --iterations 200 -o /dev/full
	has "$tmp/err" '/dev/full' "write error names the file"
fi

# Machines from JSON descriptions: the example runs; a bad one is refused
# with the file and the field.
here=$(pwd)
expect 0 "json machine" -- "$MMSIM" run --quiet --iterations 50 --machine "$here/scenarios/machines/two-socket.json" -o "$tmp/j.jsonl"
eq "$(head -n 1 "$tmp/j.jsonl" | grep -c '"machine":{"name":"two-socket"')" 1 "header names the described machine"
eq "$(grep -c '"ev":"smoke_' "$tmp/j.jsonl")" 400 "8 CPUs x 50 operations"
printf '{"preset": "x86_64", "cpus": [{"node": 0}, {"node": 2}]}' >"$tmp/bad.json"
expect 2 "bad json machine" -- "$MMSIM" run --machine "$tmp/bad.json"
has "$tmp/err" "bad.json: cpus\[1\]\.node: 2 is not a node" "bad machine message names file and field"
printf '{"preset": "x86_64",\n "mem": 4G}' >"$tmp/syntax.json"
expect 2 "json syntax error" -- "$MMSIM" run --machine "$tmp/syntax.json"
has "$tmp/err" "syntax.json:2: not valid JSON" "syntax error names file and line"
expect 2 "missing machine file" -- "$MMSIM" run --machine "$tmp/none.json"
has "$tmp/err" "none.json: cannot open" "missing file message"

# Every machine preset runs.
for m in pc-i386 pc-i386-pae x86_64 x86_64-numa2 x86_64-numa4; do
	expect 0 "machine $m" -- "$MMSIM" run --quiet --iterations 50 --machine "$m" -o "$tmp/m.jsonl"
	eq "$(tail -n 1 "$tmp/m.jsonl" | grep -c '"type":"summary"')" 1 "machine $m: summary line"
done

summary
[ "$failed" -eq 0 ]
