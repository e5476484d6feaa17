import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffPosture, postureFacts, summarizeGuardrails } from "../../review/posture";
import { compareOutputs, renderReview, signOffPolicy } from "../../scripts/review";
import { TfJson, cloneJson, edited, jsonCopy, resourcesOf, shippedAllLayers } from "../support/synth";

/** The security posture of a change (issue 22): facts per stack, their differences, and which need a sign-off. */
const all = shippedAllLayers();
const eu = all.find((s) => s.name === "region-eu")!;
const mesh = all.find((s) => s.name === "region-eu-mesh")!;
const dr = all.find((s) => s.name === "region-eu-dr")!;
const required = signOffPolicy();
const diff = (s: typeof eu, edit: (j: TfJson) => void) => {
  const json = edited(s, edit);
  return diffPosture(s.name, postureFacts(s.json, summarizeGuardrails(s.guardrails)), postureFacts(json, summarizeGuardrails(s.guardrails)));
};

describe("the posture of a stack", () => {
  it("has a fact of every category the issue names, each with the PCI DSS requirement it touches", () => {
    const facts = [...postureFacts(eu.json, summarizeGuardrails(eu.guardrails)), ...postureFacts(mesh.json)];
    expect(new Set(facts.map((f) => f.category))).toEqual(new Set(["exposure", "encryption", "iam", "mesh", "guardrails", "residency", "resources"]));
    for (const f of facts) expect(f.requirement).toMatch(/\d/);
  });
  it("is the same on a second synthesis (no difference between a stack and itself)", () => {
    for (const s of all) expect(diffPosture(s.name, postureFacts(s.json), postureFacts(jsonCopy(s)))).toEqual([]);
  });
});

