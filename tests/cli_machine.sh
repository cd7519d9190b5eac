#!/bin/sh
# End-to-end tests of `mmsim machine`: importing the two real Linux 6.1
# machines of tests/data/linux-6.1 (copied from ../shared/linux-6.1: see
# its README there), booting them in the modern era, and comparing with
# what the real kernel printed, field by field (tests/zoneinfo_fields.awk):
# spanned, present, managed, min, low, high, protection, each CPU's pageset
# high and batch and vm stats threshold, start_pfn. Then the import's defaults, notes and errors,
# and tools/capture-machine.sh. Ends with "N passed, N failed".
#
# Phases. 6.1 computed the boot watermarks and protection early, from
# managed counts a little smaller than the final ones (before the initrd
# and init memory were freed), so boot/proc/zoneinfo is matched on its
# sizes only. The simulator has the final counts; its boot values are what
# 6.1 computes from them, i.e. what sysctl_mfk_rewrite/ shows (min_free_kbytes
# written with its own value recomputes the watermarks and pcp high from
# the final managed; protection was already recomputed when the boot phase
# read lowmem_reserve_ratio). The later phases are cumulative writes, as
# their zoneinfo shows: wsf100 is min_free_kbytes + watermark_scale_factor=100;
# lrr_half is min_free_kbytes + the halved ratios (watermark_scale_factor was
# back to 10: its low equals mfk_rewrite's); pcp_frac8 adds
# percpu_pagelist_high_fraction=8 to lrr_half.
MMSIM=${MMSIM:-./mmsim}
case $MMSIM in /*) ;; *) MMSIM=$(pwd)/$MMSIM ;; esac
DATA=${DATA:-tests/data/linux-6.1}
AWK="awk -f tests/zoneinfo_fields.awk"
# The state fields --capture rebuilds: "pages free" and each CPU's count.
STATE='/^Node /{ n = $2; sub(",", "", n); z = $4 } $1 == "pages" && $2 == "free" { print "node " n " zone " z " free " $3 }
$1 == "cpu:" { c = $2 } $1 == "count:" { print "node " n " zone " z " cpu " c " count " $2 }'
. "$(dirname "$0")/lib.sh"
# same WHAT REAL SIM: the two field lists must be equal.
same() {
	if diff "$2" "$3" >"$tmp/diff"; then ok; else bad "$1: fields differ (< real, > mmsim)"; cat "$tmp/diff"; fi
}

for m in b_1g_2cpu d_numa2; do
	B=$DATA/$m/boot
	mfk=$(cat "$B/proc/sys/vm/min_free_kbytes")
	lrr=$(cat "$DATA/$m/sysctl_lrr_half/proc/sys/vm/lowmem_reserve_ratio")

	# min_free_kbytes at boot: 6.1's THP rule (both are over 512 MiB).
	expect 0 "$m: min_free_kbytes" -- "$MMSIM" machine --from "$B" --show min_free_kbytes
	eq "$(cat "$tmp/out")" "$mfk" "$m: min_free_kbytes as 6.1 computed it"

	# Zonelists: dmesg's mminit::zonelist lines, timestamps dropped.
	expect 0 "$m: zonelists" -- "$MMSIM" machine --from "$B" --show zonelists
	sed 's/^\[[^]]*\] //' "$B/dmesg-zonelists" >"$tmp/real"
	same "$m: zonelists against dmesg" "$tmp/real" "$tmp/out"

	# Boot phase: the sizes the real boot printed.
	expect 0 "$m: zoneinfo" -- "$MMSIM" machine --from "$B" --show zoneinfo
	cp "$tmp/out" "$tmp/zi"
	$AWK "$B/proc/zoneinfo" | grep -E ' (spanned|present|managed|start_pfn) ' >"$tmp/real"
	$AWK "$tmp/zi" | grep -E ' (spanned|present|managed|start_pfn) ' >"$tmp/sim"
	same "$m: boot sizes" "$tmp/real" "$tmp/sim"
	# Every zone the real file has, in its order and format.
	grep '^Node' "$B/proc/zoneinfo" >"$tmp/real"
	grep '^Node' "$tmp/zi" >"$tmp/sim"
	same "$m: zone headers" "$tmp/real" "$tmp/sim"
	# The simulator's boot is 6.1's computation from the final managed.
	$AWK "$DATA/$m/sysctl_mfk_rewrite/proc/zoneinfo" >"$tmp/real"
	$AWK "$tmp/zi" >"$tmp/sim"
	same "$m: boot = sysctl_mfk_rewrite" "$tmp/real" "$tmp/sim"

	phase() { # phase NAME -P... : boot, write the sysctls, compare with NAME
		ph=$1; shift
		"$MMSIM" machine --from "$B" --show zoneinfo "$@" >"$tmp/zi" 2>"$tmp/err" || bad "$m: $ph: exit $?"
		$AWK "$DATA/$m/$ph/proc/zoneinfo" >"$tmp/real"
		$AWK "$tmp/zi" >"$tmp/sim"
		same "$m: $ph" "$tmp/real" "$tmp/sim"
	}
	phase sysctl_mfk_rewrite -P min_free_kbytes="$mfk"
	phase sysctl_wsf100 -P min_free_kbytes="$mfk" -P watermark_scale_factor=100
	phase sysctl_lrr_half -P min_free_kbytes="$mfk" -P lowmem_reserve_ratio="$lrr"
	phase sysctl_pcp_frac8 -P min_free_kbytes="$mfk" -P lowmem_reserve_ratio="$lrr" \
		-P percpu_pagelist_high_fraction=8

	# --capture: the state the real box printed at boot. all: every field
	# above as boot/proc/zoneinfo shows it, plus "pages free" and each
	# CPU's "count:" (the pages in use taken away, the per-CPU lists filled).
	expect 0 "$m: --capture all" -- "$MMSIM" machine --from "$B" --capture all --show zoneinfo
	cp "$tmp/out" "$tmp/zi"
	{ $AWK "$B/proc/zoneinfo"; awk "$STATE" "$B/proc/zoneinfo"; } >"$tmp/real"
	{ $AWK "$tmp/zi"; awk "$STATE" "$tmp/zi"; } >"$tmp/sim"
	same "$m: --capture all = boot" "$tmp/real" "$tmp/sim"
	# in_use alone: the same free pages and counts, 6.1's recomputed marks;
	# a sysctl write after the capture recomputes as on the real box.
	expect 0 "$m: --capture in_use" -- "$MMSIM" machine --from "$B" --capture in_use --show zoneinfo
	awk "$STATE" "$B/proc/zoneinfo" >"$tmp/real"
	awk "$STATE" "$tmp/out" >"$tmp/sim"
	same "$m: --capture in_use: pages free and counts" "$tmp/real" "$tmp/sim"
	$AWK "$tmp/out" >"$tmp/sim"
	$AWK "$DATA/$m/sysctl_mfk_rewrite/proc/zoneinfo" >"$tmp/real"
	same "$m: --capture in_use: recomputed marks" "$tmp/real" "$tmp/sim"
	# pcp=off: the per-CPU pages stay free (free + counts of the file).
	expect 0 "$m: --capture in_use, pcp=off" -- "$MMSIM" machine --from "$B" --capture in_use -P pcp=off --show zoneinfo
	awk '/^Node /{ n = $2 " " $4 } $1 == "pages" && $2 == "free" { f[n] = $3 } $1 == "count:" { f[n] += $2 }
	     END { for (k in f) print k, f[k] }' "$B/proc/zoneinfo" | sort >"$tmp/real"
	awk '/^Node /{ n = $2 " " $4 } $1 == "pages" && $2 == "free" { f[n] = $3 } $1 == "count:" { f[n] += $2 }
	     END { for (k in f) print k, f[k] }' "$tmp/out" | sort >"$tmp/sim"
	same "$m: --capture in_use, pcp=off: per-CPU pages stay free" "$tmp/real" "$tmp/sim"
	expect 0 "$m: --capture wmarks, then a sysctl" -- "$MMSIM" machine --from "$B" --capture wmarks,protection \
		-P min_free_kbytes="$mfk" --show zoneinfo
	$AWK "$tmp/out" | grep -v protection >"$tmp/sim"
	$AWK "$DATA/$m/sysctl_mfk_rewrite/proc/zoneinfo" | grep -v protection >"$tmp/real2"
	same "$m: a sysctl write after --capture recomputes" "$tmp/real2" "$tmp/sim"

	# The classic era boots the same imported machine (its own rules).
	expect 0 "$m: classic era" -- "$MMSIM" machine --from "$B" --era classic --show zoneinfo
	has "$tmp/out" "managed +242" "$m: classic: the imported managed"
	expect 0 "$m: buddyinfo" -- "$MMSIM" machine --from "$B" --show buddyinfo
	has "$tmp/out" "^Node 0, zone +DMA32" "$m: buddyinfo"
done

# THP off: 6.1's square-root rule. d_numa2: nr_free_buffer_pages = managed
# 504262 (high is 0 at first) -> lowmem_kbytes 2017048, sqrt(* 16) = 5680.
expect 0 "thp=off" -- "$MMSIM" machine --from "$DATA/d_numa2/boot" -P thp=off --show min_free_kbytes
eq "$(cat "$tmp/out")" 5680 "thp=off: calculate_min_free_kbytes"
# Under 512 MiB THP is off whatever the knob says: a 256 MiB preset.
printf '{"preset": "x86_64", "mem": "256M", "nr_cpus": 1}' >"$tmp/small.json"
expect 0 "256M min_free_kbytes" -- "$MMSIM" machine --machine "$tmp/small.json" --show min_free_kbytes
v=$(cat "$tmp/out")
[ "$v" -lt 4096 ] && ok || bad "256 MiB: $v KiB, expected the square-root rule (under 4096)"

# A preset in the modern era: 6.1 keeps the first 1 MiB, so ZONE_DMA of a
# 1 GiB PC manages 3840 pages, as the real 1 GiB QEMU machine's does.
printf '{"preset": "x86_64", "mem": "1G", "nr_cpus": 2}' >"$tmp/pc1g.json"
expect 0 "preset modern" -- "$MMSIM" machine --machine "$tmp/pc1g.json" --show zoneinfo
eq "$($AWK "$tmp/out" | grep 'zone DMA managed' | cut -d' ' -f6)" 3840 "preset: 6.1's low 1 MiB kept"
expect 0 "preset classic" -- "$MMSIM" machine --machine "$tmp/pc1g.json" --era classic --show zoneinfo
has "$tmp/out" "managed +39" "preset classic: the low 1 MiB freed as 2.6.11 does"

# The description as JSON, and booting it again from that JSON.
expect 0 "json" -- "$MMSIM" machine --from "$DATA/d_numa2/boot" --show json
has "$tmp/out" '"type":[[:space:]]*"kernel"' "json: kernel reservations"
cp "$tmp/out" "$tmp/m.json"
expect 0 "json again" -- "$MMSIM" machine --machine "$tmp/m.json" --show zoneinfo
$AWK "$tmp/out" >"$tmp/sim"
"$MMSIM" machine --from "$DATA/d_numa2/boot" --show zoneinfo | $AWK >"$tmp/real"
# The JSON keeps the shape, not the sysctls: the same with defaults.
same "json round trip" "$tmp/real" "$tmp/sim"

# Missing optional files: defaults and notes.
mkdir -p "$tmp/bare/proc"
cp "$DATA/d_numa2/boot/proc/zoneinfo" "$tmp/bare/proc/"
expect 0 "bare: notes" -- "$MMSIM" machine --from "$tmp/bare" --show notes
has "$tmp/out" "^proc/iomem: missing" "note: iomem"
has "$tmp/out" "distance: missing, 10 local and 20 remote" "note: distance"
has "$tmp/out" "cpulist: missing" "note: cpulist"
has "$tmp/out" "^proc/sys/vm/watermark_scale_factor: missing" "note: a knob"
expect 0 "bare: zoneinfo" -- "$MMSIM" machine --from "$tmp/bare" --show zoneinfo
$AWK "$tmp/out" | grep -E ' (spanned|present|managed) ' >"$tmp/sim"
$AWK "$DATA/d_numa2/boot/proc/zoneinfo" | grep -E ' (spanned|present|managed) ' >"$tmp/real"
same "bare: sizes without iomem" "$tmp/real" "$tmp/sim"

# Errors: the file, and the line.
expect 2 "no dir" -- "$MMSIM" machine --from "$tmp/nowhere"
has "$tmp/err" "^mmsim: machine: $tmp/nowhere/proc/zoneinfo: cannot read" "missing zoneinfo"
mkdir -p "$tmp/badzi/proc"
sed '50s/.*/        spanned  lots/' "$DATA/b_1g_2cpu/boot/proc/zoneinfo" >"$tmp/badzi/proc/zoneinfo"
expect 2 "malformed zoneinfo" -- "$MMSIM" machine --from "$tmp/badzi"
has "$tmp/err" "proc/zoneinfo:50: expected a number after 'spanned'" "malformed: file and line"
mkdir -p "$tmp/baddist/sys/devices/system/node/node0" "$tmp/baddist/proc"
cp "$DATA/b_1g_2cpu/boot/proc/zoneinfo" "$tmp/baddist/proc/"
echo "ten" >"$tmp/baddist/sys/devices/system/node/node0/distance"
expect 2 "malformed distance" -- "$MMSIM" machine --from "$tmp/baddist"
has "$tmp/err" "node0/distance:1: expected one distance per node" "malformed distance: file and line"
expect 2 "bad era" -- "$MMSIM" machine --from "$DATA/b_1g_2cpu/boot" --era future
expect 2 "bad sysctl" -- "$MMSIM" machine --from "$DATA/b_1g_2cpu/boot" -P percpu_pagelist_high_fraction=3
has "$tmp/err" "percpu_pagelist_high_fraction: bad value '3'" "bad sysctl value"
expect 2 "bad capture" -- "$MMSIM" machine --from "$DATA/b_1g_2cpu/boot" --capture in_use,everything
has "$tmp/err" "^mmsim: machine: --capture: 'everything' is not part of a capture \\(accepted: in_use, wmarks, protection, all" "bad capture: names the parts"
expect 2 "capture without a box" -- "$MMSIM" machine --machine x86_64 --capture all
has "$tmp/err" "^mmsim: machine: --capture needs --from DIR" "capture without a box: says so"
expect 2 "capture in the classic era" -- "$MMSIM" machine --from "$DATA/b_1g_2cpu/boot" --era classic --capture in_use --show zoneinfo
has "$tmp/err" "capture: .*boot the modern era" "capture in the classic era: refused"
# A capture that does not fit: more free pages than managed.
mkdir -p "$tmp/overfull/proc"
sed 's/pages free     232573/pages free     242034/' "$DATA/b_1g_2cpu/boot/proc/zoneinfo" >"$tmp/overfull/proc/zoneinfo"
expect 2 "capture more free than managed" -- "$MMSIM" machine --from "$tmp/overfull" --capture in_use --show zoneinfo
has "$tmp/err" "node 0 DMA32: 242034 pages free and 3000 on per-CPU lists, more than its 242034 managed" "overfull capture: names the zone"
expect 2 "bad view" -- "$MMSIM" machine --from "$DATA/b_1g_2cpu/boot" --show pagetypes

