import * as fs from "fs";
import * as path from "path";
import { load } from "js-yaml";
import { validateWorkflow } from "@action-validator/core";

/**
 * The GitHub Actions workflow (.github/workflows/ci.yml, issue 22): valid against GitHub's workflow
 * schema (action-validator, which checks schemastore's schema and the expressions' contexts), and
 * doing what the README promises: the two commands, the type check and the lint, the real offline
 * plans (required, not skipped), and on a pull request the posture diff, uploaded and posted as one
 * comment that later runs update.
 */
const FILE = path.join(__dirname, "..", "..", ".github", "workflows", "ci.yml");
const source = fs.readFileSync(FILE, "utf8");
type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; id?: string };
const workflow = load(source) as { on: Record<string, { types?: string[]; branches?: string[] }>; permissions: Record<string, string>; env: Record<string, string>; jobs: Record<string, { permissions: Record<string, string>; steps: Step[] }> };
const steps = workflow.jobs.check.steps;
const runs = steps.map((s) => s.run ?? "").join("\n");

describe("the CI workflow", () => {
  it("is a valid GitHub Actions workflow (and the validator refuses an invalid one)", () => {
    expect(validateWorkflow(source).errors).toEqual([]);
    expect(validateWorkflow(source.replace("runs-on: ubuntu-24.04", "runs_on: ubuntu-24.04")).errors.length).toBeGreaterThan(0);
  });
  it("runs on every pull request (and when it is labelled) and on pushes to main, with read-only contents and pull-request comments only", () => {
    expect(workflow.on.pull_request.types).toEqual(expect.arrayContaining(["opened", "synchronize", "labeled"]));
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs.check.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });
  it("runs the README's two commands, the type check, the lint and the plans, installing from the lock file", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    expect(readme).toContain("npm run synth");
    for (const command of ["npm ci", "npm run typecheck", "npm run lint", "npm run synth", "npm test -- --ci", "npm run plan"]) expect(runs).toContain(command);
    expect(runs.indexOf("npm ci")).toBeLessThan(runs.indexOf("npm run typecheck"));
  });
  it("requires the real offline plans, with the pinned provider in a filesystem mirror", () => {
    expect(workflow.env.REQUIRE_TERRAFORM_PLAN).toBe("1");
    expect(runs).toMatch(/version = "5\.100\.0"/);
    expect(runs).toContain('providers mirror -platform=linux_amd64 "$TF_PROVIDER_MIRROR"');
    expect(steps.find((s) => s.uses?.startsWith("hashicorp/setup-terraform@"))?.with).toMatchObject({ terraform_version: expect.stringMatching(/^1\.11\./), terraform_wrapper: false });
  });
  it("on a pull request, reviews the posture against its base, uploads the reports, plans and diff, and keeps one comment up to date", () => {
    const review = steps.find((s) => s.id === "review")!;
    expect(review.run).toContain('npm run review -- --base "origin/${{ github.base_ref }}"');
    expect(steps.find((s) => s.uses?.startsWith("hashicorp/") === false && s.uses?.startsWith("actions/checkout@"))?.with).toEqual({ "fetch-depth": 0 });
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    for (const p of ["REPORT.md", "plan.json", "plan.txt", "guardrails.json", "cdktf.out/review/"]) expect(String(upload.with?.path)).toContain(p);
    const comment = String(steps.find((s) => s.uses?.startsWith("actions/github-script@"))!.with?.script);
    expect(comment).toContain("updateComment");
    expect(comment).toMatch(/find\(\(c\) => c\.user\?\.type === "Bot" && c\.body\?\.startsWith\(marker\)\)/);
  });
  it("fails a pull request whose change needs a security sign-off until it is labelled security-signed-off", () => {
    const gate = steps.find((s) => s.if?.includes("security-signed-off"))!;
    expect(gate.if).toContain("steps.review.outputs.status == '1'");
    expect(gate.run).toContain("exit 1");
  });
  it("keeps the built states of previous releases and the tests' plans between runs, restored after npm ci", () => {
    const i = steps.findIndex((s) => s.uses?.startsWith("actions/cache@"));
    expect(String(steps[i].with?.path).trim().split("\n").map((p) => p.trim())).toEqual(["node_modules/.cache/blueprint-upgrade", "node_modules/.cache/blueprint-plans"]);
    expect(i).toBeGreaterThan(steps.findIndex((s) => s.run?.startsWith("npm ci")));
  });
  it("fails a pull request that would replace or destroy a stateful resource (exit 3), or whose review failed (2), whatever its labels", () => {
    const gates = steps.filter((s) => s.if?.includes("steps.review.outputs.status") && s.run?.includes("exit 1"));
    const hard = gates.filter((s) => !s.if!.includes("security-signed-off"));
    expect(hard).toHaveLength(1);
    expect(hard[0].if).toContain("steps.review.outputs.status != '0' && steps.review.outputs.status != '1'");
  });
});
