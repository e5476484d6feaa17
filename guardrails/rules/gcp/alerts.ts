import type { GcpRegionConfig } from "../../../config/schema";
import { stackRules } from "../../rule";
import { TfJson, asList, one, ref, resourcesOf } from "../../../tfjson/terraform";
import { AUDIT_LOG_ALERTS, tokenizationFailureQuery, tokenizationLogFilters, tokenizationMetricNames } from "../../../model/gcp/alerts";
import { handshakeFailureQuery } from "../../../model/mesh/alerts";

/**
 * The alert policies that notify every channel of the region's subscribers with the one condition
 * `matches` (a second condition, combined by AND, could keep the policy from ever firing).
 */
function policiesFor(json: TfJson, channels: readonly string[], matches: (condition: TfJson) => boolean): [string, TfJson][] {
  return resourcesOf(json, "google_monitoring_alert_policy").filter(([, p]) => {
    const conditions = asList<TfJson>(p.conditions);
    return p.enabled !== false && channels.every((c) => asList(p.notification_channels).includes(c)) && conditions.length === 1 && matches(conditions[0]);
  });
}

export const GCP_ALERT_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.alerts-wired",
    requirement: "10.4.1, 10.7.2, 12.10.5",
    fix: "Keep GcpSecurityAlerts (constructs/gcp/security-alerts.ts): a notification channel per alerts.subscribers entry; for each control of model/gcp/alerts.ts AUDIT_LOG_ALERTS a log-based counter with its filter and an enabled policy firing on one entry in five minutes to every channel; for each tokenization service its two counters and the PromQL policy of seed 001.",
    description:
      "every subscriber of the region file has a notification channel; every control failure of model/gcp/alerts.ts (CIS GCP 2.4-2.11, KMS key versions, the log pipeline) has a log-based counter with its filter and an enabled alert policy that fires on one entry in five minutes and notifies every channel; each tokenization service's failure rate (over 5 % for 5 minutes, held 2 minutes) and the sidecars' failed handshakes (Managed Service for Prometheus on, the mesh stack scraping) notify every channel",
    check: ({ json, region }) => {
      const v: string[] = [];
      const channels = resourcesOf(json, "google_monitoring_notification_channel");
      for (const s of region.alerts.subscribers) {
        const type = s.protocol === "email" ? "email" : "webhook_tokenauth";
        const label = s.protocol === "email" ? "email_address" : "url";
        if (!channels.some(([, c]) => c.type === type && c.labels?.[label] === s.endpoint && c.enabled !== false)) v.push(`google_monitoring_notification_channel: none for ${s.protocol} subscriber ${s.endpoint} of alerts.subscribers`);
      }
      const names = channels.map(([cn]) => ref("google_monitoring_notification_channel", cn, "name"));
      const metrics = resourcesOf(json, "google_logging_metric");
      for (const alert of AUDIT_LOG_ALERTS) {
        const metric = metrics.find(([, m]) => m.filter === alert.filter);
        if (!metric) {
          v.push(`google_logging_metric (${alert.id}): none with its filter`);
          continue;
        }
        const type = `metric.type="logging.googleapis.com/user/${ref("google_logging_metric", metric[0], "name")}"`;
        const policy = policiesFor(json, names, (c) => {
          const t = one(c.condition_threshold);
          const agg = one(t.aggregations);
          return t.filter === type && t.comparison === "COMPARISON_GT" && t.threshold_value === 0 && t.duration === "0s" && agg.alignment_period === "300s" && agg.per_series_aligner === "ALIGN_SUM";
        });
        // (The policy's filter names the metric's name: Terraform creates the metric first.)
        if (policy.length === 0) v.push(`google_logging_metric.${metric[0]}: no enabled policy fires on one entry in five minutes and notifies every channel`);
      }
      // Created before the metrics exist (the mesh stack's scrape comes later): only without metric validation.
      const promql = (c: TfJson): TfJson => one(c.condition_prometheus_query_language);
      const createsBeforeMetrics = (q: TfJson) => q.disable_metric_validation === true;
      const handshakes = policiesFor(json, names, (c) => promql(c).query === handshakeFailureQuery() && createsBeforeMetrics(promql(c)));
      if (handshakes.length === 0) v.push("google_monitoring_alert_policy: none raises MtlsHandshakeFailures (the sidecars' failed handshakes) to every channel, without validating metrics that exist only once the mesh stack scrapes");
      const gke = resourcesOf(json, "google_container_cluster");
      for (const [gn, g] of gke) {
        if (one(one(g.monitoring_config).managed_prometheus).enabled !== true) v.push(`google_container_cluster.${gn}: Managed Service for Prometheus's collection is off (the sidecars' handshake counters would not be collected)`);
      }
      for (const s of region.services.filter((x) => x.access?.tokenizationKey)) {
        const filters = tokenizationLogFilters(s);
        const wanted = tokenizationMetricNames(s);
        for (const k of ["all", "failed"] as const) {
          if (!metrics.some(([, m]) => m.name === wanted[k] && m.filter === filters[k])) v.push(`google_logging_metric (${wanted[k]}): none with the access-log filter of ${s.namespace}/${s.name}`);
        }
        const policy = policiesFor(json, names, (c) => promql(c).query === tokenizationFailureQuery(s) && promql(c).duration === "120s" && createsBeforeMetrics(promql(c)));
        if (policy.length === 0) v.push(`google_monitoring_alert_policy: none raises seed 001's TokenizationFailureRate for ${s.namespace}/${s.name} to every channel (created without validating its counters, which exist only moments after)`);
      }
      return v;
    },
  },
]);
