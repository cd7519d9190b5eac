-- Test: the ISA bounce pool is a mempool (2.6.11 init_emergency_isa_pool,
-- 16 pages). With ZONE_DMA exhausted, mempool_alloc's first try of the
-- allocator fails and the reserved pages are used; 24 asynchronous
-- transfers at once from buffers above 16 MiB empty the reserve, and the
-- submitters wait in simulated time until a completion interrupt's
-- mempool_free gives a page back; an atomic submitter fails instead.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "pc-i386", cpus = 2 }
local k = m:boot{ check = "on" }
-- ISA DMA at about 2.5 MB/s on the 2.5 GHz PC: a 4 KiB page takes ~4 M cycles.
local isa = m:device{ name = "isa", bits = 24, bytes_per_cycle = 0.001, setup = 2000 }
local ready = m:waitqueue("ready")
local NW = 24
local DEVICE = 2000 + 4096 * 1000
local result = { waited = 0, done = 0 }

local function stat(n) return m:stats()[n] or 0 end

m:spawn{ cpu = 0, name = "hog", fn = function(t)
  -- Take ZONE_DMA down to what atomic allocations may not touch either.
  local n = 0
  while t:alloc_pages("GFP_ATOMIC|GFP_DMA", 0) do n = n + 1 end
  assert(n > 3000, n)
  assert(stat("mm.dma.isa_page_pool.curr_nr") == 16)
  ready:wake()
end }

for i = 1, NW do
  m:spawn{ cpu = i % 2, name = "writer" .. i, fn = function(t)
    local buf = assert(t:alloc_pages("GFP_KERNEL", 0))    -- above 16 MiB
    t:wait(ready)
    local t0 = t:now()
    assert(t:dma(isa, buf, { dir = "to_device", async = true }) == true)
    local took = t:now() - t0
    assert(took >= DEVICE, took)
    if took > DEVICE + DEVICE // 2 then result.waited = result.waited + 1 end
    -- A second one, reading this time (copied back at the interrupt).
    assert(t:dma(isa, buf, { dir = "from_device", async = true }) == true)
    result.done = result.done + 1
    t:free_pages(buf, 0)
  end }
end

m:spawn{ cpu = 1, name = "atomic", fn = function(t)
  local buf = assert(t:alloc_pages("GFP_KERNEL", 0))
  t:wait(ready)
  t:sleep(1000000)             -- every writer has submitted by now
  assert(stat("mm.dma.isa_page_pool.curr_nr") == 0)
  local b, msg = t:dma(isa, buf, { async = true, gfp = "GFP_ATOMIC" })
  assert(b == nil and msg:find("may not sleep"), msg)
  result.atomic = msg
  t:free_pages(buf, 0)
end }

m:run()
local s = m:stats()
assert(result.done == NW, result.done)
assert(result.atomic)
assert(result.waited >= NW - 16, result.waited)             -- 8 had to wait a whole transfer
assert(s["mm.dma.async"] == 2 * NW and s["mm.dma.in_flight"] == 0)
assert(s["mm.dma.pool_waits"] >= NW - 16, s["mm.dma.pool_waits"])
assert(s["mm.dma.pool_failed"] == 1)
assert(s["mm.dma.isa_page_pool.from_reserve"] >= 16)
assert(s["mm.dma.isa_page_pool.min_curr_nr"] == 0)
assert(s["mm.dma.isa_page_pool.wakeups"] >= NW - 16)
assert(s["mm.dma.isa_page_pool.curr_nr"] == 16)           -- all back at the end
assert(s["mm.dma.bounced"] == 2 * NW and s["dma0.transfers"] == 2 * NW)
k:check()
print(string.format("bounce_pool: ok (%d waits, %d woken, %d from the reserve, %d from the zone)",
  s["mm.dma.pool_waits"], s["mm.dma.isa_page_pool.wakeups"],
  s["mm.dma.isa_page_pool.from_reserve"], s["mm.dma.isa_page_pool.from_allocator"]))
