import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { TfJson, asList, resourcesOf, preventsDestroy, refName } from "../../../tfjson/terraform";
import { DR_KEY_ALIASES, KEY_ALIAS_SUFFIXES } from "../../../model/aws/keys";
import { CUSTODIAN_ONLY_ACTIONS, DIRECT_KEY_USERS, KEY_ADMIN_ACTIONS, KEY_SERVICE_LINKED_ROLES, KEY_USE_ACTIONS, UNCONDITIONED_GRANTS, type KeyRole } from "../../../model/aws/key-access";
import { serviceOfServiceLinkedRole } from "../../../model/aws/iam";
import { Statement, actionPatternMatches, keyPolicyAdmits, limitedToAccount, principalArns, principalServices, statementsOf } from "../../../tfjson/iam-policy";
import { aliasTarget, keyNameByAlias, keyRegionOf, kmsAliases } from "../../../tfjson/aws";

/** What each key of the stack protects, by resource name: its purpose, a tokenization generation's purpose, or a DR key. */
export function keyRoles(json: TfJson, region: AwsRegionConfig): Map<string, KeyRole> {
  const prefix = `alias/${region.naming.prefix}-${region.name}/`;
  const bySuffix = new Map<string, KeyRole>([
    ...Object.entries(KEY_ALIAS_SUFFIXES).map(([purpose, suffix]) => [suffix, purpose as KeyRole] as const),
    [DR_KEY_ALIASES.audit, "drAudit"],
    [DR_KEY_ALIASES.database, "drDatabase"],
  ]);
  const out = new Map<string, KeyRole>();
  for (const { alias, key } of kmsAliases(json)) {
    if (!alias.startsWith(prefix)) continue;
    const suffix = alias.slice(prefix.length);
    const role = /^tokenization-(interim|hsm-g\d+)$/.test(suffix) ? "tokenization" : bySuffix.get(suffix);
    if (role && !out.has(key)) out.set(key, role);
  }
  return out;
}

/** The roles a statement names by `aws:PrincipalArn` (under the root principal). */
function namedRoles(s: Statement): string[] {
  return asList(s.Condition?.ArnEquals?.["aws:PrincipalArn"]);
}

/** Whether an Allow statement is the account root's administration statement: the root alone, unconditioned. */
function isRootAdministration(s: Statement, root: string): boolean {
  const arns = principalArns(s.Principal);
  return arns.length === 1 && arns[0] === root && s.Condition === undefined;
}

/**
 * The roles that may call KMS themselves (DIRECT_KEY_USERS), by user, as the key policies name
 * them: the region file's deploy role, the EKS cluster's role, and the Pod Identity roles of the
 * services that declare the tokenization key.
 */
function directKeyUserArns(json: TfJson, region: AwsRegionConfig): Record<string, string[]> {
  const roleArn = (roleRef: unknown) => {
    const name = refName(roleRef, "aws_iam_role", "arn");
    const role = name ? json.resource.aws_iam_role?.[name] : undefined;
    return role ? [`arn:aws:iam::${region.accountId}:role/${String(role.name)}`] : [];
  };
  const tokenizers = new Set(region.services.filter((s) => s.access?.tokenizationKey).map((s) => `${s.namespace}/${s.serviceAccount ?? s.name}`));
  return {
    deploy: [region.eks.deployRoleArn],
    eksCluster: resourcesOf(json, "aws_eks_cluster").flatMap(([, c]) => roleArn(c.role_arn)),
    tokenizationUsers: resourcesOf(json, "aws_eks_pod_identity_association").filter(([, a]) => tokenizers.has(`${a.namespace}/${a.service_account}`)).flatMap(([, a]) => roleArn(a.role_arn)),
    // Service-linked roles that call KMS themselves, by their one ARN in this account.
    ...Object.fromEntries(
      Object.entries(KEY_SERVICE_LINKED_ROLES)
        .filter(([user]) => user in DIRECT_KEY_USERS)
        .map(([user, slr]) => [user, [`arn:aws:iam::${region.accountId}:role/aws-service-role/${slr!.service}/${slr!.role}`]]),
    ),
  };
}

