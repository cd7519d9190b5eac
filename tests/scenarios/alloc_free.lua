-- Test: the task's allocator calls on the 1 GiB PC with the per-CPU lists
-- off (so every page goes to and from the buddy lists and nr_free_pages
-- moves by exactly 2^order), then the time calls.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{ pcp = "off" }
assert(k:policy("pcp") == "off")

local normal = k:zones()[2]
assert(normal.zone == "Normal")
local function in_normal(pfn)
  return pfn >= normal.start_pfn and pfn < normal.start_pfn + normal.spanned
end

local task = m:spawn{ cpu = 0, name = "alloc", fn = function(t)
  assert(t:name() == "alloc" and t:cpu() == 0 and t:node() == 0)
  assert(tostring(t) == "task 'alloc' on cpu 0")
  local free0 = k:nr_free_pages()

  -- every order: down by 2^order, back after the free
  for order = 0, 10 do
    local pfn = t:alloc_pages("GFP_KERNEL", order)
    assert(math.type(pfn) == "integer" and in_normal(pfn), "order " .. order)
    assert(pfn % (1 << order) == 0, "a block is aligned to its size")
    assert(k:nr_free_pages() == free0 - (1 << order), "order " .. order)
    t:free_pages(pfn, order)
    assert(k:nr_free_pages() == free0, "order " .. order)
  end

  -- the order defaults to 0, for alloc and for free
  local p = t:alloc_pages("GFP_KERNEL")
  assert(k:nr_free_pages() == free0 - 1)
  t:free_pages(p)
  assert(k:nr_free_pages() == free0)

  -- alloc_pages_node on node 0 (the only one), and -1 (no preference)
  p = t:alloc_pages_node(0, "GFP_KERNEL", 2)
  assert(in_normal(p) and k:nr_free_pages() == free0 - 4)
  t:free_pages(p, 2)
  p = t:alloc_pages_node(-1, "GFP_KERNEL", 0)
  t:free_pages(p, 0)
  local ok, err = pcall(t.alloc_pages_node, t, 1, "GFP_KERNEL", 0)
  assert(not ok and err:find("node 1 does not exist (the machine has 1)", 1, true), err)
  ok, err = pcall(t.alloc_pages, t, "GFP_KERNEL", 11)
  assert(not ok and err:find("order 11 is outside 0..10", 1, true), err)

  -- zones by GFP: __GFP_DMA from DMA, GFP_HIGHUSER from HighMem
  p = t:alloc_pages("GFP_DMA", 0)
  assert(p < 4096, "DMA is below 16 MiB")
  t:free_pages(p, 0)
  local vm = k:vmstat()
  assert(vm.pgalloc_dma == 1)
  local high = t:alloc_pages("GFP_HIGHUSER", 0)
  assert(high >= 229376, "HighMem starts at 896 MiB")
  assert(k:vmstat().pgalloc_high == 1)
  -- touching HighMem needs a mapping first (t:kmap, t:kmap_atomic)
  ok, err = pcall(t.touch, t, high)
  assert(not ok and err:find("is in HighMem", 1, true), err)
  t:free_pages(high, 0)

  -- touch: the first write of a page misses, the second hits the caches;
  -- a partial read of 10 bytes is one line
  p = t:alloc_pages("GFP_KERNEL", 0)
  local t0 = t:now()
  t:touch(p)
  local cold = t:now() - t0
  t0 = t:now()
  t:touch(p, { write = true })
  local warm = t:now() - t0
  assert(cold > warm and warm > 0, cold .. " " .. warm)
  t0 = t:now()
  t:touch(p, { write = false, offset = 100, len = 10 })
  local one = t:now() - t0
  assert(one > 0 and one < warm, one)
  ok, err = pcall(t.touch, t, p, { offset = 4000, len = 100 })
  assert(not ok and err:find("bytes [4000, 4100) lie outside the 4096-byte block", 1, true), err)
  t:free_pages(p, 0)
  ok, err = pcall(t.touch, t, p)
  assert(not ok and err:find("is not a block this scenario allocated", 1, true), err)

  -- think and sleep advance this task's clock by exactly what they ask
  t0 = t:now()
  t:think(1000)
  assert(t:now() - t0 == 1000)
  t0 = t:now()
  t:sleep(2500)
  assert(t:now() - t0 == 2500)
  t:think(0)
  ok, err = pcall(t.think, t, -1)
  assert(not ok and err:find("must not be negative", 1, true), err)

  -- drain with the lists off changes nothing
  t:drain()
  assert(k:nr_free_pages() == free0)
end }

assert(task:name() == "alloc" and task:cpu() == 0 and task:node() == 0 and task:now() == 0)
assert(m:run() == "empty")
assert(m:now() > 0)
local s = m:stats()
assert(s["ops.alloc"] == s["ops.free"], "everything allocated was freed")
assert(s["ops.alloc_failed"] == 0)
assert(s["ops.touch"] == 3 and s["ops.think"] == 2)
assert(s["ops.alloc_cycles"].count == s["ops.alloc"])
assert(s["ops.alloc_cycles"].p50 > 0 and s["ops.alloc_cycles"].p99 >= s["ops.alloc_cycles"].p50)
-- vmstat counts pages, not blocks: orders 0..10 (2047 pages), then
-- 1 + 4 + 1 + 1 (DMA) + 1 (HighMem) + 1 (the touched page)
local vm = k:vmstat()
assert(vm.pgfree == 2056, vm.pgfree)
assert(vm.pgalloc_dma + vm.pgalloc_normal + vm.pgalloc_high == 2056)
-- back to the boot state, and the free lists are consistent
assert(k:proc("buddyinfo"):find("Node 0, zone   Normal      1      1      1      1      1      1      1      1      1      1    215 ", 1, true))
k:check()
print("alloc_free: ok")
