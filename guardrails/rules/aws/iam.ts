import type { AwsRegionConfig } from "../../../config/schema";
import { resourceRules } from "../../rule";
import { TfJson, asList, ref, refName, resourcesOf, sameJson } from "../../../tfjson/terraform";
import { Statement, actionPatternMatches, limitedToAccount, principalArns, principalServices, statementsOf } from "../../../tfjson/iam-policy";

/** Identity policies: the documents that grant a principal permissions. */
export const IDENTITY_POLICIES: Readonly<Record<string, (body: TfJson) => string[]>> = {
  aws_iam_role_policy: (b) => [b.policy],
  aws_iam_policy: (b) => [b.policy],
  aws_iam_user_policy: (b) => [b.policy],
  aws_iam_group_policy: (b) => [b.policy],
  aws_iam_role: (b) => asList<TfJson>(b.inline_policy).map((p) => p.policy),
};

/**
 * The AWS managed policies the blueprint attaches, each reviewed (the EKS cluster and node roles,
 * RDS enhanced monitoring, AWS Backup, AWS Config's recorder). Any other managed policy is rejected: they are broad by design.
 */
export const REVIEWED_MANAGED_POLICIES = [
  "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
  "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
  "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
  "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
  // Read-only describe of every resource type Config records (no data, key or secret action).
  "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole",
];

/** Managed policies written for one service's role: attached only to a role that service assumes. */
const SERVICE_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup": "backup.amazonaws.com",
  "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole": "monitoring.rds.amazonaws.com",
  "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole": "config.amazonaws.com",
};

/**
 * Whether a role is a trail's role for CloudWatch Logs that may do nothing but write log events:
 * a trail of the stack names it, no managed policy is attached, and its inline policies allow only
 * logs:CreateLogStream and logs:PutLogEvents.
 */
function isTrailLogsRole(json: TfJson, roleName: string): boolean {
  const named = resourcesOf(json, "aws_cloudtrail").some(([, t]) => t.cloud_watch_logs_role_arn === ref("aws_iam_role", roleName, "arn"));
  const ownRef = (r: unknown) => r === ref("aws_iam_role", roleName, "id") || r === ref("aws_iam_role", roleName, "name");
  const attached = resourcesOf(json, "aws_iam_role_policy_attachment").some(([, a]) => ownRef(a.role));
  const policies = resourcesOf(json, "aws_iam_role_policy").filter(([, p]) => ownRef(p.role));
  const onlyLogEvents = policies.every(([, p]) =>
    statementsOf(String(p.policy)).every((st) => st.Effect !== "Allow" || asList(st.Action).every((a) => a === "logs:CreateLogStream" || a === "logs:PutLogEvents")),
  );
  return named && !attached && policies.length > 0 && onlyLogEvents;
}

/** `*`, `*:*` or a whole service (`s3:*`); IAM action names are case-insensitive. */
const isWildcardAction = (a: string) => /^(\*|\*:\*|[a-z0-9-]+:\*)$/i.test(a);
/** Actions that read or use cardholder data, keys, secrets or identities: never on every resource. */
const SENSITIVE_ACTION = /^(kms:(Decrypt|Encrypt|ReEncrypt\w*|GenerateDataKey\w*|CreateGrant)|secretsmanager:GetSecretValue|s3:(GetObject\w*|PutObject\w*|DeleteObject\w*)|iam:PassRole|sts:AssumeRole\w*|kafka-cluster:(ReadData|WriteData\w*))$/i;

/**
 * Concrete actions that SENSITIVE_ACTION names, to test an action pattern against: `s3:Get*` or
 * `kms:*crypt` on every resource reads every object or uses every key as surely as the action itself.
 */
const SENSITIVE_EXAMPLES = [
  "kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:CreateGrant",
  "secretsmanager:GetSecretValue", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
  "iam:PassRole", "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "kafka-cluster:ReadData", "kafka-cluster:WriteData", "kafka-cluster:WriteDataIdempotently",
];
/** An action, or an action pattern, that covers a sensitive action. */
const isSensitiveAction = (action: string) => SENSITIVE_ACTION.test(action) || SENSITIVE_EXAMPLES.some((x) => actionPatternMatches(action, x));

const allows = (statements: Statement[]) => statements.filter((s) => s.Effect === "Allow");

