-- Test: a machine from a Lua table: a preset resized (`cpus = N` is the
-- number of CPUs), with parameters overridden as in the JSON format.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "x86_64", mem = "256M", cpus = 4, dram_latency = 300,
                         l1d = { size = "48K", ways = 12 } }
assert(m:ncpus() == 4 and m:nnodes() == 1)
local k = m:boot{ min_free_kbytes = 1024, max_order = 9, zonelist_order = "zone",
                  lowmem_reserve_ratio = { 256, 32 }, check = true }
assert(k:min_free_kbytes() == 1024)
assert(k:policy("max_order") == "9" and #k:zones()[1].nr_free == 9)
assert(k:policy("lowmem_reserve_ratio") == "256,256,32")
assert(k:policy("zonelist_order") == "zone" and k:policy("check") == "on")
-- 256 MiB: DMA below 16 MiB, DMA32 above; no Normal
local names = {}
for _, z in ipairs(k:zones()) do names[#names + 1] = z.zone end
assert(table.concat(names, ",") == "DMA,DMA32", table.concat(names, ","))
-- the higher DRAM latency shows in a cold touch: 64 lines at 300 cycles or more
m:spawn{ fn = function(t)
  local p = t:alloc_pages("GFP_KERNEL", 0)
  local t0 = t:now()
  t:touch(p)
  assert(t:now() - t0 >= 64 * 300, t:now() - t0)
  t:free_pages(p, 0)
end }
m:run()
print("machine_table: ok")
