import { CtyType, PlaceholderContext, TerraformState, blockType, fillUnknown, knownOutputs, placeholder, refineStep, resolveReferences, sensitivePaths, stateFromPlan } from "../../scripts/prior-state";
import { RETENTION_SHORTENED, UPGRADE_STATEFUL, attributeReaders, changedAttributes, changedResources, providerSchemas, referenceGraph, relocationFindings, shortenedRetention, upgradeFindings, withDependents } from "../../scripts/upgrade-plan";
import type { OfflineWorkdir } from "../../scripts/offline-plan";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { signOffPolicy } from "../../scripts/review";
import { REVIEW_EXIT, renderUpgrade } from "../../scripts/review";

/**
 * The offline state of a previous release and the upgrade findings, without terraform: what the
 * real plans in test/upgrade rely on, each condition with a case only it decides.
 */
const ctx = (type = "aws_kms_key", known: Record<string, unknown> = {}): PlaceholderContext => ({ address: `${type}.x`, type, region: "eu-west-1", known });

describe("placeholders for what only the apply would know", () => {
  it("are of the attribute's type, stable, and different per resource and attribute", () => {
    expect(placeholder("number", ["n"], ctx())).toBe(1);
    expect(placeholder("bool", ["b"], ctx())).toBe(false);
    expect(placeholder(["map", "string"], ["m"], ctx())).toEqual({});
    expect(placeholder(["list", "string"], ["l"], ctx())).toEqual([expect.stringMatching(/^offline-[0-9a-f]{17}$/)]);
    expect(placeholder(["set", "number"], ["s"], ctx())).toEqual([]);
    expect(placeholder(["object", { a: "string", b: "bool" }], ["o"], ctx())).toEqual({ a: expect.stringMatching(/^offline-/), b: false });
    expect(placeholder(["tuple", ["bool", "number"]], ["t"], ctx())).toEqual([false, 1]);
    expect(placeholder("dynamic", ["d"], ctx())).toMatch(/^offline-/);
    expect(placeholder("string", ["x"], ctx())).toBe(placeholder("string", ["x"], ctx()));
    expect(placeholder("string", ["x"], ctx())).not.toBe(placeholder("string", ["y"], ctx()));
    expect(placeholder("string", ["x"], ctx())).not.toBe(placeholder("string", ["x"], ctx("aws_s3_bucket")));
    expect(() => placeholder(["weird", "string"] as unknown as CtyType, ["w"], ctx())).toThrow(/no placeholder for the type/);
  });
  it("give EC2 ids the prefix the provider checks, by resource type and by attribute name", () => {
    expect(placeholder("string", ["id"], ctx("aws_launch_template"))).toMatch(/^lt-[0-9a-f]{17}$/);
    expect(placeholder("string", ["id"], ctx("aws_vpc_endpoint_service"))).toMatch(/^vpce-svc-/);
    expect(placeholder("string", ["default_security_group_id"], ctx("aws_vpc"))).toMatch(/^sg-/);
    expect(placeholder("string", ["vpc_id"], ctx("aws_eks_cluster"))).toMatch(/^vpc-/);
    expect(placeholder("string", ["main_route_table_id"], ctx("aws_vpc"))).toMatch(/^rtb-/);
    // Only the resource's own id takes its type's prefix; a nested "id" does not.
    expect(placeholder("string", ["block", 0, "id"], ctx("aws_launch_template"))).toMatch(/^offline-/);
    expect(placeholder("string", ["id"], ctx("aws_kms_key"))).toMatch(/^offline-/);
  });
  it.each([
    ["subnet_id", "subnet"],
    ["network_acl_id", "acl"],
    ["launch_template_id", "lt"],
    ["network_interface_id", "eni"],
    ["vpc_endpoint_id", "vpce"],
    ["cluster_security_group_id", "sg"],
    ["route_table_id", "rtb"],
    ["vpc_id", "vpc"],
  ])("give an attribute %s holding an EC2 id the prefix %s", (name, prefix) => {
    expect(placeholder("string", [name], ctx("aws_x"))).toMatch(new RegExp(`^${prefix}-[0-9a-f]{17}$`));
    expect(placeholder("string", [`${name}s`], ctx("aws_x"))).toMatch(/^offline-/);
  });
  it("give a resource's own ARN its service's format where the names are known, a generic one otherwise", () => {
    expect(placeholder("string", ["arn"], ctx("aws_s3_bucket", { bucket: "b1" }))).toBe("arn:aws:s3:::b1");
    expect(placeholder("string", ["arn"], ctx("aws_iam_role", { name: "r" }))).toBe("arn:aws:iam::000000000000:role/r");
    expect(placeholder("string", ["arn"], ctx("aws_kms_key"))).toMatch(/^arn:aws:kms:eu-west-1:000000000000:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(placeholder("string", ["arn"], ctx("aws_s3_bucket", {}))).toMatch(/^arn:aws:s3:eu-west-1:000000000000:bucket\/offline-/);
    expect(placeholder("string", ["role_arn"], ctx("aws_eks_cluster", { name: "c" }))).toMatch(/^arn:aws:eks:eu-west-1:000000000000:cluster\/offline-/);
  });
  it("use what the service returns where the provider checks it", () => {
    expect(placeholder("string", ["fifo_throughput_scope"], ctx("aws_sns_topic", { fifo_topic: false }))).toBe("");
    expect(placeholder("string", ["fifo_throughput_scope"], ctx("aws_sns_topic", { fifo_topic: true }))).toBe("Topic");
    // A node group created without a version: no later version is assumed (its nodes may lag its cluster).
    expect(placeholder("string", ["version"], ctx("aws_eks_node_group", { cluster_name: "c" }))).toBe("(the version it was created with)");
  });
});

describe("the schema's types", () => {
  it("make nested blocks lists, sets, maps or single objects by their nesting, and an untyped attribute dynamic", () => {
    const inner = { attributes: { a: { type: "string" as CtyType } } };
    expect(
      blockType({
        attributes: { t: { type: "number" }, d: {} },
        block_types: { l: { nesting_mode: "list", block: inner }, s: { nesting_mode: "set", block: inner }, m: { nesting_mode: "map", block: inner }, o: { nesting_mode: "single", block: inner }, g: { nesting_mode: "group", block: {} } },
      }),
    ).toEqual(["object", { t: "number", d: "dynamic", l: ["list", ["object", { a: "string" }]], s: ["set", ["object", { a: "string" }]], m: ["map", ["object", { a: "string" }]], o: ["object", { a: "string" }], g: ["object", {}] }]);
  });
});

describe("a resource's own ARN, in its service's format", () => {
  it.each([
    ["aws_s3_bucket", { bucket: "b" }, /^arn:aws:s3:::b$/],
    ["aws_iam_role", { name: "r", path: "/svc/" }, /^arn:aws:iam::000000000000:role\/svc\/r$/],
    ["aws_cloudwatch_log_group", { name: "/aws/x" }, /^arn:aws:logs:eu-west-1:000000000000:log-group:\/aws\/x$/],
    ["aws_msk_cluster", { cluster_name: "k" }, /^arn:aws:kafka:eu-west-1:000000000000:cluster\/k\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-1$/],
    ["aws_sns_topic", { name: "t" }, /^arn:aws:sns:eu-west-1:000000000000:t$/],
    ["aws_rds_cluster", { cluster_identifier: "db" }, /^arn:aws:rds:eu-west-1:000000000000:cluster:db$/],
    ["aws_eks_cluster", { name: "c" }, /^arn:aws:eks:eu-west-1:000000000000:cluster\/c$/],
    ["aws_acmpca_certificate_authority", {}, /^arn:aws:acm-pca:eu-west-1:000000000000:certificate-authority\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/],
    ["aws_secretsmanager_secret", { name: "s" }, /^arn:aws:secretsmanager:eu-west-1:000000000000:secret:s-offlin$/],
    ["aws_lb", { name: "l" }, /^arn:aws:lb:eu-west-1:000000000000:resource\/offline-[0-9a-f]{17}$/],
    ["aws_vpc_endpoint", {}, /^arn:aws:vpc:eu-west-1:000000000000:endpoint\/offline-[0-9a-f]{17}$/],
  ])("%s", (type, known, arn) => {
    expect(placeholder("string", ["arn"], ctx(type, known))).toMatch(arn);
  });
  it("names the stack's account where it is given (a literal ARN of the previous version then agrees with a reference)", () => {
    const inAccount = (type: string, known: Record<string, unknown>) => placeholder("string", ["arn"], { ...ctx(type, known), account: "111122223333" });
    expect(inAccount("aws_iam_role", { name: "r" })).toBe("arn:aws:iam::111122223333:role/r");
    expect(inAccount("aws_kms_key", {})).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    expect(inAccount("aws_lb", {})).toMatch(/^arn:aws:lb:eu-west-1:111122223333:/);
    expect(placeholder("string", ["role_arn"], { ...ctx("aws_eks_cluster"), account: "111122223333" })).toMatch(/^arn:aws:eks:eu-west-1:111122223333:/);
    const [key] = stateFromPlan({ resource_changes: [PLAN.resource_changes[0]] }, SCHEMAS, "l", "111122223333").resources;
    expect(key.instances[0].attributes.arn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
  });
  it("is generic where a name it is built of is unknown, or for an ARN nested in a block", () => {
    expect(placeholder("string", ["arn"], ctx("aws_iam_role", {}))).toMatch(/^arn:aws:iam:eu-west-1:000000000000:role\/offline-/);
    expect(placeholder("string", ["block", 0, "arn"], ctx("aws_s3_bucket", { bucket: "b" }))).toMatch(/^arn:aws:s3:eu-west-1:000000000000:bucket\/offline-/);
  });
});

describe("a planned value with its unknown parts filled", () => {
  const type = blockType({ attributes: { id: { type: "string", computed: true }, name: { type: "string" }, tags: { type: ["map", "string"] } }, block_types: { rule: { nesting_mode: "list", block: { attributes: { arn: { type: "string" }, n: { type: "number" } } } } } });
  it("fills values the plan left out of `after`, keeps the known ones, and recurses into blocks", () => {
    const out = fillUnknown({ name: "a", rule: [{ n: 2 }] }, { id: true, rule: [{ arn: true }] }, type, [], ctx()) as Record<string, unknown>;
    expect(out).toEqual({ name: "a", id: expect.stringMatching(/^offline-/), rule: [{ n: 2, arn: expect.stringMatching(/^arn:aws:kms:/) }] });
  });
  it("keeps the prior state's value where there is one (the fixpoint refines, it does not re-roll)", () => {
    expect(fillUnknown({ name: "a" }, { id: true }, type, [], ctx(), { id: "kept" })).toEqual({ name: "a", id: "kept" });
    expect(fillUnknown({ name: "a" }, { id: true }, type, [], ctx(), { id: null })).toEqual({ name: "a", id: expect.stringMatching(/^offline-/) });
  });
  it("fills a whole unknown block as one element, and leaves what is neither unknown nor typed", () => {
    expect(fillUnknown({}, { rule: true }, type, [], ctx())).toEqual({ rule: [{ arn: expect.any(String), n: 1 }] });
    expect(fillUnknown({ extra: 1 }, {}, type, [], ctx())).toEqual({ extra: 1 });
    expect(fillUnknown("x", false, "string", [], ctx())).toBe("x");
  });
  it("fills tuples by position and sets without a prior element", () => {
    expect(fillUnknown([1, undefined], [false, true], ["tuple", ["number", "string"]], [], ctx(), [9, "p"])).toEqual([1, "p"]);
    expect(fillUnknown([undefined], [true], ["set", "string"], [], ctx(), ["p"])).toEqual([expect.stringMatching(/^offline-/)]);
  });
});

describe("the state's marks and outputs", () => {
  it("lists the sensitive paths as the state's steps (a change of marks alone would be a change)", () => {
    expect(sensitivePaths({ password: true, block: [{ token: true }, {}], plain: false })).toEqual([
      [{ type: "get_attr", value: "password" }],
      [{ type: "get_attr", value: "block" }, { type: "index", value: { value: 0, type: "number" } }, { type: "get_attr", value: "token" }],
    ]);
    expect(sensitivePaths(true)).toEqual([[]]);
    expect(sensitivePaths(undefined)).toEqual([]);
  });
  it("keeps the outputs the plan knows, with their type and sensitivity", () => {
    const plan = { planned_values: { outputs: { a: { value: "x", type: "string", sensitive: false }, b: { value: 1, type: "number", sensitive: true }, c: { sensitive: false } } }, output_changes: { d: { after_unknown: true } } };
    expect(knownOutputs(plan)).toEqual({ a: { value: "x", type: "string" }, b: { value: 1, type: "number", sensitive: true } });
    expect(knownOutputs({ planned_values: { outputs: { d: { value: "y", type: "string" } } }, output_changes: { d: { after_unknown: true } } })).toEqual({});
  });
});

const SCHEMAS = {
  aws_kms_key: { version: 0, block: { attributes: { id: { type: "string" as CtyType }, arn: { type: "string" as CtyType }, policy: { type: "string" as CtyType } } } },
  aws_s3_bucket: { version: 1, block: { attributes: { id: { type: "string" as CtyType }, bucket: { type: "string" as CtyType }, key: { type: "string" as CtyType } } } },
};
const PLAN = {
  configuration: { provider_config: { aws: { expressions: { region: { constant_value: "eu-west-1" } } }, "aws.dr": { full_name: "registry.terraform.io/hashicorp/aws", expressions: { region: { constant_value: "eu-central-1" } } } }, root_module: { resources: [{ address: "aws_s3_bucket.b", provider_config_key: "aws.dr" }] } },
  resource_changes: [
    { address: "aws_kms_key.k", mode: "managed", type: "aws_kms_key", name: "k", change: { actions: ["create"], after: { policy: "{}" }, after_unknown: { id: true, arn: true }, after_sensitive: { policy: true } } },
    { address: "aws_s3_bucket.b", mode: "managed", type: "aws_s3_bucket", name: "b", change: { actions: ["create"], after: { bucket: "b1" }, after_unknown: { id: true, key: true } } },
    { address: "data.aws_region.r", mode: "data", type: "aws_region", name: "r", change: { actions: ["read"] } },
    { address: "aws_kms_key.kept", mode: "managed", type: "aws_kms_key", name: "kept", change: { actions: ["no-op"], after: {} } },
  ],
  planned_values: { outputs: {} },
};

describe("the state a plan leaves once applied", () => {
  const built = () => stateFromPlan(PLAN, SCHEMAS, "l");
  it("holds every managed resource it creates, with its schema version, provider (alias kept) and sensitivity", () => {
    expect(built().resources.map((r) => [r.type, r.name, r.provider, r.instances[0].schema_version])).toEqual([
      ["aws_kms_key", "k", 'provider["registry.terraform.io/hashicorp/aws"]', 0],
      ["aws_s3_bucket", "b", 'provider["registry.terraform.io/hashicorp/aws"].dr', 1],
    ]);
    expect(built().resources[0].instances[0].sensitive_attributes).toEqual([[{ type: "get_attr", value: "policy" }]]);
    expect(built().resources[1].instances[0].attributes.key).toMatch(/^offline-/);
    expect(built().resources[0].instances[0].attributes.arn).toMatch(/^arn:aws:kms:eu-west-1:/);
    expect(built().resources[1].instances[0].attributes.arn).toBeUndefined();
    expect({ version: built().version, lineage: built().lineage, serial: built().serial }).toEqual({ version: 4, lineage: "l", serial: 1 });
  });
  it("takes the default provider and us-east-1 where the plan has no configuration of them", () => {
    const [r] = stateFromPlan({ resource_changes: [PLAN.resource_changes[0]] }, SCHEMAS, "l").resources;
    expect(r.provider).toBe('provider["registry.terraform.io/hashicorp/aws"]');
    expect(r.instances[0].attributes.arn).toMatch(/^arn:aws:kms:us-east-1:/);
  });
  it("refuses count and for_each instances with a clear message", () => {
    expect(() => stateFromPlan({ resource_changes: [{ ...PLAN.resource_changes[0], address: "aws_kms_key.k[0]", index: 0 }] }, SCHEMAS, "l")).toThrow(/aws_kms_key\.k\[0\]: count and for_each instances are not supported/);
  });
  it("refuses a type the provider does not have, and a module's resources", () => {
    expect(() => stateFromPlan({ resource_changes: [{ ...PLAN.resource_changes[0], type: "aws_nope" }] }, SCHEMAS, "l")).toThrow(/no resource type aws_nope/);
    expect(() => stateFromPlan({ resource_changes: [{ ...PLAN.resource_changes[0], module_address: "module.m" }] }, SCHEMAS, "l")).toThrow(/modules are not supported/);
  });
  it("gives whole references the referenced resource's value, also as list elements and in blocks", () => {
    const s: TerraformState = JSON.parse(JSON.stringify(built()));
    s.resources[1].instances[0].attributes = { bucket: "b1", key: "offline-x", keys: ["a", "b"], block: [{ k: "offline-y" }] };
    resolveReferences(s, { resource: { aws_s3_bucket: { b: { key: "${aws_kms_key.k.arn}", keys: ["${aws_kms_key.k.id}", "literal"], block: { k: "${aws_kms_key.k.arn}" }, bucket: "${var.x}" } } } });
    const k = s.resources[0].instances[0].attributes;
    expect(s.resources[1].instances[0].attributes).toEqual({ bucket: "b1", key: k.arn, keys: [k.id, "b"], block: [{ k: k.arn }] });
  });
  it("resolves references by their path, and leaves variables, locals, data sources, literals and lists of another length", () => {
    const s: TerraformState = JSON.parse(JSON.stringify(built()));
    s.resources[0].instances[0].attributes = { id: "k1", arn: "a1", nested: [{ deep: [{ v: "deep-value" }] }], policy: "{}" };
    s.resources[1].instances[0].attributes = { bucket: "b1", key: "p0", a: "p1", b: "p2", c: "p3", d: "p4", e: ["p5"], f: "p6", g: "p7" };
    resolveReferences(s, {
      resource: {
        aws_s3_bucket: {
          b: { key: "${aws_kms_key.k.nested[0].deep[0].v}", a: "${var.x}", b: "${local.y}", c: "${data.aws_region.r.name}", d: "prefix-${aws_kms_key.k.arn}", e: ["${aws_kms_key.k.id}", "${aws_kms_key.k.arn}"], f: "${aws_kms_key.k.missing}", g: "${aws_kms_key.k.arn}x" },
        },
      },
    });
    expect(s.resources[1].instances[0].attributes).toEqual({ bucket: "b1", key: "deep-value", a: "p1", b: "p2", c: "p3", d: "p4", e: ["p5"], f: "p6", g: "p7" });
  });
  it("leaves what the referenced value cannot fill: null, a path through null, a list where the state has none, a block of another size", () => {
    const s: TerraformState = JSON.parse(JSON.stringify(built()));
    s.resources[0].instances[0].attributes = { id: "k1", arn: null, nested: null, many: Array.from({ length: 13 }, (_, i) => `m${i}`), policy: "{}" };
    s.resources[1].instances[0].attributes = { bucket: "b1", a: "p1", b: "p2", c: "scalar", d: [{ x: "p3" }, { x: "p4" }], e: "p5", f: "p6" };
    resolveReferences(s, {
      resource: { aws_s3_bucket: { b: { a: "${aws_kms_key.k.arn}", b: "${aws_kms_key.k.nested[0].v}", c: ["${aws_kms_key.k.id}"], d: { x: "${aws_kms_key.k.id}" }, e: "${aws_kms_key.k.many[12]}", f: 7 } } },
    });
    expect(s.resources[1].instances[0].attributes).toEqual({ bucket: "b1", a: "p1", b: "p2", c: "scalar", d: [{ x: "p3" }, { x: "p4" }], e: "m12", f: "p6" });
  });
  it("resolves references to references, in any order of the resources", () => {
    const s: TerraformState = JSON.parse(JSON.stringify(built()));
    s.resources[0].instances[0].attributes = { id: "k1", arn: "p-arn", policy: "{}" };
    s.resources[1].instances[0].attributes = { bucket: "b1", key: "real" };
    resolveReferences(s, { resource: { aws_kms_key: { k: { arn: "${aws_s3_bucket.b.key}" } }, aws_s3_bucket: { b: {} } } });
    expect(s.resources[0].instances[0].attributes.arn).toBe("real");
  });
  it("refines from a plan of the same configuration: its known values, its outputs, nothing else", () => {
    const plan = {
      ...PLAN,
      resource_changes: [{ ...PLAN.resource_changes[1], change: { actions: ["update"], after: { bucket: "b1", key: "known" }, after_unknown: { id: true } } }, { ...PLAN.resource_changes[0], change: { actions: ["no-op"] } }],
      planned_values: { outputs: { o: { value: "v", type: "string" } } },
    };
    const next = refineStep(built(), plan, SCHEMAS);
    expect(next.changed).toBe(2);
    expect(next.state.resources[1].instances[0].attributes).toEqual({ bucket: "b1", key: "known", id: built().resources[1].instances[0].attributes.id });
    expect(next.state.resources[0]).toEqual(built().resources[0]);
    expect(next.state.outputs).toEqual({ o: { value: "v", type: "string" } });
    expect(next.state.serial).toBe(2);
    expect(refineStep(next.state, { ...plan, resource_changes: [] }, SCHEMAS).changed).toBe(0);
    expect(() => refineStep(built(), { ...plan, resource_changes: [{ ...PLAN.resource_changes[1], address: "aws_s3_bucket.gone" }] }, SCHEMAS)).toThrow(/does not match the plan it was built from/);
    expect(() => refineStep(built(), { ...plan, resource_changes: [{ ...PLAN.resource_changes[1], change: { actions: ["delete"] } }] }, SCHEMAS)).toThrow(/deletes it/);
  });
});

describe("what a plan of the new version must cover", () => {
  const base = {
    terraform: { backend: { s3: {} } },
    resource: { aws_kms_key: { k: { "//": { m: 1 }, description: "k" } }, aws_s3_bucket: { b: { key: "${aws_kms_key.k.arn}" }, c: {} }, aws_s3_bucket_policy: { p: { policy: "${data.aws_iam_policy_document.d.json}" } } },
    data: { aws_iam_policy_document: { d: { statement: [{ resources: ["${aws_s3_bucket.b.arn}"] }] } } },
    output: { o: { value: 1 } },
  };
  const edit = (f: (j: typeof base & Record<string, unknown>) => void) => {
    const j = JSON.parse(JSON.stringify(base));
    f(j);
    return j;
  };
  it("is what changed and everything that references it, through data sources too; never a data source itself", () => {
    expect(changedResources(base, edit((j) => (j.resource.aws_kms_key.k.description = "new")))).toEqual(["aws_kms_key.k", "aws_s3_bucket.b", "aws_s3_bucket_policy.p"]);
    expect(changedResources(base, edit((j) => (j.resource.aws_s3_bucket.c = { x: 1 })))).toEqual(["aws_s3_bucket.c"]);
    expect(changedResources(base, edit((j) => (j.data.aws_iam_policy_document.d.statement = [])))).toEqual(["aws_s3_bucket_policy.p"]);
  });
  it("includes what was removed and what was added, and ignores the metadata and the outputs", () => {
    expect(changedResources(base, edit((j) => delete (j.resource.aws_s3_bucket as Record<string, unknown>).c))).toEqual(["aws_s3_bucket.c"]);
    expect(changedResources(base, edit((j) => ((j.resource.aws_s3_bucket as Record<string, unknown>).n = {})))).toEqual(["aws_s3_bucket.n"]);
    expect(changedResources(base, edit((j) => ((j.resource.aws_kms_key.k as Record<string, unknown>)["//"] = { m: 2 })))).toEqual([]);
    expect(changedResources(base, edit((j) => (j.output.o.value = 2)))).toEqual([]);
  });
  it("is the whole stack where anything but resources, data sources and variables changed", () => {
    expect(changedResources(base, edit((j) => (j.terraform.backend = { s3: { key: "x" } } as never)))).toBeUndefined();
    expect(changedResources(base, edit((j) => ((j as Record<string, unknown>).provider = { aws: [{ region: "eu-west-1" }] })))).toBeUndefined();
  });
  it("follows a variable added, removed or changed to what uses it, and is the whole stack where a provider uses it", () => {
    const withVariable = edit((j) => {
      (j as Record<string, unknown>).variable = { password: { type: "string" }, other: { type: "string" } };
      j.resource.aws_s3_bucket.c = { secret: "${var.password}" } as never;
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const change = (f: (j: Record<string, any>) => void) => {
      const j = JSON.parse(JSON.stringify(withVariable));
      f(j);
      return j;
    };
    // Added with the resource that uses it: the resource.
    expect(changedResources(base, withVariable)).toEqual(["aws_s3_bucket.c"]);
    // Its definition changed, the resource not: the resource still.
    expect(changedResources(withVariable, change((j) => (j.variable.password.sensitive = true)))).toEqual(["aws_s3_bucket.c"]);
    // A variable nothing uses: nothing; a name that only starts with the variable's: nothing.
    expect(changedResources(withVariable, change((j) => (j.variable.unused = { type: "string" })))).toEqual([]);
    expect(changedResources(withVariable, change((j) => (j.variable.pass = { type: "string" })))).toEqual([]);
    // Removed, and the resource with it.
    expect(changedResources(withVariable, base)).toEqual(["aws_s3_bucket.c"]);
    // Read by a provider block.
    expect(changedResources(change((j) => (j.provider = { aws: [{ region: "${var.other}" }] })), change((j) => {
      j.provider = { aws: [{ region: "${var.other}" }] };
      j.variable.other.default = "eu-west-1";
    }))).toBeUndefined();
  });
  it("follows references by address only (a service name that looks like one is not)", () => {
    const g = referenceGraph({ resource: { aws_iam_role: { r: { assume: "kms.amazonaws.com", dep: ["aws_kms_key.k"], note: "aws_iam_role.r" } }, aws_kms_key: { k: {}, keys_logs: { self: "${aws_kms_key.keys_logs.arn}" } }, aws_s3_bucket: { logs: { key: "${aws_kms_key.keys_logs.arn}" } } } });
    expect([...g.get("aws_iam_role.r")!]).toEqual(["aws_kms_key.k"]);
    expect([...g.get("aws_s3_bucket.logs")!]).toEqual(["aws_kms_key.keys_logs"]);
    expect([...g.get("aws_kms_key.keys_logs")!]).toEqual([]);
    expect([...withDependents(g, ["aws_kms_key.k"])].sort()).toEqual(["aws_iam_role.r", "aws_kms_key.k"]);
    expect([...withDependents(g, ["aws_iam_role.r"])]).toEqual(["aws_iam_role.r"]);
  });
});

describe("the upgrade findings of a plan", () => {
  const rc = (address: string, actions: string[], extra: Record<string, unknown> = {}) => {
    const [type, name] = address.split(".");
    return { address, type, name, mode: "managed", change: { actions, before: { bucket: "old", tags: { a: "1" } }, after: { bucket: "new" }, ...extra } };
  };
  const baseJson = { resource: { aws_s3_bucket: { b: { lifecycle: { prevent_destroy: true } } }, aws_kms_key: { gone: { lifecycle: { prevent_destroy: true } } } } };
  // Computed in each test, not when the file loads: a mutant's run executes only the tests.
  const findings = () => upgradeFindings(
    "region-eu",
    {
      resource_changes: [
        rc("aws_route_table_association.a", ["delete", "create"], { replace_paths: [["subnet_id"]] }),
        { ...rc("aws_s3_bucket.b", ["delete", "create"], { replace_paths: [["bucket"], ["tags", "a"]] }), action_reason: "replace_because_cannot_update" },
        rc("aws_kms_key.other", ["create", "delete"], { replace_paths: [["key_spec"]] }),
        rc("aws_ecr_repository.old", ["delete"]),
        rc("aws_ecr_repository.new", ["create"]),
        rc("aws_kms_key.gone", ["delete"]),
        rc("aws_lb.l", ["update"]),
        rc("aws_lb.m", ["no-op"]),
        { ...rc("aws_cloudwatch_log_group.lg", ["update"]), change: { actions: ["update"], before: { retention_in_days: 400 }, after: { retention_in_days: 90 } } },
        { ...rc("aws_instance.t", ["delete", "create"]), action_reason: "replace_by_triggers" },
      ],
    },
    baseJson,
    baseJson,
  );
  it("lists replacements and destructions only, the stateful ones first", () => {
    expect(findings().map((f) => [f.address, f.action, !!f.loses, f.signOff])).toEqual([
      ["aws_ecr_repository.old", "destroy", true, undefined],
      ["aws_kms_key.gone", "destroy", true, undefined],
      ["aws_kms_key.other", "replace", true, undefined],
      ["aws_s3_bucket.b", "replace", true, undefined],
      ["aws_cloudwatch_log_group.lg", "update", false, RETENTION_SHORTENED],
      ["aws_instance.t", "replace", false, undefined],
      ["aws_route_table_association.a", "replace", false, undefined],
    ]);
    expect(findings().find((f) => f.address === "aws_cloudwatch_log_group.lg")!.forcedBy).toEqual([{ path: "retention_in_days", before: "400", after: "90" }]);
    expect(signOffPolicy()).toContain(RETENTION_SHORTENED);
  });
  it("names the attributes forcing a replacement with their values, and whether the base protects the resource", () => {
    const b = findings().find((f) => f.address === "aws_s3_bucket.b")!;
    expect(b).toMatchObject({ protectedFromDestroy: true, loses: UPGRADE_STATEFUL.aws_s3_bucket, forcedBy: [{ path: "bucket", before: "old", after: "new" }, { path: "tags.a", before: "1", after: "(known after apply)" }] });
    expect(b.fix).toMatch(/^Keep bucket, tags\.a as in the previous version \(the provider cannot change them in place\)/);
    expect(findings().find((f) => f.address === "aws_route_table_association.a")!).toMatchObject({ protectedFromDestroy: false, forcedBy: [{ path: "subnet_id" }] });
    expect(findings().find((f) => f.address === "aws_route_table_association.a")!.fix).toMatch(/cannot change it in place/);
  });
  it("takes destroy protection from the new version for a replacement, and never counts it for a resource removed", () => {
    expect(findings().find((f) => f.address === "aws_kms_key.gone")!.protectedFromDestroy).toBe(false);
    expect(findings().find((f) => f.address === "aws_kms_key.gone")!.fix).toContain("removing it removes its prevent_destroy too");
    const lifted = upgradeFindings("s", { resource_changes: [rc("aws_s3_bucket.b", ["delete", "create"], { replace_paths: [["bucket"]] })] }, baseJson, { resource: { aws_s3_bucket: { b: {} } } });
    expect(lifted[0].protectedFromDestroy).toBe(false);
  });
  it("gives Terraform's reason where no attribute forces the replacement", () => {
    const f = findings().find((x) => x.address === "aws_instance.t")!;
    expect([f.reason, f.forcedBy]).toEqual(["replace_by_triggers", []]);
    expect(f.fix).toContain("replace_by_triggers");
    // The attributes say it where there are any: no reason beside them.
    expect(findings().find((x) => x.address === "aws_s3_bucket.b")!.reason).toBeUndefined();
  });
  it("suggests a move for a destroyed resource with a new one of its type, and keeping it otherwise", () => {
    expect(findings().find((f) => f.address === "aws_ecr_repository.old")!.fix).toContain('.moveFromId("aws_ecr_repository.old")');
    expect(findings().find((f) => f.address === "aws_ecr_repository.old")!.fix).toContain("aws_ecr_repository.new");
    expect(findings().find((f) => f.address === "aws_kms_key.gone")!.fix).toMatch(/^Keep aws_kms_key\.gone in the configuration/);
  });
  it("shows a value of 120 characters whole, and a path through null as not known", () => {
    const [f] = upgradeFindings("s", { resource_changes: [rc("aws_msk_cluster.k", ["delete", "create"], { before: { a: "x".repeat(120), n: null }, after: { a: "y", n: { v: 1 } }, replace_paths: [["a"], ["n", "v"]] })] }, {});
    expect(f.forcedBy).toEqual([{ path: "a", before: "x".repeat(120), after: "y" }, { path: "n.v", before: "(known after apply)", after: "1" }]);
  });
  it("shows long values cut, and index steps as [n]", () => {
    const [f] = upgradeFindings("s", { resource_changes: [rc("aws_msk_cluster.k", ["delete", "create"], { before: { b: [{ sg: ["x".repeat(200)] }] }, after: { b: [{ sg: ["y"] }] }, replace_paths: [["b", 0, "sg"]] })] }, {});
    expect(f.forcedBy).toEqual([{ path: "b[0].sg", before: `["${"x".repeat(115)}...`, after: '["y"]' }]);
  });
  it("renders each finding with what is lost, and says when nothing stateful goes", () => {
    const plan = { stack: "region-eu", summary: "Plan: 1 to add, 0 to change, 1 to destroy.", planText: "", plan: {}, findings: findings(), rounds: [], targets: ["a", "b"] };
    const md = renderUpgrade("main", [plan, { stack: "region-us", summary: "Unchanged: the same configuration.", planText: "", findings: [], rounds: [] }], ["region-x is no longer in the app"]);
    expect(md).toContain("**4 stateful resource(s) would be replaced, destroyed or left unmanaged.**");
    expect(md).toContain("**1 update(s) delete data by shortening a retention** (sign-off: a retention shortened).");
    expect(md).toContain("| region-eu | Plan: 1 to add, 0 to change, 1 to destroy. | 2 resource(s) that changed or reference a change |");
    expect(md).toContain("| region-us | Unchanged: the same configuration. | nothing |");
    expect(md).toContain("`bucket`: old → new<br>`tags.a`: 1 → (known after apply)");
    expect(md).toContain("yes: the deploy would stop at plan");
    expect(md).toContain("no: removed with its configuration");
    expect(md).toContain("- region-x is no longer in the app");
    expect(md).toContain("| removed from the configuration |");
    expect(md).toContain("| Terraform: replace_by_triggers |");
    expect(md).toContain("| sign-off: a retention shortened |");
    // The whole section as a reviewer reads it (the wording and the layout are the product).
    expect(md).toMatchSnapshot();
    expect(renderUpgrade("main", [{ ...plan, findings: [], targets: undefined }], [])).toContain("Nothing stateful is replaced, destroyed or left unmanaged in the AWS stacks.");
    expect(renderUpgrade("main", [{ ...plan, findings: [], targets: undefined }], [])).not.toContain("shortening");
    expect(renderUpgrade("main", [{ ...plan, findings: [], targets: undefined }], [])).toContain("| the whole stack |");
    expect(renderUpgrade("main", [{ ...plan, findings: [], targets: undefined }], [])).not.toContain("### Replaced or destroyed");
  });
  it("renders a stack removed from the app by its resources left unmanaged", () => {
    const md = renderUpgrade("main", [{ stack: "region-x", summary: "Removed from the app: not planned.", planText: "", rounds: [], findings: [{ stack: "region-x", address: "aws_kms_key.k", type: "aws_kms_key", action: "unmanaged", loses: "stays", forcedBy: [], protectedFromDestroy: false, fix: "f" }] }], []);
    expect(md).toContain("| region-x | `aws_kms_key.k` | unmanaged | **stays** | its stack removed from the app | no | f |");
  });
  it("exits apart for a stateful loss, a sign-off and an error", () => {
    expect(new Set(Object.values(REVIEW_EXIT)).size).toBe(4);
    expect(REVIEW_EXIT).toEqual({ ok: 0, signOff: 1, error: 2, statefulLoss: 3 });
  });
});

describe("what a plan against a built state cannot show", () => {
  type Json = { terraform: { backend: { s3: { key: string } } }; provider: { aws: { alias?: string; region: string; allowed_account_ids: string[]; assume_role?: unknown }[] }; resource: Record<string, Record<string, Record<string, unknown>>> };
  const base: Json = {
    terraform: { backend: { s3: { key: "regions/eu/terraform.tfstate" } } },
    provider: { aws: [{ region: "eu-west-1", allowed_account_ids: ["1"] }, { alias: "dr", region: "eu-central-1", allowed_account_ids: ["1"] }] },
    resource: { aws_s3_bucket: { b: { bucket: "x" } }, aws_route_table: { r: {} }, aws_kms_key: { partner: { provider: "aws.dr" } } },
  };
  const edit = (f: (j: Json) => void): Json => {
    const j = JSON.parse(JSON.stringify(base));
    f(j);
    return j;
  };
  it("finds nothing where the providers, their regions and accounts and the backend stay", () => {
    expect(relocationFindings("s", base, edit((j) => (j.resource.aws_s3_bucket.b.bucket = "y")))).toEqual([]);
  });
  it("a resource moved to another provider configuration is re-created there (its old one left unmanaged)", () => {
    const [f] = relocationFindings("s", base, edit((j) => (j.resource.aws_s3_bucket.b.provider = "aws.dr")));
    expect(f).toMatchObject({ address: "aws_s3_bucket.b", action: "replace", loses: UPGRADE_STATEFUL.aws_s3_bucket, forcedBy: [{ path: "provider", before: expect.stringContaining("eu-west-1"), after: expect.stringContaining("aws.dr") }] });
  });
  it("so is every resource of a provider whose region or account changes, stateful first", () => {
    const region = relocationFindings("s", base, edit((j) => (j.provider.aws[0].region = "eu-west-2")));
    expect(region.map((f) => [f.address, !!f.loses, f.protectedFromDestroy])).toEqual([["aws_s3_bucket.b", true, false], ["aws_route_table.r", false, false]]);
    expect(relocationFindings("s", base, edit((j) => (j.provider.aws[0].allowed_account_ids = ["2"]))).length).toBe(2);
    expect(relocationFindings("s", base, edit((j) => (j.provider.aws[1].region = "eu-north-1"))).map((f) => f.address)).toEqual(["aws_kms_key.partner"]);
    expect(relocationFindings("s", base, edit((j) => (j.provider.aws[0].assume_role = [{ role_arn: "arn:aws:iam::1:role/x" }]))).length).toBe(2);
  });
  it("reads a configuration without providers or a backend (nothing to compare) without failing", () => {
    const bare = { resource: { aws_s3_bucket: { b: {} } } };
    expect(relocationFindings("s", bare, bare)).toEqual([]);
    expect(relocationFindings("s", bare, { resource: { aws_s3_bucket: { b: { provider: "aws.dr" } } } }).map((f) => f.forcedBy[0].after)).toEqual([expect.stringMatching(/^aws\.dr: /)]);
  });
  it("a backend moved starts from an empty state: the whole stack is created again", () => {
    const [f] = relocationFindings("s", base, edit((j) => (j.terraform.backend.s3.key = "regions/eu2/terraform.tfstate")));
    expect(f).toMatchObject({ address: "terraform.backend", type: "terraform backend", action: "replace", protectedFromDestroy: false, loses: expect.stringContaining("empty state"), forcedBy: [{ path: "backend", before: expect.stringContaining("regions/eu/"), after: expect.stringContaining("regions/eu2/") }] });
    expect(f.fix).toContain("terraform init -migrate-state");
  });
  it("ignores resources added or removed (the plan shows those)", () => {
    expect(relocationFindings("s", base, edit((j) => (j.resource.aws_s3_bucket.c = { provider: "aws.dr" })))).toEqual([]);
  });
});

describe("a retention an update shortens", () => {
  it("is a period under a retention or expiration attribute that goes down", () => {
    expect(shortenedRetention({ retention_in_days: 400 }, { retention_in_days: 365 })).toEqual([{ path: ["retention_in_days"], before: 400, after: 365 }]);
    expect(shortenedRetention({ rule: [{ expiration: [{ days: 400 }] }] }, { rule: [{ expiration: [{ days: 30 }] }] })).toEqual([{ path: ["rule", 0, "expiration", 0, "days"], before: 400, after: 30 }]);
    expect(shortenedRetention({ rule: [{ default_retention: [{ years: 2 }] }] }, { rule: [{ default_retention: [{ years: 1 }] }] })).toHaveLength(1);
    expect(shortenedRetention({ backup_retention_period: 35 }, { backup_retention_period: 7 })).toHaveLength(1);
    expect(shortenedRetention({ rule: [{ lifecycle: [{ delete_after: 400 }] }] }, { rule: [{ lifecycle: [{ delete_after: 35 }] }] })).toHaveLength(1);
    expect(shortenedRetention({ noncurrent_version_expiration: [{ noncurrent_days: 90 }] }, { noncurrent_version_expiration: [{ noncurrent_days: 30 }] })).toHaveLength(1);
  });
  it("is not a longer period, an unrelated number, or a log group set to never expire; but is one that stops never expiring", () => {
    expect(shortenedRetention({ retention_in_days: 400 }, { retention_in_days: 731 })).toEqual([]);
    expect(shortenedRetention({ retention_in_days: 400 }, { retention_in_days: 0 })).toEqual([]);
    expect(shortenedRetention({ retention_in_days: 0 }, { retention_in_days: 400 })).toHaveLength(1);
    expect(shortenedRetention({ scaling: [{ days: 5 }] }, { scaling: [{ days: 1 }] })).toEqual([]);
    expect(shortenedRetention({ expiration: [{ size: 5 }] }, { expiration: [{ size: 1 }] })).toEqual([]);
    expect(shortenedRetention({ retention_in_days: 10 }, { retention_in_days: "x" })).toEqual([]);
    expect(shortenedRetention(null, { a: 1 })).toEqual([]);
  });
});

describe("the provider's resource schemas for building a state", () => {
  const schema = (t: string) => ({ version: 0, block: { attributes: { [`${t}_id`]: { type: "string", computed: true } } } });
  /** A workdir whose `terraform providers schema -json` gives the schemas of `types`, counting the asks. */
  const workdir = (types: string[], asks: string[][]) =>
    ({
      schema: async () => {
        asks.push(types);
        return { provider_schemas: { "registry.terraform.io/hashicorp/aws": { resource_schemas: Object.fromEntries(types.map((t) => [t, schema(t)])) } } };
      },
    }) as unknown as OfflineWorkdir;

  it("asks Terraform for what the file does not hold, adds it there, and asks no more for what it holds", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schemas-"));
    const asks: string[][] = [];
    expect(Object.keys(await providerSchemas(workdir(["aws_kms_key", "aws_s3_bucket"], asks), ["aws_kms_key", "aws_s3_bucket"], dir)).sort()).toEqual(["aws_kms_key", "aws_s3_bucket"]);
    expect(Object.keys(await providerSchemas(workdir(["aws_kms_key", "aws_vpc"], asks), ["aws_kms_key", "aws_vpc"], dir)).sort()).toEqual(["aws_kms_key", "aws_s3_bucket", "aws_vpc"]);
    expect(asks).toHaveLength(2);
    // Held now: from the file, with no ask (also in another process: the file is read first).
    expect(Object.keys(await providerSchemas(workdir(["aws_vpc"], asks), ["aws_vpc", "aws_s3_bucket"], dir)).sort()).toEqual(["aws_kms_key", "aws_s3_bucket", "aws_vpc"]);
    expect(asks).toHaveLength(2);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith("-resource-schemas.json"))!), "utf8"))).sort()).toEqual(["aws_kms_key", "aws_s3_bucket", "aws_vpc"]);
  });

  it("fails naming a type Terraform gave no schema for", async () => {
    await expect(providerSchemas(workdir(["aws_kms_key"], []), ["aws_kms_key", "aws_iam_role"], fs.mkdtempSync(path.join(os.tmpdir(), "schemas-")))).rejects.toThrow(/no hashicorp\/aws resource schema for aws_iam_role/);
  });
});

