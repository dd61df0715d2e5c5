-- wrk script: POST /api/v1/cases with a located, categorised case whose
-- text differs each time (so FTS indexing does real work).
-- BENCH_PREFER=minimal asks for the short 201 (Prefer: return=minimal).
local token = os.getenv("BIHUAN_TOKEN")
local prefer = os.getenv("BENCH_PREFER")
local n = 0
local cats = {"E0501", "E0502", "C0101", "C0110", "E0101", "V01"}

request = function()
   n = n + 1
   local body = string.format(
      '{"category":"%s","title":"压测案件 %d","description":"网格员上报井盖破损，占道经营，编号%d",' ..
      '"unit":"44030300100101","location":{"lat":22.548,"lng":114.137,"address":"深南东路%d号"}}',
      cats[(n % #cats) + 1], n, n, n)
   local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
   if prefer and prefer ~= "" then
      headers["Prefer"] = "return=" .. prefer
   end
   return wrk.format("POST", "/api/v1/cases", headers, body)
end
