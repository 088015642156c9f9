-- wrk driver for confirm throughput: every request confirms a different, pre-quoted session.
-- The jobs file (path in the JOBS environment variable) has one "sessionId clientSecret quoteId"
-- per line; thread k of n takes lines k, k+n, k+2n, ... and stops when its share is done, so
-- every confirm charges a fresh session and nothing is retried. Non-2xx answers count as errors.
local threads, counter = {}, 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  jobs, next_job = {}, 1
  local n, i = tonumber(os.getenv("THREADS")), 0
  for line in io.lines(os.getenv("JOBS")) do
    if i % n == index then
      local sid, secret, quote = line:match("(%S+) (%S+) (%S+)")
      table.insert(jobs, { sid = sid, secret = secret, quote = quote })
    end
    i = i + 1
  end
end

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
