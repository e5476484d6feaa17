import { GcpRegionConfig } from "../../config/schema";
import { JURISDICTIONS } from "../../config/catalog";
import { GUARDRAILS, checkRule } from "../../guardrails";
import { expectCaught, judgedBy, weakenedViolations } from "../support/weakening";
import { SynthStack, TfJson, cloneJson, edited, jsonCopy, resourcesOf, shippedAllLayers, synthRegions } from "../support/synth";
import { GCP_KEY_PURPOSES } from "../../model/gcp/keys";
import { GOOD_INTERMEDIATE, TEST_ROOT } from "../support/gcp-ca";
import { pscNatSubnetName } from "../../model/gcp/network";

/** The GCP region stacks of the shipped regions. */
const stacks = shippedAllLayers().filter((s): s is SynthStack<GcpRegionConfig> => s.layer === "gcp");
const GCP_RULES = GUARDRAILS.filter((r) => r.layers.includes("gcp"));

it("ships a GCP region (APAC, Singapore)", () => {
  expect(stacks.map((s) => [s.name, s.region.cloudRegion, s.region.jurisdiction])).toEqual([["region-apac", "asia-southeast1", "SG"]]);
});

describe.each(stacks.map((s) => [s.name, s] as const))("%s meets every guardrail", (_name, stack) => {
  it.each(GCP_RULES.map((r) => [r.id, r] as const))("%s", (_id, rule) => {
    // Until the region file locks the archive (a deploy of its own), its report warns, on the archive only.
    const pendingLock = rule.id === "gcp.audit-archive-locked" && !stack.region.auditArchiveLocked;
    expect(stack.guardrails.findings.filter((f) => f.rule.id === rule.id && !f.suppressedBy).map((f) => f.address)).toEqual(pendingLock ? ["google_storage_bucket.audit_archive_archive"] : []);
    expect(checkRule(rule, stack).length).toBe(stack.guardrails.findings.filter((f) => f.rule.id === rule.id).length);
  });
});

it("grants the logs key to the project's Cloud Logging account where the region names one (kms.loggingServiceAccount), and the guardrails accept it", () => {
  const account = "cmek-logging-123@gcp-sa-logging.iam.gserviceaccount.com";
  const region = stacks[0].region;
  const result = synthRegions([{ ...region, kms: { ...region.kms, loggingServiceAccount: account } }]);
  const stack = result.stacks.find((s) => s.layer === "gcp")!;
  const logsKey = Object.entries(stack.json.resource.google_kms_crypto_key as Record<string, TfJson>).find(([, k]) => k.name === "logs")![0];
  const grants = resourcesOf(stack.json, "google_kms_crypto_key_iam_member").filter(([, g]) => g.crypto_key_id === `\${google_kms_crypto_key.${logsKey}.id}`);
  expect(grants.map(([, g]) => g.member)).toEqual([`serviceAccount:${account}`]);
  expect(stack.guardrails.findings.filter((f) => !f.suppressedBy && f.rule.level === "error")).toEqual([]);
  // pack.evaluate runs the rules now (in a mutant's run, npm run mutate, synth's findings are the unmutated rules').
  expect(stack.pack.evaluate(stack.json).findings.filter((f) => !f.suppressedBy && f.rule.level === "error")).toEqual([]);
});

const first = (j: TfJson, type: string): TfJson => Object.values(j.resource[type] as Record<string, TfJson>)[0];
const add = (j: TfJson, type: string, name: string, body: TfJson) => (j.resource[type] = { ...(j.resource[type] ?? {}), [name]: body });
const keyOf = (j: TfJson, purpose: string) => Object.values(j.resource.google_kms_crypto_key as Record<string, TfJson>).find((k) => k.name === purpose)!;
const firewall = (j: TfJson, suffix: string) => Object.values(j.resource.google_compute_firewall as Record<string, TfJson>).find((f) => String(f.name).endsWith(suffix))!;
const archive = (j: TfJson) => Object.values(j.resource.google_storage_bucket as Record<string, TfJson>).find((b) => String(b.name).includes("-audit-"))!;

/** Weakenings of a GCP region stack, each with the rule that must catch it. */
/** Weakenings, each with the rule that must catch it and, where the rule checks one thing in several ways, what the condition that must answer says. */
/** The Cloud SQL instance's settings block, and one of its database flags. */
const sql = (j: TfJson): TfJson => first(j, "google_sql_database_instance").settings;
/** The first subnet that flow logs apply to (PSC NAT subnets are exempt). */
const subnet = (j: TfJson): TfJson => Object.values(j.resource.google_compute_subnetwork as Record<string, TfJson>).find((x) => x.purpose !== "PRIVATE_SERVICE_CONNECT")!;
const dbFlag = (j: TfJson, name: string): TfJson => (sql(j).database_flags as TfJson[]).find((f) => f.name === name)!;
/** The bucket that holds the archive's access logs. */
const accessLogs = (j: TfJson) => Object.values(j.resource.google_storage_bucket as Record<string, TfJson>).find((b) => String(b.name).includes("-access-logs-"))!;
const perimeter = (j: TfJson) => first(j, "google_access_context_manager_service_perimeter");
/** The PSC endpoint (a forwarding rule with the empty scheme). */
const pscEndpoint = (j: TfJson) => Object.values(j.resource.google_compute_forwarding_rule as Record<string, TfJson>).find((f) => f.load_balancing_scheme === "")!;
type Region = (r: GcpRegionConfig) => GcpRegionConfig;
const noPerimeter: Region = (r) => ({ ...r, vpcServiceControls: undefined });
const twoBreakGlass: Region = (r) => ({ ...r, vpcServiceControls: { ...r.vpcServiceControls!, breakGlass: { ...r.vpcServiceControls!.breakGlass, identities: ["group:b@acme-pay.example", "group:a@acme-pay.example"] } } });
/**
 * What a weakening must produce besides some violation: `says`, a violation matching it (the
 * condition that must answer, where a rule checks one thing in several ways); `region`, the region
 * the rule judges the case by, where it differs from the shipped one (a setting the shipped region
 * does not have, or one the config refuses: the rule holds its bound on its own).
 */
