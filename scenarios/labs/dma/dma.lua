-- Lab: the DMA zone, an ISA driver and lowmem_reserve
-- (scenarios/labs/dma/README.md).
--
-- A 64 MiB i386 PC: ZONE_DMA is the first 16 MiB, ZONE_Normal the rest. An
-- application allocates GFP_KERNEL pages until the allocator says no,
-- falling back into ZONE_DMA when Normal runs low. Then an ISA sound driver
-- (a 24-bit device) is opened: it needs a ring of 16 KiB GFP_DMA buffers
-- and DMAs into each. Run it with 2.6.11's lowmem_reserve and without it:
--
--   ./mmsim run scenarios/labs/dma/dma.lua
--   ./mmsim run scenarios/labs/dma/dma.lua -P lowmem_reserve_ratio=100000,100000
local mmsim = require "mmsim"

local BUFFERS, ORDER = 8, 2                -- the driver's ring: 8 buffers of 16 KiB

local m = mmsim.machine{ preset = "pc-i386", mem = "64M", cpus = 2 }
local k = m:boot{}
local isa = m:device{ name = "isa-sound", bits = 24, bytes_per_cycle = 1, setup = 2000 }
-- A second ISA device at a realistic ISA rate (about 2.5 MB/s: a 4 KiB page
-- takes ~4 M cycles); it shares the 16-page isa_page_pool.
local disk = m:device{ name = "isa-disk", bits = 24, bytes_per_cycle = 0.001, setup = 2000 }
local WRITERS = 64

local function zone(name)
  for _, z in ipairs(k:zones()) do if z.zone == name then return z end end
end
local protection = k:proc("zoneinfo"):match("zone      DMA.-protection: (%b())")
print(string.format("lowmem_reserve_ratio %s: the DMA zone keeps %s pages (protection %s) from " ..
  "Normal allocations.", k:policy("lowmem_reserve_ratio"), protection:match(", (%d+)%)$"), protection))

local app_pages, app_in_dma = 0, 0
local driver = { ok = 0, failed = 0, first_failure = nil, dma_cycles = 0 }
local full = m:waitqueue("memory full")
local opened = m:waitqueue("driver done")
local dma_free_before

m:spawn{ cpu = 0, name = "app", fn = function(t)
  while true do
    local got = t:alloc_bulk(256, "GFP_KERNEL", 0)
    for _, pfn in ipairs(got) do
      app_pages = app_pages + 1
      if pfn < 4096 then app_in_dma = app_in_dma + 1 end
    end
    if #got < 256 then break end             -- the allocator said no
    t:think(20000)
  end
  dma_free_before = zone("DMA").free
  full:wake()
end }

m:spawn{ cpu = 1, name = "isa-driver", fn = function(t)
  local normal = t:alloc_pages("GFP_KERNEL", 0)   -- an ordinary buffer, above 16 MiB
  t:wait(full)                               -- opened once memory is full
  for i = 1, BUFFERS do
    local buf = t:alloc_pages("GFP_KERNEL|GFP_DMA", ORDER)
    if buf then
      driver.ok = driver.ok + 1
      local t0 = t:now()
      assert(t:dma(isa, buf, { dir = "from_device" }) == false)   -- below 16 MiB: no bounce
      driver.dma_cycles = driver.dma_cycles + t:now() - t0
    else
      driver.failed = driver.failed + 1
      driver.first_failure = driver.first_failure or i
    end
  end
  -- The ordinary buffer is beyond the device's reach: bounced or refused.
  local s0 = m:stats()
  local t0 = t:now()
  local bounced, err = t:dma(isa, normal, { dir = "from_device", len = 4096 })
  driver.bounce = bounced and (t:now() - t0) or err
  driver.bounce_from_zone = m:stats()["mm.dma.isa_page_pool.from_allocator"] -
    s0["mm.dma.isa_page_pool.from_allocator"]
  opened:wake()
end }

