import { Construct } from "constructs";
import { RegionConfig } from "../config/schema";
import { GuardrailPack } from "../guardrails/pack";
import { RegionStack } from "../core/blueprint-stack";
import { AwsRegionStack } from "./aws-region-stack";
import { GcpRegionStack } from "./gcp-region-stack";
import { hasMeshPki } from "../model/mesh/in-cluster";
import { IstioStack } from "./in-cluster/istio-stack";
import { PkiStack } from "./in-cluster/pki-stack";
import { MeshStack } from "./in-cluster/mesh-stack";

/**
 * Every stack of every region, in a stable order and in deploy order within a region:
 * `region-<name>` (AWS), `region-<name>-pki` (cert-manager and the PCA issuer, where the region
 * has a mesh intermediate CA), `region-<name>-istio` (namespaces, istio-csr, Istio),
 * `region-<name>-mesh` (policies). `main.ts` and the tests build the same list. The guardrail pack is added to each
 * stack: a stack that breaks a rule does not synthesize.
 */
export function defineStacks(app: Construct, regions: readonly RegionConfig[]): RegionStack[] {
  const stacks = regions.flatMap((region): RegionStack[] => {
    switch (region.cloud) {
      case "aws": {
        const aws = new AwsRegionStack(app, region);
        const pki = hasMeshPki(region) ? new PkiStack(app, region) : undefined;
        pki?.addDependency(aws);
        const istio = new IstioStack(app, region);
        istio.addDependency(pki ?? aws);
        const mesh = new MeshStack(app, region);
        mesh.addDependency(istio);
        return [aws, ...(pki ? [pki] : []), istio, mesh];
      }
      case "gcp": {
        const gcp = new GcpRegionStack(app, region);
        const istio = new IstioStack(app, region);
        istio.addDependency(gcp);
        const mesh = new MeshStack(app, region);
        mesh.addDependency(istio);
        return [gcp, istio, mesh];
      }
    }
  });
  for (const stack of stacks) GuardrailPack.applyTo(stack);
  return stacks;
}
