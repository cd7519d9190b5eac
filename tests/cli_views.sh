#!/bin/sh
# End-to-end tests of the modern era's /proc/vmstat, /proc/meminfo and the
# per-node /sys/devices/system/node/nodeN/{numastat,meminfo} (`mmsim machine
# --show vmstat|meminfo|numastat|node_meminfo [--node N]`) against what the
# two real Linux 6.1 machines printed (tests/data/linux-6.1/*/boot, copied
# from ../shared/linux-6.1: Debian's 6.1.0-56-amd64, 6.1.192, under QEMU).
#
# Layout: the same keys in the same order, and every number ending in the
# same column (the kernel's field widths). Values: the simulator's fresh
# boot against the real boot where they must agree (MemTotal, the nodes'
# MemTotal, CommitLimit, VmallocTotal, Hugepagesize: all follow from the
# managed counts, which the import reproduces), and against the simulator's
# own zoneinfo where the real box had already run (MemFree, MemAvailable,
# the dirty limits). The formulas are 6.1's; the real boot files check the
# formulas themselves (MemAvailable, nr_dirty_threshold and
# nr_dirty_background_threshold come out exactly as printed). Then the classic era's 2.6.11 formats and
# the errors. Ends with "N passed, N failed".
MMSIM=${MMSIM:-./mmsim}
case $MMSIM in /*) ;; *) MMSIM=$(pwd)/$MMSIM ;; esac
DATA=${DATA:-tests/data/linux-6.1}
. "$(dirname "$0")/lib.sh"
same() {
	if diff "$2" "$3" >"$tmp/diff"; then ok; else bad "$1: differ (< real, > mmsim)"; cat "$tmp/diff"; fi
}
# The layout of a "Key: value [kB]" or "key value" file: each line's text
# before its number, and the column where the number ends.
layout() {
	awk '{ n = match($0, / *[0-9]+( kB)?$/); e = length($0) - ($0 ~ / kB$/ ? 3 : 0)
	       print substr($0, 1, n - 1) "|" e }' "$1"
}
# val FILE KEY: the number on KEY's line ("MemTotal:", "Node 0 MemFree:",
# "nr_free_pages").
val() { awk -v k="$2" 'index($0, k) == 1 { s = substr($0, length(k) + 1); sub(/^ +/, "", s); split(s, f, " "); print f[1]; exit }' "$1"; }
# From a 6.1 zoneinfo: the free pages of every zone (or node N's), and
# 6.1's totalreserve_pages (per zone: high + the largest protection, at most
# managed; calculate_totalreserve_pages), and the sum of the low watermarks.
zi_free() {
	awk -v node="${2:--1}" '/^Node/ { nd = $2 + 0 } /^  pages free/ && (node < 0 || nd == node) { s += $3 } END { print s + 0 }' "$1"
}
zi_reserve() {
	awk '/^ +high / { h = $2 } / managed / { m = $2 }
	     /protection:/ { gsub(/[(),]/, " "); mx = 0; for (i = 2; i <= NF; i++) if ($i + 0 > mx) mx = $i + 0
	                     r = h + mx; if (r > m) r = m; t += r }
	     END { print t + 0 }' "$1"
}
zi_low() { awk '/^ +low / { s += $2 } END { print s + 0 }' "$1"; }

for m in b_1g_2cpu d_numa2; do
	B=$DATA/$m/boot
	"$MMSIM" machine --from "$B" --show zoneinfo >"$tmp/zi" || bad "$m: zoneinfo"

	# /proc/vmstat: 6.1's keys in 6.1's order, "key value" lines.
	expect 0 "$m: vmstat" -- "$MMSIM" machine --from "$B" --show vmstat
	cp "$tmp/out" "$tmp/vmstat"
	cut -d' ' -f1 "$B/proc/vmstat" >"$tmp/real"
	cut -d' ' -f1 "$tmp/vmstat" >"$tmp/sim"
	same "$m: vmstat keys" "$tmp/real" "$tmp/sim"
	eq "$(grep -Evc '^[a-z0-9_]+ [0-9]+$' "$tmp/vmstat")" 0 "$m: vmstat lines are 'key value'"
	free=$(zi_free "$tmp/zi")
	managed=$(awk '/ managed / { s += $2 } END { print s }' "$tmp/zi")
	eq "$(val "$tmp/vmstat" nr_free_pages)" "$free" "$m: nr_free_pages = zoneinfo's free pages"
	# 6.1 counts the boot hand-over of every managed frame as frees.
	eq "$(val "$tmp/vmstat" pgfree)" "$managed" "$m: pgfree after boot = managed pages"
	eq "$(grep -E '^(pgalloc|numa)_' "$tmp/vmstat" | grep -vc ' 0$')" 0 "$m: no allocation yet"
	# global_dirty_limits: 819/4096 and 409/4096 of (free - reserve + 1).
	avail=$((free - $(zi_reserve "$tmp/zi") + 1))
	eq "$(val "$tmp/vmstat" nr_dirty_threshold)" $((819 * avail / 4096)) "$m: nr_dirty_threshold"
	eq "$(val "$tmp/vmstat" nr_dirty_background_threshold)" $((409 * avail / 4096)) \
		"$m: nr_dirty_background_threshold"

	# The formula on the real boot: its free pages and its boot-time
	# reserves (boot/proc/zoneinfo) give the thresholds it printed.
	ra=$(($(val "$B/proc/vmstat" nr_free_pages) - $(zi_reserve "$B/proc/zoneinfo") + 1))
	eq "$(val "$B/proc/vmstat" nr_dirty_threshold)" $((819 * ra / 4096)) \
		"$m: 6.1's global_dirty_limits reproduces the real nr_dirty_threshold"
	eq "$(val "$B/proc/vmstat" nr_dirty_background_threshold)" $((409 * ra / 4096)) \
		"$m: 6.1's global_dirty_limits reproduces the real nr_dirty_background_threshold"

	# /proc/meminfo: keys, order and columns of the real file.
	expect 0 "$m: meminfo" -- "$MMSIM" machine --from "$B" --show meminfo
	cp "$tmp/out" "$tmp/meminfo"
	layout "$B/proc/meminfo" >"$tmp/real"
	layout "$tmp/meminfo" >"$tmp/sim"
	same "$m: meminfo layout" "$tmp/real" "$tmp/sim"
	for k in MemTotal: CommitLimit: VmallocTotal: Hugepagesize: HugePages_Total:; do
		eq "$(val "$tmp/meminfo" $k)" "$(val "$B/proc/meminfo" $k)" "$m: meminfo $k as the real one"
	done
	eq "$(val "$tmp/meminfo" MemFree:)" $((free * 4)) "$m: MemFree = zoneinfo's free pages"
	# si_mem_available with no page cache and no slab yet: free - reserve.
	eq "$(val "$tmp/meminfo" MemAvailable:)" $(((free - $(zi_reserve "$tmp/zi")) * 4)) "$m: MemAvailable"
	# The formula itself, on the real boot: free - totalreserve_pages +
	# (SReclaimable less the smaller of its half and the low watermarks);
	# no file pages on that box. boot/proc/zoneinfo and meminfo were read
	# with the same (boot-time) reserves.
	rf=$(($(val "$B/proc/meminfo" MemFree:) / 4))
	sr=$(($(val "$B/proc/meminfo" SReclaimable:) / 4))
	lo=$(zi_low "$B/proc/zoneinfo")
	half=$((sr / 2)); [ "$half" -gt "$lo" ] && half=$lo
	eq "$(val "$B/proc/meminfo" MemAvailable:)" $(((rf - $(zi_reserve "$B/proc/zoneinfo") + sr - half) * 4)) \
		"$m: 6.1's si_mem_available reproduces the real MemAvailable"

	# The nodes' files, one by one with --node.
	total=0
	for d in "$B"/sys/devices/system/node/node*; do
		n=${d##*node}
		expect 0 "$m: numastat node $n" -- "$MMSIM" machine --from "$B" --show numastat --node "$n"
		cut -d' ' -f1 "$d/numastat" >"$tmp/real"
		cut -d' ' -f1 "$tmp/out" >"$tmp/sim"
		same "$m: node$n/numastat keys" "$tmp/real" "$tmp/sim"
		eq "$(grep -vc ' 0$' "$tmp/out")" 0 "$m: node$n/numastat all 0 after boot"
		expect 0 "$m: node_meminfo node $n" -- "$MMSIM" machine --from "$B" --show node_meminfo --node "$n"
		cp "$tmp/out" "$tmp/nm"
		layout "$d/meminfo" >"$tmp/real"
		layout "$tmp/nm" >"$tmp/sim"
		same "$m: node$n/meminfo layout" "$tmp/real" "$tmp/sim"
		eq "$(val "$tmp/nm" "Node $n MemTotal:")" "$(val "$d/meminfo" "Node $n MemTotal:")" \
			"$m: node$n MemTotal as the real one"
		nf=$(zi_free "$tmp/zi" "$n")
		eq "$(val "$tmp/nm" "Node $n MemFree:")" $((nf * 4)) "$m: node$n MemFree"
		eq "$(val "$tmp/nm" "Node $n MemUsed:")" $(($(val "$tmp/nm" "Node $n MemTotal:") - nf * 4)) \
			"$m: node$n MemUsed = MemTotal - MemFree"
		total=$((total + $(val "$tmp/nm" "Node $n MemTotal:")))
	done
	eq "$total" "$(val "$tmp/meminfo" MemTotal:)" "$m: the nodes' MemTotal add up to MemTotal"

	# Without --node: every node, under head(1)'s headers when several.
	expect 0 "$m: numastat, all nodes" -- "$MMSIM" machine --from "$B" --show numastat
	(cd "$B/sys/devices/system/node" && head -n 99 node*/numastat) >"$tmp/real"
	cut -d' ' -f1 "$tmp/out" >"$tmp/sim"
	cut -d' ' -f1 "$tmp/real" >"$tmp/real1"
	same "$m: numastat of every node as head(1) shows them" "$tmp/real1" "$tmp/sim"
