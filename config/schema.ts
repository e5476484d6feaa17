import { z } from "zod";
import { AURORA_POSTGRES_MAJOR_VERSIONS, CLOUDS, DEFAULT_ISTIO_VERSION, EKS_VERSIONS, GKE_VERSIONS, HTTP_METHODS, JURISDICTION_CODES, SERVICE_LINKED_ROLES, type ServiceLinkedRoleService } from "./catalog";

/**
 * The shape of a region file. Zod checks shape and format here; relations between fields
 * (an AZ belongs to the region, CIDRs nest and do not overlap, residency) are checked in
 * `rules/` (one file per concern), where each message can name the field and the fix.
 *
 * A custom message is written as `<problem> Fix: <what to do>`; the loader splits it.
 */

const awsArn = (what: string, example: string) =>
  z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/, {
    error: `must be ${what}. Fix: use a full ARN such as "${example}".`,
  });

const cidr = z.string().min(1, { error: "must be a CIDR block. Fix: use a block such as \"10.10.0.0/16\"." });

const roleArn = (what: string) =>
  z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, {
    error: `must be the ARN of an IAM role (${what}). Fix: e.g. "arn:aws:iam::111122223333:role/platform-admin".`,
  });

/** A Kubernetes name (RFC 1123 label): namespaces, service accounts, services. */
const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  error: 'must be a Kubernetes name: lowercase letters, digits and "-", at most 63 characters. Fix: e.g. "payment-core".',
});

/** One list entry per availability zone, in the order of `availabilityZoneIds`. */
const perAz = cidr.array();

/** The stages of the CloudHSM lifecycle, in order. */
export const HSM_STAGES = ["cluster", "keystore", "keys"] as const;
export type HsmStage = (typeof HSM_STAGES)[number];

/** Kafka topics the services need (the seeds: payments.raw, fraud.result, payment-events). */
const kafkaTopics = z
  .array(
    z.strictObject({
      /** The topic's name, e.g. `payments.raw` (auto-creation is off: only declared topics exist). */
      name: z.string(),
      /** Partitions of the topic. */
      partitions: z.number().int(),
      /** Copies of each partition (3: `min.insync.replicas=2` survives the loss of one). */
      replicationFactor: z.number().int().default(3),
      /** How long records are kept (hours). */
      retentionHours: z.number().int(),
    }),
  )
  .default([]);

