#!/bin/sh
# End-to-end tests of what every subcommand owes its user (issue 16):
#   - never destroy what it did not create: an output path is replaced only
#     by a complete file (sim/ofile.h); a bad input, a kill or a failed
#     write leaves what was there; links stay links, devices and FIFOs stay;
#   - nothing silent: a failed write on standard output or to a trace is one
#     message and status 2, and a run stops at the first failed trace write;
#   - what is read is type-checked and bounded: a wrongly typed field, an
#     endless line, a host out of memory are one clear message each;
#   - plot draws degenerate data (all cycles 0, zones at 0);
#   - an import from another kernel than 6.1 warns; a failed --capture
#     in_use says why.
# Run from the top of the tree; $MMSIM is the binary under test.
MMSIM=${MMSIM:-./mmsim}
case $MMSIM in /*) ;; *) MMSIM=$(pwd)/$MMSIM ;; esac
. "$(dirname "$0")/lib.sh"

# One small trace to work with (and a copy with a bad line 5).
"$MMSIM" run scenarios/quickstart.lua --quiet --snapshot-every 20000 -o "$tmp/q.jsonl" >/dev/null
sed '5s/"t":[0-9]*/"t":"soon"/' "$tmp/q.jsonl" >"$tmp/soon.jsonl"

# nodot DIR DESCRIPTION: no temporary file (.NAME.XXXXXX) left in DIR.
nodot() { if ls -A "$1" | grep -q '^\.'; then bad "$2: a temporary file is left: $(ls -A "$1" | grep '^\.')"; else ok; fi; }

# ---- Never destroy what it did not create ----
d=$tmp/files
mkdir "$d"
echo "precious" >"$d/keep.json"
expect 2 "export, bad input, over a file" -- "$MMSIM" export --perfetto "$tmp/soon.jsonl" -o "$d/keep.json"
hasf "$tmp/err" "soon.jsonl:5: event task_start: field \"t\" is \"soon\", not a non-negative integer" "export: the bad line and field"
eq "$(cat "$d/keep.json")" "precious" "export, bad input: the existing file is kept"
echo "target" >"$d/target.json"
ln -s target.json "$d/link.json"
expect 2 "export, bad input, through a link" -- "$MMSIM" export --perfetto "$tmp/soon.jsonl" -o "$d/link.json"
if [ -L "$d/link.json" ]; then ok; else bad "export, bad input: the link was replaced"; fi
eq "$(cat "$d/target.json")" "target" "export, bad input: the link's target is untouched"
expect 2 "export, bad input, to /dev/null" -- "$MMSIM" export --perfetto "$tmp/soon.jsonl" -o /dev/null
if [ -c /dev/null ]; then ok; else bad "export: /dev/null is no longer a device"; fi
mkfifo "$d/fifo"
cat "$d/fifo" >"$tmp/fifo.out" &
reader=$!
expect 0 "export to a FIFO" -- "$MMSIM" export --perfetto "$tmp/q.jsonl" -o "$d/fifo"
wait $reader
if [ -p "$d/fifo" ]; then ok; else bad "export: the FIFO is no longer a FIFO"; fi
has "$tmp/fifo.out" '^\{"otherData"' "export: written through the FIFO"
chmod 640 "$d/keep.json"
expect 0 "export over a file" -- "$MMSIM" export --perfetto "$tmp/q.jsonl" -o "$d/keep.json"
has "$d/keep.json" '^\{"otherData"' "export: success replaces the file"
eq "$(stat -c %a "$d/keep.json")" "640" "export: the replaced file keeps its mode"
expect 0 "export through a link" -- "$MMSIM" export --perfetto "$tmp/q.jsonl" -o "$d/link.json"
if [ -L "$d/link.json" ]; then ok; else bad "export: the link was replaced by a file"; fi
has "$d/target.json" '^\{"otherData"' "export: success writes the link's target"
nodot "$d" "after the exports"

# A killed export leaves no half-written JSON under the final name: it
# reads a FIFO the test feeds a part of, is killed while waiting for the
# rest, and the old file is still there with no temporary file beside it.
echo "precious" >"$d/killed.json"
mkfifo "$d/in.fifo"
"$MMSIM" export --perfetto "$d/in.fifo" -o "$d/killed.json" 2>/dev/null &
pid=$!
exec 3>"$d/in.fifo"
head -n 200 "$tmp/q.jsonl" >&3
i=0
while [ $i -lt 600 ] && ! ls -A "$d" | grep -q '^\.killed'; do sleep 0.1; i=$((i + 1)); done
if ls -A "$d" | grep -q '^\.killed'; then ok; else bad "killed export: never opened its temporary file"; fi
kill -TERM $pid
wait $pid 2>/dev/null
exec 3>&-
eq "$(cat "$d/killed.json")" "precious" "killed export: the old file is kept"
nodot "$d" "killed export"
rm -f "$d/in.fifo"