done

# The classic era keeps 2.6.11's formats: vmstat and meminfo its own, the
# node files 2.6.11's drivers/base/node.c (meminfo opens with an empty line;
# MemTotal is the node's present pages; numastat the same six lines).
B=$DATA/d_numa2/boot
expect 0 "classic vmstat" -- "$MMSIM" machine --from "$B" --era classic --show vmstat
has "$tmp/out" "^pgalloc_high 0$" "classic vmstat: 2.6.11's counters"
expect 0 "classic meminfo" -- "$MMSIM" machine --from "$B" --era classic --show meminfo
eq "$(cut -d: -f1 "$tmp/out" | tr '\n' ' ')" "MemTotal MemFree HighTotal HighFree LowTotal LowFree " \
	"classic meminfo: 2.6.11's lines"
expect 0 "classic numastat" -- "$MMSIM" machine --from "$B" --era classic --show numastat --node 1
cut -d' ' -f1 "$B/sys/devices/system/node/node1/numastat" >"$tmp/real"
cut -d' ' -f1 "$tmp/out" >"$tmp/sim"
same "classic numastat keys" "$tmp/real" "$tmp/sim"
expect 0 "classic node_meminfo" -- "$MMSIM" machine --from "$B" --era classic --show node_meminfo --node 1
eq "$(head -n 1 "$tmp/out")" "" "classic node meminfo: the empty first line"
eq "$(sed 1d "$tmp/out" | sed -E 's/ +[0-9]+ kB$//' | tr '\n' '|')" \
	"Node 1 MemTotal:|Node 1 MemFree:|Node 1 MemUsed:|Node 1 Active:|Node 1 Inactive:|Node 1 HighTotal:|Node 1 HighFree:|Node 1 LowTotal:|Node 1 LowFree:|" \
	"classic node meminfo: 2.6.11's nine lines"
