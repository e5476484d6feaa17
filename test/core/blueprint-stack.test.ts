import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { shippedRegions } from "../support/synth";
import { App, Lazy, RESOLVE_MODULE, TOKEN_TRACES_MODULE, Token, constructTreeVersion, fastResolveCalls, useFastSynth } from "../../core/cdktf";
import { defineStacks } from "../../stacks";
import { hsmStageRegions } from "../support/synth";
import { renderPolicy } from "../../constructs/aws/iam-policy";
import { newStack, synthJson } from "../support/construct-stack";

describe("BlueprintStack addresses", () => {
  it("are the construct path in snake_case", () => {
    const stack = newStack();
    new KmsKey(new Construct(new Construct(stack, "Keys"), "EksSecrets"), "Key", {});
    new KmsKey(new Construct(stack, "ecr.api"), "Key", {});
    expect(Object.keys(synthJson(stack).resource.aws_kms_key).sort()).toEqual(["ecr_api_key", "keys_eks_secrets_key"]);
  });

  it("refuse two paths that collapse to one address", () => {
    const stack = newStack();
    new KmsKey(stack, "EksKey", {});
    new KmsKey(stack, "eks_key", {});
    expect(() => synthJson(stack)).toThrow(/map to the same Terraform address "eks_key"/);
  });
});

describe("renderPolicy", () => {
  it("refuses a statement id used twice", () => {
    const s = { Sid: "A", Effect: "Allow" as const, Action: "s3:GetObject", Resource: "*" };
    expect(() => renderPolicy([s, s])).toThrow(/"A" is used twice/);
  });
});

/** cdktf's `resolve` as TerraformStack.toTerraform calls it (the fast path when it is on). */
function resolveWithCdktf(scope: unknown, value: unknown): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(RESOLVE_MODULE) as { resolve: (s: unknown, v: unknown) => unknown }).resolve(scope, value);
}

