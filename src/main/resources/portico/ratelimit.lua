-- Portico rate_limit: one atomic check against Redis for all of a block's limits.
-- The time is the Redis server's (TIME), never a gateway node's clock, so nodes whose clocks
-- differ still agree on windows. The arithmetic matches FixedWindowMeter, SlidingWindowMeter and
-- TokenBucketMeter (there in nanoseconds, here in microseconds).
--
-- KEYS[i]     one hash per limit and client key
-- ARGV[1]     'take' or 'refund'
-- ARGV[2]     permits wanted (take: granted only if every limit has at least one; as many as the
--             tightest limit has, up to this many, for a lease) or given back (refund)
-- ARGV[3]     take: the latest Redis server time (microseconds) at which the call still counts, or 0;
--             a call that runs later (it waited behind a slow or paused Redis, and the node gave up on
--             it) does nothing and replies {-1, now}, so that requests refused or let through
--             uncounted during an outage are not counted once Redis catches up
-- then per limit: algorithm (1 sliding_window, 2 fixed_window, 3 token_bucket), limit, window in
-- microseconds, burst, and for refund the window the permits were taken from.
--
-- take replies {granted, then per limit: remaining, reset_us, retry_us, window, and last the server
-- time (the node estimates the server's clock from it for ARGV[3])}; refund replies {}.
-- Hash fields: windows a = window, b = count, c = previous count; bucket a = tokens, b = stamp.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local take = ARGV[1] == 'take'
local want = tonumber(ARGV[2])
local deadline = tonumber(ARGV[3])
if take and deadline > 0 and now > deadline then return {-1, now} end
local stride = take and 4 or 5
local limits = {}
local grant = want

for i = 1, #KEYS do
  local at = 3 + (i - 1) * stride
  local s = {algo = tonumber(ARGV[at + 1]), limit = tonumber(ARGV[at + 2]), window = tonumber(ARGV[at + 3]),
             burst = tonumber(ARGV[at + 4])}
  if not take then s.from = tonumber(ARGV[at + 5]) end
  local h = redis.call('HMGET', KEYS[i], 'a', 'b', 'c')
  if s.algo == 3 then
    s.rate = s.limit / s.window
    local tokens, stamp = tonumber(h[1]), tonumber(h[2])
    if tokens == nil or stamp == nil then tokens, stamp = s.burst, now end
    if now > stamp then
      tokens = math.min(s.burst, tokens + (now - stamp) * s.rate)
      stamp = now
    end
    s.tokens, s.stamp, s.w = tokens, stamp, 0
    s.available = math.floor(tokens)
  else
    local w = math.floor(now / s.window)
    local cw, count, prev = tonumber(h[1]), tonumber(h[2]) or 0, tonumber(h[3]) or 0
    if cw == nil then count, prev = 0, 0
    elseif cw == w - 1 then count, prev = 0, count
    elseif cw < w - 1 then count, prev = 0, 0 end
    s.w, s.count, s.prev, s.elapsed = w, count, prev, now - w * s.window
    if s.algo == 2 then
      s.available = s.limit - count
    else
      s.weight = (s.window - s.elapsed) / s.window
      s.available = math.floor(s.limit - (prev * s.weight + count))
    end
  end
  if s.available < grant then grant = s.available end
  limits[i] = s
end

local function save(key, s)
  if s.algo == 3 then
    redis.call('HSET', key, 'a', string.format('%.17g', s.tokens), 'b', string.format('%d', s.stamp))
    redis.call('PEXPIRE', key, math.ceil((s.burst - s.tokens) / s.rate / 1000) + 1000)
  else
    redis.call('HSET', key, 'a', string.format('%d', s.w), 'b', string.format('%d', s.count), 'c', string.format('%d', s.prev))
    redis.call('PEXPIRE', key, math.ceil((2 * s.window - s.elapsed) / 1000) + 1000)
  end
end

if not take then
  for i, s in ipairs(limits) do
    if s.algo == 3 then
      s.tokens = math.min(s.burst, s.tokens + want)
      save(KEYS[i], s)
    elseif s.w == s.from then
      s.count = math.max(0, s.count - want)
      save(KEYS[i], s)
    elseif s.w == s.from + 1 and s.algo == 1 then
      s.prev = math.max(0, s.prev - want)
      save(KEYS[i], s)
    end
  end
  return {}
end

if grant < 1 then grant = 0 end
local reply = {grant}
for i, s in ipairs(limits) do
  local refused = grant == 0 and s.available < 1
  local remaining, reset, retry = 0, 0, 0
  if s.algo == 3 then
    s.tokens = s.tokens - grant
    remaining = math.floor(s.tokens)
    reset = math.ceil((s.burst - s.tokens) / s.rate)
    if refused then retry = math.ceil((1 - s.tokens) / s.rate) end
  else
    s.count = s.count + grant
    reset = s.window - s.elapsed
    if s.algo == 2 then
      remaining = s.limit - s.count
      if refused then retry = reset end
    else
      remaining = math.floor(s.limit - (s.prev * s.weight + s.count))
      if refused then
        local room = s.limit - 1 - s.count
        if room >= 0 and s.prev > 0 then
          retry = math.ceil(s.window - s.elapsed - room * s.window / s.prev)
        else
          retry = s.window - s.elapsed + math.ceil(s.window * (1 - (s.limit - 1) / s.count))
        end
      end
    end
  end
  if grant > 0 then save(KEYS[i], s) end
  if remaining < 0 then remaining = 0 end
  reply[#reply + 1] = remaining
  reply[#reply + 1] = reset
  reply[#reply + 1] = retry
  reply[#reply + 1] = s.w
end
reply[#reply + 1] = now
return reply