# Other shapes: hand-made 6.1 captures (tests/data/shapes-6.1; its README
# works out every number from 6.1's rules, derive.py wrote the files).
# Each zoneinfo is what 6.1 computes from the final managed counts, so the
# simulator's boot must match it field by field.
SH=${SH:-tests/data/shapes-6.1}
for m in numa4_asym numa8_ladder i386_highmem i386pae_4g x86_64_movablecore i386_movablecore numa2_movablecore numa2_movable_node i386_512m; do
	B=$SH/$m
	expect 0 "$m: min_free_kbytes" -- "$MMSIM" machine --from "$B" --show min_free_kbytes
	eq "$(cat "$tmp/out")" "$(cat "$B/proc/sys/vm/min_free_kbytes")" "$m: min_free_kbytes"
	expect 0 "$m: zoneinfo" -- "$MMSIM" machine --from "$B" --show zoneinfo
	$AWK "$tmp/out" >"$tmp/sim"
	$AWK "$B/proc/zoneinfo" >"$tmp/real"
	same "$m: zoneinfo" "$tmp/real" "$tmp/sim"
	# Every line in 6.1's zoneinfo_show_print order, numbers aside. A
	# kernel without CONFIG_NUMA (the i386 shapes but PAE) prints no numa_*
	# lines (6.1's NR_VM_NUMA_EVENT_ITEMS loop is under CONFIG_NUMA) and no
	# pgpromote_* per-node stats (CONFIG_NUMA_BALANCING node items, and
	# NUMA_BALANCING depends on NUMA); "per-node stats", the pagesets and
	# the rest are printed alike.
	sed 's/[0-9][0-9]*/N/g' "$tmp/out" >"$tmp/sim"
	sed 's/[0-9][0-9]*/N/g' "$B/proc/zoneinfo" >"$tmp/real"
	same "$m: zoneinfo layout" "$tmp/real" "$tmp/sim"
	grep '^Node' "$tmp/out" >"$tmp/sim"
	grep '^Node' "$B/proc/zoneinfo" >"$tmp/real"
	same "$m: zone headers" "$tmp/real" "$tmp/sim"
	# A kernel without CONFIG_NUMA (the i386 ones but PAE: no
	# sys/devices/system/node) has one zonelist per node, no "thisnode"
	# lines (6.1's MAX_ZONELISTS is 1 there).
	expect 0 "$m: zonelists" -- "$MMSIM" machine --from "$B" --show zonelists
	same "$m: zonelists against 6.1's" "$B/dmesg-zonelists" "$tmp/out"
	# pagetypeinfo's first lines: the machine's pageblock order (6.1's
	# HUGETLB_PAGE_ORDER: 10 on a 2-level i386, 9 with PAE and on x86_64).
	expect 0 "$m: pagetypeinfo" -- "$MMSIM" machine --from "$B" --show pagetypeinfo
	head -n 2 "$tmp/out" >"$tmp/sim"
	same "$m: pagetypeinfo's pageblock order" "$B/proc/pagetypeinfo" "$tmp/sim"
