import { KmsCryptoKey } from "@cdktf/provider-google/lib/kms-crypto-key";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { Construct } from "constructs";
import { suppressGuardrails } from "../../core/suppress";
import { PCI_MIN_LOG_RETENTION_DAYS } from "../../config/pci";

/** Properties of {@link GcsAuditArchive}. */
export interface GcsAuditArchiveProps {
  /** Name of the archive bucket (globally unique). */
  readonly bucketName: string;
  /** Name of the bucket that receives the archive's usage (access) logs. */
  readonly accessLogBucketName: string;
  /** Location of both buckets (the region: data stays in the jurisdiction). */
  readonly location: string;
  /** The audit key (CMEK) of both buckets. */
  readonly key: KmsCryptoKey;
  /** Retention of every object (days, at least 365: PCI DSS 10.5.1). */
  readonly retentionDays: number;
  /**
   * Lock the retention policies (irreversible from the moment it is applied: nobody can shorten or
   * remove them again). Lock in a deploy of its own, after the buckets are checked.
   * @default false
   */
  readonly locked?: boolean;
  /** Age at which objects move to colder storage. @default 90 */
  readonly coldStorageAfterDays?: number;
}

/**
 * The audit archive on GCS, the counterpart of the S3 Object Lock archive: a locked retention
 * policy (objects cannot be deleted or replaced before it ends, and the lock itself cannot be
 * removed; GCS does not allow Object Versioning beside a retention policy, and needs none: nothing
 * can be overwritten), CMEK with the audit key, uniform bucket-level access, public access
 * prevention enforced, usage logs to a separate bucket, Coldline after 90 days (10.3, 10.5).
 */
export class GcsAuditArchive extends Construct {
  readonly archive: StorageBucket;
  readonly accessLogs: StorageBucket;

  constructor(scope: Construct, id: string, props: GcsAuditArchiveProps) {
    super(scope, id);
    if (props.retentionDays < PCI_MIN_LOG_RETENTION_DAYS) {
      throw new Error(`GcsAuditArchive: retentionDays ${props.retentionDays} is under the PCI DSS 10.5.1 minimum of ${PCI_MIN_LOG_RETENTION_DAYS}; set 365 or more.`);
    }
    const coldAfter = props.coldStorageAfterDays ?? 90;
    const common = {
      location: props.location,
      storageClass: "STANDARD",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      encryption: { defaultKmsKeyName: props.key.id },
      forceDestroy: false,
      retentionPolicy: { retentionPeriod: props.retentionDays * 86400, isLocked: props.locked ?? false },
      lifecycleRule: [{ action: { type: "SetStorageClass", storageClass: "COLDLINE" }, condition: { age: coldAfter, matchesStorageClass: ["STANDARD"] } }],
      lifecycle: { preventDestroy: true },
    };
    this.accessLogs = new StorageBucket(this, "AccessLogs", { name: props.accessLogBucketName, ...common });
    suppressGuardrails(this.accessLogs, [
      {
        id: "gcp.bucket-access-logged",
        reason: "This is the access-log bucket: logging it into itself would log its own log deliveries in a loop, and a further log bucket would need one in turn. Its only writer is Cloud Storage's usage-log service; its retention is locked like the archive's.",
      },
    ]);
    // Cloud Storage writes usage logs as this Google group (documented); it may create objects only.
    new StorageBucketIamMember(this, "UsageLogWriter", { bucket: this.accessLogs.name, role: "roles/storage.objectCreator", member: "group:cloud-storage-analytics@google.com" });
    this.archive = new StorageBucket(this, "Archive", {
      name: props.bucketName,
      ...common,
      logging: { logBucket: this.accessLogs.name, logObjectPrefix: "audit-archive/" },
    });
  }
}