# run -o: a usage error after the trace is opened leaves the old file; a
# run that fails writes its trace (status error); success replaces.
echo "precious" >"$d/t.jsonl"
expect 2 "run with a bad --events" -- "$MMSIM" run scenarios/quickstart.lua --events 'a[' -o "$d/t.jsonl"
eq "$(cat "$d/t.jsonl")" "precious" "run, usage error: the old trace file is kept"
expect 0 "run over a file" -- "$MMSIM" run scenarios/quickstart.lua --quiet -o "$d/t.jsonl"
has "$d/t.jsonl" '^\{"type":"summary","status":"ok"' "run: success replaces the file"
nodot "$d" "after the runs"

# plot: a bad input leaves the old picture; a good one replaces it; the
# --script directory gets the script and data, nothing else.
echo "old picture" >"$d/p.svg"
expect 2 "plot, bad input" -- "$MMSIM" plot "$tmp/soon.jsonl" -o "$d/p.svg"
eq "$(cat "$d/p.svg")" "old picture" "plot, bad input: the old picture is kept"
if command -v gnuplot >/dev/null 2>&1; then
	echo "mine" >"$d/picture.svg"
	expect 0 "plot" -- "$MMSIM" plot "$tmp/q.jsonl" -o "$d/p.svg" --script "$d"
	has "$d/p.svg" '<svg' "plot: success replaces the picture"
	eq "$(cat "$d/picture.svg")" "mine" "plot --script: files of the directory it does not write are left alone"
	if [ -f "$d/plot.gp" ] && [ -f "$d/free.dat" ]; then ok; else bad "plot --script: no plot.gp and free.dat"; fi
	nodot "$d" "after plot"
fi

# ---- Nothing silent ----
if [ -w /dev/full ]; then
	for cmd in "machine --machine x86_64 --show zoneinfo" "run scenarios/quickstart.lua" \
		   "report $tmp/q.jsonl" "diff $tmp/q.jsonl $tmp/q.jsonl" "diff --json $tmp/q.jsonl $tmp/q.jsonl" \
		   "export --perfetto $tmp/q.jsonl -o -" "run --iterations 100" "version" "help" "run --help"; do
		expect 2 "mmsim $cmd > /dev/full" -- sh -c "\"$MMSIM\" $cmd > /dev/full"
		eq "$(grep -c '^mmsim: ' "$tmp/err")" 1 "mmsim $cmd > /dev/full: one message"
		has "$tmp/err" 'cannot write standard output|write failed' "mmsim $cmd > /dev/full: says what failed"
	done
	# A trace that cannot be written stops the run at the first failed
	# write (the scenario's last line, printed after its m:run, never
	# comes), status 2, one message naming the file.
	expect 2 "run -o /dev/full" -- "$MMSIM" run scenarios/quickstart.lua -o /dev/full
	eq "$(cat "$tmp/err")" "mmsim: run: /dev/full: write failed: No space left on device" "run -o /dev/full: one message"
	hasnt "$tmp/out" 'Simulated' "run -o /dev/full: stopped at the first failed write"
	expect 2 "run -o - > /dev/full" -- sh -c "\"$MMSIM\" run scenarios/quickstart.lua --quiet -o - > /dev/full"
	eq "$(grep -c '^mmsim: ' "$tmp/err")" 1 "run -o - > /dev/full: one message"
fi

