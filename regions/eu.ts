import type { AwsRegionFile } from "../config/schema";

/** EU card processing: Dublin, with Frankfurt as the in-jurisdiction DR partner. */
const region: AwsRegionFile = {
  name: "eu",
  cloud: "aws",
  cloudRegion: "eu-west-1",
  jurisdiction: "EU",
  accountId: "111122223333",
  availabilityZoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
  drPartnerRegion: "eu-central-1",
  naming: { prefix: "acme-pay" },
  network: {
    vpcCidr: "10.10.0.0/16",
    subnets: {
      workload: ["10.10.0.0/19", "10.10.32.0/19", "10.10.64.0/19"],
      data: ["10.10.96.0/22", "10.10.100.0/22", "10.10.104.0/22"],
      endpoints: ["10.10.112.0/24", "10.10.113.0/24", "10.10.114.0/24"],
    },
  },
  stateBackend: {
    bucket: "acme-pay-tfstate-eu-111122223333",
    key: "regions/eu/terraform.tfstate",
    region: "eu-west-1",
    kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/0f6c2a8e-4b1d-4c7e-9a55-3e2d1f0b9c71",
  },
  paymentApi: {
    certificateArn: "arn:aws:acm:eu-west-1:111122223333:certificate/7d1e5b0a-2c4f-4e8a-b6d3-91a0c5e2f4b8",
    allowedPrincipals: ["arn:aws:iam::777788889999:root", "arn:aws:iam::222233334444:role/acquirer-eu-gateway"],
    partnerClientCidrs: ["172.16.0.0/16", "192.168.40.0/22"],
  },
  hsm: {
    // Advance only after the ceremony in docs/deploy.md has been done for this stage.
    stage: "cluster",
  },
  database: {
    backupRetentionDays: 35,
  },
  kafka: {
    scramUsers: ["payment-core", "fraud-engine"],
    topics: [
      { name: "payments.raw", partitions: 12, retentionHours: 168 },
      { name: "fraud.result", partitions: 12, retentionHours: 168 },
      { name: "payment-events", partitions: 24, retentionHours: 720 },
    ],
  },
  eks: {
    adminRoleArn: "arn:aws:iam::111122223333:role/platform-admin",
    deployRoleArn: "arn:aws:iam::111122223333:role/platform-deploy",
  },
  services: [
    {
      name: "payment-core",
      namespace: "payments",
      access: { auditWritePrefix: "payment-core/", database: true, kafka: { write: ["payments.raw", "payment-events"] } },
    },
    { name: "tokenization-service", namespace: "payments", access: { tokenizationKey: true, database: true } },
    { name: "payment-service", namespace: "payments" },
    { name: "fraud-engine", namespace: "fraud", access: { kafka: { read: ["payments.raw"], write: ["fraud.result"] } } },
    { name: "checkout-service", namespace: "checkout" },
    // A merchant tenant's connector, in its isolated namespace.
    { name: "storefront-connector", namespace: "merchant-12345" },
  ],
  mesh: {
    trustDomain: "eu.acme-pay.internal",
    // The platform's one root of trust (security account); the region gets an intermediate.
    rootCaArn: "arn:aws:acm-pca:eu-west-1:999900001111:certificate-authority/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    merchantNamespaces: ["merchant-12345"],
    // The only requests the mesh lets through; everything else is denied.
    calls: [
      { from: "checkout/checkout-service", to: "payments/payment-service", methods: ["POST"], paths: ["/v1/charge"] },
      { from: "payments/payment-service", to: "payments/payment-core", methods: ["POST"], paths: ["/v1/payments"] },
      { from: "payments/payment-core", to: "payments/tokenization-service", methods: ["POST"], paths: ["/tokenize"] },
      { from: "merchant-12345/storefront-connector", to: "checkout/checkout-service", methods: ["POST"], paths: ["/v1/checkout"] },
    ],
  },
  alerts: {
    // Security alerts: the on-call mailbox and the paging service.
    subscribers: [
      { protocol: "email", endpoint: "security-oncall-eu@acme.example" },
      { protocol: "https", endpoint: "https://events.pagerduty.example/integration/acme-pay-eu/enqueue" },
    ],
  },
  retention: {
    auditArchiveDays: 400,
    logDays: 400,
    coldStorageAfterDays: 90,
  },
  tags: {
    owner: "payments-platform@acme.example",
    dataClassification: "cardholder-data",
    pciScope: "cde",
  },
};

export default region;
