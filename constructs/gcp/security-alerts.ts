import { LoggingMetric } from "@cdktf/provider-google/lib/logging-metric";
import { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import { MonitoringNotificationChannel } from "@cdktf/provider-google/lib/monitoring-notification-channel";
import { Construct } from "constructs";
import type { AlertSubscriber } from "../../config/schema";
import { AUDIT_LOG_ALERTS, tokenizationFailureQuery, tokenizationLogFilters, tokenizationMetricNames } from "../../model/gcp/alerts";
import { TOKENIZATION_FAILURE, type WatchedService, handshakeFailureQuery } from "../../model/mesh/alerts";


/** Properties of {@link GcpSecurityAlerts}. */
export interface GcpSecurityAlertsProps {
  /** Resource name prefix (`<prefix>-<region>`). */
  readonly name: string;
  readonly projectId: string;
  readonly subscribers: readonly AlertSubscriber[];
  /** The services whose failure rate pages (those that declare the tokenization key). */
  readonly tokenization: readonly WatchedService[];
}

/**
 * The region's security alerts on Google Cloud (PCI DSS 10.4.1, 10.7.2, 12.10.5): a notification
 * channel per subscriber (email, or an HTTPS webhook); a log-based counter and an alert policy per
 * control failure of model/gcp/alerts.ts (one audit-log entry in five minutes fires it); and seed
 * 001's tokenization failure rate over each tokenization service's own sidecar access logs, in
 * PromQL (over 5 % for 5 minutes, held 2 minutes).
 */
export class GcpSecurityAlerts extends Construct {
  readonly channels: MonitoringNotificationChannel[];
  /** The policies by AUDIT_LOG_ALERTS id, and `tokenization_<namespace>_<name>`. */
  readonly policies: Record<string, MonitoringAlertPolicy> = {};

  constructor(scope: Construct, id: string, props: GcpSecurityAlertsProps) {
    super(scope, id);
    if (props.subscribers.length === 0) throw new Error(`GcpSecurityAlerts ${props.name}: no subscriber; an alert nobody receives is no alert (PCI DSS 10.7.2).`);
    this.channels = props.subscribers.map(
      (s, i) =>
        new MonitoringNotificationChannel(this, `Channel${i}`, {
          project: props.projectId,
          // A webhook's URL often carries its integration key: the name shows its host only.
          displayName: `${props.name} security alerts: ${s.protocol === "email" ? s.endpoint : new URL(s.endpoint).host}`,
          ...(s.protocol === "email" ? { type: "email", labels: { email_address: s.endpoint } } : { type: "webhook_tokenauth", labels: { url: s.endpoint } }),
        }),
    );
    const channels = this.channels.map((c) => c.name);

    for (const alert of AUDIT_LOG_ALERTS) {
      const metric = new LoggingMetric(this, `Metric-${alert.id}`, {
        project: props.projectId,
        name: `${props.name.replace(/-/g, "_")}_${alert.id}`,
        description: alert.description,
        filter: alert.filter,
        metricDescriptor: { metricKind: "DELTA", valueType: "INT64", unit: "1" },
      });
      this.policies[alert.id] = new MonitoringAlertPolicy(this, `Policy-${alert.id}`, {
        project: props.projectId,
        displayName: `${props.name}: ${alert.description}`,
        combiner: "OR",
        severity: "WARNING",
        conditions: [
          {
            displayName: alert.description,
            conditionThreshold: {
              filter: `metric.type="logging.googleapis.com/user/${metric.name}"`,
              comparison: "COMPARISON_GT",
              thresholdValue: 0,
              duration: "0s",
              aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_SUM", crossSeriesReducer: "REDUCE_SUM" }],
              trigger: { count: 1 },
            },
          },
        ],
        notificationChannels: channels,
        documentation: { mimeType: "text/markdown", content: `${alert.description} (PCI DSS ${alert.pci.join(", ")}). Read the entries: Logs Explorer with \`${alert.filter}\`.` },
      });
    }

    // The sidecars' failed handshakes, from Managed Service for Prometheus (the mesh stack's PodMonitorings).
    // Neither PromQL condition validates its metrics at creation: the sidecars' counters exist only
    // once the mesh stack (deployed after this one) scrapes them, the log counters moments after.
    this.policies.mtls_handshake_failures = new MonitoringAlertPolicy(this, "Policy-mtls_handshake_failures", {
      project: props.projectId,
      displayName: `${props.name}: MtlsHandshakeFailures`,
      combiner: "OR",
      severity: "ERROR",
      conditions: [{ displayName: "Failed mTLS handshakes into a workload", conditionPrometheusQueryLanguage: { query: handshakeFailureQuery(), duration: "0s", evaluationInterval: "60s", disableMetricValidation: true } }],
      notificationChannels: channels,
      documentation: { mimeType: "text/markdown", content: "A client without a valid mesh certificate, or without TLS, tried to reach a workload in the last 5 minutes (PCI DSS 4.2.1, 10.4.1)." },
    });

    for (const s of props.tokenization) {
      const filters = tokenizationLogFilters(s);
      const names = tokenizationMetricNames(s);
      const counters = (["all", "failed"] as const).map(
        (k) =>
          new LoggingMetric(this, `Metric-${names[k]}`, {
            project: props.projectId,
            name: names[k],
            description: `${k === "all" ? "Requests" : "Requests answered 5xx"} into ${s.namespace}/${s.name}, from its sidecar's access log`,
            filter: filters[k],
            metricDescriptor: { metricKind: "DELTA", valueType: "INT64", unit: "1" },
          }),
      );
      const key = `tokenization_${s.namespace}_${s.name}`;
      this.policies[key] = new MonitoringAlertPolicy(this, `Policy-${key}`, {
        project: props.projectId,
        displayName: `${props.name}: TokenizationFailureRate ${s.namespace}/${s.name}`,
        combiner: "OR",
        severity: "CRITICAL",
        conditions: [
          {
            displayName: `More than ${TOKENIZATION_FAILURE.ratio * 100} % of calls to ${s.namespace}/${s.name} failed`,
            conditionPrometheusQueryLanguage: { query: tokenizationFailureQuery(s), duration: "120s", evaluationInterval: "60s", disableMetricValidation: true },
          },
        ],
        notificationChannels: channels,
        documentation: { mimeType: "text/markdown", content: `Seed 001's TokenizationFailureRate: more than ${TOKENIZATION_FAILURE.ratio * 100} % of calls to ${s.namespace}/${s.name} failed over ${TOKENIZATION_FAILURE.window}, for ${TOKENIZATION_FAILURE.for} (PCI DSS 10.4.1, 10.7.2).` },
        // The query names the counters by name, not by reference: after them.
        dependsOn: counters,
      });
    }
  }
}
