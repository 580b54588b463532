-- wrk script: signed generic-webhook deliveries, pre-signed by the harness (wrk's Lua has no HMAC).
-- Each line of the requests file is "<X-Signature value>\t<JSON body>"; threads take every n-th line.
-- Env: BENCH_REQUESTS (the file), BENCH_RESULT (where done() writes its JSON summary), BENCH_RATE
-- (deliveries per second over all threads: an open-loop schedule; unset or 0, a closed loop).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now_spec = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_spec)
  return tonumber(now_spec.tv_sec) * 1000 + tonumber(now_spec.tv_nsec) / 1e6
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local n = #threads > 0 and #threads or tonumber(os.getenv("BENCH_THREADS") or "1")
  requests = {}
  local i = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if i % n == id then
      local tab = line:find("\t", 1, true)
      local headers = {
        ["Content-Type"] = "application/json",
        ["X-Signature"] = line:sub(1, tab - 1),
      }
      requests[#requests + 1] = wrk.format("POST", "/webhooks/generic", headers, line:sub(tab + 1))
    end
    i = i + 1
  end
  next_request = 1
  issued = 0
  -- The schedule: the k-th request of this thread is due k * interval after the first; a connection
  -- whose response came back early waits for the next free slot, one that came back late sends at once.
  local rate = tonumber(os.getenv("BENCH_RATE") or "0")
  interval_ms = rate > 0 and 1000 * n / rate or 0
  started_ms = nil
  slots = 0
  loaded = #requests
end

function delay()
  if interval_ms == 0 then
    return 0
  end
  local now = now_ms()
  started_ms = started_ms or now
  local due = started_ms + slots * interval_ms
  slots = slots + 1
  return math.max(0, math.floor(due - now))
end

function request()
  local r = requests[next_request]
  next_request = next_request + 1
  if next_request > #requests then
    next_request = 1 -- wrapped: later deliveries repeat (the server answers them as duplicates)
  end
  issued = issued + 1
  return r
end

function done(summary, latency, requests_stats)
  local issued_total, loaded = 0, 0
  for _, t in ipairs(threads) do
    issued_total = issued_total + (t:get("issued") or 0)
    loaded = loaded + (t:get("loaded") or 0)
  end
  local out = io.open(os.getenv("BENCH_RESULT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "issued": %d, "loaded": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, issued_total, loaded,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
  out:close()
end
