-- Lab: user pages in HighMem (scenarios/labs/usermap/README.md).
--
-- A process on the 1 GiB i386 PC maps 8 MiB of anonymous memory and goes
-- through it four times: first touches (page faults), user reads (the TLB
-- and the user page tables, nothing else), the kernel reading the same
-- pages (get_user_pages, then kmap_atomic: the kernel has no other way to
-- a HighMem frame), and user reads again while a second process shares
-- the CPU (every switch loads CR3). Then munmap.
--
--   ./mmsim run scenarios/labs/usermap/usermap.lua
local mmsim = require "mmsim"

local PAGES, USE = 2048, 64        -- 8 MiB; bytes read per page per pass

local m = mmsim.machine{ preset = "pc-i386", cpus = 2 }
local k = m:boot{}
local go = m:waitqueue("go")
local finished = m:waitqueue("finished")
local other_done = false
local rows, order = {}, {}

local function counters()
  local s = m:stats()
  return {
    t = 0,
    faults = s["mm.vmstat.pgfault"] or 0,
    high = s["mm.user.pages_high"] or 0,
    mapped = s["mm.user.pages_mapped"] or 0,
    ptes = s["mm.user.pte_alloc"] or 0,
    katomic = s["mm.highmem.kmap_atomic"] or 0,
    kmap = s["mm.highmem.kmap"] or 0,
    invlpg = s["cpu0.tlb.flush_page"] or 0,
    misses = s["cpu0.tlb.misses"] or 0,
    walk = s["cpu0.tlb.walk_cycles"] or 0,
    switches = s["mm.user.switch_mm"] or 0,
    flushes = s["cpu0.tlb.flush_all"] or 0,
    freed = s["mm.user.pages_freed"] or 0,
  }
end

local function measure(t, name, fn)
  local c0 = counters()
  local t0 = t:now()
  fn()
  local c1 = counters()
  local r = { cycles = t:now() - t0 }
  for key, v in pairs(c1) do r[key] = v - c0[key] end
  rows[name] = r
  order[#order + 1] = name
end

m:spawn{ cpu = 0, name = "app", fn = function(t)
  local a = t:mmap(PAGES)
  measure(t, "first touch (faults)", function()
    for i = 0, PAGES - 1 do t:utouch(a + i * 4096, { len = USE }) end
  end)
  local zones = {}
  for i = 0, PAGES - 1 do
    local z = t:uwalk(a + i * 4096).zone
    zones[z] = (zones[z] or 0) + 1
  end
  rows.zones = zones
  measure(t, "user reads", function()
    for i = 0, PAGES - 1 do t:utouch(a + i * 4096, { len = USE, write = false }) end
  end)
  measure(t, "kernel reads (kmap_atomic)", function()
    for i = 0, PAGES - 1 do
      local pfn = t:get_user_pages(a + i * 4096)[1]
      t:kmap_atomic(pfn, "KM_USER0")
      t:touch(pfn, { len = USE, write = false })
      t:kunmap_atomic("KM_USER0")
      t:put_page(pfn)
    end
  end)
  go:wake()                        -- the other process starts sharing cpu 0
  measure(t, "user reads, CPU shared", function()
    for i = 0, PAGES - 1 do t:utouch(a + i * 4096, { len = USE, write = false }) end
  end)
  if not other_done then t:wait(finished) end   -- munmap with cpu 0 to itself
  measure(t, "munmap", function() t:munmap(a, PAGES) end)
end }

m:spawn{ cpu = 0, name = "other", fn = function(t)
  local b = t:mmap(64)
  t:wait(go)
  for i = 1, PAGES do t:utouch(b + (i % 64) * 4096, { len = 8 }) end
  t:munmap(b, 64)
  other_done = true
  finished:wake()
end }

m:run()

local cols = {
  { "cycles per page", function(r) return string.format("%.0f", r.cycles / PAGES) end },
  { "page faults", function(r) return r.faults end },
  { "  frames from HighMem", function(r) return r.high end },
  { "  page-table pages allocated", function(r) return r.ptes end },
  { "kmap_atomic calls", function(r) return r.katomic end },
  { "kmap calls", function(r) return r.kmap end },
  { "TLB invalidations (invlpg)", function(r) return r.invlpg end },
  { "CR3 loads (switch_mm)", function(r) return r.switches end },
  { "cpu0 full TLB flushes", function(r) return r.flushes end },
  { "cpu0 TLB misses", function(r) return r.misses end },
  { "cpu0 page-walk cycles", function(r) return r.walk end },
  { "pages freed", function(r) return r.freed end },
}
local heads = { "fault", "user", "kernel", "shared", "munmap" }
io.write(string.format("%-32s", ""))
for _, h in ipairs(heads) do io.write(string.format("%10s", h)) end
io.write("\n")
for _, c in ipairs(cols) do
  io.write(string.format("  %-30s", c[1]))
  for _, name in ipairs(order) do io.write(string.format("%10s", tostring(c[2](rows[name])))) end
  io.write("\n")
end
io.write("\nWhere the app's pages live:")
for z, n in pairs(rows.zones) do io.write(string.format(" %s %d", z, n)) end
io.write("\n")
