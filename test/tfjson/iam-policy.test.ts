/**
 * The IAM reading helpers the rules share: action patterns match as IAM matches them, and a key
 * policy admits a role only when a statement names it for the action (and, if asked, the service).
 */
import { actionPatternMatches, keyPolicyAdmits, Statement } from "../../tfjson/iam-policy";

describe("actionPatternMatches", () => {
  it.each([
    ["kms:CreateGrant", "kms:CreateGrant"],
    ["*", "kms:CreateGrant"],
    ["kms:*", "kms:CreateGrant"],
    ["kms:*Grant", "kms:CreateGrant"],
    ["kms:Create*", "kms:CreateGrant"],
    ["KMS:creategrant", "kms:CreateGrant"],
    ["kms:CreateGran?", "kms:CreateGrant"],
    ["kms:*crypt", "kms:Decrypt"],
  ])("%s covers %s", (pattern, action) => expect(actionPatternMatches(pattern, action)).toBe(true));

  it.each([
    ["kms:CreateGrants", "kms:CreateGrant"],
    ["kms:Create", "kms:CreateGrant"],
    ["kms:RetireGrant", "kms:CreateGrant"],
    ["kms:CreateGran??", "kms:CreateGrant"],
    ["s3:*", "kms:CreateGrant"],
    ["kms.CreateGrant", "kms:CreateGrant"],
    ["kms:Create+Grant", "kms:CreateeGrant"],
  ])("%s does not cover %s", (pattern, action) => expect(actionPatternMatches(pattern, action)).toBe(false));
});

describe("keyPolicyAdmits", () => {
  const root = "arn:aws:iam::111122223333:root";
  const role = "arn:aws:iam::111122223333:role/platform-deploy";
  const other = "arn:aws:iam::111122223333:role/platform-admin";
  const named = (action: string | string[], extra: Statement["Condition"] = {}): Statement => ({
    Effect: "Allow",
    Principal: { AWS: root },
    Action: action,
    Resource: "*",
    Condition: { ArnEquals: { "aws:PrincipalArn": [role] }, ...extra },
  });

  it("admits a role named under the root, the role itself as principal, or the root's unconditioned delegation", () => {
    expect(keyPolicyAdmits([named("kms:Decrypt")], root, role, "kms:Decrypt")).toBe(true);
    expect(keyPolicyAdmits([{ Effect: "Allow", Principal: { AWS: role }, Action: "kms:Decrypt" }], root, role, "kms:Decrypt")).toBe(true);
    expect(keyPolicyAdmits([{ Effect: "Allow", Principal: { AWS: root }, Action: "kms:*" }], root, role, "kms:Decrypt")).toBe(true);
  });

  it("matches the action as IAM does (patterns, any case)", () => {
    expect(keyPolicyAdmits([named("kms:*crypt")], root, role, "kms:Decrypt")).toBe(true);
    expect(keyPolicyAdmits([named("KMS:DECRYPT")], root, role, "kms:Decrypt")).toBe(true);
    expect(keyPolicyAdmits([named("kms:Encrypt")], root, role, "kms:Decrypt")).toBe(false);
  });

  it("refuses a Deny, another role, and a service other than the one asked", () => {
    expect(keyPolicyAdmits([{ ...named("kms:Decrypt"), Effect: "Deny" }], root, role, "kms:Decrypt")).toBe(false);
    expect(keyPolicyAdmits([named("kms:Decrypt")], root, other, "kms:Decrypt")).toBe(false);
    const via = named("kms:Decrypt", { StringEquals: { "kms:ViaService": ["rds.eu-west-1.amazonaws.com"] } });
    expect(keyPolicyAdmits([via], root, role, "kms:Decrypt", "rds.eu-west-1.amazonaws.com")).toBe(true);
    expect(keyPolicyAdmits([via], root, role, "kms:Decrypt", "s3.eu-west-1.amazonaws.com")).toBe(false);
    expect(keyPolicyAdmits([named("kms:Decrypt")], root, role, "kms:Decrypt", "s3.eu-west-1.amazonaws.com")).toBe(true);
  });
});
