import { Construct } from "constructs";
import { AwsRegionConfig, GcpRegionConfig, RegionConfig } from "../config/schema";
import { GuardrailPack } from "../guardrails/pack";
import { RegionStack, StackLayer } from "../core/blueprint-stack";
import { AwsRegionStack } from "./aws-region-stack";
import { GcpRegionStack } from "./gcp-region-stack";
import { stackPlan } from "./plan";
import { IstioStack } from "./in-cluster/istio-stack";
import { PkiStack } from "./in-cluster/pki-stack";
import { MeshStack } from "./in-cluster/mesh-stack";
import { DrStack } from "./dr-stack";

/**
 * Every stack of every region, in a stable order and in deploy order within a region:
 * `region-<name>` (AWS), `region-<name>-pki` (cert-manager and the issuer of its intermediate CA, where the region
 * has a mesh intermediate CA), `region-<name>-istio` (namespaces, istio-csr, Istio),
 * `region-<name>-mesh` (policies), `region-<name>-dr` (the Kafka mirror in the DR partner region). `main.ts` and the tests build the same list. The guardrail pack is added to each
 * stack: a stack that breaks a rule does not synthesize.
 *
 * `of`: only these regions' stacks (a synthesis thread's share, core/synth-threads.ts); every region
 * of `regions` is still a peer of each.
 */
export function defineStacks(app: Construct, regions: readonly RegionConfig[], of: readonly RegionConfig[] = regions): RegionStack[] {
  const stacks = of.flatMap((region) => {
    let previous: RegionStack | undefined;
    return stackPlan(region).map(({ layer }) => {
      // Each stack names itself with stackName (stacks/plan.ts), as the plan does.
      const stack = buildStack(app, region, layer, regions);
      if (previous) stack.addDependency(previous);
      previous = stack;
      return stack;
    });
  });
  for (const stack of stacks) GuardrailPack.applyTo(stack);
  return stacks;
}

/** The stack of one layer of a region. */
function buildStack(app: Construct, region: RegionConfig, layer: StackLayer, peers: readonly RegionConfig[]): RegionStack {
  switch (layer) {
    case "aws":
      return new AwsRegionStack(app, region as AwsRegionConfig, peers);
    case "gcp":
      return new GcpRegionStack(app, region as GcpRegionConfig, peers);
    case "pki":
      return new PkiStack(app, region, peers);
    case "istio":
      return new IstioStack(app, region, peers);
    case "mesh":
      return new MeshStack(app, region, peers);
    case "dr":
      return new DrStack(app, region as AwsRegionConfig, peers);
  }
}
