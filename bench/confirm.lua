-- wrk driver for confirm throughput: every request confirms a different, pre-quoted session.
-- Each thread takes its share of the jobs file (bench/jobs.lua) and stops when it is done, so
-- every confirm charges a fresh session and nothing is retried. Non-2xx answers count as errors.
dofile("bench/jobs.lua")

local card = '"paymentMethod":{"type":"CARD","card":{"number":"4242424242424242","expMonth":12,"expYear":2034,"cvc":"123"}}'

function request()
  local job = jobs[next_job]
  if job == nil then
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  next_job = next_job + 1
  return wrk.format("POST", "/v1/sessions/" .. job.sid .. "/confirm", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. job.secret,
    ["Idempotency-Key"] = job.sid .. "-k",
  }, '{"quoteId":"' .. job.quote .. '",' .. card .. '}')
end

function done(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"seconds\": %.4f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"errors\": %d}\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