has "$tmp/out" "^Node 1 MemTotal:      1048448 kB$" "classic node meminfo: present pages (262112), 2.6.11's columns"

# A kernel built without CONFIG_NUMA: b_1g_2cpu's boot capture with its
# sys/devices/system/node and proc/sys/vm/numa_zonelist_order taken away
# (the two things 6.1 makes only with CONFIG_NUMA), so the import takes it
# as such ("numa": false). Against 6.1's sources:
#   - /proc/vmstat (vmstat_text) loses the zones' NUMA events numa_hit ..
#     numa_other (enum numa_stat_item, CONFIG_NUMA), zone_reclaim_failed
#     (CONFIG_NUMA), pgpromote_success and pgpromote_candidate (node items)
#     and numa_pte_updates .. numa_pages_migrated (events), all four
#     CONFIG_NUMA_BALANCING, which depends on NUMA. Nothing else in it is
#     CONFIG_NUMA's: the rest is the real box's list, in its order.
#   - /proc/meminfo (fs/proc/meminfo.c) has no CONFIG_NUMA line: unchanged.
#   - zoneinfo loses the numa_* and pgpromote_* lines only; buddyinfo and
#     pagetypeinfo are unchanged (nothing NUMA in frag_show_print or
#     pagetypeinfo_show).
#   - /sys/devices/system/node is drivers/base/node.c's, built only with
#     CONFIG_NUMA: numastat and node_meminfo are refused, saying why.
B=$DATA/b_1g_2cpu/boot
NN=$tmp/b1g_nonuma
mkdir -p "$NN/sys"
cp -r "$B/proc" "$NN/"
cp -r "$B/sys/kernel" "$NN/sys/"
rm "$NN/proc/sys/vm/numa_zonelist_order"
NUMA_ONLY='^(numa_(hit|miss|foreign|interleave|local|other|pte_updates|huge_pte_updates|hint_faults|hint_faults_local|pages_migrated)|pgpromote_(success|candidate)|zone_reclaim_failed)$'
expect 0 "no NUMA: json" -- "$MMSIM" machine --from "$NN" --show json
has "$tmp/out" '"numa":[[:space:]]*false' "no NUMA: taken as a kernel without CONFIG_NUMA"
expect 0 "no NUMA: vmstat" -- "$MMSIM" machine --from "$NN" --show vmstat
cut -d' ' -f1 "$tmp/out" >"$tmp/sim"
cut -d' ' -f1 "$B/proc/vmstat" | grep -Ev "$NUMA_ONLY" >"$tmp/real"
same "no NUMA: vmstat keys, the real ones less CONFIG_NUMA's" "$tmp/real" "$tmp/sim"
eq "$(cut -d' ' -f1 "$B/proc/vmstat" | grep -Ec "$NUMA_ONLY")" 14 "no NUMA: the NUMA kernel has all 14 such keys"
expect 0 "NUMA: vmstat" -- "$MMSIM" machine --from "$B" --show vmstat
grep -Ev "^(numa_(hit|miss|foreign|interleave|local|other|pte_updates|huge_pte_updates|hint_faults|hint_faults_local|pages_migrated)|pgpromote_(success|candidate)|zone_reclaim_failed) " "$tmp/out" >"$tmp/real"
expect 0 "no NUMA: vmstat again" -- "$MMSIM" machine --from "$NN" --show vmstat
same "no NUMA: vmstat values as the NUMA kernel's" "$tmp/real" "$tmp/out"
for v in meminfo buddyinfo pagetypeinfo zoneinfo; do
	expect 0 "NUMA: $v" -- "$MMSIM" machine --from "$B" --show $v
	grep -Ev '^ +(numa_(hit|miss|foreign|interleave|local|other)|pgpromote_(success|candidate)) ' "$tmp/out" >"$tmp/real"
	expect 0 "no NUMA: $v" -- "$MMSIM" machine --from "$NN" --show $v
	same "no NUMA: $v as the NUMA kernel's, less CONFIG_NUMA's lines" "$tmp/real" "$tmp/out"
