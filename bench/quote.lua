-- wrk driver for fee-quote latency: POST /v1/sessions/{id}/fee-quotes, as the widget sends it when
-- the payer's card brand becomes known. Each thread cycles through its share of the jobs file
-- (bench/jobs.lua), so the per-session rate limit of the product stays on and is not what is
-- measured. wrk's own latency report is the result; non-2xx answers are counted by wrk.
dofile("bench/jobs.lua")

local body = '{"method":"CARD","brand":"VISA"}'

function request()
  local job = jobs[next_job]
  next_job = next_job % #jobs + 1
  return wrk.format("POST", "/v1/sessions/" .. job.sid .. "/fee-quotes", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. job.secret,
  }, body)
end
