/**
 * keyRoles: what each KMS key of a stack protects, read from its aliases (the key policy rules
 * decide by it who may call a key directly or grant on it unconditioned).
 */
import type { AwsRegionConfig } from "../../config/schema";
import { keyRoles } from "../../guardrails/rules/aws/keys";

const region = { name: "eu", naming: { prefix: "acme-pay" } } as AwsRegionConfig;
/** A stack whose aliases `[alias, key]` target its keys. */
const stack = (aliases: [string, string][]) => ({
  resource: { aws_kms_alias: Object.fromEntries(aliases.map(([name, key], i) => [`a${i}`, { name, target_key_id: `\${aws_kms_key.${key}.key_id}` }])) },
});

it("reads each key's purpose from its alias under the region's prefix", () => {
  const roles = keyRoles(
    stack([
      ["alias/acme-pay-eu/database", "db"],
      ["alias/acme-pay-eu/eks-secrets", "secrets"],
      ["alias/acme-pay-eu/dr-audit", "dr_audit"],
      ["alias/acme-pay-eu/dr-database", "dr_db"],
      ["alias/acme-pay-eu/tokenization", "tok"],
      ["alias/acme-pay-eu/tokenization-interim", "tok_interim"],
      ["alias/acme-pay-eu/tokenization-hsm-g12", "tok_g12"],
    ]),
    region,
  );
  expect(Object.fromEntries(roles)).toEqual({ db: "database", secrets: "eksSecrets", dr_audit: "drAudit", dr_db: "drDatabase", tok: "tokenization", tok_interim: "tokenization", tok_g12: "tokenization" });
});

it("ignores aliases of another prefix, unknown purposes and near-miss generations, and keeps a key's first purpose", () => {
  const roles = keyRoles(
    stack([
      ["alias/acme-pay-us/database", "other_region"],
      ["alias/elsewhere/acme-pay-eu/database", "nested"],
      ["alias/acme-pay-eu/unknown", "unknown"],
      ["alias/acme-pay-eu/tokenization-hsm-g", "no_generation"],
      ["alias/acme-pay-eu/tokenization-hsm-g1x", "bad_generation"],
      ["alias/acme-pay-eu/x-tokenization-interim", "prefixed"],
      ["alias/acme-pay-eu/kafka", "shared"],
      ["alias/acme-pay-eu/logs", "shared"],
    ]),
    region,
  );
  expect(Object.fromEntries(roles)).toEqual({ shared: "kafka" });
});
