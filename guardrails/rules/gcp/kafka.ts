/** Managed Service for Apache Kafka. */
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules } from "../../rule";
import { TfJson, asList } from "../../../tfjson/terraform";

export const GCP_KAFKA_RULES = resourceRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.kafka-replicated",
    requirement: "12.10.1, 7.2.1",
    fix: "Keep ManagedKafka's topics at three replicas with min.insync.replicas=2 and unclean leader election off; give clients topic ACLs, not cluster-wide access.",
    description: "every topic keeps three replicas with min.insync.replicas=2 and no unclean leader election; ACLs name single topics",
    resourceTypes: ["google_managed_kafka_topic", "google_managed_kafka_acl"],
    check: (b, { type }) => {
      if (type === "google_managed_kafka_acl") {
        const v = String(b.acl_id).startsWith("topic/") || String(b.acl_id).startsWith("consumerGroup/") ? [] : [`ACL on ${b.acl_id}: a prefix, wildcard or cluster ACL`];
        for (const e of asList<TfJson>(b.acl_entries)) {
          if (!/^User:\$\{google_service_account\.[^.]+\.email\}$/.test(String(e.principal))) v.push(`ACL entry for ${e.principal}, not a workload identity of this stack`);
          if (!["READ", "WRITE", "DESCRIBE"].includes(e.operation)) v.push(`ACL entry allows ${e.operation}`);
        }
        return v;
      }
      const c = (b.configs ?? {}) as TfJson;
      return [
        ...(b.replication_factor !== 3 ? [`${b.replication_factor} replicas, expected 3`] : []),
        ...(c["min.insync.replicas"] !== "2" ? ["min.insync.replicas is not 2"] : []),
        ...(c["unclean.leader.election.enable"] === "true" ? ["unclean leader election on"] : []),
      ];
    },
  },
]);
