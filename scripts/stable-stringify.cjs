"use strict";
/**
 * What cdktf writes every stack's `cdk.tf.json` with (json-stable-stringify: keys sorted, `space`
 * indentation, empty arrays and objects opened on two lines), byte for byte, in a third of the
 * time: the generic module re-reads its options and calls bound array methods at every node, and
 * writing was about 8 ms of a region's synth. The bundled app (scripts/run-ts.cjs --bundle) gives
 * this to cdktf in place of the module; test/scripts/stable-stringify.test.ts holds both to the
 * same output on every shipped stack and on the edge cases, and the snapshot tests compare the
 * bundled app's files with the synth in the tests (the module itself).
 *
 * Only the one option cdktf passes (`space`) is supported; any other throws.
 */
module.exports = function stableStringify(obj, opts) {
  for (const key of Object.keys(opts ?? {})) {
    if (key !== "space") throw new Error(`scripts/stable-stringify.cjs supports the option "space" only (cdktf's), not "${key}"`);
  }
  let space = (opts && opts.space) || "";
  if (typeof space === "number") space = " ".repeat(space);
  const colon = space ? ": " : ":";
  const ancestors = [];
  const write = (node, level) => {
    if (node && typeof node.toJSON === "function") node = node.toJSON();
    if (node === undefined) return undefined;
    if (typeof node !== "object" || node === null) return JSON.stringify(node);
    const indent = space ? `\n${space.repeat(level)}` : "";
    const inner = indent + space;
    if (Array.isArray(node)) {
      let out = "[";
      for (let i = 0; i < node.length; i++) out += `${i ? "," : ""}${inner}${write(node[i], level + 1) || "null"}`;
      return `${out}${indent}]`;
    }
    if (ancestors.includes(node)) throw new TypeError("Converting circular structure to JSON");
    ancestors.push(node);
    let out = "{";
    let first = true;
    for (const key of Object.keys(node).sort()) {
      const value = write(node[key], level + 1);
      if (!value) continue;
      out += `${first ? "" : ","}${inner}${JSON.stringify(key)}${colon}${value}`;
      first = false;
    }
    ancestors.pop();
    return `${out}${indent}}`;
  };
  return write(obj, 0);
};
