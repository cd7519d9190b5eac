-- Misuse: a task's kernel operation called from the main chunk.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
local t = m:spawn{ fn = function(t) end }
t:alloc_pages("GFP_KERNEL", 0) -- ERROR
