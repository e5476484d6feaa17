import type { RegionConfig } from "../config/schema";
import type { StackLayer } from "../core/blueprint-stack";
import { hasMeshPki } from "../model/mesh/in-cluster";
import { mirrorsKafka } from "../model/aws/kafka-mirror";

/** One stack a region will have: its name (`cdktf deploy <name>`) and its layer. */
export interface PlannedStack {
  readonly name: string;
  readonly layer: StackLayer;
}

/**
 * The stacks of one region, in deploy order (each depends on the one before it): the cloud's
 * region stack (`region-<name>`), the workload CA chain where the region has a mesh intermediate
 * CA (`region-<name>-pki`), Istio (`-istio`), the mesh's policies (`-mesh`) and, where an AWS region
 * mirrors Kafka topics into its DR partner, the mirror there (`-dr`; last, since it waits on nothing
 * in the cluster and its replicator takes half an hour). A GCP region has
 * its in-cluster stacks only once its intermediate in CA Service is signed: before, Istio would
 * run its own CA, with its key in the cluster. Known from the config alone, without building a
 * construct: `defineStacks` builds exactly this list, and the tests name their cases from it
 * before anything is synthesized.
 */
export function stackPlan(region: RegionConfig): PlannedStack[] {
  const pki = hasMeshPki(region);
  const layers: StackLayer[] =
    region.cloud === "aws" ? ["aws", ...(pki ? (["pki"] as const) : []), "istio", "mesh", ...(mirrorsKafka(region) ? (["dr"] as const) : [])] : ["gcp", ...(pki ? (["pki", "istio", "mesh"] as const) : [])];
  return layers.map((layer) => ({ name: stackName(region, layer), layer }));
}

/** A region's stack of one layer: `region-<name>` for the cloud's, `region-<name>-<layer>` for the others. */
export function stackName(region: RegionConfig, layer: StackLayer): string {
  return layer === region.cloud ? `region-${region.name}` : `region-${region.name}-${layer}`;
}
