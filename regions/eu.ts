import type { AwsRegionFile } from "../config/schema";

/** EU card processing: Dublin, with Frankfurt as the in-jurisdiction DR partner. */
/** acquirer-eu's client CA (public certificate; an example partner). */
const ACQUIRER_CA = `-----BEGIN CERTIFICATE-----
MIICBTCCAaugAwIBAgIUIde2hf5vJeLn14tt3GIyCqSzpZgwCgYIKoZIzj0EAwIw
UDEkMCIGA1UECgwbRXhhbXBsZSBwYXJ0bmVyIGFjcXVpcmVyLWV1MSgwJgYDVQQD
DB9hY3F1aXJlci1ldSBjbGllbnQgQ0EgKGV4YW1wbGUpMB4XDTI2MTIwMzA1MTIy
M1oXDTM2MTEzMDA1MTIyM1owUDEkMCIGA1UECgwbRXhhbXBsZSBwYXJ0bmVyIGFj
cXVpcmVyLWV1MSgwJgYDVQQDDB9hY3F1aXJlci1ldSBjbGllbnQgQ0EgKGV4YW1w
bGUpMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE6hJaaNuRmHauycFm/wlFW8QH
iNlRT1oLFntPO9l5Vt06HAL36UE0VIPyCpl1sVyQvwRhMcKIveHPSRlHqZIGaKNj
MGEwHQYDVR0OBBYEFNhkqkKj9nHV4nvlUzqU2uD9NIu7MB8GA1UdIwQYMBaAFNhk
qkKj9nHV4nvlUzqU2uD9NIu7MA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQD
AgEGMAoGCCqGSM49BAMCA0gAMEUCIEiR+6YosBV1cleH7lHMnDfHOmf1x99Q3AlN
1LlfsqBBAiEAxO7djafztJY4O5vaAi6tW/0k9iCBw2N813RRXuz+rRg=
-----END CERTIFICATE-----`;
/** wallet-eu's client CA (public certificate; an example partner). */
const WALLET_CA = `-----BEGIN CERTIFICATE-----
MIIB/TCCAaOgAwIBAgIUMEchM/7/i7pdO/uUb/s/Y2ivUHQwCgYIKoZIzj0EAwIw
TDEiMCAGA1UECgwZRXhhbXBsZSBwYXJ0bmVyIHdhbGxldC1ldTEmMCQGA1UEAwwd
d2FsbGV0LWV1IGNsaWVudCBDQSAoZXhhbXBsZSkwHhcNMjYxMjAzMDUxMjIzWhcN
MzYxMTMwMDUxMjIzWjBMMSIwIAYDVQQKDBlFeGFtcGxlIHBhcnRuZXIgd2FsbGV0
LWV1MSYwJAYDVQQDDB13YWxsZXQtZXUgY2xpZW50IENBIChleGFtcGxlKTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABHLy4fDixQdWe7++fHMpQ00QScmRYql46EYM
LFALhnstlG8MYxYtfS6PuVWqZLKnUv9UkZekLV9REgPCerwlbdujYzBhMB0GA1Ud
DgQWBBTt5C8sPFo65WUapPVhfsza+DhRZDAfBgNVHSMEGDAWgBTt5C8sPFo65WUa
pPVhfsza+DhRZDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggq
hkjOPQQDAgNIADBFAiBrlehKokninRNwyBNHkvl2N/D1pDrSvpkmcEbF+aTIJwIh
AOlXiuA7Q9GOyd7YRj06eAh9uABoBdaQ5h2yh6/1uFjB
-----END CERTIFICATE-----`;

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
  // The mirror of the payment events and fraud results in eu-central-1 (kafka.mirrorTopics).
  drNetwork: {
    vpcCidr: "10.12.0.0/24",
    availabilityZoneIds: ["euc1-az1", "euc1-az2", "euc1-az3"],
    data: ["10.12.0.0/26", "10.12.0.64/26", "10.12.0.128/26"],
  },
  stateBackend: {
    bucket: "acme-pay-tfstate-eu-111122223333",
    key: "regions/eu/terraform.tfstate",
    region: "eu-west-1",
    kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/0f6c2a8e-4b1d-4c7e-9a55-3e2d1f0b9c71",
  },
  paymentApi: {
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
    // A recovery in eu-central-1 starts with these, not with empty topics.
    mirrorTopics: ["payment-events", "fraud.result"],
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
  // The partners' way in: mutual TLS at the mesh's ingress gateway, each partner on its own host
  // (<name>.<host>) with its own CA, identities, routes and rate.
  edge: {
    host: "api.eu.acme-pay.example",
    maxRequestBytes: 65536,
    requestsPerSecond: 500,
    partners: [
      {
        name: "acquirer-eu",
        caBundle: ACQUIRER_CA,
        identities: ["gateway.acquirer-eu.example"],
        requestsPerSecond: 200,
        routes: [{ to: "payments/payment-service", methods: ["POST"], paths: ["/v1/notifications"] }],
      },
      {
        name: "wallet-eu",
        caBundle: WALLET_CA,
        identities: ["api-client.wallet-eu.example"],
        requestsPerSecond: 50,
        routes: [{ to: "checkout/checkout-service", methods: ["POST"], paths: ["/v1/checkout"] }],
      },
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