type Expect = RegExp | { readonly says?: RegExp; readonly region: Region };
const policy = (j: TfJson, id: string): TfJson => j.resource.google_monitoring_alert_policy[`alerts_policy-${id}`];
const threshold = (j: TfJson, id = "route_changes"): TfJson => policy(j, id).conditions[0].condition_threshold;
const tokenizationPolicy = (j: TfJson): TfJson => policy(j, "tokenization_payments_tokenization-service");
const ALERT_MUTATIONS: [string, string, (j: TfJson) => void, Expect?][] = [
  ["gcp.alerts-wired", "a subscriber without a channel", (j) => delete j.resource.google_monitoring_notification_channel.alerts_channel0, /none for email subscriber \S+ of alerts.subscribers/],
  ["gcp.alerts-wired", "a channel disabled", (j) => (j.resource.google_monitoring_notification_channel.alerts_channel1.enabled = false), /none for https subscriber/],
  ["gcp.alerts-wired", "a channel to another address", (j) => (j.resource.google_monitoring_notification_channel.alerts_channel0.labels.email_address = "someone@example.com"), /none for email subscriber/],
  ["gcp.alerts-wired", "a subscriber the region file adds", () => undefined, {
    says: /none for email subscriber new-oncall@acme.example/,
    region: (r) => ({ ...r, alerts: { subscribers: [...r.alerts.subscribers, { protocol: "email", endpoint: "new-oncall@acme.example" }] } }),
  }],
  ["gcp.alerts-wired", "the ownership filter narrowed to removals", (j) => (j.resource.google_logging_metric["alerts_metric-project_ownership_changes"].filter = 'protoPayload.serviceData.policyDelta.bindingDeltas.action="REMOVE"'), /\(project_ownership_changes\): none with its filter/],
  ["gcp.alerts-wired", "no policy on route changes", (j) => delete j.resource.google_monitoring_alert_policy["alerts_policy-route_changes"], /alerts_metric-route_changes: no enabled policy fires/],
  ["gcp.alerts-wired", "a policy disabled", (j) => (policy(j, "route_changes").enabled = false), /alerts_metric-route_changes: no enabled policy fires/],
  ["gcp.alerts-wired", "a policy at five entries", (j) => (threshold(j).threshold_value = 4), /alerts_metric-route_changes: no enabled policy fires on one entry/],
  ["gcp.alerts-wired", "a policy over an hour", (j) => (threshold(j).aggregations[0].alignment_period = "3600s"), /alerts_metric-route_changes: no enabled policy fires/],
  ["gcp.alerts-wired", "a policy held ten minutes", (j) => (threshold(j).duration = "600s"), /alerts_metric-route_changes: no enabled policy fires/],
  ["gcp.alerts-wired", "a policy counting series, not entries", (j) => (threshold(j).aggregations[0].per_series_aligner = "ALIGN_COUNT"), /alerts_metric-route_changes: no enabled policy fires/],
  ["gcp.alerts-wired", "a policy below the threshold", (j) => (threshold(j).comparison = "COMPARISON_LT"), /alerts_metric-route_changes: no enabled policy fires/],
  ["gcp.alerts-wired", "a policy on another metric", (j) => (threshold(j).filter = 'metric.type="logging.googleapis.com/user/other"'), /alerts_metric-route_changes: no enabled policy fires/],
  ["gcp.alerts-wired", "a policy notifying one channel of two", (j) => (policy(j, "route_changes").notification_channels = [policy(j, "route_changes").notification_channels[0]]), /alerts_metric-route_changes: no enabled policy fires .* notifies every channel/],
  ["gcp.alerts-wired", "the tokenization failures counted without the response code", (j) => (j.resource.google_logging_metric["alerts_metric-tokenization_payments_tokenization_service_failures"].filter = j.resource.google_logging_metric["alerts_metric-tokenization_payments_tokenization_service_requests"].filter), /\(tokenization_payments_tokenization_service_failures\): none with the access-log filter/],
  ["gcp.alerts-wired", "the failure rate at 50 %", (j) => (tokenizationPolicy(j).conditions[0].condition_prometheus_query_language.query = tokenizationPolicy(j).conditions[0].condition_prometheus_query_language.query.replace(/> 0.05$/, "> 0.5")), /none raises seed 001's TokenizationFailureRate for payments\/tokenization-service/],
  ["gcp.alerts-wired", "no handshake alert", (j) => delete j.resource.google_monitoring_alert_policy["alerts_policy-mtls_handshake_failures"], /none raises MtlsHandshakeFailures/],
  ["gcp.alerts-wired", "the handshake alert on one counter", (j) => (policy(j, "mtls_handshake_failures").conditions[0].condition_prometheus_query_language.query = "sum(increase(envoy_listener_ssl_connection_error[5m])) > 0"), /none raises MtlsHandshakeFailures/],
  ["gcp.alerts-wired", "the handshake alert validating metrics that do not exist yet (its creation fails)", (j) => (policy(j, "mtls_handshake_failures").conditions[0].condition_prometheus_query_language.disable_metric_validation = false), /none raises MtlsHandshakeFailures/],
  ["gcp.alerts-wired", "the failure rate validating its counters at creation", (j) => delete tokenizationPolicy(j).conditions[0].condition_prometheus_query_language.disable_metric_validation, /none raises seed 001's TokenizationFailureRate/],
  ["gcp.alerts-wired", "Managed Service for Prometheus off", (j) => (first(j, "google_container_cluster").monitoring_config.managed_prometheus.enabled = false), /Managed Service for Prometheus's collection is off/],
  ["gcp.alerts-wired", "an email subscriber's channel turned into an SMS channel", (j) => (j.resource.google_monitoring_notification_channel.alerts_channel0.type = "sms"), /none for email subscriber/],
  ["gcp.alerts-wired", "a channel without labels", (j) => delete j.resource.google_monitoring_notification_channel.alerts_channel0.labels, /none for email subscriber/],
  ["gcp.alerts-wired", "the handshake alert ANDed with a condition that never holds", (j) => {
    const p = policy(j, "mtls_handshake_failures");
    p.combiner = "AND";
    p.conditions = [...p.conditions, { display_name: "never", condition_prometheus_query_language: { query: "vector(0) > 1", duration: "0s" } }];
  }, /none raises MtlsHandshakeFailures/],
  ["gcp.alerts-wired", "the tokenization failure counter under another name", (j) => (j.resource.google_logging_metric["alerts_metric-tokenization_payments_tokenization_service_failures"].name = "other"), /\(tokenization_payments_tokenization_service_failures\): none with the access-log filter/],
  ["gcp.alerts-wired", "the failure rate held ten minutes", (j) => (tokenizationPolicy(j).conditions[0].condition_prometheus_query_language.duration = "600s"), /none raises seed 001's TokenizationFailureRate/],
];
const caPool = (j: TfJson): TfJson => j.resource.google_privateca_ca_pool.workload_ca_pool;
const ca = (j: TfJson): TfJson => j.resource.google_privateca_certificate_authority.workload_ca_authority;
const issuance = (j: TfJson): TfJson => caPool(j).issuance_policy;
const firstDeploy: Region = (r) => ({ ...r, mesh: { ...r.mesh, intermediateCertificate: undefined } });
const CA_MUTATIONS: [string, string, (j: TfJson) => void, Expect?][] = [
  ["gcp.iam-least-privilege", "Workload Identity for the CAS issuer in a region without a workload CA", () => undefined, { says: /\[cert-manager\/cert-manager-google-cas-issuer\], not a declared service's or the CAS issuer's account/, region: (r) => ({ ...r, mesh: { ...r.mesh, rootCertificate: undefined } }) }],
  ["gcp.mesh-intermediate-ca", "a DevOps pool (nothing recorded, nothing revocable)", (j) => (caPool(j).tier = "DEVOPS"), /tier DEVOPS, expected ENTERPRISE/],
  ["gcp.mesh-intermediate-ca", "the CRL published to a Google-managed bucket", (j) => (caPool(j).publishing_options.publish_crl = true), /publishes to a Google-managed bucket/],
  ["gcp.mesh-intermediate-ca", "the CA certificate published", (j) => (caPool(j).publishing_options.publish_ca_cert = true), /publishes to a Google-managed bucket/],
  ["gcp.mesh-intermediate-ca", "certificates of 30 days", (j) => (issuance(j).maximum_lifetime = "2592000s"), /issuance policy differs .* at \.maximum_lifetime/],
  ["gcp.mesh-intermediate-ca", "config-based issuance (any subject the requester names)", (j) => (issuance(j).allowed_issuance_modes.allow_config_based_issuance = true), /at \.allowed_issuance_modes\.allow_config_based_issuance/],
  ["gcp.mesh-intermediate-ca", "any name certified", (j) => (issuance(j).identity_constraints.cel_expression.expression = "true"), /at \.identity_constraints\.cel_expression\.expression/],
  ["gcp.mesh-intermediate-ca", "CA certificates issuable from the pool", (j) => (issuance(j).baseline_values.ca_options.is_ca = true), /at \.baseline_values\.ca_options\.is_ca/],
  ["gcp.mesh-intermediate-ca", "no Basic Constraints forced on what the pool issues (is_ca false alone is never sent)", (j) => delete issuance(j).baseline_values.ca_options.non_ca, /at \.baseline_values\.ca_options\.non_ca/],
  ["gcp.mesh-intermediate-ca", "RSA 1024 keys accepted", (j) => (issuance(j).allowed_key_types[1].rsa.min_modulus_size = "1024"), /at \.allowed_key_types\[1\]\.rsa\.min_modulus_size/],
  ["gcp.mesh-intermediate-ca", "the pool destroyable", (j) => delete caPool(j).lifecycle, /workload_ca_pool: not protected from destroy/],
  ["gcp.mesh-intermediate-ca", "a second pool", (j) => add(j, "google_privateca_ca_pool", "second", cloneJson(caPool(j))), /2 pools, expected the mesh's one/],
  ["gcp.mesh-intermediate-ca", "the pool in another region", (j) => (caPool(j).location = "asia-east1"), /in asia-east1, not asia-southeast1/],
  ["gcp.mesh-intermediate-ca", "a self-signed CA (a second root)", (j) => (ca(j).type = "SELF_SIGNED"), /type SELF_SIGNED, expected SUBORDINATE/],
  ["gcp.mesh-intermediate-ca", "the CA's key in a Cloud KMS key of the project", (j) => (ca(j).key_spec = { cloud_kms_key_version: "projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1" }), /key .*cloud_kms_key_version.*expected a CA Service key EC_P256_SHA256/],
  ["gcp.mesh-intermediate-ca", "an RSA key", (j) => (ca(j).key_spec.algorithm = "RSA_PKCS1_2048_SHA256"), /expected a CA Service key EC_P256_SHA256/],
  ["gcp.mesh-intermediate-ca", "no path length asked for", (j) => delete ca(j).config.x509_config.ca_options.zero_max_issuer_path_length, /does not ask for path length 0/],
  ["gcp.mesh-intermediate-ca", "no name constraint asked for", (j) => delete ca(j).config.x509_config.name_constraints, /critical name constraint to apac.acme-pay.internal/],
  ["gcp.mesh-intermediate-ca", "a name constraint not critical", (j) => (ca(j).config.x509_config.name_constraints.critical = false), /critical name constraint/],
  ["gcp.mesh-intermediate-ca", "deletion protection off", (j) => (ca(j).deletion_protection = false), /deletable/],
  ["gcp.mesh-intermediate-ca", "deleted without the grace period", (j) => (ca(j).skip_grace_period = true), /deletable/],
  ["gcp.mesh-intermediate-ca", "deleted with certificates still valid", (j) => (ca(j).ignore_active_certificates_on_deletion = true), /deletable/],
  ["gcp.mesh-intermediate-ca", "the CA destroyable", (j) => delete ca(j).lifecycle, /workload_ca_authority: not protected from destroy/],
  ["gcp.mesh-intermediate-ca", "a second CA", (j) => add(j, "google_privateca_certificate_authority", "second", cloneJson(ca(j))), /2 CAs, expected the region's one intermediate/],
  ["gcp.mesh-intermediate-ca", "the CA in another pool", (j) => (ca(j).pool = "other"), /outside the mesh's pool/],
  ["gcp.mesh-intermediate-ca", "activated with another certificate", (j) => (ca(j).pem_ca_certificate = GOOD_INTERMEDIATE), /not activated with the region file's mesh.intermediateCertificate/],
  ["gcp.mesh-intermediate-ca", "another issuer chain", (j) => ca(j).subordinate_config.pem_issuer_chain.pem_certificates.push(TEST_ROOT), /issuer chain is not the platform root alone/],
  ["gcp.mesh-intermediate-ca", "activated but never enabled", (j) => delete ca(j).desired_state, /activated but not enabled/],
  ["gcp.mesh-intermediate-ca", "activation arguments on the first deploy", () => undefined, { says: /activation arguments set .* before the root has signed its CSR/, region: firstDeploy }],
  ["gcp.mesh-intermediate-ca", "the CA enabled at its creation (never applied after activation)", (j) => {
    for (const key of ["pem_ca_certificate", "subordinate_config"]) delete ca(j)[key];
  }, { says: /activation arguments set .* before the root has signed its CSR/, region: firstDeploy }],
  ["gcp.mesh-intermediate-ca", "a CA in a region without the platform root", () => undefined, { says: /google_privateca_ca_pool\.workload_ca_pool: a workload CA without the platform root/, region: (r) => ({ ...r, mesh: { ...r.mesh, rootCaArn: undefined } }) }],
  ["gcp.mesh-intermediate-ca", "a CA in a region without the root's certificate", () => undefined, { says: /google_privateca_certificate_authority\.workload_ca_authority: a workload CA without the platform root/, region: (r) => ({ ...r, mesh: { ...r.mesh, rootCertificate: undefined } }) }],
  ["gcp.mesh-intermediate-ca", "the issuer may manage the pool's certificates", (j) => (j.resource.google_privateca_ca_pool_iam_member.workload_ca_issuer_requests.role = "roles/privateca.certificateManager"), /grants \[\["roles\/privateca.certificateManager","serviceAccount:\$\{google_service_account.workload_ca_issuer_account.email\}"\]\] on the pool, expected roles\/privateca.certificateRequester for the CAS issuer's identity alone/],
  ["gcp.mesh-intermediate-ca", "another identity may request", (j) => (j.resource.google_privateca_ca_pool_iam_member.workload_ca_issuer_requests.member = "serviceAccount:${google_service_account.gke_workload-payment-core.email}"), /expected roles\/privateca.certificateRequester/],
  ["gcp.mesh-intermediate-ca", "a second requester", (j) => add(j, "google_privateca_ca_pool_iam_member", "second", { ...cloneJson(j.resource.google_privateca_ca_pool_iam_member.workload_ca_issuer_requests), member: "group:ops@example.com" }), /expected roles\/privateca.certificateRequester/],
  ["gcp.mesh-intermediate-ca", "a grant on a pool of another project", (j) => add(j, "google_privateca_ca_pool_iam_member", "elsewhere", { ca_pool: "projects/x/locations/y/caPools/z", role: "roles/privateca.certificateRequester", member: "group:ops@example.com" }), /a grant on another pool/],
  ["gcp.mesh-intermediate-ca", "requesters on every pool of the project", (j) => add(j, "google_project_iam_member", "cas", { project: "acme-pay-apac-prod", role: "roles/privateca.certificateRequester", member: "group:ops@example.com" }), /roles\/privateca.certificateRequester on the whole project/],
  ["gcp.mesh-intermediate-ca", "no Google identity for the issuer", (j) => delete j.resource.google_service_account.workload_ca_issuer_account, /no mesh-ca-issuer/],
  ["gcp.mesh-intermediate-ca", "the issuer's identity usable by another Kubernetes account", (j) => (j.resource.google_service_account_iam_member.workload_ca_issuer_workload_identity.member = "serviceAccount:acme-pay-apac-prod.svc.id.goog[payments/payment-core]"), /not usable by cert-manager\/cert-manager-google-cas-issuer alone \(\["serviceAccount:acme-pay-apac-prod.svc.id.goog\[payments\/payment-core\]"\]\)/],
  ["gcp.mesh-intermediate-ca", "the issuer's identity open to token creation", (j) => (j.resource.google_service_account_iam_member.workload_ca_issuer_workload_identity.role = "roles/iam.serviceAccountTokenCreator"), /not usable by cert-manager\/cert-manager-google-cas-issuer alone/],
  ["gcp.mesh-intermediate-ca", "a second Kubernetes account may act as the issuer", (j) => add(j, "google_service_account_iam_member", "second", { ...cloneJson(j.resource.google_service_account_iam_member.workload_ca_issuer_workload_identity), member: "serviceAccount:acme-pay-apac-prod.svc.id.goog[payments/payment-core]" }), /not usable by .* alone/],
];
/** A PSC service attachment and an internal load balancer as a region stack could add them (the partner API's are GKE's, in the istio stack). */
const attachment = (j: TfJson): TfJson => {
  add(j, "google_compute_forwarding_rule", "ilb", { name: "ilb", load_balancing_scheme: "INTERNAL", ip_protocol: "TCP", ports: ["443"], backend_service: "x" });
  add(j, "google_compute_service_attachment", "sa", { name: "sa", connection_preference: "ACCEPT_MANUAL", consumer_accept_lists: [{ project_id_or_num: "acquirer-sg-gateway", connection_limit: 10 }], nat_subnets: ["n"], target_service: "${google_compute_forwarding_rule.ilb.id}" });
  return j.resource.google_compute_service_attachment.sa;
};
const ilb = (j: TfJson): TfJson => (attachment(j), j.resource.google_compute_forwarding_rule.ilb);
const MUTATIONS: [string, string, (j: TfJson) => void, Expect?][] = [
  ...ALERT_MUTATIONS,
  ["stack.references-resolve", "a reference to a key the stack does not declare", (j) => (first(j, "google_storage_bucket").encryption = [{ default_kms_key_name: "${google_kms_crypto_key.gone.id}" }])],
  ["gcp.provider-pinned-to-project", "another project", (j) => (j.provider.google[0].project = "someone-else"), /project someone-else, expected/],
  ["gcp.provider-pinned-to-project", "PCI scope label dropped", (j) => delete j.provider.google[0].default_labels.pci_scope, /default label pci_scope is undefined/],
  ["gcp.provider-pinned-to-project", "a credentials file in the stack", (j) => (j.provider.google[0].credentials = "/tmp/key.json"), /credentials in the production provider config/],
  ["gcp.provider-pinned-to-project", "an access token in the stack", (j) => (j.provider.google[0].access_token = "ya29.x"), /credentials in the production provider config/],
  ["gcp.provider-pinned-to-project", "an impersonated account in the stack", (j) => (j.provider.google[0].impersonate_service_account = "x@p.iam.gserviceaccount.com"), /credentials in the production provider config/],
  ["gcp.provider-pinned-to-project", "another region", (j) => (j.provider.google[0].region = "asia-east1"), /region asia-east1, expected/],
  ["gcp.provider-pinned-to-project", "a second provider block", (j) => j.provider.google.push({ alias: "other", project: "x" }), /2 provider blocks, expected 1/],
  ["gcp.provider-pinned-to-project", "the AWS provider mixed in", (j) => (j.terraform.required_providers.aws = { source: "hashicorp/aws" }), /only google \(and time\) is allowed/],
  ["gcp.backend-encrypted", "state without the state key", (j) => delete j.terraform.backend.gcs.kms_encryption_key, /kms_encryption_key is not the configured state key/],
  ["gcp.backend-encrypted", "local state", (j) => (j.terraform.backend = { local: {} }), /no gcs backend/],
  ["gcp.backend-encrypted", "state in another bucket", (j) => (j.terraform.backend.gcs.bucket = "elsewhere"), /bucket\/prefix differ/],
  ["gcp.backend-encrypted", "state under another prefix", (j) => (j.terraform.backend.gcs.prefix = "other"), /bucket\/prefix differ/],
  ["gcp.backend-encrypted", "a customer-supplied key in the stack", (j) => (j.terraform.backend.gcs.encryption_key = "c2VjcmV0"), /a customer-supplied key in the stack/],
  ["gcp.labels-not-overridden", "a bucket out of scope", (j) => (archive(j).labels = { pci_scope: "out-of-scope" }), /label pci_scope is "out-of-scope"/],
  ["gcp.labels-not-overridden", "a bucket of another owner", (j) => (archive(j).labels = { owner: "someone-else" }), /label owner is "someone-else"/],
  ["gcp.keys-one-per-purpose", "no tokenization key", (j) => delete j.resource.google_kms_crypto_key.keys_tokenization_key],
  ["gcp.firewall-default-deny-logged", "deny-all ingress removed", (j) => delete j.resource.google_compute_firewall.network_deny_all_ingress, /no deny-all INGRESS rule/],
  ["gcp.firewall-default-deny-logged", "SSH from the internet", (j) =>
    add(j, "google_compute_firewall", "ssh", { name: "ssh", network: "n", direction: "INGRESS", priority: 100, source_ranges: ["0.0.0.0/0"], allow: [{ protocol: "tcp", ports: ["22"] }], log_config: { metadata: "INCLUDE_ALL_METADATA" } })],
  ["gcp.firewall-default-deny-logged", "a rule not logged", (j) => delete firewall(j, "allow-nodes-to-data").log_config, /: not logged/],
  ["gcp.firewall-default-deny-logged", "deny-all egress removed", (j) => delete j.resource.google_compute_firewall.network_deny_all_egress, /no deny-all EGRESS rule/],
  ["gcp.firewall-default-deny-logged", "deny-all ingress at a higher priority", (j) => (j.resource.google_compute_firewall.network_deny_all_ingress.priority = 1000), /no deny-all INGRESS rule/],
  ["gcp.firewall-default-deny-logged", "deny-all ingress for TCP only", (j) => (j.resource.google_compute_firewall.network_deny_all_ingress.deny = [{ protocol: "tcp" }]), /no deny-all INGRESS rule/],
  ["gcp.firewall-default-deny-logged", "deny-all egress to one range only", (j) => (j.resource.google_compute_firewall.network_deny_all_egress.destination_ranges = ["10.0.0.0/8"]), /no deny-all EGRESS rule/],
  ["gcp.firewall-default-deny-logged", "deny-all ingress narrowed by tag", (j) => (j.resource.google_compute_firewall.network_deny_all_ingress.target_tags = ["web"]), /no deny-all INGRESS rule/],
  ["gcp.firewall-default-deny-logged", "deny-all ingress disabled", (j) => (j.resource.google_compute_firewall.network_deny_all_ingress.disabled = true), /no deny-all INGRESS rule/],
  ["gcp.firewall-default-deny-logged", "an allow rule disabled (and kept)", (j) => (firewall(j, "allow-nodes-to-data").disabled = true), /: disabled/],
  ["gcp.firewall-default-deny-logged", "an allow rule by source tag", (j) => (j.resource.google_compute_firewall.network_nodes_and_pods.source_tags = ["gke-node"]), /allows by network tag/],
  ["gcp.firewall-default-deny-logged", "an allow rule targeting a tag", (j) => (j.resource.google_compute_firewall.network_nodes_and_pods.target_tags = ["gke-node"]), /targets a network tag/],
  ["gcp.firewall-default-deny-logged", "an egress allow with no destination (GCP reads 0.0.0.0/0)", (j) => delete j.resource.google_compute_firewall.network_nodes_to_data.destination_ranges, /allows egress to 0\.0\.0\.0\/0/],
  ["gcp.firewall-default-deny-logged", "an ingress allow from a public range", (j) => (j.resource.google_compute_firewall.network_psc_nat_ingress.source_ranges = ["8.8.8.0/24"]), /allows ingress from 8\.8\.8\.0\/24/],
  ["gcp.firewall-default-deny-logged", "egress to the internet", (j) => (firewall(j, "allow-nodes-to-google-apis").destination_ranges = ["0.0.0.0/0"])],
  ["gcp.audit-archive", "retention locked in the apply that creates it (irreversible)", (j) => (archive(j).retention_policy.is_locked = true), /locked in the apply that creates it/],
  ["gcp.audit-archive", "retention of 30 days", (j) => (archive(j).retention_policy.retention_period = 30 * 86400), /retention 2592000 s/],
  ["gcp.audit-archive", "records deleted by lifecycle", (j) => archive(j).lifecycle_rule.push({ action: { type: "Delete" }, condition: { age: 400 } }), /a lifecycle rule deletes audit records/],
  ["gcp.audit-archive", "no cold storage", (j) => (archive(j).lifecycle_rule = []), /cold/i],
  ["gcp.audit-archive", "cold storage to NEARLINE", (j) => (archive(j).lifecycle_rule[0].action.storage_class = "NEARLINE"), /cold/i],
  ["gcp.audit-archive", "cold storage after other days", (j) => (archive(j).lifecycle_rule[0].condition.age += 1), /cold/i],
  ["gcp.audit-archive", "a second archive bucket", (j) => add(j, "google_storage_bucket", "second_archive", { ...archive(j), name: `${archive(j).name}-2` }), /2 audit archive buckets, expected 1/],
  ["gcp.audit-logging", "the sink with exclusions", (j) => (first(j, "google_logging_project_sink").exclusions = [{ name: "x", filter: "severity<ERROR" }]), /has exclusions/],
  ["gcp.audit-logging", "the sink disabled", (j) => (first(j, "google_logging_project_sink").disabled = true), /: disabled/],
  ["gcp.audit-logging", "no sink", (j) => delete j.resource.google_logging_project_sink, /no sink to the regional log bucket/],
  ["gcp.audit-logging", "data reads not logged", (j) => (first(j, "google_project_iam_audit_config").audit_log_config = [{ log_type: "ADMIN_READ" }, { log_type: "DATA_WRITE" }]), /DATA_READ not logged/],
  ["gcp.audit-logging", "an exempted member", (j) => (first(j, "google_project_iam_audit_config").audit_log_config[1].exempted_members = ["user:ops@example.com"]), /exempts members/],
  ["gcp.audit-logging", "no log bucket", (j) => delete j.resource.google_logging_project_bucket_config, /no regional CMEK log bucket/],
  ["gcp.bucket-access-logged", "the archive logs to itself", (j) => {
    const [name] = Object.entries(j.resource.google_storage_bucket as Record<string, TfJson>).find(([, b]) => b === archive(j))!;
    archive(j).logging.log_bucket = `\${google_storage_bucket.${name}.name}`;
  }, /logs to itself/],
  ["gcp.kafka-replicated", "an ACL entry for a principal outside the stack", (j) => (first(j, "google_managed_kafka_acl").acl_entries[0].principal = "User:someone@example.com"), /not a workload identity of this stack/],
  ["gcp.kafka-replicated", "an ACL entry that allows ALTER", (j) => (first(j, "google_managed_kafka_acl").acl_entries[0].operation = "ALTER"), /ACL entry allows ALTER/],
  ["gcp.keys-hsm-rotating", "software protection", (j) => (keyOf(j, "database").version_template.protection_level = "SOFTWARE"), /protection level SOFTWARE, not HSM/],
  ["gcp.keys-hsm-rotating", "no version template (software by default)", (j) => delete keyOf(j, "database").version_template, /protection level SOFTWARE, not HSM/],
  ["gcp.keys-hsm-rotating", "no rotation", (j) => delete keyOf(j, "kafka").rotation_period, /rotation period \(none\), not within 365 days/],
  ["gcp.keys-hsm-rotating", "rotation every two years", (j) => (keyOf(j, "kafka").rotation_period = `${2 * 365 * 86400}s`), /not within 365 days/],
  ["gcp.keys-hsm-rotating", "one-day destroy delay", (j) => (keyOf(j, "audit").destroy_scheduled_duration = "86400s"), /destroy delay 86400s/],
  ["gcp.keys-hsm-rotating", "the destroy delay left to the default", (j) => delete keyOf(j, "audit").destroy_scheduled_duration, /destroy delay \(default 30 days, not pinned\)/],
  ["gcp.keys-hsm-rotating", "an asymmetric signing key", (j) => (keyOf(j, "audit").purpose = "ASYMMETRIC_SIGN"), /purpose ASYMMETRIC_SIGN/],
  ["gcp.keys-hsm-rotating", "an import-only key", (j) => (keyOf(j, "audit").import_only = true), /import-only/],
  ["gcp.keys-one-per-purpose", "a key ring in another region", (j) => (first(j, "google_kms_key_ring").location = "asia-east1"), /expected one key ring in/],
  ["gcp.keys-one-per-purpose", "a key outside the region's ring", (j) => (keyOf(j, "audit").key_ring = "projects/p/locations/asia-southeast1/keyRings/other"), /outside the region's key ring/],
  ["gcp.keys-one-per-purpose", "two keys for one purpose", (j) => add(j, "google_kms_crypto_key", "second_audit", { ...keyOf(j, "audit") }), /2 keys for audit in the region's key ring, expected 1/],
  ["gcp.key-access-least-privilege", "a key-ring grant", (j) => add(j, "google_kms_key_ring_iam_member", "m", { key_ring_id: "x", role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: "user:a@b.c" }), /a key-ring grant reaches every key/],
  ["gcp.key-access-least-privilege", "an admin role on a key", (j) => (j.resource.google_kms_crypto_key_iam_member.keys_audit_service_agent.role = "roles/cloudkms.admin"), /role roles\/cloudkms\.admin, expected/],
  ["gcp.key-access-least-privilege", "a grant on a key of another stack", (j) => (j.resource.google_kms_crypto_key_iam_member.keys_audit_service_agent.crypto_key_id = "projects/p/locations/l/keyRings/r/cryptoKeys/k"), /not a key of this stack/],
  ["gcp.key-access-least-privilege", "the tokenization key granted to a service that does not declare it", (j) =>
    (j.resource.google_kms_crypto_key_iam_member["access-tokenization-service-tokenization"].member = "serviceAccount:${google_service_account.gke_workload-payment-core.email}"), /not a service that declares access\.tokenizationKey/],
  ["gcp.cmek", "Kubernetes secrets under the disks key", (j) => (first(j, "google_container_cluster").database_encryption.key_name = "${google_kms_crypto_key.keys_disks_key.id}"), /is not the stack's gke-secrets key/],
  ["gcp.cmek", "the initial nodes' boot disks under the logs key", (j) => (first(j, "google_container_cluster").node_config.boot_disk_kms_key = "${google_kms_crypto_key.keys_logs_key.id}"), /boot disks are not under the disks key/],
  ["gcp.key-access-least-privilege", "the database key granted to the Kafka agent", (j) =>
    (Object.values(j.resource.google_kms_crypto_key_iam_member as Record<string, TfJson>).find((m) => String(m.member).includes("cloud-sql"))!.member = `serviceAccount:service-418273645091@gcp-sa-managedkafka.iam.gserviceaccount.com`)],
  ["gcp.key-access-least-privilege", "an authoritative key binding", (j) => add(j, "google_kms_crypto_key_iam_binding", "b", { crypto_key_id: "x", role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", members: ["user:a@b"] }), /google_kms_crypto_key_iam_binding is authoritative/],
  ["gcp.cmek", "Cloud SQL under the kafka key", (j) => (first(j, "google_sql_database_instance").encryption_key_name = "${google_kms_crypto_key.keys_kafka_key.id}"), /is not the stack's database key/],
  ["gcp.cmek", "Managed Kafka under Google-managed encryption", (j) => delete first(j, "google_managed_kafka_cluster").gcp_config.kms_key, /Google-managed encryption, not a customer-managed key/],
  ["gcp.cmek", "Kubernetes secrets in plaintext", (j) => (first(j, "google_container_cluster").database_encryption.state = "DECRYPTED"), /Kubernetes secrets not envelope-encrypted/],
  ["gcp.private-only", "Cloud SQL with a public IP", (j) => (first(j, "google_sql_database_instance").settings.ip_configuration.ipv4_enabled = true)],
  ["gcp.private-only", "a public GKE endpoint", (j) => (first(j, "google_container_cluster").private_cluster_config.enable_private_endpoint = false)],
  ["gcp.private-only", "the default route kept", (j) => (first(j, "google_compute_network").delete_default_routes_on_create = false)],
  ["gcp.private-only", "a NAT gateway", (j) => add(j, "google_compute_router_nat", "nat", { name: "nat", router: "r" })],
  ["gcp.private-only", "a public bucket", (j) => add(j, "google_storage_bucket_iam_member", "public", { bucket: "x", role: "roles/storage.objectViewer", member: "allUsers" })],
  ["gcp.private-only", "partners accepted automatically", (j) => (attachment(j).connection_preference = "ACCEPT_AUTOMATIC")],
  ["gcp.subnets-private-logged", "flow logs sampled", (j) => (first(j, "google_compute_subnetwork").log_config.flow_sampling = 0.1)],
  ["gcp.database-hardened", "plaintext allowed", (j) => (sql(j).ip_configuration.ssl_mode = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"), /ssl_mode ALLOW_UNENCRYPTED_AND_ENCRYPTED/],
  ["gcp.database-hardened", "no SSL mode", (j) => delete sql(j).ip_configuration.ssl_mode, /ssl_mode \(unset: plaintext allowed\)/],
  ["gcp.database-hardened", "zonal", (j) => (sql(j).availability_type = "ZONAL"), /availability ZONAL, not REGIONAL/],
  ["gcp.database-hardened", "availability left to the default", (j) => delete sql(j).availability_type, /availability ZONAL, not REGIONAL/],
  ["gcp.database-hardened", "a root password", (j) => (first(j, "google_sql_database_instance").root_password = "${var.pw}"), /a root password in the stack/],
  ["gcp.database-hardened", "IAM authentication off", (j) => (dbFlag(j, "cloudsql.iam_authentication").value = "off"), /IAM database authentication off/],
  ["gcp.database-hardened", "connections not logged", (j) => (dbFlag(j, "log_connections").value = "off"), /connections not logged/],
  ["gcp.database-hardened", "disconnections not logged", (j) => (dbFlag(j, "log_disconnections").value = "off"), /connections not logged/],
  ["gcp.database-hardened", "backups off", (j) => (sql(j).backup_configuration.enabled = false), /backups or point-in-time recovery off/],
  ["gcp.database-hardened", "point-in-time recovery off", (j) => (sql(j).backup_configuration.point_in_time_recovery_enabled = false), /backups or point-in-time recovery off/],
  ["gcp.database-hardened", "six backups kept", (j) => (sql(j).backup_configuration.backup_retention_settings.retained_backups = 6), /fewer than 7 backups kept/],
  ["gcp.database-hardened", "deletion protection off in Terraform", (j) => (first(j, "google_sql_database_instance").deletion_protection = false), /not deletion-protected/],
  ["gcp.database-hardened", "deletion protection off in the API", (j) => (sql(j).deletion_protection_enabled = false), /not deletion-protected/],
  ["gcp.database-users", "a built-in user", (j) => (first(j, "google_sql_user").type = "BUILT_IN"), /type BUILT_IN, expected CLOUD_IAM_SERVICE_ACCOUNT/],
  ["gcp.database-users", "a write-only password", (j) => (first(j, "google_sql_user").password_wo = "${var.pw}"), /: a password/],
  ["preflight.cmek-grant-propagated", "Cloud SQL created right after its key's grant", (j) => {
    const sql = first(j, "google_sql_database_instance");
    sql.depends_on = (sql.depends_on as string[]).filter((d) => !d.startsWith("time_sleep."));
  }, /google_sql_database_instance\.\S+: does not wait for \S+ to propagate/],
  ["preflight.cmek-grant-propagated", "the GKE cluster created right after the container engine's grant", (j) => {
    const gke = first(j, "google_container_cluster");
    gke.depends_on = ((gke.depends_on as string[] | undefined) ?? []).filter((d) => !d.startsWith("time_sleep."));
  }, /google_container_cluster\.\S+: does not wait for \S+ to propagate/],
  ["preflight.cmek-grant-propagated", "a wait too short to propagate", (j) => Object.values(j.resource.time_sleep as Record<string, TfJson>).forEach((t) => (t.create_duration = "5s")), /does not wait for \S+ to propagate/],
  ["preflight.cmek-grant-propagated", "a wait that does not follow the grant", (j) => Object.values(j.resource.time_sleep as Record<string, TfJson>).forEach((t) => { delete t.depends_on; delete t.triggers; }), /does not wait for \S+ to propagate/],
  ["gcp.database-users", "a database user with a password", (j) => add(j, "google_sql_user", "admin", { instance: "x", name: "admin", password: "${var.pw}" })],
  ["gcp.database-users", "a user for a service that declares no database access", (j) =>
    add(j, "google_sql_user", "fraud", { instance: "x", name: "${trimsuffix(google_service_account.gke_workload-fraud-engine.email, \".gserviceaccount.com\")}", type: "CLOUD_IAM_SERVICE_ACCOUNT" })],
  ["gcp.database-users", "a login to every instance of the project", (j) => {
    const m = Object.values(j.resource.google_project_iam_member as Record<string, TfJson>).find((x) => x.role === "roles/cloudsql.instanceUser")!;
    delete m.condition;
  }],
  ["preflight.workload-identity-after-cluster", "a Workload Identity binding before the cluster", (j) => {
    const b = Object.values(j.resource.google_service_account_iam_member as Record<string, TfJson>).find((x) => String(x.member).includes(".svc.id.goog["))!;
    delete b.depends_on;
  }, /google_service_account_iam_member\.\S+: names a Workload Identity principal but does not wait/],
  ["preflight.workload-identity-after-cluster", "a project-level Workload Identity member with no order", (j) =>
    add(j, "google_project_iam_member", "wi", { project: "p", role: "roles/viewer", member: "serviceAccount:acme-pay-apac-prod.svc.id.goog[payments/x]" }), /google_project_iam_member\.wi: names a Workload Identity principal but does not wait/],
  ["preflight.node-pool-starts-with-nodes", "the node pool starts empty", (j) => delete first(j, "google_container_node_pool").initial_node_count, /starts with 0 node\(s\) per zone/],
  ["preflight.node-pool-starts-with-nodes", "the node pool starts under its minimum", (j) => {
    const p = first(j, "google_container_node_pool");
    p.initial_node_count = 1;
    p.autoscaling.min_node_count = 2;
  }, /starts with 1 node\(s\) per zone, its minimum is 2/],
  ["gcp.merchant-nodes", "the merchants' taint removed", (j) => delete j.resource.google_container_node_pool.gke_merchant_node_pool.node_config.taint, /0 merchants' pools/],
  ["gcp.merchant-nodes", "two merchants' pools", (j) => add(j, "google_container_node_pool", "second", cloneJson(j.resource.google_container_node_pool.gke_merchant_node_pool)), /2 merchants' pools/],
  ["gcp.merchant-nodes", "the merchants' taint only preferred", (j) => (j.resource.google_container_node_pool.gke_merchant_node_pool.node_config.taint[0].effect = "PREFER_NO_SCHEDULE"), /taint pci.blueprint\/tenant=merchant:PREFER_NO_SCHEDULE, expected merchant:NO_SCHEDULE/],
  ["gcp.merchant-nodes", "the merchants' taint with another value", (j) => (j.resource.google_container_node_pool.gke_merchant_node_pool.node_config.taint[0].value = "x"), /taint pci.blueprint\/tenant=x:NO_SCHEDULE/],
  ["gcp.merchant-nodes", "the merchants' label removed", (j) => delete j.resource.google_container_node_pool.gke_merchant_node_pool.node_config.labels, /no label pci.blueprint\/tenant=merchant/],
  ["gcp.merchant-nodes", "the merchants under the platform nodes' account", (j) =>
    (j.resource.google_container_node_pool.gke_merchant_node_pool.node_config.service_account = j.resource.google_container_node_pool.gke_node_pool.node_config.service_account), /runs as the platform nodes' service account/],
  ["gcp.merchant-nodes", "the data tier's rule for every instance", (j) => delete j.resource.google_compute_firewall.network_nodes_to_data.target_service_accounts, /network_nodes_to_data: lets every instance open the data tier's ports/],
  ["gcp.merchant-nodes", "the data tier's rule for the merchant nodes too", (j) =>
    j.resource.google_compute_firewall.network_nodes_to_data.target_service_accounts.push("${google_service_account.merchant_node_identity_account.email}"), /network_nodes_to_data: lets the merchant nodes open the data tier's ports/],
  ["gcp.merchant-nodes", "every port of the data subnet for the merchant nodes", (j) =>
    add(j, "google_compute_firewall", "m_data", { direction: "EGRESS", destination_ranges: ["10.30.0.0/16"], allow: [{ protocol: "tcp" }], target_service_accounts: ["${google_service_account.merchant_node_identity_account.email}"] }), /m_data: lets the merchant nodes open the data tier's ports/],
  ["gcp.merchant-nodes", "every protocol to every destination for the merchant nodes", (j) =>
    add(j, "google_compute_firewall", "m_all", { direction: "EGRESS", allow: [{ protocol: "all" }], target_service_accounts: ["${google_service_account.merchant_node_identity_account.email}"] }), /m_all: lets the merchant nodes open the data tier's ports/],
  ["gcp.merchant-nodes", "the database's port to a range written as an expression", (j) =>
    add(j, "google_compute_firewall", "m_expr", { direction: "EGRESS", destination_ranges: ["${var.range}"], allow: [{ protocol: "tcp", ports: ["5432"] }], target_service_accounts: ["${google_service_account.merchant_node_identity_account.email}"] }), /m_expr: lets the merchant nodes open/],
  ["gcp.gke-hardened", "metadata server exposed to pods", (j) => (first(j, "google_container_node_pool").node_config.workload_metadata_config.mode = "GCE_METADATA"), /workload metadata mode is not GKE_METADATA/],
  ["gcp.gke-hardened", "nodes as the default compute account", (j) => (first(j, "google_container_node_pool").node_config.service_account = "default"), /Compute Engine default service account/],
  ["gcp.gke-hardened", "nodes as the compute account by its address", (j) => (first(j, "google_container_node_pool").node_config.service_account = "123456789-compute@developer.gserviceaccount.com"), /Compute Engine default service account/],
  ["gcp.gke-hardened", "nodes with no service account", (j) => delete first(j, "google_container_node_pool").node_config.service_account, /Compute Engine default service account/],
  ["gcp.gke-hardened", "nodes in one zone", (j) => (first(j, "google_container_node_pool").node_locations = ["asia-southeast1-a"]), /nodes not in every zone/],
  ["gcp.gke-hardened", "nodes placed by GKE", (j) => delete first(j, "google_container_node_pool").node_locations, /nodes not in every zone \(none\)/],
  ["gcp.gke-hardened", "Workload Identity off", (j) => delete first(j, "google_container_cluster").workload_identity_config, /Workload Identity off/],
  ["gcp.gke-hardened", "the legacy dataplane without network policy", (j) => (first(j, "google_container_cluster").datapath_provider = "LEGACY_DATAPATH"), /NetworkPolicies not enforced/],
  ["gcp.gke-hardened", "shielded nodes off", (j) => (first(j, "google_container_cluster").enable_shielded_nodes = false), /shielded nodes off/],
  ["gcp.gke-hardened", "the API server's log off", (j) => (first(j, "google_container_cluster").logging_config.enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]), /control-plane log APISERVER off/],
  ["gcp.gke-hardened", "client certificates", (j) => (first(j, "google_container_cluster").master_auth.client_certificate_config.issue_client_certificate = true), /client certificates may be issued/],
  ["gcp.gke-hardened", "legacy ABAC", (j) => (first(j, "google_container_cluster").enable_legacy_abac = true), /legacy ABAC on/],
  ["gcp.gke-hardened", "cluster deletion protection off", (j) => (first(j, "google_container_cluster").deletion_protection = false), /^google_container_cluster\.[\w-]+: not deletion-protected/],
  ["gcp.gke-hardened", "the default pool's nodes without secure boot", (j) => (first(j, "google_container_cluster").node_config.shielded_instance_config.enable_secure_boot = false), /^google_container_cluster\.[\w-]+: nodes boot without secure boot/],
  ["gcp.gke-hardened", "node pool without auto-repair", (j) => (first(j, "google_container_node_pool").management.auto_repair = false), /auto-repair off/],
  ["gcp.bucket-access-logged", "archive without usage logs", (j) => delete archive(j).logging, /no usage logs/],
  ["gcp.kafka-replicated", "a topic with one replica", (j) => (first(j, "google_managed_kafka_topic").replication_factor = 1)],
  ["gcp.kafka-replicated", "an ACL on every topic", (j) => (first(j, "google_managed_kafka_acl").acl_id = "allTopics")],
  ["gcp.iam-least-privilege", "nodes made editors", (j) => (first(j, "google_project_iam_member").role = "roles/editor"), /role roles\/editor is too broad/],
  ["gcp.iam-least-privilege", "a service account key", (j) => add(j, "google_service_account_key", "k", { service_account_id: "x" }), /a long-lived service account key/],
  ["gcp.stateful-protected", "Cloud SQL destroyable", (j) => delete first(j, "google_sql_database_instance").lifecycle],
  ["residency.in-jurisdiction", "a bucket in Europe", (j) => (archive(j).location = "europe-west1")],
  ["residency.in-jurisdiction", "backups in the US", (j) => (first(j, "google_sql_database_instance").settings.backup_configuration.location = "us-central1")],
  ["secrets.no-literals", "a literal root password", (j) => (first(j, "google_sql_database_instance").root_password = "hunter2")],
  ["stack.reviewed-resource-types", "a Compute Engine VM", (j) => add(j, "google_compute_instance", "vm", { name: "vm" })],
  ["secrets.no-key-material", "a key generated by Terraform", (j) => add(j, "tls_private_key", "k", { algorithm: "RSA" })],
  ["stack.no-data-sources", "a project lookup", (j) => (j.data = { google_project: { p: {} } })],
  ["gcp.firewall-default-deny-logged", "an allow rule with no source (GCP reads 0.0.0.0/0)", (j) => delete firewall(j, "allow-nodes-pods").source_ranges, /allows ingress from 0\.0\.0\.0\/0/],
  ["gcp.firewall-default-deny-logged", "an allow rule for every instance", (j) => delete firewall(j, "allow-nodes-to-data").target_service_accounts],
  ["gcp.firewall-default-deny-logged", "deny-all egress narrowed to one account", (j) => (firewall(j, "deny-all-egress").target_service_accounts = ["nobody@p.iam.gserviceaccount.com"])],
  ["gcp.iam-least-privilege", "KMS decrypt on the whole project", (j) => add(j, "google_project_iam_member", "kms", { project: "p", role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: "serviceAccount:x@p.iam.gserviceaccount.com" }), /roles\/cloudkms.cryptoKeyEncrypterDecrypter on the whole project/],
  ["gcp.iam-least-privilege", "a custom role", (j) => (first(j, "google_project_iam_member").role = "projects/acme-pay-apac-prod/roles/everything"), /custom role projects\//],
  ["gcp.iam-least-privilege", "Workload Identity for an undeclared account", (j) => (first(j, "google_service_account_iam_member").member = "serviceAccount:acme-pay-apac-prod.svc.id.goog[merchant-24680/default]"), /Workload Identity for \S+, not a declared service's or the CAS issuer's account/],
  ["gcp.iam-least-privilege", "images readable by anyone", (j) => (first(j, "google_artifact_registry_repository_iam_member").member = "allUsers"), /grants to allUsers/],
  ["gcp.iam-least-privilege", "Kafka client on every cluster", (j) => delete Object.values(j.resource.google_project_iam_member as Record<string, TfJson>).find((m) => m.role === "roles/managedkafka.client")!.condition, /managedkafka.client on every cluster/],
  ["gcp.iam-least-privilege", "nodes made owners", (j) => (first(j, "google_project_iam_member").role = "roles/owner"), /role roles\/owner is too broad/],
  ["gcp.iam-least-privilege", "nodes made viewers of everything", (j) => (first(j, "google_project_iam_member").role = "roles/viewer"), /role roles\/viewer is too broad/],
  ["gcp.iam-least-privilege", "an admin role", (j) => (first(j, "google_project_iam_member").role = "roles/storage.admin"), /role roles\/storage.admin is too broad/],
  ["gcp.iam-least-privilege", "an object admin role", (j) => (first(j, "google_project_iam_member").role = "roles/storage.objectAdmin"), /role roles\/storage.objectAdmin is too broad/],
  ["gcp.iam-least-privilege", "minting tokens as any service account", (j) => (first(j, "google_project_iam_member").role = "roles/iam.serviceAccountTokenCreator"), /role roles\/iam.serviceAccountTokenCreator is too broad/],
  ["gcp.iam-least-privilege", "moving the project", (j) => (first(j, "google_project_iam_member").role = "roles/resourcemanager.projectMover"), /role roles\/resourcemanager.projectMover is too broad/],
  ["gcp.iam-least-privilege", "an organization's custom role", (j) => (first(j, "google_project_iam_member").role = "organizations/123/roles/everything"), /custom role organizations\//],
  ["gcp.iam-least-privilege", "a grant to every Google account", (j) => (first(j, "google_project_iam_member").member = "allAuthenticatedUsers"), /grants to allAuthenticatedUsers/],
  ["gcp.iam-least-privilege", "Workload Identity user on the whole project", (j) => (first(j, "google_project_iam_member").role = "roles/iam.workloadIdentityUser"), /roles\/iam.workloadIdentityUser on the whole project/],
  ["gcp.iam-least-privilege", "image pushes granted", (j) => (first(j, "google_artifact_registry_repository_iam_member").role = "roles/artifactregistry.writer"), /only pulls are granted/],
  ["gcp.iam-least-privilege", "acting as a service account", (j) => (first(j, "google_service_account_iam_member").role = "roles/iam.serviceAccountUser"), /act as a service account \(roles\/iam.serviceAccountUser\)/],
  ["gcp.iam-least-privilege", "Workload Identity from another project's pool", (j) => {
    const m = first(j, "google_service_account_iam_member");
    m.member = String(m.member).replace(/^serviceAccount:[^[]+\.svc\.id\.goog/, "serviceAccount:someone-else.svc.id.goog");
  }, /Workload Identity for serviceAccount:someone-else/],
  ["gcp.iam-least-privilege", "a service account usable by a person", (j) => (first(j, "google_service_account_iam_member").member = "user:someone@example.com"), /Workload Identity for user:someone@example.com/],
  ["gcp.iam-least-privilege", "a custom role defined", (j) => add(j, "google_project_iam_custom_role", "r", { role_id: "everything", permissions: ["*"] }), /a custom role \(its permissions are reviewed nowhere\)/],
  ["gcp.iam-least-privilege", "an authoritative project binding", (j) => add(j, "google_project_iam_binding", "b", { project: "p", role: "roles/logging.viewer", members: ["group:x@example.com"] }), /google_project_iam_binding is authoritative/],
  ["gcp.iam-least-privilege", "an authoritative project policy", (j) => add(j, "google_project_iam_policy", "p", { project: "p", policy_data: "{}" }), /google_project_iam_policy is authoritative/],
  ["gcp.kafka-replicated", "an ACL for everyone", (j) => (first(j, "google_managed_kafka_acl").acl_entries[0].principal = "User:*")],
  ["gcp.private-only", "an external DNS endpoint for the control plane", (j) => (first(j, "google_container_cluster").control_plane_endpoints_config = { dns_endpoint_config: { allow_external_traffic: true } }), /the control plane's DNS endpoint admits external traffic/],
  ["gcp.private-only", "a node pool with public IPs", (j) => (first(j, "google_container_node_pool").network_config = { enable_private_nodes: false }), /the pool's nodes have public IPs/],
  ["gcp.private-only", "an extra partner project", (j) => attachment(j).consumer_accept_lists.push({ project_id_or_num: "someone-else", connection_limit: 10 }), /not the declared partners/],
  ["gcp.private-only", "another project may connect to Cloud SQL", (j) => first(j, "google_sql_database_instance").settings.ip_configuration.psc_config[0].allowed_consumer_projects.push("someone-else"), /project someone-else may connect through PSC/],
  ["gcp.private-only", "a PSC endpoint to a foreign service", (j) => (Object.values(j.resource.google_compute_forwarding_rule as Record<string, TfJson>).find((f) => f.load_balancing_scheme === "")!.target = "projects/x/regions/y/serviceAttachments/z"), /a PSC endpoint to projects\/x\/regions\/y\/serviceAttachments\/z, outside this stack/],
  ["gcp.private-only", "Cloud SQL with a public IPv4 address", (j) => (sql(j).ip_configuration.ipv4_enabled = true), /public IPv4 on/],
  ["gcp.private-only", "Cloud SQL open to an address range", (j) => (sql(j).ip_configuration.authorized_networks = [{ value: "10.0.0.0/8" }]), /authorized networks open it to addresses/],
  ["gcp.private-only", "a public range may reach the control plane", (j) => first(j, "google_container_cluster").master_authorized_networks_config.cidr_blocks.push({ cidr_block: "8.8.8.0/24", display_name: "x" }), /authorized network 8.8.8.0\/24 is not private/],
  ["gcp.private-only", "a cluster with public nodes", (j) => (first(j, "google_container_cluster").private_cluster_config.enable_private_nodes = false), /: nodes have public IPs/],
  ["gcp.private-only", "a public control plane endpoint", (j) => (first(j, "google_container_cluster").private_cluster_config.enable_private_endpoint = false), /the control plane has a public endpoint/],
  ["gcp.private-only", "Google Cloud's public ranges admitted to the control plane", (j) => (first(j, "google_container_cluster").master_authorized_networks_config.gcp_public_cidrs_access_enabled = true), /Google Cloud's public ranges may reach the control plane/],
  ["gcp.private-only", "no authorized networks", (j) => (first(j, "google_container_cluster").master_authorized_networks_config.cidr_blocks = []), /no authorized networks/],
  ["gcp.private-only", "a VM with an external IP", (j) => add(j, "google_compute_instance", "vm", { name: "vm", network_interface: [{ network: "x", access_config: [{}] }] }), /has an external IP/],
  ["gcp.private-only", "an external address", (j) => (first(j, "google_compute_address").address_type = "EXTERNAL"), /^google_compute_address\.\S+: an external address/],
  ["gcp.private-only", "an external global address", (j) => (first(j, "google_compute_global_address").address_type = "EXTERNAL"), /^google_compute_global_address\.\S+: an external address/],
  ["gcp.private-only", "an internet-facing load balancer", (j) => (ilb(j).load_balancing_scheme = "EXTERNAL_MANAGED"), /load balancing scheme EXTERNAL_MANAGED \(internet-facing\)/],
  ["gcp.private-only", "a forwarding rule with the default (external) scheme", (j) => delete ilb(j).load_balancing_scheme, /load balancing scheme EXTERNAL \(internet-facing\)/],
  ["gcp.private-only", "a service attachment that accepts anyone", (j) => (attachment(j).connection_preference = "ACCEPT_AUTOMATIC"), /accepts every project's connections/],
  ["gcp.private-only", "a bucket without public access prevention", (j) => (archive(j).public_access_prevention = "inherited"), /public access prevention not enforced/],
  ["gcp.private-only", "a bucket with object ACLs", (j) => (archive(j).uniform_bucket_level_access = false), /object ACLs enabled/],
  ["gcp.private-only", "a bucket readable by anyone", (j) => (first(j, "google_storage_bucket_iam_member").member = "allUsers"), /grants \S+ to allUsers/],
  ["gcp.private-only", "a bucket readable by every Google account", (j) => (first(j, "google_storage_bucket_iam_member").member = "allAuthenticatedUsers"), /grants \S+ to allAuthenticatedUsers/],
  ["gcp.private-only", "a NAT gateway", (j) => add(j, "google_compute_router_nat", "nat", { name: "nat", router: "r" }), /a NAT gateway/],
  ["gcp.private-only", "a route to the internet", (j) => add(j, "google_compute_route", "out", { name: "out", dest_range: "0.0.0.0/0", next_hop_gateway: "default-internet-gateway" }), /a route to default-internet-gateway/],
  ["gcp.private-only", "an auto-mode VPC", (j) => (first(j, "google_compute_network").auto_create_subnetworks = true), /auto-mode/],
  ["gcp.private-only", "the default internet route kept", (j) => (first(j, "google_compute_network").delete_default_routes_on_create = false), /keeps the default route to the internet/],
  ["gcp.subnets-private-logged", "Private Google Access off", (j) => (subnet(j).private_ip_google_access = false), /Private Google Access off/],
  ["gcp.subnets-private-logged", "flow logs sampled", (j) => (subnet(j).log_config.flow_sampling = 0.5), /flow logs missing, sampled or without metadata/],
  ["gcp.subnets-private-logged", "flow logs without metadata", (j) => (subnet(j).log_config.metadata = "EXCLUDE_ALL_METADATA"), /flow logs missing, sampled or without metadata/],
  ["gcp.subnets-private-logged", "no flow logs", (j) => delete subnet(j).log_config, /flow logs missing, sampled or without metadata/],
  ["gcp.perimeter", "the perimeter in another access policy", (j) => (first(j, "google_access_context_manager_service_perimeter").parent = "accessPolicies/999"), /0 perimeters in \S+, expected 1/],
  ["gcp.perimeter", "the VPC unrestricted", (j) => (first(j, "google_access_context_manager_service_perimeter").spec.vpc_accessible_services.enable_restriction = false), /the VPC may reach services outside the perimeter/],
  ["gcp.perimeter", "the VPC may reach every service", (j) => (first(j, "google_access_context_manager_service_perimeter").spec.vpc_accessible_services.allowed_services = ["ALL-SERVICES"]), /the VPC may reach services outside the perimeter/],
  ["gcp.perimeter", "an undeclared identity may enter", (j) => (first(j, "google_access_context_manager_service_perimeter").spec.ingress_policies[0].ingress_from.identities = ["user:someone@example.com"]), /admits user:someone@example.com from outside/],
  ["gcp.perimeter", "the deploy identity from no access level", (j) => (first(j, "google_access_context_manager_service_perimeter").spec.ingress_policies[0].ingress_from.sources = []), /from anywhere, not only from/],
  ["gcp.perimeter", "data may leave the perimeter", (j) => (first(j, "google_access_context_manager_service_perimeter").spec.egress_policies = [{ egress_from: { identity_type: "ANY_IDENTITY" }, egress_to: { resources: ["*"] } }]), /egress policies let data leave the perimeter/],
  ["gcp.perimeter", "the project outside the perimeter", (j) => (first(j, "google_access_context_manager_service_perimeter").spec.resources = []), /the project is not inside/],
  ["gcp.perimeter", "Cloud SQL unrestricted", (j) => first(j, "google_access_context_manager_service_perimeter").spec.restricted_services.shift(), /sqladmin.googleapis.com not restricted/],
  ["gcp.perimeter", "gcr.io unrestricted (GKE's system images could not be pulled)", (j) => first(j, "google_access_context_manager_service_perimeter").spec.restricted_services.pop()],
  ["gcp.perimeter", "anyone may enter", (j) => (first(j, "google_access_context_manager_service_perimeter").spec.ingress_policies[0].ingress_from = { identity_type: "ANY_IDENTITY" }), /admits ANY_IDENTITY from outside/],
  ["gcp.perimeter", "the deploy identity enters from anywhere", (j) => (first(j, "google_access_context_manager_service_perimeter").spec.ingress_policies[0].ingress_from.sources = [{ access_level: "*" }]), /not only from/],
  ["gcp.perimeter", "the break-glass identities from the runners' access level", (j) => {
    const policies = first(j, "google_access_context_manager_service_perimeter").spec.ingress_policies;
    policies[1].ingress_from.sources = policies[0].ingress_from.sources;
  }, /not only from/],
  ["preflight.perimeter-staged", "Access Context Manager billed to the caller's project", (j) => (j.provider.google[0].user_project_override = false), /no quota project/],
  ["preflight.perimeter-staged", "a perimeter with neither a dry-run spec nor a status", (j) => delete first(j, "google_access_context_manager_service_perimeter").spec, /enforced before its dry run/],
  ["preflight.perimeter-staged", "enforced in the first deploy", (j) => {
    const p = first(j, "google_access_context_manager_service_perimeter");
    p.status = p.spec;
    delete p.spec;
    delete p.use_explicit_dry_run_spec;
  }, /enforced before its dry run/],
  ["preflight.perimeter-staged", "a dry-run spec that is not used as one", (j) => delete first(j, "google_access_context_manager_service_perimeter").use_explicit_dry_run_spec, /enforced before its dry run/],
  ["preflight.perimeter-staged", "before the services it protects", (j) => delete first(j, "google_access_context_manager_service_perimeter").depends_on, /not ordered after/],
  ["preflight.perimeter-staged", "no break-glass way in", (j) => first(j, "google_access_context_manager_service_perimeter").spec.ingress_policies.pop(), /no break-glass ingress/],
  ["preflight.perimeter-staged", "no quota project for Access Context Manager", (j) => delete j.provider.google[0].billing_project, /no quota project/],
  ["gcp.perimeter", "APIs outside the vpc-sc bundle", (j) => (first(j, "google_compute_global_forwarding_rule").target = "all-apis"), /Google APIs not through the vpc-sc bundle/],
  ["gcp.audit-logging", "the sink filtered", (j) => (first(j, "google_logging_project_sink").filter = "severity>=ERROR")],
  ["gcp.audit-logging", "one day of logs", (j) => (first(j, "google_logging_project_bucket_config").retention_days = 1)],
  ["gcp.audit-logging", "data-access logs off", (j) => delete j.resource.google_project_iam_audit_config],
  ["gcp.locations-in-jurisdiction", "the archive in the ASIA multi-region", (j) => (archive(j).location = "ASIA")],
  ["gcp.locations-in-jurisdiction", "a global log bucket", (j) => (first(j, "google_logging_project_bucket_config").location = "global")],
  // Per condition (issue 17): each of these is the only weakening that one condition of its rule answers.
  ["gcp.audit-archive", "the access-log bucket's retention shortened", (j) => (accessLogs(j).retention_policy.retention_period = 30 * 86400), /^google_storage_bucket\.\S*access_logs: retention 2592000 s/],
  ["gcp.audit-archive", "retention a day longer than the region file says (above the floor)", (j) => (archive(j).retention_policy.retention_period += 86400), /retention 34646400 s, expected 400 days/],
  ["gcp.audit-archive", "a region that keeps audit records 100 days, and buckets that follow it (the config refuses it; the rule holds the 365-day floor)", (j) =>
    [archive(j), accessLogs(j)].forEach((b) => (b.retention_policy.retention_period = 100 * 86400)), {
    says: /retention 8640000 s, expected 100 days \(at least 365\)/,
    region: (r) => ({ ...r, retention: { ...r.retention, auditArchiveDays: 100 } }),
  }],
  ["gcp.audit-archive", "cold storage by a rule that does not change the storage class", (j) => (archive(j).lifecycle_rule[0].action.type = "AbortIncompleteMultipartUpload"), /no move to colder storage after 90 days/],
  ["gcp.bucket-access-logged", "the archive logs to a bucket outside this stack", (j) => (archive(j).logging.log_bucket = "someone-elses-logs"), /logs to a bucket outside this stack/],
  ["gcp.audit-logging", "the log bucket global", (j) => (first(j, "google_logging_project_bucket_config").location = "global"), /no regional CMEK log bucket/],
  ["gcp.audit-logging", "the log bucket without CMEK", (j) => delete first(j, "google_logging_project_bucket_config").cmek_settings, /no regional CMEK log bucket/],
  ["gcp.audit-logging", "logs kept a day less than the region file says (above the floor)", (j) => (first(j, "google_logging_project_bucket_config").retention_days -= 1), /retention 399 days, expected 400/],
  ["gcp.audit-logging", "a region that keeps logs 30 days, and a bucket that follows it (the config refuses it; the rule holds the 365-day floor)", (j) => (first(j, "google_logging_project_bucket_config").retention_days = 30), {
    says: /retention 30 days, expected 30/,
    region: (r) => ({ ...r, retention: { ...r.retention, logDays: 30 } }),
  }],
  ["gcp.audit-logging", "the sink to another destination", (j) => (first(j, "google_logging_project_sink").destination = "storage.googleapis.com/someone-elses-bucket"), /no sink to the regional log bucket/],
  ["gcp.audit-logging", "data-access audit logs for one service only", (j) => (first(j, "google_project_iam_audit_config").service = "storage.googleapis.com"), /no data-access audit logs for allServices/],
  ["gcp.database-users", "a password on a declared user", (j) => (first(j, "google_sql_user").password = "${var.pw}"), /^google_sql_user\.\S+: a password/],
  ["gcp.database-users", "a second, unconditioned instance-user grant for a service", (j) => {
    const grant = cloneJson(resourcesOf(j, "google_project_iam_member").find(([, m]) => m.role === "roles/cloudsql.instanceUser")![1]);
    delete grant.condition;
    add(j, "google_project_iam_member", "second_login", grant);
  }, /has no roles\/cloudsql\.instanceUser limited to this instance/],
  ["gcp.gke-hardened", "nodes in two of the zones", (j) => (first(j, "google_container_node_pool").node_locations = ["asia-southeast1-a", "asia-southeast1-b"]), /nodes not in every zone \(asia-southeast1-a, asia-southeast1-b\)/],
  ["gcp.iam-least-privilege", "an admin role with a version suffix", (j) => (first(j, "google_project_iam_member").role = "roles/compute.instanceAdmin.v1"), /role roles\/compute\.instanceAdmin\.v1 is too broad/],
  ["gcp.iam-least-privilege", "Workload Identity for a service that declares no access", (j) => (first(j, "google_service_account_iam_member").member = "serviceAccount:acme-pay-apac-prod.svc.id.goog[payments/payment-service]"), /Workload Identity for \S+payment-service\], not a declared service's or the CAS issuer's account/],
  ["gcp.iam-least-privilege", "Workload Identity for a principal that only contains the pool's", (j) => {
    const m = first(j, "google_service_account_iam_member");
    m.member = `principal:${m.member}`;
  }, /Workload Identity for principal:serviceAccount:/],
  ["gcp.iam-least-privilege", "Workload Identity for the pool's principal with a suffix", (j) => {
    const m = first(j, "google_service_account_iam_member");
    m.member = `${m.member}/extra`;
  }, /Workload Identity for \S+\/extra, not/],
  ["gcp.kafka-replicated", "min.insync.replicas 1", (j) => (first(j, "google_managed_kafka_topic").configs["min.insync.replicas"] = "1"), /min\.insync\.replicas is not 2/],
  ["gcp.kafka-replicated", "unclean leader election on", (j) => (first(j, "google_managed_kafka_topic").configs["unclean.leader.election.enable"] = "true"), /unclean leader election on/],
  ["gcp.kafka-replicated", "an ACL entry for a principal that only contains a workload identity", (j) => {
    const e = first(j, "google_managed_kafka_acl").acl_entries[0];
    e.principal = `Group:${e.principal}`;
  }, /ACL entry for Group:User:\S+, not a workload identity of this stack/],
  ["gcp.kafka-replicated", "an ACL entry for a workload identity with a suffix", (j) => {
    const e = first(j, "google_managed_kafka_acl").acl_entries[0];
    e.principal = `${e.principal},User:*`;
  }, /ACL entry for \S+,User:\*, not a workload identity of this stack/],
  ["gcp.keys-one-per-purpose", "a second key ring in the region", (j) => add(j, "google_kms_key_ring", "second", { ...first(j, "google_kms_key_ring"), name: "second" }), /expected one key ring in asia-southeast1/],
  ["gcp.keys-one-per-purpose", "a purpose's only key outside the region's ring", (j) => (keyOf(j, "audit").key_ring = "projects/p/locations/asia-southeast1/keyRings/other"), /0 keys for audit in the region's key ring, expected 1/],
  ["gcp.keys-hsm-rotating", "a rotation period of 0 s", (j) => (keyOf(j, "kafka").rotation_period = "0s"), /rotation period 0s, not within 365 days/],
  ["gcp.firewall-default-deny-logged", "deny-all ingress turned into an egress rule", (j) => (j.resource.google_compute_firewall.network_deny_all_ingress.direction = "EGRESS"), /no deny-all INGRESS rule/],
  ["gcp.firewall-default-deny-logged", "deny-all ingress narrowed to some source accounts", (j) => (j.resource.google_compute_firewall.network_deny_all_ingress.source_service_accounts = ["x@p.iam.gserviceaccount.com"]), /no deny-all INGRESS rule/],
  ["gcp.firewall-default-deny-logged", "deny-all ingress narrowed to some source tags", (j) => (j.resource.google_compute_firewall.network_deny_all_ingress.source_tags = ["web"]), /no deny-all INGRESS rule/],
  ["gcp.perimeter", "anyone may enter, the deploy identity still named", (j) => (perimeter(j).spec.ingress_policies[0].ingress_from.identity_type = "ANY_IDENTITY"), /admits ANY_IDENTITY from outside/],
  ["gcp.perimeter", "two undeclared identities may enter", (j) => (perimeter(j).spec.ingress_policies[0].ingress_from.identities = ["user:a@example.com", "user:b@example.com"]), /admits user:a@example\.com, user:b@example\.com from outside/],
  ["gcp.perimeter", "the deploy identity from its access level and another", (j) => perimeter(j).spec.ingress_policies[0].ingress_from.sources.push({ access_level: "accessPolicies/283746510923/accessLevels/anywhere" }), /admits serviceAccount:\S+ from accessPolicies\/\d+\/accessLevels\/apac_deploy_runners, accessPolicies\/\d+\/accessLevels\/anywhere, not only from/],
  ["gcp.perimeter", "a second Google APIs endpoint, outside the vpc-sc bundle", (j) =>
    add(j, "google_compute_global_forwarding_rule", "all_apis", { ...first(j, "google_compute_global_forwarding_rule"), name: "allapis", target: "all-apis" }), /Google APIs not through the vpc-sc bundle/],
  ["gcp.private-only", "a VM with an external IP on its second interface", (j) => add(j, "google_compute_instance", "vm", { name: "vm", network_interface: [{ network: "x" }, { network: "y", access_config: [{}] }] }), /has an external IP/],
  ["gcp.private-only", "an internet-facing global forwarding rule", (j) => (first(j, "google_compute_global_forwarding_rule").load_balancing_scheme = "EXTERNAL"), /^google_compute_global_forwarding_rule\.\S+: load balancing scheme EXTERNAL/],
  ["gcp.private-only", "a PSC endpoint to a target that ends like the database's attachment", (j) => (pscEndpoint(j).target = `x${pscEndpoint(j).target}`), /a PSC endpoint to x\$\{google_sql_database_instance\S+, outside this stack/],
  ["gcp.private-only", "a PSC endpoint to a target that starts like the database's attachment", (j) => (pscEndpoint(j).target = `${pscEndpoint(j).target}/other`), /a PSC endpoint to \S+\/other, outside this stack/],
  ["preflight.cmek-grant-propagated", "waits of 120 ms", (j) => Object.values(j.resource.time_sleep as Record<string, TfJson>).forEach((t) => (t.create_duration = "120ms")), /does not wait for \S+ to propagate/],
  ["preflight.cmek-grant-propagated", "negative waits", (j) => Object.values(j.resource.time_sleep as Record<string, TfJson>).forEach((t) => (t.create_duration = "-60s")), /does not wait for \S+ to propagate/],
  ["preflight.perimeter-staged", "a perimeter, though the region file names no access policy", (j) => j, { says: /the region file names no access policy/, region: noPerimeter }],
  ["preflight.perimeter-staged", "enforced in the region file, but the perimeter has no status", (j) => j, {
    says: /enforced in the region file, but has no status/,
    region: (r) => ({ ...r, vpcServiceControls: { ...r.vpcServiceControls!, enforced: true } }),
  }],
  ["preflight.perimeter-staged", "a dry run with an enforced status as well", (j) => (perimeter(j).status = cloneJson(perimeter(j).spec)), /enforced before its dry run/],
  ["preflight.perimeter-staged", "no provider block", (j) => delete j.provider, /no quota project/],
  ["gcp.perimeter", "two identities no ingress rule names, admitted from outside", (j) => (perimeter(j).spec.ingress_policies[1].ingress_from.identities = ["group:x@acme-pay.example", "group:y@acme-pay.example"]), /admits group:x@acme-pay\.example, group:y@acme-pay\.example from outside/],
  ["preflight.workload-identity-after-cluster", "the cluster the bindings wait for does not enable Workload Identity", (j) => delete first(j, "google_container_cluster").workload_identity_config, /names a Workload Identity principal but does not wait/],
  ["preflight.workload-identity-after-cluster", "a binding of a Workload Identity principal among others, with no order", (j) =>
    add(j, "google_project_iam_binding", "b", { project: "p", role: "roles/logging.logWriter", members: ["group:ops@example.com", "serviceAccount:acme-pay-apac-prod.svc.id.goog[payments/payment-core]"] }), /^google_project_iam_binding\.b: names a Workload Identity principal/],
  ["gcp.provider-pinned-to-project", "no provider block", (j) => delete j.provider, /0 provider blocks, expected 1/],
  ["gcp.provider-pinned-to-project", "no default labels", (j) => delete j.provider.google[0].default_labels, /default label region is undefined/],
  ["gcp.backend-encrypted", "no backend block", (j) => delete j.terraform.backend, /no gcs backend/],
  ["gcp.labels-not-overridden", "a bucket labelled with another region", (j) => (archive(j).labels = { region: "elsewhere" }), /label region is "elsewhere"/],
  ["gcp.labels-not-overridden", "a bucket labelled with another jurisdiction", (j) => (archive(j).labels = { jurisdiction: "us" }), /label jurisdiction is "us"/],
  ["gcp.labels-not-overridden", "a bucket labelled as public data", (j) => (archive(j).labels = { data_classification: "public" }), /label data_classification is "public"/],
  ...CA_MUTATIONS,
];

/** The other side of each bound, and spellings a rule must accept: a rule that tightens by mistake is noticed too. */
const ACCEPTED: [string, string, (j: TfJson) => void, Region?][] = [
  ["gcp.mesh-intermediate-ca", "a first deploy: the CA awaits the root's signature, its CSR read", (j) => {
    for (const key of ["pem_ca_certificate", "subordinate_config", "desired_state"]) delete ca(j)[key];
  }, firstDeploy],
  ["gcp.merchant-nodes", "a taint of another key on the platform pool", (j) => (j.resource.google_container_node_pool.gke_node_pool.node_config.taint = [{ key: "dedicated", value: "payments", effect: "NO_SCHEDULE" }])],
  ["gcp.merchant-nodes", "an ingress rule with a destination on the data subnet's ports", (j) =>
    add(j, "google_compute_firewall", "m_in_dest", { direction: "INGRESS", destination_ranges: ["10.30.32.0/24"], allow: [{ protocol: "tcp", ports: ["5432"] }], target_service_accounts: ["${google_service_account.merchant_node_identity_account.email}"] })],
  ["gcp.merchant-nodes", "a rule to the data subnet allowing only a port beside the data tier's and one of them denied", (j) =>
    add(j, "google_compute_firewall", "m_two", { direction: "EGRESS", destination_ranges: ["10.30.32.0/24", "10.30.64.0/20"], allow: [{ protocol: "tcp", ports: ["443", "8443"] }, { protocol: "udp", ports: ["53"] }], target_service_accounts: ["${google_service_account.merchant_node_identity_account.email}"] })],
  ["gcp.merchant-nodes", "the merchant nodes to the mesh's ranges on every port (not the data subnet)", (j) =>
    add(j, "google_compute_firewall", "m_mesh", { direction: "EGRESS", destination_ranges: ["10.30.64.0/20"], allow: [{ protocol: "tcp" }], target_service_accounts: ["${google_service_account.merchant_node_identity_account.email}"] })],
  ["gcp.merchant-nodes", "an ingress rule to the merchant nodes on the database's port", (j) =>
    add(j, "google_compute_firewall", "m_in", { direction: "INGRESS", source_ranges: ["10.30.0.0/16"], allow: [{ protocol: "tcp", ports: ["5432"] }], target_service_accounts: ["${google_service_account.merchant_node_identity_account.email}"] })],
  ["gcp.merchant-nodes", "a deny of the data subnet for every instance", (j) =>
    add(j, "google_compute_firewall", "m_deny", { direction: "EGRESS", destination_ranges: ["10.30.32.0/24"], deny: [{ protocol: "all" }] })],
  ["gcp.merchant-nodes", "another platform port for the merchant nodes", (j) =>
    add(j, "google_compute_firewall", "m_443", { direction: "EGRESS", destination_ranges: ["10.30.32.0/24"], allow: [{ protocol: "tcp", ports: ["443"] }], target_service_accounts: ["${google_service_account.merchant_node_identity_account.email}"] })],
  ["gcp.merchant-nodes", "a second taint on the merchants' pool before theirs", (j) => j.resource.google_container_node_pool.gke_merchant_node_pool.node_config.taint.unshift({ key: "dedicated", value: "gpu", effect: "NO_EXECUTE" })],
  ["gcp.keys-hsm-rotating", "rotation at exactly 365 days", (j) => (keyOf(j, "kafka").rotation_period = `${365 * 86400}s`)],
  ["gcp.keys-hsm-rotating", "a destroy delay of exactly 30 days, and longer", (j) => ((keyOf(j, "audit").destroy_scheduled_duration = `${30 * 86400}s`), (keyOf(j, "kafka").destroy_scheduled_duration = `${60 * 86400}s`))],
  ["gcp.keys-hsm-rotating", "the encrypt/decrypt purpose spelled out", (j) => (keyOf(j, "audit").purpose = "ENCRYPT_DECRYPT")],
  ["preflight.cmek-grant-propagated", "waits of exactly 60 s, in minutes and in hours", (j) => {
    const sleeps = Object.values(j.resource.time_sleep as Record<string, TfJson>);
    sleeps.forEach((t, i) => (t.create_duration = ["60s", "1m", "1h"][i % 3]));
  }],
  ["preflight.node-pool-starts-with-nodes", "a pool that starts at its minimum", (j) => {
    const p = first(j, "google_container_node_pool");
    p.autoscaling.min_node_count = 2;
    p.initial_node_count = 2;
  }],
  ["preflight.node-pool-starts-with-nodes", "a pool sized by its total minimum", (j) => {
    const p = first(j, "google_container_node_pool");
    p.autoscaling = { total_min_node_count: 3, total_max_node_count: 9 };
    p.initial_node_count = 3;
  }],
  ["preflight.node-pool-starts-with-nodes", "a fixed-size pool (node_count)", (j) => {
    const p = first(j, "google_container_node_pool");
    delete p.autoscaling;
    delete p.initial_node_count;
    p.node_count = 1;
  }],
  ["gcp.private-only", "a control plane reachable from another private range", (j) => first(j, "google_container_cluster").master_authorized_networks_config.cidr_blocks.push({ cidr_block: "192.168.0.0/24", display_name: "bastion" })],
  ["gcp.private-only", "a PSC endpoint to Google's APIs bundle", (j) => (Object.values(j.resource.google_compute_forwarding_rule as Record<string, TfJson>).find((f) => f.load_balancing_scheme === "")!.target = "all-apis")],
  ["gcp.private-only", "a route inside the VPC", (j) => add(j, "google_compute_route", "inside", { name: "inside", dest_range: "10.0.0.0/8", next_hop_ilb: "x" })],
  ["gcp.subnets-private-logged", "a PSC NAT subnet without flow logs", (j) => add(j, "google_compute_subnetwork", "psc", { name: "psc", purpose: "PRIVATE_SERVICE_CONNECT", ip_cidr_range: "10.0.0.0/29" })],
  ["gcp.iam-least-privilege", "a predefined role that only reads", (j) => (first(j, "google_project_iam_member").role = "roles/logging.viewer")],
  ["gcp.audit-archive", "a region that keeps audit records exactly 365 days, and buckets that follow it", (j) =>
    [archive(j), accessLogs(j)].forEach((b) => (b.retention_policy.retention_period = 365 * 86400)), (r) => ({ ...r, retention: { ...r.retention, auditArchiveDays: 365 } })],
  ["gcp.audit-archive", "cold storage in ARCHIVE", (j) => [archive(j), accessLogs(j)].forEach((b) => (b.lifecycle_rule[0].action.storage_class = "ARCHIVE"))],
  ["gcp.audit-archive", "a bucket that is neither the archive nor its access logs, without retention", (j) => add(j, "google_storage_bucket", "scratch", { name: "acme-pay-apac-scratch", location: "ASIA-SOUTHEAST1" })],
  ["gcp.audit-archive-locked", "nothing to warn of once the region file locks the archive", (j) => j, (r) => ({ ...r, auditArchiveLocked: true })],
  ["gcp.audit-logging", "a region that keeps logs exactly 365 days", (j) => (first(j, "google_logging_project_bucket_config").retention_days = 365), (r) => ({ ...r, retention: { ...r.retention, logDays: 365 } })],
  ["gcp.audit-logging", "a second, filtered sink elsewhere", (j) => add(j, "google_logging_project_sink", "errors", { name: "errors", destination: "storage.googleapis.com/acme-pay-apac-errors", filter: "severity>=ERROR" })],
  ["gcp.database-hardened", "client certificates required as well as TLS", (j) => (sql(j).ip_configuration.ssl_mode = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")],
  ["gcp.database-users", "the users declared in another order", (j) => (j.resource.google_sql_user = Object.fromEntries(Object.entries(j.resource.google_sql_user).reverse()))],
  ["gcp.database-users", "the services listed in another order in the region file", (j) => j, (r) => ({ ...r, services: [...r.services].reverse() })],
  ["gcp.gke-hardened", "the legacy dataplane with network policy enforced", (j) => {
    const c = first(j, "google_container_cluster");
    c.datapath_provider = "LEGACY_DATAPATH";
    c.network_policy = { enabled: true, provider: "CALICO" };
  }],
  ["gcp.firewall-default-deny-logged", "deny-all ingress that also names TCP", (j) => {
    const d = j.resource.google_compute_firewall.network_deny_all_ingress;
    d.deny = [d.deny].flat().concat({ protocol: "tcp" });
  }],
  ["gcp.firewall-default-deny-logged", "an ingress allow from source service accounts only (no ranges)", (j) => {
    const f = j.resource.google_compute_firewall.network_nodes_and_pods;
    delete f.source_ranges;
    f.source_service_accounts = ["nodes@acme-pay-apac-prod.iam.gserviceaccount.com"];
  }],
  ["gcp.perimeter", "no access policy in the region file (no perimeter to check)", (j) => j, noPerimeter],
  ["gcp.perimeter", "two break-glass identities, listed in another order than the region file's", (j) => (perimeter(j).spec.ingress_policies[1].ingress_from.identities = ["group:a@acme-pay.example", "group:b@acme-pay.example"]), twoBreakGlass],
  ["preflight.perimeter-staged", "two break-glass identities, listed in another order than the region file's", (j) => (perimeter(j).spec.ingress_policies[1].ingress_from.identities = ["group:a@acme-pay.example", "group:b@acme-pay.example"]), twoBreakGlass],
  ["preflight.perimeter-staged", "enforced in the region file, with the status it enforces and no dry run", (j) => {
    const p = perimeter(j);
    p.status = p.spec;
    delete p.spec;
    delete p.use_explicit_dry_run_spec;
  }, (r) => ({ ...r, vpcServiceControls: { ...r.vpcServiceControls!, enforced: true } })],
  ["preflight.perimeter-staged", "an access policy named, no perimeter yet, and no quota project (nothing needs one)", (j) => {
    delete j.resource.google_access_context_manager_service_perimeter;
    delete j.provider.google[0].user_project_override;
    delete j.provider.google[0].billing_project;
  }],
  ["preflight.perimeter-staged", "no access policy and no perimeter: no quota project needed", (j) => {
    delete j.resource.google_access_context_manager_service_perimeter;
    delete j.provider.google[0].user_project_override;
    delete j.provider.google[0].billing_project;
  }, noPerimeter],
  ["preflight.cmek-grant-propagated", "a workload's own grant on a key that a store uses, with no wait for it", (j) =>
    add(j, "google_kms_crypto_key_iam_member", "workload", { crypto_key_id: "${google_kms_crypto_key.keys_database_key.id}", role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: "serviceAccount:reporting@acme-pay-apac-prod.iam.gserviceaccount.com" })],
  ["preflight.cmek-grant-propagated", "a grant to a deleted service agent, with no wait for it", (j) =>
    add(j, "google_kms_crypto_key_iam_member", "deleted", { crypto_key_id: "${google_kms_crypto_key.keys_database_key.id}", role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: "deleted:serviceAccount:service-418273645091@gcp-sa-cloud-sql.iam.gserviceaccount.com?uid=123" })],
  ["preflight.workload-identity-after-cluster", "a second cluster with Workload Identity that the bindings do not wait for", (j) => add(j, "google_container_cluster", "second", { ...cloneJson(first(j, "google_container_cluster")), name: "second" })],
  ["gcp.private-only", "a VM without an external IP", (j) => add(j, "google_compute_instance", "vm", { name: "vm", network_interface: [{ network: "x" }] })],
  ["gcp.private-only", "two partners, accepted in the same (unsorted) order the region file lists them", (j) => attachment(j).consumer_accept_lists.push({ project_id_or_num: "acquirer-sg-backup", connection_limit: 10 }), (r) => ({
    ...r,
    paymentApi: { ...r.paymentApi, consumerAcceptList: [...r.paymentApi.consumerAcceptList, { project: "acquirer-sg-backup", connectionLimit: 10 }] },
  })],
  ["gcp.labels-not-overridden", "a resource that restates the required labels", (j) => (archive(j).labels = { ...j.provider.google[0].default_labels })],
  ["gcp.labels-not-overridden", "labels given as an expression", (j) => (archive(j).labels = "${local.labels}")],
  ["gcp.locations-in-jurisdiction", "a zonal location", (j) => add(j, "google_filestore_instance", "f", { name: "f", location: "asia-southeast1-b" })],
];

describe.each(stacks.map((s) => [s.name, s] as const))("%s: every GCP guardrail accepts what complies", (_name, stack) => {
  it.each(ACCEPTED.map(([id, what, change, region]) => [`${id}: ${what}`, id, change, region] as const))("%s", (_label, id, change, region) => {
    const json = edited(stack, change);
    expect(weakenedViolations(GCP_RULES.find((r) => r.id === id)!, judgedBy(stack, region), json)).toEqual([]);
  });
});

describe("gcp.locations-in-jurisdiction where the jurisdiction has two GCP regions", () => {
  // SG lists one GCP region; a second (listed first) shows the rule accepts any of them and names them all.
  const rule = GCP_RULES.find((r) => r.id === "gcp.locations-in-jurisdiction")!;
  const allowed = JURISDICTIONS.SG.allowedRegions as { gcp: readonly string[] };
  const shipped = allowed.gcp;
  beforeEach(() => (allowed.gcp = ["asia-southeast2", ...shipped]));
  afterEach(() => (allowed.gcp = shipped));

  it.each(stacks.map((s) => [s.name, s] as const))("%s: accepts its locations in the second region, and names both regions for one outside", (_name, stack) => {
    expect(weakenedViolations(rule, stack, stack.json)).toEqual([]);
    const json = jsonCopy(stack);
    archive(json).location = "US";
    expect(weakenedViolations(rule, stack, json)).toEqual([expect.stringMatching(/: location US is outside SG \(asia-southeast2, asia-southeast1\)$/)]);
  });
});

describe("every GCP guardrail fails when the stack is weakened", () => {
  it("has at least one weakening for every rule of GCP stacks", () => {
    // The lock's warning depends on the region file: "the audit lock, a step of its own" tests both states.
    const covered = new Set([...MUTATIONS.map(([id]) => id), "gcp.audit-archive-locked"]);
    expect(GCP_RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  describe.each(stacks.map((s) => [s.name, s] as const))("%s", (_name, stack) => {
    it.each(MUTATIONS.map(([id, what, mutate, e]) => [`${id}: ${what}`, id, mutate, e] as const))("%s", (_l, id, mutate, e) => {
      const json = edited(stack, mutate);
      const { says, region } = e === undefined || e instanceof RegExp ? { says: e, region: undefined } : e;
      expectCaught(weakenedViolations(GCP_RULES.find((r) => r.id === id)!, judgedBy(stack, region), json), says);
      if (region) return; // the pack judges by the stack's own region
      const rejected = stack.pack.evaluate(json, [id]).findings.filter((f) => f.rule.id === id && !f.suppressedBy);
      expect(rejected.length).toBeGreaterThan(0);
    });
  });
});

describe.each(stacks.map((s) => [s.name, s] as const))("%s follows the reference model on GCP", (_name, stack) => {
  let json: TfJson;
  beforeAll(() => (json = stack.json));
  it("has one HSM-protected, rotating key per purpose", () => {
    expect(resourcesOf(json, "google_kms_crypto_key").map(([, k]) => [k.name, k.version_template.protection_level, k.rotation_period]).sort()).toEqual(
      [...GCP_KEY_PURPOSES].sort().map((p) => [p, "HSM", `${stack.region.kms.rotationDays * 86400}s`]),
    );
  });

  it("runs a private GKE with secrets encryption, Workload Identity and nodes in every zone", () => {
    const c = first(json, "google_container_cluster");
    expect(c.private_cluster_config).toMatchObject({ enable_private_nodes: true, enable_private_endpoint: true, master_ipv4_cidr_block: stack.region.network.controlPlaneCidr });
    expect(c.database_encryption).toEqual({ state: "ENCRYPTED", key_name: "${google_kms_crypto_key.keys_gke_secrets_key.id}" });
    expect(c.workload_identity_config).toEqual({ workload_pool: `${stack.region.projectId}.svc.id.goog` });
    expect(first(json, "google_container_node_pool").node_locations).toEqual(stack.region.zones);
  });

  it("keeps Cloud SQL private, TLS-only, IAM-authenticated, regional and under the database key", () => {
    const db = first(json, "google_sql_database_instance");
    expect(db.encryption_key_name).toBe("${google_kms_crypto_key.keys_database_key.id}");
    expect(db.settings.ip_configuration).toMatchObject({ ipv4_enabled: false, ssl_mode: "ENCRYPTED_ONLY" });
    expect(db.settings.availability_type).toBe("REGIONAL");
    expect(db.settings.database_flags).toContainEqual({ name: "cloudsql.iam_authentication", value: "on" });
  });

  it("runs Managed Kafka under the kafka key, with the declared topics and ACLs for the declared clients only", () => {
    expect(first(json, "google_managed_kafka_cluster").gcp_config.kms_key).toBe("${google_kms_crypto_key.keys_kafka_key.id}");
    expect(resourcesOf(json, "google_managed_kafka_topic").map(([, t]) => t.topic_id).sort()).toEqual(stack.region.kafka.topics.map((t) => t.name).sort());
    const entries = resourcesOf(json, "google_managed_kafka_acl").flatMap(([, a]) => a.acl_entries.map((e: TfJson) => `${a.acl_id} ${e.operation} ${e.principal}`));
    const expected = stack.region.services.flatMap((s) =>
      (["read", "write"] as const).flatMap((mode) =>
        (s.access?.kafka[mode] ?? []).flatMap((t) => [`topic/${t} ${mode.toUpperCase()} User:\${google_service_account.gke_workload-${s.name}.email}`, `topic/${t} DESCRIBE User:\${google_service_account.gke_workload-${s.name}.email}`]),
      ),
    );
    // A reader's own consumer group.
    for (const s of stack.region.services.filter((x) => (x.access?.kafka.read.length ?? 0) > 0)) {
      expected.push(`consumerGroup/${s.name} READ User:\${google_service_account.gke_workload-${s.name}.email}`, `consumerGroup/${s.name} DESCRIBE User:\${google_service_account.gke_workload-${s.name}.email}`);
    }
    expect([...new Set(entries)].sort()).toEqual([...new Set(expected)].sort());
  });

  it("archives audit records in a bucket with a retention of the configured days, locked once the region file says so", () => {
    expect(archive(json).retention_policy).toEqual({ is_locked: stack.region.auditArchiveLocked, retention_period: stack.region.retention.auditArchiveDays * 86400 });
  });

  it("leaves the partner API's load balancer and service attachment to GKE (region-<name>-istio): none in the region stack, the PSC NAT subnet ready for it", () => {
    expect(json.resource.google_compute_service_attachment).toBeUndefined();
    expect(Object.values((json.resource.google_compute_forwarding_rule ?? {}) as Record<string, TfJson>).filter((f) => f.load_balancing_scheme === "INTERNAL")).toEqual([]);
    expect(Object.values(json.resource.google_compute_subnetwork as Record<string, TfJson>).find((x) => x.purpose === "PRIVATE_SERVICE_CONNECT")!.name).toBe(pscNatSubnetName(stack.region));
  });
});

/**
 * The concepts both clouds share, each checked by its cloud's rule over every region stack: one
 * assertion per concept, whatever the cloud.
 */
const SHARED: [string, { aws: string; gcp: string }][] = [
  ["every data store is encrypted at rest with the region's key of its purpose", { aws: "encryption.customer-managed-key", gcp: "gcp.cmek" }],
  ["nothing is exposed to the internet", { aws: "exposure.private-only", gcp: "gcp.private-only" }],
  ["audit records are kept at least 365 days, immutably", { aws: "audit.object-lock-compliance", gcp: "gcp.audit-archive" }],
  ["stateful resources are protected from destroy", { aws: "resilience.stateful-protected", gcp: "gcp.stateful-protected" }],
  ["everything stays in the jurisdiction", { aws: "residency.in-jurisdiction", gcp: "residency.in-jurisdiction" }],
  ["no secret is written into the stack", { aws: "secrets.no-literals", gcp: "secrets.no-literals" }],
  ["the database is reachable over TLS only", { aws: "database.tls-forced", gcp: "gcp.database-hardened" }],
  ["keys rotate", { aws: "keys.rotation-window-single-region", gcp: "gcp.keys-hsm-rotating" }],
  ["the plan needs no cloud lookups", { aws: "stack.no-data-sources", gcp: "stack.no-data-sources" }],
];

describe.each(SHARED)("on every cloud: %s", (_concept, ids) => {
  const regionStacks = shippedAllLayers().filter((s) => s.layer === "aws" || s.layer === "gcp");
  it.each(regionStacks.map((s) => [s.name, s] as const))("%s", (_name, stack) => {
    const id = ids[stack.layer as "aws" | "gcp"];
    const rule = GUARDRAILS.find((r) => r.id === id)!;
    expect(rule.layers).toContain(stack.layer);
    expect(stack.guardrails.findings.filter((f) => f.rule.id === id && !f.suppressedBy)).toEqual([]);
    expect(stack.pack.evaluate(stack.json, [id]).findings.filter((f) => !f.suppressedBy)).toEqual([]);
  });
});

describe("the audit lock, a step of its own (a GCS lock is irreversible from the moment it is applied)", () => {
  const unlocked = stacks[0];
  const locked = synthRegions([{ ...unlocked.region, auditArchiveLocked: true }]).stacks.find((s) => s.layer === "gcp")!;
  const lockRule = GCP_RULES.find((r) => r.id === "gcp.audit-archive-locked")!;

  it("a first deploy leaves both buckets unlocked, and the report warns", () => {
    expect(unlocked.region.auditArchiveLocked).toBe(false);
    for (const [, b] of resourcesOf(unlocked.json, "google_storage_bucket")) expect(b.retention_policy.is_locked).toBe(false);
    expect(lockRule.level).toBe("warning");
    expect(checkRule(lockRule, unlocked)).toEqual(["google_storage_bucket.audit_archive_archive: retention policy not locked yet (auditArchiveLocked is false)"]);
    expect(unlocked.report).toContain("gcp.audit-archive-locked");
  });

  it("once the region file locks them, both are locked and nothing warns", () => {
    for (const [, b] of resourcesOf(locked.json, "google_storage_bucket")) expect(b.retention_policy.is_locked).toBe(true);
    expect(locked.guardrails.findings.filter((f) => !f.suppressedBy)).toEqual([]);
    expect(checkRule(lockRule, locked)).toEqual([]);
  });

  it("a locked region whose buckets are unlocked does not synthesize", () => {
    const json = cloneJson(locked.json);
    archive(json).retention_policy.is_locked = false;
    expect(locked.pack.evaluate(json).findings.filter((f) => f.rule.id === "gcp.audit-archive" && f.rule.level === "error").map((f) => f.address)).toEqual(["google_storage_bucket.audit_archive_archive"]);
  });
});

describe("a GCP region without merchant tenants", () => {
  const base = stacks.find((x) => x.region.cloud === "gcp")!;
  const merchants = new Set(base.region.mesh.merchantNamespaces);
  const inMerchant = (ref: string) => merchants.has(ref.split("/")[0]);
  const region = {
    ...base.region,
    services: base.region.services.filter((x) => !merchants.has(x.namespace)),
    mesh: { ...base.region.mesh, merchantNamespaces: [], calls: base.region.mesh.calls.filter((c) => !inMerchant(c.from) && !inMerchant(c.to)) },
  };
  const [stack] = synthRegions([region]).stacks.filter((x) => x.name === `region-${region.name}`) as SynthStack<GcpRegionConfig>[];
  const rule = GUARDRAILS.find((r) => r.id === "gcp.merchant-nodes")!;

  it("has no merchants' pool or service account, and meets every guardrail", () => {
    expect(Object.keys(stack.json.resource.google_container_node_pool)).toEqual(["gke_node_pool"]);
    expect(Object.keys(stack.json.resource.google_service_account).filter((n) => n.includes("merchant"))).toEqual([]);
    expect(stack.pack.evaluate(stack.json).findings.filter((f) => !f.suppressedBy && f.rule.level === "error")).toEqual([]);
  });

  it("refuses a merchants' pool there", () => {
    const json = jsonCopy(stack);
    const pool = cloneJson(json.resource.google_container_node_pool.gke_node_pool);
    pool.node_config.taint = [{ key: "pci.blueprint/tenant", value: "merchant", effect: "NO_SCHEDULE" }];
    json.resource.google_container_node_pool.tenants = pool;
    expectCaught(weakenedViolations(rule, stack, json), /google_container_node_pool.tenants: a merchants' pool where the region has no merchant namespaces/);
  });
});

describe("a GCP region's first deploy: the workload CA awaits the root's signature", () => {
  const base = stacks.find((x) => x.region.cloud === "gcp")!;
  const region = { ...base.region, mesh: { ...base.region.mesh, intermediateCertificate: undefined } };
  const [stack] = synthRegions([region]).stacks.filter((x) => x.name === `region-${region.name}`) as SynthStack<GcpRegionConfig>[];
  const authority = (json: TfJson) => json.resource.google_privateca_certificate_authority.workload_ca_authority;

  it("creates the CA with no activation argument, still plans with no data source, and meets every guardrail", () => {
    for (const key of ["pem_ca_certificate", "subordinate_config", "desired_state"]) expect(authority(stack.json)).not.toHaveProperty(key);
    expect(stack.json.data).toBeUndefined();
    expect(stack.json.output.mesh_ca_intermediate.value).toBe("${google_privateca_certificate_authority.workload_ca_authority.certificate_authority_id}");
    expect(stack.pack.evaluate(stack.json).findings.filter((f) => !f.suppressedBy && f.rule.level === "error")).toEqual([]);
  });

  it("activates and enables it, with the root as its chain, once the region file holds the signed intermediate", () => {
    expect(authority(base.json)).toMatchObject({
      pem_ca_certificate: `${base.region.mesh.intermediateCertificate!.trim()}\n`,
      subordinate_config: { pem_issuer_chain: { pem_certificates: [`${base.region.mesh.rootCertificate!.trim()}\n`] } },
      desired_state: "ENABLED",
    });
  });
});
