import { CloudhsmV2Cluster } from "@cdktf/provider-aws/lib/cloudhsm-v2-cluster";
import { CloudhsmV2Hsm } from "@cdktf/provider-aws/lib/cloudhsm-v2-hsm";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { PrivateLinkNetwork } from "./private-link-network";
import { CLOUDHSM_PORTS } from "../../model/aws/hsm";

/** Properties of {@link CloudHsm}. */
export interface CloudHsmProps {
  /** Name tag of the cluster. */
  readonly name: string;
  /** The region's network: HSMs live in the data tier, clients in the workload tier. */
  readonly network: PrivateLinkNetwork;
  /** Encrypts the secret that holds the `kmsuser` password (the region's Secrets Manager key). */
  readonly secretsKey: KmsKey;
  /**
   * HSMs, each in its own AZ; KMS custom key stores need at least two active HSMs in different AZs.
   * All of them exist only once the cluster is activated (`activated`).
   * @default 2
   */
  readonly hsmCount?: number;
  /**
   * Whether the cluster has been initialized and activated (the operator's ceremony). Until then
   * CloudHSM refuses a second HSM ("already contains an HSM but has not yet been fully
   * activated", hashicorp/terraform-provider-aws#7437), so only the first is created; the others
   * are added once it is active (they start from the cluster's backup, with its users).
   * @default false
   */
  readonly activated?: boolean;
  /**
   * HSM type.
   * @default "hsm2m.medium"
   */
  readonly hsmType?: string;
  /**
   * Cluster mode; FIPS keeps the HSM in its FIPS 140-3 validated mode (PCI DSS 3.6.1).
   * @default "FIPS"
   */
  readonly mode?: "FIPS" | "NON_FIPS";
}

/**
 * A CloudHSM cluster for the tokenization key (PCI DSS 3.6.1, 3.7): HSMs in distinct AZs of the
 * data tier, reachable on the client ports from the workload tier only, protected from destroy.
 * One HSM until the cluster is activated, then all of them.
 *
 * Terraform creates the cluster uninitialized. Initialization (signing the CSR of the
 * `clusterCsr` output with the organisation's trust anchor), activation and the `kmsuser` crypto
 * user are an operator ceremony; see docs/deploy.md. The secret for the `kmsuser` password is created
 * here, empty: the operator writes the value during the ceremony, so it never passes through
 * Terraform's configuration.
 */
export class CloudHsm extends Construct {
  readonly cluster: CloudhsmV2Cluster;
  readonly hsms: readonly CloudhsmV2Hsm[];
  /** Holds the password of the `kmsuser` crypto user, which the custom key store needs once. */
  readonly kmsuserPasswordSecret: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: CloudHsmProps) {
    super(scope, id);
    const network = props.network;
    const azs = network.availabilityZoneIds;
    const count = props.hsmCount ?? 2;
    if (count < 2 || count > azs.length) {
      throw new Error(`CloudHsm ${props.name}: hsmCount must be between 2 and the number of AZs (${azs.length}), got ${count}; KMS needs two active HSMs in different AZs.`);
    }
    this.cluster = new CloudhsmV2Cluster(this, "Cluster", {
      hsmType: props.hsmType ?? "hsm2m.medium",
      mode: props.mode ?? "FIPS",
      subnetIds: network.subnets.data.map((s) => s.id),
      tags: { Name: props.name },
      lifecycle: { preventDestroy: true },
    });
    const hsmScope = new Construct(this, "Hsms");
    this.hsms = azs.slice(0, props.activated ? count : 1).map(
      (az, i) =>
        new CloudhsmV2Hsm(hsmScope, az, {
          clusterId: this.cluster.clusterId,
          subnetId: network.subnets.data[i].id,
          lifecycle: { preventDestroy: true },
        }),
    );
    this.kmsuserPasswordSecret = new SecretsmanagerSecret(this, "KmsuserPassword", {
      name: `${props.name}/cloudhsm/kmsuser-password`,
      description: `Password of the kmsuser crypto user of the ${props.name} CloudHSM cluster (value written during the ceremony, never by Terraform)`,
      kmsKeyId: props.secretsKey.arn,
      recoveryWindowInDays: 30,
    });
    // The cluster's security group is created by AWS with its own self rules; clients in the
    // workload tier are the only other source.
    const ingressScope = new Construct(this, "ClientsFromWorkloadTier");
    azs.forEach((az, i) => {
      new VpcSecurityGroupIngressRule(ingressScope, az, {
        securityGroupId: this.cluster.securityGroupId,
        description: `CloudHSM clients in the workload tier of ${az}`,
        ipProtocol: "tcp",
        fromPort: CLOUDHSM_PORTS.from,
        toPort: CLOUDHSM_PORTS.to,
        cidrIpv4: network.subnetCidrs.workload[i],
      });
    });
  }

  /** The certificate signing request to sign during initialization (known once the cluster exists). */
  get clusterCsr(): string {
    return this.cluster.clusterCertificates.get(0).clusterCsr;
  }
}
