/**
 * The report of `region-<name>-dr`: what is mirrored into the DR partner region, from where, under
 * which key, and the path the replicator takes.
 */
import type { AwsRegionConfig } from "../config/schema";
import type { StackView } from "../guardrails/rule";
import { REPLICATION, exactTopicPattern, mirrorName } from "../model/aws/kafka-mirror";
import { DR_MIRROR_KEY_ALIASES } from "../model/aws/keys";
import { Diagram } from "./diagram";
import type { LayerReport } from "./layer-report";
import { table } from "./markdown";

const CAPABILITIES: Readonly<Record<string, string>> = { KafkaMirror: "Kafka mirror (MSK Replicator, its VPC and keys)", RegionState: "region-<name>'s outputs (the home cluster)" };

/** One line for the home region's report: what it mirrors where (or that it mirrors nothing). */
export function mirrorLine(region: AwsRegionConfig): string {
  if (region.kafka.mirrorTopics.length === 0) {
    return `Kafka mirroring: none${region.drPartnerRegion ? ` (a recovery in ${region.drPartnerRegion} starts with empty topics; list them in kafka.mirrorTopics)` : ""}.`;
  }
  return `Kafka mirroring: ${region.kafka.mirrorTopics.map((t) => `\`${t}\``).join(", ")} into ${region.drPartnerRegion} (stack region-${region.name}-dr, cluster ${mirrorName(region)}, same topic names, under the partner's key \`${DR_MIRROR_KEY_ALIASES.kafka}\`).`;
}

function mirrorSection(region: AwsRegionConfig): string {
  const rows = region.kafka.mirrorTopics.map((t) => [`\`${t}\``, `\`${exactTopicPattern(t)}\``, `${region.cloudRegion} (region-${region.name}'s cluster)`, `${region.drPartnerRegion} (${mirrorName(region)})`, `\`${t}\` (${REPLICATION.topicNameConfiguration})`]);
  return [
    "## What is mirrored where\n",
    `The replicator ${mirrorName(region)}-mirror reads, from their earliest records, exactly these topics over IAM (port 9098, TLS) through MSK's multi-VPC connectivity of the home cluster, and writes them with their configurations and the consumers' offsets to the mirror in the partner region, encrypted at rest under \`alias/${region.naming.prefix}-${region.name}/${DR_MIRROR_KEY_ALIASES.kafka}\`. The mirror's VPC has data subnets only and no route out; its brokers admit the replicator's interfaces on 9098 and nothing else.\n`,
    table(["topic", "pattern", "from", "to", "name there"], rows),
    "",
  ].join("\n");
}

function mirrorDiagram(region: AwsRegionConfig): Diagram {
  const d = new Diagram();
  const home = d.node("home_cluster", `MSK ${region.naming.prefix}-${region.name} (${region.cloudRegion})`, "store");
  d.box("partner", `${region.drPartnerRegion}: VPC ${region.drNetwork?.vpcCidr ?? ""}, data subnets only`, () => {
    d.node("replicator", `MSK Replicator ${mirrorName(region)}-mirror`);
    d.node("mirror", `MSK ${mirrorName(region)} (IAM only)`, "store");
    d.node("key", `KMS ${DR_MIRROR_KEY_ALIASES.kafka}`);
    d.node("logs", "flow and broker logs");
  });
  d.edge("traffic", "replicator", home, `IAM 9098 (multi-VPC connectivity): ${region.kafka.mirrorTopics.join(", ")}`);
  d.edge("traffic", "replicator", "mirror", "IAM 9098 (security group)");
  d.edge("encrypts", "key", "mirror");
  d.edge("delivers", "mirror", "logs");
  return d;
}

export function drReport(view: StackView): LayerReport {
  const region = view.region as AwsRegionConfig;
  return { capabilities: CAPABILITIES, diagram: mirrorDiagram(region), sections: [mirrorSection(region)] };
}
