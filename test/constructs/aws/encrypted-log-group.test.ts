import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { EncryptedLogGroup } from "../../../constructs/aws/encrypted-log-group";
import { newStack, synthJson } from "../../support/construct-stack";

describe("EncryptedLogGroup", () => {
  it("encrypts with the given key and keeps events for the retention", () => {
    const stack = newStack();
    new EncryptedLogGroup(stack, "Lg", { name: "/x", key: new KmsKey(stack, "Key", {}), retentionDays: 365 });
    expect(synthJson(stack).resource.aws_cloudwatch_log_group.lg_log_group).toMatchObject({
      name: "/x", kms_key_id: "${aws_kms_key.key.arn}", retention_in_days: 365, log_group_class: "STANDARD",
    });
  });

  it.each([30, 364, 500])("rejects %i days", (days) => {
    const stack = newStack();
    expect(() => new EncryptedLogGroup(stack, "Lg", { name: "/x", key: new KmsKey(stack, "Key", {}), retentionDays: days })).toThrow(/365, 400, 545/);
  });
});
