import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { Construct } from "constructs";
import { AuditArchive } from "./audit-archive";
import { TerraformResource } from "../../core/cdktf";
import { partitionOf, renderPolicy } from "./iam-policy";
import { CustomerManagedKey, administrationStatements } from "./region-keys";
import { DR_KEY_ALIASES } from "../../model/aws/keys";

/** The AWS managed policy AWS Backup's role uses to take and copy backups. */
export const BACKUP_SERVICE_POLICY = "service-role/AWSBackupServiceRolePolicyForBackup";

/** Properties of {@link DisasterRecovery}. */
export interface DisasterRecoveryProps {
  /** Name stem, e.g. `acme-pay-eu`. */
  readonly name: string;
  readonly accountId: string;
  /** The home region. */
  readonly region: string;
  /** The partner region, inside the same jurisdiction (the config rules check it). */
  readonly partnerRegion: string;
  /** The provider of the partner region (an alias of the stack's AWS provider). */
  readonly partnerProvider: AwsProvider;
  /** The home region's audit archive: replicated object by object, with its lock settings. */
  readonly archive: AuditArchive;
  /** Retention of the replica (days; the archive's). */
  readonly retentionDays: number;
  readonly coldStorageAfterDays: number;
  /** The database: its backups are copied to the partner region. */
  readonly database: RdsCluster;
  /** The home region's database key (the home backup vault's key). */
  readonly databaseKey: KmsKey;
  /** Days each backup (and its copy) is kept. */
  readonly backupRetentionDays: number;
  /** The custodians of the partner region's keys (RegionKeysProps.custodianArns). */
  readonly keyCustodianArns: readonly string[];
}

/**
 * Disaster recovery in the partner region of the same jurisdiction: keys of its own there (never
 * multi-region keys), the audit archive replicated object by object to an Object Lock bucket in
 * COMPLIANCE mode with the same retention (lock settings replicate with the objects), and the
 * database's daily backups copied by AWS Backup into a locked vault under the partner's key. Every
 * resource of the partner region uses the partner provider (PCI DSS 10.5.1, 12.10.1).
 */
export class DisasterRecovery extends Construct {
  readonly partnerArchive: AuditArchive;
  readonly replication: S3BucketReplicationConfigurationA;
  readonly homeVault: BackupVault;
  readonly partnerVault: BackupVault;
  readonly plan: BackupPlan;
  /** The partner region's keys, to admit their users (RegionKeys.admitUsers does the home keys). */
  readonly keys: { readonly drAudit: CustomerManagedKey; readonly drDatabase: CustomerManagedKey };
  /** Names of the roles S3 replication and AWS Backup use (key policies name them by ARN). */
  readonly replicationRoleName: string;
  readonly backupRoleName: string;
  readonly partnerRegion: string;