describe("a change's posture differences, and the ones that need a sign-off", () => {
  it("a new security-group rule is new exposure", () => {
    const changes = diff(eu, (j) => (j.resource.aws_vpc_security_group_ingress_rule.extra = { security_group_id: "sg-1", ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "10.0.0.0/8" }));
    expect(changes).toEqual([expect.objectContaining({ category: "exposure", change: "added", subject: "aws_vpc_security_group_ingress_rule.extra", after: "sg-1: from 10.0.0.0/8 tcp 22", signOff: "new or changed exposure" }), expect.objectContaining({ category: "resources", change: "added", subject: "(stack): aws_vpc_security_group_ingress_rule" })]);
  });
  it("a new principal on a data key is a key's users changed", () => {
    const [key] = resourcesOf(eu.json, "aws_kms_key").find(([n]) => n.includes("database"))!;
    const changes = diff(eu, (j) => {
      const doc = JSON.parse(j.resource.aws_kms_key[key].policy);
      doc.Statement.push({ Sid: "Other", Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:root" }, Action: ["kms:Decrypt"], Resource: "*" });
      j.resource.aws_kms_key[key].policy = JSON.stringify(doc);
    });
    expect(changes.filter((c) => c.signOff)).toEqual([expect.objectContaining({ category: "encryption", subject: `aws_kms_key.${key} users`, signOff: "a key's users changed" })]);
  });
  it("a suppression, a failing rule and a downgrade need a sign-off; a rule that still passes does not", () => {
    const base = summarizeGuardrails(eu.guardrails);
    const head = base.map((g, i) => (i === 0 ? { ...g, outcome: "suppressed: not here" } : i === 1 ? { ...g, outcome: "fail (1)" } : i === 2 ? { ...g, level: "warning" } : g));
    const changes = diffPosture("region-eu", postureFacts(eu.json, base), postureFacts(eu.json, head));
    expect(changes.map((c) => c.signOff)).toEqual(["a suppression", "a guardrail fails", "a guardrail downgraded"]);
  });
  it("a new region named (a replication or a consumer outside the home region) needs a sign-off", () => {
    const changes = diff(eu, (j) => (resourcesOf(j, "aws_vpc_endpoint_service")[0][1].supported_regions = ["eu-west-1", "us-east-1"]));
    expect(changes.map((c) => [c.category, c.signOff])).toEqual([["exposure", "new or changed exposure"], ["residency", "a new region named"]]);
  });
  it("on Google Cloud, a new member of a key is a key's users changed, and a store without its key says so", () => {
    const apac = all.find((s) => s.name === "region-apac")!;
    const facts = postureFacts(apac.json);
    // Each key's users are its own members only, sorted (the database key: Cloud SQL's agent and the two services that read the data).
    const users = (key: string) => facts.find((f) => f.subject === `google_kms_crypto_key.${key} users`)!.value;
    const members = (key: string) =>
      resourcesOf(apac.json, "google_kms_crypto_key_iam_member")
        .filter(([, m]) => m.crypto_key_id === `\${google_kms_crypto_key.${key}.id}`)
        .map(([, m]) => `${m.member} as ${m.role}`)
        .sort()
        .join(" | ");
    const keys = resourcesOf(apac.json, "google_kms_crypto_key").map(([n]) => n);
    expect(keys.length).toBeGreaterThan(3);
    for (const k of keys) expect([k, users(k)]).toEqual([k, members(k) || "none"]);
    expect(users("keys_database_key")).toContain("gcp-sa-cloud-sql.iam.gserviceaccount.com as roles/cloudkms.cryptoKeyEncrypterDecrypter");
    expect(new Set(keys.map(users)).size).toBe(keys.length);
    const [sql] = resourcesOf(apac.json, "google_sql_database_instance")[0];
    expect(facts.find((f) => f.subject === `google_sql_database_instance.${sql}`)!.value).toBe("under google_kms_crypto_key.keys_database_key");
    const changes = diff(apac, (j) => {
      j.resource.google_kms_crypto_key_iam_binding = { extra: { crypto_key_id: "${google_kms_crypto_key.keys_database_key.id}", role: "roles/cloudkms.cryptoKeyDecrypter", members: ["user:someone@acme.example"] } };
      delete j.resource.google_sql_database_instance[sql].encryption_key_name;
    });
    expect(changes.filter((c) => c.category === "encryption").map((c) => [c.subject, c.signOff, c.after])).toEqual([
      ["google_kms_crypto_key.keys_database_key users", "a key's users changed", expect.stringContaining("user:someone@acme.example as roles/cloudkms.cryptoKeyDecrypter")],
      [`google_sql_database_instance.${sql}`, "a store no longer under a customer key", "NOT under a customer key"],
    ]);
    // A key named by anything but a whole reference to a key of the stack is shown as written.
    const literal = diff(apac, (j) => (j.resource.google_sql_database_instance[sql].encryption_key_name = "x${google_kms_crypto_key.keys_database_key.id}"));
    expect(literal.map((c) => c.after)).toEqual(["under x${google_kms_crypto_key.keys_database_key.id}"]);
    const suffixed = diff(apac, (j) => (j.resource.google_sql_database_instance[sql].encryption_key_name = "${google_kms_crypto_key.keys_database_key.id}x"));
    expect(suffixed.map((c) => c.after)).toEqual(["under ${google_kms_crypto_key.keys_database_key.id}x"]);
  });
  it("a changed ALLOW rule of the mesh is a mesh change, informational", () => {
    const changes = diff(mesh, (j) => {
      const [, p] = resourcesOf(j, "kubernetes_manifest").find(([, m]) => m.manifest.kind === "AuthorizationPolicy" && m.manifest.spec?.action === "ALLOW")!;
      p.manifest.spec.rules[0].to[0].operation.methods.push("DELETE");
    });
    expect(changes.map((c) => [c.category, c.change, c.signOff])).toEqual([["mesh", "changed", undefined]]);
  });
  it("a removed store is a removal, not a sign-off (prevent_destroy and the upgrade plan judge it)", () => {
    const changes = diff(dr, (j) => delete j.resource.aws_msk_cluster);
    expect(changes.filter((c) => c.category === "encryption")).toEqual([expect.objectContaining({ change: "removed" })]);
    expect(changes.filter((c) => c.signOff)).toEqual([]);
  });
});

describe("npm run review", () => {
  const write = (root: string, stacks: Record<string, { json: TfJson; guardrails?: unknown }>) => {
    for (const [name, s] of Object.entries(stacks)) {
      fs.mkdirSync(path.join(root, "stacks", name), { recursive: true });
      fs.writeFileSync(path.join(root, "stacks", name, "cdk.tf.json"), JSON.stringify(s.json));
      if (s.guardrails) fs.writeFileSync(path.join(root, "stacks", name, "guardrails.json"), JSON.stringify(s.guardrails));
    }
  };
  it("compares two outputs stack by stack, says where the base has no guardrails' outcome, and renders the sign-offs first", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "posture-"));
    const added = cloneJson(dr.json);
    write(path.join(tmp, "base"), { "region-eu": { json: eu.json } });
    write(path.join(tmp, "head"), { "region-eu": { json: eu.json, guardrails: summarizeGuardrails(eu.guardrails) }, "region-eu-dr": { json: added, guardrails: summarizeGuardrails(dr.guardrails) } });
    const { changes, notes } = compareOutputs(path.join(tmp, "base"), path.join(tmp, "head"));
    expect(notes).toEqual(["region-eu: the guardrails' outcome is known on one side only (a base older than guardrails.json); their changes are not compared."]);
    expect(changes.every((c) => c.stack === "region-eu-dr" && c.change === "added")).toBe(true);
    const md = renderReview("main", changes, required, notes);
    expect(md).toMatch(/^# Security posture: working tree against main\n\n\*\*\d+ change\(s\) need a security sign-off\*\*/);
    expect(md).toContain("## region-eu-dr");
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  it("refuses a sign-off policy that is not a list of reasons, naming the file and the fix", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sign-off-")), "sign-off.json");
    fs.writeFileSync(file, JSON.stringify({ requireSignOff: "everything" }));
    expect(() => signOffPolicy(file)).toThrow(/sign-off.json: requireSignOff must be a list of reasons \(strings\)\. Fix:/);
  });
  it("lists as sign-off reasons only those the posture can give", () => {
    expect(required.length).toBeGreaterThan(0);
    expect(required).toEqual(expect.arrayContaining(["new or changed exposure", "a key's users changed", "a suppression", "a new region named"]));
  });
});
