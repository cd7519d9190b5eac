-- Test: the module functions and the kernel's views right after boot on the
-- 1 GiB PC (pc-i386), with the figures docs/mm.md derives by hand.
-- Run by tests/cli_scenarios.sh with the default seed (1).
local mmsim = require "mmsim"

-- mmsim.seed and mmsim.gfp
assert(mmsim.seed() == 1, "the default seed is 1")
assert(mmsim.gfp("GFP_KERNEL") == 0xd0)
assert(mmsim.gfp("GFP_ATOMIC") == 0x20)
assert(mmsim.gfp("GFP_HIGHUSER") == 0xd2)
assert(mmsim.gfp("GFP_DMA") == 0x01)
assert(mmsim.gfp(" GFP_KERNEL | __GFP_ZERO ") == 0x80d0)
assert(mmsim.gfp("0x10") == 0x10 and mmsim.gfp("16") == 16)
local ok, err = pcall(mmsim.gfp, "GFP_KERNAL")
assert(not ok and err:find("unknown flag 'GFP_KERNAL'", 1, true), err)
ok, err = pcall(mmsim.gfp, "GFP_KERNEL __GFP_ZERO")
assert(not ok and err:find("expected '|' after 'GFP_KERNEL'", 1, true), err)

-- mmsim.machine and the machine's methods before boot
local m = mmsim.machine("pc-i386")
assert(m:ncpus() == 1 and m:nnodes() == 1 and m:cpu_node(0) == 0)
assert(m:now() == 0)
assert(next(m:stats()) == nil, "no statistics before boot")
ok, err = pcall(mmsim.machine, "x86_64")
assert(not ok and err:find("a scenario builds one machine", 1, true), err)

local k = m:boot{ era = "classic" }
ok, err = pcall(m.boot, m, {})
assert(not ok and err:find("booted already", 1, true), err)

-- policy: every knob's default as text
local defaults = { era = "classic", pcp = "on", min_free_kbytes = "auto",
  lowmem_reserve_ratio = "256,256,32", zonelist_order = "node", max_order = "11",
  hw = "on", check = "off" }
for name, v in pairs(defaults) do
  assert(k:policy(name) == v, name .. " is " .. k:policy(name))
end
ok, err = pcall(k.policy, k, "colour")
assert(not ok and err:find("no knob 'colour'", 1, true), err)

-- /proc/buddyinfo as text: 2.6.11's frag_show, one line per zone. (DMA's
-- frame at 1 MiB holds the direct map's page directory, so the blocks
-- around it are smaller: docs/mm.md, tests/test_mm_init.c.)
local want = table.concat({
  "Node 0, zone      DMA      2      2      2      1      2      1      1      2      0      1      3 ",
  "Node 0, zone   Normal      1      1      1      1      1      1      1      1      1      1    215 ",
  "Node 0, zone  HighMem      0      0      0      0      0      0      0      0      0      0     32 ",
  "" }, "\n")
assert(k:proc("buddyinfo") == want, k:proc("buddyinfo"))

-- zones() as data: the same counts, and docs/mm.md's watermarks
local zones = k:zones()
assert(#zones == 3)
local function z(i, name, free, min, low, high, managed, present, spanned, start, nr_free)
  local zz = zones[i]
  assert(zz.node == 0 and zz.zone == name, name)
  assert(zz.free == free and zz.min == min and zz.low == low and zz.high == high, name)
  assert(zz.managed == managed and zz.present == present, name)
  assert(zz.spanned == spanned and zz.start_pfn == start, name)
  assert(table.concat(zz.nr_free, ",") == nr_free, name .. ": " .. table.concat(zz.nr_free, ","))
end
z(1, "DMA", 3990, 16, 20, 24, 3990, 3999, 4096, 0, "2,2,2,1,2,1,1,2,0,1,3")
z(2, "Normal", 221183, 940, 1175, 1410, 221183, 225280, 225280, 4096, "1,1,1,1,1,1,1,1,1,1,215")
z(3, "HighMem", 32768, 32, 40, 48, 32768, 32768, 32768, 229376, "0,0,0,0,0,0,0,0,0,0,32")

-- the free pages add up, and min_free_kbytes is int_sqrt(lowmem_kbytes * 16)
assert(k:nr_free_pages() == 3990 + 221183 + 32768)
assert(k:min_free_kbytes() == 3830)

-- the other views
local zi = k:proc("zoneinfo")
assert(zi:find("Node 0, zone   Normal", 1, true), zi)
local mi = k:proc("meminfo")
assert(mi:find("MemTotal:%s+1031764 kB"), mi)
assert(mi:find("HighTotal:%s+131072 kB"), mi)
assert(k:proc("vmstat"):find("pgfree 0", 1, true))
assert(#k:proc("freelists") > 0)
ok, err = pcall(k.proc, k, "pagetypeinfo")
assert(not ok and err:find("no view 'pagetypeinfo' (known: buddyinfo, zoneinfo, vmstat, meminfo, freelists, slabinfo, vmallocinfo, zonelists, numastat, node_meminfo)", 1, true), err)

-- vmstat() as data: every counter 0 after boot
local vm = k:vmstat()
for _, name in ipairs{ "pgalloc_dma", "pgalloc_normal", "pgalloc_high", "pgfree",
    "numa_hit", "numa_miss", "local_node", "other_node", "pcp_refill", "pcp_drain",
    "zone_lock", "pgalloc_fail", "kswapd_wake" } do
  assert(vm[name] == 0, name)
end

-- stats() after boot: counters, and histograms as tables
local s = m:stats()
assert(s["ops.alloc"] == 0 and s["sim.events"] == 0)
assert(s["mm.node0.Normal.free_pages"] == 221183)
local h = s["ops.alloc_cycles"]
assert(type(h) == "table" and h.count == 0 and h.p50 == 0 and h.p99 == 0 and h.max == 0)

-- snapshot lines and the checker, from the script itself
k:snapshot()
k:snapshot{ freelists = true }
k:check()
print("boot_views: ok")
