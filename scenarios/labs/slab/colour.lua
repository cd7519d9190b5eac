-- Lab: slab colouring on versus off (scenarios/labs/slab/README.md).
--
-- One CPU allocates OBJECTS objects of 3000 bytes (2.6.11 puts two in each
-- order-1 slab and leaves 2144 bytes over: 33 colours of 64 bytes), then
-- walks the first field (8 bytes) of every object, ROUNDS times. Run it
-- twice and compare:
--
--   ./mmsim run scenarios/labs/slab/colour.lua                    (colouring on: 2.6.11)
--   ./mmsim run scenarios/labs/slab/colour.lua -P slab_colour=off (every slab at colour 0)
local mmsim = require "mmsim"

local OBJECTS, ROUNDS = 256, 20

local m = mmsim.machine{ preset = "x86_64", mem = "1G", cpus = 1 }
local k = m:boot{}

local function counters()
  local s = m:stats()
  return { l1 = s["cpu0.l1d.read_misses"], l2 = s["cpu0.l2.read_misses"],
           dram = s["cpu0.mem.dram_local"] }
end

local result
m:spawn{ cpu = 0, name = "walker", fn = function(t)
  local c = t:kmem_cache_create("node3000", 3000)
  local objs = {}
  for i = 1, OBJECTS do
    objs[i] = t:kmem_cache_alloc(c, "GFP_KERNEL")
    t:kmem_touch(objs[i])                 -- initialise the whole object
  end
  local sets = {}                         -- distinct L1 sets of the first fields
  for _, o in ipairs(objs) do sets[(o >> 6) & 63] = true end
  local nsets = 0
  for _ in pairs(sets) do nsets = nsets + 1 end

  t:kmem_touch(objs[1], { write = false, len = 8 })   -- (warm the code path)
  local before, t0 = counters(), t:now()
  for _ = 1, ROUNDS do
    for i = 1, OBJECTS do t:kmem_touch(objs[i], { write = false, len = 8 }) end
  end
  local after, t1 = counters(), t:now()
  result = { info = c:info(), nsets = nsets, cycles = t1 - t0,
             l1 = after.l1 - before.l1, l2 = after.l2 - before.l2,
             dram = after.dram - before.dram }
end }
m:run()

local i, n = result.info, OBJECTS * ROUNDS
print(string.format("Slab colouring: %s. %d objects of %d bytes, %d per slab of %d pages, " ..
  "%d colours of %d bytes.", k:policy("slab_colour"):upper(), OBJECTS, i.objsize, i.num,
  1 << i.gfporder, i.colour, i.colour_off))
print(string.format("The objects' first fields fall in %d of the L1's 64 sets.", result.nsets))
print("")
print(string.format("  walking the first field of every object, %d times:", ROUNDS))
print(string.format("  %-30s %10d", "cycles", result.cycles))
print(string.format("  %-30s %10.1f", "cycles per object visited", result.cycles / n))
print(string.format("  %-30s %10d  (%.0f%% of visits)", "L1d read misses", result.l1, 100 * result.l1 / n))
print(string.format("  %-30s %10d  (%.0f%% of visits)", "L2 read misses", result.l2, 100 * result.l2 / n))
print(string.format("  %-30s %10d", "DRAM accesses", result.dram))
print("")
if k:policy("slab_colour") == "on" then
  print("Now run it with -P slab_colour=off and compare.")
else
  print("Now run it without -P slab_colour=off and compare.")
end
