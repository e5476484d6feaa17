import type { AwsRegionFile } from "../config/schema";
import eu from "../regions/eu";

/**
 * `count` synthetic AWS regions made from the shipped `eu` region file (the real template: every
 * capability, the DR partner, the mesh intermediate), each valid on its own and together: its own
 * name, account, /16, state object, trust domain and ARNs. Region i gets 10.(64+i).0.0/16 and eu's
 * subnet plan inside it, so up to 128 regions never overlap each other or the partners' ranges.
 */
export function syntheticRegions(count: number): AwsRegionFile[] {
  if (!Number.isInteger(count) || count < 1 || count > 128) throw new Error(`syntheticRegions: count must be 1..128, got ${count}.`);
  return Array.from({ length: count }, (_, i) => syntheticRegion(i));
}

function syntheticRegion(i: number): AwsRegionFile {
  const name = `r${i}`;
  const account = `2000000${String(i).padStart(5, "0")}`;
  const octet = 64 + i;
  const cidr = (c: string) => c.replace(/^10\.10\./, `10.${octet}.`);
  const inAccount = (arn: string) => arn.replace(eu.accountId, account);
  const region: AwsRegionFile = JSON.parse(JSON.stringify(eu));
  return {
    ...region,
    name,
    accountId: account,
    network: {
      ...region.network,
      vpcCidr: cidr(region.network.vpcCidr),
      subnets: {
        workload: region.network.subnets.workload.map(cidr),
        data: region.network.subnets.data.map(cidr),
        endpoints: region.network.subnets.endpoints.map(cidr),
      },
    },
    // The Kafka mirror's VPC in the partner region, apart from every region's (10.128-191.x).
    ...(region.drNetwork
      ? { drNetwork: { ...region.drNetwork, vpcCidr: `10.${octet + 64}.0.0/24`, data: region.drNetwork.data.map((c) => c.replace(/^10\.\d+\./, `10.${octet + 64}.`)) } }
      : {}),
    stateBackend: {
      ...region.stateBackend,
      bucket: `acme-pay-tfstate-${name}-${account}`,
      key: `regions/${name}/terraform.tfstate`,
      kmsKeyArn: inAccount(region.stateBackend.kmsKeyArn),
    },
    eks: { ...region.eks, adminRoleArn: inAccount(region.eks.adminRoleArn), deployRoleArn: inAccount(region.eks.deployRoleArn) },
    mesh: { ...region.mesh, trustDomain: `${name}.acme-pay.internal` },
  };
}

/** A region file's text (CommonJS: `main.ts` reads every `.js` file of BLUEPRINT_REGIONS_DIR). */
export function regionFileText(region: AwsRegionFile): string {
  return `// Synthetic region for the benchmark, generated from regions/eu.ts.\nexports.default = ${JSON.stringify(region, null, 2)};\n`;
}
