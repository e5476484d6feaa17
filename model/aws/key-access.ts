/**
 * Who may administer and who may use each KMS key of an AWS region (PCI DSS 3.6.1, 3.7.6, 7.2).
 *
 * Administration and use are separated. The account root administers every key through IAM (so a
 * key never becomes unmanageable) but may not use it: an administrator whose IAM policy allows
 * `kms:Decrypt` on `*` decrypts nothing. Only the key's custodians (the deploy role, and the root
 * user as break-glass) may change its policy or delete it. Use is granted per key to named roles,
 * each through the AWS service that needs it (`kms:ViaService`) or, for the few that call KMS
 * themselves, directly. A named role is matched by `aws:PrincipalArn` under the root principal,
 * not named as a principal: KMS then needs no principal to exist when the policy is written, a
 * role recreated with the same name keeps its access, and the role's IAM policy must also allow
 * the call (two locks).
 */
import type { KeyPurpose } from "./keys";

/** What key administrators may do: manage, never use (no cryptography, no grants). */
export const KEY_ADMIN_ACTIONS = [
  "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:EnableKey", "kms:DisableKey",
  "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:PutKeyPolicy",
  "kms:ListAliases", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListResourceTags", "kms:RevokeGrant",
  "kms:UpdateKeyDescription", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
] as const;

/** What only the key's custodians may do: rewrite the policy (and so grant use) or destroy the key. */
export const CUSTODIAN_ONLY_ACTIONS = ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"] as const;

/** What a key user may be allowed: cryptography, grants for AWS resources, and reading the key's metadata. */
export const KEY_USE_ACTIONS = [
  "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKey*",
  "kms:GenerateDataKeyWithoutPlaintext", "kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey",
] as const;

/** The keys of a region stack, by what they protect: the purposes, and the DR partner's own keys. */
export type KeyRole = KeyPurpose | "drAudit" | "drDatabase" | "drKafka" | "drLogs";

/**
 * The principals that use keys. `deploy` and `admins` are the region file's roles (eks.deployRoleArn,
 * eks.adminRoleArn); the others are roles the stack creates, or service-linked roles.
 */
export type KeyUser =
  | "deploy"
  | "admins"
  | "eksCluster"
  | "auditWriters"
  | "tokenizationUsers"
  | "replication"
  | "backup"
  | "configRecorder"
  | "rdsServiceLinkedRole"
  | "guardDutyMalwareProtection";

/** Service-linked roles that may use a key when their service works on the key's resources (named by condition: they need not exist yet). */
export const KEY_SERVICE_LINKED_ROLES: Readonly<Partial<Record<KeyUser, { service: string; role: string }>>> = {
  // Whether RDS's service-linked role calls KMS itself (managed master secret rotation) is not
  // documented; admitted so that it works if it does, which its IAM policy must allow too. MSK's
  // role is not admitted: its policy has no KMS action (MSK works through its grants).
  rdsServiceLinkedRole: { service: "rds.amazonaws.com", role: "AWSServiceRoleForRDS" },
  // GuardDuty Malware Protection for EC2 scans the nodes' volumes: it snapshots them, shares the
  // snapshots with GuardDuty's account and makes a replica under the same key (its service-linked
  // role's policy: CreateGrant for AWS resources, ReEncryptFrom/To through EC2, DescribeKey).
  // Without it, every scan of a node skips its volumes.
  guardDutyMalwareProtection: { service: "malware-protection.guardduty.amazonaws.com", role: "AWSServiceRoleForAmazonGuardDutyMalwareProtection" },
};

/** One use of a key: who, what, and through which services (none: the principal calls KMS itself). */
export interface KeyUse {
  /** The statement's Sid (a grant statement adds `Grants`). */
  readonly sid: string;
  readonly user: KeyUser;
  readonly actions: readonly (typeof KEY_USE_ACTIONS)[number][];
  /** Services whose calls on the principal's behalf are allowed (`kms:ViaService <service>.<key region>.amazonaws.com`). */
  readonly via: readonly string[];
  /** Limits the use to the objects of one bucket (`kms:EncryptionContext:aws:s3:arn`). */
  readonly bucket?: "archive" | "drArchive";
  /** Only where this user exists too (e.g. vaults are created only with the DR backup role). */
  readonly onlyWith?: KeyUser;
  /**
   * CreateGrant without `kms:GrantIsForAWSResource` (and no `kms:ViaService`), where the service
   * documents that its call does not carry the key: only in UNCONDITIONED_GRANTS.
   */
  readonly unconditionedGrants?: true;
}

