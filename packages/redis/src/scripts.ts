import { createHash } from 'node:crypto';

/** A Lua script with the SHA-1 that EVALSHA names it by. */
export interface RedisScript {
  readonly source: string;
  readonly sha1: string;
}

const script = (source: string): RedisScript => ({
  source,
  sha1: createHash('sha1').update(source).digest('hex'),
});

// Every script touches exactly one key, passed in KEYS, so each call is a single-slot command on Redis
// Cluster. Replies are bulk strings or integers only: the same in RESP2 and RESP3, whatever the client.

/** KEYS[1] the event key; ARGV[1] the new token, ARGV[2] the lease in ms. */
export const CLAIM = script(`
local current = redis.call('GET', KEYS[1])
if not current then
  redis.call('SET', KEYS[1], 'lease:' .. ARGV[1], 'PX', ARGV[2])
  return 'claimed'
end
if current == 'done' then return 'done' end
return 'in_progress'
`);

/** KEYS[1] the event key; ARGV[1] the token, ARGV[2] the done-TTL in ms. */
export const COMPLETE = script(`
if redis.call('GET', KEYS[1]) ~= 'lease:' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
return 1
`);

/** KEYS[1] the event key; ARGV[1] the token. */
export const RELEASE = script(`
if redis.call('GET', KEYS[1]) ~= 'lease:' .. ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`);

/** KEYS[1] the person key. */
export const READ = script(`
return redis.call('GET', KEYS[1]) or '{}'
`);

/**
 * `mergeSubscriptionUpdates` (packages/core/src/state/subscriptions.ts) in Lua, rule for rule.
 *
 * KEYS[1] the person key; ARGV[1] the updates as `[[subscriptionKey, at, id, [[name, value], …]], …]`,
 * already filtered and normalised by the caller (finite versions and numbers, -0 as 0); ARGV[2] the
 * subscriptions kept; ARGV[3] the state's TTL in ms. Returns the whole state as JSON.
 *
 * Where Lua differs from JavaScript, it is made to agree:
 * - strings are ordered by UTF-16 code units, as JavaScript's `<` does, not with Lua's `<` (which is
 *   `strcoll` under the server's locale) nor by UTF-8 bytes (which put U+E000–U+FFFF before astral
 *   characters, where UTF-16 puts them after);
 * - booleans are ordered false < true, which Lua's `<` refuses;
 * - the JSON is written here, not by `cjson.encode`, which prints at most 14 significant digits (a
 *   double needs up to 17) and cannot tell an empty object from an empty array; strings still go through
 *   `cjson.encode`, which escapes them correctly.
 */
