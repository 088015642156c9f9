-- Shared by the wrk drivers bench/confirm.lua and bench/quote.lua (loaded with dofile; wrk runs
-- from the repository root). The jobs file (path in the JOBS environment variable, made by
-- scripts/bench's make_jobs) has one "sessionId clientSecret quoteId" per line; of THREADS wrk
-- threads, thread k takes lines k, k+n, k+2n, ... into its global `jobs`, and starts at `next_job`.
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
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
