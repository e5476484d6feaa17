import { ComputeAddress } from "@cdktf/provider-google/lib/compute-address";
import { ComputeForwardingRule } from "@cdktf/provider-google/lib/compute-forwarding-rule";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { DnsManagedZone } from "@cdktf/provider-google/lib/dns-managed-zone";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import { KmsCryptoKey } from "@cdktf/provider-google/lib/kms-crypto-key";
import { SqlDatabaseInstance } from "@cdktf/provider-google/lib/sql-database-instance";
import { Construct } from "constructs";

/** Properties of {@link CloudSqlPostgres}. */
export interface CloudSqlPostgresProps {
  /** Instance name (unique in the project, not reusable for a week after deletion). */
  readonly name: string;
  readonly region: string;
  readonly projectId: string;
  /** PostgreSQL version, e.g. `POSTGRES_16`. */
  readonly databaseVersion: string;
  /** Machine tier, e.g. `db-custom-2-7680`. */
  readonly tier: string;
  /** Disk size (GB); grows automatically. */
  readonly diskGb: number;
  /** Automated backups kept (days, 7 or more). */
  readonly backupRetentionDays: number;
  /** The database key (CMEK): storage, backups and logs of the instance. */
  readonly key: KmsCryptoKey;
  /** The data subnet, where the instance's PSC endpoint lives. */
  readonly dataSubnet: ComputeSubnetwork;
  /** The VPC's id (the PSC endpoint's network). */
  readonly networkId: string;
  /** The VPC in whose private DNS the instance's name resolves to its PSC endpoint. */
  readonly privateZoneNetworkId: string;
}

/**
 * Cloud SQL for PostgreSQL, the counterpart of Aurora: regional (a standby in a second zone),
 * CMEK with the database key, no public IP (reachable only through a Private Service Connect
 * endpoint in the data subnet), TLS required (`ssl_mode = ENCRYPTED_ONLY`), IAM database
 * authentication, deletion protection in Terraform and in the API, backups with point-in-time
 * recovery, connection logging; no password in the stack (PCI DSS 3.5, 4.2, 8.3, 10.2).
 */
export class CloudSqlPostgres extends Construct {
  readonly instance: SqlDatabaseInstance;
  /** The PSC endpoint clients connect to. */
  readonly endpoint: ComputeForwardingRule;
  readonly endpointAddress: ComputeAddress;

  constructor(scope: Construct, id: string, props: CloudSqlPostgresProps) {
    super(scope, id);
    if (props.backupRetentionDays < 7) throw new Error(`CloudSqlPostgres ${props.name}: backupRetentionDays ${props.backupRetentionDays} is under 7; keep at least a week of backups.`);
    this.instance = new SqlDatabaseInstance(this, "Instance", {
      name: props.name,
      region: props.region,
      databaseVersion: props.databaseVersion,
      encryptionKeyName: props.key.id,
      deletionProtection: true,
      settings: {
        tier: props.tier,
        edition: "ENTERPRISE",
        availabilityType: "REGIONAL",
        diskType: "PD_SSD",
        diskSize: props.diskGb,
        diskAutoresize: true,
        deletionProtectionEnabled: true,
        ipConfiguration: {
          ipv4Enabled: false,
          sslMode: "ENCRYPTED_ONLY",
          pscConfig: [{ pscEnabled: true, allowedConsumerProjects: [props.projectId] }],
        },
        backupConfiguration: {
          enabled: true,
          pointInTimeRecoveryEnabled: true,
          location: props.region,
          transactionLogRetentionDays: 7,
          backupRetentionSettings: { retainedBackups: props.backupRetentionDays, retentionUnit: "COUNT" },
        },
        databaseFlags: [
          { name: "cloudsql.iam_authentication", value: "on" },
          { name: "log_connections", value: "on" },
          { name: "log_disconnections", value: "on" },
          { name: "log_min_error_statement", value: "error" },
        ],
        insightsConfig: { queryInsightsEnabled: true, recordClientAddress: true, recordApplicationTags: false },
        maintenanceWindow: { day: 7, hour: 3, updateTrack: "stable" },
      },
      lifecycle: { preventDestroy: true },
    });
    this.endpointAddress = new ComputeAddress(this, "EndpointAddress", {
      name: `${props.name}-psc`,
      region: props.region,
      addressType: "INTERNAL",
      subnetwork: props.dataSubnet.id,
    });
    this.endpoint = new ComputeForwardingRule(this, "Endpoint", {
      name: `${props.name}-psc`,
      region: props.region,
      network: props.networkId,
      ipAddress: this.endpointAddress.id,
      target: this.instance.pscServiceAttachmentLink,
      loadBalancingScheme: "",
    });
    // Clients connect by the instance's DNS name, so that TLS can verify it (verify-full).
    const zone = new DnsManagedZone(this, "Zone", {
      name: `${props.name}-sql-goog`,
      dnsName: "sql.goog.",
      visibility: "private",
      privateVisibilityConfig: { networks: [{ networkUrl: props.privateZoneNetworkId }] },
    });
    new DnsRecordSet(this, "Record", { managedZone: zone.name, name: this.instance.dnsName, type: "A", ttl: 300, rrdatas: [this.endpointAddress.address] });
  }
}