-- Then the disk: WRITERS tasks each submit one asynchronous 4 KiB write
-- from an ordinary buffer at once; each bounce page stays taken until its
-- completion interrupt.
local writes = { waited = 0, longest = 0, done = 0 }
for i = 1, WRITERS do
  m:spawn{ cpu = i % 2, name = "writer" .. i, fn = function(t)
    t:wait(opened)
    local buf = assert(t:alloc_pages("GFP_ATOMIC", 0))
    local t0 = t:now()
    local bounced, err = t:dma(disk, buf, { async = true })
    if not bounced then writes.err = err; return end
    local took = t:now() - t0
    if took > writes.longest then writes.longest = took end
    if took > 6 * 1000 * 1000 then writes.waited = writes.waited + 1 end
    writes.done = writes.done + 1
  end }
end
m:spawn{ cpu = 1, name = "atomic-writer", fn = function(t)
  t:wait(opened)
  local buf = assert(t:alloc_pages("GFP_ATOMIC", 0))
  t:sleep(3000000)                           -- every writer has submitted
  -- Without __GFP_WAIT (and without __GFP_HIGH): the zone and the reserve
  -- are empty, it may not sleep: it fails.
  local bounced, err = t:dma(disk, buf, { async = true, gfp = "__GFP_NOWARN" })
  writes.nowait = bounced == nil and err or "went through"
  -- GFP_ATOMIC may not sleep either, but __GFP_HIGH lets the allocator dig
  -- below the watermark the others stopped at.
  bounced, err = t:dma(disk, buf, { async = true, gfp = "GFP_ATOMIC" })
  writes.atomic = bounced == nil and err or "went through (a page from the zone)"
end }
m:run()

local dma = zone("DMA")
print("")
print(string.format("  %-44s %8d", "application pages (GFP_KERNEL)", app_pages))
print(string.format("  %-44s %8d", "  of which taken from the DMA zone", app_in_dma))
print(string.format("  %-44s %8d", "DMA zone free pages when the driver opens", dma_free_before))
print(string.format("  %-44s %8d", "  its pages_min", dma.min))
print(string.format("  %-44s %8d", "driver GFP_DMA buffers (16 KiB) obtained", driver.ok))
print(string.format("  %-44s %8d", "driver GFP_DMA allocations that failed", driver.failed))
print(string.format("  %-44s %8s", "  the first failure (buffer number)", tostring(driver.first_failure or "-")))
print(string.format("  %-44s %8d", "cycles per 16 KiB ISA transfer",
  driver.ok > 0 and driver.dma_cycles // driver.ok or 0))
print(string.format("  %-44s %8d", "ISA bounce pool pages (ZONE_DMA, reserved)", m:stats()["mm.dma.pool_pages"]))
print("")
print("A 4 KiB transfer into a GFP_KERNEL buffer (pfn above 4096, beyond 24 bits): " ..
  (type(driver.bounce) == "number" and ("bounced, " .. driver.bounce .. " cycles (the device's " ..
  "2000 + 4096, plus copying the bounce page back; the bounce page came from " ..
  (driver.bounce_from_zone == 1 and "the zone" or "the reserve") .. ")") or tostring(driver.bounce)))
local s = m:stats()
if k:policy("dma_bounce") == "on" then
  print("")
  print(string.format("%d asynchronous 4 KiB writes to isa-disk at once, from buffers above 16 MiB:", WRITERS))
  print(string.format("  %-44s %8d", "bounce pages from the zone (mempool's 1st try)", s["mm.dma.isa_page_pool.from_allocator"] - driver.bounce_from_zone))
  print(string.format("  %-44s %8d", "  from the reserve (16 pages, refilled, reused)", s["mm.dma.isa_page_pool.from_reserve"] - (1 - driver.bounce_from_zone)))
  print(string.format("  %-44s %8d", "writers that waited for someone's completion", writes.waited))
  print(string.format("  %-44s %8d", "  waits on the pool (all woken at each free)", s["mm.dma.isa_page_pool.waits"]))
  print(string.format("  %-44s %8d", "longest submission to completion (cycles)", writes.longest))
  print(string.format("  %-44s %8d", "writes completed", writes.done))
  print("Meanwhile a writer that may not sleep (gfp __GFP_NOWARN): " .. tostring(writes.nowait))
  print("and the same with GFP_ATOMIC: " .. tostring(writes.atomic))
end
