-- wrk script: GET /api/v1/locate at random points over the demo map
-- (streets are 0.02-degree squares from 114.08 E, 22.53 N, 5 x 2), with
-- about one point in ten outside every grid.
local token = os.getenv("BIHUAN_TOKEN")
math.randomseed(42)
request = function()
   local lng = 114.08 + math.random() * 0.11
   local lat = 22.53 + math.random() * 0.044
   return wrk.format("GET", string.format("/api/v1/locate?lat=%.6f&lng=%.6f", lat, lng),
      {["Authorization"] = "Bearer " .. token})
end
