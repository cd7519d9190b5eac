-- Test: DMA devices (m:device) and transfers from tasks (t:dma): GFP_DMA
-- below 16 MiB, an ISA device (24-bit) bouncing a buffer above 16 MiB
-- through its pool (copy charged both ways) or, with -P dma_bounce=off,
-- refusing it; a 32-bit device reaching everything on the 1 GiB PC.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
local bounce = k:policy("dma_bounce") == "on"
local free0 = k:zones()[1].free
local isa = m:device{ name = "isa", bits = 24, bytes_per_cycle = 1, setup = 2000 }
local pci = m:device{ name = "pci", bits = 32 }
assert(isa == 0 and pci == 1)
-- The ISA bounce pool: 16 pages of ZONE_DMA, reserved at once.
assert(k:zones()[1].free == free0 - 16, k:zones()[1].free)
local ok, err = pcall(m.device, m, { name = "isa" })
assert(not ok and err:find("attached already"), err)
ok, err = pcall(m.device, m, { name = "x", bits = 0 })
assert(not ok and err:find("must be 1..64"), err)

local cost = {}
m:spawn{ name = "driver", fn = function(t)
  local low = t:alloc_pages("GFP_KERNEL|GFP_DMA", 0)
  assert(low < 4096, "GFP_DMA is below 16 MiB")
  local normal = t:alloc_pages("GFP_KERNEL", 0)
  assert(normal >= 4096)
  local high = t:alloc_pages("GFP_HIGHUSER", 0)

  local t0 = t:now()
  assert(t:dma(isa, low, { dir = "from_device" }) == false)    -- in reach
  cost.direct = t:now() - t0
  t0 = t:now()
  local b, msg = t:dma("isa", normal, { dir = "from_device" })
  cost.bounced = t:now() - t0
  if bounce then
    assert(b == true, msg)
    assert(t:dma(isa, high, { dir = "to_device", len = 512 }) == true)
  else
    assert(b == nil and msg:find("reaches only below 0x1000000"), msg)
  end
  assert(t:dma(pci, high) == false)                            -- 32 bits: all of 1 GiB
  ok, err = pcall(t.dma, t, isa, normal, { dir = "sideways" })
  assert(not ok and err:find("must be 'to_device'"), err)
  ok, err = pcall(t.dma, t, "scsi", normal)
  assert(not ok and err:find("no device named 'scsi'"), err)
  ok, err = pcall(t.dma, t, isa, normal + 1)
  assert(not ok and err:find("not a block"), err)
end }
m:run()
local s = m:stats()
assert(s["mm.dma.pool_pages"] == 16)
assert(s["dma0.transfers"] == (bounce and 3 or 1), s["dma0.transfers"])
if bounce then
  assert(s["mm.dma.bounced"] == 2 and s["mm.dma.bounce_pages"] == 2)
  assert(s["mm.dma.copy_bytes"] == 4096 + 512)
  assert(s["mm.dma.copy_cycles"] > 0)
  assert(s["mm.highmem.kmap_atomic_high"] == 1)    -- KM_BOUNCE_READ for the HighMem page
  assert(cost.bounced > cost.direct, cost.bounced .. " vs " .. cost.direct)
else
  assert(s["mm.dma.refused"] == 1 and s["dma0.refusals"] == 1)
end
print("dma: ok (bounce " .. (bounce and "on" or "off") .. ", direct " .. cost.direct ..
      " cycles, beyond the mask " .. cost.bounced .. ")")
