import { sameJson } from "../../tfjson/terraform";
import { resourcesOf, shippedAllLayers } from "../support/synth";

/** What sameJson was and is defined as: the JSON of both, object keys sorted, is the same. */
const canonical = (x: unknown): string =>
  JSON.stringify(x, (_k, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value,
  );
const byJson = (a: unknown, b: unknown) => canonical(a) === canonical(b);

describe("sameJson: equal JSON whatever the order of keys (compared in place, the JSON where a value is not plain)", () => {
  const cases: [string, unknown, unknown][] = [
    ["same scalars", "a", "a"],
    ["different strings", "a", "b"],
    ["0 and -0", 0, -0],
    ["a number and its string", 1, "1"],
    ["null and false", null, false],
    ["NaN and null (both null in JSON)", NaN, null],
    ["Infinity and null", Infinity, null],
    ["undefined and undefined", undefined, undefined],
    ["undefined and null", undefined, null],
    ["keys in another order", { a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 }],
    ["a key more", { a: 1 }, { a: 1, b: 2 }],
    ["a key more that holds undefined", { a: 1 }, { a: 1, b: undefined }],
    ["a key of the first alone that holds undefined", { a: 1, b: undefined }, { a: 1 }],
    ["the same key count, another key", { a: 1, b: 2 }, { a: 1, c: 2 }],
    ["undefined and null in an array", [1, undefined], [1, null]],
    ["a function in an array", [() => 1], [null]],
    ["an array a value longer", [1], [1, 2]],
    ["an array and an object of its indexes", [1, 2], { 0: 1, 1: 2 }],
    ["a Date and its ISO string", [new Date(0)], ["1970-01-01T00:00:00.000Z"]],
    ["a toJSON", { toJSON: () => "x" }, "x"],
    ["nested difference after a non-plain value", { a: undefined, b: 1 }, { b: 2 }],
    ["unequal, then a non-plain value deeper", { a: 1, b: [undefined] }, { a: 2, b: [null] }],
    ["an object in a key of the second alone", { a: 1 }, { a: 1, b: { c: undefined } }],
    ["a class instance and a plain object", [new (class { x = 1 })()], [{ x: 1 }]],
    ["empty object and empty array", {}, []],
    ["a key the second has only as a non-enumerable property", { a: 1 }, Object.defineProperty({ b: 1 }, "a", { value: 1, enumerable: false })],
    ["an array with a toJSON", Object.assign([1, 2], { toJSON: () => "x" }), "x"],
  ];
  it.each(cases)("%s: as the JSON says", (_name, a, b) => {
    expect(sameJson(a, b)).toBe(byJson(a, b));
    expect(sameJson(b, a)).toBe(byJson(b, a));
  });

  it("says what the JSON says for every pair of resources of the same type in the shipped stacks", () => {
    let pairs = 0;
    let equal = 0;
    for (const stack of shippedAllLayers().slice(0, 6)) {
      const byType = new Map<string, unknown[]>();
      for (const [type] of Object.entries(stack.json.resource ?? {})) byType.set(type, resourcesOf(stack.json, type).map(([, body]) => body));
      for (const bodies of byType.values()) {
        for (const a of bodies.slice(0, 12)) {
          for (const b of bodies.slice(0, 12)) {
            pairs++;
            const same = sameJson(a, b);
            if (same) equal++;
            expect(same).toBe(byJson(a, b));
          }
        }
      }
    }
    expect(pairs).toBeGreaterThan(1000);
    expect(equal).toBeGreaterThan(100);
  });
});
