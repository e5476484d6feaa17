import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { partnerGatewayAlarm } from "../model/aws/alerts";
import { AwsRegionConfig, RegionConfig } from "../config/schema";
import { AuditArchive } from "../constructs/aws/audit-archive";
import { AuditTrail, cloudTrailKeyStatements } from "../constructs/aws/audit-trail";
import { ThreatDetection } from "../constructs/aws/threat-detection";
import { ConfigRecording } from "../constructs/aws/config-recording";
import { SecurityAlerts, alertTopicKeyStatements } from "../constructs/aws/security-alerts";
import { MeshMetrics } from "../constructs/aws/mesh-metrics";
import { KeyDeletionGuard } from "../constructs/aws/key-deletion-guard";
import { AuroraPostgres } from "../constructs/aws/aurora-postgres";
import { CloudHsm } from "../constructs/aws/cloud-hsm";
import { DisasterRecovery } from "../constructs/aws/disaster-recovery";
import { MeshIntermediateCa } from "../constructs/aws/mesh-intermediate-ca";
import { END_ENTITY_TEMPLATES, MESH_CA_OUTPUT_IDS, PCA_ISSUER_SERVICE_ACCOUNT, PKI_NAMESPACE } from "../model/mesh/pki";
import { EksCluster } from "../constructs/aws/eks-cluster";
import { PolicyStatement, partitionOf } from "../constructs/aws/iam-policy";
import { HsmKeyStore } from "../constructs/aws/hsm-key-store";
import { KafkaCluster } from "../constructs/aws/kafka-cluster";
import { KAFKA_MIRROR_OUTPUT_IDS, mirrorsKafka } from "../model/aws/kafka-mirror";
import { TerraformOutput, TerraformVariable, dependable } from "../core/cdktf";
import { PartnerEndpointService } from "../constructs/aws/partner-endpoint-service";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { EAST_WEST_GATEWAY, EAST_WEST_OUTPUT_IDS, EAST_WEST_PURPOSE, callerPrincipals, callerWorkloadCidrs, crossRegionView } from "../model/mesh/cross-region";
import { AutoscalingAttachment } from "@cdktf/provider-aws/lib/autoscaling-attachment";
import { PARTNER_GATEWAY } from "../model/mesh/edge";
import { PrivateLinkNetwork } from "../constructs/aws/private-link-network";
import { KeyUsers, RegionKeys, keyUseStatements } from "../constructs/aws/region-keys";
import { RegionStack } from "../core/blueprint-stack";
import { NETWORK_TIERS, NetworkTier, extraInterfaceEndpoints, interfaceEndpointPolicy } from "../model/aws/network";
import { KEY_PURPOSES, KeyPurpose } from "../model/aws/keys";
import { regionTags } from "../model/aws/tags";
import { KMSUSER_PASSWORD_VARIABLE } from "../model/aws/hsm";
import { mirroredImages } from "../model/aws/registry";
import { EKS_OUTPUT_IDS } from "../model/aws/eks";
import { scramAcls } from "../model/aws/kafka";
import { stackName } from "./plan";

/** Output ids are API too (other stacks read them): fixed, not built. */
const SUBNET_OUTPUT_IDS: Record<NetworkTier, string> = {
  workload: "workload_subnet_ids",
  data: "data_subnet_ids",
  endpoints: "endpoints_subnet_ids",
};
const KEY_OUTPUT_IDS: Record<KeyPurpose, string> = {
  database: "kms_key_arn_database",
  kafka: "kms_key_arn_kafka",
  audit: "kms_key_arn_audit",
  eksSecrets: "kms_key_arn_eks_secrets",
  logs: "kms_key_arn_logs",
  secretsManager: "kms_key_arn_secrets_manager",
  ebs: "kms_key_arn_ebs",
  ecr: "kms_key_arn_ecr",
  tokenization: "kms_key_arn_tokenization",
  alerts: "kms_key_arn_alerts",
};

/** The Pod Identity role of the PCA issuer (construct id; the role is `<cluster>-mesh-ca-issuer`). */
export const MESH_CA_ISSUER_ROLE = "mesh-ca-issuer";

/**
 * `region-<name>`: everything a region runs on AWS, planned with the AWS provider only and with
 * no data source, so that `terraform plan` needs no credentials.
 */