done
# numa4_asym: find_next_best_node's three tie-breakers each decide one list
# (README): the penalty for lower ids puts 3 before 0 for node 1, node_load
# puts 1 before 0 for node 3, the asymmetric SLIT row 3 (22 to node 0, where
# node 0 has 21 to node 3) gives the tie that node_load breaks.
has "$SH/numa4_asym/dmesg-zonelists" "general 1:Normal = 1:Normal 3:Normal 0:DMA32 0:DMA $" "numa4: lower-id penalty"
has "$SH/numa4_asym/dmesg-zonelists" "general 3:Normal = 3:Normal 1:Normal 0:DMA32 0:DMA $" "numa4: node_load"
expect 0 "numa4: json" -- "$MMSIM" machine --from "$SH/numa4_asym" --show json
has "$tmp/out" '"distance":' "numa4: json distance"
# i386_highmem: a 2-level kernel (pagetypeinfo: Page block order 10); lowmem
# ends where HighMem starts, not at 896 MiB.
expect 0 "i386: json" -- "$MMSIM" machine --from "$SH/i386_highmem" --show json
has "$tmp/out" '"arch":[[:space:]]*"i386"' "i386: 2-level from pagetypeinfo"
has "$tmp/out" '"lowmem_end":[[:space:]]*"0x377fe000"' "i386: lowmem from HighMem's start_pfn"
cp "$tmp/out" "$tmp/i386.json"
expect 0 "i386: json again" -- "$MMSIM" machine --machine "$tmp/i386.json" --show zoneinfo
$AWK "$tmp/out" | grep -E ' (spanned|present|start_pfn) ' >"$tmp/sim"
$AWK "$SH/i386_highmem/proc/zoneinfo" | grep -E ' (spanned|present|start_pfn) ' >"$tmp/real"
same "i386: json round trip keeps lowmem's end" "$tmp/real" "$tmp/sim"
# No sys/devices/system/node next to sys/kernel: a kernel without
# CONFIG_NUMA, "numa": false in the description, kept by a round trip.
has "$tmp/i386.json" '"numa":[[:space:]]*false' "i386: no CONFIG_NUMA"
expect 0 "i386: json again, zonelists" -- "$MMSIM" machine --machine "$tmp/i386.json" --show zonelists
same "i386: json round trip keeps one zonelist" "$SH/i386_highmem/dmesg-zonelists" "$tmp/out"
expect 0 "numa4: json" -- "$MMSIM" machine --from "$SH/numa4_asym" --show json
if grep -q '"numa"' "$tmp/out"; then bad "a NUMA kernel's description has no numa key"; else ok; fi
sed 's/"numa":[[:space:]]*false/"numa": "no"/' "$tmp/i386.json" >"$tmp/bad.json"
expect 2 "numa: not a bool" -- "$MMSIM" machine --machine "$tmp/bad.json"
has "$tmp/err" 'numa: expected true or false' "numa: a clear error"
expect 0 "numa2: json" -- "$MMSIM" machine --from "$DATA/d_numa2/boot" --show json
sed 's/"distance":/"numa": false, "distance":/' "$tmp/out" >"$tmp/bad.json"
expect 2 "numa false on two nodes" -- "$MMSIM" machine --machine "$tmp/bad.json"
has "$tmp/err" 'numa: false \(a kernel without CONFIG_NUMA\) needs one node, not 2' "numa false: one node only"
# Without CONFIG_NUMA 6.1 has no vm.numa_zonelist_order (kernel/sysctl.c's
# vm_table holds it under CONFIG_NUMA): the import does not look for it,
# and setting zonelist_order is refused, from the command line and from a
# scenario's boot; a NUMA machine still takes it.
expect 0 "i386: notes" -- "$MMSIM" machine --from "$SH/i386_highmem" --show notes
hasnt "$tmp/out" "numa_zonelist_order" "i386: numa_zonelist_order not looked for"
has "$tmp/out" "^sys/devices/system/node: missing, a kernel without CONFIG_NUMA" "i386: the no-NUMA note"
for v in node zone; do
	expect 2 "i386: -P zonelist_order=$v" -- "$MMSIM" machine --from "$SH/i386_highmem" -P zonelist_order=$v --show zoneinfo
	hasf "$tmp/err" "mmsim: machine: -P: zonelist_order: the machine's kernel is built without CONFIG_NUMA (\"numa\": false), so it has no /proc/sys/vm/numa_zonelist_order" "i386: -P zonelist_order=$v: why"
