/**
 * Alerting on Google Cloud (PCI DSS 10.4.1, 10.7.2, 12.10.5): the control failures watched in the
 * project's audit logs (the CIS Google Cloud Foundations Benchmark's log metrics, and the log
 * pipeline's own), and seed 001's tokenization failure rate over the sidecars' access logs. The
 * construct builds log-based metrics and alert policies from these lists; the guardrail
 * gcp.alerts-wired checks the synthesized JSON against them.
 */
import { TOKENIZATION_FAILURE, type WatchedService } from "../mesh/alerts";

/** One control failure: a log-based counter over the audit logs, and a policy that fires on one entry. */
export interface AuditLogAlert {
  /** Metric and policy name suffix (underscores: the metric is also read through PromQL). */
  readonly id: string;
  readonly filter: string;
  readonly description: string;
  readonly pci: readonly string[];
}

const anyMethod = (operator: "=" | ":", ...methods: string[]) => `(${methods.map((m) => `protoPayload.methodName${operator}"${m}"`).join(" OR ")})`;

/** The CIS Google Cloud Foundations log metrics (2.4 to 2.11) and the log pipeline's and keys' own. */
export const AUDIT_LOG_ALERTS: readonly AuditLogAlert[] = [
  {
    id: "project_ownership_changes",
    filter:
      '(protoPayload.serviceName="cloudresourcemanager.googleapis.com") AND (ProjectOwnership OR projectOwnerInvitee) OR (protoPayload.serviceData.policyDelta.bindingDeltas.action="REMOVE" AND protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner") OR (protoPayload.serviceData.policyDelta.bindingDeltas.action="ADD" AND protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner")',
    description: "The project's owners changed (CIS GCP 2.4)",
    pci: ["7.2.1", "10.2.1.5"],
  },
  {
    id: "audit_config_changes",
    filter: 'protoPayload.methodName="SetIamPolicy" AND protoPayload.serviceData.policyDelta.auditConfigDeltas:*',
    description: "The project's audit log configuration changed (CIS GCP 2.5)",
    pci: ["10.2.1.6", "10.7.2"],
  },
  {
    id: "custom_role_changes",
    filter: `resource.type="iam_role" AND ${anyMethod("=", "google.iam.admin.v1.CreateRole", "google.iam.admin.v1.DeleteRole", "google.iam.admin.v1.UpdateRole")}`,
    description: "A custom IAM role was created, changed or deleted (CIS GCP 2.6)",
    pci: ["7.2.1", "10.2.1.5"],
  },
  {
    id: "firewall_rule_changes",
    filter: `resource.type="gce_firewall_rule" AND ${anyMethod(":", "compute.firewalls.patch", "compute.firewalls.insert", "compute.firewalls.delete")}`,
    description: "A VPC firewall rule was created, changed or deleted (CIS GCP 2.7)",
    pci: ["1.2.2", "10.2.1.6"],
  },
  {
    id: "route_changes",
    filter: `resource.type="gce_route" AND ${anyMethod(":", "compute.routes.delete", "compute.routes.insert")}`,
    description: "A VPC route was created or deleted (CIS GCP 2.8)",
    pci: ["1.2.2", "10.2.1.6"],
  },
  {
    id: "network_changes",
    filter: `resource.type="gce_network" AND ${anyMethod(":", "compute.networks.insert", "compute.networks.patch", "compute.networks.delete", "compute.networks.removePeering", "compute.networks.addPeering")}`,
    description: "A VPC network or peering was created, changed or deleted (CIS GCP 2.9)",
    pci: ["1.2.2", "10.2.1.6"],
  },
  {
    id: "storage_iam_changes",
    filter: 'resource.type="gcs_bucket" AND protoPayload.methodName="storage.setIamPermissions"',
    description: "A bucket's IAM policy changed (CIS GCP 2.10)",
    pci: ["7.2.1", "10.3.2"],
  },
  {
    id: "sql_instance_changes",
    filter: 'protoPayload.methodName="cloudsql.instances.update"',
    description: "A Cloud SQL instance's configuration changed (CIS GCP 2.11)",
    pci: ["2.2", "10.2.1.6"],
  },
  {
    id: "kms_key_version_changes",
    filter: `protoPayload.serviceName="cloudkms.googleapis.com" AND ${anyMethod(":", "DestroyCryptoKeyVersion", "UpdateCryptoKeyVersion", "UpdateCryptoKeyPrimaryVersion")}`,
    description: "A Cloud KMS key version was disabled, scheduled for destruction or replaced: what it protects may become unreadable",
    pci: ["3.6.1", "10.7.2"],
  },
  {
    id: "log_pipeline_changes",
    filter: `protoPayload.serviceName="logging.googleapis.com" AND ${anyMethod(":", "ConfigServiceV2.DeleteSink", "ConfigServiceV2.UpdateSink", "ConfigServiceV2.DeleteBucket", "ConfigServiceV2.UpdateBucket", "ConfigServiceV2.CreateExclusion", "ConfigServiceV2.UpdateExclusion", "ConfigServiceV2.UpdateSettings")}`,
    description: "The log sink, the log bucket or an exclusion changed: the audit trail itself",
    pci: ["10.3.2", "10.7.2"],
  },
];

/** The two counters of a tokenization service's inbound requests, from its own sidecar's access logs. */
export function tokenizationLogFilters(s: WatchedService): { all: string; failed: string } {
  const all = `resource.type="k8s_container" AND resource.labels.namespace_name="${s.namespace}" AND resource.labels.container_name="istio-proxy" AND labels."k8s-pod/app"="${s.name}" AND jsonPayload.upstream_cluster:"inbound|"`;
  return { all, failed: `${all} AND jsonPayload.response_code>=500` };
}

/** The metric names of a tokenization service's counters. */
export function tokenizationMetricNames(s: WatchedService): { all: string; failed: string } {
  const stem = `tokenization_${s.namespace}_${s.name}`.replace(/[^a-z0-9_]/g, "_");
  return { all: `${stem}_requests`, failed: `${stem}_failures` };
}

/** Seed 001's rule over the two counters, in PromQL (Cloud Monitoring reads log-based metrics as `logging_googleapis_com:user_<name>`). */
export function tokenizationFailureQuery(s: WatchedService): string {
  const m = tokenizationMetricNames(s);
  const w = TOKENIZATION_FAILURE.window;
  return `sum(rate(logging_googleapis_com:user_${m.failed}[${w}])) / sum(rate(logging_googleapis_com:user_${m.all}[${w}])) > ${TOKENIZATION_FAILURE.ratio}`;
}