/**
 * Who may create grants without `kms:GrantIsForAWSResource`, on which keys: the EKS user guide says
 * the condition "is not supported for the CreateCluster action, and should not be used in KMS
 * policies to control kms:CreateGrant permissions for users performing CreateCluster". The deploy
 * role is a custodian already (it may rewrite the policy), so this widens nothing it could not do.
 */
export const UNCONDITIONED_GRANTS: Readonly<Partial<Record<KeyUser, readonly KeyRole[]>>> = { deploy: ["eksSecrets"] };

/** Users that may call KMS themselves (no `kms:ViaService`), and on which keys only. */
export const DIRECT_KEY_USERS: Readonly<Partial<Record<KeyUser, readonly KeyRole[]>>> = {
  // EKS CreateCluster (see UNCONDITIONED_GRANTS): which service, if any, the call names is not documented.
  deploy: ["eksSecrets"],
  // The EKS control plane envelope-encrypts secrets as the cluster role.
  eksCluster: ["eksSecrets"],
  // The tokenization service encrypts and decrypts tokens itself.
  tokenizationUsers: ["tokenization"],
  // GuardDuty creates its grant on the nodes' key itself (its role's policy names no service).
  guardDutyMalwareProtection: ["ebs"],
};

const CREATE = ["kms:CreateGrant", "kms:DescribeKey"] as const;
const CRYPTO = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"] as const;
/** AWS Backup creating a vault under a key (and retiring the grant when the vault goes). */
const VAULT = ["kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt", "kms:RetireGrant"] as const;
/** Secrets Manager storing and reading a secret value for the caller. */
const SECRET_VALUES = ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"] as const;

/**
 * Every use of every key, as the reference model names it. The deploy role creates what each key
 * protects (through the service, which creates its grant); the administrators read what they must
 * review; the workloads use what their declaration gives them.
 */