/** What every region declares, whatever its cloud. */
const commonFields = {
  /** Short name; the stack is `region-<name>` and the file is `regions/<name>.ts`. */
  name: z.string().regex(/^[a-z][a-z0-9]{1,11}$/, {
    error: 'must be 2-12 lowercase letters or digits, starting with a letter. Fix: use e.g. "eu".',
  }),
  /** The provider's region name, e.g. `eu-west-1`. */
  cloudRegion: z.string().min(1),
  /** The legal area whose residency rules apply to every resource, replica and backup. */
  jurisdiction: z.enum(JURISDICTION_CODES),
  /**
   * Disaster-recovery partner region, inside the same jurisdiction. Required of an AWS region whose
   * jurisdiction lists another AWS region (config/jurisdictions.json); where it lists none (Singapore),
   * the region rests on its zones and its backups inside it.
   */
  drPartnerRegion: z.string().optional(),
  /** How globally unique names (buckets, load balancers) are built. */
  naming: z.strictObject({
    /** Prefix of every globally named resource (buckets): lowercase, short. */
    prefix: z.string().regex(/^[a-z][a-z0-9-]{1,11}$/, {
      error: 'must be 2-12 lowercase letters, digits or dashes. Fix: use e.g. "acme-pay".',
    }),
  }),
  /**
   * The services the region runs in its cluster. Each gets its namespace, a service account, a
   * private image repository, and, when it declares `access`, a cloud identity with exactly that
   * access.
   */
  services: z
    .array(
      z.strictObject({
        /** The service's name: its Kubernetes Service, its pods' `app` label, its image repository `<namespace>/<name>`. */
        name: k8sName,
        /** The namespace it runs in (not one the platform owns). */
        namespace: k8sName,
        /** Defaults to the service's name. */
        serviceAccount: k8sName.optional(),
        /** The port its Kubernetes Service serves HTTP on (where the partner gateway sends the partners' requests). */
        port: z.int({ error: "must be a whole port number. Fix: e.g. 8080." }).min(1).max(65535, { error: "must be a port (1-65535). Fix: e.g. 8080." }).default(8080),
        /**
         * Cloud access of the service's pods, nothing when omitted: on AWS an EKS Pod Identity role,
         * on GCP a Workload Identity service account, each with exactly this access.
         */
        access: z
          .strictObject({
            /** Write audit records to the archive under this prefix, e.g. "payment-core/". */
            auditWritePrefix: z.string().regex(/^[a-z0-9][a-z0-9-]*\/$/, { error: 'must be a folder-like prefix. Fix: e.g. "payment-core/".' }).optional(),
            /** Encrypt and decrypt with the tokenization key (all its generations). */
            tokenizationKey: z.boolean().default(false),
            /**
             * Log in to the region's database as itself, with IAM database authentication (no
             * password): a database user named after the service (AWS) or its Workload Identity
             * account (GCP). What it may read and write is granted in SQL (docs/deploy.md).
             */
            database: z.boolean().default(false),
            /** Kafka topics, through IAM auth. */
            kafka: z
              .strictObject({
                /** Topics it consumes (declared in `kafka.topics`). */
                read: z.array(z.string()).default([]),
                /** Topics it produces to (declared in `kafka.topics`). */
                write: z.array(z.string()).default([]),
              })
              .prefault({}),
          })
          .optional(),
      }),
    )
    .default([]),
  /**
   * The Istio mesh in the region's cluster (stacks `region-<name>-istio` and `region-<name>-mesh`).
   * mTLS is STRICT everywhere and every workload namespace denies by default: the only requests
   * that pass are the `calls` declared here.
   */
  mesh: z.strictObject({
    /** Istio release, pinned (config/catalog.ts lists the supported minors). */
    istioVersion: z
      .string()
      .regex(/^1\.\d+\.\d+$/, { error: `must be an Istio release "1.<minor>.<patch>". Fix: e.g. "${DEFAULT_ISTIO_VERSION}".` })
      .default(DEFAULT_ISTIO_VERSION),
    /**
     * The SPIFFE trust domain of the region's workloads: principals are
     * `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`.
     */
    trustDomain: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, {
      error: 'must be a DNS-like trust domain (lowercase letters, digits, dashes, dots). Fix: e.g. "eu.acme-pay.internal".',
    }),
    /**
     * Namespaces of merchant tenants (seeds: `merchant-12345`): in the mesh, labelled
     * `isolation: "true"`, and closed by NetworkPolicies to everything but the mesh's own traffic
     * and the declared calls.
     */
    merchantNamespaces: z.array(k8sName).default([]),
    /**
     * The platform's one root CA in AWS Private CA (held by the security team, shared with the
     * region's account). The region gets an intermediate signed by it, so that workloads of every
     * region chain to one root. AWS regions only, for now.
     */
    rootCaArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]+$/, { error: 'must be an ACM PCA certificate authority ARN. Fix: e.g. "arn:aws:acm-pca:eu-west-1:999900001111:certificate-authority/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b".' })
      .optional(),
    /**
     * GCP: the platform root's certificate (public PEM), the root mesh.rootCaArn names. The
     * region's intermediate in CA Service is activated with it as its issuer chain, and istio-csr
     * hands it to every workload as the trust anchor. AWS regions read the chain from ACM PCA.
     */
    rootCertificate: z.string().optional(),
    /**
     * GCP: the region's intermediate, as the platform root signed it at the CA ceremony (public
     * PEM). Leave it out on the first deploy: `region-<name>` then creates the intermediate in CA
     * Service awaiting activation; the operator fetches its CSR, the root's custodians sign it
     * within 30 days (CA Service deletes a CA left unactivated longer; docs/deploy.md), and the
     * next deploy activates and enables the CA with this certificate.
     */
    intermediateCertificate: z.string().optional(),
    /**
     * AWS: for each region this region's services call (its trust domain), that region's east-west
     * endpoint service (its `region-<name>` output `east_west_endpoint_service`): the calls' path
     * starts at an interface endpoint of it in this VPC. Set once the callee's region is deployed;
     * until then the calls are declared but have no path (the report says so).
     */
    eastWestEndpointServices: z
      .record(
        z.string(),
        z.string().regex(/^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[0-9a-f]{17}$/, { error: 'must be an endpoint service name. Fix: copy the callee region\'s output east_west_endpoint_service, e.g. "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0".' }),
      )
      .default({}),
    /**
     * Set on a cluster whose AWS PCA issuer was installed before the pki stack applied the issuer's
     * CRDs itself (Helm installed them from the chart): the stack then imports the two CRDs into
     * its state in the plan (Terraform `import` blocks) instead of failing to create objects that
     * exist. Leave false on a new cluster, where there is nothing to import. Needs `rootCaArn`.
     * @default false
     */
    adoptHelmInstalledPkiCrds: z.boolean().default(false),
    /**
     * Who may call whom: the only requests the mesh lets through. `from` is a caller's identity
     * `<namespace>/<serviceAccount>`; `to` a declared service `<namespace>/<name>`.
     */
    calls: z
      .array(
        z.strictObject({
          /** The caller's identity, `<namespace>/<serviceAccount>`. */
          from: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, { error: 'must be "<namespace>/<serviceAccount>". Fix: e.g. "payments/payment-core".' }),
          /** The called service, `<namespace>/<name>`. */
          to: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, { error: 'must be "<namespace>/<service>". Fix: e.g. "payments/tokenization-service".' }),
          /** The HTTP methods the caller may use, each once. */
          methods: z.array(z.enum(HTTP_METHODS)).min(1, { error: 'is empty. Fix: name the HTTP methods of the call, e.g. ["POST"].' }),
          /** The paths it may call: exact (`/tokenize`), a prefix (`/v1/charges/*`) or a suffix (`*\/status`); never every path. */
          paths: z.array(z.string()).min(1, { error: 'is empty. Fix: name the paths of the call, e.g. ["/tokenize"].' }),
          /**
           * For a caller in another region: that region's trust domain (its principal is
           * `<fromTrustDomain>/ns/<namespace>/sa/<serviceAccount>`). The regions share one root of
           * trust; the config rules check the caller exists there and the jurisdictions.
           * @default this region's trust domain
           */
          fromTrustDomain: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, { error: 'must be a trust domain. Fix: e.g. "eu.acme-pay.internal".' }).optional(),
          /**
           * Whether the call can carry cardholder data. A call between regions of different
           * jurisdictions is allowed only when this is false.
           * @default true
           */
          cardholderData: z.boolean().default(true),
        }),
      )
      .default([]),
  }),
  /**
   * The partners' way in (PCI DSS 1.3, 4.2, 6.4, 8.3): an Istio ingress gateway behind the partner
   * API's private endpoint that ends the partners' mutual TLS, accepts only each partner's own CA
   * and identities on its own host name, lets it call only its routes, at its rate, and refuses
   * oversized, non-JSON or malformed bodies before they reach a service. Every partner route is a
   * call of the mesh's call graph from `edge/<partner>`.
   */
  edge: z
    .strictObject({
      /**
       * The partner API's DNS domain: partner `<name>` connects with the TLS server name (SNI)
       * `<name>.<host>`, which selects its CA, its identities and its routes.
       */
      host: z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: 'must be a DNS name. Fix: e.g. "api.eu.acme-pay.example".' }),
      /** The largest request body the gateway accepts, in bytes (larger ones are refused with 413). */
      maxRequestBytes: z.int({ error: "must be a whole number of bytes. Fix: e.g. 65536." }).min(1024, { error: "is below 1 KiB. Fix: e.g. 65536." }).max(1048576, { error: "is above 1 MiB (the gateway buffers each body to check it). Fix: e.g. 65536." }).default(65536),
      /** The ceiling of every partner's requests together, per second: the partners' rates may add up to at most this. */
      requestsPerSecond: z.int({ error: "must be a whole number. Fix: e.g. 500." }).min(1, { error: "must be at least 1. Fix: e.g. 500." }).default(500),
      /** Replicas of the gateway (at least 2, spread over zones; fixed: the partners' rates are divided among them). */
      replicas: z.int({ error: "must be a whole number. Fix: e.g. 3." }).min(2, { error: "is below 2: one replica is a single point of failure. Fix: 2 or more." }).default(3),
      /** The partners, each once. */
      partners: z
        .array(
          z.strictObject({
            /** The partner's name: its host `<name>.<host>`, the caller `edge/<name>` of the call graph. */
            name: z.string().regex(/^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, { error: 'must be a DNS label of at most 32 characters. Fix: e.g. "acquirer-eu".' }),
            /** The CA certificates (public PEM) that issue the partner's client certificates; any other CA is refused. */
            caBundle: z.string().min(1, { error: "is empty. Fix: paste the partner's client CA certificate(s), PEM." }),
            /** The subject alternative names its client certificates may carry (exact, no wildcard). */
            identities: z.array(z.string().min(1)).min(1, { error: 'is empty. Fix: name the SANs of the partner\'s client certificates, e.g. ["gateway.acquirer-eu.example"].' }),
            /** Its requests per second, across the gateway's replicas (each enforces its share, rounded up). */
            requestsPerSecond: z.int({ error: "must be a whole number. Fix: e.g. 50." }).min(1, { error: "must be at least 1. Fix: e.g. 50." }),
            /** What it may call: the service, its methods and paths (as in mesh.calls). */
            routes: z
              .array(
                z.strictObject({
                  /** The called service, `<namespace>/<name>`. */
                  to: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, { error: 'must be "<namespace>/<service>". Fix: e.g. "payments/payment-service".' }),
                  /** The HTTP methods it may use on them, each once. */
                  methods: z.array(z.enum(HTTP_METHODS)).min(1, { error: 'is empty. Fix: name the HTTP methods, e.g. ["POST"].' }),
                  /** The paths: exact (`/v1/notifications`), a prefix (`/v1/refunds/*`) or a suffix; never every path. */
                  paths: z.array(z.string()).min(1, { error: 'is empty. Fix: name the paths, e.g. ["/v1/notifications"].' }),
                }),
              )
              .min(1, { error: "is empty. Fix: give the partner at least one route; a partner with none cannot call anything." }),
          }),
        )
        .min(1, { error: "lists no partner. Fix: declare at least one partner, or remove edge." }),
    })
    .optional(),
  /**
   * Who is told when a security control fails or a threat is found (PCI DSS 10.4.1, 10.7.2,
   * 12.10.5): the region's security topic (AWS) or notification channels (GCP).
   */
  alerts: z.strictObject({
    /**
     * The recipients, at least one: an on-call mailbox (`email`, confirmed by its recipient once)
     * or an incident tool's HTTPS endpoint (`https`, e.g. the paging service's SNS integration URL).
     */
    subscribers: z
      .array(
        z.discriminatedUnion(
          "protocol",
          [
            z.strictObject({
              protocol: z.literal("email"),
              /** The mailbox. */
              endpoint: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { error: 'must be an email address. Fix: e.g. "security-oncall@acme.example".' }),
            }),
            z.strictObject({
              protocol: z.literal("https"),
              /** The endpoint's URL (plain HTTP is refused: alerts name resources and principals). */
              endpoint: z.string().regex(/^https:\/\/[^\s/]+(\/\S*)?$/, { error: 'must be an https:// URL. Fix: e.g. "https://events.pagerduty.example/integration/abc123/enqueue".' }),
            }),
          ],
          { error: 'must have protocol "email" or "https". Fix: e.g. { protocol: "email", endpoint: "security-oncall@acme.example" }.' },
        ),
      )
      .min(1, { error: 'is empty: an alert nobody receives is no alert. Fix: add e.g. { protocol: "email", endpoint: "security-oncall@acme.example" }.' }),
  }),
  /** How long evidence is kept (PCI DSS 10.5.1: at least 365 days). */
  retention: z.strictObject({
    /** Object Lock COMPLIANCE default retention of the audit archive (days). */
    auditArchiveDays: z.number().int(),
    /** CloudWatch log groups (flow logs, later EKS/MSK/RDS logs), in CloudWatch's allowed values. */
    logDays: z.number().int(),
    /** Age at which audit objects move to colder storage. */
    coldStorageAfterDays: z.number().int().default(90),
  }),
  /** Default tags of every resource. */
  tags: z.strictObject({
    /** Accountable team or mailbox. */
    owner: z.string().min(3, { error: "is empty. Fix: name the accountable team or mailbox." }),
    /** The most sensitive data the region holds. */
    dataClassification: z.enum(["cardholder-data", "sensitive-authentication-data", "internal"]),
    /** PCI DSS scope of the region's resources. */
    pciScope: z.enum(["cde", "connected-to-cde", "out-of-scope"]),
  }),
};

