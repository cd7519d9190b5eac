-- Lab: kmalloc versus vmalloc for large buffers (scenarios/labs/vmalloc/README.md).
--
-- Part 1: allocate BUFFERS buffers of 128 KiB (kmalloc's largest class) each
-- way and read one word of every page of all of them, ROUNDS times. kmalloc
-- memory is in the direct map, which large pages cover; a vmalloc buffer
-- needs a 4 KiB TLB entry per page, and the dTLB has 64.
-- Part 2: fragment memory (take every free frame, give back every other
-- one, and taking the large blocks the watermarks had kept), then ask
-- again: kmalloc needs 32 contiguous frames, vmalloc none. Part 2 runs
-- first, so that no kmalloc object is cached yet.
local mmsim = require "mmsim"

local BUFFERS, ROUNDS, SIZE = 8, 10, 131072

local m = mmsim.machine{ preset = "x86_64", mem = "256M", cpus = 1 }
local k = m:boot{}

local function tlb() return m:stats()["cpu0.tlb.misses"] end

local rows = {}
m:spawn{ cpu = 0, name = "lab", fn = function(t)
  -- Part 2 first (before part 1 leaves kmalloc objects cached): fragmentation
  local all = t:alloc_bulk(1 << 20, "GFP_KERNEL", 0)
  local odd = {}
  for i = 1, #all, 2 do odd[#odd + 1] = all[i] end
  t:free_bulk(odd, 0)
  -- the frames the watermarks kept back are in large blocks: take those too
  local blocks = t:alloc_bulk(1 << 20, "GFP_KERNEL", 5)
  local kp = t:kmalloc(SIZE, "GFP_KERNEL|__GFP_NOWARN")
  local vp = t:vmalloc(SIZE, "GFP_KERNEL")
  rows.frag = { frames = #all, blocks = #blocks, kmalloc = kp ~= nil, vmalloc = vp ~= nil }
  if kp then t:kfree(kp) end
  if vp then t:vfree(vp) end
  local even = {}
  for i = 2, #all, 2 do even[#even + 1] = all[i] end
  t:free_bulk(even, 0)                    -- memory whole again for part 1
  t:free_bulk(blocks, 5)

  -- Part 1: the same buffers both ways
  for _, way in ipairs{ "kmalloc", "vmalloc" } do
    local bufs, t0 = {}, t:now()
    for i = 1, BUFFERS do
      bufs[i] = way == "kmalloc" and t:kmalloc(SIZE, "GFP_KERNEL") or t:vmalloc(SIZE)
    end
    local alloc = t:now() - t0
    for i = 1, BUFFERS do                 -- first touch: write everything
      if way == "kmalloc" then t:kmem_touch(bufs[i]) else t:vtouch(bufs[i]) end
    end
    local m0, t1 = tlb(), t:now()
    for _ = 1, ROUNDS do
      for i = 1, BUFFERS do
        for off = 0, SIZE - 4096, 4096 do
          if way == "kmalloc" then
            t:kmem_touch(bufs[i], { write = false, offset = off, len = 8 })
          else
            t:vtouch(bufs[i], { write = false, offset = off, len = 8 })
          end
        end
      end
    end
    local walk, misses = t:now() - t1, tlb() - m0
    t0 = t:now()
    for i = 1, BUFFERS do
      if way == "kmalloc" then t:kfree(bufs[i]) else t:vfree(bufs[i]) end
    end
    rows[#rows + 1] = { way = way, alloc = alloc, walk = walk, misses = misses,
                        free = t:now() - t0 }
  end

end }
m:run()

local visits = BUFFERS * ROUNDS * SIZE // 4096
print(string.format("%d buffers of %d KiB, one word per page read %d times (%d reads).",
  BUFFERS, SIZE // 1024, ROUNDS, visits))
print("")
print(string.format("  %-8s %12s %12s %12s %14s %10s", "", "alloc cyc", "free cyc",
  "walk cyc", "cyc per read", "TLB misses"))
for _, r in ipairs(rows) do
  print(string.format("  %-8s %12d %12d %12d %14.1f %10d", r.way, r.alloc, r.free, r.walk,
    r.walk / visits, r.misses))
end
print("")
print(string.format("After taking all %d free frames, giving back every other one, and taking " ..
  "the %d order-5 blocks left:", rows.frag.frames, rows.frag.blocks))
print(string.format("  kmalloc(%d): %s", SIZE, rows.frag.kmalloc and "succeeded" or
  "failed (no 32 contiguous frames)"))
print(string.format("  vmalloc(%d): %s", SIZE, rows.frag.vmalloc and "succeeded (32 scattered frames)"
  or "failed"))