done
expect 2 "i386 json: -P zonelist_order" -- "$MMSIM" machine --machine "$tmp/i386.json" -P zonelist_order=node --show zonelists
hasf "$tmp/err" "without CONFIG_NUMA" "i386 json: -P zonelist_order: why"
expect 1 "i386 scenario: -P zonelist_order" -- "$MMSIM" run -P zonelist_order=node tests/scenarios/shapes61_i386.lua
hasf "$tmp/err" "boot: zonelist_order: the machine's kernel is built without CONFIG_NUMA" "i386 scenario: boot refuses zonelist_order"
expect 0 "numa2: -P zonelist_order=node" -- "$MMSIM" machine --from "$DATA/d_numa2/boot" -P zonelist_order=node --show zonelists
sed 's/^\[[^]]*\] //' "$DATA/d_numa2/boot/dmesg-zonelists" >"$tmp/real"
same "numa2: -P zonelist_order=node: 6.1's zonelists" "$tmp/real" "$tmp/out"
# The classic era's zoneinfo (2.6.13's) prints each pageset's numa_hit ..
# other_node under CONFIG_NUMA only, too.
expect 0 "i386: classic zoneinfo" -- "$MMSIM" machine --from "$SH/i386_highmem" --era classic --show zoneinfo
hasnt "$tmp/out" "numa_|interleave_hit|local_node|other_node" "i386: classic zoneinfo without the NUMA lines"
has "$tmp/out" "^              batch: " "i386: classic zoneinfo keeps the pagesets"
expect 0 "numa2: classic zoneinfo" -- "$MMSIM" machine --from "$DATA/d_numa2/boot" --era classic --show zoneinfo
# one block per CPU's pageset: 2 CPUs, 3 populated zones
eq "$(grep -c '^            numa_hit: ' "$tmp/out")" 6 "numa2: classic zoneinfo: numa_hit per pageset"
# Without a sys directory at all, nothing is known: a NUMA kernel.
mkdir -p "$tmp/i386nosys"
cp -r "$SH/i386_highmem/proc" "$tmp/i386nosys/"
expect 0 "i386 without sys: zonelists" -- "$MMSIM" machine --from "$tmp/i386nosys" --show zonelists
has "$tmp/out" "thisnode" "i386 without sys: taken as NUMA"
expect 0 "i386 PAE 4G: json" -- "$MMSIM" machine --from "$SH/i386pae_4g" --show json
has "$tmp/out" '"arch":[[:space:]]*"i386-pae"' "i386: PAE from RAM above 4 GiB"
# Its pageblocks, 1024 pages each, counted from each zone's start_pfn
# (pagetypeinfo_showblockcount_print): DMA [1, 4096) 4, the first
# Unmovable (it starts at pfn 0, below the zone: memmap_init_range never
# marks it); Normal [4096, 227326) 223230 / 1024 rounded up = 218, all
# Movable; HighMem [227326, 524256) 296930 / 1024 rounded up = 290, the
# first (from 226304) Unmovable.
expect 0 "i386: pagetypeinfo" -- "$MMSIM" machine --from "$SH/i386_highmem" --show pagetypeinfo
has "$tmp/out" '^Node 0, zone      DMA            1            3            0            0            0 $' "i386: DMA's 4 MiB blocks"
has "$tmp/out" '^Node 0, zone   Normal            0          218            0            0            0 $' "i386: Normal's 4 MiB blocks"
has "$tmp/out" '^Node 0, zone  HighMem            1          289            0            0            0 $' "i386: HighMem's 4 MiB blocks"
# The same memory with PAE (x86_64's 2 MiB blocks): a JSON round trip with
# the arch changed; twice the blocks (DMA 8, Normal 436, HighMem 580).
sed 's/"arch":[[:space:]]*"i386"/"arch": "i386-pae"/' "$tmp/i386.json" >"$tmp/i386pae.json"
expect 0 "i386 as PAE: pagetypeinfo" -- "$MMSIM" machine --machine "$tmp/i386pae.json" --show pagetypeinfo
has "$tmp/out" '^Page block order: 9$' "i386 as PAE: order 9"
has "$tmp/out" '^Node 0, zone      DMA            1            7            0            0            0 $' "i386 as PAE: DMA's 2 MiB blocks"
has "$tmp/out" '^Node 0, zone   Normal            0          436            0            0            0 $' "i386 as PAE: Normal's 2 MiB blocks"
has "$tmp/out" '^Node 0, zone  HighMem            1          579            0            0            0 $' "i386 as PAE: HighMem's 2 MiB blocks"
# THP off: the square-root rule, sqrt((207482 + 3840) * 4 * 16) = 3677.
expect 0 "i386: thp=off" -- "$MMSIM" machine --from "$SH/i386_highmem" -P thp=off --show min_free_kbytes
eq "$(cat "$tmp/out")" 3677 "i386: thp=off: calculate_min_free_kbytes"
# Without pagetypeinfo and under 4 GiB: taken as PAE, with a note; the
# numbers do not change (khugepaged's 5 % cap binds for either pageblock).
mkdir -p "$tmp/i386nopti"
cp -r "$SH/i386_highmem/proc" "$SH/i386_highmem/sys" "$tmp/i386nopti/"
rm "$tmp/i386nopti/proc/pagetypeinfo"
expect 0 "i386 without pagetypeinfo" -- "$MMSIM" machine --from "$tmp/i386nopti" --show notes
has "$tmp/out" "^proc/pagetypeinfo: missing, a 32-bit kernel under 4 GiB taken as PAE" "i386: PAE note"
expect 0 "i386 PAE: json" -- "$MMSIM" machine --from "$tmp/i386nopti" --show json
has "$tmp/out" '"arch":[[:space:]]*"i386-pae"' "i386: PAE by default"
# A reservation too small for the simulator's node data (5 GiB of 64-byte
# mem_map entries in lowmem is 20480 pages; 223230 - 210000 = 13230 left):
# managed cannot be honoured, and a note says so.
mkdir -p "$tmp/tight"
cp -r "$SH/i386pae_4g/proc" "$SH/i386pae_4g/sys" "$tmp/tight/"
sed '0,/managed  202230/s//managed  210000/' "$SH/i386pae_4g/proc/zoneinfo" >"$tmp/tight/proc/zoneinfo"
expect 0 "tight reservation" -- "$MMSIM" machine --from "$tmp/tight" --show min_free_kbytes
has "$tmp/err" "note: node 0 zone Normal: managed [0-9]+, not the imported 210000 \(the simulator's node data" "tight: a note"
expect 0 "no note when it fits" -- "$MMSIM" machine --from "$SH/i386pae_4g" --show min_free_kbytes
eq "$(cat "$tmp/err")" "" "i386pae_4g: no note"
# 6.1's four 32-bit ratios (DMA Normal HighMem Movable) written at run time.
expect 0 "i386: lowmem_reserve_ratio" -- "$MMSIM" machine --from "$SH/i386_highmem" --show zoneinfo \
	-P lowmem_reserve_ratio="128 16 0 0"
