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

local function zone(name)
  for _, z in ipairs(k:zones()) do if z.zone == name then return z end end
end
local protection = k:proc("zoneinfo"):match("zone      DMA.-protection: (%b())")
print(string.format("lowmem_reserve_ratio %s: the DMA zone keeps %s pages (protection %s) from " ..
  "Normal allocations.", k:policy("lowmem_reserve_ratio"), protection:match(", (%d+)%)$"), protection))

local app_pages, app_in_dma = 0, 0
local driver = { ok = 0, failed = 0, first_failure = nil, dma_cycles = 0 }
local full = m:waitqueue("memory full")
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
  local t0 = t:now()
  local bounced, err = t:dma(isa, normal, { dir = "from_device", len = 4096 })
  driver.bounce = bounced and (t:now() - t0) or err
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
  "2000 + 4096, plus copying the bounce page back)") or tostring(driver.bounce)))
