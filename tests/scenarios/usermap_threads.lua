-- Test: two threads of one process (t:share_mm, CLONE_VM) on two CPUs:
-- one address space, the same frames at the same addresses; munmap on one
-- CPU sends an IPI to the other (flush_tlb_mm), whose next access to the
-- range is a segmentation fault; the address space goes with the last
-- thread's exit.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "pc-i386", cpus = 2 }
local k = m:boot{ check = "on" }
local mapped = m:waitqueue("mapped")
local touched = m:waitqueue("touched")
local unmapped = m:waitqueue("unmapped")
local addr, pfn0
local main, thread
local seen = {}

local function stat(n) return m:stats()[n] or 0 end

main = m:spawn{ cpu = 0, name = "main", fn = function(t)
  addr = t:mmap(4)
  assert(t:utouch(addr, { len = 4 * 4096 }) == 4)
  pfn0 = t:uwalk(addr).pfn
  mapped:wake()
  t:wait(touched)
  assert(t:mm().users == 2 and t:mm().rss == 4)
  local ipis = stat("mm.user.tlb_flush_ipis")
  t:munmap(addr, 4)
  assert(stat("mm.user.tlb_flush_ipis") == ipis + 1)       -- cpu 1 had it active
  assert(stat("cpu1.tlb.ipis_received") >= 1)
  unmapped:wake()
end }

thread = m:spawn{ cpu = 1, name = "thread", fn = function(t)
  t:wait(mapped)
  t:share_mm(main)
  assert(t:utouch(addr + 4096, { write = false }) == 0)    -- already there: no fault
  assert(t:uwalk(addr).pfn == pfn0)                         -- the same frame
  local ok, err = pcall(t.share_mm, t, main)
  assert(not ok and err:find("has an address space already"), err)
  touched:wake()
  t:wait(unmapped)
  ok, err = pcall(t.utouch, t, addr)
  assert(not ok and err:find("segmentation fault"), err)
  seen.thread = true
end }
m:run()
assert(seen.thread)
local s = m:stats()
assert(s["mm.user.mm_alloc"] == 1 and s["mm.user.mmput"] == 1)   -- one address space
assert(s["mm.user.pages_freed"] == 4 and s["mm.user.pgd_free"] == 1)
k:check()
print("usermap_threads: ok")
