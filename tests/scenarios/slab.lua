-- Test: the slab allocator and kmalloc from a task, on the x86_64 preset
-- with 2 CPUs (figures from 2.6.11's rules, worked in tests/test_slab.c):
-- a 200-byte cache aligned to the cache line has 256-byte objects, 15 per
-- slab, 2 colours; limit 120, batchcount 60, shared factor 8.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "x86_64", mem = "1G", cpus = 2 }
local k = m:boot{}
assert(k:policy("slab_colour") == "on")

m:spawn{ cpu = 0, name = "slab", fn = function(t)
  local c = t:kmem_cache_create("obj200", 200, { flags = "SLAB_HWCACHE_ALIGN" })
  assert(tostring(c) == "kmem_cache obj200")
  local i = c:info()
  assert(i.objsize == 256 and i.num == 15 and i.gfporder == 0, i.objsize .. " " .. i.num)
  assert(i.colour == 2 and i.colour_off == 64 and i.left_over == 128 and not i.off_slab)
  assert(i.limit == 120 and i.batchcount == 60 and i.shared == 8)

  -- the first allocation grows one slab and refills 15 (16 asked: untouched array)
  local objs = {}
  local t0 = t:now()
  objs[1] = t:kmem_cache_alloc(c, "GFP_KERNEL")
  assert(math.type(objs[1]) == "integer")
  assert(t:now() > t0, "the allocation costs cycles")
  assert(c:avail(0) == 14 and c:info().slabs_full == 1)
  for n = 2, 45 do objs[n] = t:kmem_cache_alloc(c, "GFP_KERNEL") end
  i = c:info()
  assert(i.slabs_full == 3 and i.colour_next == 1)
  -- colour 0, 1, 0: object offsets mod 256 are 128 or 192
  local at = { [128] = 0, [192] = 0 }
  for _, o in ipairs(objs) do
    local r = o % 256
    at[r] = (at[r] or 0) + 1
  end
  assert(at[128] == 30 and at[192] == 15, at[128] .. " " .. at[192])

  t:kmem_touch(objs[1], { offset = 0, len = 8 })
  t:kmem_touch(objs[2])
  for _, o in ipairs(objs) do t:kmem_cache_free(c, o) end
  assert(c:avail(0) == 45)
  assert(t:kmem_cache_shrink(c) == false, "nothing live: every slab freed")
  assert(c:info().num_objs == 0)
  t:kmem_cache_destroy(c)
  assert(tostring(c) == "kmem_cache (destroyed)")

  -- kmalloc over the general caches
  local p = t:kmalloc(100, "GFP_KERNEL")
  assert(t:ksize(p) == 128)
  local d = t:kmalloc(600, "GFP_KERNEL|GFP_DMA")
  assert(t:ksize(d) == 1024)
  assert(t:kmalloc(131073, "GFP_KERNEL") == nil, "too large: NULL as the kernel's")
  t:kfree(p)
  t:kfree(d)
  assert(t:ksize(p) == 0)
end }
m:run()

k:check()   -- the page allocator's and every slab cache's invariants
local info = k:proc("slabinfo")
assert(info:match("^slabinfo %- version: 2%.1\n"))
assert(info:match("\nsize%-128 +%d+ +%d+ +128 +30 +1 : tunables +120 +60 +8 : slabdata"))
assert(not info:match("obj200"), "destroyed caches leave /proc/slabinfo")
print("slab: ok")