  constructor(scope: Construct, id: string, props: DisasterRecoveryProps) {
    super(scope, id);
    if (props.partnerRegion === props.region) throw new Error(`DisasterRecovery ${props.name}: the partner region must differ from ${props.region}.`);
    const partition = partitionOf(props.region);
    const partner = new Construct(this, "InPartnerRegion");

    // The partner region's keys: administered as at home; their users are admitted by the stack.
    const key = (kid: string, alias: string, description: string) =>
      new CustomerManagedKey(partner, kid, {
        aliasName: `alias/${props.name}/${alias}`,
        description: `${props.name}: ${description} (in ${props.partnerRegion})`,
        rotationPeriodDays: 365,
        statements: administrationStatements(props.partnerRegion, props.accountId, props.keyCustodianArns),
      });
    const auditKey = key("AuditKey", DR_KEY_ALIASES.audit, "replica of the audit archive");
    const databaseKey = key("DatabaseKey", DR_KEY_ALIASES.database, "copies of the database backups");
    this.keys = { drAudit: auditKey, drDatabase: databaseKey };
    this.partnerRegion = props.partnerRegion;
    this.replicationRoleName = `${props.name}-archive-replication`;
    this.backupRoleName = `${props.name}-backup`;

    this.partnerArchive = new AuditArchive(partner, "AuditArchive", {
      bucketName: `${props.name}-dr-archive-${props.accountId}`,
      accessLogBucketName: `${props.name}-dr-access-logs-${props.accountId}`,
      accountId: props.accountId,
      key: auditKey.key,
      retentionDays: props.retentionDays,
      coldStorageAfterDays: props.coldStorageAfterDays,
    });

    // Replication: a role that S3 assumes for this account only, with exactly what replication needs.
    const source = props.archive.archive.bucket;
    const target = this.partnerArchive.archive.bucket;
    const role = new IamRole(this, "ReplicationRole", {
      name: this.replicationRoleName,
      description: "S3 replication of the audit archive to the DR region",
      assumeRolePolicy: renderPolicy([
        {
          Sid: "S3ReplicationOfTheArchiveOnly",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": props.accountId }, ArnLike: { "aws:SourceArn": props.archive.archive.bucket.arn } },
        },
      ]),
    });
    new IamRolePolicy(this, "ReplicationPolicy", {
      role: role.name,
      name: "replicate-audit-archive",
      policy: renderPolicy([
        { Sid: "ReadReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: source.arn },
        {
          Sid: "ReadSourceVersions",
          Effect: "Allow",
          Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
          Resource: `${source.arn}/*`,
        },
        // No ReplicateDelete (delete markers do not replicate) and no owner override (same account).
        { Sid: "WriteReplicas", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateTags"], Resource: `${target.arn}/*` },
        { Sid: "DecryptAtHome", Effect: "Allow", Action: "kms:Decrypt", Resource: props.archive.archive.kmsKey!.arn, Condition: { StringEquals: { "kms:ViaService": `s3.${props.region}.amazonaws.com` } } },
        { Sid: "EncryptInPartnerRegion", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: auditKey.key.arn, Condition: { StringEquals: { "kms:ViaService": `s3.${props.partnerRegion}.amazonaws.com` } } },
      ]),
    });
    this.replication = new S3BucketReplicationConfigurationA(this, "Replication", {
      bucket: source.id,
      role: role.arn,
      rule: [
        {
          id: "audit-archive-to-dr",
          status: "Enabled",
          priority: 1,
          filter: {},
          deleteMarkerReplication: { status: "Disabled" },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
          destination: { bucket: target.arn, storageClass: "STANDARD", encryptionConfiguration: { replicaKmsKeyId: auditKey.key.arn } },
        },
      ],
      dependsOn: [props.archive.archive.versioning, this.partnerArchive.archive.versioning],
    });

    // Database backups: a locked vault at home, a locked vault in the partner region, a daily plan
    // that copies every backup across.
    const vault = (scopeOf: Construct, vid: string, name: string, kmsKeyArn: string) => {
      const v = new BackupVault(scopeOf, vid, { name, kmsKeyArn, forceDestroy: false, lifecycle: { preventDestroy: true } });
      // Compliance mode after 3 days: no one, root included, can then shorten retention or delete early.
      new BackupVaultLockConfiguration(scopeOf, `${vid}Lock`, { backupVaultName: v.name, changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: Math.max(35, props.backupRetentionDays) });
      return v;
    };
    this.homeVault = vault(this, "HomeVault", `${props.name}-backups`, props.databaseKey.arn);
    this.partnerVault = vault(partner, "PartnerVault", `${props.name}-dr-backups`, databaseKey.key.arn);
    const backupRole = new IamRole(this, "BackupRole", {
      name: this.backupRoleName,
      description: "AWS Backup: back up the database and copy the backups to the DR region",
      assumeRolePolicy: renderPolicy([
        { Sid: "AwsBackupForThisAccount", Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": props.accountId } } },
      ]),
    });
    new IamRolePolicyAttachment(this, "BackupRolePolicy", { role: backupRole.name, policyArn: `arn:${partition}:iam::aws:policy/${BACKUP_SERVICE_POLICY}` });
    this.plan = new BackupPlan(this, "Plan", {
      name: `${props.name}-database`,
      rule: [
        {
          ruleName: "daily-with-dr-copy",
          targetVaultName: this.homeVault.name,
          schedule: "cron(0 3 * * ? *)",
          startWindow: 60,
          completionWindow: 360,
          lifecycle: { deleteAfter: props.backupRetentionDays },
          copyAction: [{ destinationVaultArn: this.partnerVault.arn, lifecycle: { deleteAfter: props.backupRetentionDays } }],
        },
      ],
    });
    new BackupSelection(this, "Selection", { name: `${props.name}-database`, planId: this.plan.id, iamRoleArn: backupRole.arn, resources: [props.database.arn] });

    // Everything under the partner scope lives in the partner region.
    for (const c of partner.node.findAll()) if (c instanceof TerraformResource) c.provider = props.partnerProvider;
  }
}