export class AwsRegionStack extends RegionStack<AwsRegionConfig> {
  readonly keys: RegionKeys;
  readonly auditArchive: AuditArchive;
  /** The account's trail, into the archive and a log group. */
  readonly auditTrail: AuditTrail;
  /** GuardDuty and Security Hub. */
  readonly threatDetection: ThreatDetection;
  /** AWS Config recording into the archive. */
  readonly configRecording: ConfigRecording;
  /** The security topic, the trail's alarms and the finding rules. */
  readonly alerts: SecurityAlerts;
  /** The mesh's metrics and its two alerts (AMP). */
  readonly meshMetrics: MeshMetrics;
  /** Cancels a scheduled deletion of any key of the region, and pages (an automated response). */
  readonly keyDeletionGuard: KeyDeletionGuard;
  readonly network: PrivateLinkNetwork;
  readonly partnerApi: PartnerEndpointService;
  /** Where other regions' services call this region's: the east-west gateway's endpoint service (only where calls come in). */
  readonly eastWest?: PartnerEndpointService;
  /** This region's interface endpoints of the regions its services call, by callee region (where the callee's service is named). */
  readonly eastWestEndpoints: Readonly<Record<string, VpcEndpoint>> = {};
  readonly database: AuroraPostgres;
  readonly hsm: CloudHsm;
  /** The KMS custom key store on the cluster, from stage "keystore". */
  readonly keyStore?: HsmKeyStore;
  readonly kafka: KafkaCluster;
  readonly eks: EksCluster;
  /** The region's intermediate of the platform's root CA, when the region names the root. */
  readonly meshCa?: MeshIntermediateCa;
  /** Copies in the partner region, when the region names one (drPartnerRegion). */
  readonly disasterRecovery?: DisasterRecovery;

