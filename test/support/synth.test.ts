import { TfJson, edited, shippedStacks } from "./synth";

/** The weakenings' copies (test/support/synth.ts `edited`): what they change, and what they must not. */
describe("an edited copy of a stack's JSON", () => {
  const stack = shippedStacks().find((s) => s.name === "region-eu")!;
  const bucket = (j: TfJson) => j.resource.aws_s3_bucket.audit_archive_archive_bucket;

  it("has the edit, and the stack's JSON keeps what it had", () => {
    const before = JSON.stringify(stack.json);
    const copy = edited(stack, (j) => {
      bucket(j).object_lock_enabled = false;
      delete j.resource.aws_cloudtrail;
      j.resource.aws_kms_key.keys_database_key.tags = { ...j.resource.aws_kms_key.keys_database_key.tags, Extra: "x" };
    });
    expect(bucket(copy).object_lock_enabled).toBe(false);
    expect(copy.resource.aws_cloudtrail).toBeUndefined();
    expect(copy.resource.aws_kms_key.keys_database_key.tags.Extra).toBe("x");
    expect(JSON.stringify(stack.json)).toBe(before);
    expect(bucket(stack.json).object_lock_enabled).toBe(true);
  });

  it("shares what the edit did not touch, and copies the path to what it did", () => {
    const copy = edited(stack, (j) => void (bucket(j).object_lock_enabled = false));
    expect(copy.resource.aws_kms_key).toBe(stack.json.resource.aws_kms_key);
    expect(copy.resource.aws_s3_bucket).not.toBe(stack.json.resource.aws_s3_bucket);
    expect(copy).not.toBe(stack.json);
  });

  it("passes the stack to the edit", () => {
    const copy = edited(stack, (j, s) => void (j.output.region_name = { value: s.region.name }));
    expect(copy.output.region_name).toEqual({ value: "eu" });
  });

  it("freezes the stack's JSON: writing into it fails instead of changing what later tests read", () => {
    edited(stack, (j) => void (j.output.any = { value: "x" }));
    expect(() => (bucket(stack.json).object_lock_enabled = false)).toThrow(TypeError);
    expect(bucket(stack.json).object_lock_enabled).toBe(true);
  });
});