done
hasnt "$tmp/out" "numa_|pgpromote_" "no NUMA: zoneinfo without numa_ and pgpromote_ lines"
has "$tmp/out" "^  per-node stats$" "no NUMA: zoneinfo keeps the per-node stats"
has "$tmp/out" "^  vm stats threshold: " "no NUMA: zoneinfo keeps the pagesets"
for v in numastat node_meminfo; do
	f=$v; [ $v = node_meminfo ] && f=meminfo
	expect 2 "no NUMA: $v" -- "$MMSIM" machine --from "$NN" --show $v
	hasf "$tmp/err" "mmsim: machine: --show: view '$v': the machine's kernel is built without CONFIG_NUMA (\"numa\": false), so it has no /sys/devices/system/node/nodeN/$f" "no NUMA: $v: why"
	eq "$(cat "$tmp/out")" "" "no NUMA: $v: nothing printed"
	expect 2 "no NUMA: $v --node 0" -- "$MMSIM" machine --from "$NN" --show $v --node 0
	hasf "$tmp/err" "without CONFIG_NUMA" "no NUMA: $v --node 0: why"
	expect 2 "no NUMA: classic $v" -- "$MMSIM" machine --from "$NN" --era classic --show $v
	hasf "$tmp/err" "without CONFIG_NUMA" "no NUMA: classic $v: why"
done

# Errors.
B=$DATA/d_numa2/boot
expect 2 "--node out of range" -- "$MMSIM" machine --from "$B" --show numastat --node 2
has "$tmp/err" "no node 2 \(the machine's nodes are 0 to 1\)" "--node out of range: message"
expect 2 "--node with another view" -- "$MMSIM" machine --from "$B" --show vmstat --node 0
has "$tmp/err" "only with --show numastat or --show node_meminfo" "--node with vmstat: message"
expect 2 "--node not a number" -- "$MMSIM" machine --from "$B" --show numastat --node one
has "$tmp/err" "--node: 'one' is not a node number" "--node one: message"

summary
[ "$failed" -eq 0 ]