export const MERGE = script(`
local byte = string.byte

local function before(a, b)
  if a == b then return false end
  local la, lb = #a, #b
  local n = la < lb and la or lb
  local i = 1
  while i <= n and byte(a, i) == byte(b, i) do i = i + 1 end
  if i > n then return la < lb end
  local start = i
  while start > 1 do
    local c = byte(a, start)
    if c < 128 or c >= 192 then break end
    start = start - 1
  end
  local ca, cb = byte(a, start), byte(b, start)
  if ca >= 240 and cb >= 238 and cb < 240 then return true end
  if cb >= 240 and ca >= 238 and ca < 240 then return false end
  return byte(a, i) < byte(b, i)
end

local function compare_versions(a, b)
  if a.at ~= b.at then return a.at < b.at and -1 or 1 end
  if a.id == b.id then return 0 end
  return before(a.id, b.id) and -1 or 1
end

local rank = { boolean = 0, number = 1, string = 2 }

local function compare_values(a, b)
  local ra, rb = rank[type(a)], rank[type(b)]
  if ra ~= rb then return ra < rb and -1 or 1 end
  if a == b then return 0 end
  if ra == 0 then return a and 1 or -1 end
  if ra == 1 then return a < b and -1 or 1 end
  return before(a, b) and -1 or 1
end

local function is_newer(candidate, current)
  local by_version = compare_versions(candidate.version, current.version)
  if by_version ~= 0 then return by_version > 0 end
  return compare_values(candidate.value, current.value) > 0
end

local function number(n)
  if n == 0 then return '0' end
  for digits = 15, 16 do
    local text = string.format('%.' .. digits .. 'g', n)
    if tonumber(text) == n then return text end
  end
  return string.format('%.17g', n)
end

local function scalar(value)
  local kind = type(value)
  if kind == 'number' then return number(value) end
  if kind == 'boolean' then return value and 'true' or 'false' end
  return cjson.encode(value)
end

local function sorted_keys(map)
  local keys = {}
  for key in pairs(map) do keys[#keys + 1] = key end
  table.sort(keys, before)
  return keys
end

local function version_json(version)
  return '{"at":' .. number(version.at) .. ',"id":' .. cjson.encode(version.id) .. '}'
end

local stored = redis.call('GET', KEYS[1])
local updates = cjson.decode(ARGV[1])
if #updates == 0 then return stored or '{}' end
local state = stored and cjson.decode(stored) or {}

for _, update in ipairs(updates) do
  local key = update[1]
  local version = { at = update[2], id = update[3] }
  local subscription = state[key]
  if subscription == nil then
    local fields = {}
    for _, field in ipairs(update[4]) do
      fields[field[1]] = { value = field[2], version = version }
    end
    state[key] = { version = version, fields = fields }
  else
    if compare_versions(version, subscription.version) > 0 then subscription.version = version end
    for _, field in ipairs(update[4]) do
      local candidate = { value = field[2], version = version }
      local current = subscription.fields[field[1]]
      if current == nil or is_newer(candidate, current) then
        subscription.fields[field[1]] = candidate
      end
    end
  end
end

local keys = {}
for key in pairs(state) do keys[#keys + 1] = key end
local max = tonumber(ARGV[2])
if #keys > max then
  table.sort(keys, function(a, b)
    local by_version = compare_versions(state[b].version, state[a].version)
    if by_version ~= 0 then return by_version < 0 end
    return before(a, b)
  end)
  for i = max + 1, #keys do state[keys[i]] = nil end
end

local parts = {}
for _, key in ipairs(sorted_keys(state)) do
  local subscription = state[key]
  local fields = {}
  for _, name in ipairs(sorted_keys(subscription.fields)) do
    local field = subscription.fields[name]
    fields[#fields + 1] = cjson.encode(name) .. ':{"value":' .. scalar(field.value) ..
      ',"version":' .. version_json(field.version) .. '}'
  end
  parts[#parts + 1] = cjson.encode(key) .. ':{"subscriptionKey":' .. cjson.encode(key) ..
    ',"version":' .. version_json(subscription.version) .. ',"fields":{' ..
    table.concat(fields, ',') .. '}}'
end
if #parts == 0 then return '{}' end
local json = '{' .. table.concat(parts, ',') .. '}'
redis.call('SET', KEYS[1], json, 'PX', ARGV[3])
return json
`);

/**
 * GCRA (the "virtual scheduling" form of a token bucket), one schedule shared by every process: the
 * theoretical arrival time of the next request lives in KEYS[1], and Redis' own clock (`TIME`) is the one
 * clock all processes agree on. ARGV[1] the interval between requests in ms, ARGV[2] the tolerance in ms
 * ((burst - 1) × interval), ARGV[3] the longest wait the caller accepts in ms (-1: any).
 *
 * Returns the wait in ms with the slot reserved, or `-1 - wait` when the wait is longer than the caller
 * accepts: then nothing is reserved, so a refused caller never pushes the others back.
 */
export const GCRA = script(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tonumber(ARGV[2]) - now
if wait < 0 then wait = 0 end
local maxWait = tonumber(ARGV[3])
if maxWait >= 0 and wait > maxWait then return -1 - math.ceil(wait) end
local nextTat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now) + 1000)
return math.ceil(wait)
`);
