-- A runaway loop inside a task, stopped by --max-instructions.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
m:spawn{ fn = function(t)
  local x = 0
  while true do x = x + 1 end -- ERROR
end }
m:run()
