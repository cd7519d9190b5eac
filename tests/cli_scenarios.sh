#!/bin/sh
# End-to-end tests of Lua scenarios through `mmsim run`: the test scenarios
# in tests/scenarios/ (which assert real figures themselves), determinism,
# the trace's shape, failures and misuse with the scenario's line, -P over
# the boot table, snapshots, the labs. Run from the top of the tree.
# $MMSIM is the binary under test (default ./mmsim); $MMSIM_TESTS the unit
# test runner of the same build, whose jsonl suite checks that every line of
# a trace is JSON (default: next to $MMSIM, as the Makefile lays them out).
# Ends with "N passed, N failed" like the unit tests.
MMSIM=${MMSIM:-./mmsim}
case $MMSIM in /*) ;; *) MMSIM=$(pwd)/$MMSIM ;; esac
MMSIM_TESTS=${MMSIM_TESTS:-$(dirname "$MMSIM")/tests/run_tests}
. "$(dirname "$0")/lib.sh"

# hasf FILE STRING DESCRIPTION: the same for a fixed string.

S=tests/scenarios
E=tests/scenarios/errors
run() { "$MMSIM" run "$@"; }

# Every test scenario passes its own assertions, and says so.
for f in $S/*.lua; do
	name=$(basename "$f" .lua)
	expect 0 "scenario $name" -- run "$f" --quiet -o "$tmp/$name.jsonl"
done
expect 0 "boot_views says ok" -- run $S/boot_views.lua --quiet
eq "$(cat "$tmp/out")" "boot_views: ok" "boot_views prints only its verdict with --quiet"

# DMA with the bounce knob off: the ISA transfer beyond 16 MiB is refused.
expect 0 "dma with dma_bounce=off" -- run $S/dma.lua -P dma_bounce=off
hasf "$tmp/out" "dma: ok (bounce off," "dma: -P dma_bounce=off reaches the scenario"

# Every function docs/scenarios.md documents is called by a test scenario.
for fn in machine seed gfp boot spawn run now ncpus nnodes cpu_node stats \
	proc zones vmstat snapshot check nr_free_pages min_free_kbytes pageblock_order policy \
	alloc_pages alloc_pages_node free_pages touch think sleep drain alloc_bulk \
	free_bulk churn cpu node name waitqueue wait wake waiting freelists \
	kmem_cache_create kmem_cache_alloc kmem_cache_free kmem_cache_shrink \
	kmem_cache_destroy kmalloc kfree ksize kmem_touch info avail vmalloc vfree vtouch sysctl \
	kmap kunmap kmap_atomic kunmap_atomic device dma mmap munmap utouch uwalk mm get_user_pages put_page share_mm; do
	if grep -Eq "[:.]$fn[({,]" $S/*.lua; then ok; else bad "no test scenario calls $fn"; fi
	if grep -Eq "^### .*[:.]$fn[({]" docs/scenarios.md; then ok; else bad "docs/scenarios.md has no heading for $fn"; fi
done

# The trace: header first (with the scenario, seed and policy), summary
# last with status ok, a final snapshot before it.
t=$tmp/bulk.jsonl
has "$t" '^\{"type":"header","format":"mmsim-trace","version":1,' "header first"
eq "$(head -n 1 "$t" | grep -c '"scenario":"tests/scenarios/bulk.lua","seed":1,"era":"classic","policy":{"era":"classic","pcp":"on"')" 1 "header: scenario, seed, era, policy"
eq "$(head -n 1 "$t" | grep -c '"machine":{"name":"pc-i386"')" 1 "header: machine"
eq "$(tail -n 1 "$t" | grep -c '^{"type":"summary","status":"ok"')" 1 "summary last, status ok"
eq "$(tail -n 2 "$t" | head -n 1 | grep -c '^{"type":"snapshot","t":')" 1 "a snapshot just before the summary"
eq "$(grep -c '"ev":"mm_page_alloc",' "$t")" "$(tail -n 1 "$t" | sed 's/.*"ops.alloc":\([0-9]*\).*/\1/')" "one mm_page_alloc line per allocation"