/** An EKS managed node group's size and machines. */
const eksNodeGroup = z.strictObject({
  /** EC2 instance types of the nodes. */
  instanceTypes: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'must be an EC2 instance type. Fix: e.g. "m6i.large".' })).min(1).default(["m6i.large"]),
  /** At least one node per AZ. */
  minSize: z.number().int().default(3),
  /** Nodes to start with. */
  desiredSize: z.number().int().default(3),
  /** The most nodes the group scales to. */
  maxSize: z.number().int().default(6),
  /** Root volume (GiB), encrypted with the ebs key. */
  diskGiB: z.number().int().default(50),
});

/** A region on AWS: stacks `region-<name>` (AWS provider only), `-istio` and `-mesh` on EKS. */
export const AwsRegionSchema = z.strictObject({
  /** The cloud the region runs on. */
  cloud: z.literal("aws"),
  ...commonFields,
  /** The only account this region's stacks may be applied to (`allowed_account_ids`). */
  accountId: z
    .string({ error: 'must be a 12-digit AWS account id, as a string. Fix: write it in quotes, e.g. accountId: "123456789012".' })
    .regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id. Fix: e.g. accountId: "123456789012".' }),
  /**
   * Service-linked roles the account has already (an earlier Auto Scaling group or the console
   * created them), by service, e.g. `["autoscaling.amazonaws.com"]`: the stack names them without
   * creating them. Leave empty on a new account: the stack creates each before the key policies
   * that name it (KMS refuses a policy naming a role that does not exist yet). Check with
   * `aws iam get-role --role-name AWSServiceRoleForAutoScaling`. An account has one such role:
   * when two regions share an account, the one deployed second lists it here.
   */
  existingServiceLinkedRoles: z
    .array(z.enum(Object.keys(SERVICE_LINKED_ROLES) as [ServiceLinkedRoleService, ...ServiceLinkedRoleService[]]))
    .default([]),
  /**
   * Threat detection the account has already in `cloudRegion` (an organization's GuardDuty or
   * Security Hub administrator may enable both in member accounts): the stack adopts them with
   * Terraform import blocks instead of failing to create a second (one detector and one hub per
   * account and region). Leave empty on a new account.
   */
  existingDetection: z
    .strictObject({
      /** The detector's id, `aws guardduty list-detectors`. */
      guardDutyDetectorId: z
        .string()
        .regex(/^[0-9a-f]{32}$/, { error: 'must be a GuardDuty detector id (32 hex characters). Fix: copy it from `aws guardduty list-detectors`, e.g. "12abc34d567e8fa901bc2d34e56789f0".' })
        .optional(),
      /** True where Security Hub is enabled already (`aws securityhub describe-hub` answers). */
      securityHub: z.boolean().default(false),
    })
    .prefault({}),
  /**
   * At least three availability zone IDs of `cloudRegion` (e.g. `euw1-az1`; `aws ec2
   * describe-availability-zones` lists them): everything zonal is placed by ID, which names the
   * same physical zone in every account (a zone name does not). Every tier has one subnet in each.
   */
  availabilityZoneIds: z.array(z.string()).min(1),
  /** The VPC and its subnet plan. */
  network: z.strictObject({
    /** The VPC's block, /16 to /24, distinct from every other region's. */
    vpcCidr: cidr,
    /** One block per availability zone and tier, in the order of `availabilityZoneIds`, inside the VPC block. */
    subnets: z.strictObject({
      /** EKS nodes and pods. The only tier with a route to S3 (gateway endpoint). */
      workload: perAz,
      /** Aurora, MSK, CloudHSM: reachable only from the workload tier. */
      data: perAz,
      /** Interface VPC endpoints and the partner-facing NLB. */
      endpoints: perAz,
    }),
    /** Interface endpoints beyond the default set (service suffixes like `ssm`; not `s3`, which has the gateway endpoint). */
    extraInterfaceEndpoints: z.array(z.string().regex(/^[a-z0-9.-]+$/)).default([]),
  }),
  /**
   * The DR partner region's network, where `kafka.mirrorTopics` mirrors into it: a VPC with one
   * data subnet per zone (the mirror's brokers and the replicator's interfaces), no route out.
   */
  drNetwork: z
    .strictObject({
      /** The VPC's block, /16 to /24, distinct from every region's and every other DR network's. */
      vpcCidr: cidr,
      /** Three or more zone IDs of `drPartnerRegion` (e.g. `euc1-az1`). */
      availabilityZoneIds: z.array(z.string()).min(1),
      /** One block per zone, in the order of `availabilityZoneIds`, inside `vpcCidr`. */
      data: perAz,
    })
    .optional(),
  /** Where Terraform state lives (created before the first deploy, inside the jurisdiction). */
  stateBackend: z.strictObject({
    /** State bucket name. */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
      error: "must be an S3 bucket name. Fix: use 3-63 lowercase letters, digits, dots or dashes.",
    }),
    /** Object key of this region's state, unique per region. */
    key: z.string().min(1),
    /** Region of the state bucket. */
    region: z.string().min(1),
    /** The CMK that encrypts the state objects (state holds resource attributes). */
    kmsKeyArn: awsArn("a KMS key ARN", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
  }),
  /** The partner-facing payment API (PrivateLink endpoint service). */
  paymentApi: z.strictObject({
    // (No certificate here: the partners' TLS passes the NLB and ends at the partner gateway, whose
    // server certificates the region's intermediate issues: edge.)
    /** IAM principals (partner accounts or roles) allowed to create endpoints to the API. */
    allowedPrincipals: z.array(awsArn("an IAM principal ARN", "arn:aws:iam::210987654321:root")).min(1, {
      error: "lists no partner. Fix: name at least one partner principal ARN; the endpoint service is useless without one.",
    }),
    /**
     * Source ranges of the partners' clients. PrivateLink traffic reaches the NLB with these
     * addresses, so the NLB's security group and its subnets' NACL admit them (TCP 443) and nothing
     * else.
     */
    partnerClientCidrs: z.array(cidr).min(1, {
      error: "is empty. Fix: list the address ranges the partners connect from (ask each partner), e.g. \"172.16.0.0/16\".",
    }),
  }),
  /** CloudHSM for the tokenization key. */
  hsm: z
    .strictObject({
      /**
       * Lifecycle stage; advance one stage at a time, each after its ceremony (docs/deploy.md, CloudHSM ceremony).
       * "cluster": the cluster and its HSMs, awaiting initialization.
       * "keystore": adds the KMS custom key store on the initialized, activated cluster.
       * "keys": adds the tokenization key in the connected key store and moves its alias there.
       */
      stage: z.enum(HSM_STAGES).default("cluster"),
      /** HSMs, each in its own AZ (2 or more). */
      count: z.number().int().default(2),
      /** HSM type. */
      type: z.string().default("hsm2m.medium"),
      /**
       * The trust anchor: PEM of `customerCA.crt`, the CA certificate that signed the cluster's CSR
       * at initialization. Public, not a secret. Required from stage "keystore".
       */
      trustAnchorCertificate: z
        .string()
        .transform((pem) => pem.replace(/\r\n/g, "\n"))
        .optional(),
      /**
       * Generation of the HSM-backed tokenization key (stage "keys"). Keys in a custom key store
       * cannot rotate automatically: raising this creates the next key and moves the alias to it,
       * keeping the earlier ones for decryption (docs/deploy.md, manual rotation).
       */
      tokenizationKeyGeneration: z.number().int().default(1),
    })
    .prefault({}),
  /** Aurora PostgreSQL (tokens and payment records). */
  database: z.strictObject({
    /**
     * Aurora PostgreSQL major version. Only the major is pinned: RDS picks the minor at creation and
     * applies minor upgrades in the maintenance window (security patches, PCI DSS 6.3.3); a pinned
     * minor would make the next plan try to downgrade after one.
     */
    engineVersion: z.enum(AURORA_POSTGRES_MAJOR_VERSIONS, { error: `must be a major version the blueprint supports. Fix: one of ${AURORA_POSTGRES_MAJOR_VERSIONS.map((v) => `"${v}"`).join(", ")} (the major only, e.g. "16").` }).default("16"),
    /** Instance class of every instance. */
    instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'must be an RDS instance class. Fix: e.g. "db.r6g.large".' }).default("db.r6g.large"),
    /** Instances, one per AZ (2 or more, at most the number of AZs). */
    instances: z.number().int().default(2),
    /** Days of automated backups (7 to 35). */
    backupRetentionDays: z.number().int(),
  }),
  /** Amazon MSK (payment events). */
  kafka: z.strictObject({
    /** Brokers: a multiple of the AZ count, at least 3 (default: one per AZ). */
    brokers: z.number().int().optional(),
    /** Kafka version, pinned. */
    kafkaVersion: z.string().default("3.6.0"),
    /** Broker instance type. */
    instanceType: z.string().regex(/^kafka\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'must be an MSK instance type. Fix: e.g. "kafka.m5.large".' }).default("kafka.m5.large"),
    /** SASL/SCRAM users; each gets an `AmazonMSK_` secret under the kafka key. */
    scramUsers: z.array(z.string()).default([]),
    /**
     * Set to true once an operator has written every SCRAM secret's value (docs/deploy.md, step 4): only then are
     * the secrets associated with the cluster (MSK rejects an empty secret).
     */
    scramSecretsReady: z.boolean().default(false),
    /** Topics the services need (the seeds: payments.raw, fraud.result, payment-events). */
    topics: kafkaTopics,
    /**
     * Declared topics mirrored into the DR partner region (stack `region-<name>-dr`: an MSK
     * Replicator into a cluster there, under the partner's keys, in a VPC of its own with no
     * internet path). Needs `drPartnerRegion` and `drNetwork`. @default none
     */
    mirrorTopics: z.array(z.string()).default([]),
  }),
  /** The region's EKS cluster. */
  eks: z.strictObject({
    /** Kubernetes version, pinned; one in AWS standard support (config/catalog.ts). */
    version: z.enum(EKS_VERSIONS).default("1.35"),
    /** Role of the platform administrators: cluster admin through an access entry. */
    adminRoleArn: roleArn("platform administrators"),
    /** Role the deploy pipeline assumes: cluster admin through an access entry (it installs the mesh). */
    deployRoleArn: roleArn("deploy pipeline"),
    /** The managed node group, spread over the workload subnets of every AZ. */
    nodes: eksNodeGroup.prefault({}),
    /**
     * The merchants' own node group, where the region has merchant namespaces: tainted and labelled
     * so that only merchants' pods run there (and they nowhere else), in a security group with no
     * path to the data tier. Same shape as `nodes`.
     */
    merchantNodes: eksNodeGroup.prefault({}),
  }),
});

