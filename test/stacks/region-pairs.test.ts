import * as fs from "fs";
import * as path from "path";
import { JURISDICTIONS } from "../../config/catalog";
import { validateRegions } from "../../config/load";
import { RegionConfig } from "../../config/schema";
import apac from "../../regions/apac";
import eu from "../../regions/eu";
import us from "../../regions/us";
import { SynthStack, TfJson, cloneJson, jsonCopy, resourcesOf, synthRegions } from "../support/synth";
import { manifestsOf } from "../../tfjson/kubernetes";
import { boxesAround, readDiagram } from "../support/mermaid";

/**
 * Invariants over every pair of regions (reference model, "Across regions"), on the shipped
 * regions plus one cross-region call (us's payment-core reads eu's payment status, carrying no
 * cardholder data), so that a remote principal exists to be judged.
 */
const euWithRemoteCaller = cloneJson(eu);
euWithRemoteCaller.mesh.calls = [
  ...(euWithRemoteCaller.mesh.calls ?? []),
  { from: "payments/payment-core", fromTrustDomain: us.mesh.trustDomain, to: "payments/payment-service", methods: ["GET"], paths: ["/v1/status"], cardholderData: false },
];
const regions: RegionConfig[] = validateRegions([
  { file: "regions/apac.ts", data: cloneJson(apac) },
  { file: "regions/eu.ts", data: euWithRemoteCaller },
  { file: "regions/us.ts", data: cloneJson(us) },
]).map((r) => r.config);
const synth = synthRegions(regions);
const stacksOf = (r: RegionConfig) => synth.stacks.filter((s) => s.region.name === r.name);
const pairs = regions.flatMap((a) => regions.filter((b) => b !== a).map((b) => [`${a.name} → ${b.name}`, a, b] as const));
const jurisdictionRegions = (r: RegionConfig): readonly string[] => JURISDICTIONS[r.jurisdiction].allowedRegions[r.cloud];

/**
 * The stack's JSON as text, without the places that may name another jurisdiction's region: the
 * platform root CA (its ARN and the provider that signs through it), and the declared calls'
 * east-west path (the endpoint service's supported regions, each interface endpoint's service).
 */
function textOutsideTheRoot(stack: SynthStack): string {
  const json = jsonCopy(stack) as TfJson;
  for (const p of [json.provider?.aws ?? []].flat() as TfJson[]) if (p.alias === "pca_root") delete p.region;
  for (const [, s] of resourcesOf(json, "aws_vpc_endpoint_service")) delete s.supported_regions;
  for (const [, e] of resourcesOf(json, "aws_vpc_endpoint")) if (String(e.service_name).startsWith("com.amazonaws.vpce.")) for (const k of ["service_name", "service_region"]) delete e[k];
  const root = stack.region.cloud === "aws" ? stack.region.mesh.rootCaArn : undefined;
  const text = JSON.stringify(json);
  return root ? text.split(root).join("<platform root>") : text;
}

/** The host a DER Name Constraints value permits (one URI subtree), or undefined. */
function permittedUriHost(base64: string): string | undefined {
  const der = Buffer.from(base64, "base64");
  // 30 L  a0 L  30 L  86 L <host>: short lengths only (the hosts are short).
  if (der[0] !== 0x30 || der[2] !== 0xa0 || der[4] !== 0x30 || der[6] !== 0x86 || der[7] !== der.length - 8) return undefined;
  return der.subarray(8).toString("ascii");
}

