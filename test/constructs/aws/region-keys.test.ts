import { RegionKeys } from "../../../constructs/aws/region-keys";
import { DIRECT_KEY_USERS, KEY_ADMIN_ACTIONS, KEY_USES, UNCONDITIONED_GRANTS, type KeyRole } from "../../../model/aws/key-access";
import { newStack, synthJson } from "../../support/construct-stack";
import { KEY_PURPOSES } from "../../../model/aws/keys";

const deploy = "arn:aws:iam::123456789012:role/deploy";
const props = { accountId: "123456789012", region: "eu-west-1", aliasPrefix: "t-eu", custodianArns: [deploy] };

describe("RegionKeys", () => {
  it("creates one key and one alias per purpose", () => {
    const stack = newStack();
    new RegionKeys(stack, "Keys", props);
    const json = synthJson(stack);
    expect(Object.keys(json.resource.aws_kms_key)).toHaveLength(KEY_PURPOSES.length);
    expect(Object.values(json.resource.aws_kms_alias).map((a) => (a as { name: string }).name).sort()).toEqual(
      ["alerts", "audit", "database", "ebs", "ecr", "eks-secrets", "kafka", "logs", "secrets-manager", "tokenization"].map((s) => `alias/t-eu/${s}`),
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

  it("lets the account administer the keys but not use them, and only custodians change a policy", () => {
    const stack = newStack();
    new RegionKeys(stack, "Keys", props);
    const policy = JSON.parse(synthJson(stack).resource.aws_kms_key.keys_database_key.policy);
    const admin = policy.Statement.find((s: { Sid: string }) => s.Sid === "AccountAdministersTheKeyNeverUsesIt");
    expect(admin.Principal).toEqual({ AWS: "arn:aws:iam::123456789012:root" });
    expect(admin.Action).toEqual(KEY_ADMIN_ACTIONS);
    // No wildcard actions, no use of the key, no grants (a grant could give Decrypt).
    expect(admin.Action.filter((a: string) => a.includes("*") || /Decrypt|Encrypt|GenerateDataKey|ReEncrypt|CreateGrant/.test(a))).toEqual([]);
    const deny = policy.Statement.find((s: { Effect: string }) => s.Effect === "Deny");
    expect(deny).toMatchObject({ Principal: { AWS: "*" }, Condition: { ArnNotEquals: { "aws:PrincipalArn": [deploy, "arn:aws:iam::123456789012:root"] } } });
    expect(deny.Action).toEqual(expect.arrayContaining(["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]));
  });

  it("refuses keys without a custodian (KMS would refuse a policy its creator cannot change)", () => {
    expect(() => new RegionKeys(newStack(), "Keys", { ...props, custodianArns: [] })).toThrow(/custodian/);
  });

  it("admits each key's users by name, through their services, with grants for AWS resources only", () => {
    const stack = newStack();
    const keys = new RegionKeys(stack, "Keys", props);
    keys.admitUsers({ deploy: [deploy], admins: ["arn:aws:iam::123456789012:role/admins"] }, { archive: "arn:aws:s3:::archive" });
    expect(() => keys.admitUsers({}, {})).toThrow(/already/);
    const statements = JSON.parse(synthJson(stack).resource.aws_kms_key.keys_database_key.policy).Statement;
    expect(statements.find((s: { Sid: string }) => s.Sid === "DeployCreatesTheDatabaseGrants")).toEqual({
      Sid: "DeployCreatesTheDatabaseGrants",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: { ArnEquals: { "aws:PrincipalArn": [deploy] }, StringEquals: { "kms:ViaService": ["rds.eu-west-1.amazonaws.com"] }, Bool: { "kms:GrantIsForAWSResource": "true" } },
    });
    // A user with no principals gets no statement; a service-linked role always does.
    expect(statements.some((s: { Sid: string }) => s.Sid.startsWith("BackupCopies"))).toBe(false);
    expect(statements.find((s: { Sid: string }) => s.Sid === "RdsServiceLinkedRole").Condition.ArnEquals["aws:PrincipalArn"]).toEqual([
      "arn:aws:iam::123456789012:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS",
    ]);
  });

  it("takes its exceptions from the model's lists only (the rules read the same lists)", () => {
    for (const [key, uses] of Object.entries(KEY_USES) as [KeyRole, (typeof KEY_USES)[KeyRole]][]) {
      for (const use of uses) {
        if (use.unconditionedGrants) expect(UNCONDITIONED_GRANTS[use.user]).toContain(key);
        if (use.via.length === 0) expect(DIRECT_KEY_USERS[use.user]).toContain(key);
      }
    }
  });

  it("names the bucket a use is limited to, or refuses", () => {
    const keys = new RegionKeys(newStack(), "Keys", props);
    expect(() => keys.admitUsers({ admins: ["arn:aws:iam::123456789012:role/admins"] }, {})).toThrow(/archive bucket/);
  });

  it("lets later constructs add key-policy statements, but not an unconditioned *", () => {
    const stack = newStack();
    const keys = new RegionKeys(stack, "Keys", props);
    keys.managedKey("ebs").addToPolicy({ Sid: "Asg", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/x" }, Action: "kms:Decrypt", Resource: "*" });
    expect(synthJson(stack).resource.aws_kms_key.keys_ebs_key.policy).toContain('"Sid":"Asg"');
    expect(() => keys.managedKey("ebs").addToPolicy({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" })).toThrow(/principal "\*" with no condition/);
    expect(() => keys.managedKey("ebs").addToPolicy({ Sid: "Open2", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" })).toThrow(/principal "\*" with no condition/);
  });

  it("admits a service to one key only with a condition, and to that key only", () => {
    const stack = newStack();
    const keys = new RegionKeys(stack, "Keys", props);
    const statement = { Sid: "Svc", Effect: "Allow" as const, Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:DescribeKey", Resource: "*" };
    expect(() => keys.admitService("audit", [statement])).toThrow(/statement "Svc" has no condition/);
    keys.admitService("audit", [{ ...statement, Condition: { StringEquals: { "aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:123456789012:trail/t" } } }]);
    const withSvc = Object.entries(synthJson(stack).resource.aws_kms_key as Record<string, { policy: string }>).filter(([, k]) => k.policy.includes("cloudtrail.amazonaws.com"));
    expect(withSvc).toHaveLength(1);
    expect(withSvc[0][0].toLowerCase()).toContain("audit");
  });

  it("rejects a rotation period KMS does not accept", () => {
    expect(() => new RegionKeys(newStack(), "Keys", { ...props, rotationPeriodDays: 30 })).toThrow(/between 90 and 2560/);
  });

  it("rejects a malformed account id", () => {
    expect(() => new RegionKeys(newStack(), "Keys", { ...props, accountId: "1234" })).toThrow(/12-digit/);
  });

  describe("moveTokenizationToKeyStore", () => {
    const moved = (generation?: number) => {
      const stack = newStack();
      const keys = new RegionKeys(stack, "Keys", props);
      const interim = keys.tokenization;
      keys.moveTokenizationToKeyStore("cks-1234567890abcdef0", generation);
      return { keys, interim, json: synthJson(stack) };
    };
    const deniesEncryption = (key: { policy: string }) =>
      (JSON.parse(key.policy).Statement as { Effect: string; Action: string[] }[]).some((s) => s.Effect === "Deny" && s.Action.includes("kms:Encrypt"));

    it("creates the key in the store with rotation off, and moves the purpose alias in place", () => {
      const { keys, interim, json } = moved();
      const k = json.resource.aws_kms_key;
      expect(k.keys_tokenization_hsm_g1_key).toMatchObject({ custom_key_store_id: "cks-1234567890abcdef0", enable_key_rotation: false, lifecycle: { prevent_destroy: true } });
      expect(k.keys_tokenization_hsm_g1_key.rotation_period_in_days).toBeUndefined();
      // Same alias resource, new target: an UpdateAlias, never a delete and re-create of the name.
      expect(json.resource.aws_kms_alias.keys_tokenization_alias).toMatchObject({ name: "alias/t-eu/tokenization", target_key_id: "${aws_kms_key.keys_tokenization_hsm_g1_key.key_id}" });
      expect(json.resource.aws_kms_alias.keys_tokenization_interim_alias).toMatchObject({ name: "alias/t-eu/tokenization-interim", target_key_id: "${aws_kms_key.keys_tokenization_key.key_id}" });
      expect(keys.tokenization).not.toBe(interim);
      expect(keys.hsmTokenization).toHaveLength(1);
    });

    it("leaves the earlier keys able to decrypt only, and the newest generation able to encrypt", () => {
      const { json } = moved(3);
      const k = json.resource.aws_kms_key;
      expect(json.resource.aws_kms_alias.keys_tokenization_alias.target_key_id).toBe("${aws_kms_key.keys_tokenization_hsm_g3_key.key_id}");
      expect([k.keys_tokenization_key, k.keys_tokenization_hsm_g1_key, k.keys_tokenization_hsm_g2_key].map(deniesEncryption)).toEqual([true, true, true]);
      expect(deniesEncryption(k.keys_tokenization_hsm_g3_key)).toBe(false);
      expect(deniesEncryption(k.keys_database_key)).toBe(false);
      // Requests through the purpose alias pass while its move propagates; the policy changes after the move.
      const deny = JSON.parse(k.keys_tokenization_key.policy).Statement.find((x: { Sid: string }) => x.Sid === "RetiredTokenizationKeyDecryptsOnly");
      expect(deny.Condition).toEqual({ StringNotEquals: { "kms:RequestAlias": "alias/t-eu/tokenization" } });
      expect(k.keys_tokenization_hsm_g1_key.depends_on).toEqual(["aws_kms_alias.keys_tokenization_alias"]);
    });

    it("refuses a second move and a generation below 1", () => {
      const stack = newStack();
      const keys = new RegionKeys(stack, "Keys", props);
      expect(() => keys.moveTokenizationToKeyStore("cks-1", 0)).toThrow(/whole number from 1/);
      keys.moveTokenizationToKeyStore("cks-1");
      expect(() => keys.moveTokenizationToKeyStore("cks-1")).toThrow(/already moved/);
    });
  });
});
