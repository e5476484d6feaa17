import { shippedAllLayers } from "../support/synth";

/* eslint-disable @typescript-eslint/no-require-imports */
const fast = require("../../scripts/stable-stringify.cjs") as (obj: unknown, opts?: { space?: number | string }) => string | undefined;
// The module cdktf writes its stacks with (its own copy, under cdktf's node_modules).
const original = require(require.resolve("json-stable-stringify", { paths: [require.resolve("cdktf")] })) as typeof fast;
/* eslint-enable @typescript-eslint/no-require-imports */

/** What the bundled app writes each cdk.tf.json with must be what cdktf's module writes. */
describe("scripts/stable-stringify.cjs writes what json-stable-stringify writes", () => {
  it.each(shippedAllLayers().map((s) => [s.name, s] as const))("%s", (_name, stack) => {
    expect(fast(stack.json, { space: 2 })).toBe(original(stack.json, { space: 2 }));
  });

  const cases: [string, unknown][] = [
    ["empty containers, nested", { a: [], b: {}, c: [[], [{}]], d: { e: { f: [] } } }],
    ["undefined, functions and symbols (skipped in objects, null in arrays)", { a: undefined, b: () => 1, c: Symbol("s"), d: [undefined, () => 1, 2] }],
    ["null, numbers, booleans, strings with escapes", { n: null, x: [0, -0, 1.5, 1e21, -8.1e298, NaN, Infinity], t: true, f: false, s: 'quote " backslash \\ newline \n tab \t unicode é ✓ \u2028' }],
    ["keys out of order, unicode and empty", { b: 1, a: 2, "": 3, Z: 4, é: 5, "10": 6, "9": 7 }],
    ["toJSON (a date)", { when: new Date(0), nested: { toJSON: () => ({ z: 1, a: [1] }) } }],
    ["scalars at the top", 42],
    ["a string at the top", "text"],
    ["undefined at the top", undefined],
  ];
  it.each(cases)("%s", (_label, value) => {
    for (const space of [2, 4, "\t", 0, undefined]) expect([space, fast(value, space === undefined ? undefined : { space })]).toEqual([space, original(value, space === undefined ? undefined : { space })]);
  });

  it("refuses an option cdktf does not pass, and a cycle", () => {
    expect(() => fast({}, { cmp: () => 0 } as never)).toThrow(/supports the option "space" only/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => fast(cycle, { space: 2 })).toThrow(TypeError);
  });
});
