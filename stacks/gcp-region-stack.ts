import { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
import { LoggingProjectBucketConfig } from "@cdktf/provider-google/lib/logging-project-bucket-config";
import { LoggingProjectSink } from "@cdktf/provider-google/lib/logging-project-sink";
import { GcpSecurityAlerts } from "../constructs/gcp/security-alerts";
import { ProjectIamAuditConfig } from "@cdktf/provider-google/lib/project-iam-audit-config";
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { SqlUser } from "@cdktf/provider-google/lib/sql-user";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { Construct } from "constructs";
import { GcpRegionConfig, RegionConfig } from "../config/schema";
import { CloudSqlPostgres } from "../constructs/gcp/cloud-sql-postgres";
import { Fn, TerraformOutput, dependable } from "../core/cdktf";
import { GcpPrivateNetwork } from "../constructs/gcp/private-network";
import { GcpRegionKeys } from "../constructs/gcp/region-keys";
import { GcsAuditArchive } from "../constructs/gcp/gcs-audit-archive";
import { GkeCluster, GkeNodeServiceAccount } from "../constructs/gcp/gke-cluster";
import { GcpMeshIntermediateCa } from "../constructs/gcp/mesh-intermediate-ca";
import { CAS_OUTPUT_IDS, casDnsNames } from "../model/gcp/pki";
import { MESH_CA_OUTPUT_IDS } from "../model/mesh/pki";
import { ManagedKafka } from "../constructs/gcp/managed-kafka";
import { RegionStack } from "../core/blueprint-stack";
import { regionLabels } from "../model/gcp/labels";
import { GKE_OUTPUT_IDS, artifactRegistry } from "../model/gcp/gke";
import { stackName } from "./plan";

/** The log bucket every log of the project is routed to (CMEK, regional, retained 12 months or more). */
export const AUDIT_LOG_BUCKET_ID = "audit";

/**
 * `region-<name>` on Google Cloud: the reference model with Google's services, planned with the
 * google provider only and no data source (the project number comes from the region file).
 */
export class GcpRegionStack extends RegionStack<GcpRegionConfig> {
  readonly keys: GcpRegionKeys;
  readonly network: GcpPrivateNetwork;
  readonly auditArchive: GcsAuditArchive;
  readonly gke: GkeCluster;
  readonly database: CloudSqlPostgres;
  readonly kafka: ManagedKafka;
  /** Notification channels, the audit logs' alert policies and the tokenization failure rate. */
  readonly alerts: GcpSecurityAlerts;
  /** The mesh's workload CA in CA Service, under the platform root. */
  readonly meshCa?: GcpMeshIntermediateCa;

  constructor(scope: Construct, region: GcpRegionConfig, peers?: readonly RegionConfig[]) {
    super(scope, stackName(region, "gcp"), region, "gcp", peers);
    const name = `${region.naming.prefix}-${region.name}`;
    this.useGcsStateBackend(region.stateBackend.prefix);

    new GoogleProvider(this, "google", {
      project: region.projectId,
      region: region.cloudRegion,
      defaultLabels: regionLabels(region),
      addTerraformAttributionLabel: true,
      // Access Context Manager (the perimeter) needs a quota project for its API calls.
      ...(region.vpcServiceControls ? { userProjectOverride: true, billingProject: region.projectId } : {}),
    });
    // hashicorp/time (pinned by @cdktf/provider-time 11.0.1): the waits for CMEK grants to propagate.
    new TimeProvider(this, "time", {});

    this.keys = new GcpRegionKeys(this, "Keys", {
      name,
      location: region.cloudRegion,
      projectNumber: region.projectNumber,
      rotationDays: region.kms.rotationDays,
      loggingServiceAccount: region.kms.loggingServiceAccount,
    });
    const nodes = new GkeNodeServiceAccount(this, "NodeIdentity", { name, projectId: region.projectId });
    const merchantNodes = region.mesh.merchantNamespaces.length > 0 ? new GkeNodeServiceAccount(this, "MerchantNodeIdentity", { name: `${name}-merchant`, projectId: region.projectId }) : undefined;
    this.network = new GcpPrivateNetwork(this, "Network", {
      name,
      region: region.cloudRegion,
      projectNumber: region.projectNumber,
      ranges: {
        workload: region.network.workloadCidr,
        pods: region.network.podsCidr,
        services: region.network.servicesCidr,
        data: region.network.dataCidr,
        pscNat: region.network.pscNatCidr,
        controlPlane: region.network.controlPlaneCidr,
      },
      googleApisAddress: region.network.googleApisAddress,
      nodeServiceAccount: nodes.account,
      ...(merchantNodes ? { merchantServiceAccount: merchantNodes.account } : {}),
      deployServiceAccount: region.gke.deployServiceAccount,
      perimeter: region.vpcServiceControls,
    });

    // Every log of the project goes to a regional, CMEK-encrypted bucket kept at least 12 months;
    // data-access audit logs are on for every service (PCI DSS 10.2, 10.5.1).
    const logBucket = new LoggingProjectBucketConfig(this, "AuditLogBucket", {
      project: region.projectId,
      location: region.cloudRegion,
      bucketId: AUDIT_LOG_BUCKET_ID,
      retentionDays: region.retention.logDays,
      cmekSettings: { kmsKeyName: this.keys.keys.logs.id },
      description: `Every log of ${name}, kept ${region.retention.logDays} days`,
      lifecycle: { preventDestroy: true },
    });
    new LoggingProjectSink(this, "AuditLogSink", {
      name: `${name}-all-logs`,
      destination: `logging.googleapis.com/projects/${region.projectId}/locations/${region.cloudRegion}/buckets/${AUDIT_LOG_BUCKET_ID}`,
      uniqueWriterIdentity: true,
      dependsOn: [logBucket],
    });
    this.keys.after(logBucket, "logs");
    new ProjectIamAuditConfig(this, "DataAccessLogs", {
      project: region.projectId,
      service: "allServices",
      auditLogConfig: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }],
    });

    // Who is told (PCI DSS 10.4.1, 10.7.2, 12.10.5): the audit logs' control failures and seed 001's failure rate.
    this.alerts = new GcpSecurityAlerts(this, "Alerts", {
      name,
      projectId: region.projectId,
      subscribers: region.alerts.subscribers,
      tokenization: region.services.filter((s) => s.access?.tokenizationKey).map((s) => ({ namespace: s.namespace, name: s.name })),
    });

    this.auditArchive = new GcsAuditArchive(this, "AuditArchive", {
      bucketName: `${name}-audit-${region.projectNumber}`,
      accessLogBucketName: `${name}-access-logs-${region.projectNumber}`,
      location: region.cloudRegion,
      key: this.keys.keys.audit,
      retentionDays: region.retention.auditArchiveDays,
      coldStorageAfterDays: region.retention.coldStorageAfterDays,
      locked: region.auditArchiveLocked,
    });

    this.keys.after(this.auditArchive.archive, "audit");
    this.keys.after(this.auditArchive.accessLogs, "audit");

    const withAccess = region.services.filter((s) => s.access);
    this.gke = new GkeCluster(this, "Gke", {
      name,
      projectId: region.projectId,
      region: region.cloudRegion,
      zones: region.zones,
      version: region.gke.version,
      networkId: this.network.network.id,
      workloadSubnet: this.network.workloadSubnet,
      podsRangeName: this.network.podsRangeName,
      servicesRangeName: this.network.servicesRangeName,
      controlPlaneCidr: region.network.controlPlaneCidr,
      masterAuthorizedNetworks: region.gke.masterAuthorizedNetworks,
      secretsKey: this.keys.keys["gke-secrets"],
      disksKey: this.keys.keys.disks,
      registryKey: this.keys.keys.registry,
      nodeServiceAccount: nodes.account,
      nodes: region.gke.nodes,
      ...(merchantNodes ? { merchantNodes: { ...region.gke.merchantNodes, serviceAccount: merchantNodes.account } } : {}),
      workloads: withAccess.map((s) => ({ id: s.name, namespace: s.namespace, serviceAccount: s.serviceAccount ?? s.name })),
    });
    this.keys.after(this.gke.cluster, "gke-secrets");
    this.keys.after(this.gke.cluster, "disks");
    this.keys.after(this.gke.nodePool, "disks");
    if (this.gke.merchantNodePool) this.keys.after(this.gke.merchantNodePool, "disks");
    this.keys.after(this.gke.repository, "registry");

    this.database = new CloudSqlPostgres(this, "Database", {
      name,
      region: region.cloudRegion,
      projectId: region.projectId,
      databaseVersion: region.database.engineVersion,
      tier: region.database.tier,
      diskGb: region.database.diskGb,
      backupRetentionDays: region.database.backupRetentionDays,
      key: this.keys.keys.database,
      dataSubnet: this.network.dataSubnet,
      networkId: this.network.network.id,
      privateZoneNetworkId: this.network.network.id,
    });
    this.keys.after(this.database.instance, "database");

    this.kafka = new ManagedKafka(this, "Kafka", {
      name,
      region: region.cloudRegion,
      vcpuCount: region.kafka.vcpuCount,
      memoryGiB: region.kafka.memoryGiB,
      key: this.keys.keys.kafka,
      dataSubnet: this.network.dataSubnet,
      topics: region.kafka.topics,
      clients: withAccess
        .filter((s) => s.access!.kafka.read.length + s.access!.kafka.write.length > 0)
        .map((s) => ({ id: s.name, serviceAccountEmail: this.gke.workloadIdentities[s.name].email, read: s.access!.kafka.read, write: s.access!.kafka.write })),
    });
    this.keys.after(this.kafka.cluster, "kafka");

    // Each workload identity gets exactly its declared access.
    for (const s of withAccess) {
      const email = this.gke.workloadIdentities[s.name].email;
      const member = `serviceAccount:${email}`;
      const access = s.access!;
      if (access.tokenizationKey) {
        new KmsCryptoKeyIamMember(this, `Access-${s.name}-Tokenization`, { cryptoKeyId: this.keys.keys.tokenization.id, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member });
      }
      if (access.auditWritePrefix) {
        new StorageBucketIamMember(this, `Access-${s.name}-Audit`, {
          bucket: this.auditArchive.archive.name,
          role: "roles/storage.objectCreator",
          member,
          condition: {
            title: `${s.name} writes under ${access.auditWritePrefix}`,
            expression: `resource.name.startsWith("projects/_/buckets/${name}-audit-${region.projectNumber}/objects/${access.auditWritePrefix}")`,
          },
        });
      }
      if (access.database) {
        // IAM database authentication as its Workload Identity account (no password): the user,
        // and the right to log in to and connect to this instance only.
        new SqlUser(this, `Access-${s.name}-DatabaseUser`, {
          instance: this.database.instance.name,
          name: Fn.trimsuffix(email, ".gserviceaccount.com"),
          type: "CLOUD_IAM_SERVICE_ACCOUNT",
        });
        for (const [id, role] of [["DatabaseLogin", "roles/cloudsql.instanceUser"], ["DatabaseConnect", "roles/cloudsql.client"]] as const) {
          new ProjectIamMember(this, `Access-${s.name}-${id}`, {
            project: region.projectId,
            role,
            member,
            condition: {
              title: `${s.name} logs in to ${name} only`,
              expression: `resource.name == "projects/${region.projectId}/instances/${this.database.instance.name}" && resource.type == "sqladmin.googleapis.com/Instance"`,
            },
          });
        }
      }
      if (access.kafka.read.length + access.kafka.write.length > 0) {
        new ProjectIamMember(this, `Access-${s.name}-Kafka`, {
          project: region.projectId,
          role: "roles/managedkafka.client",
          member,
          condition: {
            title: `${s.name} connects to ${name} only`,
            expression: `resource.name.startsWith("projects/${region.projectId}/locations/${region.cloudRegion}/clusters/${name}")`,
          },
        });
      }
    }

    // The mesh's workload CA: an intermediate in CA Service under the platform's root, activated
    // once the root has signed its CSR (mesh.intermediateCertificate; docs/deploy.md).
    if (region.mesh.rootCaArn !== undefined && region.mesh.rootCertificate !== undefined) {
      this.meshCa = new GcpMeshIntermediateCa(this, "WorkloadCa", {
        name,
        projectId: region.projectId,
        location: region.cloudRegion,
        trustDomain: region.mesh.trustDomain,
        dnsNames: casDnsNames(region),
        rootCertificate: region.mesh.rootCertificate,
        intermediateCertificate: region.mesh.intermediateCertificate,
        cluster: this.gke.cluster,
      });
    }

    // The partners' way in is GKE's: the partner gateway's internal load balancer and its PSC
    // service attachment (region-<name>-istio), on the PSC NAT subnet above. Terraform cannot point
    // an attachment at a load balancer GKE owns and names.


    // The perimeter comes last, after everything it protects: enforced in the same wave as what it
    // restricts, it could stop the apply half-way.
    if (this.network.perimeter) {
      this.network.perimeter.dependsOn = [this.database.instance, this.kafka.cluster, this.auditArchive.archive, this.auditArchive.accessLogs, this.gke.cluster, this.gke.nodePool, ...(this.gke.merchantNodePool ? [this.gke.merchantNodePool] : []), this.gke.repository, logBucket, ...(this.meshCa ? [this.meshCa.pool, this.meshCa.authority] : [])].map((r) => dependable(r));
    }
    new TerraformOutput(this, GKE_OUTPUT_IDS.name, { value: this.gke.cluster.name, description: "GKE cluster" });
    new TerraformOutput(this, GKE_OUTPUT_IDS.endpoint, { value: this.gke.cluster.endpoint, description: "Private endpoint of the GKE control plane" });
    new TerraformOutput(this, GKE_OUTPUT_IDS.certificateAuthority, { value: this.gke.cluster.masterAuth.clusterCaCertificate, description: "CA of the GKE control plane (base64)" });
    new TerraformOutput(this, "artifact_registry", { value: artifactRegistry(region), description: "Where images and charts are mirrored" });
    new TerraformOutput(this, "database_psc_address", { value: this.database.endpointAddress.address, description: "Cloud SQL through its PSC endpoint" });
    new TerraformOutput(this, "database_connection_name", { value: this.database.instance.connectionName, description: "Cloud SQL connection name (IAM auth)" });
    new TerraformOutput(this, "kafka_cluster_id", { value: this.kafka.cluster.id, description: "Managed Kafka cluster (bootstrap address from gcloud managed-kafka clusters describe)" });
    new TerraformOutput(this, "audit_bucket", { value: this.auditArchive.archive.name, description: "Audit archive (locked retention)" });
    if (this.meshCa) {
      new TerraformOutput(this, CAS_OUTPUT_IDS.pool, { value: this.meshCa.pool.name, description: "The mesh's CA pool in CA Service (the CAS issuer's caPoolId)" });
      new TerraformOutput(this, CAS_OUTPUT_IDS.issuerAccount, { value: this.meshCa.issuerAccount.email, description: "The Google identity of the in-cluster CAS issuer (Workload Identity)" });
      new TerraformOutput(this, MESH_CA_OUTPUT_IDS.trustAnchor, { value: region.mesh.rootCertificate, description: "The platform root (public certificate): the mesh's trust anchor" });
      new TerraformOutput(this, CAS_OUTPUT_IDS.authority, { value: this.meshCa.authority.certificateAuthorityId, description: "The mesh's intermediate in the pool (its CSR: gcloud privateca subordinates get-csr; docs/deploy.md)" });
    }
  }
}
