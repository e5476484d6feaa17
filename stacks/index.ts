import { Construct } from "constructs";
import { RegionConfig } from "../config/schema";
import { BlueprintStack } from "./blueprint-stack";
import { AwsRegionStack } from "./aws-region-stack";

/** Every stack of every region, in a stable order. `main.ts` and the tests build the same list. */
export function defineStacks(app: Construct, regions: readonly RegionConfig[]): BlueprintStack[] {
  return regions.map((region) => {
    switch (region.cloud) {
      case "aws":
        return new AwsRegionStack(app, region);
    }
  });
}
