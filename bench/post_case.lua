-- wrk script: POST /api/v1/cases with a located, categorised case whose
-- text differs each time (so FTS indexing does real work).
local token = os.getenv("BIHUAN_TOKEN")
local n = 0
local cats = {"E0501", "E0502", "C0101", "C0110", "E0101", "V01"}

request = function()
   n = n + 1
   local body = string.format(
      '{"category":"%s","title":"压测案件 %d","description":"网格员上报井盖破损，占道经营，编号%d",' ..
      '"unit":"44030300100101","location":{"lat":22.548,"lng":114.137,"address":"深南东路%d号"}}',
      cats[(n % #cats) + 1], n, n, n)
   return wrk.format("POST", "/api/v1/cases",
      {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
