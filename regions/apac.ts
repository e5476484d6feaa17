import type { GcpRegionFile } from "../config/schema";

/** acquirer-sg's client CA (public certificate; an example partner). */
const ACQUIRER_CA = `-----BEGIN CERTIFICATE-----
MIIB5TCCAYugAwIBAgIUSEuF1Z4nRJJqYxw5/2x8D920pKMwCgYIKoZIzj0EAwIw
QDEUMBIGA1UECgwLQWNxdWlyZXIgU0cxKDAmBgNVBAMMH2FjcXVpcmVyLXNnIGNs
aWVudCBDQSAoZXhhbXBsZSkwHhcNMjYxMjAzMTAyNTMwWhcNNDYxMTI4MTAyNTMw
WjBAMRQwEgYDVQQKDAtBY3F1aXJlciBTRzEoMCYGA1UEAwwfYWNxdWlyZXItc2cg
Y2xpZW50IENBIChleGFtcGxlKTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHwN
iSJPepkxq+P/LhNrt/MRXokW1kM5QfRFKRrNLivmfBvWzJwpa5hjfR0rT++7jp93
iQ8z5BPfU7aQG7rLsmOjYzBhMB0GA1UdDgQWBBRyR0jKRK7xPT20FmRuxW+5UcDR
qzAfBgNVHSMEGDAWgBRyR0jKRK7xPT20FmRuxW+5UcDRqzAPBgNVHRMBAf8EBTAD
AQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAgNIADBFAiEA9d+OmI8K1cg4
LpGVKpKn785cIK+Qh+tm6MIDCGPK6u8CICNeCGlt1enCm/92ElAq9+68r4pZ+j1r
LwpaH4ruTvOF
-----END CERTIFICATE-----`;

/**
 * The platform's root (public certificate), which mesh.rootCaArn holds in ACM PCA: the mesh's
 * trust anchor, and the issuer of the region's intermediate. (Example values: a sample root.)
 */
const PLATFORM_ROOT = `-----BEGIN CERTIFICATE-----
MIIBvzCCAWSgAwIBAgIUZZZU+6Zeopts2IWG00y0gFIgESowCgYIKoZIzj0EAwIw
PTERMA8GA1UECgwIQWNtZSBQYXkxKDAmBgNVBAMMH0FjbWUgUGF5IHBsYXRmb3Jt
IHJvb3QgKHNhbXBsZSkwHhcNMjYxMjAzMDk1MjQxWhcNNDYxMTI4MDk1MjQxWjA9
MREwDwYDVQQKDAhBY21lIFBheTEoMCYGA1UEAwwfQWNtZSBQYXkgcGxhdGZvcm0g
cm9vdCAoc2FtcGxlKTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEM7HvGrdMzp
dekbxq21BQDMDICL7O7AIGHCh36qzztq6jO9gG6KCO5teigp+3rjE6hPLBgTbwtd
uPL5eNbjoAijQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgGGMB0G
A1UdDgQWBBSC5pItBk+eJ3mmmW2knNNbhkGraDAKBggqhkjOPQQDAgNJADBGAiEA
4uEZMtPsHelw6jiJQ5tl/rRJCjzLaYLJvg5y9oWMuF0CIQD2HM+MnTsyQd+eSy1S
oCmuP/rAq+8/Wk21K6W/aG9nZQ==
-----END CERTIFICATE-----`;

/**
 * The region's intermediate in CA Service, as the root signed its CSR at the CA ceremony
 * (docs/deploy.md): path length 0, names constrained to apac.acme-pay.internal. Left out on a
 * region's first deploy. (Example values: signed by the sample root.)
 */
const MESH_INTERMEDIATE = `-----BEGIN CERTIFICATE-----
MIICLDCCAdKgAwIBAgIUeTHFU2yNrW8iO+mkMYKW1SChdsUwCgYIKoZIzj0EAwIw
PTERMA8GA1UECgwIQWNtZSBQYXkxKDAmBgNVBAMMH0FjbWUgUGF5IHBsYXRmb3Jt
IHJvb3QgKHNhbXBsZSkwHhcNMjYxMjAzMDk1MjQxWhcNMzExMjAzMDk1MjQxWjBb
MRcwFQYDVQQKDA5NZXNoIHdvcmtsb2FkczEfMB0GA1UECwwWYXBhYy5hY21lLXBh
eS5pbnRlcm5hbDEfMB0GA1UEAwwWYXBhYy5hY21lLXBheS5pbnRlcm5hbDBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABKHlGENAH2efBKFUiGwrQjlxhnkFAWn8vnp3
RfOhaNSkwdZQS1v0nBmfKhxH/FNMINwH6K63LO8VF3erWeaCsAujgZEwgY4wEgYD
VR0TAQH/BAgwBgEB/wIBADAOBgNVHQ8BAf8EBAMCAYYwKAYDVR0eAQH/BB4wHKAa
MBiGFmFwYWMuYWNtZS1wYXkuaW50ZXJuYWwwHQYDVR0OBBYEFEvdqoNioeQUthVi
vlpt0Pkd0anQMB8GA1UdIwQYMBaAFILmki0GT54neaaZbaSc01uGQatoMAoGCCqG
SM49BAMCA0gAMEUCIDUxkW5v81mj5yKZ0m1uwPSKxfCFOI3WN04z3fV+yUHTAiEA
61X1DRcvUIDO2pSMzO1/8DpqLXs1Lgj7bI57UHVBeh0=
-----END CERTIFICATE-----`;

