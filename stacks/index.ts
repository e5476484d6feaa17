import { Construct } from "constructs";
import { RegionConfig } from "../config/schema";
import { RegionStack } from "./blueprint-stack";
import { AwsRegionStack } from "./aws-region-stack";
import { IstioStack, MeshStack } from "./mesh-stacks";

/**
 * Every stack of every region, in a stable order and in deploy order within a region:
 * `region-<name>` (AWS), `region-<name>-istio` (namespaces, Istio), `region-<name>-mesh`
 * (policies). `main.ts` and the tests build the same list.
 */
export function defineStacks(app: Construct, regions: readonly RegionConfig[]): RegionStack[] {
  return regions.flatMap((region) => {
    switch (region.cloud) {
      case "aws": {
        const aws = new AwsRegionStack(app, region);
        const istio = new IstioStack(app, region);
        istio.addDependency(aws);
        const mesh = new MeshStack(app, region);
        mesh.addDependency(istio);
        return [aws, istio, mesh];
      }
    }
  });
}
