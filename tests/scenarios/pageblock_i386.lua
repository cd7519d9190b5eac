-- Test: the pageblock order is the booted machine's. A 2-level i386 6.1
-- kernel has HPAGE_SHIFT 22, so pageblock_order = HUGETLB_PAGE_ORDER = 10
-- (= MAX_ORDER - 1 with 6.1's MAX_ORDER 11): 4 MiB pageblocks, as the
-- fixture's own proc/pagetypeinfo says. x86_64 and PAE keep 9.
local mmsim = require "mmsim"

local SH = "tests/data/shapes-6.1/"
local function first_lines(path)
	local f = assert(io.open(path))
	local a, b = f:read("l"), f:read("l")
	f:close()
	return a .. "\n" .. b .. "\n"
end

local m = mmsim.machine{ from = SH .. "i386_highmem" }
local k = m:boot{ era = "modern", pcp = "off" }
assert(k:pageblock_order() == 10, k:pageblock_order())
local pti = k:proc("pagetypeinfo")
-- The header as the fixture's 6.1 prints it.
assert(pti:sub(1, #first_lines(SH .. "i386_highmem/proc/pagetypeinfo")) ==
       first_lines(SH .. "i386_highmem/proc/pagetypeinfo"), pti)
assert(pti:find("Page block order: 10\nPages per block:  1024\n", 1, true), pti)

-- Block counts (pagetypeinfo_showblockcount_print steps from start_pfn by
-- 1024): DMA [1, 4096): pfns 1, 1025, 2049, 3073, 4 blocks, the first
-- (frames 0..1023) starting below the zone and so left Unmovable by
-- memmap_init_range. Normal [4096, 227326): 223230 / 1024 rounded up = 218,
-- all aligned, all Movable. HighMem [227326, 524256): 296930 / 1024 rounded
-- up = 290, the first starting at 226304 < 227326, Unmovable.
local function blocks(zone)
	local u, mv = pti:match("\nNode 0, zone %s*" .. zone .. "%s+(%d+)%s+(%d+)%s+0%s+0%s+0 \n")
	return tonumber(u), tonumber(mv)
end
local u, mv = blocks("DMA")
assert(u == 1 and mv == 3, pti)
u, mv = blocks("Normal")
assert(u == 0 and mv == 218, pti)
u, mv = blocks("HighMem")
assert(u == 1 and mv == 289, pti)

-- The first unmovable page: Normal has no unmovable block, so
-- __rmqueue_fallback takes the largest movable one, order 10; it is a
-- whole pageblock (10 >= pageblock_order), so it changes type outright:
-- one block, where x86_64 turns two order-9 blocks. The extfrag event
-- says pageblock_order 10 and not fragmenting (tests/cli_scenarios.sh).
m:spawn{ name = "steal", fn = function(t)
	local pfn = t:alloc_pages("GFP_KERNEL", 0)
	assert(pfn >= 4096 and pfn < 227326, pfn)
	assert(pfn % 1024 == 0, pfn)
end }
m:run()
pti = k:proc("pagetypeinfo")
u, mv = blocks("Normal")
assert(u == 1 and mv == 217, pti)
-- The split block's halves, orders 0..9, on the unmovable lists.
assert(pti:find("zone   Normal, type    Unmovable      1      1      1      1      1      1      1      1      1      1      0 ",
	1, true), pti)

-- PAE and x86_64 keep order 9, the classic era has none: one machine
-- per scenario, so tests/cli_scenarios.sh and tests/cli_machine.sh check
-- those.

print("pageblock_i386: ok")
