import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { renderPolicy } from "../../constructs/iam-policy";
import { newStack, synthJson } from "../support/construct-stack";

describe("BlueprintStack addresses", () => {
  it("are the construct path in snake_case", () => {
    const stack = newStack();
    new KmsKey(new Construct(new Construct(stack, "Keys"), "EksSecrets"), "Key", {});
    new KmsKey(new Construct(stack, "ecr.api"), "Key", {});
    expect(Object.keys(synthJson(stack).resource.aws_kms_key).sort()).toEqual(["ecr_api_key", "keys_eks_secrets_key"]);
  });

  it("refuse two paths that collapse to one address", () => {
    const stack = newStack();
    new KmsKey(stack, "EksKey", {});
    new KmsKey(stack, "eks_key", {});
    expect(() => synthJson(stack)).toThrow(/map to the same Terraform address "eks_key"/);
  });
});

describe("renderPolicy", () => {
  it("refuses a statement id used twice", () => {
    const s = { Sid: "A", Effect: "Allow" as const, Action: "s3:GetObject", Resource: "*" };
    expect(() => renderPolicy([s, s])).toThrow(/"A" is used twice/);
  });
});