/** A GKE node pool's machines and size. */
const gkeNodePool = z.strictObject({
  /** Compute Engine machine type of the nodes. */
  machineType: z.string().regex(/^[a-z][a-z0-9]*-[a-z]+-\d+$/, { error: 'must be a Compute Engine machine type. Fix: e.g. "n2-standard-4".' }).default("n2-standard-4"),
  /** Nodes per zone. */
  minPerZone: z.number().int().default(1),
  /** The most nodes per zone the pool scales to. */
  maxPerZone: z.number().int().default(3),
  /** Boot disk (GB), encrypted with the disks key. */
  diskGb: z.number().int().default(100),
});

/** A GCP project id. */
const projectId = z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
  error: 'must be a GCP project id: 6-30 lowercase letters, digits or dashes, starting with a letter. Fix: e.g. "acme-pay-apac-prod".',
});

/** A Cloud KMS key's resource name. */
const kmsKeyName = z.string().regex(/^projects\/[a-z][a-z0-9-]+\/locations\/[a-z0-9-]+\/keyRings\/[\w-]+\/cryptoKeys\/[\w-]+$/, {
  error: 'must be a Cloud KMS key name. Fix: e.g. "projects/acme-pay-apac-prod/locations/asia-southeast1/keyRings/tfstate/cryptoKeys/tfstate".',
});

