import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadRegions } from "../../config/load";
import { App, TOKEN_TRACES_MODULE, useFastSynth } from "../../constructs/cdktf";
import { defineStacks } from "../../stacks";
import { hsmStageRegions } from "../support/synth";
import { renderPolicy } from "../../constructs/iam-policy";
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

describe("synthesis cost (bench/RESULTS.md measures it; these keep the savings in place)", () => {
  it("does not record a stack trace for every token (cdktf's private hook is still where constructs/cdktf-speed.ts expects it)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const traces = require(TOKEN_TRACES_MODULE) as { captureStackTrace: () => string[] };
    expect(traces.captureStackTrace()).toEqual([]);
  });

  it("resolves every stack of every region (and every CloudHSM stage) exactly as cdktf's own resolver does", () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "resolve-")) });
    const stacks = [...defineStacks(app, loadRegions()), ...defineStacks(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "resolve-")) }), hsmStageRegions())];
    expect(stacks.length).toBeGreaterThan(10);
    try {
      for (const stack of stacks) {
        useFastSynth({ skipTokenTraces: true, fastResolve: true });
        const fast = JSON.stringify(stack.toTerraform());
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

  it("resolves a stack once for the guardrails and the synthesizer, and hands the same JSON over once", () => {
    const stack = newStack();
    new KmsKey(stack, "Key", { description: "k" });
    const json = stack.toTerraform();
    stack.reuseForSynth(json);
    expect(stack.toTerraform()).toBe(json);
    // Used once: the next call resolves again.
    expect(stack.toTerraform()).not.toBe(json);
    expect(stack.toTerraform()).toEqual(json);
  });
});
