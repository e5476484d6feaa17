import type { AwsRegionConfig } from "../../../config/schema";
import { stackRules } from "../../rule";
import { TfJson, ref, resourcesOf, asList, one, refName } from "../../../tfjson/terraform";
import { DR_KEY_ALIASES } from "../../../model/aws/keys";
import { aliasTarget, forBucket } from "../../../tfjson/aws";

/** Resource types that may live in the partner region: the DR copies and what protects them. */
const PARTNER_TYPES = [
  "aws_kms_key",
  "aws_kms_alias",
  "aws_s3_bucket",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_logging",
  "aws_s3_bucket_object_lock_configuration",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_backup_vault",
  "aws_backup_vault_lock_configuration",
];

/** Disaster recovery inside the jurisdiction (reference model, "Across regions"). */
export const DR_RULES = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "dr.partner-region-copies",
    requirement: "10.5.1, 12.10.1",
    fix: "Keep DisasterRecovery for a region with drPartnerRegion: the audit archive replicated (no delete markers) to an Object Lock COMPLIANCE bucket in the partner region with the same retention under a partner key, and the database backed up daily into a locked vault with a copy to a locked vault in the partner region; only DR copies in the partner region.",
    description: "with a DR partner, the audit archive replicates to a locked bucket of the partner region (same retention, its own key) and the database's backups are copied to a locked vault there; nothing else lives in the partner region; without one, nothing is copied out",
    check: ({ json, region }) => {
      const v: string[] = [];
      const partner = (body: TfJson) => body.provider === "aws.dr";
      const inPartner = Object.entries((json.resource ?? {}) as Record<string, Record<string, TfJson>>).flatMap(([type, byName]) => Object.entries(byName).filter(([, b]) => partner(b)).map(([n]) => [type, n] as const));
      for (const [type, n] of inPartner) if (!PARTNER_TYPES.includes(type)) v.push(`${type}.${n}: in the partner region but not a DR copy`);
      const replications = resourcesOf(json, "aws_s3_bucket_replication_configuration");
      const copies = resourcesOf(json, "aws_backup_plan").flatMap(([n, p]) => asList<TfJson>(p.rule).flatMap((r) => asList<TfJson>(r.copy_action).map((c) => ({ plan: n, copy: c }))));
      if (!region.drPartnerRegion) {
        if (inPartner.length > 0 || replications.length > 0 || copies.length > 0) v.push("(stack): copies to another region, but the region names no drPartnerRegion");
        return v;
      }
      // The archive's replica.
      const archive = resourcesOf(json, "aws_s3_bucket").find(([, b]) => String(b.bucket).includes("-audit-") && !partner(b));
      const replication = archive && replications.find(([, r]) => r.bucket === ref("aws_s3_bucket", archive[0], "id"));
      if (!archive || !replication) v.push("aws_s3_bucket_replication_configuration: the audit archive does not replicate");
      else {
        const [rn, r] = replication;
        const rule = asList<TfJson>(r.rule)[0] ?? {};
        const dest = one(rule.destination);
        const target = refName(dest.bucket, "aws_s3_bucket", "arn");
        const targetBody = target ? json.resource.aws_s3_bucket[target] : undefined;
        if (rule.status !== "Enabled" || asList<TfJson>(r.rule).length !== 1) v.push(`aws_s3_bucket_replication_configuration.${rn}: not one enabled rule`);
        if (one(rule.delete_marker_replication).status !== "Disabled") v.push(`aws_s3_bucket_replication_configuration.${rn}: delete markers replicate`);
        const filter = one(rule.filter);
        if (Object.keys(filter).some((k) => k !== "prefix") || (filter.prefix ?? "") !== "" || rule.prefix) v.push(`aws_s3_bucket_replication_configuration.${rn}: a filter replicates only part of the archive`);
        if (one(one(rule.source_selection_criteria).sse_kms_encrypted_objects).status !== "Enabled") v.push(`aws_s3_bucket_replication_configuration.${rn}: KMS-encrypted objects are not replicated`);
        if (!targetBody || !partner(targetBody)) v.push(`aws_s3_bucket_replication_configuration.${rn}: the replica is not a bucket of the partner region`);
        else {
          const lock = forBucket(json, "aws_s3_bucket_object_lock_configuration", target!)?.[1];
          const retention = one(one(lock?.rule).default_retention);
          if (targetBody.object_lock_enabled !== true || retention.mode !== "COMPLIANCE" || retention.days !== region.retention.auditArchiveDays) v.push(`aws_s3_bucket.${target}: the replica is not locked in COMPLIANCE mode for ${region.retention.auditArchiveDays} days`);
        }
        const drKey = aliasTarget(json, `alias/${region.naming.prefix}-${region.name}/${DR_KEY_ALIASES.audit}`);
        if (refName(one(dest.encryption_configuration).replica_kms_key_id, "aws_kms_key", "arn") !== drKey || !drKey) v.push(`aws_s3_bucket_replication_configuration.${rn}: replicas not encrypted with the partner region's audit key`);
      }
      // The database's backups.
      const cluster = resourcesOf(json, "aws_rds_cluster")[0];
      const selected = resourcesOf(json, "aws_backup_selection").some(([, s]) => cluster && asList(s.resources).includes(ref("aws_rds_cluster", cluster[0], "arn")));
      if (!selected) v.push("aws_backup_selection: the database is not backed up by AWS Backup");
      const vaults = resourcesOf(json, "aws_backup_vault");
      const locked = (vaultName: string) =>
        resourcesOf(json, "aws_backup_vault_lock_configuration").some(
          ([, l]) => l.backup_vault_name === ref("aws_backup_vault", vaultName, "name") && l.min_retention_days >= 7 && l.changeable_for_days >= 3 && l.changeable_for_days <= 7 && l.max_retention_days >= region.database.backupRetentionDays,
        );
      for (const [n] of vaults) if (!locked(n)) v.push(`aws_backup_vault.${n}: no compliance-mode vault lock`);
      const copying = copies.filter(({ copy }) => {
        const vault = refName(copy.destination_vault_arn, "aws_backup_vault", "arn");
        // Stryker disable next-line ConditionalExpression: equivalent (no vault of that name: partner({}) is false)
        return vault !== undefined && partner(json.resource.aws_backup_vault[vault] ?? {}) && one(copy.lifecycle).delete_after === region.database.backupRetentionDays;
      });
      if (copying.length === 0) v.push(`aws_backup_plan: backups are not copied to a vault of the partner region and kept ${region.database.backupRetentionDays} days`);
      const plans = new Set(copying.map(({ plan }) => ref("aws_backup_plan", plan, "id")));
      if (!resourcesOf(json, "aws_backup_selection").some(([, s]) => plans.has(s.plan_id) && cluster && asList(s.resources).includes(ref("aws_rds_cluster", cluster[0], "arn")))) v.push("aws_backup_selection: the database is not in the plan that copies to the partner region");
      for (const [n, p] of resourcesOf(json, "aws_backup_plan")) {
        for (const r of asList<TfJson>(p.rule)) if (one(r.lifecycle).delete_after !== region.database.backupRetentionDays) v.push(`aws_backup_plan.${n}: rule ${r.rule_name} keeps backups ${one(r.lifecycle).delete_after} days, expected ${region.database.backupRetentionDays}`);
      }
      return v;
    },
  },
]);