describe("what a state's next round must plan: what the last refined, and what reads an attribute it changed", () => {
  const state = (attrs: Record<string, Record<string, unknown>>): TerraformState =>
    ({ version: 4, terraform_version: "1.11.4", serial: 1, lineage: "x", outputs: {}, resources: Object.entries(attrs).map(([a, attributes]) => ({ mode: "managed", type: a.split(".")[0], name: a.split(".")[1], provider: "p", instances: [{ schema_version: 0, attributes, sensitive_attributes: [] }] })) }) as TerraformState;
  it("names the top-level attributes whose value changed, and every one of a resource in one state only", () => {
    const before = state({ "aws_kms_key.k": { arn: "a", policy: "p", tags: { a: 1 } }, "aws_s3_bucket.b": { id: "b" } });
    const after = state({ "aws_kms_key.k": { arn: "a", policy: "q", tags: { a: 1 } } });
    expect(changedAttributes(before, after, ["aws_kms_key.k", "aws_s3_bucket.b"])).toEqual(new Map<string, unknown>([["aws_kms_key.k", new Set(["policy"])], ["aws_s3_bucket.b", "all"]]));
  });
  it("finds the readers of a changed attribute, of the whole resource, or of any attribute of one changed whole; not the readers of another attribute", () => {
    const json = {
      resource: {
        aws_s3_bucket: { reads_arn: { key: "${aws_kms_key.k.arn}" }, reads_policy: { p: "${aws_kms_key.k.policy}" }, reads_nested: { p: "${aws_kms_key.k.policy[0].x}" }, waits: { depends_on: ["aws_kms_key.k"] }, other: { v: "${aws_vpc.v.id}" } },
        aws_kms_key: { k: {} },
      },
      data: { aws_iam_policy_document: { d: { r: ["${aws_kms_key.k.policy}"] } } },
    };
    expect(attributeReaders(json, new Map([["aws_kms_key.k", new Set(["policy"])]])).sort()).toEqual(["aws_s3_bucket.reads_nested", "aws_s3_bucket.reads_policy", "aws_s3_bucket.waits", "data.aws_iam_policy_document.d"]);
    expect(attributeReaders(json, new Map([["aws_vpc.v", "all" as const]]))).toEqual(["aws_s3_bucket.other"]);
    expect(attributeReaders(json, new Map([["aws_kms_key.k", new Set<string>()]]))).toEqual(["aws_s3_bucket.waits"]);
    expect(attributeReaders(json, new Map())).toEqual([]);
  });
});
