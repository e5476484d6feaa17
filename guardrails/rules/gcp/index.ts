/**
 * The guardrails of a GCP region stack (`region-<name>` on Google Cloud): the reference model's
 * invariants with Google's resources, one file per capability. Where the concept is the AWS one
 * (residency, secrets, reviewed types, no data sources) the rules of every-stack/ apply too.
 */
import { GCP_ALERT_RULES } from "./alerts";
import { GCP_AUDIT_LOCK_RULES, GCP_AUDIT_RULES, GCP_AUDIT_STACK_RULES } from "./audit-archive";
import { GCP_DATABASE_RULES, GCP_DATABASE_USER_RULES } from "./database";
import { GCP_GKE_RULES, GCP_MERCHANT_NODE_RULES } from "./gke";
import { GCP_IAM_RULES } from "./iam";
import { GCP_KAFKA_RULES } from "./kafka";
import { GCP_KEY_RULES, GCP_KEY_STACK_RULES } from "./keys";
import { GCP_NETWORK_RULES, GCP_NETWORK_STACK_RULES } from "./network";
import { GCP_PREFLIGHT_RULES } from "./preflight";
import { GCP_PKI_RULES } from "./pki";
import { GCP_RESILIENCE_RULES } from "./resilience";
import { GCP_PROJECT_RULES } from "./stack";

/** The rules over a GCP region stack as a whole. */
export const GCP_STACK_RULES = [...GCP_PROJECT_RULES, ...GCP_MERCHANT_NODE_RULES, ...GCP_ALERT_RULES, ...GCP_KEY_STACK_RULES, ...GCP_NETWORK_STACK_RULES, ...GCP_AUDIT_STACK_RULES, ...GCP_PREFLIGHT_RULES, ...GCP_DATABASE_USER_RULES, ...GCP_AUDIT_LOCK_RULES, ...GCP_PKI_RULES];

/** The rules over each resource of a GCP region stack. */
export const GCP_RESOURCE_RULES = [...GCP_KEY_RULES, ...GCP_NETWORK_RULES, ...GCP_DATABASE_RULES, ...GCP_GKE_RULES, ...GCP_AUDIT_RULES, ...GCP_KAFKA_RULES, ...GCP_IAM_RULES, ...GCP_RESILIENCE_RULES];
