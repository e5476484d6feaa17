import { KEY_ADMIN_ACTIONS, KEY_PURPOSES, RegionKeys } from "../../constructs/region-keys";
import { newStack, synthJson } from "../support/construct-stack";

const props = { accountId: "123456789012", region: "eu-west-1", aliasPrefix: "t-eu" };

describe("RegionKeys", () => {
  it("creates one key and one alias per purpose", () => {
    const stack = newStack();
    new RegionKeys(stack, "Keys", props);
    const json = synthJson(stack);
    expect(Object.keys(json.resource.aws_kms_key)).toHaveLength(KEY_PURPOSES.length);
    expect(Object.values(json.resource.aws_kms_alias).map((a) => (a as { name: string }).name).sort()).toEqual(
      ["audit", "database", "ebs", "eks-secrets", "kafka", "logs", "secrets-manager", "tokenization"].map((s) => `alias/t-eu/${s}`),
    );
  });

  it("is secure by default: rotation yearly, 30-day window, single-region, protected", () => {
    const stack = newStack();
    new RegionKeys(stack, "Keys", props);
    for (const key of Object.values(synthJson(stack).resource.aws_kms_key)) {
      expect(key).toMatchObject({
        enable_key_rotation: true,
        rotation_period_in_days: 365,
        deletion_window_in_days: 30,
        multi_region: false,
        bypass_policy_lockout_safety_check: false,
        lifecycle: { prevent_destroy: true },
      });
    }
  });

  it("gives key administrators no use of the keys", () => {
    const stack = newStack();
    new RegionKeys(stack, "Keys", { ...props, administratorArns: ["arn:aws:iam::123456789012:role/deploy"] });
    const policy = JSON.parse(synthJson(stack).resource.aws_kms_key.keys_database_key.policy);
    const admin = policy.Statement.find((s: { Sid: string }) => s.Sid === "KeyAdministratorsCannotUseTheKey");
    expect(admin.Principal).toEqual({ AWS: ["arn:aws:iam::123456789012:role/deploy"] });
    expect(admin.Action).toEqual(KEY_ADMIN_ACTIONS);
    // No wildcard actions, no use of the key, no grants (a grant could give Decrypt).
    expect(admin.Action.filter((a: string) => a.includes("*") || /Decrypt|Encrypt|GenerateDataKey|ReEncrypt|CreateGrant/.test(a))).toEqual([]);
  });

  it("lets later constructs add key-policy statements, but not an unconditioned *", () => {
    const stack = newStack();
    const keys = new RegionKeys(stack, "Keys", props);
    keys.managedKey("ebs").addToPolicy({ Sid: "Asg", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/x" }, Action: "kms:Decrypt", Resource: "*" });
    expect(synthJson(stack).resource.aws_kms_key.keys_ebs_key.policy).toContain('"Sid":"Asg"');
    expect(() => keys.managedKey("ebs").addToPolicy({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" })).toThrow(/principal "\*" with no condition/);
    expect(() => keys.managedKey("ebs").addToPolicy({ Sid: "Open2", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" })).toThrow(/principal "\*" with no condition/);
  });

  it("rejects a rotation period KMS does not accept", () => {
    expect(() => new RegionKeys(newStack(), "Keys", { ...props, rotationPeriodDays: 30 })).toThrow(/between 90 and 2560/);
  });

  it("rejects a malformed account id", () => {
    expect(() => new RegionKeys(newStack(), "Keys", { ...props, accountId: "1234" })).toThrow(/12-digit/);
  });
});