/** A GKE version the blueprint accepts (config/catalog.ts). */
const gkeVersion = z.enum(GKE_VERSIONS);

/**
 * A region on Google Cloud: stacks `region-<name>` (google provider only), `-istio` and `-mesh` on
 * GKE. The same contract as AWS with Google's services: Cloud KMS (HSM protection), a VPC with
 * Private Service Connect, GKE, Managed Service for Apache Kafka, Cloud SQL for PostgreSQL, GCS.
 */
export const GcpRegionSchema = z.strictObject({
  /** The cloud the region runs on. */
  cloud: z.literal("gcp"),
  ...commonFields,
  /** The only project this region's stacks may be applied to (the provider's `project`). */
  projectId,
  /**
   * The project's number. Google's service agents (`service-<number>@gcp-sa-...`) are named after
   * it, and the stack must plan with no credentials, so it comes from here, not a data source.
   */
  projectNumber: z.string().regex(/^\d{6,19}$/, { error: 'must be the project number (digits), as a string. Fix: e.g. "123456789012" (gcloud projects describe <id>).' }),
  /** At least three zones of `cloudRegion`; node pools, the database's HA pair and Kafka spread over them. */
  zones: z.array(z.string()).min(1),
  /** The VPC's address plan: subnets are regional on GCP, one per tier. */
  network: z.strictObject({
    /** Nodes and internal load balancers (primary range of the workload subnet). */
    workloadCidr: cidr,
    /** Pods (secondary range of the workload subnet). */
    podsCidr: cidr,
    /** Kubernetes services (secondary range of the workload subnet). */
    servicesCidr: cidr,
    /** Data tier: the PSC endpoints of Cloud SQL and of Managed Kafka. */
    dataCidr: cidr,
    /** NAT range of the partner API's PSC service attachment (purpose PRIVATE_SERVICE_CONNECT). */
    pscNatCidr: cidr,
    /** The GKE control plane's private range, a /28 outside every other range. */
    controlPlaneCidr: cidr,
    /** Internal address of the PSC endpoint for Google APIs, outside every subnet. */
    googleApisAddress: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, { error: 'must be an IPv4 address. Fix: e.g. "10.30.255.254".' }),
  }),
  /** Where Terraform state lives (a GCS bucket created before the first deploy, inside the jurisdiction). */
  stateBackend: z.strictObject({
    /** State bucket name. */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, { error: "must be a GCS bucket name. Fix: use 3-63 lowercase letters, digits, dots, dashes or underscores." }),
    /** Object prefix of this region's state, unique per region. */
    prefix: z.string().min(1),
    /** Location of the state bucket (a region of the jurisdiction). */
    region: z.string().min(1),
    /** The Cloud KMS key that encrypts the state objects (the backend's `kms_encryption_key`). */
    kmsKeyName,
  }),
  /** The partner-facing payment API: a PSC service attachment with an accept list. */
  paymentApi: z.strictObject({
    /** Partner projects (id or number) allowed to connect, each with a connection limit; connections need acceptance. */
    consumerAcceptList: z
      .array(
        z.strictObject({
          /** The partner's project id or number. */
          project: z.string().regex(/^([a-z][a-z0-9-]{4,28}[a-z0-9]|\d{6,19})$/, { error: "must be a project id or number. Fix: name the partner's project." }),
          /** How many endpoints of that project may connect (1 to 100). */
          connectionLimit: z.number().int().default(10),
        }),
      )
      .min(1, { error: "lists no partner. Fix: name at least one partner project; the service attachment is useless without one." }),
  }),
  /**
   * Whether the audit archive's retention policy (and its access-log bucket's) is locked. A GCS lock
   * is irreversible from the moment it is applied: leave this false for the first deploy, check the
   * buckets and their retention, then set it true and deploy again (the region's report warns
   * until then).
   */
  auditArchiveLocked: z.boolean().default(false),
  /**
   * A VPC Service Controls perimeter around the project's data services, when the organisation has
   * an access policy (created outside the region: it is organisation-wide).
   */
  vpcServiceControls: z
    .strictObject({
      /** `accessPolicies/<number>`. */
      accessPolicy: z.string().regex(/^accessPolicies\/\d+$/, { error: 'must be "accessPolicies/<number>". Fix: gcloud access-context-manager policies list.' }),
      /**
       * Whether the perimeter is enforced. Leave false for the first deploy: the perimeter is then a
       * dry-run spec that only logs what it would deny (enforced in the same apply, it could lock the
       * deploy identity out of the state bucket and the APIs half-way). Set true once the dry-run
       * logs show no violation the platform needs; the enforced perimeter waits for every service it protects.
       */
      enforced: z.boolean().default(false),
      /** The access level of the deploy runners' network (`accessPolicies/<n>/accessLevels/<name>`): the deploy identity enters from there only. */
      deployAccessLevel: z.string().regex(/^accessPolicies\/\d+\/accessLevels\/\w+$/, { error: 'must be "accessPolicies/<n>/accessLevels/<name>". Fix: create an access level for the runners\' network (gcloud access-context-manager levels create).' }),
      /** Break-glass: the identities (e.g. `group:platform-breakglass@...`) that may enter from their access level when the perimeter blocks the deploy path. */
      breakGlass: z.strictObject({
        /** `accessPolicies/<n>/accessLevels/<name>` of the break-glass workstations. */
        accessLevel: z.string().regex(/^accessPolicies\/\d+\/accessLevels\/\w+$/, { error: 'must be "accessPolicies/<n>/accessLevels/<name>". Fix: the access level of the break-glass workstations.' }),
        /** Who may use it (`user:`, `group:` or `serviceAccount:` members). */
        identities: z.array(z.string().regex(/^(user|group|serviceAccount):.+@.+$/, { error: 'must be an IAM member such as "group:breakglass@example.com".' })).min(1),
      }),
    })
    .optional(),
  /** Cloud KMS: one HSM-protected key per purpose in the region's key ring. */
  kms: z
    .strictObject({
      /** Days between automatic rotations (1 to 365; PCI DSS 3.7.4 cryptoperiod). */
      rotationDays: z.number().int().default(90),
      /**
       * Cloud Logging's key service account, as `gcloud logging settings describe` shows it
       * (`kmsServiceAccountId`); it varies with the project's age and organisation.
       * @default `service-<projectNumber>@gcp-sa-logging.iam.gserviceaccount.com`
       */
      loggingServiceAccount: z.string().regex(/^[a-z0-9-]+@[a-z0-9-]+\.iam\.gserviceaccount\.com$/, { error: "must be a service account email. Fix: copy kmsServiceAccountId from gcloud logging settings describe." }).optional(),
    })
    .prefault({}),
  /** Cloud SQL for PostgreSQL (tokens and payment records), regional (HA across two zones). */
  database: z.strictObject({
    /** PostgreSQL major version, pinned. */
    engineVersion: z.enum(["POSTGRES_15", "POSTGRES_16", "POSTGRES_17"]).default("POSTGRES_16"),
    /** Machine tier. */
    tier: z.string().regex(/^db-custom-\d+-\d+$/, { error: 'must be a Cloud SQL Enterprise tier (db-custom-<vCPUs>-<MiB>). Fix: e.g. "db-custom-2-7680".' }).default("db-custom-2-7680"),
    /** Disk size (GB); grows automatically. */
    diskGb: z.number().int().default(100),
    /** Days of automated backups (7 to 365). */
    backupRetentionDays: z.number().int(),
  }),
  /**
   * Managed Service for Apache Kafka (payment events). TLS is always on and clients authenticate
   * with IAM (Workload Identity) or mTLS: there is no SASL/SCRAM, so there are no SCRAM users.
   */
  kafka: z.strictObject({
    /** vCPUs of the cluster (3 or more, spread over the zones). */
    vcpuCount: z.number().int().default(3),
    /** Memory in GiB (1 to 8 per vCPU). */
    memoryGiB: z.number().int().default(12),
    /** Not on GCP: Managed Kafka has no SASL/SCRAM. */
    scramUsers: z
      .undefined({ error: "Managed Service for Apache Kafka has no SASL/SCRAM: clients authenticate with IAM (Workload Identity) or mTLS. Fix: remove scramUsers and give each service access.kafka instead." })
      .optional(),
    /** Not on GCP yet: the blueprint mirrors topics with MSK Replicator, between AWS regions. */
    mirrorTopics: z
      .undefined({ error: "topics are mirrored into a DR partner on AWS only (MSK Replicator); a GCP region has no DR partner in the blueprint. Fix: remove mirrorTopics." })
      .optional(),
    topics: kafkaTopics,
  }),
  /** The region's GKE cluster (private, Workload Identity, Dataplane V2). */
  gke: z.strictObject({
    /** Kubernetes minor version, pinned as the minimum (config/catalog.ts). */
    version: gkeVersion.default("1.35"),
    /**
     * The service account the deploy pipeline's runners run as (inside the VPC, in an authorized
     * network): the firewall lets them reach the control plane and Google APIs on 443.
     */
    deployServiceAccount: z.string().regex(/^[a-z0-9-]+@[a-z0-9-]+\.iam\.gserviceaccount\.com$/, { error: 'must be a service account email. Fix: e.g. "deploy-runner@acme-pay-apac-prod.iam.gserviceaccount.com".' }),
    /** Networks allowed to reach the private control plane (deploy runners, bastion). */
    masterAuthorizedNetworks: z
      .array(
        z.strictObject({
          /** What the network is, e.g. "deploy-runners". */
          name: z.string().min(1),
          /** Its private range. */
          cidr,
        }),
      )
      .min(1, { error: "is empty. Fix: name the networks the deploy pipeline reaches the cluster from (inside the VPC or connected to it)." }),
    /** Node pools: one per zone's worth of nodes, autoscaled. */
    nodes: gkeNodePool.prefault({}),
    /**
     * The merchants' own node pool, where the region has merchant namespaces: tainted and labelled
     * so that only merchants' pods run there, under a service account of its own that no firewall
     * rule lets reach the data tier. Same shape as `nodes`.
     */
    merchantNodes: gkeNodePool.prefault({}),
  }),
});

