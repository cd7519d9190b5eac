-- Test: vmalloc from a task on the x86_64 preset with 2 CPUs: placement
-- with guard pages, access through 4 KiB TLB entries, vfree's TLB flush on
-- every CPU (figures from 2.6.11's rules, as in tests/test_vmalloc.c).
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "x86_64", mem = "1G", cpus = 2 }
local k = m:boot{}

m:spawn{ cpu = 0, name = "v", fn = function(t)
  local a = t:vmalloc(8192)
  local b = t:vmalloc(100000, "GFP_KERNEL")
  assert(a == 0xffffc20000000000, ("%x"):format(a))   -- hex literals wrap: the same integer
  assert(b == a + 3 * 4096, "a guard page after each area")
  local s0 = m:stats()["cpu0.tlb.misses"]
  t:vtouch(b)                                     -- 25 pages: 25 TLB misses
  assert(m:stats()["cpu0.tlb.misses"] - s0 == 25)
  t:vtouch(b, { write = false, offset = 4096, len = 8 })
  assert(m:stats()["cpu0.tlb.misses"] - s0 == 25, "now a hit")
  local info = k:proc("vmallocinfo")
  assert(info:find("0xffffc20000003000-0xffffc2000001d000  106496 pages=25 vmalloc\n", 1, true), info)
  t:vfree(a)
  t:vfree(b)
  assert(k:proc("vmallocinfo") == "")
  local ok, err = pcall(t.vfree, t, b)
  assert(not ok and err:find("trying to free a nonexistent vm area", 1, true), err)
end }
m:run()
assert(m:stats()["cpu1.tlb.ipis_received"] == 2, "one flush IPI per vfree")
print("vmalloc: ok")
