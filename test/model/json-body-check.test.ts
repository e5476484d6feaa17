import { readFileSync } from "fs";
import { join } from "path";
// Lua 5.3 in JavaScript: the check is written in the subset LuaJIT (Envoy) and Lua 5.3 share.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lua, lauxlib, lualib, to_luastring, to_jsstring } = require("fengari");

/** The gateway's Lua filter (model/mesh/json-body-check.lua) run against a stand-in of Envoy's request handle. */
const SOURCE = readFileSync(join(__dirname, "../../model/mesh/json-body-check.lua"), "utf8");
const DRIVER = `
local function run(method, body)
  local status = "passed"
  local handle = {}
  function handle:headers() return { get = function(_, key) if key == ":method" then return method end end } end
  function handle:body()
    if body == nil then return nil end
    return { length = function() return #body end, getBytes = function(_, index, length) return string.sub(body, index + 1, index + length) end }
  end
  function handle:respond(headers, _) status = headers[":status"] end
  envoy_on_request(handle)
  return status
end
return run`;

/** What the filter answers: "passed" or the status it responds with. */
function answer(method: string, body: string | undefined): string {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  if (lauxlib.luaL_dostring(L, to_luastring(`${SOURCE}\n${DRIVER}`)) !== lua.LUA_OK) throw new Error(to_jsstring(lua.lua_tostring(L, -1)));
  lua.lua_pushstring(L, to_luastring(method));
  if (body === undefined) lua.lua_pushnil(L);
  else lua.lua_pushstring(L, to_luastring(body));
  if (lua.lua_pcall(L, 2, 1, 0) !== lua.LUA_OK) throw new Error(to_jsstring(lua.lua_tostring(L, -1)));
  return to_jsstring(lua.lua_tostring(L, -1));
}

describe("the partner gateway's JSON body check", () => {
  it.each([
    ['{"amount":1250,"currency":"EUR"}'],
    ['[1, 2.5, -0, 1e10, 2E-3, 0.5e+7, "x\\u00e9\\n\\"", true, false, null, {}, []]'],
    [' \t\r\n{ "a" : { "b" : [ ] } } \n'],
    ['"a string"'],
    ["0"],
    ["-12.75"],
    [`${"[".repeat(64)}${"]".repeat(64)}`],
  ])("passes %s", (body) => {
    expect(answer("POST", body)).toBe("passed");
  });

  it.each([
    ["an empty body", ""],
    ["no body", undefined],
    ["an unclosed object", '{"a":1'],
    ["a trailing comma in an object", '{"a":1,}'],
    ["a trailing comma in an array", "[1,]"],
    ["a leading zero", "01"],
    ["a missing colon", '{"a" 1}'],
    ["an unquoted key", "{a:1}"],
    ["a control character in a string", '"a\u0001b"'],
    ["an unknown escape", '"\\q"'],
    ["a short unicode escape", '"\\u12"'],
    ["a misspelt literal", "tru"],
    ["text after the value", '{"a":1} {"b":2}'],
    ["NaN", "NaN"],
    ["a number with a bare dot", "1."],
    ["a form body", "amount=1250&currency=EUR"],
    ["nesting deeper than 64", `${"[".repeat(65)}${"]".repeat(65)}`],
  ])("answers 400 to %s", (_label, body) => {
    expect(answer("POST", body as string | undefined)).toBe("400");
  });

  it("checks PUT and PATCH bodies too, and lets methods without a body through untouched", () => {
    expect(answer("PUT", "{")).toBe("400");
    expect(answer("PATCH", "{")).toBe("400");
    expect(answer("GET", "not json")).toBe("passed");
    expect(answer("DELETE", undefined)).toBe("passed");
  });
});