has "$tmp/out" "protection: \(0, 1620, 3940, 3940\)" "i386: DMA protection, halved ratios"
has "$tmp/out" "protection: \(0, 0, 18558, 18558\)" "i386: Normal protection, halved ratios"

# x86_64_movablecore (movablecore=512M): the Movable zone starts where
# zoneinfo says, the description keeps it, and a JSON round trip too.
expect 0 "movablecore: json" -- "$MMSIM" machine --from "$SH/x86_64_movablecore" --show json
has "$tmp/out" '"movable_start":[[:space:]]*"0x120000000"' "movablecore: zone_movable_pfn 1179648"
cp "$tmp/out" "$tmp/mv.json"
expect 0 "movablecore: json again" -- "$MMSIM" machine --machine "$tmp/mv.json" --show zoneinfo
$AWK "$tmp/out" | grep -E ' (spanned|present|start_pfn) ' >"$tmp/sim"
$AWK "$SH/x86_64_movablecore/proc/zoneinfo" | grep -E ' (spanned|present|start_pfn) ' >"$tmp/real"
same "movablecore: json round trip" "$tmp/real" "$tmp/sim"

# Shapes mmsim cannot model: one message naming the file and the zone.
mkdir -p "$tmp/movable/proc"
awk '/^Node 1, zone  Movable/ { mv = 1 } /^Node 1, zone   Device/ { mv = 0 }
     mv && $1 == "spanned" { $0 = "        spanned  65536" } { print }' \
	"$DATA/d_numa2/boot/proc/zoneinfo" >"$tmp/movable/proc/zoneinfo"
