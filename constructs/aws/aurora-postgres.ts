import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RdsClusterParameterGroup } from "@cdktf/provider-aws/lib/rds-cluster-parameter-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { EncryptedLogGroup } from "./encrypted-log-group";
import { partitionOf, renderPolicy } from "./iam-policy";
import { DataTierClients, PrivateLinkNetwork } from "./private-link-network";
import { POSTGRES_PORT } from "../../model/aws/database";

/** Properties of {@link AuroraPostgres}. */
export interface AuroraPostgresProps {
  /** Cluster identifier (lowercase, unique per account and region). */
  readonly name: string;
  /** Region (log group ARN of the enhanced-monitoring role's trust). */
  readonly region: string;
  /** The region's network: the cluster lives in the data tier, reachable from its clients only. */
  readonly network: PrivateLinkNetwork;
  /** The only clients admitted (reference model: the EKS nodes). */
  readonly clients: DataTierClients;
  /** Encrypts storage, snapshots and Performance Insights ("TDE", PCI DSS 3.5). */
  readonly databaseKey: KmsKey;
  /** Encrypts the master password secret that RDS manages in Secrets Manager. */
  readonly secretsKey: KmsKey;
  /** Encrypts the exported PostgreSQL log group. */
  readonly logsKey: KmsKey;
  /** Days to keep exported logs (≥ 365). */
  readonly logRetentionDays: number;
  /** Days of automated backups, 7 to 35. */
  readonly backupRetentionDays: number;
  /**
   * Aurora PostgreSQL major version, e.g. "16". The major only: RDS picks the minor and upgrades
   * it itself (automatic minor upgrades are on), and a pinned minor would make the next plan try
   * to downgrade after such an upgrade.
   * @default "16"
   */
  readonly engineVersion?: string;
  /**
   * Instance class of every instance.
   * @default "db.r6g.large"
   */
  readonly instanceClass?: string;
  /**
   * Number of instances, each pinned to a different availability zone; 2 or more.
   * @default 2
   */
  readonly instances?: number;
}

/**
 * Aurora PostgreSQL for tokens and payment records: storage encrypted with the database key,
 * master password managed by RDS in Secrets Manager under a CMK (no password in code or state),
 * IAM database auth, TLS forced, deletion protection, backups, logs exported to an encrypted log
 * group, instances in distinct AZs, not publicly accessible, reachable on 5432 from the workload
 * tier only (PCI DSS 3.5, 4.2, 8.3, 10.2).
 */