/** The policy statements of each key of the stack, with its name (keys whose policy is not literal are another rule's finding). */
function keyPolicies(json: TfJson): [string, Statement[]][] {
  return resourcesOf(json, "aws_kms_key").flatMap(([n, k]) => (typeof k.policy === "string" ? [[n, statementsOf(k.policy)] as [string, Statement[]]] : []));
}

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
          : // Stryker disable next-line ArrayDeclaration: equivalent for the empty list (an alias no key has targets nothing)
            [];
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
    id: "keys.administration-without-use",
    requirement: "3.6.1, 3.7.6, 7.2.1",
    fix: "Build key policies with RegionKeys/administrationStatements: the root administers through IAM with KEY_ADMIN_ACTIONS only, a Deny keeps PutKeyPolicy, DisableKey and ScheduleKeyDeletion to the custodians (the deploy role and the root user), and use statements carry use actions only.",
    description:
      "key administration is separated from use: the account root may administer a key through IAM but not use it (no cryptographic action, no grant, no kms:*); only the custodians (the region's deploy role and the root user) may change its policy, disable it or schedule its deletion; a statement that grants use grants nothing else",
    check: ({ json, region }) => {
      const root = `arn:aws:iam::${region.accountId}:root`;
      // Stryker disable next-line MethodExpression: equivalent (a role ARN, ":role/...", always sorts before the root, ":root")
      const custodians = [region.eks.deployRoleArn, root].sort();
      const v: string[] = [];
      for (const [n, policy] of keyPolicies(json)) {
        const a = `aws_kms_key.${n}`;
        for (const s of policy) {
          if (s.Effect !== "Allow") continue;
          if (isRootAdministration(s, root)) {
            const use = asList(s.Action).filter((x) => !(KEY_ADMIN_ACTIONS as readonly string[]).includes(x));
            if (use.length > 0) v.push(`${a}: statement ${s.Sid} lets the account root (any IAM principal with KMS permissions on *) ${use.join(", ")}`);
          } else {
            const other = asList(s.Action).filter((x) => !(KEY_USE_ACTIONS as readonly string[]).includes(x));
            if (other.length > 0) v.push(`${a}: statement ${s.Sid} grants use together with ${other.join(", ")}`);
          }
        }
        const guard = policy.find(
          (s) => s.Effect === "Deny" && principalArns(s.Principal).includes("*") && CUSTODIAN_ONLY_ACTIONS.every((x) => asList(s.Action).includes(x)) && s.Condition?.ArnNotEquals?.["aws:PrincipalArn"] !== undefined,
        );
        // Stryker disable next-line ArrayDeclaration: equivalent (without a guard, exempt is not read)
        const exempt = guard ? [...asList(guard.Condition!.ArnNotEquals["aws:PrincipalArn"])].sort() : [];
        if (!guard) v.push(`${a}: no Deny keeps ${CUSTODIAN_ONLY_ACTIONS.join(", ")} to the custodians`);
        else if (JSON.stringify(exempt) !== JSON.stringify(custodians)) v.push(`${a}: ${CUSTODIAN_ONLY_ACTIONS.join(", ")} are left to ${exempt.join(", ")}, not exactly the custodians ${custodians.join(", ")}`);
        else if (Object.keys(guard.Condition!).length !== 1) v.push(`${a}: the custodians' Deny has further conditions (${Object.keys(guard.Condition!).join(", ")}), so it may not apply`);
      }
      return v;
    },
  },
  {
    id: "keys.use-named-through-services",
    requirement: "3.6.1, 7.2.1, 7.2.2",
    fix: "Admit key users through RegionKeys.admitUsers/keyUseStatements (model/aws/key-access.ts): the root principal with ArnEquals aws:PrincipalArn naming the roles, kms:ViaService <service>.<key region>.amazonaws.com, and kms:GrantIsForAWSResource on CreateGrant; only the EKS cluster role (secrets key), the tokenization roles (tokenization keys) and service-linked roles call KMS directly.",
    description:
      "a key is used only by named roles (the root principal with aws:PrincipalArn naming literal roles of the region file, of the stack or AWS service-linked roles; never the whole account, never a wildcard), each through the services that need it in the key's own region (kms:ViaService); CreateGrant only for AWS resources; direct use only by the EKS cluster role on the secrets key, the tokenization roles on the tokenization keys and service-linked roles, and, for EKS CreateCluster (whose grant carries neither condition key), by the deploy role on the secrets key",
    check: ({ json, region }) => {
      const root = `arn:aws:iam::${region.accountId}:root`;
      const roles = keyRoles(json, region);
      const stackRoles = new Set(resourcesOf(json, "aws_iam_role").map(([, r]) => `arn:aws:iam::${region.accountId}:role/${String(r.name)}`));
      const declared = [region.eks.deployRoleArn, region.eks.adminRoleArn];
      const isSlr = (arn: string) => serviceOfServiceLinkedRole(arn) !== undefined && arn.split(":")[4] === region.accountId;
      const directUsers = directKeyUserArns(json, region);
      const v: string[] = [];
      for (const [n, policy] of keyPolicies(json)) {
        const a = `aws_kms_key.${n}`;
        const role = roles.get(n);
        const where = keyRegionOf(json, n, region.cloudRegion, region.drPartnerRegion);
        for (const s of policy) {
          if (s.Effect !== "Allow" || isRootAdministration(s, root)) continue;
          const arns = principalArns(s.Principal);
          // Stryker disable next-line ConditionalExpression: equivalent (a statement without principals admits no one: no check below finds anything in it)
          if (arns.length === 0) continue;
          const named = namedRoles(s);
          const direct = arns.every(isSlr);
          if (!direct && !(arns.length === 1 && arns[0] === root && named.length > 0)) {
            v.push(`${a}: statement ${s.Sid} admits ${arns.join(", ")} without naming the roles (ArnEquals aws:PrincipalArn)`);
            continue;
          }
          if (s.Condition?.ArnLike?.["aws:PrincipalArn"] !== undefined) v.push(`${a}: statement ${s.Sid} matches roles by pattern (ArnLike), not by name`);
          for (const arn of named) {
            if (/[*?$]/.test(arn)) v.push(`${a}: statement ${s.Sid} names ${arn}, a pattern or an expression, not a role`);
            else if (!declared.includes(arn) && !stackRoles.has(arn) && !isSlr(arn)) v.push(`${a}: statement ${s.Sid} names ${arn}, neither a role of the region file or of this stack nor a service-linked role of this account`);
          }
          // The region's deploy role is the one outside principal the model lets call directly or grant unconditioned (EKS CreateCluster).
          const deployOnly = named.length > 0 && named.every((arn) => arn === region.eks.deployRoleArn);
          const unconditionedOk = deployOnly && role !== undefined && (UNCONDITIONED_GRANTS.deploy ?? []).includes(role);
          if (asList(s.Action).some((x) => actionPatternMatches(x, "kms:CreateGrant")) && s.Condition?.Bool?.["kms:GrantIsForAWSResource"] !== "true" && !unconditionedOk) {
            v.push(`${a}: statement ${s.Sid} allows CreateGrant without kms:GrantIsForAWSResource (a grant could give its holder any use)`);
          }
          const via = asList(s.Condition?.StringEquals?.["kms:ViaService"]);
          for (const service of via) if (!service.endsWith(`.${where}.amazonaws.com`)) v.push(`${a}: statement ${s.Sid} admits calls through ${service}, outside the key's region ${where}`);
          if (via.length === 0 && !direct) {
            // Each role it names must be a user that may call this key itself: the deploy role and the
            // cluster role on the secrets key, the tokenization services' roles on the tokenization keys.
            const allowed = new Set(Object.entries(DIRECT_KEY_USERS).filter(([, keys]) => role !== undefined && keys!.includes(role)).flatMap(([user]) => directUsers[user] ?? []));
            const outsiders = named.filter((arn) => !allowed.has(arn));
            if (outsiders.length > 0) v.push(`${a}: statement ${s.Sid} lets ${outsiders.join(", ")} call KMS directly, not through a service (kms:ViaService)`);
          }
        }
      }
      return v;
    },
  },
  {
    id: "keys.granted-use-is-admitted",
    requirement: "3.6.1, 12.5",
    fix: "Admit the role in the key's policy for every KMS action its IAM policy grants on the key (model/aws/key-access.ts KEY_USES), or drop the grant from its IAM policy.",
    description:
      "every KMS action a role of the stack is granted on a key of the stack (aws_iam_role_policy) is admitted by that key's policy for that role: the root no longer delegates use to IAM, so a grant the key policy does not admit fails at run time (AccessDeniedException)",
    check: ({ json, region }) => {
      const root = `arn:aws:iam::${region.accountId}:root`;
      const policies = new Map(keyPolicies(json));
      const v: string[] = [];
      for (const [pn, p] of resourcesOf(json, "aws_iam_role_policy")) {
        const roleName = refName(p.role, "aws_iam_role", "name");
        // Stryker disable next-line OptionalChaining: equivalent (a role policy names a role, so the stack has roles)
        const role = roleName ? json.resource.aws_iam_role?.[roleName] : undefined;
        // Stryker disable next-line ConditionalExpression: equivalent (cdktf writes every policy as a string)
        if (!role || typeof p.policy !== "string") continue;
        const arn = `arn:aws:iam::${region.accountId}:role/${String(role.name)}`;
        for (const s of statementsOf(p.policy)) {
          if (s.Effect !== "Allow") continue;
          const via = asList(s.Condition?.StringEquals?.["kms:ViaService"]);
          for (const resource of asList(s.Resource)) {
            const key = refName(resource, "aws_kms_key", "arn");
            const policy = key ? policies.get(key) : undefined;
            if (!policy) continue;
            for (const action of asList(s.Action).filter((x) => x.startsWith("kms:"))) {
              const ok = via.length === 0 ? keyPolicyAdmits(policy, root, arn, action) : via.every((service) => keyPolicyAdmits(policy, root, arn, action, service));
              if (!ok) v.push(`aws_iam_role_policy.${pn}: grants ${role.name} ${action} on aws_kms_key.${key}${via.length ? ` through ${via.join(", ")}` : ""}, which the key's policy does not admit`);
            }
          }
        }
      }
      return v;
    },
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
