import { Rule } from "./rule";
import { AUDIT_ARCHIVE_RULES } from "./rules/aws/audit-archive";
import { DATABASE_RULES } from "./rules/aws/database";
import { DETECTION_RULES } from "./rules/aws/detection";
import { DR_RULES } from "./rules/aws/dr";
import { MESH_TRUST_RULES } from "./rules/mesh/intermediate-ca";
import { EKS_RULES } from "./rules/aws/eks";
import { ENCRYPTION_RULES } from "./rules/aws/encryption";
import { EXPOSURE_RULES } from "./rules/aws/exposure";
import { GCP_RESOURCE_RULES, GCP_STACK_RULES } from "./rules/gcp";
import { HSM_RULES } from "./rules/aws/hsm";
import { IAM_RULES } from "./rules/aws/iam";
import { KAFKA_RULES } from "./rules/aws/kafka";
import { KAFKA_MIRROR_RULES, KAFKA_SOURCE_RULES } from "./rules/aws/kafka-mirror";
import { KEY_RULES } from "./rules/aws/keys";
import { IN_CLUSTER_RULES, ISTIO_RULES, MESH_RULES, PARTNER_GATEWAY_RULES } from "./rules/mesh/in-cluster";
import { NETWORK_RULES } from "./rules/aws/network";
import { EAST_WEST_INSTALL_RULES, EAST_WEST_MESH_RULES } from "./rules/mesh/east-west";
import { CA_ISSUER_RULES, PKI_CRD_RULES, PKI_RBAC_RULES, PKI_RULES, WORKLOAD_CA_RULES } from "./rules/mesh/workload-ca";
import { RESIDENCY_RULES } from "./rules/every-stack/residency";
import { PREFLIGHT_RULES } from "./rules/aws/preflight";
import { RESILIENCE_RULES } from "./rules/aws/resilience";
import { REVIEWED_RULES } from "./rules/every-stack/reviewed";
import { SECRET_RULES } from "./rules/every-stack/secrets";
import { STACK_RULES } from "./rules/every-stack/stack";

/**
 * The blueprint's guardrail pack: every rule, by capability. Each rule names the layers of a region
 * it applies to (`aws`, `gcp`, `pki`, `istio`, `mesh`); the pack runs the ones that apply to a stack.
 * The order is the reports' order (rules by requirement): keep it when adding rules.
 */
export const GUARDRAILS: readonly Rule[] = [
  // Every resource of its type, wherever it comes from
  ...REVIEWED_RULES,
  ...RESIDENCY_RULES,
  ...SECRET_RULES,
  ...ENCRYPTION_RULES,
  ...EXPOSURE_RULES,
  ...IAM_RULES,
  ...RESILIENCE_RULES,
  // The reference model's capabilities
  ...STACK_RULES,
  ...KEY_RULES,
  ...NETWORK_RULES,
  ...AUDIT_ARCHIVE_RULES,
  ...DETECTION_RULES,
  ...HSM_RULES,
  ...DATABASE_RULES,
  ...KAFKA_RULES,
  ...KAFKA_SOURCE_RULES,
  ...KAFKA_MIRROR_RULES,
  ...EKS_RULES,
  ...DR_RULES,
  ...MESH_TRUST_RULES,
  ...CA_ISSUER_RULES,
  // What the first apply on an empty account needs (plan cannot see it)
  ...PREFLIGHT_RULES,
  // The same model on Google Cloud
  ...GCP_STACK_RULES,
  ...GCP_RESOURCE_RULES,
  // Inside the cluster: the pki, istio and mesh stacks
  ...IN_CLUSTER_RULES,
  ...PKI_RULES,
  ...PKI_CRD_RULES,
  ...PKI_RBAC_RULES,
  ...ISTIO_RULES,
  ...WORKLOAD_CA_RULES,
  ...PARTNER_GATEWAY_RULES,
  ...EAST_WEST_INSTALL_RULES,
  ...MESH_RULES,
  ...EAST_WEST_MESH_RULES,
];

export { checkRule, failures } from "./rule";
export type { Rule, StackView } from "./rule";