export class AuroraPostgres extends Construct {
  readonly cluster: RdsCluster;
  readonly instances: readonly RdsClusterInstance[];
  readonly securityGroup: SecurityGroup;
  readonly parameterGroup: RdsClusterParameterGroup;
  readonly logGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: AuroraPostgresProps) {
    super(scope, id);
    const count = props.instances ?? 2;
    const azs = props.network.availabilityZoneIds;
    if (count < 2 || count > azs.length) {
      throw new Error(`AuroraPostgres ${props.name}: instances must be between 2 and the number of AZs (${azs.length}), got ${count}; each instance needs its own AZ.`);
    }
    if (props.backupRetentionDays < 7 || props.backupRetentionDays > 35) {
      throw new Error(`AuroraPostgres ${props.name}: backupRetentionDays must be 7 to 35 (RDS allows at most 35), got ${props.backupRetentionDays}.`);
    }
    const engineVersion = props.engineVersion ?? "16";
    if (!/^\d+$/.test(engineVersion)) {
      throw new Error(`AuroraPostgres ${props.name}: engineVersion must be a major version such as "16", got "${engineVersion}"; RDS upgrades minors itself, and a pinned minor would make the next plan try to downgrade.`);
    }
    const instanceClass = props.instanceClass ?? "db.r6g.large";
    const network = props.network;

    // RDS writes to this group once it exists; created first so that it is encrypted and retained.
    this.logGroup = new EncryptedLogGroup(this, "PostgresqlLogs", {
      name: `/aws/rds/cluster/${props.name}/postgresql`,
      key: props.logsKey,
      retentionDays: props.logRetentionDays,
    });

    this.securityGroup = network.dataTierSecurityGroup(this, {
      clients: props.clients,
      name: `${props.name}-aurora`,
      description: "Aurora PostgreSQL: 5432 from its clients (the EKS nodes) only",
      ports: [{ id: "Postgresql", port: POSTGRES_PORT, label: "PostgreSQL over TLS" }],
    });

    const subnetGroup = new DbSubnetGroup(this, "SubnetGroup", {
      name: `${props.name}-data`,
      description: "Data tier subnets",
      subnetIds: network.subnets.data.map((s) => s.id),
    });

    this.parameterGroup = new RdsClusterParameterGroup(this, "ClusterParameters", {
      name: `${props.name}-aurora-postgresql${engineVersion}`,
      family: `aurora-postgresql${engineVersion}`,
      description: "TLS only; connection, DDL and data-access audit logging",
      parameter: [
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
        { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "pending-reboot" },
        { name: "log_connections", value: "1" },
        { name: "log_disconnections", value: "1" },
        // DDL only: logging every statement with its values would write cardholder data into the logs.
        { name: "log_statement", value: "ddl" },
        // pgaudit: every read and write of a table, by whom (PCI DSS 10.2.1.1: all individual access
        // to cardholder data), one entry per relation, without bound parameter values. Loaded at
        // boot beside pg_stat_statements (Performance Insights' SQL statistics).
        { name: "shared_preload_libraries", value: "pg_stat_statements,pgaudit", applyMethod: "pending-reboot" },
        { name: "pgaudit.log", value: "read,write,ddl,role" },
        { name: "pgaudit.log_relation", value: "1" },
        { name: "pgaudit.log_parameter", value: "0" },
        { name: "pgaudit.log_catalog", value: "0" },
      ],
    });

    const monitoringRole = new IamRole(this, "MonitoringRole", {
      name: `${props.name}-rds-monitoring`,
      description: "RDS enhanced monitoring",
      assumeRolePolicy: renderPolicy([
        // Only on behalf of this account (confused-deputy protection).
        { Sid: "RdsMonitoring", Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": props.network.accountId } } },
      ]),
    });
    new IamRolePolicyAttachment(this, "MonitoringPolicy", {
      role: monitoringRole.name,
      policyArn: `arn:${partitionOf(props.region)}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
    });

    this.cluster = new RdsCluster(this, "Cluster", {
      clusterIdentifier: props.name,
      engine: "aurora-postgresql",
      engineMode: "provisioned",
      engineVersion,
      storageEncrypted: true,
      kmsKeyId: props.databaseKey.arn,
      masterUsername: "payments_admin",
      // RDS generates and rotates the password in Secrets Manager; set the key at creation
      // (changing it later fails, hashicorp/terraform-provider-aws#41795).
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.secretsKey.arn,
      iamDatabaseAuthenticationEnabled: true,
      deletionProtection: true,
      backupRetentionPeriod: props.backupRetentionDays,
      copyTagsToSnapshot: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${props.name}-final`,
      deleteAutomatedBackups: false,
      enabledCloudwatchLogsExports: ["postgresql"],
      dbClusterParameterGroupName: this.parameterGroup.name,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      networkType: "IPV4",
      port: POSTGRES_PORT,
      preferredBackupWindow: "02:00-03:00",
      preferredMaintenanceWindow: "sun:04:00-sun:05:00",
      dependsOn: [this.logGroup.logGroup],
      lifecycle: { preventDestroy: true },
    });

    const instanceScope = new Construct(this, "Instances");
    this.instances = azs.slice(0, count).map(
      (az, i) =>
        new RdsClusterInstance(instanceScope, az, {
          identifier: `${props.name}-${az}`,
          clusterIdentifier: this.cluster.id,
          engine: "aurora-postgresql",
          // No engine_version: an instance runs its cluster's version (and its minor upgrades).
          instanceClass,
          // RDS takes a zone name, which differs per account: the data-tier subnet's in that zone ID.
          availabilityZone: props.network.subnets.data[i].availabilityZone,
          publiclyAccessible: false,
          autoMinorVersionUpgrade: true,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: props.databaseKey.arn,
          performanceInsightsRetentionPeriod: 7,
          monitoringInterval: 60,
          monitoringRoleArn: monitoringRole.arn,
          caCertIdentifier: "rds-ca-rsa2048-g1",
          copyTagsToSnapshot: true,
        }),
    );
  }
}