  constructor(scope: Construct, region: AwsRegionConfig, peers?: readonly RegionConfig[]) {
    super(scope, stackName(region, "aws"), region, "aws", peers);
    // Calls between this region and others, as the regions' files declare them.
    const crossRegion = crossRegionView(region, this.peers);
    const name = `${region.naming.prefix}-${region.name}`;

    this.useRegionStateBackend(region.stateBackend.key);

    new AwsProvider(this, "aws", {
      region: region.cloudRegion,
      allowedAccountIds: [region.accountId],
      defaultTags: [{ tags: regionTags(region) }],
    });

    this.keys = new RegionKeys(this, "Keys", {
      accountId: region.accountId,
      region: region.cloudRegion,
      aliasPrefix: name,
      custodianArns: [region.eks.deployRoleArn],
    });

    this.auditArchive = new AuditArchive(this, "AuditArchive", {
      bucketName: `${name}-audit-${region.accountId}`,
      accessLogBucketName: `${name}-access-logs-${region.accountId}`,
      accountId: region.accountId,
      key: this.keys.audit,
      retentionDays: region.retention.auditArchiveDays,
      coldStorageAfterDays: region.retention.coldStorageAfterDays,
    });

    // The audit trail of the account, into the archive and a log group (PCI DSS 10.2, 10.3, 10.5).
    this.keys.admitService("audit", cloudTrailKeyStatements(name, region.cloudRegion, region.accountId));
    this.auditTrail = new AuditTrail(this, "AuditTrail", {
      name,
      accountId: region.accountId,
      region: region.cloudRegion,
      archive: this.auditArchive.archive,
      key: this.keys.audit,
      logsKey: this.keys.logs,
      logRetentionDays: region.retention.logDays,
    });

    this.configRecording = new ConfigRecording(this, "ConfigRecording", { name, accountId: region.accountId, archive: this.auditArchive.archive, key: this.keys.audit });
    this.threatDetection = new ThreatDetection(this, "ThreatDetection", {
      region: region.cloudRegion,
      accountId: region.accountId,
      configRecording: this.configRecording.status,
      archive: this.auditArchive.archive,
      key: this.keys.audit,
      existing: region.existingDetection,
    });
    this.keys.admitService("audit", this.threatDetection.keyStatements(region.accountId));

    // Who is told (PCI DSS 10.4.1, 10.7.2, 12.10.5): the trail's control failures and the high findings.
    this.keys.admitService("alerts", alertTopicKeyStatements(name, region.cloudRegion, region.accountId));
    this.alerts = new SecurityAlerts(this, "Alerts", {
      name,
      accountId: region.accountId,
      region: region.cloudRegion,
      key: this.keys.alerts,
      trailLogGroupName: this.auditTrail.logGroup.logGroup.name,
      subscribers: region.alerts.subscribers,
      findingSources: [this.threatDetection.detector, this.threatDetection.hub],
    });

    this.network = new PrivateLinkNetwork(this, "Network", {
      name,
      accountId: region.accountId,
      region: region.cloudRegion,
      cidrBlock: region.network.vpcCidr,
      availabilityZoneIds: region.availabilityZoneIds,
      subnets: region.network.subnets,
      flowLogKey: this.keys.logs,
      flowLogRetentionDays: region.retention.logDays,
      // Workloads write audit records; nothing in the VPC needs the access-log bucket.
      s3Buckets: [this.auditArchive.archive],
      extraInterfaceEndpoints: extraInterfaceEndpoints(region),
      interfaceEndpointPolicy: (service) => interfaceEndpointPolicy(region, service),
      privateLinkClients: [
        { cidrs: region.paymentApi.partnerClientCidrs, port: 443 },
        // The callers of this region's services in other regions, to the east-west gateway's NLB.
        ...(crossRegion.incoming.length > 0 ? [{ cidrs: crossRegion.incoming.flatMap((l) => callerWorkloadCidrs(l)), port: EAST_WEST_GATEWAY.port }] : []),
      ],
    });

    // Calls from other regions (declared in this region's mesh.calls): the east-west gateway's
    // NLB and endpoint service, open to the callers' accounts from their regions only
    // (cross-region PrivateLink), the callers' mTLS passed through to the gateway.
    if (crossRegion.incoming.length > 0) {
      this.eastWest = new PartnerEndpointService(this, "EastWestGateway", {
        name,
        network: this.network,
        region: region.cloudRegion,
        targetPort: EAST_WEST_GATEWAY.nodePorts.tls,
        healthCheckPort: EAST_WEST_GATEWAY.nodePorts.status,
        allowedPrincipals: callerPrincipals(crossRegion),
        clientCidrs: crossRegion.incoming.flatMap((l) => callerWorkloadCidrs(l)),
        accessLogBucket: this.auditArchive.accessLogs,
        crossRegionConsumers: [...new Set(crossRegion.incoming.map((l) => l.caller.cloudRegion))].filter((r) => r !== region.cloudRegion).sort(),
        purpose: EAST_WEST_PURPOSE,
      });
    }

    this.partnerApi = new PartnerEndpointService(this, "PartnerApi", {
      name,
      network: this.network,
      region: region.cloudRegion,
      targetPort: PARTNER_GATEWAY.nodePorts.https,
      healthCheckPort: PARTNER_GATEWAY.nodePorts.status,
      allowedPrincipals: region.paymentApi.allowedPrincipals,
      clientCidrs: region.paymentApi.partnerClientCidrs,
      accessLogBucket: this.auditArchive.accessLogs,
      // Between a region and its DR partner, only the payment API crosses, over PrivateLink.
      crossRegionConsumers: region.drPartnerRegion ? [region.drPartnerRegion] : undefined,
    });

    const activated = region.hsm.stage !== "cluster";
    this.hsm = new CloudHsm(this, "Hsm", {
      name,
      network: this.network,
      secretsKey: this.keys.secretsManager,
      hsmCount: region.hsm.count,
      hsmType: region.hsm.type,
      // The ceremony of stage "cluster" activates the cluster; the other HSMs come after it.
      activated,
    });
    if (activated) {
      // The rules require the trust anchor from stage "keystore" on.
      const trustAnchorCertificate = region.hsm.trustAnchorCertificate ?? "";
      // Asked for only while the store is created: KMS rotates the password when it connects.
      const kmsuserPassword =
        region.hsm.stage === "keystore"
          ? new TerraformVariable(this, KMSUSER_PASSWORD_VARIABLE, {
              type: "string",
              description: "Password of the kmsuser crypto user, read from the secret named by the hsm_kmsuser_password_secret_arn output",
              sensitive: true,
              nullable: false,
              validation: [
                {
                  condition: `\${length(var.${KMSUSER_PASSWORD_VARIABLE}) >= 7 && length(var.${KMSUSER_PASSWORD_VARIABLE}) <= 32}`,
                  errorMessage: "The kmsuser password has 7 to 32 characters (a CloudHSM crypto user password).",
                },
              ],
            }).stringValue
          : undefined;
      this.keyStore = new HsmKeyStore(this.hsm, "KeyStore", {
        name: `${name}-tokenization`,
        hsm: this.hsm,
        trustAnchorCertificate,
        kmsuserPassword,
      });
      if (region.hsm.stage === "keys") {
        this.keys.moveTokenizationToKeyStore(this.keyStore.store.id, region.hsm.tokenizationKeyGeneration);
      }
    }

    // Before the data services: their security groups admit only the EKS nodes.
    this.eks = new EksCluster(this, "Eks", {
      name,
      accountId: region.accountId,
      region: region.cloudRegion,
      version: region.eks.version,
      network: this.network,
      secretsKey: this.keys.eksSecrets,
      ebsKey: this.keys.ebs,
      logsKey: this.keys.logs,
      logRetentionDays: region.retention.logDays,
      clusterAdminRoleArns: [region.eks.adminRoleArn, region.eks.deployRoleArn],
      nodes: region.eks.nodes,
      ...(region.mesh.merchantNamespaces.length > 0 ? { merchantNodes: region.eks.merchantNodes } : {}),
      images: mirroredImages(region),
      ecrKey: this.keys.ecr,
    });
    // The runtime agent reports only once GuardDuty has the feature on and the VPC has its endpoint.
    this.eks.guardDutyAgent.dependsOn = [
      ...(this.eks.guardDutyAgent.dependsOn ?? []),
      dependable(this.threatDetection.features.RUNTIME_MONITORING),
      dependable(this.network.interfaceEndpoints["guardduty-data"]),
    ];
    const dataClients = { securityGroup: this.eks.nodeSecurityGroup, description: "the EKS nodes" };
    this.meshMetrics = new MeshMetrics(this, "MeshMetrics", {
      name,
      region: region.cloudRegion,
      network: this.network,
      cluster: this.eks.cluster,
      clusterSecurityGroup: this.eks.clusterSecurityGroup,
      nodeSecurityGroup: this.eks.nodeSecurityGroup,
      ...(this.eks.merchantSecurityGroup ? { merchantSecurityGroup: this.eks.merchantSecurityGroup } : {}),
      alerts: this.alerts,
      tokenization: region.services.filter((s) => s.access?.tokenizationKey).map((s) => ({ namespace: s.namespace, name: s.name })),
    });

    this.database = new AuroraPostgres(this, "Database", {
      name,
      clients: dataClients,
      region: region.cloudRegion,
      network: this.network,
      databaseKey: this.keys.database,
      secretsKey: this.keys.secretsManager,
      logsKey: this.keys.logs,
      logRetentionDays: region.retention.logDays,
      backupRetentionDays: region.database.backupRetentionDays,
      engineVersion: region.database.engineVersion,
      instanceClass: region.database.instanceClass,
      instances: region.database.instances,
    });

    if (region.mesh.rootCaArn) {
      const rootRegion = region.mesh.rootCaArn.split(":")[3];
      // The root signs through its own region's endpoint, as this account (the root's RAM share).
      const rootProvider =
        rootRegion === region.cloudRegion
          ? undefined
          : new AwsProvider(this, "aws_pca_root", { alias: "pca_root", region: rootRegion, allowedAccountIds: [region.accountId], defaultTags: [{ tags: regionTags(region) }] });
      this.meshCa = new MeshIntermediateCa(this, "MeshCa", { trustDomain: region.mesh.trustDomain, rootCaArn: region.mesh.rootCaArn, rootRegionProvider: rootProvider });
    }

    if (region.drPartnerRegion) {
      // The partner region, in the same account and jurisdiction (the config rules check it).
      const partner = new AwsProvider(this, "aws_dr", {
        alias: "dr",
        region: region.drPartnerRegion,
        allowedAccountIds: [region.accountId],
        defaultTags: [{ tags: regionTags(region) }],
      });
      this.disasterRecovery = new DisasterRecovery(this, "Dr", {
        name,
        accountId: region.accountId,
        region: region.cloudRegion,
        partnerRegion: region.drPartnerRegion,
        partnerProvider: partner,
        archive: this.auditArchive,
        retentionDays: region.retention.auditArchiveDays,
        coldStorageAfterDays: region.retention.coldStorageAfterDays,
        database: this.database.cluster,
        databaseKey: this.keys.database,
        backupRetentionDays: region.database.backupRetentionDays,
        keyCustodianArns: [region.eks.deployRoleArn],
      });
    }

    this.kafka = new KafkaCluster(this, "Kafka", {
      name,
      clients: dataClients,
      network: this.network,
      kafkaKey: this.keys.kafka,
      logsKey: this.keys.logs,
      logRetentionDays: region.retention.logDays,
      accountId: region.accountId,
      brokers: region.kafka.brokers,
      kafkaVersion: region.kafka.kafkaVersion,
      instanceType: region.kafka.instanceType,
      scramUsers: region.kafka.scramUsers,
      associateScramSecrets: region.kafka.scramSecretsReady,
      topics: region.kafka.topics,
      replicated: mirrorsKafka(region),
    });

    // The Auto Scaling service-linked role exists before the ebs key's policy names it: created
    // here on a new account (a first Auto Scaling group would create it only later), named only
    // where the region file says the account has it (AWS refuses to create it twice).
    const autoScalingRole = region.existingServiceLinkedRoles.includes("autoscaling.amazonaws.com")
      ? undefined
      : new IamServiceLinkedRole(this, "AutoScalingServiceLinkedRole", {
          awsServiceName: "autoscaling.amazonaws.com",
          description: "EC2 Auto Scaling: launches the EKS nodes and encrypts their volumes with the ebs key",
          // Account-wide: other Auto Scaling groups of the account may use it.
          lifecycle: { preventDestroy: true },
        });
    for (const statement of this.eks.ebsKeyStatements()) this.keys.managedKey("ebs").addToPolicy(statement, autoScalingRole ? [autoScalingRole] : []);
    // The partner NLB reaches the partner gateway on the nodes' node ports: the nodes admit it, and
    // join its target group through their Auto Scaling group (instance targets, no controller in the cluster).
    // The on-call learns that the partners' way in is down or without redundancy before a partner calls.
    this.wireGateway("PartnerApi", "PartnerGatewayHealth", this.partnerApi, region.edge && {
      replicas: region.edge.replicas,
      name,
      description: "The partner gateway has fewer healthy targets behind the partners' load balancer than its replicas but one (PCI DSS 10.7.2, 12.10.5)",
    });
    // ... and that the other regions' way in is down before their calls fail.
    if (this.eastWest) {
      this.wireGateway("EastWest", "EastWestGatewayHealth", this.eastWest, {
        replicas: EAST_WEST_GATEWAY.replicas,
        name: `${name}-east-west`,
        description: "The east-west gateway has fewer healthy targets behind its load balancer than its replicas but one: calls from other regions may fail (PCI DSS 10.7.2, 12.10.5)",
      });
    }
    // Calls to other regions: an interface endpoint of each callee's east-west service, once the
    // region file names it (the callee is deployed first), reachable from the nodes' pods on 15443 only.
    const endpoints: Record<string, VpcEndpoint> = {};
    for (const link of crossRegion.outgoing) {
      const serviceName = region.mesh.eastWestEndpointServices[link.callee.mesh.trustDomain];
      if (!serviceName) continue;
      const id = `EastWestTo-${link.callee.name}`;
      const securityGroup = new SecurityGroup(this, `${id}-SecurityGroup`, {
        name: `${name}-east-west-to-${link.callee.name}`,
        description: `Interface endpoint of the east-west gateway of region ${link.callee.name}: from the pods of this region on ${EAST_WEST_GATEWAY.port} only`,
        vpcId: this.network.vpc.id,
        revokeRulesOnDelete: true,
        tags: { Name: `${name}-east-west-to-${link.callee.name}` },
      });
      this.eks.reachEndpoint(`${id}-Access`, securityGroup, EAST_WEST_GATEWAY.port, `Calls into region ${link.callee.name} (its east-west gateway)`);
      endpoints[link.callee.name] = new VpcEndpoint(this, id, {
        vpcId: this.network.vpc.id,
        vpcEndpointType: "Interface",
        serviceName,
        serviceRegion: link.callee.cloudRegion,
        subnetIds: this.network.subnets.endpoints.map((s) => s.id),
        securityGroupIds: [securityGroup.id],
        privateDnsEnabled: false,
        ipAddressType: "ipv4",
        tags: { Name: `${name}-east-west-to-${link.callee.name}` },
      });
      new TerraformOutput(this, EAST_WEST_OUTPUT_IDS.endpoint(link.callee), {
        value: endpoints[link.callee.name].dnsEntry.get(0).dnsName,
        description: `Where this region's sidecars reach region ${link.callee.name}'s east-west gateway (read by the mesh stack)`,
      });
    }
    this.eastWestEndpoints = endpoints;
    for (const service of region.services) {
      if (!service.access) continue;
      this.eks.workloadRole(service.name, {
        namespace: service.namespace,
        serviceAccount: service.serviceAccount ?? service.name,
        statements: this.serviceStatements(service.name, service.access),
      });
    }

    if (this.meshCa) {
      // The PCA issuer (region-<name>-pki) is the one identity that may sign with the intermediate,
      // and only end-entity certificates: no template that makes a CA.
      this.eks.workloadRole(MESH_CA_ISSUER_ROLE, {
        namespace: PKI_NAMESPACE,
        serviceAccount: PCA_ISSUER_SERVICE_ACCOUNT,
        statements: [
          {
            Sid: "IssueWorkloadCertificates",
            Effect: "Allow",
            Action: "acm-pca:IssueCertificate",
            Resource: this.meshCa.authority.arn,
            Condition: { StringEquals: { "acm-pca:TemplateArn": END_ENTITY_TEMPLATES } },
          },
          { Sid: "ReadIssuedCertificates", Effect: "Allow", Action: ["acm-pca:GetCertificate", "acm-pca:DescribeCertificateAuthority"], Resource: this.meshCa.authority.arn },
        ],
      });
      new TerraformOutput(this, MESH_CA_OUTPUT_IDS.arn, { value: this.meshCa.authority.arn, description: "The region's intermediate CA (read by the istio stack's PCA issuer)" });
      new TerraformOutput(this, MESH_CA_OUTPUT_IDS.trustAnchor, {
        value: this.meshCa.certificate.certificateChain,
        description: "The platform root above the intermediate (public): the mesh's trust anchor",
      });
    }

    this.admitKeyUsers();
    // After the tokenization key's move: its generations are guarded too.
    this.keyDeletionGuard = new KeyDeletionGuard(this, "KeyDeletionGuard", { name, accountId: region.accountId, region: region.cloudRegion, keys: this.keys.all, alerts: this.alerts });

    new TerraformOutput(this, "vpc_id", { value: this.network.vpc.id, description: "VPC of the region" });
    for (const tier of NETWORK_TIERS) {
      new TerraformOutput(this, SUBNET_OUTPUT_IDS[tier], {
        value: this.network.subnets[tier].map((s) => s.id),
        description: `Subnets of the ${tier} tier, one per AZ`,
      });
    }
    for (const purpose of KEY_PURPOSES) {
      new TerraformOutput(this, KEY_OUTPUT_IDS[purpose], { value: this.keys[purpose].arn, description: `CMK for ${purpose}` });
    }
    new TerraformOutput(this, "audit_bucket", { value: this.auditArchive.archive.bucket.id, description: "Object Lock audit archive" });
    new TerraformOutput(this, "database_iam_users", {
      // No PostgreSQL provider plans offline: the users are created in SQL (docs/deploy.md).
      value: region.services.filter((s) => s.access?.database).map((s) => s.name),
      description: "Database users to create for IAM authentication (CREATE USER ...; GRANT rds_iam ...), one per service that declares database access",
    });
    new TerraformOutput(this, "database_endpoint", { value: this.database.cluster.endpoint, description: "Aurora writer endpoint (TLS, IAM auth)" });
    new TerraformOutput(this, "database_master_secret_arn", {
      value: this.database.cluster.masterUserSecret.get(0).secretArn,
      description: "Secrets Manager secret RDS manages for the master user (value never in state)",
    });
    new TerraformOutput(this, "kafka_bootstrap_brokers_sasl_scram", {
      value: this.kafka.cluster.bootstrapBrokersSaslScram,
      description: "SASL/SCRAM over TLS (port 9096)",
    });
    if (mirrorsKafka(region)) {
      new TerraformOutput(this, KAFKA_MIRROR_OUTPUT_IDS.sourceClusterArn, { value: this.kafka.cluster.arn, description: "The cluster the DR partner's replicator reads (read by region-<name>-dr)" });
      new TerraformOutput(this, KAFKA_MIRROR_OUTPUT_IDS.sourceSubnetIds, { value: this.network.subnets.data.map((s) => s.id), description: "The brokers' subnets, where the replicator connects (read by region-<name>-dr)" });
      new TerraformOutput(this, KAFKA_MIRROR_OUTPUT_IDS.sourceMultiVpcBrokers, {
        value: this.kafka.cluster.bootstrapBrokersVpcConnectivitySaslIam,
        description: "Set once the cluster's multi-VPC connectivity is on (region-<name>-dr's plan checks it)",
      });
    }
    new TerraformOutput(this, "kafka_bootstrap_brokers_sasl_iam", { value: this.kafka.cluster.bootstrapBrokersSaslIam, description: "IAM over TLS (port 9098)" });
    new TerraformOutput(this, "kafka_topics", {
      // No Kafka provider is available offline: topics are data for review and for the topic job.
      value: this.kafka.topics.map((t) => ({ name: t.name, partitions: t.partitions, replication_factor: t.replicationFactor, retention_hours: t.retentionHours })),
      description: "Topics to create (auto-creation is off); see docs/deploy.md, Deploying a region, step 5",
    });
    new TerraformOutput(this, "kafka_scram_acls", {
      // The brokers deny a SCRAM user anything its ACLs do not name; these are its service's declared topics.
      value: scramAcls(region).map((a) => ({ user: a.user, resource: a.resource, name: a.name, pattern_type: a.patternType, operations: a.operations })),
      description: "Kafka ACLs to create for each SASL/SCRAM user (docs/deploy.md, step 5): exactly its service's declared topics",
    });
    new TerraformOutput(this, "hsm_cluster_id", { value: this.hsm.cluster.clusterId, description: "CloudHSM cluster to initialize" });
    new TerraformOutput(this, "hsm_cluster_csr", {
      value: this.hsm.clusterCsr,
      description: "Sign with the trust anchor during initialization; empty until a refresh after the first HSM exists (docs/deploy.md, CloudHSM ceremony)",
    });
    new TerraformOutput(this, "hsm_kmsuser_password_secret_arn", {
      value: this.hsm.kmsuserPasswordSecret.arn,
      description: "Write the kmsuser password here during the ceremony; TF_VAR_kmsuser_password reads it at stage keystore",
    });
    if (this.keyStore) {
      new TerraformOutput(this, "hsm_key_store_id", { value: this.keyStore.store.id, description: "Connect it (aws kms connect-custom-key-store) before stage keys" });
    }
    new TerraformOutput(this, EKS_OUTPUT_IDS.name, { value: this.eks.cluster.name, description: "EKS cluster (read by the mesh stacks)" });
    new TerraformOutput(this, EKS_OUTPUT_IDS.endpoint, { value: this.eks.cluster.endpoint, description: "Private API endpoint of the cluster (read by the mesh stacks)" });
    new TerraformOutput(this, EKS_OUTPUT_IDS.certificateAuthority, {
      value: this.eks.cluster.certificateAuthority.get(0).data,
      description: "Base64 CA certificate of the API endpoint (read by the mesh stacks)",
    });
    if (this.eastWest) {
      new TerraformOutput(this, EAST_WEST_OUTPUT_IDS.endpointService, {
        value: this.eastWest.endpointService.serviceName,
        description: "The east-west gateway's endpoint service: each calling region's file names it (mesh.eastWestEndpointServices)",
      });
    }
    new TerraformOutput(this, "partner_endpoint_service_name", {
      value: this.partnerApi.endpointService.serviceName,
      description: "Give this to partners; each connection must be accepted",
    });
  }

