-- Misuse: destroying a cache whose objects are still in use.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "x86_64", mem = "1G", cpus = 1 }
m:boot{}
m:spawn{ fn = function(t)
  local c = t:kmem_cache_create("busy", 64)
  t:kmem_cache_alloc(c, "GFP_KERNEL")
  t:kmem_cache_destroy(c) -- ERROR
end }
m:run()