/** Every region file is one of the clouds' schemas, chosen by `cloud`. */
export const RegionSchema = z.discriminatedUnion("cloud", [AwsRegionSchema, GcpRegionSchema], {
  error: `is not a cloud the blueprint builds. Fix: set cloud to one of ${CLOUDS.map((c) => `"${c}"`).join(", ")}.`,
});

/** What a region file declares (defaults may be omitted). */
export type RegionFile = z.input<typeof RegionSchema>;
/** What an AWS region file declares. */
export type AwsRegionFile = z.input<typeof AwsRegionSchema>;
/** What a GCP region file declares. */
export type GcpRegionFile = z.input<typeof GcpRegionSchema>;
/** A validated region, with defaults applied. */
export type RegionConfig = z.output<typeof RegionSchema>;
/** A validated AWS region. */
export type AwsRegionConfig = z.output<typeof AwsRegionSchema>;
/** A validated GCP region. */
export type GcpRegionConfig = z.output<typeof GcpRegionSchema>;
/** Names of the subnet tiers, in a fixed order. */
export const SUBNET_TIERS = ["workload", "data", "endpoints"] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];
/** One recipient of a region's security alerts (`alerts.subscribers`). */
export type AlertSubscriber = RegionConfig["alerts"]["subscribers"][number];
