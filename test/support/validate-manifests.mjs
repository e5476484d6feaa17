// Validates Kubernetes objects against the upstream schemas that @kubernetes-models generates
// (Istio's CRDs, Kubernetes' OpenAPI). The packages are ESM-only, which Jest's CommonJS runtime
// cannot load, so the tests run this file in a child process:
//   node test/support/validate-manifests.mjs <file with a JSON array of {id, object}>
// It prints a JSON array of {id, error}: error is null when the object is valid.
import { readFileSync } from "node:fs";
import Ajv from "ajv";

/**
 * Kinds kubernetes-models has no model for, validated against their CRD's published schema with
 * Ajv (Google Cloud Managed Service for Prometheus's PodMonitoring: test/support/crds/).
 */
const CRD_SCHEMAS = {
  "monitoring.googleapis.com/v1 PodMonitoring": "./crds/gmp-podmonitoring-v1.json",
  // The partner gateway's Gateway names its partners' CAs by caCertCredentialName, which Istio 1.30's CRD has and the 2.3 model has not.
  "networking.istio.io/v1 Gateway": "./crds/istio-gateway-v1.json",
};
/**
 * The workload CA's issuers, validated against the CRDs the pki stack applies (model/mesh/crds/, as
 * their releases ship them): their served version's openAPIV3Schema.
 */
const VENDORED_CRDS = {
  "awspca.cert-manager.io/v1beta1 AWSPCAIssuer": "../../model/mesh/crds/aws-privateca-issuer-v1.9.0.json",
  "cas-issuer.jetstack.io/v1beta1 GoogleCASIssuer": "../../model/mesh/crds/google-cas-issuer-v0.12.0.json",
};
const ajv = new Ajv({ strict: false, allErrors: true });

/** The schema of a kind in a vendored CRD file. */
function vendoredSchema(file, apiVersion, kind) {
  const crd = JSON.parse(readFileSync(new URL(file, import.meta.url), "utf8")).find((c) => c.spec.names.kind === kind);
  return crd.spec.versions.find((v) => `${crd.spec.group}/${v.name}` === apiVersion).schema.openAPIV3Schema;
}

/**
 * The model of PeerAuthentication at security.istio.io/v1 is v1beta1's: @kubernetes-models/istio
 * 2.3 (the last major that supports Node 20) generated only that one, and Istio's CRD serves both
 * versions with one schema (crd-all.gen.yaml, checked at 1.30.3).
 */
const SAME_SCHEMA = {
  "security.istio.io/v1 PeerAuthentication": "security.istio.io/v1beta1",
  // Likewise the partner gateway's VirtualServices: Istio serves networking.istio.io/v1 with v1beta1's schema.
  "networking.istio.io/v1 VirtualService": "networking.istio.io/v1beta1",
  "networking.istio.io/v1 Sidecar": "networking.istio.io/v1beta1",
  "networking.istio.io/v1 ServiceEntry": "networking.istio.io/v1beta1",
  "networking.istio.io/v1 DestinationRule": "networking.istio.io/v1beta1",
};

/** The model module of an apiVersion and kind. */
function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group.endsWith(".istio.io")) return `@kubernetes-models/istio/${group}/${version}/${kind}`;
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
}

const items = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = [];
for (const { id, object } of items) {
  let error = null;
  try {
    const crd = CRD_SCHEMAS[`${object.apiVersion} ${object.kind}`];
    const vendored = VENDORED_CRDS[`${object.apiVersion} ${object.kind}`];
    if (crd || vendored) {
      const validate = ajv.compile(vendored ? vendoredSchema(vendored, object.apiVersion, object.kind) : JSON.parse(readFileSync(new URL(crd, import.meta.url), "utf8")).schema);
      if (!validate(object)) throw new Error(ajv.errorsText(validate.errors));
      results.push({ id, error });
      continue;
    }
    const apiVersion = SAME_SCHEMA[`${object.apiVersion} ${object.kind}`] ?? object.apiVersion;
    const mod = await import(modulePath(apiVersion, object.kind));
    const Model = mod[object.kind];
    if (typeof Model !== "function") throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
    const model = new Model({ ...object, apiVersion });
    if (model.apiVersion !== apiVersion || model.kind !== object.kind) throw new Error(`the model is ${model.apiVersion} ${model.kind}`);
    model.validate();
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  results.push({ id, error });
}
process.stdout.write(JSON.stringify(results));