  /**
   * A gateway's load balancer on the EKS nodes: the nodes admit it on its target ports (`<id>Targets`),
   * their Auto Scaling group joins its target group (`<id>Nodes`: instance targets, no controller in
   * the cluster) and, where `alarm` is given, an alarm on its healthy targets pages the security topic.
   */
  private wireGateway(id: string, alarmId: string, service: PartnerEndpointService, alarm: { replicas: number; name: string; description: string } | undefined): void {
    this.eks.admitLoadBalancer(`${id}Targets`, service.securityGroup, service.targetPorts);
    if (alarm) {
      const { id: alarmSuffix, ...evaluation } = partnerGatewayAlarm(alarm.replicas);
      new CloudwatchMetricAlarm(this, alarmId, {
        alarmName: `${alarm.name}-${alarmSuffix}`,
        alarmDescription: alarm.description,
        ...evaluation,
        dimensions: { TargetGroup: service.targetGroup.arnSuffix, LoadBalancer: service.loadBalancer.arnSuffix },
        actionsEnabled: true,
        alarmActions: [this.alerts.topic.arn],
        okActions: [this.alerts.topic.arn],
      });
    }
    new AutoscalingAttachment(this, `${id}Nodes`, {
      autoscalingGroupName: this.eks.nodeGroup.resources.get(0).autoscalingGroups.get(0).name,
      lbTargetGroupArn: service.targetGroup.arn,
    });
  }

