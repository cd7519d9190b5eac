-- ZONE_MOVABLE (6.1, movablecore=512M): the hand-made capture
-- tests/data/shapes-6.1/x86_64_movablecore (its README works out the
-- numbers). Movable allocations (GFP_HIGHUSER_MOVABLE) are served from the
-- Movable zone first; GFP_KERNEL's zonelist stops at Normal, so kernel
-- allocations never land there.
local mmsim = require "mmsim"
local MOVABLE = 1179648          -- zone_movable_pfn: 4 GiB + 512 MiB
local m = mmsim.machine{ from = "tests/data/shapes-6.1/x86_64_movablecore" }
local k = m:boot{ era = "modern" }
assert(k:min_free_kbytes() == 67584, k:min_free_kbytes())
local zi = k:proc("zoneinfo")
assert(zi:find("Node 0, zone  Movable\n  pages free     %d+\n        boost    0\n        min      1858\n"), zi)
assert(zi:find("protection: (0, 2958, 3470, 3901, 3901)", 1, true), zi)
assert(k:proc("zonelists"):find("mminit::zonelist general 0:Movable = 0:Movable 0:Normal 0:DMA32 0:DMA \n",
				 1, true))
local mov, user, kern = {}, nil, {}
m:spawn{ cpu = 0, name = "movable", fn = function(t)
	for i = 1, 64 do mov[i] = t:alloc_pages("GFP_HIGHUSER_MOVABLE", 0) end
	user = t:alloc_pages("GFP_HIGHUSER", 0)
	for i = 1, 2000 do kern[i] = t:alloc_pages("GFP_KERNEL", 0) end
	for i = 1, 64 do t:free_pages(mov[i], 0) end
	for i = 1, 2000 do t:free_pages(kern[i], 0) end
	t:free_pages(user, 0)
end }
m:run()
for i = 1, 64 do assert(mov[i] >= MOVABLE, mov[i]) end
assert(user < MOVABLE and user >= 1048576, user)        -- x86_64: HIGHUSER is Normal
for i = 1, 2000 do assert(kern[i] < MOVABLE, kern[i]) end
-- Each zone type has its own pgalloc counter (6.1 PGALLOC_MOVABLE): the 64
-- movable pages, nothing else, whatever the per-CPU refills took.
local vm = k:vmstat()
assert(vm.pgalloc_movable == 64, vm.pgalloc_movable)
assert(vm.pgalloc_normal == 2001, vm.pgalloc_normal)
assert(k:proc("vmstat"):find("\npgalloc_movable 64\n", 1, true))
print("shapes61_movable: ok")
