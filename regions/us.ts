import type { AwsRegionFile } from "../config/schema";

/** US card processing: North Virginia. No DR partner declared yet. */
/** acquirer-us's client CA (public certificate; an example partner). */
const ACQUIRER_CA = `-----BEGIN CERTIFICATE-----
MIICBTCCAaugAwIBAgIUBEUDPNeDPjZgVghJ0KSze0JgjuAwCgYIKoZIzj0EAwIw
UDEkMCIGA1UECgwbRXhhbXBsZSBwYXJ0bmVyIGFjcXVpcmVyLXVzMSgwJgYDVQQD
DB9hY3F1aXJlci11cyBjbGllbnQgQ0EgKGV4YW1wbGUpMB4XDTI2MTIwMzA1MTIy
M1oXDTM2MTEzMDA1MTIyM1owUDEkMCIGA1UECgwbRXhhbXBsZSBwYXJ0bmVyIGFj
cXVpcmVyLXVzMSgwJgYDVQQDDB9hY3F1aXJlci11cyBjbGllbnQgQ0EgKGV4YW1w
bGUpMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbIMNC5AF4mjD/tzQcD5wMhN/
FpTBDQKTZRmOrd/mTGMV0ty6BAva+w9cKx0Rd/ce8R8GBlcJ/EVXX6GryCusY6Nj
MGEwHQYDVR0OBBYEFKyq6c2VVWL6Z05eDkDAz5eKj/EHMB8GA1UdIwQYMBaAFKyq
6c2VVWL6Z05eDkDAz5eKj/EHMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQD
AgEGMAoGCCqGSM49BAMCA0gAMEUCIQCcs3RgroAGVWZ2Rjt7494c31HPTMkOw8Ur
hYyaJNTFKQIgGvtl60EW31otjsFTBz+WGBVVsT3ZTth1KcLzS1q05R0=
-----END CERTIFICATE-----`;

const region: AwsRegionFile = {
  name: "us",
  cloud: "aws",
  cloudRegion: "us-east-1",
  jurisdiction: "US",
  accountId: "444455556666",
  // use1-az3 cannot host EKS: placed by zone ID, the region avoids it in every account.
  availabilityZoneIds: ["use1-az1", "use1-az2", "use1-az4"],
  drPartnerRegion: "us-west-2",
  naming: { prefix: "acme-pay" },
  network: {
    vpcCidr: "10.20.0.0/16",
    subnets: {
      workload: ["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"],
      data: ["10.20.96.0/22", "10.20.100.0/22", "10.20.104.0/22"],
      endpoints: ["10.20.112.0/24", "10.20.113.0/24", "10.20.114.0/24"],
    },
  },
  stateBackend: {
    bucket: "acme-pay-tfstate-us-444455556666",
    key: "regions/us/terraform.tfstate",
    region: "us-east-1",
    kmsKeyArn: "arn:aws:kms:us-east-1:444455556666:key/5a9b3c7d-1e2f-4a6b-8c0d-2f4e6a8b0c1d",
  },
  paymentApi: {
    allowedPrincipals: ["arn:aws:iam::888899990000:root"],
    partnerClientCidrs: ["172.20.0.0/16"],
  },
  hsm: {
    // Advance only after the ceremony in docs/deploy.md has been done for this stage.
    stage: "cluster",
  },
  database: {
    backupRetentionDays: 14,
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
    adminRoleArn: "arn:aws:iam::444455556666:role/platform-admin",
    deployRoleArn: "arn:aws:iam::444455556666:role/platform-deploy",
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
  ],
  mesh: {
    trustDomain: "us.acme-pay.internal",
    // The platform's one root of trust (security account); the region gets an intermediate.
    rootCaArn: "arn:aws:acm-pca:eu-west-1:999900001111:certificate-authority/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    merchantNamespaces: ["merchant-67890"],
    // The only requests the mesh lets through; everything else is denied.
    calls: [
      { from: "checkout/checkout-service", to: "payments/payment-service", methods: ["POST"], paths: ["/v1/charge"] },
      { from: "payments/payment-service", to: "payments/payment-core", methods: ["POST"], paths: ["/v1/payments"] },
      { from: "payments/payment-core", to: "payments/tokenization-service", methods: ["POST"], paths: ["/tokenize"] },
    ],
  },
  // The partners' way in: mutual TLS at the mesh's ingress gateway, each partner on its own host
  // (<name>.<host>) with its own CA, identities, routes and rate.
  edge: {
    host: "api.us.acme-pay.example",
    maxRequestBytes: 65536,
    requestsPerSecond: 500,
    partners: [
      {
        name: "acquirer-us",
        caBundle: ACQUIRER_CA,
        identities: ["gateway.acquirer-us.example"],
        requestsPerSecond: 200,
        routes: [{ to: "payments/payment-service", methods: ["POST"], paths: ["/v1/notifications"] }],
      },
    ],
  },
  alerts: {
    // Security alerts: the on-call mailbox and the paging service.
    subscribers: [
      { protocol: "email", endpoint: "security-oncall-us@acme.example" },
      { protocol: "https", endpoint: "https://events.pagerduty.example/integration/acme-pay-us/enqueue" },
    ],
  },
  retention: {
    auditArchiveDays: 365,
    logDays: 365,
  },
  tags: {
    owner: "payments-platform@acme.example",
    dataClassification: "cardholder-data",
    pciScope: "cde",
  },
};

export default region;