  /**
   * Each key's users, by name (model/aws/key-access.ts): the region file's deploy and admin roles,
   * the roles this stack creates, and the service-linked roles of the services that use the keys.
   */
  private admitKeyUsers(): void {
    const { cloudRegion, accountId, eks, services } = this.region;
    const partition = partitionOf(cloudRegion);
    const roleArn = (roleName: string) => `arn:${partition}:iam::${accountId}:role/${roleName}`;
    const bucketArn = (bucketName: string) => `arn:${partition}:s3:::${bucketName}`;
    const workloads = (wants: (access: NonNullable<RegionConfig["services"][number]["access"]>) => boolean) =>
      services.filter((s) => s.access && wants(s.access)).map((s) => roleArn(this.eks.workloadRoleName(s.name)));
    const dr = this.disasterRecovery;
    const users: KeyUsers = {
      deploy: [eks.deployRoleArn],
      admins: [eks.adminRoleArn],
      eksCluster: [roleArn(this.eks.clusterRoleName)],
      auditWriters: workloads((a) => a.auditWritePrefix !== undefined),
      tokenizationUsers: workloads((a) => a.tokenizationKey === true),
      replication: dr ? [roleArn(dr.replicationRoleName)] : [],
      backup: dr ? [roleArn(dr.backupRoleName)] : [],
      configRecorder: [roleArn(this.configRecording.roleName)],
    };
    const archive = bucketArn(this.auditArchive.archive.name);
    this.keys.admitUsers(users, { archive });
    if (dr) {
      const partner = { accountId, region: dr.partnerRegion };
      const buckets = { archive, drArchive: bucketArn(dr.partnerArchive.archive.name) };
      for (const s of keyUseStatements("drAudit", partner, users, buckets)) dr.keys.drAudit.addToPolicy(s);
      for (const s of keyUseStatements("drDatabase", partner, users, buckets)) dr.keys.drDatabase.addToPolicy(s);
    }
  }