/**
 * APAC card processing on Google Cloud: Singapore (asia-southeast1), jurisdiction SG. Partners
 * reach the payment API through Private Service Connect.
 */
const region: GcpRegionFile = {
  name: "apac",
  cloud: "gcp",
  cloudRegion: "asia-southeast1",
  jurisdiction: "SG",
  projectId: "acme-pay-apac-prod",
  projectNumber: "418273645091",
  zones: ["asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c"],
  naming: { prefix: "acme-pay" },
  network: {
    workloadCidr: "10.30.0.0/20",
    podsCidr: "10.32.0.0/14",
    servicesCidr: "10.30.16.0/20",
    dataCidr: "10.30.32.0/24",
    pscNatCidr: "10.30.33.0/26",
    controlPlaneCidr: "10.30.34.0/28",
    googleApisAddress: "10.30.255.254",
  },
  stateBackend: {
    bucket: "acme-pay-tfstate-apac-418273645091",
    prefix: "regions/apac",
    region: "asia-southeast1",
    kmsKeyName: "projects/acme-pay-apac-prod/locations/asia-southeast1/keyRings/tfstate/cryptoKeys/tfstate",
  },
  // The organisation's access policy: the project's data services sit in a perimeter.
  // Locked in a deploy of its own once the buckets are checked: a GCS lock is irreversible (docs/deploy.md).
  auditArchiveLocked: false,
  vpcServiceControls: {
    accessPolicy: "accessPolicies/283746510923",
    // A dry run until its logs show nothing the platform needs would be denied (docs/deploy.md).
    enforced: false,
    deployAccessLevel: "accessPolicies/283746510923/accessLevels/apac_deploy_runners",
    breakGlass: { accessLevel: "accessPolicies/283746510923/accessLevels/platform_breakglass", identities: ["group:platform-breakglass@acme-pay.example"] },
  },
  paymentApi: {
    consumerAcceptList: [{ project: "acquirer-sg-gateway", connectionLimit: 10 }],
  },
  database: {
    backupRetentionDays: 35,
  },
  kafka: {
    topics: [
      { name: "payments.raw", partitions: 12, retentionHours: 168 },
      { name: "fraud.result", partitions: 12, retentionHours: 168 },
      { name: "payment-events", partitions: 24, retentionHours: 720 },
    ],
  },
  gke: {
    deployServiceAccount: "deploy-runner@acme-pay-apac-prod.iam.gserviceaccount.com",
    masterAuthorizedNetworks: [{ name: "deploy-runners", cidr: "10.30.0.0/24" }],
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
    trustDomain: "apac.acme-pay.internal",
    // The platform's one root (as every region's); the region's intermediate lives in CA Service.
    rootCaArn: "arn:aws:acm-pca:eu-west-1:999900001111:certificate-authority/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    rootCertificate: PLATFORM_ROOT,
    intermediateCertificate: MESH_INTERMEDIATE,
    merchantNamespaces: ["merchant-24680"],
    calls: [
      { from: "checkout/checkout-service", to: "payments/payment-service", methods: ["POST"], paths: ["/v1/charge"] },
      { from: "payments/payment-service", to: "payments/payment-core", methods: ["POST"], paths: ["/v1/payments"] },
      { from: "payments/payment-core", to: "payments/tokenization-service", methods: ["POST"], paths: ["/tokenize"] },
    ],
  },
  // The partners' way in: their projects' PSC endpoints (paymentApi) reach the mesh's ingress
  // gateway, which ends each partner's mutual TLS on its own host with its own CA, identities,
  // routes and rate.
  edge: {
    host: "api.apac.acme-pay.example",
    maxRequestBytes: 65536,
    requestsPerSecond: 300,
    partners: [
      {
        name: "acquirer-sg",
        caBundle: ACQUIRER_CA,
        identities: ["gateway.acquirer-sg.example"],
        requestsPerSecond: 200,
        routes: [{ to: "payments/payment-service", methods: ["POST"], paths: ["/v1/notifications"] }],
      },
    ],
  },
  alerts: {
    // Security alerts: the on-call mailbox and the paging service.
    subscribers: [
      { protocol: "email", endpoint: "security-oncall-apac@acme.example" },
      { protocol: "https", endpoint: "https://events.pagerduty.example/integration/acme-pay-apac/enqueue" },
    ],
  },
  retention: {
    auditArchiveDays: 400,
    logDays: 400,
  },
  tags: {
    owner: "payments-platform@acme.example",
    dataClassification: "cardholder-data",
    pciScope: "cde",
  },
};

export default region;
