-- Lab: the buddy system splitting and merging (scenarios/labs/buddy/README.md).
--
-- The 1 GiB PC (pc-i386) boots the classic 2.6.11 allocator with the per-CPU
-- page lists off, so that every page goes to and comes from the buddy free
-- lists and /proc/buddyinfo shows each step. One task allocates blocks of
-- orders 0 to 3, then frees them in an order chosen to show when a freed
-- block can merge with its buddy and when it cannot.
--
-- Run it:  ./mmsim run scenarios/labs/buddy/buddy.lua
-- Trace:   ./mmsim run scenarios/labs/buddy/buddy.lua -o buddy.jsonl --events 'mm_page_*'
local mmsim = require "mmsim"

local m = mmsim.machine("pc-i386")
local k = m:boot{ pcp = "off" }

-- The Normal zone's line of /proc/buddyinfo: free blocks per order 0..10.
local function normal()
  for _, z in ipairs(k:zones()) do
    if z.zone == "Normal" then return z end
  end
end

local last
local function show(what)
  local nr = normal().nr_free
  local cells = {}
  for o = 1, #nr do cells[#cells + 1] = string.format("%4d", nr[o]) end
  print(string.format("%-42s%s", what, table.concat(cells)))
  if last then
    -- What changed, runs of orders with the same change grouped:
    -- "orders 0-9 +1, order 10 -1".
    local parts, o = {}, 1
    while o <= #nr do
      local d = nr[o] - last[o]
      if d ~= 0 then
        local e = o
        while e < #nr and nr[e + 1] - last[e + 1] == d do e = e + 1 end
        parts[#parts + 1] = (e > o and string.format("orders %d-%d", o - 1, e - 1)
          or string.format("order %d", o - 1)) .. string.format(" %+d", d)
        o = e + 1
      else
        o = o + 1
      end
    end
    if #parts > 0 then print(string.format("%-42s(%s)", "", table.concat(parts, ", "))) end
  end
  last = nr
end

print("The 1 GiB PC, zone Normal. Free blocks of each order (order n = 2^n pages):")
print(string.format("%-42s%s", "order:", "   0   1   2   3   4   5   6   7   8   9  10"))
show("at boot")

m:spawn{ name = "buddy", fn = function(t)
  -- Boot left one block on each list below order 10 (the odd pieces of
  -- memory around the kernel's boot data). Take them out of the way, so
  -- that everything below comes from splitting one order-10 block.
  local leftovers = {}
  for order = 0, 9 do leftovers[order] = t:alloc_pages("GFP_KERNEL", order) end
  show("boot's leftovers taken")

  print("\nAllocating:")
  local a = t:alloc_pages("GFP_KERNEL", 0)
  show(string.format("A = 1 page (order 0)      at pfn %d", a))
  print(string.format("%-42s one order-10 block split in halves down to a page;\n" ..
    "%-42s each upper half went onto the list one order below", "", ""))
  local b = t:alloc_pages("GFP_KERNEL", 0)
  show(string.format("B = 1 page (order 0)      at pfn %d", b))
  local c = t:alloc_pages("GFP_KERNEL", 1)
  show(string.format("C = 2 pages (order 1)     at pfn %d", c))
  local d = t:alloc_pages("GFP_KERNEL", 2)
  show(string.format("D = 4 pages (order 2)     at pfn %d", d))
  local e = t:alloc_pages("GFP_KERNEL", 3)
  show(string.format("E = 8 pages (order 3)     at pfn %d", e))

  -- A block's buddy: flip bit `order` of its page index in the zone
  -- (zone Normal starts at pfn 4096, a multiple of 1024, so pfns do).
  local function buddy(pfn, order) return pfn ~ (1 << order) end
  print(string.format("\nBuddies: A's buddy is pfn %d (B), C's is %d (A+B as one order-1 block), " ..
    "D's is %d (A..C),\nE's is %d (A..D).", buddy(a, 0), buddy(c, 1), buddy(d, 2), buddy(e, 3)))
  print("\nFreeing, in an order that shows when merging stops:")
  t:free_pages(b, 0)
  show("free B: its buddy A is in use")
  t:free_pages(d, 2)
  show("free D: its buddy (A,B,C) is not free")
  t:free_pages(a, 0)
  show("free A: merges with B; C still in use")
  t:free_pages(c, 1)
  show("free C: A+B+C+D merge; E still in use")
  t:free_pages(e, 3)
  show("free E: merges all the way up to order 10")

  for order = 0, 9 do t:free_pages(leftovers[order], order) end
  show("boot's leftovers freed")
end }

m:run()
k:check()    -- the free lists are consistent (no two free buddies left unmerged)
print("\nAll of /proc/buddyinfo at the end:")
io.write(k:proc("buddyinfo"))
