import { stackRules } from "../../rule";
import { TfJson, resourcesOf, asList, walkStrings, addressOf } from "../../../tfjson/terraform";

/** Argument names that hold a secret value. */
export const SECRET_ARGUMENT = /^(password|root_password|master_password|secret_string|secret_binary|secret_key|access_key|private_key|token|auth_token|client_secret|client_key|key_store_password|api_key)(_wo)?$/;

const isLiteral = (s: string) => s.length > 0 && !s.includes("${");

export const SECRET_RULES = stackRules({ layers: ["aws", "gcp", "pki", "istio", "mesh", "dr"] }, [
  {
    id: "secrets.no-key-material",
    requirement: "3.6.1, 3.7.1",
    fix: "Keep private keys in the HSM, KMS or ACM PCA that generates them; never generate a key with the tls provider or paste one into the stack (certificates and CSRs are public and fine).",
    description: "no private key (PEM or a tls_private_key resource) appears anywhere in the stack, so none reaches the plan or the state",
    check: ({ json }) => {
      const v: string[] = [];
      for (const type of ["tls_private_key", "tls_self_signed_cert", "tls_locally_signed_cert", "acme_certificate"]) {
        for (const [name] of resourcesOf(json, type)) v.push(`${type}.${name}: generates key material that Terraform keeps in its state`);
      }
      walkStrings(json, [], (path, value) => {
        if (/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY(?: BLOCK)?-----/.test(value)) v.push(`${addressOf(path)}: contains a PEM private key`);
      });
      return v;
    },
  },
  {
    id: "secrets.no-literals",
    requirement: "8.3.2, 8.6.2, 3.5",
    fix: "Reference the secret instead: a sensitive variable without a default (supplied at deploy through TF_VAR_...), a Secrets Manager secret managed by the service (manage_master_user_password), or a value written outside Terraform.",
    description: "no secret value is written into the stack: secret arguments hold references, sensitive variables have no default, no Kubernetes Secret carries data, no helm set_sensitive",
    check: ({ json }) => {
      const v: string[] = [];
      walkStrings(json, [], (path, value) => {
        const key = path[path.length - 1];
        if (SECRET_ARGUMENT.test(key) && isLiteral(value)) v.push(`${addressOf(path)}: ${path.slice(path[0] === "resource" ? 3 : 2).join(".")} is a literal`);
      });
      for (const [name, variable] of Object.entries((json.variable ?? {}) as Record<string, TfJson>)) {
        if (variable.sensitive === true && variable.default !== undefined) v.push(`variable.${name}: sensitive variable with a default value`);
      }
      for (const [name, r] of resourcesOf(json, "kubernetes_manifest")) {
        if (r.manifest?.kind === "Secret" && (r.manifest.data !== undefined || r.manifest.stringData !== undefined)) v.push(`kubernetes_manifest.${name}: a Secret with its data in the stack`);
      }
      for (const type of ["kubernetes_secret", "kubernetes_secret_v1"]) {
        for (const [name, r] of resourcesOf(json, type)) {
          if (r.data !== undefined || r.binary_data !== undefined) v.push(`${type}.${name}: a Secret with its data in the stack`);
        }
      }
      for (const [name, r] of resourcesOf(json, "helm_release")) {
        if (asList(r.set_sensitive).length > 0) v.push(`helm_release.${name}: set_sensitive writes a secret into the state`);
      }
      return v;
    },
  },
]);
