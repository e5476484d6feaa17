import { MERCHANT_NODES } from "../../model/mesh/pod-security";
import { ArtifactRegistryRepository } from "@cdktf/provider-google/lib/artifact-registry-repository";
import { ArtifactRegistryRepositoryIamMember } from "@cdktf/provider-google/lib/artifact-registry-repository-iam-member";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { ContainerCluster } from "@cdktf/provider-google/lib/container-cluster";
import { ContainerNodePool } from "@cdktf/provider-google/lib/container-node-pool";
import { KmsCryptoKey } from "@cdktf/provider-google/lib/kms-crypto-key";
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { Construct } from "constructs";
import { GKE_NODE_ROLES, GKE_LOG_COMPONENTS } from "../../model/gcp/gke";

/**
 * The nodes' own service account (never the Compute Engine default one, which is Editor), with
 * only the roles of {@link GKE_NODE_ROLES}. Built before the network, whose firewall names it.
 */
export class GkeNodeServiceAccount extends Construct {
  readonly account: ServiceAccount;

  constructor(scope: Construct, id: string, props: { readonly name: string; readonly projectId: string }) {
    super(scope, id);
    this.account = new ServiceAccount(this, "Account", { accountId: `${props.name}-nodes`.slice(0, 30), displayName: `GKE nodes of ${props.name}` });
    GKE_NODE_ROLES.forEach((role) => {
      new ProjectIamMember(this, role.replace(/^roles\//, "").replace(/[^A-Za-z0-9]/g, "-"), { project: props.projectId, role, member: `serviceAccount:${this.account.email}` });
    });
  }
}

/** A workload's Google identity, bound to its Kubernetes service account through Workload Identity. */
export interface GkeWorkload {
  /** Construct id (the service's name). */
  readonly id: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** A node pool's machines and size. */
export interface GkePoolSize {
  readonly machineType: string;
  readonly minPerZone: number;
  readonly maxPerZone: number;
  readonly diskGb: number;
}

/** Properties of {@link GkeCluster}. */
export interface GkeClusterProps {
  readonly name: string;
  readonly projectId: string;
  readonly region: string;
  readonly zones: readonly string[];
  /** Minimum (and initial) control-plane version, e.g. `1.35`. */
  readonly version: string;
  readonly networkId: string;
  readonly workloadSubnet: ComputeSubnetwork;
  readonly podsRangeName: string;
  readonly servicesRangeName: string;
  /** The control plane's private /28. */
  readonly controlPlaneCidr: string;
  /** Networks allowed to reach the private control plane. */
  readonly masterAuthorizedNetworks: readonly { readonly name: string; readonly cidr: string }[];
  /** Envelope encryption of Kubernetes secrets. */
  readonly secretsKey: KmsCryptoKey;
  /** Boot disks of the nodes. */
  readonly disksKey: KmsCryptoKey;
  /** The image repository's key. */
  readonly registryKey: KmsCryptoKey;
  readonly nodeServiceAccount: ServiceAccount;
  readonly nodes: GkePoolSize;
  /**
   * The merchants' own pool (tainted and labelled, MERCHANT_NODES) under its own service account,
   * which the firewall does not let reach the data tier.
   * @default - none: the region has no merchant tenants
   */
  readonly merchantNodes?: GkePoolSize & { readonly serviceAccount: ServiceAccount };
  /** Workloads that get a Google identity (their access is granted by the stack). */
  readonly workloads: readonly GkeWorkload[];
}

/**
 * A private GKE cluster, the counterpart of EksCluster: private nodes and a private endpoint only,
 * reachable from the authorized networks; Kubernetes secrets encrypted with the gke-secrets key;
 * Workload Identity; Dataplane V2 (NetworkPolicies enforced); shielded nodes with secure boot; every
 * control-plane log component; no client certificates or legacy ABAC; node pools across the zones
 * with CMEK boot disks and their own least-privilege service account; a private Artifact Registry
 * repository (immutable tags, CMEK) for the images and charts (PCI DSS 1.3, 2.2, 3.5, 7.2, 8.2, 10.2).
 */
export class GkeCluster extends Construct {
  readonly cluster: ContainerCluster;
  readonly nodePool: ContainerNodePool;
  /** The merchants' pool, where the cluster has merchant tenants. */
  readonly merchantNodePool?: ContainerNodePool;
  readonly repository: ArtifactRegistryRepository;
  /** Google service accounts of the workloads, by workload id. */
  readonly workloadIdentities: Readonly<Record<string, ServiceAccount>>;

  constructor(scope: Construct, id: string, props: GkeClusterProps) {
    super(scope, id);
    if (props.zones.length < 3) throw new Error(`GkeCluster ${props.name}: needs at least three zones, got ${props.zones.length}.`);
    if (props.nodes.minPerZone < 1) throw new Error(`GkeCluster ${props.name}: minPerZone must be at least 1 (a node in every zone).`);
    const shielded = { enableSecureBoot: true, enableIntegrityMonitoring: true };
    const nodeConfig = {
      machineType: props.nodes.machineType,
      diskSizeGb: props.nodes.diskGb,
      diskType: "pd-balanced",
      bootDiskKmsKey: props.disksKey.id,
      serviceAccount: props.nodeServiceAccount.email,
      oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
      shieldedInstanceConfig: shielded,
      workloadMetadataConfig: { mode: "GKE_METADATA" },
      metadata: { "disable-legacy-endpoints": "true" },
    };
    this.cluster = new ContainerCluster(this, "Cluster", {
      name: props.name,
      location: props.region,
      nodeLocations: [...props.zones],
      minMasterVersion: props.version,
      releaseChannel: { channel: "REGULAR" },
      network: props.networkId,
      subnetwork: props.workloadSubnet.id,
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: { clusterSecondaryRangeName: props.podsRangeName, servicesSecondaryRangeName: props.servicesRangeName },
      datapathProvider: "ADVANCED_DATAPATH",
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true, masterIpv4CidrBlock: props.controlPlaneCidr },
      masterAuthorizedNetworksConfig: {
        gcpPublicCidrsAccessEnabled: false,
        cidrBlocks: props.masterAuthorizedNetworks.map((n) => ({ displayName: n.name, cidrBlock: n.cidr })),
      },
      masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
      enableLegacyAbac: false,
      enableShieldedNodes: true,
      databaseEncryption: { state: "ENCRYPTED", keyName: props.secretsKey.id },
      workloadIdentityConfig: { workloadPool: `${props.projectId}.svc.id.goog` },
      loggingConfig: { enableComponents: GKE_LOG_COMPONENTS },
      // Managed Service for Prometheus's collection: the mesh stack's PodMonitorings scrape the
      // sidecars' failed-handshake counters for the region's alert (GcpSecurityAlerts).
      monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: true } },
      // The default pool is replaced by the pool below; it starts with the same hardened settings.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      nodeConfig,
      deletionProtection: true,
      // The default pool is gone after creation: changes to its node_config would replace the
      // cluster or fail (hashicorp/terraform-provider-google#24069); the node pool carries them.
      lifecycle: { ignoreChanges: ["node_config"] },
    });
    this.nodePool = new ContainerNodePool(this, "NodePool", {
      name: `${props.name}-nodes`,
      cluster: this.cluster.id,
      location: props.region,
      nodeLocations: [...props.zones],
      autoscaling: { minNodeCount: props.nodes.minPerZone, maxNodeCount: props.nodes.maxPerZone },
      // Nodes from the start (per zone): without it the pool starts empty, and the autoscaler adds
      // nodes only for pods that are already pending, so istiod and the system pods wait.
      initialNodeCount: props.nodes.minPerZone,
      management: { autoRepair: true, autoUpgrade: true },
      // initial_node_count forces a new pool when it changes (a later minPerZone, a resize read
      // back): only the creation uses it, as the provider's documentation advises.
      lifecycle: { ignoreChanges: ["initial_node_count"] },
      nodeConfig,
    });

    const merchants = props.merchantNodes;
    if (merchants) {
      this.merchantNodePool = new ContainerNodePool(this, "MerchantNodePool", {
        name: `${props.name}-merchants`,
        cluster: this.cluster.id,
        location: props.region,
        nodeLocations: [...props.zones],
        autoscaling: { minNodeCount: merchants.minPerZone, maxNodeCount: merchants.maxPerZone },
        initialNodeCount: merchants.minPerZone,
        management: { autoRepair: true, autoUpgrade: true },
        lifecycle: { ignoreChanges: ["initial_node_count"] },
        nodeConfig: {
          ...nodeConfig,
          machineType: merchants.machineType,
          diskSizeGb: merchants.diskGb,
          serviceAccount: merchants.serviceAccount.email,
          labels: { [MERCHANT_NODES.label.key]: MERCHANT_NODES.label.value },
          taint: [{ ...MERCHANT_NODES.taint }],
        },
      });
    }

    this.repository = new ArtifactRegistryRepository(this, "Repository", {
      repositoryId: props.name,
      location: props.region,
      format: "DOCKER",
      description: `Images and charts of ${props.name} (mirrored; the cluster pulls nothing from the internet)`,
      kmsKeyName: props.registryKey.id,
      dockerConfig: { immutableTags: true },
    });
    new ArtifactRegistryRepositoryIamMember(this, "NodesPull", {
      repository: this.repository.name,
      location: props.region,
      role: "roles/artifactregistry.reader",
      member: `serviceAccount:${props.nodeServiceAccount.email}`,
    });
    if (merchants) {
      new ArtifactRegistryRepositoryIamMember(this, "MerchantNodesPull", {
        repository: this.repository.name,
        location: props.region,
        role: "roles/artifactregistry.reader",
        member: `serviceAccount:${merchants.serviceAccount.email}`,
      });
    }

    const identities: Record<string, ServiceAccount> = {};
    for (const w of props.workloads) {
      const accountId = `wi-${w.id}`;
      if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(accountId)) {
        throw new Error(`GkeCluster ${props.name}: the Workload Identity account "${accountId}" of service ${w.id} must be 6-30 lowercase letters, digits or dashes; shorten or lengthen the service's name.`);
      }
      const account = new ServiceAccount(this, `Workload-${w.id}`, { accountId, displayName: `${w.namespace}/${w.serviceAccount} (Workload Identity)` });
      new ServiceAccountIamMember(this, `Workload-${w.id}-Binding`, {
        serviceAccountId: account.name,
        role: "roles/iam.workloadIdentityUser",
        member: `serviceAccount:${props.projectId}.svc.id.goog[${w.namespace}/${w.serviceAccount}]`,
        // The pool <project>.svc.id.goog exists only once a cluster with Workload Identity does:
        // IAM refuses a member of it before.
        dependsOn: [this.cluster],
      });
      identities[w.id] = account;
    }
    this.workloadIdentities = identities;
  }
}
