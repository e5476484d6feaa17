import { resourceRules } from "../rule";
import { TfJson } from "../tfjson";
import { Statement, asList, statementsOf } from "./common";

/** Identity policies: the documents that grant a principal permissions. */
const IDENTITY_POLICIES: Readonly<Record<string, (body: TfJson) => string[]>> = {
  aws_iam_role_policy: (b) => [b.policy],
  aws_iam_policy: (b) => [b.policy],
  aws_iam_user_policy: (b) => [b.policy],
  aws_iam_group_policy: (b) => [b.policy],
  aws_iam_role: (b) => asList<TfJson>(b.inline_policy).map((p) => p.policy),
};

/** AWS managed policies that grant administration of an account or of IAM. */
export const ADMIN_MANAGED_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

const isWildcardAction = (a: string) => a === "*" || /^[a-z0-9-]+:\*$/.test(a);
const parse = (policy: unknown): Statement[] | undefined => {
  try {
    return typeof policy === "string" ? statementsOf(policy) : undefined;
  } catch {
    return undefined;
  }
};

export const IAM_RULES = resourceRules({ layers: ["aws"] }, [
  {
    id: "iam.no-wildcard-admin",
    requirement: "7.2.1, 7.2.2",
    fix: "Grant the actions the workload calls on the resources it uses (the services[].access of the region file generate such policies); never Action * or <service>:* on Resource *, NotAction or NotResource in an Allow, or an administrator managed policy.",
    description: "no identity policy allows * (or a whole service's actions) on *, allows by NotAction/NotResource, or attaches an administrator managed policy",
    resourceTypes: [...Object.keys(IDENTITY_POLICIES), "aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"],
    check: (body, { type }) => {
      const v: string[] = [];
      const managed = [...asList<string>(body.policy_arn), ...asList<string>(body.managed_policy_arns)];
      for (const arn of managed) if (ADMIN_MANAGED_POLICIES.some((p) => String(arn).endsWith(`:policy/${p}`))) v.push(`attaches ${arn}`);
      for (const doc of (IDENTITY_POLICIES[type] ?? (() => []))(body)) {
        const statements = parse(doc);
        if (!statements) {
          v.push("policy is not a literal JSON document the guardrails can read");
          continue;
        }
        for (const s of statements.filter((x) => x.Effect === "Allow")) {
          const id = s.Sid ?? "(no Sid)";
          const raw = s as unknown as TfJson;
          if (raw.NotAction !== undefined || raw.NotResource !== undefined) v.push(`statement ${id} allows by NotAction/NotResource`);
          const wild = asList(s.Action).filter(isWildcardAction);
          if (wild.length > 0 && asList(s.Resource).includes("*")) v.push(`statement ${id} allows ${wild.join(", ")} on *`);
        }
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