# Determinism: a math.random workload, same seed byte-identical; another
# seed gives other events (compared without the header, which names the seed).
expect 0 "determinism seed 5" -- run $S/determinism.lua --seed 5 -o "$tmp/d5a.jsonl"
expect 0 "determinism seed 5 again" -- run $S/determinism.lua --seed 5 -o "$tmp/d5b.jsonl"
if cmp -s "$tmp/d5a.jsonl" "$tmp/d5b.jsonl"; then ok; else bad "same seed gives a different trace"; fi
expect 0 "usermap with highpte=on" -- run $S/usermap.lua -P highpte=on --quiet
expect 0 "usermap in the modern era" -- run $S/usermap.lua --era modern --quiet
expect 0 "usermap again" -- run $S/usermap.lua --quiet -o "$tmp/usermap2.jsonl"
if cmp -s "$tmp/usermap.jsonl" "$tmp/usermap2.jsonl"; then ok; else bad "usermap: two runs, two traces"; fi
hasf "$tmp/usermap.jsonl" '"ev":"page_fault"' "usermap: page_fault events in the trace"
hasf "$tmp/usermap.jsonl" '"zone":"HighMem"' "usermap: faults name the HighMem zone"
hasf "$tmp/usermap.jsonl" '"ev":"munmap"' "usermap: munmap events"
hasf "$tmp/usermap.jsonl" '"ev":"exit_mmap"' "usermap: exit_mmap events"
expect 0 "usermap, with the summary" -- run $S/usermap.lua
faults=$(grep -c '"ev":"page_fault"' "$tmp/usermap.jsonl")
has "$tmp/out" ", $faults page faults\$" "usermap: the run's summary counts the page faults"
expect 0 "determinism seed 6" -- run $S/determinism.lua --seed 6 -o "$tmp/d6.jsonl"
tail -n +2 "$tmp/d5a.jsonl" >"$tmp/d5.body"
tail -n +2 "$tmp/d6.jsonl" >"$tmp/d6.body"
if cmp -s "$tmp/d5.body" "$tmp/d6.body"; then bad "another seed gives the same events"; else ok; fi
eq "$(head -n 1 "$tmp/d6.jsonl" | grep -c '"seed":6')" 1 "header records the seed"

# -P wins over the scenario's boot table: in what the scenario reads and in
# the header. --era is -P era=.
expect 0 "policy without -P" -- run $S/policy.lua -o "$tmp/p0.jsonl"
hasf "$tmp/out" "pcp=on min_free_kbytes=2048 (2048) hw=on" "the boot table's knobs"
expect 0 "policy with -P" -- run $S/policy.lua -P pcp=off -Pmin_free_kbytes=4096 --era classic -o "$tmp/p1.jsonl"
hasf "$tmp/out" "pcp=off min_free_kbytes=4096 (4096) hw=on" "-P over the boot table"
eq "$(head -n 1 "$tmp/p1.jsonl" | grep -c '"policy":{"era":"classic","pcp":"off","min_free_kbytes":"4096",')" 1 "header: the policy in effect"
expect 2 "unknown -P knob" -- run $S/policy.lua -P colour=blue
hasf "$tmp/err" "mmsim: run: -P colour=blue: policy: unknown knob 'colour' (known: era, pcp, min_free_kbytes, lowmem_reserve_ratio, zonelist_order, max_order, hw, check, slab_colour, watermark_scale_factor, percpu_pagelist_high_fraction, thp, dma_bounce, highpte)" "unknown knob lists the knobs"
expect 2 "bad -P value" -- run $S/policy.lua -P pcp=maybe
hasf "$tmp/err" "policy pcp: bad value 'maybe' (accepted: on or off)" "bad -P value message"
expect 2 "-P without =" -- run $S/policy.lua -P pcp
expect 2 "--machine is for the built-in simulation" -- run $S/policy.lua --machine x86_64

# -o -: the trace alone on stdout; print() goes to stderr.
expect 0 "trace on stdout" -- run $S/policy.lua -o -
has "$tmp/out" '^\{"type":"header"' "stdout starts with the header"
eq "$(grep -c 'pcp=' "$tmp/out")" 0 "print() is not on stdout"
hasf "$tmp/err" "pcp=on min_free_kbytes=2048" "print() goes to stderr"

# --snapshot-every: snapshot lines in time order, and one at the end.
expect 0 "snapshots" -- run $S/determinism.lua --snapshot-every 20000 -o "$tmp/snap.jsonl"
n=$(grep -c '^{"type":"snapshot"' "$tmp/snap.jsonl")
if [ "$n" -ge 5 ]; then ok; else bad "--snapshot-every 20000: $n snapshot lines, expected at least 5"; fi
eq "$(grep '^{"type":"snapshot"' "$tmp/snap.jsonl" | head -n 1 | grep -c '"t":20000,')" 1 "the first snapshot at cycle 20000"
eq "$(grep -c '^{"type":"snapshot"' "$tmp/d5a.jsonl")" 1 "without it, only the final snapshot"