# ---- Read with care ----
expect 2 "report: a string t" -- "$MMSIM" report "$tmp/soon.jsonl"
eq "$(cat "$tmp/err")" "mmsim: report: $tmp/soon.jsonl:5: event task_start: field \"t\" is \"soon\", not a non-negative integer" "report: the line and the field"
sed '1s/"version":1/"version":"1"/' "$tmp/q.jsonl" >"$tmp/v.jsonl"
expect 2 "report: a string version" -- "$MMSIM" report "$tmp/v.jsonl"
hasf "$tmp/err" "v.jsonl:1: header: field \"version\" is \"1\", not a non-negative integer" "report: a wrongly typed version, not a missing one"
sed '1s/"min":\([0-9]*\)/"min":"\1"/' "$tmp/q.jsonl" >"$tmp/m.jsonl"
expect 2 "diff: a string zone min" -- "$MMSIM" diff "$tmp/q.jsonl" "$tmp/m.jsonl"
hasf "$tmp/err" "m.jsonl:1: header: field \"zones[0].min\" is \"" "diff: the zone field named"
sed '/"type":"snapshot"/s/"t":[0-9]*/"t":-5/' "$tmp/q.jsonl" >"$tmp/s.jsonl"
expect 2 "export: a negative snapshot t" -- "$MMSIM" export --perfetto "$tmp/s.jsonl" -o "$tmp/x.json"
hasf "$tmp/err" "snapshot: field \"t\" is -5, not a non-negative integer" "export: snapshot field"
sed '$s/"cycles":[0-9]*/"cycles":true/' "$tmp/q.jsonl" >"$tmp/c.jsonl"
expect 2 "report: a boolean summary cycles" -- "$MMSIM" report "$tmp/c.jsonl"
hasf "$tmp/err" "summary: field \"cycles\" is true, not a non-negative integer" "report: summary field"
sed '5s/"task":"[a-z0-9]*"/"task":7/' "$tmp/q.jsonl" >"$tmp/k.jsonl"
expect 2 "report: a numeric task" -- "$MMSIM" report "$tmp/k.jsonl"
hasf "$tmp/err" "field \"task\" is 7, not a string" "report: task field"

# Bounded: /dev/zero is not a trace, a machine or a /proc file, and each
# reader says so at once instead of filling the memory.
expect 2 "report /dev/zero" -- "$MMSIM" report /dev/zero
eq "$(cat "$tmp/err")" "mmsim: report: /dev/zero:1: a line longer than 16 MiB: not an mmsim trace" "report /dev/zero: message"
mkdir -p "$tmp/zero/proc"
ln -s /dev/zero "$tmp/zero/proc/zoneinfo"
expect 2 "machine --from a /dev/zero zoneinfo" -- "$MMSIM" machine --from "$tmp/zero" --show zoneinfo
hasf "$tmp/err" "zero/proc/zoneinfo:1: a NUL byte: not a /proc or /sys file" "import: /dev/zero refused"
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "x"; print "" }' >"$tmp/zero/proc/zoneinfo.long"
rm "$tmp/zero/proc/zoneinfo"
mv "$tmp/zero/proc/zoneinfo.long" "$tmp/zero/proc/zoneinfo"
expect 2 "machine --from a zoneinfo with a long line" -- "$MMSIM" machine --from "$tmp/zero" --show zoneinfo
hasf "$tmp/err" "zero/proc/zoneinfo:1: a line longer than 4096 bytes" "import: line cap"
ln -s /dev/zero "$tmp/zero.json"
expect 2 "machine --machine /dev/zero" -- "$MMSIM" machine --machine "$tmp/zero.json"
hasf "$tmp/err" "zero.json:1: a NUL byte: not a JSON text" "machine JSON: /dev/zero refused"

# Host out of memory (injected: the Nth allocation fails): one message,
# status 2, no "internal error" naming our sources.
for n in 1 5 40; do
	expect 2 "report, allocation $n fails" -- env MMSIM_FAIL_ALLOC=$n "$MMSIM" report "$tmp/q.jsonl"
	has "$tmp/err" '^mmsim: out of host memory \([0-9]+ bytes wanted\): ' "allocation $n: the message"
	hasnt "$tmp/err" 'internal error' "allocation $n: not an internal error"
done
echo "precious" >"$d/oom.json"
expect 2 "export, allocation 30 fails" -- env MMSIM_FAIL_ALLOC=30 "$MMSIM" export --perfetto "$tmp/q.jsonl" -o "$d/oom.json"
eq "$(cat "$d/oom.json")" "precious" "export out of memory: the old file is kept"
nodot "$d" "export out of memory"

