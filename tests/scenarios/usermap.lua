-- Test: user address spaces on the 32-bit PC (t:mmap, t:utouch, t:uwalk,
-- t:munmap, t:mm): user pages come from HighMem, each first touch is one
-- page fault that zeroes the page through KM_USER0, later touches go
-- through the TLB and the user page tables with no kmap at all; munmap and
-- exit give every page and page table back (the checker runs throughout).
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "pc-i386", cpus = 2 }
local k = m:boot{ check = "on" }
local N = 64
-- With -P highpte=on the PTE page is HighMem too: each fault also maps it
-- twice with kmap_atomic(KM_PTE0), and clearing it takes one more window.
local highpte = k:policy("highpte") == "on"
local done = {}
local user_done = m:waitqueue("user done")

local function stat(name) return m:stats()[name] or 0 end

m:spawn{ cpu = 0, name = "user", fn = function(t)
  assert(t:mm() == nil)
  -- Warm up: the address space and the slab caches of its objects.
  local w = t:mmap(1)
  assert(w == 0xb8000000 - 4096, string.format("0x%x", w))   -- mmap_base, top-down
  t:munmap(w, 1)
  t:drain()
  local free0 = k:nr_free_pages()
  local a = t:mmap(N)
  assert(a == 0xb8000000 - N * 4096)
  assert(t:mm().rss == 0 and t:mm().vmas == 1)
  local katomic = stat("mm.highmem.kmap_atomic_high")
  local kmaps = stat("mm.highmem.kmap")
  local faults = 0
  for i = 0, N - 1 do faults = faults + t:utouch(a + i * 4096) end
  assert(faults == N, faults)
  assert(t:mm().rss == N and t:mm().pgtables == 1 and t:mm().min_flt == N)
  -- clear_user_highpage: one KM_USER0 window per fault, no pkmap slot.
  local want = highpte and 3 * N + 1 or N
  assert(stat("mm.highmem.kmap_atomic_high") - katomic == want, stat("mm.highmem.kmap_atomic_high") - katomic)
  assert(stat("mm.highmem.kmap") == kmaps)
  for i = 0, N - 1 do
    local u = t:uwalk(a + i * 4096)
    assert(u.present and u.zone == "HighMem" and u.pfn >= 229376 and u.levels == 2, u.zone)
  end
  -- Touch it all again: no fault, no kmap of any kind.
  katomic = stat("mm.highmem.kmap_atomic")
  for i = 0, N - 1 do assert(t:utouch(a + i * 4096, { write = false, len = 64 }) == 0) end
  assert(stat("mm.highmem.kmap_atomic") == katomic and stat("mm.highmem.kmap") == kmaps)
  -- The kernel's way in (get_user_pages): the same frame, but to touch a
  -- HighMem one the kernel must map it.
  local pfn = t:get_user_pages(a + 3 * 4096)[1]
  assert(pfn == t:uwalk(a + 3 * 4096).pfn)
  local ok0, err0 = pcall(t.touch, t, pfn, { len = 64 })
  assert(not ok0 and err0:find("reaches only through a mapping"), err0)
  t:kmap_atomic(pfn, "KM_USER0")
  t:touch(pfn, { len = 64, write = false })
  t:kunmap_atomic("KM_USER0")
  t:kmap(pfn)
  t:touch(pfn, { offset = 64, len = 64 })
  t:kunmap(pfn)
  assert(stat("mm.highmem.kmap") == kmaps + 1)
  assert(stat("mm.highmem.kmap_atomic") == katomic + (highpte and 2 or 1))   -- + follow_page's
  t:put_page(pfn)
  kmaps, katomic = stat("mm.highmem.kmap"), stat("mm.highmem.kmap_atomic")
  -- A touch straddling two pages is two page accesses.
  assert(t:utouch(a + 4096 - 8, { len = 16 }) == 0)
  assert(stat("mm.highmem.kmap_atomic") == katomic and stat("mm.highmem.kmap") == kmaps)
  -- Outside every mapping: an error, caught here.
  local ok, err = pcall(t.utouch, t, a + N * 4096)
  assert(not ok and err:find("segmentation fault: no mapping at 0xb8000000"), err)
  ok, err = pcall(t.munmap, t, a - 4096, 2)
  assert(not ok and err:find("is not mapped"), err)
  t:munmap(a, N)
  assert(t:mm().rss == 0 and t:mm().pgtables == 0 and t:mm().vmas == 0)
  assert(not t:uwalk(a).present and not t:uwalk(a).vma)
  -- A read first maps the shared zero page, read-only (2.6.11); the first
  -- write replaces it with a HighMem frame of its own (do_wp_page).
  local z = t:mmap(2)
  assert(t:utouch(z, { write = false }) == 1 and t:utouch(z + 4096, { write = false }) == 1)
  local u0, u1 = t:uwalk(z), t:uwalk(z + 4096)
  assert(u0.present and not u0.writable and u0.pfn == u1.pfn and u0.zone ~= "HighMem", u0.zone)
  assert(t:mm().rss == 0)
  assert(t:utouch(z, { write = false }) == 0)
  assert(t:utouch(z) == 1)                       -- the write faults once more
  assert(t:uwalk(z).writable and t:uwalk(z).zone == "HighMem" and t:mm().rss == 1)
  assert(stat("mm.user.zero_maps") == 2 and stat("mm.user.cow") == 1)
  t:munmap(z, 2)
  t:drain()
  assert(k:nr_free_pages() == free0, k:nr_free_pages() - free0)
  done.user = a
  user_done:wake()
end }

-- Another process on cpu 1: the same addresses, its own frames; it exits
-- with its mapping in place (exit_mmap frees it).
m:spawn{ cpu = 1, name = "other", fn = function(t)
  t:wait(user_done)            -- the counters above are the user task's alone
  local a = t:mmap(8)
  assert(a == 0xb8000000 - 8 * 4096)
  assert(t:utouch(a, { len = 8 * 4096 }) == 8)
  done.other = t:uwalk(a).pfn
  assert(t:uwalk(a).zone == "HighMem")
end }
m:run()
assert(done.user and done.other)
local s = m:stats()
assert(s["mm.user.mm_alloc"] == 2 and s["mm.user.mmput"] == 2)
assert(s["mm.user.pages_freed"] == s["mm.user.pages_mapped"])
assert(s["mm.user.pages_mapped"] == N + 9 and s["mm.user.pages_high"] == N + 9)
assert(s["mm.user.pte_free"] == s["mm.user.pte_alloc"])
assert(s["mm.user.pgd_free"] == 2)
assert(s["mm.vmstat.pgfault"] == N + 8 + 3, s["mm.vmstat.pgfault"])
assert(k:vmstat().pgfault == N + 11 and k:vmstat().pgmajfault == 0)
assert(k:proc("vmstat"):find("\npgfault " .. (N + 11) .. "\npgmajfault 0\n", 1, true))
k:check()
print(string.format("usermap: ok (%d faults, %d walk cycles on cpu0)", s["mm.vmstat.pgfault"],
  s["cpu0.tlb.walk_cycles"]))