# --events keeps only the named events.
expect 0 "event filter" -- run $S/determinism.lua --events mm_page_free -o "$tmp/ev.jsonl"
eq "$(grep -c '"ev":' "$tmp/ev.jsonl")" "$(grep -c '"ev":"mm_page_free"' "$tmp/ev.jsonl")" "only mm_page_free events"

# Failures: exit 1, "mmsim: FILE:LINE: message" and a traceback on stderr,
# and the trace ends with a summary recording the error. LINE is the line
# marked "-- ERROR" in the scenario.
fails() {
	name=$1; msg=$2; shift 2
	f=$E/$name.lua
	line=$(grep -n -- '-- ERROR' "$f" | cut -d: -f1)
	expect 1 "$name exits 1" -- run "$f" -o "$tmp/e-$name.jsonl" "$@"
	hasf "$tmp/err" "mmsim: $f:$line: $msg" "$name: message with file:line"
	eq "$(tail -n 1 "$tmp/e-$name.jsonl" | grep -cF "{\"type\":\"summary\",\"status\":\"error\",\"error\":\"$f:$line: $msg")" 1 "$name: trace ends with the failed summary"
}
fails lua_error "something went wrong"
hasf "$tmp/err" "stack traceback:" "a task's error comes with its traceback"
hasf "$tmp/err" "(in task 'failing' on cpu 0 at cycle 10)" "and names the task, CPU and cycle"
fails assert_fail "the clock moved"
fails caught_task_error "caught but fatal"
fails double_free "free_pages: pfn 8193 is not a block this scenario allocated (or it was freed already)"
fails wrong_order "free_pages: pfn 8196 was allocated with order 2, freed with order 1"
fails touch_unowned "touch: pfn 8194 is not a block this scenario allocated (or it was freed)"
fails utouch_segv "utouch: segmentation fault: no mapping at 0xb8000000"
fails munmap_unmapped "munmap: [0xb7ffe000, 0xb8001000) is not mapped (nothing is mapped at 0xb8000000)"
fails bad_gfp "alloc_pages: gfp: unknown flag 'GFP_KERNAL' (known: GFP_HIGHUSER, GFP_KERNEL,"
fails bad_capture "machine: capture: 'free' is not part of a capture (accepted: in_use, wmarks, protection, all, comma-separated)"
fails capture_classic "boot: capture: the capture's state is 6.1's: boot the modern era"
fails outside_task "alloc_pages: only task 'task0' itself can call this (call it inside the task's function)"
fails bad_knob_value "boot: policy pcp: bad value 'maybe' (accepted: on or off)"
fails unknown_knob "boot: policy: unknown knob 'colour' (known: era, pcp,"
fails slab_double_free "kmem_cache_free: 0xffff81000200b4d8: double free (the object of cache twice is free)"
fails slab_wrong_cache "kmem_cache_free: 0xffff81000200c4d8 belongs to cache a, not b"
fails slab_destroy_live "kmem_cache_destroy: Can't free all objects of busy (1 live)"
fails runaway "the scenario ran more than 100000 Lua instructions (a runaway loop? raise the limit with --max-instructions)" --max-instructions 100000

# A syntax error: exit 1, the file and line, and still a complete trace.
printf 'local mmsim = require "mmsim"\nlocal x = = 1\n' >"$tmp/syntax.lua"
expect 1 "syntax error" -- run "$tmp/syntax.lua" -o "$tmp/syntax.jsonl"
hasf "$tmp/err" "syntax.lua:2:" "syntax error names the line"
eq "$(tail -n 1 "$tmp/syntax.jsonl" | grep -c '^{"type":"summary","status":"error"')" 1 "syntax error: failed summary"
expect 2 "missing scenario" -- run "$tmp/none.lua"

