/**
 * The audit trail on GCP: the locked GCS archive, the project's logs and data-access audit logs,
 * bucket usage logs.
 */
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules, stackRules } from "../../rule";
import { TfJson, ref, resourcesOf, asList, one, refName } from "../../../tfjson/terraform";

export const GCP_AUDIT_STACK_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.audit-archive",
    requirement: "10.3.3, 10.5.1",
    fix: "Keep GcsAuditArchive: a retention policy of retention.auditArchiveDays (at least 365) on the archive and its access-log bucket, locked when auditArchiveLocked is set (after the first deploy), Coldline after retention.coldStorageAfterDays, no delete rule.",
    description: "the audit archive and its access-log bucket have a retention policy of the configured days (at least 365; nothing can be overwritten or deleted before), locked exactly when the region file says so (never in the apply that creates them), colder storage after the configured days and no lifecycle deletion",
    check: ({ json, region }) => {
      const buckets = resourcesOf(json, "google_storage_bucket");
      const audit = buckets.filter(([, b]) => String(b.name).includes("-audit-"));
      if (audit.length !== 1) return [`google_storage_bucket: ${audit.length} audit archive buckets, expected 1`];
      const logBucket = refName(one(audit[0][1].logging).log_bucket, "google_storage_bucket", "name");
      const v: string[] = [];
      // The archive and the bucket that holds its access logs: both are evidence.
      for (const [n, b] of buckets.filter(([n]) => n === audit[0][0] || n === logBucket)) {
        const a = `google_storage_bucket.${n}`;
        const policy = one(b.retention_policy);
        // Locked exactly when the region file says so: the lock is irreversible, so it is a step of its own.
        if (region.auditArchiveLocked && policy.is_locked !== true) v.push(`${a}: retention policy not locked, though auditArchiveLocked is set`);
        if (!region.auditArchiveLocked && policy.is_locked === true) v.push(`${a}: retention policy locked in the apply that creates it (irreversible); lock in a later deploy (auditArchiveLocked)`);
        if (policy.retention_period !== region.retention.auditArchiveDays * 86400 || !(policy.retention_period >= 365 * 86400)) v.push(`${a}: retention ${policy.retention_period} s, expected ${region.retention.auditArchiveDays} days (at least 365)`);
        const rules = asList<TfJson>(b.lifecycle_rule);
        if (!rules.some((r) => one(r.action).type === "SetStorageClass" && ["COLDLINE", "ARCHIVE"].includes(one(r.action).storage_class) && one(r.condition).age === region.retention.coldStorageAfterDays)) v.push(`${a}: no move to colder storage after ${region.retention.coldStorageAfterDays} days`);
        if (rules.some((r) => one(r.action).type === "Delete")) v.push(`${a}: a lifecycle rule deletes audit records`);
      }
      return v;
    },
  },
  {
    id: "gcp.audit-logging",
    requirement: "10.2.1, 10.3.3, 10.5.1",
    fix: "Keep GcpRegionStack's log pipeline: one sink of every log (no filter, no exclusion, enabled) to the regional CMEK log bucket kept retention.logDays, and data-access audit logs (ADMIN_READ, DATA_READ, DATA_WRITE) for allServices with no exempted member.",
    description: "every log of the project goes, unfiltered, to the region's CMEK log bucket kept at least the configured days, and data-access audit logs are on for every service",
    check: ({ json, region }) => {
      const v: string[] = [];
      const buckets = resourcesOf(json, "google_logging_project_bucket_config");
      const bucket = buckets.find(([, b]) => b.location === region.cloudRegion && one(b.cmek_settings).kms_key_name);
      if (!bucket) return ["google_logging_project_bucket_config: no regional CMEK log bucket"];
      const [bn, b] = bucket;
      if (!(b.retention_days >= region.retention.logDays && b.retention_days >= 365)) v.push(`google_logging_project_bucket_config.${bn}: retention ${b.retention_days} days, expected ${region.retention.logDays}`);
      const destination = `logging.googleapis.com/projects/${region.projectId}/locations/${region.cloudRegion}/buckets/${b.bucket_id}`;
      const sinks = resourcesOf(json, "google_logging_project_sink").filter(([, s]) => s.destination === destination);
      if (sinks.length === 0) v.push("google_logging_project_sink: no sink to the regional log bucket");
      for (const [sn, s] of sinks) {
        if (s.filter) v.push(`google_logging_project_sink.${sn}: filtered (${s.filter})`);
        if (asList(s.exclusions).length > 0) v.push(`google_logging_project_sink.${sn}: has exclusions`);
        if (s.disabled === true) v.push(`google_logging_project_sink.${sn}: disabled`);
      }
      const audit = resourcesOf(json, "google_project_iam_audit_config").find(([, a]) => a.service === "allServices");
      if (!audit) v.push("google_project_iam_audit_config: no data-access audit logs for allServices");
      else {
        const configs = asList<TfJson>(audit[1].audit_log_config);
        for (const t of ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]) if (!configs.some((c) => c.log_type === t)) v.push(`google_project_iam_audit_config.${audit[0]}: ${t} not logged`);
        if (configs.some((c) => asList(c.exempted_members).length > 0)) v.push(`google_project_iam_audit_config.${audit[0]}: exempts members`);
      }
      return v;
    },
  },
]);

export const GCP_AUDIT_RULES = resourceRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.bucket-access-logged",
    requirement: "10.2.1",
    fix: "Send the bucket's usage logs to the access-log bucket of this stack; the access-log bucket carries a suppression saying why it cannot log to itself.",
    description: "every bucket writes usage (access) logs to another bucket of this stack",
    resourceTypes: ["google_storage_bucket"],
    check: (b, { stack, name }) => {
      const target = one(b.logging).log_bucket;
      if (!target) return ["no usage logs"];
      const own = resourcesOf(stack.json, "google_storage_bucket").map(([n]) => ref("google_storage_bucket", n, "name"));
      if (target === ref("google_storage_bucket", name, "name")) return ["logs to itself"];
      return own.includes(target) ? [] : ["logs to a bucket outside this stack"];
    },
  },
]);

/** Until the lock: a warning in every synth and report, so the step is not forgotten. */
export const GCP_AUDIT_LOCK_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"], level: "warning" }, [
  {
    id: "gcp.audit-archive-locked",
    requirement: "10.3.3, 10.5.1",
    fix: "After the first deploy, check the audit buckets and their retention, then set auditArchiveLocked: true in the region file and deploy again (the lock is irreversible).",
    description: "the audit archive's retention policy is locked (until then, anyone with storage admin rights could shorten or remove it)",
    check: ({ json, region }) =>
      region.auditArchiveLocked
        ? []
        : resourcesOf(json, "google_storage_bucket")
            .filter(([, b]) => String(b.name).includes("-audit-"))
            .map(([n]) => `google_storage_bucket.${n}: retention policy not locked yet (auditArchiveLocked is false)`),
  },
]);