describe.each(pairs)("regions %s", (_label, a, b) => {
  const sameJurisdiction = a.jurisdiction === b.jurisdiction;

  it("no stack of the first names the second's cloud region unless it is inside the first's jurisdiction (replicas, backups, keys, peers, providers)", () => {
    if (jurisdictionRegions(a).includes(b.cloudRegion)) return;
    for (const stack of stacksOf(a)) expect({ stack: stack.name, names: textOutsideTheRoot(stack).includes(`"${b.cloudRegion}"`) || textOutsideTheRoot(stack).includes(`:${b.cloudRegion}:`) }).toEqual({ stack: stack.name, names: false });
  });

  it("the scan sees the one exception it masks: the platform root's region, named by a region of another jurisdiction", () => {
    if (!(a.cloud === "aws" && a.mesh.rootCaArn && a.mesh.rootCaArn.split(":")[3] === b.cloudRegion && !jurisdictionRegions(a).includes(b.cloudRegion))) return;
    const region = stacksOf(a).find((s) => s.layer === "aws")!;
    expect(region.text).toContain(`"${b.cloudRegion}"`);
    expect(textOutsideTheRoot(region)).not.toContain(`"${b.cloudRegion}"`);
  });

  it("every principal of the second's trust domain in the first's policies is a declared call, under one root, carrying no cardholder data across jurisdictions", () => {
    const mesh = stacksOf(a).find((s) => s.layer === "mesh")!;
    const remote = manifestsOf(mesh.json)
      .filter(([, m]) => m.kind === "AuthorizationPolicy")
      .flatMap(([, m]) =>
        ((m.spec?.rules ?? []) as TfJson[]).flatMap((rule) =>
          ((rule.from?.[0]?.source?.principals ?? []) as string[]).filter((p) => p.startsWith(`${b.mesh.trustDomain}/`)).map((p) => ({ p, to: `${m.metadata.namespace}/${m.spec.selector.matchLabels.app}` })),
        ),
      );
    for (const { p, to } of remote) {
      const [, , ns, , sa] = p.split("/");
      const call = a.mesh.calls.find((c) => c.fromTrustDomain === b.mesh.trustDomain && c.from === `${ns}/${sa}` && c.to === to);
      expect(call).toBeDefined();
      if (!sameJurisdiction) expect(call!.cardholderData).toBe(false);
      expect(a.cloud === "aws" && b.cloud === "aws" && a.mesh.rootCaArn !== undefined && a.mesh.rootCaArn === b.mesh.rootCaArn).toBe(true);
    }
    // The shipped pair us → eu carries one such call: the check above has something to check.
    if (a.name === "eu" && b.name === "us") expect(remote).toHaveLength(1);
  });

  it("the second's intermediate can only issue the second's identities, never the first's", () => {
    if (b.cloud !== "aws" || !b.mesh.rootCaArn) return;
    const signed = resourcesOf(stacksOf(b).find((s) => s.layer === "aws")!.json, "aws_acmpca_certificate");
    expect(signed).toHaveLength(1);
    const constraint = JSON.parse(signed[0][1].api_passthrough).Extensions.CustomExtensions.find((e: TfJson) => e.ObjectIdentifier === "2.5.29.30");
    expect(constraint.Critical).toBe(true);
    expect(permittedUriHost(constraint.Value)).toBe(b.mesh.trustDomain);
    expect(b.mesh.trustDomain).not.toBe(a.mesh.trustDomain);
  });

  it("share no network range, no state object and no trust domain", () => {
    expect(b.mesh.trustDomain).not.toBe(a.mesh.trustDomain);
    const state = (r: RegionConfig) => (r.cloud === "aws" ? `s3://${r.stateBackend.bucket}/${r.stateBackend.key}` : `gs://${r.stateBackend.bucket}/${r.stateBackend.prefix}`);
    expect(state(a)).not.toBe(state(b));
    const cidrs = (r: RegionConfig) => [
      ...new Set(
        stacksOf(r).flatMap((s) => [
          ...[...resourcesOf(s.json, "aws_vpc"), ...resourcesOf(s.json, "aws_subnet")].map(([, x]) => String(x.cidr_block)),
          ...resourcesOf(s.json, "google_compute_subnetwork").flatMap(([, x]) => [String(x.ip_cidr_range), ...((x.secondary_ip_range ?? []) as TfJson[]).map((r) => String(r.ip_cidr_range))]),
        ]),
      ),
    ];
    expect(cidrs(a).length).toBeGreaterThan(0);
    for (const x of cidrs(a)) for (const y of cidrs(b)) expect(`${x} ${y} ${overlaps(x, y)}`).toBe(`${x} ${y} false`);
  });
});

describe("no CA key material in any synthesized output", () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk : (p: string) => files.push(p))(path.join(d, e.name));
  };
  beforeAll(() => walk(synth.outdir));

  it("covers every stack's JSON and report", () => {
    expect(files.filter((f) => f.endsWith("cdk.tf.json"))).toHaveLength(synth.stacks.length);
    expect(files.filter((f) => f.endsWith("REPORT.md"))).toHaveLength(synth.stacks.length);
  });

  it.each(["PRIVATE KEY-----", "PGP PRIVATE KEY BLOCK"])("no file contains a %s block", (needle) => {
    expect(files.filter((f) => fs.readFileSync(f, "utf8").includes(needle)).map((f) => path.relative(synth.outdir, f))).toEqual([]);
  });

  it.each(['"tls_private_key"', '"private_key_pem"', '"private_key"'])("no stack holds %s", (needle) => {
    expect(files.filter((f) => f.endsWith(".json") && fs.readFileSync(f, "utf8").includes(needle)).map((f) => path.relative(synth.outdir, f))).toEqual([]);
  });
});

/** True when two IPv4 CIDRs share an address. */
function overlaps(x: string, y: string): boolean {
  const range = (c: string) => {
    const [ip, bits] = c.split("/");
    const n = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    return [n - (n % size), n - (n % size) + size - 1];
  };
  const [a0, a1] = range(x);
  const [b0, b1] = range(y);
  return a0 <= b1 && b0 <= a1;
}

it("has a pair in which a region names the platform root's region of another jurisdiction (us → eu), so the masked exception is exercised", () => {
  expect(pairs.filter(([, a, b]) => a.cloud === "aws" && a.mesh.rootCaArn?.split(":")[3] === b.cloudRegion && !jurisdictionRegions(a).includes(b.cloudRegion)).map(([l]) => l)).toEqual(["us → eu"]);
});

describe("the reports of a region with a caller in another region", () => {
  it("draw the caller outside the region, in the box of other regions' callers, with an edge to the service it may call", () => {
    const eu = regions.find((r) => r.name === euWithRemoteCaller.name)!;
    const call = eu.mesh.calls.find((c) => c.fromTrustDomain)!;
    const caller = `remote_${`${call.fromTrustDomain}/${call.from}`.replace(/[^A-Za-z0-9_]/g, "_")}`;
    for (const stack of stacksOf(eu).filter((s) => s.layer !== "pki" && s.layer !== "dr")) {
      const d = readDiagram(stack.report);
      expect([stack.name, boxesAround(d, caller)]).toEqual([stack.name, ["other_regions"]]);
      expect(d.labels.get(caller)).toBe(`${call.from} in ${call.fromTrustDomain}`);
      expect(d.edges).toContainEqual({ from: caller, to: "svc_payments_payment_service", arrow: "-->", text: expect.stringMatching(/^mTLS GET \/v1\/status \(/) });
    }
  });
});
