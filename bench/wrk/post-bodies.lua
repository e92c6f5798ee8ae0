-- wrk script: POSTs the bodies of a file (one body per line) in turn, keep-alive, and prints a
-- machine-readable summary line ("WRKJSON {...}") when done.
-- Usage: wrk -t1 -c50 -d10s -s post-bodies.lua URL -- BODIES_FILE [PATH] [CONTENT_TYPE]
local reqs = {}
local idx = 0

function init(args)
  local file = args[1]
  local path = args[2] or "/events"
  local ctype = args[3] or "application/json"
  for line in io.lines(file) do
    if #line > 0 then
      reqs[#reqs + 1] = wrk.format("POST", path, { ["Content-Type"] = ctype, ["Host"] = wrk.host .. ":" .. wrk.port }, line)
    end
  end
  if #reqs == 0 then error("no bodies in " .. file) end
  -- Threads start at different offsets so they do not send the same sequence.
  idx = math.random(0, #reqs - 1)
end

function request()
  idx = idx % #reqs + 1
  return reqs[idx]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"lat_p50_us":%d,"lat_p99_us":%d,"lat_p999_us":%d,"lat_max_us":%d,"lat_mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
end
