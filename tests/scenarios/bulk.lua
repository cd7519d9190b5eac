-- Test: the bulk helpers (alloc_bulk, free_bulk, churn) and the per-CPU
-- lists with drain, on the 1 GiB PC with the lists on (the default).
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}

m:spawn{ name = "bulk", fn = function(t)
  local free0 = k:nr_free_pages()

  -- alloc_bulk: n distinct, aligned blocks; order > 0 bypasses the lists
  local list = t:alloc_bulk(100, "GFP_KERNEL", 2)
  assert(#list == 100)
  local seen = {}
  for _, pfn in ipairs(list) do
    assert(math.type(pfn) == "integer" and pfn % 4 == 0 and not seen[pfn])
    seen[pfn] = true
  end
  assert(k:nr_free_pages() == free0 - 400)
  t:free_bulk(list, 2)
  assert(k:nr_free_pages() == free0)
  assert(#t:alloc_bulk(0, "GFP_KERNEL") == 0)

  -- order 0 goes through this CPU's list: the first allocation refills it
  -- with a batch of 16 (Normal's batch on this machine) and takes one
  local one = t:alloc_bulk(1, "GFP_KERNEL")
  assert(#one == 1)
  assert(k:nr_free_pages() == free0 - 16, free0 - k:nr_free_pages())
  assert(k:vmstat().pcp_refill == 1)
  -- freed, the page goes back to the list, not to the buddy lists...
  t:free_bulk(one)              -- the order defaults to each block's own
  assert(k:nr_free_pages() == free0 - 16)
  -- ...until drain returns the list's pages
  t:drain()
  assert(k:nr_free_pages() == free0)

  -- free_bulk stops at a bad entry, with the entry's index
  list = t:alloc_bulk(3, "GFP_KERNEL", 1)
  local ok, err = pcall(t.free_bulk, t, { list[1], list[2] + 1 }, 1)
  assert(not ok and err:find("free_bulk: entry 2: pfn " .. (list[2] + 1) ..
    " is not a block this scenario allocated", 1, true), err)
  t:free_bulk({ list[2], list[3] }, 1)  -- list[1] went before the error
  ok, err = pcall(t.free_bulk, t, { "x" })
  assert(not ok and err:find("entry 1 is not a pfn", 1, true), err)
  ok, err = pcall(t.alloc_bulk, t, -1, "GFP_KERNEL")
  assert(not ok and err:find("must not be negative", 1, true), err)

  -- churn: the counts add up, everything is freed at the end
  local s0 = m:stats()
  local c = t:churn{ ops = 5000, gfp = "GFP_KERNEL", orders = { 8, 4, 2, 1 }, live = 64,
                     touch = true }
  local s1 = m:stats()
  assert(c.allocs > 0 and c.failures == 0)
  assert(c.frees == c.allocs, "churn frees what it allocated")
  assert(c.allocs + c.failures <= 5000)
  assert(s1["ops.alloc"] - s0["ops.alloc"] == c.allocs + c.failures)
  assert(s1["ops.free"] - s0["ops.free"] == c.frees)
  -- the defaults: 1000 operations of order 0 with GFP_KERNEL, 64 live
  c = t:churn{}
  assert(c.allocs == c.frees and c.allocs >= 500 and c.failures == 0)
  ok, err = pcall(t.churn, t, { orders = { 0, 0 } })
  assert(not ok and err:find("the weights add up to 0", 1, true), err)
  ok, err = pcall(t.churn, t, { live = 0 })
  assert(not ok and err:find("live 1..16777216", 1, true), err)
  t:drain()
  assert(k:nr_free_pages() == free0)
end }

m:run()
k:check()
print("bulk: ok")
