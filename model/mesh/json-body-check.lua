-- The partner gateway's body check (Envoy's Lua filter, LuaJIT): a POST, PUT or PATCH passes only
-- with a body that is one well-formed JSON value (RFC 8259: objects, arrays, strings with valid
-- escapes and no control characters, numbers without leading zeros, true, false, null), inside
-- at most 64 nested objects and arrays; anything else is answered 400 before a service sees it. The buffer filter has
-- already refused a body above the limit (413), so the whole body is here. UTF-8 is not checked.
-- Written in the subset of Lua that LuaJIT (Envoy) and Lua 5.3 (the tests) share.

local MAX_DEPTH = 64
local find, sub, byte = string.find, string.sub, string.byte

local function skip_space(s, i)
  local _, e = find(s, "^[ \t\r\n]*", i)
  return e + 1
end

local function string_end(s, i)
  i = i + 1
  while true do
    local c = byte(s, i)
    if c == nil or c < 32 then return nil end
    if c == 34 then return i + 1 end
    if c == 92 then
      local n = sub(s, i + 1, i + 1)
      if n == "u" then
        if not find(s, "^%x%x%x%x", i + 2) then return nil end
        i = i + 6
      elseif n ~= "" and find('"\\/bfnrt', n, 1, true) then
        i = i + 2
      else
        return nil
      end
    else
      i = i + 1
    end
  end
end

local function number_end(s, i)
  local _, e = find(s, "^%-?0", i)
  if not e then _, e = find(s, "^%-?[1-9]%d*", i) end
  if not e then return nil end
  local _, f = find(s, "^%.%d+", e + 1)
  if f then e = f end
  local _, x = find(s, "^[eE][%+%-]?%d+", e + 1)
  if x then e = x end
  return e + 1
end

local value_end

local function literal_end(s, i, word)
  if sub(s, i, i + #word - 1) == word then return i + #word end
  return nil
end

value_end = function(s, i, depth)
  if depth >= MAX_DEPTH then return nil end
  i = skip_space(s, i)
  local c = sub(s, i, i)
  if c == "{" then
    i = skip_space(s, i + 1)
    if sub(s, i, i) == "}" then return i + 1 end
    while true do
      if sub(s, i, i) ~= '"' then return nil end
      i = string_end(s, i)
      if not i then return nil end
      i = skip_space(s, i)
      if sub(s, i, i) ~= ":" then return nil end
      i = value_end(s, i + 1, depth + 1)
      if not i then return nil end
      i = skip_space(s, i)
      local d = sub(s, i, i)
      if d == "}" then return i + 1 end
      if d ~= "," then return nil end
      i = skip_space(s, i + 1)
    end
  elseif c == "[" then
    i = skip_space(s, i + 1)
    if sub(s, i, i) == "]" then return i + 1 end
    while true do
      i = value_end(s, i, depth + 1)
      if not i then return nil end
      i = skip_space(s, i)
      local d = sub(s, i, i)
      if d == "]" then return i + 1 end
      if d ~= "," then return nil end
      i = i + 1
    end
  elseif c == '"' then
    return string_end(s, i)
  elseif c == "t" then
    return literal_end(s, i, "true")
  elseif c == "f" then
    return literal_end(s, i, "false")
  elseif c == "n" then
    return literal_end(s, i, "null")
  end
  return number_end(s, i)
end

local function is_json(s)
  local i = value_end(s, 1, 0)
  return i ~= nil and skip_space(s, i) == #s + 1
end

local WITH_BODY = { POST = true, PUT = true, PATCH = true }

function envoy_on_request(handle)
  if not WITH_BODY[handle:headers():get(":method")] then return end
  local body = handle:body()
  local text = ""
  if body ~= nil then text = body:getBytes(0, body:length()) end
  if not is_json(text) then
    handle:respond({ [":status"] = "400", ["content-type"] = "application/json" }, '{"error":"the body is not one well-formed JSON value"}')
  end
end
