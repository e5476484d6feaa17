import { loadRegions } from "../../../config/load";
import type { AwsRegionConfig } from "../../../config/schema";
import { DEFAULT_INTERFACE_ENDPOINTS } from "../../../config/catalog";
import { ENDPOINTS_WITHOUT_POLICY, endpointResourceAccounts, extraInterfaceEndpoints, interfaceEndpointPolicy } from "../../../model/aws/network";

const aws = loadRegions().filter((r): r is AwsRegionConfig => r.cloud === "aws");

describe.each(aws.map((r) => [r.name, r] as const))("the interface endpoints' policies of region %s", (_n, region) => {
  const services = [...DEFAULT_INTERFACE_ENDPOINTS, ...extraInterfaceEndpoints(region)];

  it("give every endpoint that takes a policy one, and the EKS endpoints none", () => {
    for (const service of services) expect(interfaceEndpointPolicy(region, service) === undefined).toBe(ENDPOINTS_WITHOUT_POLICY.includes(service));
  });

  it("admit only the region's principals in every statement", () => {
    for (const service of services) {
      for (const s of interfaceEndpointPolicy(region, service) ?? []) expect(s.Condition.StringEquals["aws:PrincipalAccount"]).toBe(region.accountId);
    }
  });

  it("limit guardduty-data by principal only, as GuardDuty documents", () => {
    expect(interfaceEndpointPolicy(region, "guardduty-data")).toEqual([{ Sid: "OwnPrincipalsOnly", Effect: "Allow", Principal: "*", Action: "*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalAccount": region.accountId } } }]);
  });

  it("let ECR read images of any account and nothing else of another account", () => {
    const pulls = (service: string) => (interfaceEndpointPolicy(region, service) ?? []).filter((s) => s.Condition.StringEquals["aws:ResourceAccount"] === undefined && s.Condition.Null === undefined);
    expect(pulls("ecr.api").map((s) => s.Action)).toEqual([["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]]);
    expect(pulls("ecr.dkr")).toEqual(pulls("ecr.api"));
    expect(pulls("kms")).toEqual([]);
  });
});

describe("the resource accounts of ACM PCA's endpoint", () => {
  const region = aws.find((r) => r.mesh.rootCaArn !== undefined)!;
  const withRoot = (arn: string): AwsRegionConfig => ({ ...region, mesh: { ...region.mesh, rootCaArn: arn } });

  it("add the root CA's account where it is another (it signs the intermediate's CSR)", () => {
    const r = withRoot("arn:aws:acm-pca:eu-west-1:999988887777:certificate-authority/11111111-2222-3333-4444-555555555555");
    expect(endpointResourceAccounts(r, "acm-pca")).toEqual([region.accountId, "999988887777"]);
    expect(endpointResourceAccounts(r, "kms")).toEqual([region.accountId]);
  });

  it("stay the region's own where the root is in its account", () => {
    expect(endpointResourceAccounts(withRoot(`arn:aws:acm-pca:eu-west-1:${region.accountId}:certificate-authority/11111111-2222-3333-4444-555555555555`), "acm-pca")).toEqual([region.accountId]);
  });
});
