/**
 * Preflight: what `terraform plan` cannot see but the first `cdktf deploy` on an empty account
 * would stop on. Each rule states an apply-time precondition in general, so that no later change
 * can bring back the same kind of failure.
 */
import type { AwsRegionConfig } from "../../../config/schema";
import { serviceOfServiceLinkedRole } from "../../../model/aws/iam";
import { TfJson, allResources, asList, one, refName, resourcesOf, waitsFor } from "../../../tfjson/terraform";
import { keyPolicyAdmits, principalArns, principalServices, statementsOf } from "../../../tfjson/iam-policy";
import { POD_IDENTITY_SESSION_TAGS } from "../../../model/aws/eks";
import { CREATOR_KEY_NEEDS } from "../../../model/aws/key-access";
import { keyRegionOf } from "../../../tfjson/aws";
import { stackRules } from "../../rule";

/** The policies that name principals, by resource type and argument: AWS rejects a policy naming a principal that does not exist. */
const PRINCIPAL_POLICIES: Readonly<Record<string, string>> = {
  aws_kms_key: "policy",
  aws_s3_bucket_policy: "policy",
  aws_secretsmanager_secret_policy: "policy",
  aws_ecr_repository_policy: "policy",
  aws_iam_role: "assume_role_policy",
};

/** A reference to a resource of the stack (`${type.name.attr}`), as `type.name`, or undefined. */
function referencedResource(value: string): string | undefined {
  const m = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(value);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** The problems of one principal a policy names, if it may not exist when the policy is applied. */
function principalProblems(json: TfJson, region: AwsRegionConfig, address: string, body: TfJson, principal: string): string[] {
  if (principal === "*" || new RegExp(`^arn:[^:]+:iam::${region.accountId}:root$`).test(principal)) return [];
  const resource = referencedResource(principal);
  if (resource) {
    const [type, name] = resource.split(".");
    return json.resource[type]?.[name] ? [] : [`${address}: names ${principal}, which the stack does not create`];
  }
  const service = serviceOfServiceLinkedRole(principal);
  if (service) {
    if ((region.existingServiceLinkedRoles as readonly string[]).includes(service)) return [];
    const created = resourcesOf(json, "aws_iam_service_linked_role").filter(([, r]) => r.aws_service_name === service && r.custom_suffix === undefined);
    if (created.length === 0) return [`${address}: names the service-linked role of ${service}, which no resource of the stack creates and the region file does not list in existingServiceLinkedRoles`];
    const before = waitsFor(body);
    return created.some(([n]) => before.has(`aws_iam_service_linked_role.${n}`)) ? [] : [`${address}: names the service-linked role of ${service} but is not ordered after aws_iam_service_linked_role.${created[0][0]} (depends_on)`];
  }
  const declared = [region.eks.adminRoleArn, region.eks.deployRoleArn];
  return declared.includes(principal) ? [] : [`${address}: names ${principal}, which the stack does not create before it and the region file does not declare`];
}

/** The condition keys EKS Pod Identity sends when it assumes a role: anything else in a trust condition denies every pod. */
const POD_IDENTITY_CONDITION_KEYS = ["aws:SourceAccount", ...Object.values(POD_IDENTITY_SESSION_TAGS).map((t) => `aws:RequestTag/${t}`)];

/**
 * The characters EC2 accepts in a description, by resource type (the API's constraints; the
 * provider checks only the length, so a plan passes and the apply fails with InvalidParameterValue).
 */
const EC2_DESCRIPTION_CHARACTERS: Readonly<Record<string, RegExp>> = {
  aws_security_group: /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/,
  aws_vpc_security_group_ingress_rule: /^[a-zA-Z0-9. _\-:/()#,@[\]+=;{}!$*]*$/,
  aws_vpc_security_group_egress_rule: /^[a-zA-Z0-9. _\-:/()#,@[\]+=;{}!$*]*$/,
};

export const PREFLIGHT_RULES = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "preflight.ec2-description-characters",
    requirement: "12.5",
    fix: "Write security-group and rule descriptions with letters, digits, spaces and ._-:/()#,@[]+=;{}!$* only (a group's may also use &): no apostrophe, quote or non-ASCII letter.",
    description: "every security group's and security-group rule's description uses only the characters EC2 accepts (the plan does not check them; the apply fails)",
    check: ({ json }) =>
      Object.entries(EC2_DESCRIPTION_CHARACTERS).flatMap(([type, allowed]) =>
        resourcesOf(json, type)
          .filter(([, r]) => typeof r.description === "string" && !allowed.test(r.description))
          .map(([n, r]) => `${type}.${n}: description ${JSON.stringify(r.description)} has characters EC2 refuses (${[...new Set([...String(r.description)].filter((c) => !allowed.test(c)))].join(" ")})`),
      ),
  },
  {
    id: "preflight.zonal-by-zone-id",
    requirement: "12.10.1, 12.5",
    fix: "Place subnets with availability_zone_id from the region file's availabilityZoneIds, and give a zonal resource that takes a zone name the availability_zone of the subnet it belongs in.",
    description:
      "everything zonal is placed by zone ID: subnets by availability_zone_id (a zone name is a different physical zone in each account, and some cannot host EKS), and no resource names a zone by a literal name, only by a subnet's zone",
    check: ({ json }) => {
      const v: string[] = [];
      for (const [n, s] of resourcesOf(json, "aws_subnet")) {
        if (typeof s.availability_zone_id !== "string") v.push(`aws_subnet.${n}: not placed by availability_zone_id`);
        if (s.availability_zone !== undefined) v.push(`aws_subnet.${n}: placed by zone name ${JSON.stringify(s.availability_zone)}`);
      }
      for (const [type, n, body] of allResources(json)) {
        // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent (a subnet's zone name is reported above; this would report it twice)
        if (type === "aws_subnet") continue;
        for (const key of ["availability_zone", "availability_zones"]) {
          for (const zone of asList<unknown>(body[key])) {
            if (typeof zone === "string" && !/^\$\{aws_subnet\.[^.]+\.availability_zone\}$/.test(zone)) v.push(`${type}.${n}: ${key} names ${JSON.stringify(zone)}, not a subnet's zone`);
          }
        }
      }
      return v;
    },
  },
  {
    id: "preflight.pod-identity-trust-keys",
    requirement: "7.2.1, 8.2.2",
    fix: "Condition a Pod Identity trust only on aws:SourceAccount and the session tags EKS sends (aws:RequestTag/eks-cluster-arn, kubernetes-namespace, kubernetes-service-account, ...), and keep the association's session tags on.",
    description:
      "a role trusted by EKS Pod Identity conditions its trust only on keys Pod Identity sends (aws:SourceAccount and its session tags), and its associations keep session tags on: any other key, or no tags, denies every pod",
    check: ({ json }) => {
      const v: string[] = [];
      for (const [n, role] of resourcesOf(json, "aws_iam_role")) {
        for (const s of statementsOf(String(role.assume_role_policy))) {
          if (!principalServices(s.Principal).includes("pods.eks.amazonaws.com")) continue;
          for (const [op, kv] of Object.entries(s.Condition ?? {})) {
            for (const key of Object.keys(kv)) if (!POD_IDENTITY_CONDITION_KEYS.includes(key)) v.push(`aws_iam_role.${n}: its Pod Identity trust conditions on ${key} (${op}), which EKS Pod Identity does not send`);
          }
        }
      }
      for (const [n, a] of resourcesOf(json, "aws_eks_pod_identity_association")) if (a.disable_session_tags === true) v.push(`aws_eks_pod_identity_association.${n}: session tags disabled, so the role's trust conditions never match`);
      return v;
    },
  },
  {
    id: "preflight.engine-major-only",
    requirement: "6.3.3, 12.5",
    fix: "Pin the major version only (engine_version \"16\") and leave engine_version off the instances; RDS picks the minor and upgrades it in the maintenance window.",
    description:
      "a database whose minor versions RDS upgrades itself pins its major version only: a pinned minor makes the next plan try to downgrade after an automatic upgrade (and cannot be created once RDS retires it); its instances run the cluster's version",
    check: ({ json }) => {
      const v: string[] = [];
      const instances = resourcesOf(json, "aws_rds_cluster_instance");
      for (const [n, c] of resourcesOf(json, "aws_rds_cluster")) {
        const own = instances.filter(([, i]) => i.cluster_identifier === `\${aws_rds_cluster.${n}.id}`);
        const upgradesItself = own.length === 0 || own.some(([, i]) => i.auto_minor_version_upgrade !== false);
        // Stryker disable next-line StringLiteral: equivalent (any non-digit text fails the major-version test as "" does)
        if (upgradesItself && !/^\d+$/.test(String(c.engine_version ?? ""))) v.push(`aws_rds_cluster.${n}: engine_version ${JSON.stringify(c.engine_version)} is not a major version, and RDS upgrades its minor versions itself`);
        for (const [i, body] of own) if (body.engine_version !== undefined && body.engine_version !== c.engine_version) v.push(`aws_rds_cluster_instance.${i}: pins engine_version ${JSON.stringify(body.engine_version)}; an instance runs its cluster's version`);
      }
      for (const [n, d] of resourcesOf(json, "aws_db_instance")) {
        if (d.auto_minor_version_upgrade !== false && !/^\d+$/.test(String(d.engine_version ?? ""))) v.push(`aws_db_instance.${n}: engine_version ${JSON.stringify(d.engine_version)} is not a major version, and RDS upgrades its minor versions itself`);
      }
      return v;
    },
  },
  {
    id: "preflight.hsm-before-activation",
    requirement: "3.6.1, 12.5",
    fix: "Keep hsm.stage at \"cluster\" until the ceremony has initialized and activated the cluster (CloudHsm creates one HSM then); the other HSMs come at stage keystore, and the key store waits for every HSM.",
    description:
      "no apply creates more HSMs than the cluster accepts: one HSM while the cluster is not yet activated (stage cluster), since CloudHSM refuses a second before activation; the custom key store waits for every HSM (KMS needs two active HSMs in distinct AZs)",
    check: ({ json, region }) => {
      const hsms = resourcesOf(json, "aws_cloudhsm_v2_hsm");
      const v: string[] = [];
      if (region.hsm.stage === "cluster" && hsms.length > 1) v.push(`aws_cloudhsm_v2_hsm: ${hsms.length} HSMs at stage cluster; CloudHSM accepts a second HSM only once the cluster is initialized and activated`);
      for (const [n, store] of resourcesOf(json, "aws_kms_custom_key_store")) {
        const before = waitsFor(store);
        const missing = hsms.filter(([h]) => !before.has(`aws_cloudhsm_v2_hsm.${h}`)).map(([h]) => `aws_cloudhsm_v2_hsm.${h}`);
        if (missing.length > 0) v.push(`aws_kms_custom_key_store.${n}: not ordered after ${missing.join(", ")} (depends_on)`);
      }
      return v;
    },
  },
  {
    id: "preflight.principals-exist",
    requirement: "7.2.1, 12.5",
    fix: "Create the principal in the stack and order the policy after it (a reference, or depends_on: CustomerManagedKey.addToPolicy(statement, [resource])); for a service-linked role the account has already, list its service in the region file's existingServiceLinkedRoles; name only the roles the region file declares otherwise.",
    description:
      "every principal a key, bucket, secret or repository policy or a trust policy names exists before the policy is applied: the account root, a resource of the stack the policy waits for, a service-linked role the stack creates first (or the account has, as the region file says), or a role the region file declares",
    check: ({ json, region }) =>
      Object.entries(PRINCIPAL_POLICIES).flatMap(([type, argument]) =>
        resourcesOf(json, type).flatMap(([name, body]) => {
          const policy = body[argument];
          // Stryker disable next-line ConditionalExpression: equivalent (cdktf writes every policy as a string)
          if (typeof policy !== "string") return [];
          return statementsOf(policy).flatMap((s) => principalArns(s.Principal).flatMap((p) => principalProblems(json, region, `${type}.${name}`, body, p)));
        }),
      ),
  },
  {
    id: "preflight.deploy-role-can-use-keys",
    requirement: "3.6.1, 12.5",
    fix: "Admit the deploy role (eks.deployRoleArn) in the key's policy through the service that creates the resource (model/aws/key-access.ts KEY_USES and CREATOR_KEY_NEEDS).",
    description:
      "the deploy role may do, through the creating service in the key's region, what each encrypted resource it creates needs of its key (RDS, MSK, EKS and ECR create grants; AWS Backup vaults and RDS-managed secrets generate data keys): otherwise the first apply stops at that resource with AccessDeniedException",
    check: ({ json, region }) => {
      const root = `arn:aws:iam::${region.accountId}:root`;
      const deploy = region.eks.deployRoleArn;
      const v: string[] = [];
      for (const need of CREATOR_KEY_NEEDS) {
        for (const [n, body] of resourcesOf(json, need.type)) {
          // (one() reads a missing block as {}.)
          const value = need.keyPath.slice(0, -1).reduce<TfJson>((b, k) => one(b[k]), body)[need.keyPath[need.keyPath.length - 1]];
          const key = refName(value, "aws_kms_key", "arn");
          // Stryker disable next-line OptionalChaining: equivalent (a key reference implies the stack's keys)
          const keyBody = key ? json.resource.aws_kms_key?.[key] : undefined;
          if (!keyBody || typeof keyBody.policy !== "string") continue;
          const service = `${need.service}.${keyRegionOf(json, key!, region.cloudRegion, region.drPartnerRegion)}.amazonaws.com`;
          const policy = statementsOf(keyBody.policy);
          const missing = need.actions.filter((action) => !keyPolicyAdmits(policy, root, deploy, action, service));
          if (missing.length > 0) v.push(`${need.type}.${n}: the deploy role may not ${missing.join(", ")} on aws_kms_key.${key} through ${service} (${need.keyPath.join(".")})`);
        }
      }
      return v;
    },
  },
]);
