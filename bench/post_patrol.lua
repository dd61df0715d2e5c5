-- wrk script: POST /api/v1/patrols, a government check-in on one of the
-- street's enterprises (its checklist answered, GPS beside the object),
-- each with its own client id so none is an idempotent replay.  Every
-- fifth one records a 一般 hazard.  BIHUAN_OBJECTS: "id,lat,lng;id,lat,lng;…"
local token = os.getenv("BIHUAN_TOKEN")
local objs = {}
for id, lat, lng in string.gmatch(os.getenv("BIHUAN_OBJECTS"), "(%d+),([%d.]+),([%d.]+)") do
   objs[#objs + 1] = {id, lat, lng}
end
local n = 0
local thread_tag = 0

setup = function(thread)
   thread_tag = thread_tag + 1
   thread:set("tag", thread_tag)
end

request = function()
   n = n + 1
   local o = objs[(n % #objs) + 1]
   local findings = ""
   if n % 5 == 0 then
      findings = string.format(',"findings":[{"severity":"general","type":"fire","description":"压测隐患 %d，消防通道堆放杂物"}]', n)
   end
   local body = string.format(
      '{"object":%s,"client_id":"bench-%s-%d-%d","location":{"lat":%s,"lng":%s,"crs":"wgs84","accuracy":8},' ..
      '"answers":{"fire_exit":"畅通","extinguisher":"完好有效","wiring":"规范"},"note":"压测巡查 %d"%s}',
      o[1], tostring(tag), n, os.time(), o[2], o[3], n, findings)
   return wrk.format("POST", "/api/v1/patrols",
      {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
