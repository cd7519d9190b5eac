#!/bin/sh
# End-to-end tests of mmsim diff, report, export --perfetto and plot:
# real traces (the quickstart scenario with pcp on and off, a run under
# memory pressure), hand-made small traces for the first divergence and
# every bad input, the structure Perfetto's JSON importer needs, and a trace
# of two million events read in a fixed memory budget. $MMSIM is the binary under test (default
# ./mmsim). Ends with "N passed, N failed" like the unit tests.
MMSIM=${MMSIM:-./mmsim}
case $MMSIM in /*) ;; *) MMSIM=$(pwd)/$MMSIM ;; esac
. "$(dirname "$0")/lib.sh"

# stat_of FILE NAME: a counter's value in the summary line of FILE.
stat_of() { tail -n 1 "$1" | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }
# row NAME: the diff output's row for NAME as "A B B-A change".
row() { awk -v n="$1" '$1 == n { print $2, $3, $4, $5; exit }' "$tmp/out"; }

here=$(pwd)

# ---- Real traces: the quickstart with per-CPU lists on and off ----
expect 0 "run on" -- "$MMSIM" run "$here/scenarios/quickstart.lua" --quiet -o "$tmp/on.jsonl"
expect 0 "run off" -- "$MMSIM" run "$here/scenarios/quickstart.lua" --quiet -P pcp=off \
	--snapshot-every 100000 -o "$tmp/off.jsonl"

expect 0 "diff of a trace with itself" -- "$MMSIM" diff "$tmp/on.jsonl" "$tmp/on.jsonl"
has "$tmp/out" '^setup: the same$' "self: setup the same"
has "$tmp/out" '^summary: 0 of [0-9]+ numbers differ$' "self: no summary change"
has "$tmp/out" '^events .*: 0 of [0-9]+ numbers differ$' "self: no event change"
has "$tmp/out" '^first divergence: none' "self: no divergence"
expect 0 "self --json" -- "$MMSIM" diff --json "$tmp/on.jsonl" "$tmp/on.jsonl"
has "$tmp/out" '"same":[[:space:]]*true' "self --json: same"
has "$tmp/out" '"divergence":[[:space:]]*null' "self --json: no divergence"

expect 1 "diff pcp on/off" -- "$MMSIM" diff "$tmp/on.jsonl" "$tmp/off.jsonl"
has "$tmp/out" '^setup: 1 difference$' "pcp: one setup difference"
has "$tmp/out" '^  policy\.pcp +on +off$' "pcp: the knob, key by key"
# The arithmetic, against the two summary lines.
for name in mm.vmstat.zone_lock mm.vmstat.pcp_refill cycles; do
	a=$(stat_of "$tmp/on.jsonl" "$name"); b=$(stat_of "$tmp/off.jsonl" "$name")
	want=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%d %d %+d %s", a, b, b - a,
		(b - a) / a * 100 == -100 ? "-100.0%" : sprintf("%+.1f%%", (b - a) / a * 100) }')
	eq "$(row "$name")" "$want" "pcp: row $name"
done
# zone_lock grows by the most of the mm counters: it comes before pcp_refill.
first=$(grep -nE '^  mm\.vmstat\.(zone_lock|pcp_refill) ' "$tmp/out" | head -n 1 | cut -d' ' -f3)
eq "$first" "mm.vmstat.zone_lock" "pcp: the largest change first"
locked=$(grep -c '"ev":"mm_page_alloc_zone_locked"' "$tmp/on.jsonl")
eq "$(row mm_page_alloc_zone_locked.count)" "$locked 0 -$locked -100.0%" "pcp: event count row"
has "$tmp/out" '^  mm_page_free\.cycles\.p50 ' "pcp: event percentile rows"
hasnt "$tmp/out" '^  ops\.alloc\.count ' "pcp: unchanged rows hidden"
expect 1 "diff --all" -- "$MMSIM" diff --all "$tmp/on.jsonl" "$tmp/off.jsonl"
has "$tmp/out" '^  ops\.alloc +2010 +2010 +\+0 += *$' "--all shows unchanged rows"
expect 1 "diff --json" -- "$MMSIM" diff --json "$tmp/on.jsonl" "$tmp/off.jsonl"
has "$tmp/out" '"same":[[:space:]]*false' "--json: not the same"
has "$tmp/out" '"key":[[:space:]]*"policy.pcp"' "--json: setup key"
has "$tmp/out" '"name":[[:space:]]*"mm.vmstat.zone_lock"' "--json: summary row"
if command -v python3 >/dev/null 2>&1; then
	if python3 -m json.tool "$tmp/out" >/dev/null 2>&1; then ok; else bad "--json: not one JSON document"; fi
fi

# ---- Hand-made traces: the first divergence ----
H='{"type":"header","format":"mmsim-trace","version":1,"scenario":"hand","seed":1}'
S='{"type":"summary","status":"ok","cycles":900,"stats":{"ops.alloc":4}}'
ev() { printf '{"ev":"%s","t":%s,"cpu":0,"task":"w","pfn":%s,"cycles":%s}\n' "$@"; }
{
	echo "$H"
	ev a 100 1 10; ev a 200 2 10
	echo '{"type":"snapshot","t":250,"zones":[]}'
	ev b 300 3 20; ev a 400 4 30; ev a 500 5 40
	echo "$S"
} >"$tmp/h1.jsonl"
{
	echo "$H"
	ev a 100 1 10; ev a 200 2 10; ev b 300 3 20; ev a 450 4 30; ev a 500 5 40
	echo "$S"
} >"$tmp/h2.jsonl"
expect 1 "hand: diverge at event 4" -- "$MMSIM" diff "$tmp/h1.jsonl" "$tmp/h2.jsonl"
has "$tmp/out" '^first divergence: event 4 \(A line 6, B line 5\), cycle 400 in A, 450 in B$' "hand: index, lines, cycles"
has "$tmp/out" '^  A +6 > \{"ev":"a","t":400,' "hand: A's line marked"
has "$tmp/out" '^  B +5 > \{"ev":"a","t":450,' "hand: B's line marked"
has "$tmp/out" '^  A +5   \{"ev":"b","t":300,' "hand: context before (after the snapshot line)"
has "$tmp/out" '^  B +6   \{"ev":"a","t":500,' "hand: context after"
has "$tmp/out" '^setup: the same$' "hand: same setup"
expect 1 "hand --json" -- "$MMSIM" diff --json "$tmp/h1.jsonl" "$tmp/h2.jsonl"
has "$tmp/out" '"event":[[:space:]]*4' "hand --json: index"
# Ignoring t, the streams are the same, and so is everything else.
expect 0 "hand: --ignore t" -- "$MMSIM" diff --ignore t "$tmp/h1.jsonl" "$tmp/h2.jsonl"
has "$tmp/out" '^first divergence \(ignoring t\): none' "hand: --ignore named"
# A field that differs in a value, and one missing from a line.
{
	echo "$H"
	ev a 100 1 10; ev a 200 2 10; ev b 300 3 20; ev a 400 4 30
	printf '{"ev":"a","t":500,"cpu":0,"task":"w","pfn":5}\n'
	echo "$S"
} >"$tmp/h3.jsonl"
expect 1 "hand: missing field" -- "$MMSIM" diff --ignore t "$tmp/h1.jsonl" "$tmp/h3.jsonl"
has "$tmp/out" '^first divergence \(ignoring t\): event 5 ' "hand: missing field found"
# Ignoring cycles too, the streams match, but the cycle percentiles differ.
expect 1 "hand: --ignore t,cycles" -- "$MMSIM" diff --ignore t,cycles "$tmp/h1.jsonl" "$tmp/h3.jsonl"
has "$tmp/out" '^first divergence \(ignoring t,cycles\): none' "hand: --ignore t,cycles, no divergence"
has "$tmp/out" '^  a\.cycles\.max +40 +30 +-10 +-25\.0%$' "hand: the cycles still compared"
# B stops early: the divergence is where A goes on.
{ echo "$H"; ev a 100 1 10; ev a 200 2 10; echo "$S"; } >"$tmp/h4.jsonl"
expect 1 "hand: B shorter" -- "$MMSIM" diff "$tmp/h1.jsonl" "$tmp/h4.jsonl"
has "$tmp/out" '^first divergence: event 3 \(A line 5, cycle 300\): A has 5 events, B only 2$' "hand: shorter side"
has "$tmp/out" '^  B +> \(no more events' "hand: B's end shown"
has "$tmp/out" '^  a\.count +4 +2 +-2 +-50\.0%$' "hand: count row"
has "$tmp/out" '^  b\.count +1 +0 +-1 +-100\.0%$' "hand: vanished event"
# A nested value (not a flat line) still reads and compares.
{ echo "$H"; printf '{"ev":"n","t":1,"x":{"y":[1,2]},"cycles":5}\n'; echo "$S"; } >"$tmp/n1.jsonl"
{ echo "$H"; printf '{"ev":"n","t":1,"x":{"y":[1,3]},"cycles":5}\n'; echo "$S"; } >"$tmp/n2.jsonl"
expect 0 "nested: same" -- "$MMSIM" diff "$tmp/n1.jsonl" "$tmp/n1.jsonl"
expect 1 "nested: differ" -- "$MMSIM" diff "$tmp/n1.jsonl" "$tmp/n2.jsonl"
expect 0 "nested: ignored" -- "$MMSIM" diff --ignore x "$tmp/n1.jsonl" "$tmp/n2.jsonl"

# ---- Bad inputs: each named by file and line, exit 2 ----
good="$tmp/h2.jsonl"
badcase() {  # badcase NAME PATTERN: $tmp/NAME.jsonl must be refused by both commands
	expect 2 "diff $1" -- "$MMSIM" diff "$good" "$tmp/$1.jsonl"
	has "$tmp/err" "^mmsim: diff: $tmp/$1.jsonl$2" "diff $1 message"
	expect 2 "diff $1 (as A)" -- "$MMSIM" diff "$tmp/$1.jsonl" "$good"
	expect 2 "report $1" -- "$MMSIM" report "$tmp/$1.jsonl"
	has "$tmp/err" "^mmsim: report: $tmp/$1.jsonl$2" "report $1 message"
}
expect 2 "diff missing file" -- "$MMSIM" diff "$good" "$tmp/none.jsonl"
has "$tmp/err" "^mmsim: diff: $tmp/none.jsonl: cannot open: No such file" "missing file message"
expect 2 "report missing file" -- "$MMSIM" report "$tmp/none.jsonl"
has "$tmp/err" "^mmsim: report: $tmp/none.jsonl: cannot open" "report missing file message"
{ echo "$H"; ev a 1 1 1; echo '{"ev":"a","t":2,'; echo "$S"; } >"$tmp/notjson.jsonl"
badcase notjson ':3: not JSON'
{ echo "$H"; ev a 1 1 1; echo 'garbage'; echo "$S"; } >"$tmp/garbage.jsonl"
badcase garbage ':3: not JSON'
{ ev a 1 1 1; echo "$S"; } >"$tmp/noheader.jsonl"
badcase noheader ':1: not an mmsim trace: the first line is not a header'
{ echo '{"type":"header","format":"other","version":1}'; echo "$S"; } >"$tmp/format.jsonl"
badcase format ':1: not an mmsim trace: the header.s format'
{ echo '{"type":"header","format":"mmsim-trace","version":9}'; echo "$S"; } >"$tmp/version.jsonl"
badcase version ':1: unknown trace format version 9'
{ echo "$H"; ev a 1 1 1; ev a 2 2 2; } >"$tmp/nosummary.jsonl"
badcase nosummary ':3: truncated: no summary line'
{ echo "$H"; ev a 1 1 1; printf '{"ev":"a","t":2,"cp'; } >"$tmp/cut.jsonl"
badcase cut ':3: truncated: the last line has no end'
{ echo "$H"; echo "$S"; ev a 1 1 1; } >"$tmp/after.jsonl"
badcase after ':3: a line after the summary'
{ echo "$H"; echo '{"x":1}'; echo "$S"; } >"$tmp/untyped.jsonl"
badcase untyped ':2: neither an event'
: >"$tmp/empty.jsonl"
badcase empty ': empty file'
# Usage mistakes.
expect 2 "diff one file" -- "$MMSIM" diff "$good"
has "$tmp/err" 'two traces needed' "diff one file message"
expect 2 "diff bad option" -- "$MMSIM" diff --frob "$good" "$good"
expect 2 "report no file" -- "$MMSIM" report
expect 0 "diff --help" -- "$MMSIM" diff --help
has "$tmp/out" '^exit status: 0 ' "diff --help documents the exit status"
expect 0 "report --help" -- "$MMSIM" report --help

# ---- Families: per-CPU rows summed (cpu*.NAME), --each lists them ----
expect 0 "smoke numa4 seed 1" -- "$MMSIM" run --machine x86_64-numa4 --iterations 200 -o "$tmp/s1.jsonl" --quiet
expect 0 "smoke numa4 seed 2" -- "$MMSIM" run --machine x86_64-numa4 --iterations 200 --seed 2 -o "$tmp/s2.jsonl" --quiet
expect 1 "diff --each" -- "$MMSIM" diff --each "$tmp/s1.jsonl" "$tmp/s2.jsonl"
cp "$tmp/out" "$tmp/each.out"
hasnt "$tmp/each.out" '^  cpu\*\.' "--each: no family rows"
# The family's A and B are the sums of its members' (from --all --each).
expect 1 "diff --all --each" -- "$MMSIM" diff --all --each "$tmp/s1.jsonl" "$tmp/s2.jsonl"
fam_want=$(awk '$1 ~ /^cpu[0-9]+\.l1d\.read_misses$/ { a += $2; b += $3; n++ }
	END { printf "%d %d %+d %d", a, b, b - a, n }' "$tmp/out")
members=$(awk '$1 ~ /^cpu[0-9]+\.l1d\.read_misses$/ { n++ } END { print n }' "$tmp/out")
eq "$members" 8 "--each: eight CPUs' read_misses"
expect 1 "diff (families)" -- "$MMSIM" diff --all "$tmp/s1.jsonl" "$tmp/s2.jsonl"
got=$(awk '$1 == "cpu*.l1d.read_misses" { printf "%d %d %+d %d", $2, $3, $4, $6 + 0; exit }' "$tmp/out")
eq "$got" "$fam_want" "families: cpu*.l1d.read_misses sums its 8 members"
hasnt "$tmp/out" '^  cpu[0-9]+\.l1d\.read_misses ' "families: members folded"
# The member named beside a family is the one that changed most.
top=$(awk '$1 ~ /^cpu[0-9]+\.mem\.c2c_local$/ { d = $3 - $2; if (d < 0) d = -d;
	if (d > best) { best = d; name = $1 } } END { print name }' "$tmp/each.out")
has "$tmp/out" "^  cpu\\*\\.mem\\.c2c_local .* 8: $top " "families: the largest member named"
# Statistics of histograms are never summed.
has "$tmp/out" '^  smoke\.shared_cycles\.p50 ' "families: percentiles stay apart"
lines_each=$(wc -l <"$tmp/each.out"); expect 1 "diff default" -- "$MMSIM" diff "$tmp/s1.jsonl" "$tmp/s2.jsonl"
lines_fam=$(wc -l <"$tmp/out")
if [ "$lines_fam" -lt "$lines_each" ]; then ok; else bad "families: $lines_fam lines, not fewer than --each's $lines_each"; fi

# ---- report ----
expect 0 "report" -- "$MMSIM" report "$tmp/off.jsonl"
has "$tmp/out" '^machine +x86_64-numa2 \(x86_64\): 2 nodes, 4 CPUs' "report: machine"
has "$tmp/out" '^policy .* pcp=off' "report: policy"
has "$tmp/out" '^  node1 Normal +1032191 +2047 +2558 +3070 ' "report: zone watermarks"
has "$tmp/out" '^  free pages over time' "report: free pages over time"
has "$tmp/out" '^kswapd +0 wake-ups' "report: kswapd"
# (node 0's DMA zone holds the boot data and the direct map's page tables,
# so its free lists are ragged; nothing in the quickstart allocates there.)
has "$tmp/out" '^  node0 DMA +2 +1 +2 +3 +1 +1 +1 +0 +1 +1 +3$' "report: final buddyinfo"
allocs=$(grep -c '"ev":"mm_page_alloc"' "$tmp/off.jsonl")
has "$tmp/out" "^  mm_page_alloc +$allocs " "report: cycles by event type"
has "$tmp/out" '^  ops\.touch_cycles ' "report: by operation"
has "$tmp/out" '^  L1d +4 ' "report: by hardware component"
has "$tmp/out" '^the 10 dearest events' "report: top costs"
# Memory pressure: crossings, kswapd and a failure.
cat >"$tmp/press.lua" <<'EOF'
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "pc-i386" }
m:boot{}
m:spawn{ cpu = 0, name = "hog", fn = function(t)
  t:free_bulk(t:alloc_bulk(40000, "GFP_KERNEL", 3), 3)
end }
m:run()
EOF
expect 0 "run pressure" -- "$MMSIM" run "$tmp/press.lua" --quiet --snapshot-every 10000 -o "$tmp/press.jsonl"
expect 0 "report pressure" -- "$MMSIM" report "$tmp/press.jsonl"
has "$tmp/out" '^  node0 Normal +cycle +[0-9]+ +above high -> below high' "pressure: a crossing"
has "$tmp/out" '^  node0 Normal +cycle +[0-9]+ +below high -> below low' "pressure: below low"
# Exact crossings: the report's lines are the trace's mm_zone_watermark
# events, at their cycles, and each event's free count is on the side of
# the marks its "to" says.
has "$tmp/out" 'watermark crossings \(every one, from mm_zone_watermark events' "pressure: exact crossings"
first=$(grep '"ev":"mm_zone_watermark"' "$tmp/press.jsonl" | head -n 1 | grep -o '"t":[0-9]*' | cut -d: -f2)
has "$tmp/out" "^  node0 Normal +cycle +$first +above high -> below high" "pressure: the first event's cycle"
bands=$(grep '"ev":"mm_zone_watermark"' "$tmp/press.jsonl" | awk -F'[:,]' '{
	for (i = 1; i < NF; i++) { k = $i; gsub(/"/, "", k); v = $(i + 1); gsub(/"/, "", v); f[k] = v }
	fr = f["free"] + 0; b = "above high"
	if (fr <= f["high"] + 0) b = "below high"
	if (fr <= f["low"] + 0) b = "below low"
	if (fr <= f["min"] + 0) b = "below min"
	if (b != f["to"]) bad++ } END { print bad + 0 }')
eq "$bands" 0 "pressure: each mm_zone_watermark's free is in its 'to' band"
expect 0 "run pressure, no watermark events" -- "$MMSIM" run "$tmp/press.lua" --quiet --snapshot-every 10000 \
	--events '-mm_zone_watermark' -o "$tmp/press2.jsonl"
expect 0 "report pressure, sampled" -- "$MMSIM" report "$tmp/press2.jsonl"
has "$tmp/out" 'watermark crossings \(sampled at snapshots' "pressure: sampled crossings without the events"
wakes=$(grep -c '"ev":"mm_vmscan_kswapd_wake"' "$tmp/press.jsonl")
has "$tmp/out" "^kswapd +$wakes wake-ups; node0: $wakes, first at cycle" "pressure: kswapd wake-ups"
has "$tmp/out" '^failures +1 allocation failed' "pressure: the failure"

# ---- export --perfetto: the structure Perfetto's JSON importer needs ----
# The rules are written down in docs/perfetto.md; check_perfetto checks
# them all (with python3's JSON parser; without python3, only the shape of
# the lines).
check_perfetto() {  # check_perfetto OUT.json TRACE.jsonl
	if ! command -v python3 >/dev/null 2>&1; then
		has "$1" '^\{"otherData":.*"traceEvents":\[$' "perfetto: opening"
		return
	fi
	if python3 - "$1" "$2" >"$tmp/pcheck" 2>&1 <<'PY'
import json, sys
out, trace = sys.argv[1], sys.argv[2]
doc = json.load(open(out))
assert isinstance(doc, dict) and isinstance(doc.get("traceEvents"), list), "no traceEvents array"
assert "displayTimeUnit" not in doc, "displayTimeUnit (read as the ts unit by some importers)"
evs = doc["traceEvents"]
named_p, named_t, slices = set(), set(), {}
counts = {}
for e in evs:
    ph = e.get("ph")
    assert ph in ("X", "i", "C", "M"), "phase %r" % ph
    counts[ph] = counts.get(ph, 0) + 1
    assert isinstance(e.get("pid"), int) and isinstance(e.get("tid"), int), "pid/tid ints: %r" % e
    assert isinstance(e.get("name"), str) and e["name"], "name: %r" % e
    if ph == "M":
        assert e["name"] in ("process_name", "thread_name", "process_sort_index"), e
        if e["name"] == "process_name":
            assert isinstance(e["args"]["name"], str); named_p.add(e["pid"])
        elif e["name"] == "thread_name":
            assert isinstance(e["args"]["name"], str); named_t.add((e["pid"], e["tid"]))
        else:
            assert isinstance(e["args"]["sort_index"], int)
        continue
    ts = e.get("ts")
    assert isinstance(ts, (int, float)) and ts >= 0, "ts: %r" % e
    ts = round(ts * 1000)   # microseconds to nanoseconds, as Perfetto does
    assert isinstance(e.get("args"), dict), "args: %r" % e
    if ph == "X":
        assert isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0, "dur: %r" % e
        slices.setdefault((e["pid"], e["tid"]), []).append((ts, ts + round(e["dur"] * 1000)))
    if ph == "i":
        assert e.get("s") in ("t", "p", "g"), "scope: %r" % e
    if ph == "C":
        assert e["args"] and all(isinstance(v, (int, float)) for v in e["args"].values()), e
for (pid, tid), ss in slices.items():
    assert pid in named_p, "process %d unnamed" % pid
    assert tid == 0 or (pid, tid) in named_t, "thread %d/%d unnamed" % (pid, tid)
    ss.sort(key=lambda s: (s[0], -s[1]))
    stack = []
    for b, en in ss:   # each slice nests in or follows the ones before
        while stack and stack[-1] <= b:
            stack.pop()
        assert not stack or en <= stack[-1], "slices cross on %d/%d at %r" % (pid, tid, b)
        stack.append(en)
lines = [json.loads(l) for l in open(trace)]
withc = sum(1 for l in lines if "ev" in l and "cycles" in l)
nocyc = sum(1 for l in lines if "ev" in l and "cycles" not in l)
snaps = sum(len(l["zones"]) for l in lines if l.get("type") == "snapshot")
assert counts.get("X", 0) == withc, "X %d, events with cycles %d" % (counts.get("X", 0), withc)
assert counts.get("i", 0) == nocyc, "i %d, events without %d" % (counts.get("i", 0), nocyc)
assert counts.get("C", 0) == snaps, "C %d, zones in snapshots %d" % (counts.get("C", 0), snaps)
print("ok", counts)
PY
	then ok; else bad "perfetto structure of $(basename "$1"): $(tail -n 1 "$tmp/pcheck")"; fi
}
expect 0 "export on" -- "$MMSIM" export --perfetto "$tmp/on.jsonl" -o "$tmp/on.pf.json"
eq "$(cat "$tmp/err")" "" "export: no warning"
check_perfetto "$tmp/on.pf.json" "$tmp/on.jsonl"
expect 0 "export off" -- "$MMSIM" export --perfetto "$tmp/off.jsonl" -o "$tmp/off.pf.json"
check_perfetto "$tmp/off.pf.json" "$tmp/off.jsonl"
has "$tmp/off.pf.json" '^\{"name":"Normal free pages","ph":"C","ts":[0-9.]+,"pid":1001,"tid":0,"args":\{"free":[0-9]+,"min":2047,"low":2558,"high":3070\}\}' "export: counter track"
has "$tmp/off.pf.json" '^\{"ph":"M","name":"thread_name","pid":1,"tid":1,"args":\{"name":"worker0"\}\}' "export: thread named after the task"
has "$tmp/off.pf.json" '^\{"ph":"M","name":"process_name","pid":3,"tid":0,"args":\{"name":"cpu 2 \(node 1\)"\}\}' "export: process per CPU"
expect 0 "export pressure" -- "$MMSIM" export --perfetto "$tmp/press.jsonl" -o "$tmp/press.pf.json"
check_perfetto "$tmp/press.pf.json" "$tmp/press.jsonl"
has "$tmp/press.pf.json" '^\{"name":"mm_page_alloc_fail","cat":"mmsim","ph":"i","s":"g",' "export: failure instant, global"
has "$tmp/press.pf.json" '^\{"name":"mm_vmscan_kswapd_wake","cat":"mmsim","ph":"i","s":"t",' "export: kswapd instant"
# An operation of 4000 cycles starting at cycle 6000 on a 2 GHz CPU: from
# 3 us for 2 us; the next one starts where it ends. Hand-made, with a
# nested value.
{
	echo '{"type":"header","format":"mmsim-trace","version":1,"machine":{"cpus":[{"node":0,"hz":2000000000}]}}'
	echo '{"ev":"op","t":6000,"cpu":0,"task":"a\"b","x":{"y":1},"cycles":4000}'
	echo '{"ev":"op","t":10000,"cpu":0,"task":"a\"b","cycles":1}'
	echo "$S"
} >"$tmp/ex.jsonl"
expect 0 "export hand" -- "$MMSIM" export --perfetto "$tmp/ex.jsonl" -o "$tmp/ex.pf.json"
has "$tmp/ex.pf.json" '^\{"name":"op","cat":"mmsim","ph":"X","ts":3\.000,"dur":2\.000,"pid":1,"tid":1,"args":\{"x":\{"y":1\},"cycles":4000\}\}' "export: times at the CPU clock, nested args"
has "$tmp/ex.pf.json" '"ts":5\.000,"dur":0\.000,' "export: back to back"
has "$tmp/ex.pf.json" '"thread_name","pid":1,"tid":1,"args":\{"name":"a\\"b"\}' "export: task name escaped"
check_perfetto "$tmp/ex.pf.json" "$tmp/ex.jsonl"
expect 2 "export bad input" -- "$MMSIM" export --perfetto "$tmp/nosummary.jsonl" -o "$tmp/bad.pf.json"
has "$tmp/err" "^mmsim: export: $tmp/nosummary.jsonl:3: truncated" "export: bad input message"
if [ -e "$tmp/bad.pf.json" ]; then bad "export left a file for a bad input"; else ok; fi
expect 2 "export no format" -- "$MMSIM" export "$tmp/on.jsonl" -o "$tmp/x.json"
expect 2 "export no -o" -- "$MMSIM" export --perfetto "$tmp/on.jsonl"
if [ -w /dev/full ]; then
	expect 2 "export full disk" -- "$MMSIM" export --perfetto "$tmp/on.jsonl" -o /dev/full
fi

# ---- plot: each kind renders; SVG well-formed, PNG of the asked size ----
# svg_ok FILE: parses as XML with an <svg> root (python3), or at least opens
# and closes the element.
svg_ok() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); sys.exit(0 if r.tag.endswith("svg") else 1)' "$1"
	else
		grep -q '<svg' "$1" && grep -q '</svg>' "$1"
	fi
}
# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk, after the signature.
png_size() {
	sig=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
	[ "$sig" = "89504e470d0a1a0a" ] || { echo "not a PNG"; return; }
	set -- $(od -An -tu1 -j16 -N8 "$1")
	echo "$(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 ))x$(( ($5 << 24) + ($6 << 16) + ($7 << 8) + $8 ))"
}
if command -v gnuplot >/dev/null 2>&1; then
	expect 0 "plot free (svg)" -- "$MMSIM" plot "$tmp/press.jsonl" -o "$tmp/free.svg"
	if svg_ok "$tmp/free.svg"; then ok; else bad "plot free: not a well-formed SVG"; fi
	has "$tmp/free.svg" 'Free pages per zone against the watermarks' "plot free: title"
	has "$tmp/free.svg" 'press.jsonl' "plot free: which run"
	has "$tmp/free.svg" 'simulated time \(ms\)' "plot free: x axis with its unit"
	has "$tmp/free.svg" 'free pages \(4 KiB each' "plot free: y axis with its unit"
	has "$tmp/free.svg" 'kswapd wake-up \(node 0\)' "plot free: kswapd wake-ups marked"
	has "$tmp/free.svg" '>node0 Normal<' "plot free: a panel per zone"
	expect 0 "plot free (png)" -- "$MMSIM" plot "$tmp/press.jsonl" -o "$tmp/free.png" --size 800x600
	eq "$(png_size "$tmp/free.png")" "800x600" "plot free: a PNG of the asked size"
	expect 0 "plot buddyinfo" -- "$MMSIM" plot --kind buddyinfo "$tmp/press.jsonl" -o "$tmp/buddy.svg"
	if svg_ok "$tmp/buddy.svg"; then ok; else bad "plot buddyinfo: not a well-formed SVG"; fi
	has "$tmp/buddy.svg" 'order \(block of 2\^order pages\)' "plot buddyinfo: y axis"
	has "$tmp/buddy.svg" 'log10\(1 \+ free blocks\)' "plot buddyinfo: colour scale"
	expect 0 "plot buddyinfo (png)" -- "$MMSIM" plot --kind buddyinfo "$tmp/press.jsonl" -o "$tmp/buddy.png"
	eq "$(png_size "$tmp/buddy.png")" "1000x1010" "plot buddyinfo: default size, 3 panels"
	expect 0 "plot cycles A B" -- "$MMSIM" plot --kind cycles "$tmp/on.jsonl" "$tmp/off.jsonl" \
		-o "$tmp/cycles.svg" --script "$tmp/plotdir"
	if svg_ok "$tmp/cycles.svg"; then ok; else bad "plot cycles: not a well-formed SVG"; fi
	has "$tmp/cycles.svg" 'pcp: on \(A\) / off \(B\)' "plot cycles: what differs between A and B"
	has "$tmp/cycles.svg" 'cycles per event \(log scale' "plot cycles: x axis"
	has "$tmp/cycles.svg" '>mm_page_free<' "plot cycles: a panel per event type"
	# The kept data: A's and B's counts add up to the events with cycles.
	frees=$(grep -c '"ev":"mm_page_free"' "$tmp/on.jsonl")
	eq "$(awk '!/^#/ { a += $3; b += $4 } END { print a, b }' "$tmp/plotdir/cycles-1.dat")" "$frees $frees" "plot cycles: data kept, counts add up"
	has "$tmp/plotdir/plot.gp" '^set output ' "plot --script: the script is kept"
	(cd "$tmp/plotdir" && gnuplot plot.gp) >/dev/null 2>&1 && ok || bad "plot --script: gnuplot plot.gp reruns"
	mkdir "$tmp/tmpd"
	expect 0 "plot cycles one trace (png)" -- env TMPDIR="$tmp/tmpd" "$MMSIM" plot --kind cycles "$tmp/on.jsonl" -o "$tmp/c1.png"
	eq "$(png_size "$tmp/c1.png")" "1000x710" "plot cycles: default size, 2 panels"
	eq "$(ls -A "$tmp/tmpd" | wc -l | tr -d ' ')" 0 "plot: its temporary directory removed"
	expect 2 "plot without snapshots" -- "$MMSIM" plot "$tmp/on.jsonl" -o "$tmp/x.svg"
	has "$tmp/err" 'has 1 snapshot line: .*--snapshot-every' "plot: needs snapshots"
	expect 2 "plot bad input" -- "$MMSIM" plot "$tmp/nosummary.jsonl" -o "$tmp/x.svg"
	has "$tmp/err" "^mmsim: plot: $tmp/nosummary.jsonl:3: truncated" "plot: bad input message"
	expect 2 "plot bad name" -- "$MMSIM" plot "$tmp/press.jsonl" -o "$tmp/x.pdf"
	expect 2 "plot two for free" -- "$MMSIM" plot "$tmp/on.jsonl" "$tmp/off.jsonl" -o "$tmp/x.svg"
	expect 2 "plot bad kind" -- "$MMSIM" plot --kind pie "$tmp/on.jsonl" -o "$tmp/x.svg"
else
	echo "cli_diff: no gnuplot (make deps installs gnuplot-nox), plot not tested"
fi

# ---- Memory stays flat: two million events in a fixed budget ----
# The big trace (~240 MB) against the small one: a reader that kept the
# trace would need hundreds of MB more; a streaming one needs the same.
if [ -x /usr/bin/time ]; then
	cat >"$tmp/big.lua" <<'EOF'
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "x86_64-numa2" }
m:boot{}
for cpu = 0, m:ncpus() - 1 do
  m:spawn{ cpu = cpu, name = "churn" .. cpu, fn = function(t)
    t:churn{ ops = 500000, live = 256, orders = {0, 0, 0, 1, 3} }
  end }
end
m:run()
EOF
	expect 0 "run big" -- "$MMSIM" run "$tmp/big.lua" --quiet --snapshot-every 1000000 -o "$tmp/big.jsonl"
	nev=$(grep -c '^{"ev"' "$tmp/big.jsonl")
	if [ "$nev" -ge 2000000 ]; then ok; else bad "big trace: $nev events, expected 2 million"; fi
	# ASan's quarantine keeps freed memory for a while; keep it small.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
	rss() { /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>&1; tail -n 1 "$tmp/rss"; }
	small_d=$(rss "$MMSIM" diff "$tmp/on.jsonl" "$tmp/on.jsonl")
	big_d=$(rss "$MMSIM" diff "$tmp/big.jsonl" "$tmp/big.jsonl")
	small_r=$(rss "$MMSIM" report "$tmp/on.jsonl")
	big_r=$(rss "$MMSIM" report "$tmp/big.jsonl")
	small_e=$(rss "$MMSIM" export --perfetto "$tmp/on.jsonl" -o /dev/null)
	big_e=$(rss "$MMSIM" export --perfetto "$tmp/big.jsonl" -o /dev/null)
	echo "peak RSS (KiB): diff small $small_d, big $big_d; report small $small_r, big $big_r;" \
	     "export small $small_e, big $big_e"
	budget=16384   # KiB over the small trace's peak
	if [ "$big_d" -le $((small_d + budget)) ]; then ok; else bad "diff: peak RSS $big_d KiB on the big trace, over $small_d + $budget"; fi
	if [ "$big_r" -le $((small_r + budget)) ]; then ok; else bad "report: peak RSS $big_r KiB on the big trace, over $small_r + $budget"; fi
	if [ "$big_e" -le $((small_e + budget)) ]; then ok; else bad "export: peak RSS $big_e KiB on the big trace, over $small_e + $budget"; fi
	expect 0 "diff big" -- "$MMSIM" diff "$tmp/big.jsonl" "$tmp/big.jsonl"
	has "$tmp/out" "^first divergence: none, the $nev events are the same" "big: all events read"
	rm -f "$tmp/big.jsonl"
else
	echo "cli_diff: no /usr/bin/time, memory budget not measured"
fi

summary
[ "$failed" -eq 0 ]
