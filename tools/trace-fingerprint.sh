#!/bin/sh
# trace-fingerprint.sh: one line per scenario run, for checking that a
# refactoring changed nothing a user can see.
#
#   sh tools/trace-fingerprint.sh [MMSIM] > before.txt
#   ... change the code, rebuild ...
#   sh tools/trace-fingerprint.sh [MMSIM] > after.txt
#   cmp before.txt after.txt
#
# Runs, from the top of the tree (the working directory tests/cli_scenarios.sh
# uses, so relative paths in the scenarios and in the traces' headers are the
# same), every scenario there is: scenarios/quickstart.lua, every lab
# (scenarios/labs/*/*.lua), every test scenario (tests/scenarios/*.lua) and
# every failing one (tests/scenarios/errors/*.lua), each three ways: as the
# script boots it ("default"), then with -P era=classic and -P era=modern
# (a scenario that refuses an era fails the same way every time: its exit
# status and messages are part of the fingerprint). Then the variants
# tests/cli_scenarios.sh runs with other knobs, seeds or environments.
#
# Each line: NAME ERA STATUS TRACE-SHA256 STDOUT-SHA256 STDERR-SHA256.
# MMSIM defaults to ./mmsim. Traces and outputs go to a temporary directory,
# removed at the end. Exits 0 even when scenarios fail (their failure is
# what is recorded); 2 if MMSIM cannot be run.
set -u
MMSIM=${1:-./mmsim}
case $MMSIM in /*) ;; *) MMSIM=$(pwd)/$MMSIM ;; esac
if [ ! -x "$MMSIM" ]; then
	echo "trace-fingerprint.sh: $MMSIM: not an executable" >&2
	exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fingerprint.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

sum() { sha256sum <"$1" | cut -c1-64; }

# fp NAME ERA [ENV=VALUE ...] -- ARGS...: run `mmsim run ARGS -o TRACE` and
# print its line. An ENV=VALUE before -- is set for that run only.
fp() {
	fp_name=$1 fp_label=$2
	shift 2
	envs=""
	while [ "$1" != "--" ]; do
		envs="$envs $1"
		shift
	done
	shift
	rm -f "$tmp/trace"
	# shellcheck disable=SC2086
	env $envs "$MMSIM" run "$@" -o "$tmp/trace" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ -f "$tmp/trace" ] || : >"$tmp/trace"
	printf '%s %s %s %s %s %s\n' "$fp_name" "$fp_label" "$rc" "$(sum "$tmp/trace")" "$(sum "$tmp/out")" \
		"$(sum "$tmp/err")"
}

for f in scenarios/quickstart.lua scenarios/labs/*/*.lua tests/scenarios/*.lua tests/scenarios/errors/*.lua; do
	fp "$f" default -- "$f"
	for era in classic modern; do
		fp "$f" "$era" -- "$f" -P era=$era
	done
done

# The variants tests/cli_scenarios.sh runs.
S=tests/scenarios
fp "$S/dma.lua" dma_bounce=off -- $S/dma.lua -P dma_bounce=off
fp "$S/usermap.lua" highpte=on -- $S/usermap.lua -P highpte=on
fp "$S/determinism.lua" seed=5 -- $S/determinism.lua --seed 5
fp "$S/determinism.lua" seed=6 -- $S/determinism.lua --seed 6
fp "$S/determinism.lua" snapshots -- $S/determinism.lua --snapshot-every 20000
fp "$S/determinism.lua" events=mm_page_free -- $S/determinism.lua --events mm_page_free
fp "$S/policy.lua" policy-P -- $S/policy.lua -P pcp=off -Pmin_free_kbytes=4096 --era classic
fp "$S/errors/runaway.lua" max-instructions -- $S/errors/runaway.lua --max-instructions 100000
fp scenarios/labs/pcp/pcp.lua pcp=off -- scenarios/labs/pcp/pcp.lua -P pcp=off
fp scenarios/labs/slab/colour.lua slab_colour=off -- scenarios/labs/slab/colour.lua -P slab_colour=off
fp scenarios/labs/dma/dma.lua lowmem_reserve_ratio -- scenarios/labs/dma/dma.lua \
	-P lowmem_reserve_ratio=100000,100000
fp scenarios/labs/fragmentation/fragmentation.lua extfrag -- scenarios/labs/fragmentation/fragmentation.lua \
	--era modern --events mm_page_alloc_extfrag
# Paths the defaults leave out: no per-CPU lists and the invariant
# checker in both eras.
for era in classic modern; do
	fp scenarios/quickstart.lua "$era,pcp=off" -- scenarios/quickstart.lua -P era=$era -P pcp=off
	fp "$S/determinism.lua" "$era,check=on" -- $S/determinism.lua -P era=$era -P check=on
	fp scenarios/quickstart.lua "$era,max_order=8" -- scenarios/quickstart.lua -P era=$era -P max_order=8
done
fp scenarios/labs/fragmentation/fragmentation.lua modern,check=on -- \
	scenarios/labs/fragmentation/fragmentation.lua --era modern -P check=on
for mach in b_1g_2cpu d_numa2; do
	fp scenarios/labs/fill/fill.lua "$mach" FILL_DIR=tests/data/linux-6.1/$mach -- scenarios/labs/fill/fill.lua
done
fp scenarios/labs/fill/fill.lua recomputed FILL_WMARKS=recomputed -- scenarios/labs/fill/fill.lua
# Every view of every era on each preset after some traffic, through a
# scenario written here (views.lua in the temporary directory).
for preset in pc-i386 pc-i386-pae x86_64 x86_64-numa2; do
	for era in classic modern; do
		cat >"$tmp/views.lua" <<EOF
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "$preset" }
local k = m:boot{ era = "$era" }
m:spawn{ fn = function(t)
	for i = 1, 300 do
		local order = i % 4
		local gfp = i % 3 == 0 and "GFP_HIGHUSER" or (i % 5 == 0 and "GFP_KERNEL|__GFP_COLD" or "GFP_KERNEL")
		local pfn = t:alloc_pages(gfp, order)
		if pfn and i % 2 == 0 then t:free_pages(pfn, order) end
	end
	t:kfree(t:kmalloc(100, "GFP_KERNEL"))
	t:vfree(t:vmalloc(65536))
end }
m:run{}
for _, v in ipairs{ "buddyinfo", "zoneinfo", "vmstat", "meminfo", "freelists", "slabinfo",
		   "vmallocinfo", "zonelists", "pagetypeinfo", "numastat", "node_meminfo" } do
	local ok, text = pcall(k.proc, k, v)
	print("== " .. v .. " " .. tostring(ok))
	print(text)
end
EOF
		# Run from the temporary directory, so the trace names the
		# scenario views.lua whatever that directory is called.
		(cd "$tmp" && fp "views:$preset" "$era" -- views.lua)
	done
done
exit 0
