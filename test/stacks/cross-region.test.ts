import { RegionConfigError } from "../../config/errors";
import { validateRegions } from "../../config/load";
import { AwsRegionFile } from "../../config/schema";
import apac from "../../regions/apac";
import eu from "../../regions/eu";
import us from "../../regions/us";
import { GUARDRAILS, checkRule } from "../../guardrails";
import { TfJson, cloneJson, synthRegions } from "../support/synth";
import { manifestsOf } from "../../tfjson/kubernetes";

/** eu with one more call: us's payment-core calls eu's payment-service. */
function withCrossRegionCall(extra: Partial<AwsRegionFile["mesh"]["calls"] extends (infer C)[] | undefined ? C : never>) {
  const e = cloneJson(eu);
  e.mesh.calls = [...(e.mesh.calls ?? []), { from: "payments/payment-core", to: "payments/payment-service", methods: ["GET"], paths: ["/v1/status"], fromTrustDomain: "us.acme-pay.internal", ...extra }];
  return e;
}

function problems(e: AwsRegionFile) {
  try {
    validateRegions([
      { file: "regions/apac.ts", data: cloneJson(apac) },
      { file: "regions/eu.ts", data: e },
      { file: "regions/us.ts", data: cloneJson(us) },
    ]);
  } catch (err) {
    if (err instanceof RegionConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("a call from another region", () => {
  const last = (eu.mesh.calls ?? []).length;

  it("is refused across jurisdictions when it may carry cardholder data", () => {
    expect(problems(withCrossRegionCall({}))).toContainEqual(
      expect.objectContaining({ file: "regions/eu.ts", field: `mesh.calls[${last}].cardholderData`, fix: expect.stringContaining("cardholderData: false") }),
    );
  });

  it("is accepted across jurisdictions only when marked as carrying no cardholder data", () => {
    expect(problems(withCrossRegionCall({ cardholderData: false }))).toEqual([]);
  });

  it("must come from a region's trust domain and a service identity declared there", () => {
    expect(problems(withCrossRegionCall({ cardholderData: false, fromTrustDomain: "elsewhere.example" }))).toContainEqual(expect.objectContaining({ field: `mesh.calls[${last}].fromTrustDomain` }));
    expect(problems(withCrossRegionCall({ cardholderData: false, from: "payments/ghost" }))).toContainEqual(expect.objectContaining({ field: `mesh.calls[${last}].from`, problem: expect.stringContaining("regions/us.ts") }));
  });

  it("needs both regions under the same root CA", () => {
    const e = withCrossRegionCall({ cardholderData: false });
    // Another root (a region without one is refused earlier: its partners' certificates need it).
    e.mesh.rootCaArn = e.mesh.rootCaArn!.replace(/[0-9a-f-]+$/, "00000000-0000-4000-8000-000000000000");
    expect(problems(e)).toContainEqual(expect.objectContaining({ field: `mesh.calls[${last}].fromTrustDomain`, fix: expect.stringContaining("mesh.rootCaArn") }));
  });

  it("comes from a distinct trust domain: two regions may not share one", () => {
    const e = cloneJson(eu);
    e.mesh.trustDomain = us.mesh.trustDomain;
    expect(problems(e)).toContainEqual(expect.objectContaining({ field: "mesh.trustDomain", fix: expect.stringContaining("its own trust domain") }));
  });

  it("may not reach a merchant namespace", () => {
    expect(problems(withCrossRegionCall({ cardholderData: false, to: "merchant-12345/storefront-connector" }))).toContainEqual(expect.objectContaining({ field: `mesh.calls[${last}].to`, fix: expect.stringContaining("platform service") }));
  });

  describe("synthesized", () => {
    const regions = validateRegions([
      { file: "regions/eu.ts", data: withCrossRegionCall({ cardholderData: false }) },
      { file: "regions/us.ts", data: cloneJson(us) },
    ]).map((r) => r.config);
    const mesh = synthRegions(regions).stacks.find((s) => s.name === "region-eu-mesh")!;
    const allow = () => manifestsOf(mesh.json).find(([, m]) => m.kind === "AuthorizationPolicy" && m.metadata.name === "allow-payment-service")![1];

    it("allows exactly the declared remote principal, with the declared methods and paths", () => {
      expect(allow().spec.rules).toContainEqual({ from: [{ source: { principals: ["us.acme-pay.internal/ns/payments/sa/payment-core"] } }], to: [{ operation: { methods: ["GET"], paths: ["/v1/status"] } }] });
      expect(mesh.guardrails.findings).toEqual([]);
      // pack.evaluate runs the rules now (in a mutant's run, npm run mutate, synth's findings are the unmutated rules').
      expect(mesh.pack.evaluate(mesh.json).findings).toEqual([]);
    });

    it("is caught when a policy names a principal of another region that no call declares", () => {
      const json = cloneJson(mesh.json) as TfJson;
      const [address] = manifestsOf(json).find(([, m]) => m.metadata.name === "allow-payment-service")!;
      const rule = json.resource.kubernetes_manifest[address.split(".")[1]].manifest.spec.rules.find((r: TfJson) => String(r.from[0].source.principals[0]).startsWith("us."));
      rule.from[0].source.principals = ["apac.acme-pay.internal/ns/payments/sa/payment-core"];
      // Judged with the region that declares the us call: the us principal is allowed, apac's is not.
      const weakened = { ...mesh, json };
      for (const id of ["mesh.no-wildcards", "mesh.allow-equals-calls"]) {
        expect(checkRule(GUARDRAILS.find((r) => r.id === id)!, mesh)).toEqual([]);
        expect(checkRule(GUARDRAILS.find((r) => r.id === id)!, weakened)).not.toEqual([]);
      }
    });
  });
});
