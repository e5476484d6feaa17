import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { HardenedBucket } from "./hardened-bucket";
import { suppressGuardrails } from "../../core/suppress";
import { PCI_MIN_LOG_RETENTION_DAYS } from "../../config/pci";

/** Properties of {@link AuditArchive}. */
export interface AuditArchiveProps {
  /** Name of the audit archive bucket (globally unique). */
  readonly bucketName: string;
  /** Name of the separate bucket that receives S3 server access logs (and load balancer logs). */
  readonly accessLogBucketName: string;
  /** The owning account. */
  readonly accountId: string;
  /** The region's audit key; every archived object is encrypted with it. */
  readonly key: KmsKey;
  /** Object Lock COMPLIANCE default retention in days; at least 365 (PCI DSS 10.5.1). */
  readonly retentionDays: number;
  /**
   * Age in days at which objects move to colder storage.
   * @default 90
   */
  readonly coldStorageAfterDays?: number;
  /**
   * The colder storage class. Glacier Instant Retrieval keeps an assessor's sample a GET away.
   * @default "GLACIER_IR"
   */
  readonly coldStorageClass?: "GLACIER_IR" | "GLACIER" | "DEEP_ARCHIVE";
  /**
   * Days to keep access logs before they expire.
   * @default - retentionDays
   */
  readonly accessLogRetentionDays?: number;
}

/**
 * Immutable audit storage (PCI DSS 10.3, 10.5): an S3 bucket with Object Lock in COMPLIANCE
 * mode (nobody, root included, can delete or shorten a lock), SSE-KMS with the audit key, TLS-only
 * access, access logs to a separate hardened bucket, and a lifecycle to colder storage.
 */
export class AuditArchive extends Construct {
  /** The locked archive. */
  readonly archive: HardenedBucket;
  /** The access-log bucket (SSE-S3, as S3 server access logging requires). */
  readonly accessLogs: HardenedBucket;

  constructor(scope: Construct, id: string, props: AuditArchiveProps) {
    super(scope, id);
    const coldAfter = props.coldStorageAfterDays ?? 90;
    const logRetention = props.accessLogRetentionDays ?? props.retentionDays;
    if (props.retentionDays < PCI_MIN_LOG_RETENTION_DAYS) {
      throw new Error(`AuditArchive: retentionDays ${props.retentionDays} is under the PCI DSS 10.5.1 minimum of ${PCI_MIN_LOG_RETENTION_DAYS}; set 365 or more.`);
    }
    if (logRetention < PCI_MIN_LOG_RETENTION_DAYS) {
      throw new Error(`AuditArchive: accessLogRetentionDays ${logRetention} is under the PCI DSS 10.5.1 minimum of ${PCI_MIN_LOG_RETENTION_DAYS}; set 365 or more.`);
    }
    if (coldAfter < 30 || coldAfter >= props.retentionDays) {
      throw new Error(`AuditArchive: coldStorageAfterDays ${coldAfter} must be at least 30 and less than retentionDays (${props.retentionDays}).`);
    }
    const storageClass = props.coldStorageClass ?? "GLACIER_IR";

    this.accessLogs = new HardenedBucket(this, "AccessLogs", {
      bucketName: props.accessLogBucketName,
      accountId: props.accountId,
      encryption: { logDeliveryOnly: true },
      lifecycleRules: [
        {
          id: "cold-storage-then-expire",
          status: "Enabled",
          filter: [{ prefix: "" }],
          transition: [{ days: coldAfter, storageClass }],
          expiration: [{ days: logRetention }],
          // An overwritten or deleted log stays recoverable for the whole retention.
          noncurrentVersionExpiration: [{ noncurrentDays: logRetention }],
        },
      ],
    });
    suppressGuardrails(this.accessLogs, [
      {
        id: "logging.access-logs",
        reason:
          "This is the access-log bucket: logging it into itself would log its own log deliveries in a loop, and a further log bucket would need one in turn. Its only writer is S3 log delivery (bucket policy); it is versioned and protected from destroy.",
      },
    ]);
    this.archive = new HardenedBucket(this, "Archive", {
      bucketName: props.bucketName,
      accountId: props.accountId,
      encryption: { kmsKey: props.key },
      objectLock: { mode: "COMPLIANCE", days: props.retentionDays },
      accessLogs: { bucket: this.accessLogs, prefix: "audit-archive/" },
      lifecycleRules: [
        {
          // No expiration: locked records stay until someone decides, after the lock, to delete them.
          id: "cold-storage",
          status: "Enabled",
          filter: [{ prefix: "" }],
          transition: [{ days: coldAfter, storageClass }],
          noncurrentVersionTransition: [{ noncurrentDays: coldAfter, storageClass }],
        },
      ],
    });
  }
}
