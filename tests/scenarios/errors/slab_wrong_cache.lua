-- Misuse: freeing an object into a cache it does not belong to.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "x86_64", mem = "1G", cpus = 1 }
m:boot{}
m:spawn{ fn = function(t)
  local a = t:kmem_cache_create("a", 64)
  local b = t:kmem_cache_create("b", 64)
  local o = t:kmem_cache_alloc(a, "GFP_KERNEL")
  t:kmem_cache_free(b, o) -- ERROR
end }
m:run()