describe("synthesis cost (bench/RESULTS.md measures it; these keep the savings in place)", () => {
  it("does not record a stack trace for every token (cdktf's private hook is still where core/cdktf-speed.ts expects it)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const traces = require(TOKEN_TRACES_MODULE) as { captureStackTrace: () => string[] };
    expect(traces.captureStackTrace()).toEqual([]);
  });

  it("resolves every stack of every region (and every CloudHSM stage) exactly as cdktf's own resolver does", () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "resolve-")) });
    const stacks = [...defineStacks(app, shippedRegions()), ...defineStacks(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "resolve-")) }), hsmStageRegions())];
    expect(stacks.length).toBeGreaterThan(10);
    try {
      for (const stack of stacks) {
        useFastSynth({ skipTokenTraces: true, fastResolve: true });
        const calls = fastResolveCalls.count;
        const fast = JSON.stringify(stack.toTerraform());
        // cdktf still resolves through the hook: the comparison is of two different paths.
        expect(fastResolveCalls.count).toBeGreaterThan(calls);
        useFastSynth({ skipTokenTraces: false, fastResolve: false });
        const cdktf = JSON.stringify(stack.toTerraform());
        expect({ stack: stack.node.id, same: fast === cdktf }).toEqual({ stack: stack.node.id, same: true });
        // Resolved references are in it: the comparison covers tokens, not only plain values.
        expect(fast).toMatch(/\$\{[a-z0-9(]*(data\.)?[a-z]+_[a-z_]+\./);
      }
    } finally {
      useFastSynth({ skipTokenTraces: true, fastResolve: true });
    }
  });

  it("writes a stack whose own overrides reach into its elements' JSON as cdktf does (the merged objects resolved afresh there, trusted elsewhere)", () => {
    const stack = newStack();
    const key = new KmsKey(stack, "Key", { description: "k", tags: { a: "1" } });
    const other = new KmsKey(stack, "Other", { description: "o", policy: Token.asString(Lazy.stringValue({ produce: () => "p" })) });
    new KmsKey(stack, "Untouched", { description: "u", tags: { b: "2" } });
    key.addOverride("lifecycle.prevent_destroy", true);
    // Into a resource: a reference, a lazy value, an undefined (cdktf deletes the key) and a new block.
    stack.addOverride("resource.aws_kms_key.key.description", other.arn);
    stack.addOverride("resource.aws_kms_key.key.tags.lazy", Lazy.stringValue({ produce: () => "produced" }));
    stack.addOverride("resource.aws_kms_key.other.policy", undefined);
    stack.addOverride("resource.aws_kms_key.new.description", key.keyId);
    stack.addOverride("terraform.required_version", ">= 1.10");
    const both = () => {
      useFastSynth({ skipTokenTraces: true, fastResolve: true });
      const fast = JSON.stringify(stack.resolveFresh());
      useFastSynth({ skipTokenTraces: false, fastResolve: false });
      const cdktf = JSON.stringify(stack.resolveFresh());
      useFastSynth({ skipTokenTraces: true, fastResolve: true });
      return { fast, cdktf };
    };
    const { fast, cdktf } = both();
    expect(fast).toBe(cdktf);
    const json = JSON.parse(fast) as { resource: { aws_kms_key: Record<string, { description?: string; tags?: Record<string, string>; policy?: string }> } };
    expect(json.resource.aws_kms_key.key).toMatchObject({ description: "${aws_kms_key.other.arn}", tags: { a: "1", lazy: "produced" } });
    expect(json.resource.aws_kms_key.other.policy).toBeUndefined();
    expect(json.resource.aws_kms_key.new.description).toBe("${aws_kms_key.key.key_id}");
    expect(json.resource.aws_kms_key.untouched.tags).toEqual({ b: "2" });
  });

  it("writes an element whose JSON holds what cdktf's merge copies (a Date, a token resolved to an object) as cdktf does", () => {
    const stack = newStack();
    new KmsKey(stack, "Key", { description: "k", tags: { a: "1" } });
    const key = new KmsKey(stack, "Dated", { description: "d" });
    key.addOverride("lifecycle.when", new Date(0));
    const lazy = new KmsKey(stack, "Lazy", { description: "l" });
    lazy.addOverride("lifecycle.what", Lazy.anyValue({ produce: () => ({ at: new Date(0), list: ["x"] }) }));
    useFastSynth({ skipTokenTraces: true, fastResolve: true });
    const fast = JSON.stringify(stack.resolveFresh());
    useFastSynth({ skipTokenTraces: false, fastResolve: false });
    const cdktf = JSON.stringify(stack.resolveFresh());
    useFastSynth({ skipTokenTraces: true, fastResolve: true });
    expect(fast).toBe(cdktf);
    // cdktf's deepMerge makes an object of a Date.
    expect(fast).toContain('"when":{}');
  });

  it("takes the fast path for the stacks, and gives cdktf's answer (or cdktf's error) for every value shape cdktf treats specially", () => {
    const stack = newStack();
    const key = new KmsKey(stack, "Key", { description: "k" });
    const number = Token.asNumber(Lazy.numberValue({ produce: () => 42 }));
    const cases: Record<string, unknown> = {
      plain: { a: "x", b: [1, undefined, "y"], c: undefined, d: null, e: true, f: [], g: {} },
      reference: { arn: key.arn, list: [key.arn, "literal"] },
      numberInString: `k${number}`,
      numberInKey: { [`k${number}`]: 1 },
      numberToken: number,
      lazyString: Lazy.stringValue({ produce: () => "lazy" }),
      escapes: "$${aws:username} and ${literal}",
      listToken: Token.asList(Lazy.listValue({ produce: () => ["a", "b"] })),
    };
    const both = (value: unknown) => {
      useFastSynth({ skipTokenTraces: true, fastResolve: true });
      const before = fastResolveCalls.count;
      let fast: unknown;
      let fastError: string | undefined;
      try {
        fast = resolveWithCdktf(stack, value);
      } catch (e) {
        fastError = (e as Error).message;
      }
      const used = fastResolveCalls.count > before;
      useFastSynth({ skipTokenTraces: false, fastResolve: false });
      let slow: unknown;
      let slowError: string | undefined;
      try {
        slow = resolveWithCdktf(stack, value);
      } catch (e) {
        slowError = (e as Error).message;
      }
      useFastSynth({ skipTokenTraces: true, fastResolve: true });
      return { fast: JSON.stringify(fast), fastError, slow: JSON.stringify(slow), slowError, used };
    };
    for (const [name, value] of Object.entries(cases)) {
      const r = both(value);
      expect({ name, same: r.fast === r.slow, used: r.used }).toEqual({ name, same: true, used: true });
      expect(r.fastError).toBeUndefined();
    }
    // cdktf refuses these; so does the fast path, with cdktf's message and path.
    for (const bad of [{ a: { b: "String Map Token Value" } }, { a: { f: () => 1 } }]) {
      const r = both(bad);
      expect(r.fastError).toBeDefined();
      expect(r.fastError).toBe(r.slowError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(both(cyclic).fastError).toBe(both(cyclic).slowError);
  });

  it("resolves a stack once for the guardrails and the synthesizer, and hands the same JSON over once", () => {
    const stack = newStack();
    new KmsKey(stack, "Key", { description: "k" });
    const json = stack.resolveFresh();
    stack.reuseForSynth(json);
    expect(stack.toTerraform()).toBe(json);
    // Used once: the next call resolves again.
    expect(stack.toTerraform()).not.toBe(json);
    expect(stack.toTerraform()).toEqual(json);
    // Never after the tree changed.
    stack.reuseForSynth(json);
    new KmsKey(stack, "Another", { description: "k2" });
    expect(Object.keys(stack.toTerraform().resource.aws_kms_key)).toHaveLength(2);
  });
});

describe("constructTreeVersion (what the guardrail pack keeps is read again when it changes)", () => {
  it("changes with a child added, a child removed and metadata added, and not with a read", () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "tree-version-")) });
    let before = constructTreeVersion();
    const scope = new Construct(app, "Scope");
    expect(constructTreeVersion()).toBeGreaterThan(before);
    before = constructTreeVersion();
    scope.node.addMetadata("x", 1);
    expect(constructTreeVersion()).toBeGreaterThan(before);
    before = constructTreeVersion();
    expect(app.node.findAll().length).toBeGreaterThan(1);
    expect(constructTreeVersion()).toBe(before);
    app.node.tryRemoveChild("Scope");
    expect(constructTreeVersion()).toBeGreaterThan(before);
  });
});
