import { walkStrings, withStringIndex } from "../../tfjson/terraform";
import { shippedAllLayers } from "../support/synth";

/** Every (path, value) walkStrings visits, the path copied. */
const visits = (json: unknown): string[] => {
  const out: string[] = [];
  walkStrings(json, [], (path, value) => out.push(`${path.join("/")}=${value}`));
  return out;
};

describe("walkStrings with the strings indexed (withStringIndex: one walk, replayed to the rules after the first)", () => {
  it.each(shippedAllLayers().map((s) => [s.name, s] as const))("%s: every walk inside visits what a walk outside does, in order", (_name, stack) => {
    const plain = visits(stack.json);
    expect(plain.length).toBeGreaterThan(50);
    const inside = withStringIndex(stack.json, () => [visits(stack.json), visits(stack.json), visits(stack.json)]);
    for (const walk of inside) expect(walk).toEqual(plain);
  });

  it("indexes only the root it was given, from the top (a walk of a part, or with a path, walks as before)", () => {
    const json = { resource: { a: { x: { name: "one", list: ["two", { deep: "three" }], "//": { skipped: "no" } } } }, other: "four" };
    const part = json.resource.a;
    const calls: string[][] = [];
    withStringIndex(json, () => {
      walkStrings(part, ["resource"], (path, value) => calls.push([...path, value]));
      walkStrings(json, [], () => undefined);
      walkStrings(json, [], (path, value) => calls.push([...path, value]));
    });
    expect(calls).toEqual([
      ["resource", "x", "name", "one"],
      ["resource", "x", "list", "0", "two"],
      ["resource", "x", "list", "1", "deep", "three"],
      ["resource", "a", "x", "name", "one"],
      ["resource", "a", "x", "list", "0", "two"],
      ["resource", "a", "x", "list", "1", "deep", "three"],
      ["other", "four"],
    ]);
  });

  it("is made again by the next walk when a visitor throws during the first, and ends with its scope", () => {
    const json = { a: ["x", "y"], b: { c: "z" } };
    const seen = withStringIndex(json, () => {
      expect(() =>
        walkStrings(json, [], (_p, v) => {
          if (v === "y") throw new Error("stop");
        }),
      ).toThrow("stop");
      return visits(json);
    });
    expect(seen).toEqual(["a/0=x", "a/1=y", "b/c=z"]);
    // Outside the scope the value may change, and is walked afresh.
    json.b.c = "changed";
    expect(visits(json)).toEqual(["a/0=x", "a/1=y", "b/c=changed"]);
  });
});
