-- Misuse: freeing a slab object twice.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "x86_64", mem = "1G", cpus = 1 }
m:boot{}
m:spawn{ fn = function(t)
  local c = t:kmem_cache_create("twice", 64)
  local o = t:kmem_cache_alloc(c, "GFP_KERNEL")
  t:kmem_cache_free(c, o)
  t:kmem_cache_free(c, o) -- ERROR
end }
m:run()