expect 2 "Movable not on top" -- "$MMSIM" machine --from "$tmp/movable" --show zoneinfo
has "$tmp/err" "movable/proc/zoneinfo: node 1 zone Movable is not the top of its node: mmsim models only that layout" "Movable elsewhere: a clear error"
mkdir -p "$tmp/device/proc"
awk '/^Node 0, zone   Device/ { dv = 1 } /^Node 1,/ { dv = 0 }
     dv && $1 == "spanned" { $0 = "        spanned  4096" } { print }' \
	"$DATA/d_numa2/boot/proc/zoneinfo" >"$tmp/device/proc/zoneinfo"
expect 2 "populated Device" -- "$MMSIM" machine --from "$tmp/device"
has "$tmp/err" "node 0 zone Device has pages: mmsim does not model that zone" "Device: a clear error"
mkdir -p "$tmp/n65/proc"
sed 's/^Node 1,/Node 64,/' "$DATA/d_numa2/boot/proc/zoneinfo" >"$tmp/n65/proc/zoneinfo"
expect 2 "65 nodes" -- "$MMSIM" machine --from "$tmp/n65"
has "$tmp/err" "proc/zoneinfo:[0-9]+: node 64, zone .* is beyond mmsim's 64 nodes" "too many nodes: file and line"

# capture-machine.sh on a fake root (the reference directory), then import.
ROOT="$DATA/d_numa2/boot" sh tools/capture-machine.sh "$tmp/cap" >/dev/null 2>"$tmp/err" || bad "capture: exit $?"
expect 0 "capture: import" -- "$MMSIM" machine --from "$tmp/cap" --show zoneinfo
$AWK "$tmp/out" >"$tmp/sim"
"$MMSIM" machine --from "$DATA/d_numa2/boot" --show zoneinfo | $AWK >"$tmp/real"
same "capture: the same machine" "$tmp/real" "$tmp/sim"

summary
[ "$failed" -eq 0 ]