# ---- plot on degenerate data ----
if command -v gnuplot >/dev/null 2>&1; then
	"$MMSIM" run scenarios/quickstart.lua --quiet -P hw=off --snapshot-every 20000 -o "$tmp/hwoff.jsonl" >/dev/null
	for kind in cycles free buddyinfo; do
		expect 0 "plot --kind $kind, hw=off" -- "$MMSIM" plot --kind $kind "$tmp/hwoff.jsonl" -o "$tmp/hwoff-$kind.svg"
	done
	has "$tmp/hwoff-cycles.svg" 'every event 0 cycles' "plot cycles, all 0: the panel says why"
	expect 0 "plot --kind cycles A B, one side all 0" -- "$MMSIM" plot --kind cycles "$tmp/q.jsonl" "$tmp/hwoff.jsonl" -o "$tmp/ab.svg"
	# A zone drained to 0 (the trace edited: the DMA zone's free count 0
	# in every snapshot) cannot have a log axis.
	sed '/"type":"snapshot"/s/"zone":"DMA","free":[0-9]*/"zone":"DMA","free":0/' "$tmp/q.jsonl" >"$tmp/drain.jsonl"
	expect 0 "plot free, a zone drained to 0" -- "$MMSIM" plot "$tmp/drain.jsonl" -o "$tmp/drain.svg"
	has "$tmp/drain.svg" '0 reached: linear' "plot free: a zone at 0 gets a linear axis"
fi

# ---- Imports from another kernel; --capture in_use ----
D=tests/data/linux-6.1/b_1g_2cpu/boot
cp -r "$D" "$tmp/v618"
echo "Linux version 6.18.2-arch1-1 (linux@archlinux) (gcc (GCC) 15.1.1) #1 SMP PREEMPT_DYNAMIC" >"$tmp/v618/proc/version"
expect 0 "import a 6.18 box" -- "$MMSIM" machine --from "$tmp/v618" --show zoneinfo
eq "$(grep -c . "$tmp/err")" 1 "6.18: one warning"
hasf "$tmp/err" "mmsim: machine: warning: $tmp/v618/proc/version: Linux 6.18.2-arch1-1, not 6.1: " "6.18: the version named"
hasf "$tmp/err" "zoneinfo's fields" "6.18: what may differ"
expect 0 "6.18 notes" -- "$MMSIM" machine --from "$tmp/v618" --show notes
hasf "$tmp/out" "proc/version: Linux 6.18.2-arch1-1, not 6.1" "6.18: in the notes"
echo "Linux version 6.1.20 (x)" >"$tmp/v618/proc/version"
expect 0 "import a 6.1 box with its version" -- "$MMSIM" machine --from "$tmp/v618" --show zoneinfo
eq "$(cat "$tmp/err")" "" "6.1: no warning"
cp -r "$D" "$tmp/cap"
awk '/zone +DMA$/ { z = 1 } /zone +DMA32/ { z = 0 } z && /pages free/ { sub(/free +[0-9]+/, "free     5") } { print }' \
	"$D/proc/zoneinfo" >"$tmp/cap/proc/zoneinfo"
expect 2 "--capture in_use beyond the reserve" -- "$MMSIM" machine --from "$tmp/cap" --capture in_use --show buddyinfo
hasf "$tmp/err" "node 0 DMA: only " "capture: the count"
hasf "$tmp/err" "the box's kernel made many of its allocations early in boot" "capture: the cause explained"

# ---- Everyday use ----
"$MMSIM" run scenarios/quickstart.lua --quiet -P pcp=off -o "$tmp/off.jsonl" >/dev/null
expect 0 "report --json" -- "$MMSIM" report --json "$tmp/q.jsonl"
if python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["path", "run", "machine", "policy", "zones", "crossings_from", "samples", "kswapd",
                   "failures", "events", "histograms", "hardware", "top"], list(d)
