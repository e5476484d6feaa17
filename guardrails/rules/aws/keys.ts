import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { resourcesOf, preventsDestroy, refName } from "../../../tfjson/terraform";
import { DR_KEY_ALIASES, KEY_ALIAS_SUFFIXES } from "../../../model/aws/keys";
import { limitedToAccount, principalArns, principalServices, statementsOf } from "../../../tfjson/iam-policy";
import { aliasTarget, keyNameByAlias } from "../../../tfjson/aws";

export const KEY_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "keys.one-per-purpose",
    requirement: "3.6, 3.7",
    fix: "Create keys through RegionKeys (one per purpose, each with its alias); never point two purposes' aliases at one key.",
    description:
      "one customer-managed key per purpose, each with its own alias alias/<prefix>-<region>/<purpose>; the only other keys are the tokenization key's earlier generations (alias tokenization-interim or tokenization-hsm-g<n>)",
    check: ({ json, region }) => {
      const v: string[] = [];
      const prefix = `alias/${region.naming.prefix}-${region.name}/`;
      const keys = new Set(resourcesOf(json, "aws_kms_key").map(([n]) => n));
      const targets = new Set<string>();
      for (const suffix of Object.values(KEY_ALIAS_SUFFIXES)) {
        const alias = `${prefix}${suffix}`;
        const found = resourcesOf(json, "aws_kms_alias").find(([, a]) => a.name === alias);
        const key = keyNameByAlias(json, suffix);
        if (!found || !key || !keys.has(key)) v.push(`aws_kms_alias: no alias ${alias} targeting a key of this stack`);
        else if (targets.has(key)) v.push(`aws_kms_key.${key}: serves more than one purpose`);
        else targets.add(key);
      }
      // At stage keys, the earlier tokenization keys keep their own aliases: the ordinary CMK used
      // before the move and the HSM-backed generations before the current one.
      const generationAliases =
        region.hsm.stage === "keys"
          ? ["tokenization-interim", ...Array.from({ length: region.hsm.tokenizationKeyGeneration }, (_, i) => `tokenization-hsm-g${i + 1}`)]
          : [];
      const generations = generationAliases.map((g) => aliasTarget(json, `${prefix}${g}`));
      // With a DR partner, its own keys in the partner region (never multi-region keys).
      const partnerKeys = region.drPartnerRegion ? Object.values(DR_KEY_ALIASES).map((a) => aliasTarget(json, `${prefix}${a}`)) : [];
      for (const k of partnerKeys) {
        if (!k) v.push(`aws_kms_alias: a DR key alias (${Object.values(DR_KEY_ALIASES).join(", ")}) is missing`);
        else if (json.resource.aws_kms_key[k].provider !== "aws.dr") v.push(`aws_kms_key.${k}: a DR key outside the partner region's provider`);
      }
      // An alias lives in its key's region.
      for (const [an, alias] of resourcesOf(json, "aws_kms_alias")) {
        const target = refName(alias.target_key_id, "aws_kms_key", "key_id");
        if (target && json.resource.aws_kms_key[target] && json.resource.aws_kms_key[target].provider !== alias.provider) v.push(`aws_kms_alias.${an}: not in its key's region (provider)`);
      }
      for (const k of keys) {
        if (!targets.has(k) && !generations.includes(k) && !partnerKeys.includes(k)) v.push(`aws_kms_key.${k}: has no purpose alias`);
        if (json.resource.aws_kms_key[k].provider !== undefined && !partnerKeys.includes(k)) v.push(`aws_kms_key.${k}: in provider ${json.resource.aws_kms_key[k].provider}, not the region's`);
      }
      return v;
    },
  },
  {
    id: "keys.rotation-window-single-region",
    requirement: "3.6.1, 3.7.4",
    fix: "Use RegionKeys, or set enable_key_rotation = true, deletion_window_in_days = 30, multi_region = false and lifecycle.prevent_destroy on the key.",
    description:
      "every key: symmetric, 30-day deletion window, single-region, protected from destroy; rotation on, except keys in the CloudHSM key store, which KMS cannot rotate (rotation off, manual by generation)",
    check: ({ json }) =>
      resourcesOf(json, "aws_kms_key").flatMap(([name, k]) => {
        const v: string[] = [];
        const a = `aws_kms_key.${name}`;
        if (k.custom_key_store_id === undefined) {
          if (k.enable_key_rotation !== true) v.push(`${a}: enable_key_rotation is not true`);
        } else if (k.enable_key_rotation !== false || k.rotation_period_in_days !== undefined) {
          v.push(`${a}: in a custom key store, so enable_key_rotation must be false with no rotation period (KMS refuses automatic rotation there)`);
        }
        if (k.deletion_window_in_days !== 30) v.push(`${a}: deletion_window_in_days is ${k.deletion_window_in_days}, expected 30`);
        if (k.multi_region !== false) v.push(`${a}: multi_region is not false (key material would leave the region)`);
        if (k.customer_master_key_spec !== "SYMMETRIC_DEFAULT") v.push(`${a}: not a symmetric key`);
        if (!preventsDestroy(k)) v.push(`${a}: not protected from destroy`);
        return v;
      }),
  },
  {
    id: "keys.policies-name-principals",
    requirement: "3.6.1, 7.2",
    fix: "Name principals in the key policy (this account's root or roles, service principals with aws:SourceAccount or kms:ViaService conditions); never Principal * without a condition.",
    description: "key policies name principals (the account root, service principals with a condition); never * without a condition",
    check: ({ json, region }) =>
      resourcesOf(json, "aws_kms_key").flatMap(([name, k]) => {
        const a = `aws_kms_key.${name}`;
        if (typeof k.policy !== "string") return [`${a}: no explicit key policy`];
        const v: string[] = [];
        const statements = statementsOf(k.policy);
        for (const s of statements) {
          const arns = principalArns(s.Principal);
          if (s.Effect === "Allow" && arns.includes("*") && !limitedToAccount(s, region.accountId)) v.push(`${a}: statement ${s.Sid} allows principal * without a condition that limits it to account ${region.accountId}`);
          if (s.Effect === "Allow" && principalServices(s.Principal).length > 0 && !s.Condition) {
            v.push(`${a}: statement ${s.Sid} admits ${principalServices(s.Principal).join(", ")} with no condition (any account's use of the service would pass)`);
          }
          for (const arn of arns) {
            if (arn !== "*" && !arn.includes(`:${region.accountId}:`)) v.push(`${a}: statement ${s.Sid} names ${arn}, outside account ${region.accountId}`);
          }
        }
        const root = `arn:aws:iam::${region.accountId}:root`;
        if (!statements.some((s) => s.Effect === "Allow" && principalArns(s.Principal).includes(root))) v.push(`${a}: the account root is not named (the key could become unmanageable)`);
        return v;
      }),
  },
  {
    id: "keys.logs-key-admits-cloudwatch-with-context",
    requirement: "3.6.1, 10.3",
    fix: "Keep the logs key's statement for logs.<region>.amazonaws.com with the kms:EncryptionContext:aws:logs:arn condition limited to this account's log groups.",
    description: "the logs key admits the region's CloudWatch Logs principal only for this account's log groups",
    check: ({ json, region }) => {
      const name = keyNameByAlias(json, "logs");
      const key = name ? json.resource.aws_kms_key[name] : undefined;
      if (!key) return ["aws_kms_key: no logs key"];
      const service = `logs.${region.cloudRegion}.amazonaws.com`;
      const ok = statementsOf(key.policy).some((s) => {
        const services = principalServices(s.Principal);
        const ctx = s.Condition?.ArnLike?.["kms:EncryptionContext:aws:logs:arn"];
        return services.includes(service) && ctx === `arn:aws:logs:${region.cloudRegion}:${region.accountId}:log-group:*`;
      });
      return ok ? [] : [`aws_kms_key.${name}: no statement for ${service} with an aws:logs:arn encryption-context condition`];
    },
  },
]);
