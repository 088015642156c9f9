-- wrk driver for fee-quote latency: POST /v1/sessions/{id}/fee-quotes, as the widget sends it when
-- the payer's card brand becomes known. The jobs file (path in JOBS; one "sessionId clientSecret
-- quoteId" per line, as for bench/confirm.lua) is shared out among the threads, and each thread
-- cycles through its sessions, so the per-session rate limit of the product stays on and is not
-- what is measured. wrk's own latency report is the result; non-2xx answers are counted by wrk.
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
      local sid, secret = line:match("(%S+) (%S+)")
      table.insert(jobs, { sid = sid, secret = secret })
    end
    i = i + 1
  end
end

local body = '{"method":"CARD","brand":"VISA"}'

function request()
  local job = jobs[next_job]
  next_job = next_job % #jobs + 1
  return wrk.format("POST", "/v1/sessions/" .. job.sid .. "/fee-quotes", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. job.secret,
  }, body)
end
