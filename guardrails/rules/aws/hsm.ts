import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { TfJson, ref, resourcesOf, asList, preventsDestroy } from "../../../tfjson/terraform";
import { KMSUSER_PASSWORD_VARIABLE, CLOUDHSM_PORTS } from "../../../model/aws/hsm";
import { RETIRED_KEY_DENIED_ACTIONS } from "../../../model/aws/keys";
import { principalArns, statementsOf } from "../../../tfjson/iam-policy";
import { aliasTarget, isKeyArnRef, keyNameByAlias, tierSubnetRefs } from "../../../tfjson/aws";

/**
 * True when the key's policy denies everyone the actions that produce new ciphertext under it,
 * except requests that name the purpose alias (which reach it only until the alias move has
 * propagated).
 */
function decryptsOnly(key: TfJson, purposeAlias: string): boolean {
  return statementsOf(key.policy).some(
    (s) =>
      s.Effect === "Deny" &&
      principalArns(s.Principal).includes("*") &&
      RETIRED_KEY_DENIED_ACTIONS.every((a) => asList(s.Action).includes(a)) &&
      JSON.stringify(s.Condition ?? {}) === JSON.stringify({ StringNotEquals: { "kms:RequestAlias": purposeAlias } }),
  );
}

/** Invariants of the CloudHSM cluster. */
export const HSM_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "hsm.cluster-in-data-tier",
    requirement: "3.6.1, 3.7",
    fix: "Create the cluster through CloudHsm, in the data-tier subnets of every AZ, with prevent_destroy.",
    description: "one CloudHSM cluster in FIPS mode in the data-tier subnets of every AZ, protected from destroy",
    check: ({ json }) => {
      const clusters = resourcesOf(json, "aws_cloudhsm_v2_cluster");
      if (clusters.length !== 1) return [`aws_cloudhsm_v2_cluster: ${clusters.length}, expected 1`];
      const [n, c] = clusters[0];
      const dataSubnets = tierSubnetRefs(json, "data");
      const v: string[] = [];
      if (JSON.stringify([...asList(c.subnet_ids)].sort()) !== JSON.stringify(dataSubnets)) v.push(`aws_cloudhsm_v2_cluster.${n}: not in the data tier of every AZ`);
      if (c.mode !== "FIPS") v.push(`aws_cloudhsm_v2_cluster.${n}: mode ${c.mode}, expected FIPS`);
      if (!preventsDestroy(c)) v.push(`aws_cloudhsm_v2_cluster.${n}: not protected from destroy`);
      return v;
    },
  },
  {
    id: "hsm.two-hsms-distinct-azs",
    requirement: "3.6.1, 12.10",
    fix: "Set hsm.count to at least 2 in the region file; CloudHsm puts each HSM in a different data-tier subnet, and adds all but the first once the cluster is activated (stage keystore).",
    description: "from stage keystore (the cluster activated), at least two HSMs (the configured count); at every stage each HSM in a different data-tier subnet, protected from destroy",
    check: ({ json, region }) => {
      const hsms = resourcesOf(json, "aws_cloudhsm_v2_hsm");
      const subnets = hsms.map(([, h]) => h.subnet_id ?? h.availability_zone);
      const dataSubnets = tierSubnetRefs(json, "data");
      const v: string[] = [];
      // Stage "cluster" holds one HSM (preflight.hsm-before-activation); the count applies once the cluster is active.
      if (region.hsm.stage !== "cluster" && (hsms.length < 2 || hsms.length !== region.hsm.count)) v.push(`aws_cloudhsm_v2_hsm: ${hsms.length} HSMs, expected ${region.hsm.count} (≥ 2)`);
      if (new Set(subnets).size !== subnets.length || subnets.some((s) => !dataSubnets.includes(s))) v.push(`aws_cloudhsm_v2_hsm: ${JSON.stringify(subnets)} are not distinct data-tier subnets`);
      for (const [n, h] of hsms) if (!preventsDestroy(h)) v.push(`aws_cloudhsm_v2_hsm.${n}: not protected from destroy`);
      return v;
    },
  },
  {
    id: "hsm.clients-from-workload-tier-only",
    requirement: "1.3.1, 1.3.2",
    fix: "Admit the client ports 2223-2225 on the cluster's security group from the workload tier's CIDRs only.",
    description: "rules we add to the cluster's security group admit the client ports (2223–2225) from the workload tier only",
    check: ({ json, region }) => {
      const sgs = resourcesOf(json, "aws_cloudhsm_v2_cluster").map(([n]) => ref("aws_cloudhsm_v2_cluster", n, "security_group_id"));
      const v: string[] = [];
      for (const t of ["aws_vpc_security_group_ingress_rule", "aws_security_group_rule"]) {
        for (const [rn, r] of resourcesOf(json, t).filter(([, r]) => sgs.includes(r.security_group_id))) {
          const sources = r.cidr_ipv4 ? [r.cidr_ipv4] : asList(r.cidr_blocks);
          if (r.from_port !== CLOUDHSM_PORTS.from || r.to_port !== CLOUDHSM_PORTS.to) v.push(`${t}.${rn}: ports ${r.from_port}-${r.to_port}`);
          if (sources.length === 0 || sources.some((s) => !region.network.subnets.workload.includes(s as string))) v.push(`${t}.${rn}: source ${JSON.stringify(sources)} is not the workload tier`);
        }
      }
      return v;
    },
  },
  {
    id: "hsm.kmsuser-secret",
    requirement: "3.6.1, 8.3.2",
    fix: "Keep CloudHsm's kmsuser secret (secrets-manager key, no secret version in the stack); store the password out of band after the HSM ceremony.",
    description: "the kmsuser password has its own secret under the secrets-manager key, created empty: its value is never in the stack",
    check: ({ json, region }) => {
      const name = `${region.naming.prefix}-${region.name}/cloudhsm/kmsuser-password`;
      const secrets = resourcesOf(json, "aws_secretsmanager_secret").filter(([, s]) => s.name === name);
      if (secrets.length !== 1) return [`aws_secretsmanager_secret: ${secrets.length} secrets named ${name}, expected 1`];
      const [n, secret] = secrets[0];
      const v: string[] = [];
      if (!isKeyArnRef(secret.kms_key_id, keyNameByAlias(json, "secrets-manager"))) v.push(`aws_secretsmanager_secret.${n}: not under the secrets-manager key`);
      if (secret.recovery_window_in_days !== 30) v.push(`aws_secretsmanager_secret.${n}: recovery window ${secret.recovery_window_in_days}, expected 30`);
      for (const [vn] of resourcesOf(json, "aws_secretsmanager_secret_version")) v.push(`aws_secretsmanager_secret_version.${vn}: a secret value in the stack`);
      return v;
    },
  },
  {
    id: "hsm.key-store-stage",
    requirement: "3.6.1, 3.7, 8.3.2",
    fix: "Advance hsm.stage in the region file one step at a time (cluster, keystore, keys) after the manual steps of docs/deploy.md (CloudHSM ceremony).",
    description:
      "the custom key store exists from stage keystore: on the cluster, with the configured trust anchor, after the HSMs, protected from destroy; its kmsuser password is a sensitive variable with no default at stage keystore, and never asked again",
    check: ({ json, region }) => {
      const stores = resourcesOf(json, "aws_kms_custom_key_store");
      const variable = json.variable?.[KMSUSER_PASSWORD_VARIABLE];
      const v: string[] = [];
      for (const [vn, body] of Object.entries((json.variable ?? {}) as Record<string, TfJson>)) {
        if (body.sensitive === true && "default" in body) v.push(`variable.${vn}: a sensitive variable with a default (a secret literal)`);
      }
      if (region.hsm.stage === "cluster") {
        if (stores.length > 0) v.push(`aws_kms_custom_key_store: present at stage "cluster", before the cluster is initialized`);
        if (variable) v.push(`variable.${KMSUSER_PASSWORD_VARIABLE}: asked for at stage "cluster"`);
        return v;
      }
      if (stores.length !== 1) return [...v, `aws_kms_custom_key_store: ${stores.length}, expected 1 at stage "${region.hsm.stage}"`];
      const [n, store] = stores[0];
      const a = `aws_kms_custom_key_store.${n}`;
      const clusters = resourcesOf(json, "aws_cloudhsm_v2_cluster").map(([cn]) => ref("aws_cloudhsm_v2_cluster", cn, "cluster_id"));
      if (store.custom_key_store_type !== "AWS_CLOUDHSM" || !clusters.includes(store.cloud_hsm_cluster_id)) v.push(`${a}: not a CloudHSM key store on this stack's cluster`);
      if (String(store.trust_anchor_certificate).trim() !== region.hsm.trustAnchorCertificate?.trim()) v.push(`${a}: trust anchor differs from hsm.trustAnchorCertificate`);
      if (!preventsDestroy(store)) v.push(`${a}: not protected from destroy`);
      if (!asList(store.lifecycle?.ignore_changes).includes("key_store_password")) v.push(`${a}: key_store_password not ignored after creation (KMS rotates it at connect)`);
      const hsms = resourcesOf(json, "aws_cloudhsm_v2_hsm").map(([hn]) => `aws_cloudhsm_v2_hsm.${hn}`);
      if (hsms.length === 0 || hsms.some((h) => !asList(store.depends_on).includes(h))) v.push(`${a}: not created after every HSM`);
      if (region.hsm.stage === "keystore") {
        if (store.key_store_password !== `\${var.${KMSUSER_PASSWORD_VARIABLE}}`) v.push(`${a}: key_store_password is not var.${KMSUSER_PASSWORD_VARIABLE}`);
        if (!variable || variable.sensitive !== true || "default" in variable || variable.nullable !== false || asList(variable.validation).length === 0) {
          v.push(`variable.${KMSUSER_PASSWORD_VARIABLE}: must be sensitive, non-nullable, validated and without a default`);
        }
      } else {
        if (store.key_store_password !== undefined) v.push(`${a}: key_store_password still set at stage "${region.hsm.stage}"`);
        if (variable) v.push(`variable.${KMSUSER_PASSWORD_VARIABLE}: still asked for at stage "${region.hsm.stage}"`);
      }
      return v;
    },
  },
  {
    id: "hsm.tokenization-key-in-store",
    requirement: "3.6.1, 3.7.4, 3.7.5",
    fix: "Let RegionKeys create the tokenization key in the custom key store at stage keys and keep earlier generations denied for encryption.",
    description:
      "before stage keys the tokenization alias targets an ordinary rotating CMK and no key is in a key store; at stage keys it targets the newest of the configured generations in the store, and every earlier tokenization key refuses encryption except through the purpose alias, changed only after the alias moved",
    check: ({ json, region }) => {
      const prefix = `alias/${region.naming.prefix}-${region.name}`;
      const keys = Object.fromEntries(resourcesOf(json, "aws_kms_key"));
      const inStore = Object.keys(keys).filter((k) => keys[k].custom_key_store_id !== undefined);
      const current = keyNameByAlias(json, "tokenization");
      const v: string[] = [];
      if (!current || !keys[current]) return [`aws_kms_alias: ${prefix}/tokenization targets no key of this stack`];
      if (region.hsm.stage !== "keys") {
        if (inStore.length > 0) v.push(`aws_kms_key: ${inStore.join(", ")} in a key store before stage "keys"`);
        if (keys[current].enable_key_rotation !== true) v.push(`aws_kms_key.${current}: the tokenization key does not rotate`);
        return v;
      }
      const storeRefs = resourcesOf(json, "aws_kms_custom_key_store").map(([sn]) => ref("aws_kms_custom_key_store", sn, "id"));
      const generation = region.hsm.tokenizationKeyGeneration;
      const generations = Array.from({ length: generation }, (_, i) => aliasTarget(json, `${prefix}/tokenization-hsm-g${i + 1}`));
      generations.forEach((k, i) => {
        if (!k || !keys[k]) v.push(`aws_kms_alias: no ${prefix}/tokenization-hsm-g${i + 1}`);
        else if (!storeRefs.includes(keys[k].custom_key_store_id)) v.push(`aws_kms_key.${k}: generation ${i + 1} is not in this stack's key store`);
      });
      if (inStore.length !== generation) v.push(`aws_kms_key: ${inStore.length} keys in the key store, expected ${generation} generations`);
      if (current !== generations[generation - 1]) v.push(`aws_kms_alias: ${prefix}/tokenization targets ${current}, not generation ${generation}`);
      const interim = aliasTarget(json, `${prefix}/tokenization-interim`);
      if (!interim || !keys[interim] || keys[interim].custom_key_store_id !== undefined) v.push(`aws_kms_alias: ${prefix}/tokenization-interim does not target the ordinary key used before the move`);
      // Stryker disable next-line OptionalChaining: equivalent (the alias exists: the current key was found through it above)
      const purposeAliasResource = resourcesOf(json, "aws_kms_alias").find(([, a]) => a.name === `${prefix}/tokenization`)?.[0];
      for (const retired of [interim, ...generations.slice(0, -1)]) {
        if (!retired || !keys[retired]) continue;
        if (!decryptsOnly(keys[retired], `${prefix}/tokenization`)) v.push(`aws_kms_key.${retired}: a retired tokenization key still encrypts (other than through the moving alias)`);
        if (!asList(keys[retired].depends_on).includes(`aws_kms_alias.${purposeAliasResource}`)) v.push(`aws_kms_key.${retired}: its policy could change before the alias moves`);
      }
      if (decryptsOnly(keys[current], `${prefix}/tokenization`)) v.push(`aws_kms_key.${current}: the current tokenization key cannot encrypt`);
      return v;
    },
  },
]);
