import * as fs from "fs";
import * as path from "path";
import { AwsRegionSchema, GcpRegionSchema } from "../../config/schema";
import { GUARDRAILS } from "../../guardrails";
import { GENERATED, ROOT, guardrailReference, regionFileReference, schemaFieldDocs, schemaFields, staleDocs } from "../../scripts/generated-docs";

describe("the generated references in docs/ (npm run docs)", () => {
  it("are committed as the code generates them now (run npm run docs after changing a rule or the schema)", () => {
    expect(staleDocs()).toEqual([]);
  });

  it("see a change: a rule's new fix or a schema field's new comment makes the committed file stale", () => {
    const committed = fs.readFileSync(path.join(ROOT, "docs/guardrails.md"), "utf8");
    const rule = GUARDRAILS[0] as { fix: string };
    const fix = rule.fix;
    try {
      rule.fix = `${fix} (changed)`;
      expect(guardrailReference()).not.toBe(committed);
    } finally {
      rule.fix = fix;
    }
    const source = fs.readFileSync(path.join(ROOT, "config/schema.ts"), "utf8").replace("/** The provider's region name, e.g. `eu-west-1`. */", "/** Changed. */");
    expect(schemaFieldDocs(source).aws.get("cloudRegion")).toBe("Changed.");
    expect(Object.keys(GENERATED)).toEqual(["docs/guardrails.md", "docs/region-file.md"]);
  });

  it("docs/guardrails.md has one row per rule, with its level, layers, requirement, description and fix", () => {
    const doc = guardrailReference();
    const rows = doc.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows).toHaveLength(GUARDRAILS.length);
    for (const rule of GUARDRAILS) {
      const row = rows.filter((r) => r.startsWith(`| \`${rule.id}\` |`));
      expect([rule.id, row.length]).toEqual([rule.id, 1]);
      for (const part of [rule.level, rule.layers.join(", "), rule.requirement]) expect(row[0]).toContain(`| ${part} |`);
      expect(row[0]).toContain(rule.description.replace(/\|/g, "\\|"));
      expect(row[0]).toContain(rule.fix.replace(/\|/g, "\\|"));
    }
  });

  it("docs/region-file.md lists every field of both clouds' schemas, each with a description", () => {
    const doc = regionFileReference();
    const docs = schemaFieldDocs();
    for (const [cloud, schema] of [["aws", AwsRegionSchema], ["gcp", GcpRegionSchema]] as const) {
      const fields = schemaFields(schema);
      expect(fields.length).toBeGreaterThan(40);
      for (const f of fields) {
        expect([cloud, f.path, doc.includes(`| \`${f.path}\` | ${f.type.replace(/\|/g, "\\|")} |`)]).toEqual([cloud, f.path, true]);
        // A new field needs a doc comment in config/schema.ts: the reference is read by people writing region files.
        expect([cloud, f.path, (docs[cloud].get(f.path) ?? "").length > 0]).toEqual([cloud, f.path, true]);
      }
    }
    expect(doc).toContain('| `kafka.topics[].replicationFactor` | integer | no (default `3`) |');
    expect(doc).toContain('| `mesh.calls[].methods` | list of "GET" or "HEAD" or "POST" or "PUT" or "PATCH" or "DELETE" or "OPTIONS" | yes |');
  });
});