# --max-cycles stops a task that never ends; the run did not finish, so it
# fails, and the summary says why it stopped.
printf 'local m = require("mmsim").machine("pc-i386")\nm:boot{}\nm:spawn{fn = function(t) while true do t:think(100) end end}\n' >"$tmp/forever.lua"
expect 1 "--max-cycles" -- run "$tmp/forever.lua" --max-cycles 100000 -o "$tmp/forever.jsonl"
has "$tmp/err" 'stopped at --max-cycles 100000 before it finished' "--max-cycles message"
eq "$(tail -n 1 "$tmp/forever.jsonl" | grep -c '"status":"error","error":"[^"]*forever.lua: (the run at the end of the scenario) run: the simulation was stopped at --max-cycles 100000 before it finished","cycles":100000,"stop":"max_cycles"')" 1 "summary: failed at max_cycles"

# Every line of these traces is one JSON object, header first, summary last
# (the jsonl suite of the unit test runner; python3 if there is no runner).
traces="$tmp/bulk.jsonl $tmp/tasks.jsonl $tmp/d5a.jsonl $tmp/p1.jsonl $tmp/snap.jsonl $tmp/e-lua_error.jsonl $tmp/e-bad_gfp.jsonl $tmp/syntax.jsonl $tmp/forever.jsonl"
if [ -x "$MMSIM_TESTS" ]; then
	expect 0 "traces are JSON Lines" -- env CK_RUN_SUITE=jsonl MMSIM_JSONL="$traces" "$MMSIM_TESTS"
	[ "$got" -eq 0 ] || cat "$tmp/out"
	hasf "$tmp/out" "3 passed, 0 failed" "the jsonl suite checked the files"
	printf '{"type":"header","format":"mmsim-trace","version":1}\n{"ev":\n' >"$tmp/broken.jsonl"
	expect 1 "a broken trace is refused" -- env CK_RUN_SUITE=jsonl MMSIM_JSONL="$tmp/broken.jsonl" "$MMSIM_TESTS"
elif command -v python3 >/dev/null 2>&1; then
	expect 0 "traces are JSON Lines (python3)" -- python3 -c '
import json, sys
for p in sys.argv[1:]:
    with open(p) as f:
        rows = [json.loads(l) for l in f]
    assert rows[0]["type"] == "header" and rows[-1]["type"] == "summary", p
' $traces
else
	echo "note: no unit test runner at $MMSIM_TESTS and no python3: JSON validity not checked"
fi

# The labs and the quickstart run, each well under a second, and say what
# their READMEs say they do. Each runs once here; the checks below read its
# saved output (lab NAME puts it back in $tmp/out), and tests/cli_docs.sh
# compares the READMEs' sessions with the same runs.
for f in scenarios/quickstart.lua scenarios/labs/*/*.lua; do
	expect 0 "$f runs" -- run "$f"
	cp "$tmp/out" "$tmp/lab-$(basename "$f" .lua).out"
done
lab() { cp "$tmp/lab-$1.out" "$tmp/out"; ok; }
lab buddy   # buddy lab
has "$tmp/out" '^A = 1 page \(order 0\) +at pfn 228352 +1 +1 +1 +1 +1 +1 +1 +1 +1 +1 +214$' "buddy lab: one page splits an order-10 block"
has "$tmp/out" '^free E: merges all the way up to order 10 +0 +0 +0 +0 +0 +0 +0 +0 +0 +0 +215$' "buddy lab: merging back to order 10"
lab pcp   # pcp lab
has "$tmp/out" 'per-CPU list refills +12$' "pcp lab: 12 refills with the lists on"
expect 0 "pcp lab with the lists off" -- run scenarios/labs/pcp/pcp.lua -P pcp=off --quiet
has "$tmp/out" 'Per-CPU page lists: OFF' "pcp lab: -P pcp=off reaches the scenario"
has "$tmp/out" 'zone lock acquisitions +19200 +\(2000.0 per 1000 allocations\)' "pcp lab: two lock round trips per page without the lists"
lab fragmentation   # fragmentation lab, classic
has "$tmp/out" '^movable pages freed: [0-4] free pageblocks$' "fragmentation lab: classic leaves almost no free pageblock"
expect 0 "fragmentation lab, modern" -- run scenarios/labs/fragmentation/fragmentation.lua --era modern --quiet
has "$tmp/out" '^movable pages freed: (8[0-9]|9[0-9]) free pageblocks$' "fragmentation lab: modern frees most pageblocks whole"
has "$tmp/out" '^Node 0, zone    DMA32 +3[0-4] +' "fragmentation lab: ~31 unmovable pageblocks"
expect 0 "fragmentation lab traced" -- run scenarios/labs/fragmentation/fragmentation.lua --era modern --quiet -o "$tmp/frag.jsonl" --events mm_page_alloc_extfrag
hasf "$tmp/frag.jsonl" '"alloc_order":0,"fallback_order":10,"pageblock_order":9,"alloc_migratetype":0,"fallback_migratetype":1,"fragmenting":false,"change_ownership":true}' "extfrag: 6.1's fields"
# A 2-level i386 (tests/scenarios/pageblock_i386.lua): its one steal takes a
# whole order-10 block, which is one pageblock there.
expect 0 "pageblock_i386 traced" -- run $S/pageblock_i386.lua --quiet -o "$tmp/pb.jsonl" --events mm_page_alloc_extfrag
eq "$(grep -c '"ev":"mm_page_alloc_extfrag"' "$tmp/pb.jsonl")" 1 "pageblock_i386: one steal"
hasf "$tmp/pb.jsonl" '"pfn":4096,"alloc_order":0,"fallback_order":10,"pageblock_order":10,"alloc_migratetype":0,"fallback_migratetype":1,"fragmenting":false,"change_ownership":true}' "extfrag on a 2-level i386: pageblock_order 10"
# k:pageblock_order(): the booted machine's, nil in the classic era.
for spec in "x86_64 modern 9" "x86_64 classic nil" "pc-i386 modern 10" "pc-i386-pae modern 9" "pc-i386 classic nil"; do
	preset=${spec%% *}; rest=${spec#* }; era=${rest%% *}; pbo=${rest#* }
	printf 'local k = require("mmsim").machine{ preset = "%s" }:boot{ era = "%s" }\nprint(tostring(k:pageblock_order()))\n' "$preset" "$era" >"$tmp/pbo.lua"
	expect 0 "pageblock_order on $preset, $era" -- run "$tmp/pbo.lua" --quiet
	eq "$(cat "$tmp/out")" "$pbo" "k:pageblock_order() on $preset, $era"
done
lab numa   # numa lab
eq "$(grep -cE '^  [0-3]( \*)? +(10|16|21|22|31) ' "$tmp/out")" 8 "numa lab: a row per node for each of the two CPUs"
# The fill lab against the real 6.1 boxes' after_fill/proc/zoneinfo
# (tests/fill_compare.awk says what is compared and why): the zones used,
# in zonelist order, where each stopped, what was left.
D61=tests/data/linux-6.1
for mach in b_1g_2cpu d_numa2; do
	d=$D61/$mach
	if [ "$mach" = d_numa2 ]; then
		lab fill   # the lab's own machine: the run above
	else
		expect 0 "fill lab on $mach" -- env FILL_DIR="$d" "$MMSIM" run scenarios/labs/fill/fill.lua --quiet
	fi
	sed -n '/^Node /,$p' "$tmp/out" >"$tmp/fill_sim"
	grep -E '^  node [0-9]+ +[A-Za-z0-9]+ +pages ' "$tmp/out" | sed 's/\.\./ .. /' >"$tmp/fill_order"
	# The filling CPU's node, and its zonelist for GFP_HIGHUSER_MOVABLE: the
	# general list of its highest zone, as the real dmesg printed it.
	cpu=$(sed -n 's/.*cpu=\([0-9]*\).*/\1/p' "$d/workload/fill-plan")
	pages=$(( $(sed -n 's/.*fill_MiB=\([0-9]*\).*/\1/p' "$d/workload/fill-plan") * 256 ))
	node=0
	for f in "$d"/boot/sys/devices/system/node/node*/cpulist; do
		n=${f%/cpulist}; n=${n##*node}
		if awk -v c="$cpu" -F, '{ for (i = 1; i <= NF; i++) { split($i, r, "-"); if (r[2] == "") r[2] = r[1]; if (c >= r[1] && c <= r[2]) f = 1 } } END { exit !f }' "$f"; then node=$n; fi
	done
	grep "mminit::zonelist general $node:" "$d/boot/dmesg-zonelists" | tail -1 |
		sed 's/.*= //' | tr ' ' '\n' | grep : | tr ':' ' ' >"$tmp/fill_zl"
	if awk -v fill_pages="$pages" -f tests/fill_compare.awk "$tmp/fill_zl" "$d/boot/proc/zoneinfo" \
		"$d/after_fill/proc/zoneinfo" "$tmp/fill_sim" "$tmp/fill_order" >"$tmp/fill_cmp"; then
		ok
	else
		bad "fill lab on $mach against after_fill/proc/zoneinfo:"
		grep FAIL "$tmp/fill_cmp"
	fi
	eq "$(grep -c '^ok ' "$tmp/fill_cmp")" "$(grep -c . "$tmp/fill_cmp")" "fill lab on $mach: every comparison made"
done

# Slab trace events carry the kernel's fields plus cycles, and only they do.
t=$tmp/slab.jsonl
has "$t" '^\{"ev":"kmem_cache_alloc","t":[0-9]+,"cpu":0,"task":"slab","call_site":"0x[0-9a-f]+","ptr":"0xffff81[0-9a-f]+","bytes_req":256,"bytes_alloc":256,"gfp_flags":"GFP_KERNEL","cycles":[0-9]+\}$' "kmem_cache_alloc event"
has "$t" '^\{"ev":"kmalloc",.*"bytes_req":100,"bytes_alloc":128,"gfp_flags":"GFP_KERNEL","cycles":[0-9]+\}$' "kmalloc event"
has "$t" '^\{"ev":"kfree",.*"call_site":"0x0","ptr":"0x[0-9a-f]+","cycles":[0-9]+\}$' "kfree event"
has "$t" '^\{"ev":"kmem_cache_free",' "kmem_cache_free event"
eq "$(grep -c '"call_site"' "$t")" "$(grep -cE '"ev":"(kmalloc|kfree|kmem_cache_alloc|kmem_cache_free)"' "$t")" "only slab events carry call_site"

lab colour   # slab colouring lab
has "$tmp/out" 'fall in 50 of the L1' "slab lab: colouring spreads the first fields over 50 sets"
has "$tmp/out" 'L1d read misses +249 ' "slab lab: 249 L1 misses with colouring"
expect 0 "slab colouring lab, colouring off" -- run scenarios/labs/slab/colour.lua -P slab_colour=off --quiet
has "$tmp/out" 'fall in 2 of the L1' "slab lab: without colouring 2 sets"
has "$tmp/out" 'L1d read misses +5119 +\(100% of visits\)' "slab lab: every visit misses L1 without colouring"
lab vmalloc   # vmalloc lab
has "$tmp/out" '^  vmalloc .* 2560$' "vmalloc lab: every read of a vmalloc buffer misses the TLB"
has "$tmp/out" '^  kmalloc .* 0$' "vmalloc lab: none for kmalloc"
hasf "$tmp/out" "kmalloc(131072): failed (no 32 contiguous frames)" "vmalloc lab: kmalloc fails on fragmented memory"
hasf "$tmp/out" "vmalloc(131072): succeeded" "vmalloc lab: vmalloc does not"

lab highmem   # highmem lab
has "$tmp/out" '^  waits for a free pkmap slot +1 +0$' "highmem lab: the streamer waits with kmap, never with kmap_atomic"
has "$tmp/out" '^  single-entry invalidations +0 +1600$' "highmem lab: one invlpg per kmap_atomic"
lab dma   # dma lab
has "$tmp/out" '^  driver GFP_DMA allocations that failed +0$' "dma lab: lowmem_reserve keeps room for GFP_DMA"
hasf "$tmp/out" "bounced, " "dma lab: the ISA transfer beyond 16 MiB is bounced"
has "$tmp/out" '^  writers that waited for someone.s completion +18$' "dma lab: 64 async writes exhaust the ISA mempool"
hasf "$tmp/out" "the caller may not sleep (no __GFP_WAIT)" "dma lab: a writer that may not sleep fails"
lab usermap   # usermap lab
has "$tmp/out" '^  page faults +2048 +0 +0 +64 +0$' "usermap lab: one fault per page, at the first touch only"
has "$tmp/out" '^  kmap_atomic calls +2048 +0 +2048 +64 +0$' "usermap lab: no kmap for user accesses, one per page for the kernel's"
hasf "$tmp/out" "Where the app's pages live: HighMem 2048" "usermap lab: user pages from HighMem"
expect 0 "dma lab without the reserve" -- run scenarios/labs/dma/dma.lua -P lowmem_reserve_ratio=100000,100000 --quiet
has "$tmp/out" '^  driver GFP_DMA allocations that failed +8$' "dma lab: without lowmem_reserve GFP_DMA fails"

summary
[ "$failed" -eq 0 ]
