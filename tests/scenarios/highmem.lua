-- Test: HighMem mappings from tasks (t:kmap, t:kunmap, t:kmap_atomic,
-- t:kunmap_atomic), t:touch through them, a task waiting for a pkmap slot
-- until another task's kunmap, and the misuses refused.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "pc-i386", cpus = 2 }
local k = m:boot{}
local filled = m:waitqueue("filled")
local PKMAP_BASE = 0xff800000

local held = {}
local order = {}
m:spawn{ cpu = 0, name = "filler", fn = function(t)
  -- Lowmem: kmap is the direct address.
  local low = t:alloc_pages("GFP_KERNEL", 0)
  assert(t:kmap(low) == 0xc0000000 + low * 4096)
  t:kunmap(low)
  -- A HighMem block is mapped a page at a time (kmap maps its first page).
  local two = t:alloc_pages("GFP_HIGHUSER", 1)
  t:kmap(two)
  t:touch(two, { len = 4096 })
  local ok, err = pcall(t.touch, t, two, { offset = 4000, len = 200 })
  assert(not ok and err:find("cross a page boundary"), err)
  ok, err = pcall(t.touch, t, two, { offset = 4096 })
  assert(not ok and err:find("t:kmap%(" .. (two + 1)), err)
  t:kunmap(two)
  t:free_pages(two, 1)
  -- 1024 HighMem pages held fill the pool (slot 0 after the first wrap).
  for i = 1, 1024 do
    local p = assert(t:alloc_pages("GFP_HIGHUSER", 0))
    local va = t:kmap(p)
    assert(va >= PKMAP_BASE and va < PKMAP_BASE + 1024 * 4096)
    held[i] = p
  end
  t:touch(held[1])                            -- through the pkmap address
  t:touch(held[2], { offset = 64, len = 8, write = false })
  order[#order + 1] = "filled@" .. t:now()
  filled:wake()
  t:sleep(200000)
  order[#order + 1] = "kunmap@" .. t:now()
  t:kunmap(held[7])                           -- count 2 -> 1: wakes the waiter
  local ok, err = pcall(t.kunmap, t, held[7])
  assert(not ok and err:find("holds no kmap"), err)
end }

m:spawn{ cpu = 1, name = "waiter", fn = function(t)
  t:wait(filled)                              -- until the filler holds all 1024
  local p = t:alloc_pages("GFP_HIGHUSER", 0)
  local ok, err = pcall(t.touch, t, p)
  assert(not ok and err:find("t:kmap"), err)
  local va = t:kmap(p)                        -- the pool is full: waits
  order[#order + 1] = "mapped@" .. t:now()
  -- held[7]'s slot 7, freed by the wrap flush (held[1] reused slot 1: its
  -- frame was the freed order-1 block's, still mapped at count 1).
  assert(va == PKMAP_BASE + 7 * 4096, va)
  t:touch(p)
  t:kunmap(p)

  -- kmap_atomic: the CPU's window per type; touch goes through it.
  local w = t:kmap_atomic(p, "KM_USER0")
  assert(w == 0xfffff000 - (4 + 3 + 13 * 1) * 4096, w)
  t:touch(p, { len = 64 })
  ok, err = pcall(t.kmap_atomic, t, p, "KM_USER0")
  assert(not ok and err:find("in use"), err)
  ok, err = pcall(t.kmap, t, p)               -- may not sleep while atomic
  assert(not ok and err:find("atomic"), err)
  t:kunmap_atomic("KM_USER0")
  ok, err = pcall(t.kunmap_atomic, t, "KM_USER0")
  assert(not ok and err:find("holds no KM_USER0 window"), err)
  ok, err = pcall(t.kmap_atomic, t, p, "KM_NOPE")
  assert(not ok and err:find("unknown km_type"), err)
  assert(t:kmap_atomic(p, 4) == w - 4096)     -- KM_USER1 by number
  t:kunmap_atomic(4)
end }
m:run()
assert(order[1]:find("^filled@"), order[1])
assert(order[2] == "kunmap@" .. order[2]:match("%d+"))
assert(order[3]:find("^mapped@"), order[3])
assert(tonumber(order[3]:match("%d+")) >= tonumber(order[2]:match("%d+")))

local s = m:stats()
assert(s["mm.highmem.kmap_waits"] == 1, s["mm.highmem.kmap_waits"])
assert(s["mm.highmem.kunmap_wakeups"] == 1)
assert(s["mm.highmem.flushes"] == 3, s["mm.highmem.flushes"])   -- fill, failed lap, retry
assert(s["mm.highmem.kmap_atomic_high"] == 2)
assert(s["mm.highmem.tlb_invlpg"] == 2)
assert(s["cpu1.tlb.flush_page"] == 2)
assert(s["cpu0.tlb.ipis_received"] >= 1)
assert(s["sim.waits"] >= 1)
assert(s["mm.highmem.kmap_lock_acquisitions"] == s["mm.highmem.kmap_high"] + s["mm.highmem.kunmap"] - 1)
print("highmem: ok")