export const IAM_RULES = resourceRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "iam.no-wildcard-admin",
    requirement: "7.2.1, 7.2.2",
    fix: "Grant the actions the workload calls on the resources it uses (the services[].access of the region file generates such policies); never *, *:* or <service>:* on Resource *, a data or key action on *, NotAction/NotResource in an Allow, or an AWS managed policy outside REVIEWED_MANAGED_POLICIES.",
    description: "no identity policy allows * (or a whole service) on *, a data, key, secret or role action on *, or allows by NotAction/NotResource; only reviewed AWS managed policies are attached",
    resourceTypes: [...Object.keys(IDENTITY_POLICIES), "aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"],
    check: (body, { stack, type }) => {
      const v: string[] = [];
      for (const arn of [...asList<string>(body.policy_arn), ...asList<string>(body.managed_policy_arns)]) {
        if (String(arn).startsWith("arn:aws:iam::aws:policy/") && !REVIEWED_MANAGED_POLICIES.includes(arn)) v.push(`attaches ${arn}, not a reviewed AWS managed policy`);
        // A service's managed policy belongs on that service's role only.
        const service = SERVICE_MANAGED_POLICIES[arn];
        if (service) {
          // The role it is attached to: the attachment's role, or the role itself (managed_policy_arns);
          // a user, group or exclusive (aws_iam_policy_attachment) attachment has none.
          const role = refName(body.role, "aws_iam_role", "name");
          // Stryker disable next-line OptionalChaining: equivalent for resource?. (a resource rule runs on a stack with resources)
          const trust = type === "aws_iam_role" ? body.assume_role_policy : role ? stack.json.resource?.aws_iam_role?.[role]?.assume_role_policy : undefined;
          if (!trust || !statementsOf(String(trust)).some((s) => principalServices(s.Principal).includes(service))) v.push(`attaches ${arn} to a role that ${service} does not assume`);
        }
      }
      for (const doc of (IDENTITY_POLICIES[type] ?? (() => []))(body)) {
        for (const s of allows(statementsOf(doc))) {
          const id = s.Sid ?? "(no Sid)";
          const raw = s as unknown as TfJson;
          if (raw.NotAction !== undefined || raw.NotResource !== undefined) v.push(`statement ${id} allows by NotAction/NotResource`);
          if (!asList(s.Resource).includes("*")) continue;
          const wild = asList(s.Action).filter(isWildcardAction);
          if (wild.length > 0) v.push(`statement ${id} allows ${wild.join(", ")} on *`);
          const sensitive = asList(s.Action).filter((a) => !isWildcardAction(a) && isSensitiveAction(a));
          if (sensitive.length > 0) v.push(`statement ${id} allows ${sensitive.join(", ")} on every resource`);
        }
      }
      return v;
    },
  },
  {
    id: "iam.trust-named-principals",
    requirement: "7.2.1, 8.2.2",
    fix: "Trust this account's principals by ARN, or an AWS service with an aws:SourceAccount (or aws:SourceArn) condition for this account; never *, another account or a federated identity the blueprint does not define.",
    description: "every role is assumable only by principals of this account, or by an AWS service on this account's behalf (confused-deputy condition)",
    resourceTypes: ["aws_iam_role"],
    check: (body, { stack, name }) => {
      const account = stack.region.accountId;
      const v: string[] = [];
      const trailLogsRole = isTrailLogsRole(stack.json, name);
      for (const s of allows(statementsOf(String(body.assume_role_policy)))) {
        const id = s.Sid ?? "(no Sid)";
        if (s.Principal === undefined) v.push(`trust statement ${id} names no principal (IAM refuses a trust policy without one)`);
        for (const arn of principalArns(s.Principal)) {
          if (!arn.startsWith(`arn:aws:iam::${account}:`)) v.push(`trust statement ${id} admits ${arn}, not a principal of account ${account}`);
        }
        const services = principalServices(s.Principal);
        // The one service role that cannot carry the condition: CloudTrail's for CloudWatch Logs (AWS documents
        // that its trust supports neither aws:SourceArn nor aws:SourceAccount), when it may only write log events.
        const exempt = trailLogsRole && sameJson(services, ["cloudtrail.amazonaws.com"]) && s.Condition === undefined;
        if (services.length > 0 && !limitedToAccount(s, account) && !exempt) v.push(`trust statement ${id} admits ${services.join(", ")} without an aws:SourceAccount condition for ${account}`);
        const federated = (s.Principal as TfJson | undefined)?.Federated;
        if (federated !== undefined) v.push(`trust statement ${id} admits the federated identity ${JSON.stringify(federated)}`);
      }
      return v;
    },
  },
  {
    id: "iam.resource-policies-name-principals",
    requirement: "7.2.1, 7.2.2",
    fix: "Name principals of this account in the resource policy, or a service principal with an aws:SourceAccount/aws:SourceArn condition; Principal * only with a condition that limits it to this account.",
    description: "bucket, secret and repository policies allow only principals of this account, services on its behalf, or * limited to this account by condition",
    resourceTypes: ["aws_s3_bucket_policy", "aws_secretsmanager_secret_policy", "aws_ecr_repository_policy"],
    check: (body, { stack }) => {
      const account = stack.region.accountId;
      const v: string[] = [];
      for (const s of allows(statementsOf(String(body.policy)))) {
        const id = s.Sid ?? "(no Sid)";
        const limited = limitedToAccount(s, account);
        for (const arn of principalArns(s.Principal)) {
          if (arn === "*" && !limited) v.push(`statement ${id} allows any principal without limiting it to account ${account}`);
          else if (arn !== "*" && !arn.startsWith(`arn:aws:iam::${account}:`) && !arn.startsWith("${")) v.push(`statement ${id} allows ${arn}, outside account ${account}`);
        }
        const services = principalServices(s.Principal);
        if (services.length > 0 && !limited) v.push(`statement ${id} allows ${services.join(", ")} without an aws:SourceAccount condition for ${account}`);
      }
      return v;
    },
  },
  {
    id: "iam.no-long-lived-credentials",
    requirement: "8.2.2, 8.6.3",
    fix: "Use roles: Pod Identity for workloads, access entries for people and pipelines; never IAM users, access keys or console passwords in the stack.",
    description: "no IAM user, access key or login profile: every identity is a role with short-lived credentials",
    resourceTypes: ["aws_iam_user", "aws_iam_access_key", "aws_iam_user_login_profile", "aws_iam_service_specific_credential"],
    check: () => ["long-lived IAM credentials"],
  },
]);
