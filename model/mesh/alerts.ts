/**
 * The mesh's two seed alerts (seed 001: "thresholds on error rates ... and failed mTLS
 * handshakes"; its TokenizationFailureRate), as Prometheus rules over the sidecars' own metrics,
 * and the scrape that collects exactly those metrics. The AWS stack builds them into Amazon Managed
 * Service for Prometheus (constructs/aws/mesh-metrics.ts); the guardrail detection.mesh-alerts
 * checks the synthesized rules against these functions.
 */
import { HANDSHAKE_FAILURE_METRICS, INBOUND_LISTENER } from "./telemetry";

/** Seed 001's threshold: more than 5 % of tokenization calls failing over 5 minutes, for 2 minutes. */
export const TOKENIZATION_FAILURE = { ratio: 0.05, window: "5m", for: "2m" } as const;

/** The only metrics that leave the cluster: the request counter the failure rate divides, and the handshake counters. */
export const SCRAPED_METRICS = ["istio_requests_total", ...HANDSHAKE_FAILURE_METRICS] as const;

/** The sidecar's Envoy Prometheus port (`http-envoy-prom`, never intercepted by the sidecar itself). */
export const ENVOY_PROMETHEUS_PORT = 15090;

/** A service whose failures page: `<namespace>/<name>`. */
export interface WatchedService {
  readonly namespace: string;
  readonly name: string;
}

/** A Prometheus alerting rule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The fraction of a service's requests answered 5xx, as its own sidecars report them. */
function failureRatio(s: WatchedService): string {
  const selector = `reporter="destination",destination_workload_namespace="${s.namespace}",destination_workload="${s.name}"`;
  const w = TOKENIZATION_FAILURE.window;
  return `sum(rate(istio_requests_total{${selector},response_code=~"5.."}[${w}])) / sum(rate(istio_requests_total{${selector}}[${w}]))`;
}

/**
 * Any failed handshake, refused client certificate or plaintext connection on a sidecar's inbound
 * listener in 5 minutes, per pod. Each counter is named exactly (Google's managed Prometheus
 * matches no regular expression on `__name__`) and labelled with its name before the `or`, which
 * would otherwise keep one of two series with the same labels.
 */
export function handshakeFailureQuery(): string {
  const counters = HANDSHAKE_FAILURE_METRICS.map((m) => `label_replace(increase(${m}{listener_address="${INBOUND_LISTENER}"}[5m]), "counter", "${m}", "", "")`);
  return `sum by (namespace, pod) (${counters.join(" or ")}) > 0`;
}

/**
 * Google Cloud Managed Service for Prometheus's scrape of one namespace's sidecars (GKE's managed
 * collection): the same port, path and kept metrics as meshScrapeConfiguration, labelled with the
 * pod and container.
 */
export function sidecarPodMonitoring(namespace: string): PodMonitoring {
  return {
    apiVersion: "monitoring.googleapis.com/v1",
    kind: "PodMonitoring",
    metadata: { name: "istio-sidecars", namespace },
    spec: {
      selector: { matchLabels: { "security.istio.io/tlsMode": "istio" } },
      endpoints: [
        {
          port: "http-envoy-prom",
          path: "/stats/prometheus",
          interval: "30s",
          metricRelabeling: [{ sourceLabels: ["__name__"], regex: SCRAPED_METRICS.join("|"), action: "keep" }],
        },
      ],
      targetLabels: { metadata: ["pod", "container"] },
    },
  };
}

/** A Managed Service for Prometheus PodMonitoring (monitoring.googleapis.com/v1; validated against its CRD in the tests). */
export interface PodMonitoring {
  readonly apiVersion: "monitoring.googleapis.com/v1";
  readonly kind: "PodMonitoring";
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
    readonly endpoints: readonly { readonly port: string; readonly path: string; readonly interval: string; readonly metricRelabeling: readonly Record<string, unknown>[] }[];
    readonly targetLabels: { readonly metadata: readonly string[] };
  };
}

/** The mesh's alerting rules: each tokenization service's failure rate, and every failed inbound handshake. */
export function meshAlertRules(tokenization: readonly WatchedService[]): AlertRule[] {
  return [
    ...tokenization.map((s) => ({
      alert: "TokenizationFailureRate",
      expr: `${failureRatio(s)} > ${TOKENIZATION_FAILURE.ratio}`,
      for: TOKENIZATION_FAILURE.for,
      labels: { severity: "critical", service: `${s.namespace}/${s.name}` },
      annotations: {
        summary: `High tokenization failure rate: ${s.namespace}/${s.name}`,
        description: `More than ${TOKENIZATION_FAILURE.ratio * 100} % of calls to ${s.namespace}/${s.name} failed over ${TOKENIZATION_FAILURE.window} (PCI DSS 10.4.1, 10.7.2).`,
      },
    })),
    {
      alert: "MtlsHandshakeFailures",
      expr: handshakeFailureQuery(),
      for: "0m",
      labels: { severity: "high" },
      annotations: {
        summary: "Failed mTLS handshakes into a workload",
        description: "A client without a valid mesh certificate, or without TLS, tried to reach {{ $labels.namespace }}/{{ $labels.pod }} in the last 5 minutes (PCI DSS 4.2.1, 10.4.1).",
      },
    },
  ];
}

/**
 * The scrape: every pod's sidecar (the container port Istio names `http-envoy-prom`), keeping only
 * SCRAPED_METRICS, labelled with the pod's namespace and name.
 */
export function meshScrapeConfiguration(): Record<string, unknown> {
  return {
    global: { scrape_interval: "30s" },
    scrape_configs: [
      {
        job_name: "istio-sidecars",
        metrics_path: "/stats/prometheus",
        kubernetes_sd_configs: [{ role: "pod" }],
        relabel_configs: [
          { source_labels: ["__meta_kubernetes_pod_container_port_name"], action: "keep", regex: "http-envoy-prom" },
          { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
          { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        ],
        metric_relabel_configs: [{ source_labels: ["__name__"], action: "keep", regex: SCRAPED_METRICS.join("|") }],
      },
    ],
  };
}