  /** The least-privilege statements of one service's AWS access, from its declaration. */
  private serviceStatements(service: string, aws: NonNullable<RegionConfig["services"][number]["access"]>): PolicyStatement[] {
    const { cloudRegion, accountId } = this.region;
    const partition = partitionOf(cloudRegion);
    const statements: PolicyStatement[] = [];
    if (aws.auditWritePrefix !== undefined) {
      statements.push(
        { Sid: "WriteOwnAuditRecords", Effect: "Allow", Action: "s3:PutObject", Resource: `${this.auditArchive.archive.bucket.arn}/${aws.auditWritePrefix}*` },
        {
          Sid: "EncryptAuditRecordsThroughS3",
          Effect: "Allow",
          // Decrypt: a multipart upload under SSE-KMS decrypts the data key to complete.
          Action: ["kms:GenerateDataKey", "kms:Decrypt"],
          Resource: this.keys.audit.arn,
          Condition: { StringEquals: { "kms:ViaService": `s3.${cloudRegion}.amazonaws.com` } },
        },
      );
    }
    if (aws.database) {
      // IAM database authentication as the database user of the service's name, and no other.
      statements.push({
        Sid: "ConnectToTheDatabaseAsItself",
        Effect: "Allow",
        Action: "rds-db:connect",
        Resource: `arn:${partition}:rds-db:${cloudRegion}:${accountId}:dbuser:${this.database.cluster.clusterResourceId}/${service}`,
      });
    }
    if (aws.tokenizationKey) {
      // Every tokenization key: the current one encrypts; the retired ones' policies let them only decrypt.
      const keys = [this.keys.managedKey("tokenization").key, ...this.keys.hsmTokenization];
      statements.push({
        Sid: "UseTheTokenizationKeys",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
        Resource: keys.map((k) => k.arn),
      });
    }
    const { read, write } = aws.kafka;
    if (read.length + write.length > 0) {
      const cluster = this.kafka.cluster;
      const topicArn = (topic: string) => `arn:${partition}:kafka:${cloudRegion}:${accountId}:topic/${cluster.clusterName}/*/${topic}`;
      statements.push({ Sid: "ConnectToKafka", Effect: "Allow", Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"], Resource: cluster.arn });
      if (write.length > 0) {
        statements.push(
          { Sid: "WriteTopics", Effect: "Allow", Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"], Resource: write.map(topicArn) },
          // Kafka clients produce idempotently by default (enable.idempotence=true since 3.0): MSK
          // checks this cluster-level action for it, and refuses the producer without it.
          { Sid: "WriteIdempotently", Effect: "Allow", Action: "kafka-cluster:WriteDataIdempotently", Resource: cluster.arn },
        );
      }
      if (read.length > 0) {
        statements.push(
          { Sid: "ReadTopics", Effect: "Allow", Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"], Resource: read.map(topicArn) },
          {
            Sid: "OwnConsumerGroups",
            Effect: "Allow",
            Action: ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
            Resource: `arn:${partition}:kafka:${cloudRegion}:${accountId}:group/${cluster.clusterName}/*/${service}*`,
          },
        );
      }
    }
    return statements;
  }
}