assert d["run"]["status"] == "ok" and d["run"]["cycles"] > 0
assert [z["name"] for z in d["zones"]] == ["node0 DMA", "node0 DMA32", "node0 Normal", "node1 Normal"]
assert {e["name"] for e in d["events"]} >= {"mm_page_alloc", "mm_page_free"}
assert d["hardware"]["caches"][0]["name"] == "L1d"
' "$tmp/out"; then ok; else bad "report --json: not the document docs/tools.md describes"; fi
expect 0 "report --csv" -- "$MMSIM" report --csv "$tmp/q.jsonl"
eq "$(head -n 1 "$tmp/out")" "section,row,field,value" "report --csv: the header row"
has "$tmp/out" '^zones,node0 Normal,min,[0-9]+$' "report --csv: a zone's watermark"
has "$tmp/out" '^events,mm_page_alloc,cycles\.p50,[0-9]+$' "report --csv: an event's percentile"
if python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert all(len(r) == 4 for r in rows)' "$tmp/out"; then ok; else bad "report --csv: not four fields on every row"; fi
expect 2 "report --json --csv" -- "$MMSIM" report --json --csv "$tmp/q.jsonl"
expect 1 "diff --csv" -- "$MMSIM" diff --csv "$tmp/q.jsonl" "$tmp/off.jsonl"
eq "$(head -n 1 "$tmp/out")" "part,name,a,b,delta,rel" "diff --csv: the header row"
eq "$(sed -n 2p "$tmp/out" | cut -d, -f1-2)" "headline,cycles" "diff --csv: the headline first"
has "$tmp/out" '^setup,policy.pcp,on,off,,$' "diff --csv: the setup"
has "$tmp/out" '^divergence,event,[0-9]+,[0-9]+,,$' "diff --csv: the divergence"
expect 1 "diff text" -- "$MMSIM" diff "$tmp/q.jsonl" "$tmp/off.jsonl"
eq "$(sed -n 4,6p "$tmp/out" | tr -s ' ' | cut -d' ' -f1-2 | tr '\n' ' ')" "headline  name  cycles " "diff: the headline table comes first"
has "$tmp/out" '^  ops\.alloc_cycles\.p99 ' "diff: allocation p99 in the headline"
has "$tmp/out" '^  ops\.free_cycles\.p50 ' "diff: free p50 in the headline"
has "$tmp/out" '^  ops\.alloc_failed ' "diff: failures in the headline"
expect 1 "diff --json" -- "$MMSIM" diff --json "$tmp/q.jsonl" "$tmp/off.jsonl"
if python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["headline"][0]["name"] == "cycles"' "$tmp/out"; then ok; else bad "diff --json: no headline"; fi
"$MMSIM" run scenarios/quickstart.lua --quiet --era modern -o "$tmp/mod.jsonl" >/dev/null
expect 1 "diff across eras" -- "$MMSIM" diff "$tmp/q.jsonl" "$tmp/mod.jsonl"
has "$tmp/out" '^  zones\.node0\.DMA32\.min ' "diff: setup keys name the zone"
has "$tmp/out" '^  zones\.node1\.Normal\.pcp\.hot\.high ' "diff: and the per-CPU list"
"$MMSIM" run --quiet --iterations 50 -o "$tmp/s1.jsonl"
"$MMSIM" run --quiet --iterations 50 --machine x86_64-numa4 -o "$tmp/s4.jsonl"
expect 1 "diff of two machines" -- "$MMSIM" diff "$tmp/s1.jsonl" "$tmp/s4.jsonl"
has "$tmp/out" '^  machine\.cpu[0-9]+\.node ' "diff: setup keys name the CPU"

# run --help lists every knob -P knows (the list the unknown-knob error
# gives), each with a description.
expect 2 "an unknown knob" -- "$MMSIM" run scenarios/quickstart.lua -P zz=1
knobs=$(sed -n 's/.*(known: \(.*\))$/\1/p' "$tmp/err" | tr -d ',')
expect 0 "run --help" -- "$MMSIM" run --help
n=0
for k in $knobs; do
	n=$((n + 1))
	has "$tmp/out" "^  $k\$" "run --help lists knob $k"
done
if [ "$n" -ge 14 ]; then ok; else bad "run --help: only $n knobs found in the error message"; fi
hasnt "$tmp/out" 'no description' "run --help: every knob described"
for c in run cache diff report export plot machine; do
	expect 0 "help $c" -- "$MMSIM" help $c
	has "$tmp/out" "^usage: mmsim $c" "help $c is $c --help"
done
expect 2 "help nothing" -- "$MMSIM" help nothing

# The manual page renders without a warning, and make install puts it and
# the command under DESTDIR/PREFIX.
if command -v groff >/dev/null 2>&1; then
	expect 0 "man page" -- groff -man -Tutf8 -ww -z docs/mmsim.1
	eq "$(cat "$tmp/err")" "" "man page: no groff warning"
fi
expect 0 "make install" -- ${MAKE:-make} -s install DESTDIR="$tmp/inst" PREFIX=/opt/mmsim
if [ -x "$tmp/inst/opt/mmsim/bin/mmsim" ] && [ -f "$tmp/inst/opt/mmsim/share/man/man1/mmsim.1" ]; then ok; else bad "make install: files missing"; fi
expect 0 "make uninstall" -- ${MAKE:-make} -s uninstall DESTDIR="$tmp/inst" PREFIX=/opt/mmsim
eq "$(find "$tmp/inst" -type f | wc -l | tr -d ' ')" 0 "make uninstall: files removed"

summary
[ "$failed" -eq 0 ]
