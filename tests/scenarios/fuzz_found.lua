-- What the fuzzers (tests/fuzz/, `make fuzz`) found in the Lua API, each
-- kept as a plain assertion so that it stays tested whatever becomes of the
-- fuzzer's byte interpreter.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "x86_64", mem = "32M", cpus = 2 }
local k = m:boot{}

local function refused(want, f, ...)
	local ok, err = pcall(f, ...)
	assert(not ok, "accepted: expected '" .. want .. "'")
	assert(tostring(err):find(want, 1, true), err)
end

m:spawn{ fn = function(t)
	-- c:avail(cpu) of a CPU the machine does not have read past the
	-- cache's per-CPU arrays (lua_api: an ASan heap-buffer-overflow).
	local c = t:kmem_cache_create("c", 64)
	assert(c:avail(1) == 0)
	refused("avail: cpu 2 does not exist (the machine has 2)", c.avail, c, 2)
	refused("avail: cpu -1 does not exist", c.avail, c, -1)
	refused("does not exist", c.avail, c, math.maxinteger)
end }
m:run()
k:check()
print("fuzz_found: ok")
