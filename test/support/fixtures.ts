import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { PrivateLinkNetworkProps } from "../../constructs/aws/private-link-network";
import { TestStack } from "./construct-stack";

/** Props of a small valid network for construct tests (three AZs, one /20 or /24 per tier and AZ). */
export function testNetworkProps(stack: TestStack): PrivateLinkNetworkProps {
  return {
    name: "t-eu",
    accountId: "123456789012",
    region: "eu-west-1",
    cidrBlock: "10.0.0.0/16",
    availabilityZoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
    subnets: {
      workload: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"],
      data: ["10.0.48.0/24", "10.0.49.0/24", "10.0.50.0/24"],
      endpoints: ["10.0.60.0/24", "10.0.61.0/24", "10.0.62.0/24"],
    },
    flowLogKey: new KmsKey(stack, "Key", {}),
    flowLogRetentionDays: 365,
  };
}