export const KEY_USES: Readonly<Record<KeyRole, readonly KeyUse[]>> = {
  database: [
    { sid: "DeployCreatesTheDatabase", user: "deploy", actions: [...CREATE], via: ["rds"] },
    { sid: "DeployCreatesTheBackupVault", user: "deploy", actions: [...VAULT], via: ["backup"], onlyWith: "backup" },
    { sid: "AdminsViewPerformanceInsights", user: "admins", actions: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], via: ["rds"] },
    { sid: "BackupCopiesTheDatabase", user: "backup", actions: [...CRYPTO, "kms:CreateGrant"], via: ["rds", "backup"] },
    { sid: "RdsServiceLinkedRole", user: "rdsServiceLinkedRole", actions: [...CRYPTO, "kms:CreateGrant"], via: ["rds"] },
  ],
  drDatabase: [
    { sid: "DeployCreatesTheBackupVault", user: "deploy", actions: [...VAULT], via: ["backup"] },
    { sid: "DeployRestoresTheDatabase", user: "deploy", actions: [...CREATE], via: ["rds"] },
    { sid: "BackupCopiesTheDatabase", user: "backup", actions: [...CRYPTO, "kms:CreateGrant"], via: ["rds", "backup"] },
    { sid: "RdsServiceLinkedRole", user: "rdsServiceLinkedRole", actions: [...CRYPTO, "kms:CreateGrant"], via: ["rds"] },
  ],
  kafka: [
    { sid: "DeployCreatesTheBrokers", user: "deploy", actions: [...CREATE], via: ["kafka"] },
    // The SCRAM secrets are under the kafka key (MSK refuses the Secrets Manager default key).
    { sid: "DeployAssociatesScramSecrets", user: "deploy", actions: [...SECRET_VALUES, "kms:CreateGrant"], via: ["secretsmanager", "kafka"] },
    { sid: "AdminsWriteScramCredentials", user: "admins", actions: [...SECRET_VALUES, "kms:Encrypt"], via: ["secretsmanager"] },
  ],
  audit: [
    // Decrypt too: S3 multipart uploads under SSE-KMS decrypt the data key to complete the upload.
    { sid: "ServicesWriteAuditRecords", user: "auditWriters", actions: ["kms:GenerateDataKey", "kms:Decrypt"], via: ["s3"], bucket: "archive" },
    { sid: "AdminsReadTheArchive", user: "admins", actions: ["kms:Decrypt", "kms:DescribeKey"], via: ["s3"], bucket: "archive" },
    { sid: "ReplicationReadsTheArchive", user: "replication", actions: ["kms:Decrypt"], via: ["s3"], bucket: "archive" },
    // AWS Config's recorder role encrypts the configuration history it delivers to the archive.
    { sid: "ConfigDeliversHistory", user: "configRecorder", actions: ["kms:GenerateDataKey", "kms:Decrypt"], via: ["s3"], bucket: "archive" },
  ],
  // The mirror's brokers in the DR partner region (region-<name>-dr); the replicator stores nothing at rest.
  drKafka: [{ sid: "DeployCreatesTheBrokers", user: "deploy", actions: [...CREATE], via: ["kafka"] }],
  // CloudWatch Logs uses it as its service principal (the mirror's flow and broker logs).
  drLogs: [],
  drAudit: [
    { sid: "ReplicationWritesTheReplica", user: "replication", actions: ["kms:Encrypt", "kms:GenerateDataKey"], via: ["s3"], bucket: "drArchive" },
    { sid: "AdminsReadTheReplica", user: "admins", actions: ["kms:Decrypt", "kms:DescribeKey"], via: ["s3"], bucket: "drArchive" },
  ],
  eksSecrets: [
    { sid: "DeployCreatesTheCluster", user: "deploy", actions: [...CREATE], via: [], unconditionedGrants: true },
    { sid: "ClusterEncryptsSecrets", user: "eksCluster", actions: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant"], via: [] },
  ],
  // CloudWatch Logs uses the key as its service principal (see RegionKeys); readers need no key access.
  logs: [],
  secretsManager: [
    // RDS creates the master user secret as the caller; the deploy reads the kmsuser password at stage keystore.
    // The RDS user guide lists CreateGrant with Decrypt and GenerateDataKey for a managed master secret under a customer managed key.
    { sid: "DeployStoresManagedSecrets", user: "deploy", actions: [...SECRET_VALUES, "kms:CreateGrant"], via: ["secretsmanager", "rds"] },
    { sid: "AdminsReadAndWriteSecrets", user: "admins", actions: [...SECRET_VALUES, "kms:Encrypt"], via: ["secretsmanager"] },
    { sid: "RdsServiceLinkedRole", user: "rdsServiceLinkedRole", actions: [...CRYPTO, "kms:CreateGrant"], via: ["secretsmanager", "rds"] },
  ],
  // EC2 Auto Scaling's service-linked role (see EksCluster.ebsKeyStatements), and GuardDuty's malware scans.
  ebs: [
    { sid: "GuardDutyReEncryptsScannedVolumes", user: "guardDutyMalwareProtection", actions: ["kms:ReEncryptFrom", "kms:ReEncryptTo"], via: ["ec2"] },
    { sid: "GuardDutySharesSnapshotsForScans", user: "guardDutyMalwareProtection", actions: ["kms:CreateGrant", "kms:DescribeKey"], via: [] },
  ],
  ecr: [{ sid: "DeployCreatesTheRepositories", user: "deploy", actions: [...CREATE, "kms:RetireGrant"], via: ["ecr"] }],
  // CloudWatch and EventBridge publish to the security topic as service principals (see SecurityAlerts); subscribers need no key access.
  alerts: [],
  tokenization: [
    {
      sid: "TokenizationServicesUseTheKey",
      user: "tokenizationUsers",
      actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
      via: [],
    },
  ],
};

/**
 * What the deploy role needs on the key of each encrypted resource it creates, by resource type:
 * the key's attribute (a path into the resource), the service that calls KMS, and the actions.
 * Without them the first apply stops at that resource (KMS AccessDeniedException).
 */
export const CREATOR_KEY_NEEDS: readonly { type: string; keyPath: readonly string[]; service: string; actions: readonly string[] }[] = [
  { type: "aws_rds_cluster", keyPath: ["kms_key_id"], service: "rds", actions: CREATE },
  { type: "aws_rds_cluster", keyPath: ["master_user_secret_kms_key_id"], service: "secretsmanager", actions: ["kms:GenerateDataKey", "kms:Decrypt", "kms:CreateGrant"] },
  { type: "aws_rds_cluster_instance", keyPath: ["performance_insights_kms_key_id"], service: "rds", actions: CREATE },
  { type: "aws_msk_cluster", keyPath: ["encryption_info", "encryption_at_rest_kms_key_arn"], service: "kafka", actions: CREATE },
  { type: "aws_eks_cluster", keyPath: ["encryption_config", "provider", "key_arn"], service: "eks", actions: CREATE },
  { type: "aws_ecr_repository", keyPath: ["encryption_configuration", "kms_key"], service: "ecr", actions: CREATE },
  { type: "aws_backup_vault", keyPath: ["kms_key_arn"], service: "backup", actions: VAULT },
];
