import Ajv from "ajv";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MESH_PKI_RELEASES } from "../../../config/catalog";
import { certManagerValues, istioCsrValues, pcaIssuerCrds, pcaIssuerValues } from "../../../model/mesh/pki";
import { TfJson, shippedMeshStacks } from "../../support/synth";

/**
 * The workload CA chain's Helm values, checked against what each chart accepts at its pinned
 * release: cert-manager and istio-csr against their values.schema.json (strict: unknown keys are
 * refused), the PCA issuer (whose chart ships no schema) against the keys of its values.yaml.
 * The files are the charts' own, vendored in test/fixtures/charts/ per release: a release upgrade
 * in config/catalog.ts fails here until its files are added, and a value the new chart no longer
 * takes fails too.
 */
const FIXTURES = join(__dirname, "../../fixtures/charts");
const ajv = new Ajv({ strict: false, allErrors: true });
const schemaFile = (chart: string, version: string) => join(FIXTURES, `${chart}-${version}.values.schema.json`);
const defaultsFile = (chart: string, version: string) => join(FIXTURES, `${chart}-${version}.values.json`);

/** Key paths of `values` that the chart's default values do not have (maps whose default is `{}` or `[]` take anything). */
function unknownKeys(values: unknown, defaults: unknown, path = ""): string[] {
  if (!values || typeof values !== "object" || Array.isArray(values)) return [];
  if (!defaults || typeof defaults !== "object" || Array.isArray(defaults)) return [];
  if (Object.keys(defaults).length === 0) return [];
  return Object.entries(values as Record<string, unknown>).flatMap(([k, v]) =>
    k in (defaults as Record<string, unknown>) ? unknownKeys(v, (defaults as Record<string, unknown>)[k], `${path}${k}.`) : [`${path}${k}`],
  );
}

/** The problems of one release's values against its chart at `version`. */
function valueProblems(chart: string, version: string, values: unknown): string[] {
  if (existsSync(schemaFile(chart, version))) {
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile(chart, version), "utf8")));
    return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  }
  if (existsSync(defaultsFile(chart, version))) return unknownKeys(values, JSON.parse(readFileSync(defaultsFile(chart, version), "utf8"))).map((k) => `${k}: not a value of the chart`);
  return [`no values.schema.json or values.yaml of ${chart} ${version} in test/fixtures/charts (vendor the chart's, from its release tag)`];
}

const CHARTS: Readonly<Record<string, string>> = {
  "cert-manager": MESH_PKI_RELEASES.certManager.chart,
  "aws-privateca-issuer": MESH_PKI_RELEASES.awsPcaIssuer.chart,
  "cert-manager-istio-csr": MESH_PKI_RELEASES.istioCsr.chart,
};

describe("the workload CA chain's charts accept the blueprint's values at their pinned releases", () => {
  // Read at the first test, not while jest collects them (a run that selects none does not synthesize).
  const releases = () =>
    shippedMeshStacks().flatMap((s) =>
      [s.pki, s.istio].flatMap((stack) =>
        stack ? Object.entries((stack.json.resource.helm_release ?? {}) as Record<string, TfJson>).filter(([, r]) => r.chart in CHARTS).map(([n, r]) => [`${stack.name} helm_release.${n}`, r] as const) : [],
      ),
    );

  it("has every chart of the chain in some stack", () => {
    expect(new Set(releases().map(([, r]) => r.chart))).toEqual(new Set(Object.keys(CHARTS)));
  });

  it("pins every release at its chart's release, with values its schema accepts (the failures name the release)", () => {
    expect(releases().flatMap(([address, r]) => [...(r.version === CHARTS[r.chart] ? [] : [`${address}: version ${r.version}, not ${CHARTS[r.chart]}`]), ...valueProblems(r.chart, r.version, JSON.parse(r.values[0])).map((p) => `${address}: ${p}`)])).toEqual([]);
  });

  // The checks can fail: a misspelled or retired value is refused by each chart's check.
  it.each([
    ["cert-manager", certManagerValues("r")],
    ["aws-privateca-issuer", pcaIssuerValues("r")],
    ["cert-manager-istio-csr", istioCsrValues("r", "td", "istio-system")],
  ] as const)("refuses a value %s does not take", (chart, values) => {
    expect(valueProblems(chart, CHARTS[chart], values)).toEqual([]);
    expect(valueProblems(chart, CHARTS[chart], { ...values, replicaCountt: 2 }).length).toBeGreaterThan(0);
    expect(valueProblems(chart, CHARTS[chart], { ...values, image: { ...(values.image as object), registryy: "r" } }).length).toBeGreaterThan(0);
  });

  it("names the missing file when a release has none vendored", () => {
    expect(valueProblems("cert-manager", "v9.9.9", {})).toEqual([expect.stringMatching(/no values.schema.json or values.yaml of cert-manager v9.9.9/)]);
  });
});

