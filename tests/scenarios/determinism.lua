-- Test: a workload driven by math.random (seeded from --seed): the same
-- seed gives a byte-identical trace, another seed a different one.
local mmsim = require "mmsim"
local m = mmsim.machine("x86_64-numa2")
local k = m:boot{}
for cpu = 0, m:ncpus() - 1 do
  m:spawn{ cpu = cpu, fn = function(t)
    local held = {}
    for _ = 1, 200 do
      if #held > 0 and math.random() < 0.5 then
        local b = table.remove(held, math.random(#held))
        t:free_pages(b.pfn, b.order)
      else
        local order = math.random(0, 3)
        held[#held + 1] = { pfn = t:alloc_pages("GFP_KERNEL", order), order = order }
      end
      t:think(math.random(50, 500))
    end
    for _, b in ipairs(held) do t:free_pages(b.pfn, b.order) end
  end }
end
m:run()
k:check()
