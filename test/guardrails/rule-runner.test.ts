/**
 * The rule runner and the pack's text, on their own: which rules run on which stack, what a rule
 * that throws reports, how a message is split into address and text, and how a finding is printed.
 * (The pack on real stacks is tested in pack.test.ts.)
 */
import type { RegionConfig } from "../../config/schema";
import { formatFinding, splitMessage } from "../../guardrails/pack";
import { COULD_NOT_CHECK, StackView, checkRule, failures, resourceRules, stackRules } from "../../guardrails/rule";

const view = (layer: StackView["layer"], json: Record<string, unknown>): StackView => ({ name: "region-x", region: {} as RegionConfig, layer, json, text: JSON.stringify(json) });

describe("rule families", () => {
  it("default to level error and carry the family's layers", () => {
    const [s] = stackRules({ layers: ["aws", "gcp"] }, [{ id: "a.b", requirement: "1", description: "d", fix: "f", check: () => [] }]);
    const [r] = resourceRules({ layers: ["mesh"] }, [{ id: "c.d", requirement: "2", description: "d", fix: "f", resourceTypes: ["t"], check: () => [] }]);
    expect([s.level, s.layers, r.level, r.layers]).toEqual(["error", ["aws", "gcp"], "error", ["mesh"]]);
  });

  it("take a family's level, and a rule's own layers and level over the family's", () => {
    const [a, b] = stackRules({ layers: ["aws"], level: "warning" }, [
      { id: "a", requirement: "1", description: "d", fix: "f", check: () => [] },
      { id: "b", requirement: "1", description: "d", fix: "f", check: () => [], layers: ["gcp"], level: "error" },
    ]);
    expect([a.level, a.layers, b.level, b.layers]).toEqual(["warning", ["aws"], "error", ["gcp"]]);
  });
});

describe("checkRule", () => {
  const [stackRule] = stackRules({ layers: ["aws"] }, [{ id: "s", requirement: "1", description: "d", fix: "f", check: ({ json }) => (json.bad ? ["(stack): bad"] : []) }]);
  const [resourceRule] = resourceRules({ layers: ["aws"] }, [
    { id: "r", requirement: "1", description: "d", fix: "f", resourceTypes: ["aws_a", "aws_b"], check: (body) => (body.ok ? [] : ["not ok", "and worse"]) },
  ]);

  it("runs a rule only on the layers it names", () => {
    expect(checkRule(stackRule, view("gcp", { bad: true }))).toEqual([]);
    expect(checkRule(stackRule, view("aws", { bad: true }))).toEqual(["(stack): bad"]);
  });

  it("runs a resource rule on every resource of each of its types, prefixing each message with the address", () => {
    const json = { resource: { aws_a: { one: { ok: true }, two: {} }, aws_b: { three: {} }, aws_c: { four: {} } } };
    expect(checkRule(resourceRule, view("aws", json))).toEqual(["aws_a.two: not ok", "aws_a.two: and worse", "aws_b.three: not ok", "aws_b.three: and worse"]);
  });

  it("fails closed when a rule throws, naming what it was checking and why", () => {
    const [throwing] = stackRules({ layers: ["aws"] }, [{ id: "t", requirement: "1", description: "d", fix: "f", check: () => { throw new Error("no provider block"); } }]);
    const [throwingOnResource] = resourceRules({ layers: ["aws"] }, [{ id: "u", requirement: "1", description: "d", fix: "f", resourceTypes: ["aws_a"], check: () => { throw new Error("boom"); } }]);
    expect(checkRule(throwing, view("aws", {}))).toEqual([`(stack): ${COULD_NOT_CHECK} (no provider block)`]);
    expect(checkRule(throwingOnResource, view("aws", { resource: { aws_a: { x: {} } } }))).toEqual([`aws_a.x: ${COULD_NOT_CHECK} (boom)`]);
  });

  it("failures lists only the rules that found something, by id", () => {
    expect(failures([stackRule, resourceRule], view("aws", { bad: true, resource: { aws_a: { x: { ok: true } } } }))).toEqual({ s: ["(stack): bad"] });
    expect(failures([stackRule], view("aws", {}))).toEqual({});
  });
});

describe("splitMessage", () => {
  it.each<[string, string, string]>([
    ["aws_s3_bucket.archive: not encrypted", "aws_s3_bucket.archive", "not encrypted"],
    ["aws_kms_alias: no alias for logs", "aws_kms_alias", "no alias for logs"],
    ["data.aws_iam_policy_document.p: a wildcard", "data.aws_iam_policy_document.p", "a wildcard"],
    ["provider.aws.dr: region x", "provider.aws.dr", "region x"],
    ["terraform.backend.s3: state not encrypted", "terraform.backend.s3", "state not encrypted"],
    ["kubernetes_manifest.allow-a_b: rule 0: any source", "kubernetes_manifest.allow-a_b", "rule 0: any source"],
    ["(stack): two lines\nof text", "(stack)", "two lines\nof text"],
    ["Not an address: some text", "(stack)", "Not an address: some text"],
    ["1aws_x.y: text", "(stack)", "1aws_x.y: text"],
    ["aws_x.y:no space", "(stack)", "aws_x.y:no space"],
    ["see aws_x.y: text", "(stack)", "see aws_x.y: text"],
    ["aws_x.y z: text", "(stack)", "aws_x.y z: text"],
  ])("%j", (raw, address, message) => {
    expect(splitMessage(raw)).toEqual({ address, message });
  });
});

it("formatFinding prints the address, the problem, the rule with its level and requirement, the fix and how to suppress it", () => {
  const rule = { id: "database.tls-forced", level: "error" as const, requirement: "4.2.1", description: "connections use TLS 1.2+", fix: "Set rds.force_ssl", layers: ["aws" as const] };
  expect(formatFinding({ rule, address: "aws_rds_cluster.db", message: "TLS not forced" })).toBe(
    [
      "aws_rds_cluster.db: TLS not forced",
      "    rule database.tls-forced (error, PCI DSS v4.0 4.2.1): connections use TLS 1.2+",
      "    fix: Set rds.force_ssl",
      '    (if the rule does not apply here: suppressGuardrails(<construct>, [{ id: "database.tls-forced", reason: "<why>" }]); the reason is shown in the report)',
    ].join("\n"),
  );
});