describe("the PCA issuer's CRDs are vendored for its pinned release", () => {
  it("are the two CRDs of its API group, one served and stored version each", () => {
    const crds = pcaIssuerCrds() as TfJson[];
    expect(crds.map((c) => c.metadata.name).sort()).toEqual(["awspcaclusterissuers.awspca.cert-manager.io", "awspcaissuers.awspca.cert-manager.io"]);
    for (const c of crds) expect(c.spec.versions.filter((v: TfJson) => v.served && v.storage).map((v: TfJson) => v.name)).toEqual(["v1beta1"]);
  });

  it("refuses a release whose CRDs are not vendored, naming the file to add", () => {
    expect(() => pcaIssuerCrds("v0.0.1")).toThrow(/model\/mesh\/crds\/ has no aws-privateca-issuer-v0.0.1.json/);
  });
});

describe("the partner gateway's values are accepted by Istio's gateway chart", () => {
  // Vendored from istio/istio at 1.30.3 (manifests/charts/gateway/values.schema.json): the file is the
  // same byte for byte in 1.30.1, 1.30.2 and 1.30.3, so it stands for the 1.30 patch releases. A mesh
  // on another minor fails here until that minor's file is added.
  const schemaOf = (istioVersion: string) => {
    const minor = istioVersion.split(".").slice(0, 2).join(".");
    const file = minor === "1.30" ? join(FIXTURES, "gateway-1.30.3.values.schema.json") : join(FIXTURES, `gateway-${istioVersion}.values.schema.json`);
    return existsSync(file) ? ajv.compile(JSON.parse(readFileSync(file, "utf8"))) : undefined;
  };
  const gateways = () =>
    shippedMeshStacks().flatMap((s) =>
      Object.entries((s.istio.json.resource.helm_release ?? {}) as Record<string, TfJson>)
        .filter(([, r]) => r.chart === "gateway")
        .map(([n, r]) => [`${s.istio.name} helm_release.${n}`, r, s.region.mesh.istioVersion] as const),
    );

  it("in every stack that installs it (every region: each declares partners)", () => {
    expect(gateways().map(([address]) => address.split(" ")[0]).sort()).toEqual(["region-apac-istio", "region-eu-istio", "region-us-istio"]);
    const problems = gateways().flatMap(([address, r, version]) => {
      const validate = schemaOf(version);
      if (!validate) return [`${address}: no values.schema.json of the gateway chart ${version} in test/fixtures/charts`];
      return validate(JSON.parse(r.values[0])) ? [] : (validate.errors ?? []).map((e) => `${address}: ${e.instancePath || "/"} ${e.message}`);
    });
    expect(problems).toEqual([]);
  });

  it("refuses a value the chart does not take", () => {
    const validate = schemaOf("1.30.4")!;
    const [, r] = gateways()[0];
    expect(validate(JSON.parse(r.values[0]))).toBe(true);
    expect(validate({ ...JSON.parse(r.values[0]), replicas: 3 })).toBe(false);
    expect(validate({ ...JSON.parse(r.values[0]), autoscaling: { enabled: "yes" } })).toBe(false);
  });
});
