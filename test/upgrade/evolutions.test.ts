import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { validateRegions } from "../../config/load";
import { AwsRegionFile, RegionConfig } from "../../config/schema";
import apac from "../../regions/apac";
import eu from "../../regions/eu";
import us from "../../regions/us";
import { syntheticRegions } from "../../bench/regions";
import { findOfflineTerraform, serialised } from "../../scripts/offline-plan";
import { UPGRADE_STATEFUL, UpgradePlan, planUpgrade } from "../../scripts/upgrade-plan";
import { upgradePlans } from "../../scripts/review";
import { STATEFUL_TYPES } from "../../guardrails/rules/aws/resilience";
import { PLAN_CACHE_DIR, SynthResult, SynthStack, TfJson, cloneJson, shippedAllLayers, synthRegions } from "../support/synth";
import { TEST_TRUST_ANCHOR_PEM as TEST_TRUST_ANCHOR } from "../support/trust-anchor";

/**
 * Upgrade safety: the shipped regions evolve the way a platform team changes them, and each change
 * is planned for real against the state the previous version would have after apply (built offline
 * by scripts/prior-state.ts). What each plans: nothing stateful replaced or destroyed. A change that
 * would replace one (a new naming prefix) is caught with the resource, the attribute and the fix.
 */
const tools = findOfflineTerraform();
const required = process.env.REQUIRE_TERRAFORM_PLAN === "1";

type Files = { eu: AwsRegionFile; us: AwsRegionFile; apac: typeof apac; extra: AwsRegionFile[] };
function regions(edit: (f: Files) => void): RegionConfig[] {
  const f: Files = { eu: cloneJson(eu), us: cloneJson(us), apac: cloneJson(apac), extra: [] };
  edit(f);
  return validateRegions([
    { file: "regions/apac.ts", data: f.apac },
    { file: "regions/eu.ts", data: f.eu },
    { file: "regions/us.ts", data: f.us },
    ...f.extra.map((data) => ({ file: `regions/${data.name}.ts`, data })),
  ]).map((r) => r.config);
}

/** The stacks Terraform can plan here (AWS only): the region's and its DR partner's. */
const plannable = (s: SynthStack) => s.layer === "aws" || s.layer === "dr";

interface Evolution {
  readonly name: string;
  /** The previous release (default: the shipped regions). */
  readonly base?: () => RegionConfig[];
  /** The new release (default: the shipped regions). */
  readonly head?: () => RegionConfig[];
}

/** eu on the previous EKS and Istio versions: the release before a version bump. */
const previousVersions = () =>
  regions((f) => {
    f.eu.eks = { ...f.eu.eks, version: "1.34" };
    f.eu.mesh = { ...f.eu.mesh, istioVersion: "1.30.3" };
  });

const EVOLUTIONS: Evolution[] = [
  {
    name: "raise the log and audit archive retention",
    // In every AWS region: each one's state is built and planned (the invariants hold over every region, not one sample).
    head: () =>
      regions((f) => {
        for (const r of [f.eu, f.us]) r.retention = { ...r.retention!, logDays: 731, auditArchiveDays: 731 };
      }),
  },
  {
    name: "add a service and a call to it",
    head: () =>
      regions((f) => {
        f.eu.services = [...f.eu.services!, { name: "refund-service", namespace: "payments", access: { database: true, kafka: { write: ["payment-events"] } } }];
        f.eu.mesh.calls = [...f.eu.mesh.calls!, { from: "payments/payment-service", to: "payments/refund-service", methods: ["POST"], paths: ["/v1/refunds"] }];
      }),
  },
  { name: "move the HSM stage from cluster to keystore", head: () => regions((f) => (f.eu.hsm = { ...f.eu.hsm, stage: "keystore", trustAnchorCertificate: TEST_TRUST_ANCHOR })) },
  { name: "bump the EKS and Istio versions", base: previousVersions },
  {
    name: "add a partner",
    head: () =>
      regions((f) => {
        const first = f.eu.edge!.partners[0];
        f.eu.edge!.partners = [...f.eu.edge!.partners, { ...first, name: "issuer-eu", identities: ["gateway.issuer-eu.example"], requestsPerSecond: 20 }];
        f.eu.paymentApi = { ...f.eu.paymentApi, partnerClientCidrs: [...f.eu.paymentApi.partnerClientCidrs!, "198.18.0.0/24"] };
      }),
  },
  { name: "add a region", head: () => regions((f) => f.extra.push(syntheticRegions(1)[0])) },
];

/** A change that deletes data in place: the log retention lowered to PCI DSS's minimum (allowed, but a sign-off). */
const shortenedLogs = () => regions((f) => (f.eu.retention = { ...f.eu.retention!, logDays: 365 }));

/** A change that renames what a platform team may think cosmetic: every name derives from the prefix. */
const renamedPrefix = () => regions((f) => (f.eu.naming = { ...f.eu.naming, prefix: "acmepay" }));

/** Runs `jobs` with at most `n` at once (two cores: terraform and its provider are the work). */
async function limited<T>(n: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}

type Planned = { readonly base: readonly SynthStack[]; readonly head: readonly SynthStack[]; readonly plans: Map<string, UpgradePlan> };

/** A plan's change of one resource, by address. */
const change = (p: UpgradePlan | undefined, address: string): TfJson | undefined => p?.plan?.resource_changes?.find((rc: TfJson) => rc.address === address)?.change;
/** The addresses a plan changes, with their actions (no-op left out). */
const actions = (p: UpgradePlan | undefined): Record<string, string> =>
  Object.fromEntries(((p?.plan?.resource_changes ?? []) as TfJson[]).filter((rc) => rc.change.actions.join() !== "no-op").map((rc) => [rc.address, rc.change.actions.join("/")]));

if ("missing" in tools) {
  if (required) {
    it("has terraform and the AWS provider mirror (required on CI)", () => {
      throw new Error(`The upgrade plans are required here but cannot run: ${tools.missing}.`);
    });
  } else {
    console.warn(`\n*** SKIPPING the upgrade plans against the previous release: ${tools.missing}. ***\n*** CI requires them. ***\n`);
    it.skip("upgrade plans (terraform or the provider mirror is missing)", () => undefined);
  }
} else {
  const pluginCacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-plugin-cache-"));
  const options = { tools, pluginCacheDir, initLock: serialised(), cacheDir: path.join(__dirname, "..", "..", "node_modules", ".cache", "blueprint-upgrade"), planCacheDir: PLAN_CACHE_DIR };
  const outcomes = new Map<string, Planned>();
  const CASES = [...EVOLUTIONS, { name: "rename the naming prefix", head: renamedPrefix }, { name: "lower the log retention", head: shortenedLogs }];

  beforeAll(async () => {
    const syntheses = new Map<unknown, SynthResult>();
    const synth = (regionsOf: (() => RegionConfig[]) | undefined): readonly SynthStack[] => {
      if (!regionsOf) return shippedAllLayers();
      if (!syntheses.has(regionsOf)) syntheses.set(regionsOf, synthRegions(regionsOf(), { shared: true }));
      return syntheses.get(regionsOf)!.stacks;
    };
    const jobs: (() => Promise<void>)[] = [];
    for (const e of CASES) {
      const planned: Planned = { base: synth(e.base), head: synth(e.head), plans: new Map() };
      outcomes.set(e.name, planned);
      for (const b of planned.base.filter(plannable)) {
        const h = planned.head.find((s) => s.name === b.name);
        if (!h) throw new Error(`${e.name}: ${b.name} is gone from the new version`);
        jobs.push(async () => {
          planned.plans.set(b.name, await planUpgrade(b.name, b.dir, h.dir, options));
        });
      }
    }
    await limited(2, jobs);
  });

  afterAll(() => fs.rmSync(pluginCacheDir, { recursive: true, force: true }));

  describe.each(EVOLUTIONS.map((e) => [e.name] as const))("%s", (name) => {
    it("replaces and destroys nothing, planned against the previous release's state", () => {
      const { plans } = outcomes.get(name)!;
      expect(plans.size).toBeGreaterThanOrEqual(3);
      for (const p of plans.values()) {
        expect({ stack: p.stack, findings: p.findings }).toEqual({ stack: p.stack, findings: [] });
        expect(p.summary).toMatch(/^(Unchanged|No changes|Plan: \d+ to add, \d+ to change, 0 to destroy\.)/);
      }
    });
  });

  it("builds every shipped AWS stack's previous state so that it plans no changes against itself", () => {
    const { plans, base } = outcomes.get(EVOLUTIONS[0].name)!;
    const aws = base.filter(plannable).map((s) => s.name);
    expect(aws).toEqual(["region-eu", "region-eu-dr", "region-us"]);
    for (const name of aws) {
      const rounds = plans.get(name)!.rounds;
      expect([name, rounds[rounds.length - 1]]).toEqual([name, expect.stringMatching(/^No changes\./)]);
      expect(rounds.length).toBeLessThanOrEqual(6);
    }
  });

  it("raises the retention in place: every log group of every region and its DR partner, and the audit archives", () => {
    const { plans, base } = outcomes.get("raise the log and audit archive retention")!;
    for (const stack of ["region-eu", "region-eu-dr", "region-us"]) {
      const groups = Object.keys(base.find((s) => s.name === stack)!.json.resource.aws_cloudwatch_log_group);
      expect(groups.length).toBeGreaterThan(1);
      for (const g of groups) {
        const c = change(plans.get(stack), `aws_cloudwatch_log_group.${g}`)!;
        expect([g, c.actions, c.after.retention_in_days]).toEqual([g, ["update"], 731]);
        expect(c.before.retention_in_days).toBeLessThan(731);
      }
    }
    for (const stack of ["region-eu", "region-us"]) {
      const lock = Object.entries(actions(plans.get(stack))).filter(([a]) => a.startsWith("aws_s3_bucket_object_lock_configuration."));
      expect([stack, lock.length > 0, lock.every(([, a]) => a === "update")]).toEqual([stack, true, true]);
    }
  });

  it("adds a service by creating its repository, role and pod identity, changing nothing that runs", () => {
    const { plans } = outcomes.get("add a service and a call to it")!;
    const a = actions(plans.get("region-eu"));
    expect(Object.values(a).every((x) => x === "create")).toBe(true);
    expect(Object.keys(a)).toEqual(expect.arrayContaining(["aws_ecr_repository.eks_repositories_payments-refund-service_repository", "aws_iam_role.eks_workloads_refund-service_role", "aws_eks_pod_identity_association.eks_workloads_refund-service_association"]));
  });

  it("moves to the keystore stage by adding the custom key store and the second HSM, the cluster and its first HSM untouched", () => {
    const { plans, base } = outcomes.get("move the HSM stage from cluster to keystore")!;
    const a = actions(plans.get("region-eu"));
    expect(Object.entries(a).filter(([k]) => k.startsWith("aws_kms_custom_key_store."))).toEqual([[expect.any(String), "create"]]);
    const before = base.find((s) => s.name === "region-eu")!.json.resource;
    const existing = ["aws_cloudhsm_v2_cluster", "aws_cloudhsm_v2_hsm"].flatMap((t) => Object.keys(before[t]).map((n) => `${t}.${n}`));
    expect(existing.length).toBe(2);
    expect(existing.filter((r) => a[r])).toEqual([]);
    expect(Object.entries(a).filter(([k]) => k.startsWith("aws_cloudhsm_v2_"))).toEqual([[expect.stringMatching(/^aws_cloudhsm_v2_hsm\./), "create"]]);
  });

  it("bumps EKS in place: the control plane, then its node groups, each an update", () => {
    const { plans } = outcomes.get("bump the EKS and Istio versions")!;
    const p = plans.get("region-eu")!;
    // The previous release's state started from the shipped one (the same resources): its first plan covered only what differs and what references it.
    expect(p.rounds[0]).toMatch(/ \((\d+) resources\)$/);
    expect(Number(/\((\d+) resources\)$/.exec(p.rounds[0])![1])).toBeLessThan(Object.values(outcomes.get("bump the EKS and Istio versions")!.base.find((s) => s.name === "region-eu")!.json.resource as Record<string, object>).reduce((n, r) => n + Object.keys(r).length, 0) / 2);
    const cluster = change(p, "aws_eks_cluster.eks_cluster")!;
    expect([cluster.actions, cluster.before.version, cluster.after.version]).toEqual([["update"], "1.34", "1.35"]);
    const a = actions(p);
    const groups = Object.keys(a).filter((k) => k.startsWith("aws_eks_node_group."));
    expect(groups.length).toBe(2);
    for (const g of groups) expect([g, a[g]]).toEqual([g, "update"]);
  });

  it("adds a partner's network by one rule and an in-place NACL update", () => {
    const { plans } = outcomes.get("add a partner")!;
    expect(actions(plans.get("region-eu"))).toEqual({
      "aws_network_acl.network_endpoints_network_acl": "update",
      "aws_vpc_security_group_ingress_rule.partner_api_ingress_from_partners_198_18_0_0_24": "create",
    });
  });

  it("adds a region without touching the others' stacks", () => {
    const { plans, head, base } = outcomes.get("add a region")!;
    expect(head.length).toBeGreaterThan(base.length);
    for (const p of plans.values()) expect([p.stack, p.summary]).toEqual([p.stack, "Unchanged: the same configuration."]);
  });

  describe("a change that replaces stateful resources: a new naming prefix", () => {
    const findings = () => outcomes.get("rename the naming prefix")!.plans.get("region-eu")!.findings;
    it("fails with each stateful resource, the attribute that forces it, its values and the fix", () => {
      const stateful = findings().filter((f) => f.loses);
      const byType = (t: string) => stateful.filter((f) => f.type === t);
      const base = outcomes.get("rename the naming prefix")!.base.find((s) => s.name === "region-eu")!.json.resource;
      expect(byType("aws_s3_bucket").map((f) => f.address).sort()).toEqual(Object.keys(base.aws_s3_bucket).map((n) => `aws_s3_bucket.${n}`).sort());
      for (const f of byType("aws_s3_bucket")) expect(f).toMatchObject({ action: "replace", protectedFromDestroy: true, forcedBy: [{ path: "bucket", before: expect.stringContaining("acme-pay-"), after: expect.stringContaining("acmepay-") }] });
      expect(byType("aws_cloudwatch_log_group").length).toBe(Object.keys(base.aws_cloudwatch_log_group).length);
      for (const f of byType("aws_cloudwatch_log_group")) expect(f.forcedBy.map((x) => x.path)).toEqual(["name"]);
      expect(byType("aws_rds_cluster").length).toBe(1);
      for (const f of stateful) {
        expect(f.loses).toBe(UPGRADE_STATEFUL[f.type]);
        expect(f.fix).toContain(f.forcedBy.map((x) => x.path).join(", "));
      }
    });
    it("puts the stateful findings first, then what merely follows", () => {
      const f = findings();
      const firstPlain = f.findIndex((x) => !x.loses);
      expect(firstPlain).toBeGreaterThan(0);
      expect(f.slice(firstPlain).every((x) => !x.loses)).toBe(true);
    });
  });

  it("asks for a sign-off where a retention is lowered: each log group, with its days before and after, nothing stateful lost", () => {
    const { plans, base } = outcomes.get("lower the log retention")!;
    for (const stack of ["region-eu", "region-eu-dr"]) {
      const findings = plans.get(stack)!.findings;
      expect(findings.filter((f) => f.loses)).toEqual([]);
      const groups = Object.keys(base.find((s) => s.name === stack)!.json.resource.aws_cloudwatch_log_group).map((g) => `aws_cloudwatch_log_group.${g}`);
      expect(findings.map((f) => f.address).sort()).toEqual(groups.sort());
      for (const f of findings) expect(f).toMatchObject({ action: "update", signOff: "a retention shortened", forcedBy: [{ path: "retention_in_days", before: "400", after: "365" }] });
    }
  });

  describe("the review's upgrade section over whole outputs (npm run review)", () => {
    const outdir = (stacks: readonly SynthStack[]) => path.dirname(path.dirname(stacks[0].dir));
    it("a region removed from the app leaves each of its stateful resources unmanaged, and says so of its other stacks", async () => {
      const { head: withRegion } = outcomes.get("add a region")!;
      const { plans, notes } = await upgradePlans(outdir(withRegion), outdir(shippedAllLayers()), options.cacheDir);
      const removed = plans.find((p) => p.stack === "region-r0")!;
      expect(removed.summary).toBe("Removed from the app: not planned.");
      const r0 = withRegion.find((s) => s.name === "region-r0")!.json.resource;
      const stateful = Object.keys(r0).filter((t) => UPGRADE_STATEFUL[t]).flatMap((t) => Object.keys(r0[t]).map((n) => `${t}.${n}`));
      expect(removed.findings.map((f) => f.address).sort()).toEqual(stateful.sort());
      expect(removed.findings.every((f) => f.action === "unmanaged" && f.loses && f.fix.includes("cdktf destroy region-r0"))).toBe(true);
      expect(notes.filter((n) => n.includes("no longer in the app")).map((n) => n.split(" ")[0]).sort()).toEqual(["region-r0-istio", "region-r0-mesh", "region-r0-pki"]);
      expect(notes.filter((n) => n.includes(" is new"))).toEqual([]);
      // The other way round, each stack of the new region is said to be new (nothing to plan against).
      const added = await upgradePlans(outdir(shippedAllLayers()), outdir(withRegion), options.cacheDir);
      expect(added.notes.filter((n) => n.includes(" is new")).map((n) => n.split(" ")[0]).sort()).toEqual(["region-r0", "region-r0-dr", "region-r0-istio", "region-r0-mesh", "region-r0-pki"]);
      expect(added.plans.map((p) => p.stack)).toEqual(["region-eu", "region-eu-dr", "region-us"]);
      expect(plans.filter((p) => p.stack !== "region-r0" && p.stack !== "region-r0-dr").map((p) => p.summary)).toEqual(["Unchanged: the same configuration.", "Unchanged: the same configuration.", "Unchanged: the same configuration."]);
    });
    it("plans the AWS stacks that changed and names the changed stacks it cannot plan", async () => {
      const { head } = outcomes.get("add a partner")!;
      const { plans, notes } = await upgradePlans(outdir(shippedAllLayers()), outdir(head), options.cacheDir);
      expect(plans.map((p) => [p.stack, p.summary])).toEqual([
        ["region-eu", "Plan: 1 to add, 1 to change, 0 to destroy."],
        ["region-eu-dr", "Unchanged: the same configuration."],
        ["region-us", "Unchanged: the same configuration."],
      ]);
      expect(notes.map((n) => n.split(" ")[0])).toEqual(["region-eu-istio", "region-eu-mesh"]);
      expect(notes[0]).toContain("cdktf diff region-eu-istio");
    });
  });

  it("counts every type the guardrails protect as stateful", () => {
    for (const t of STATEFUL_TYPES) expect(UPGRADE_STATEFUL[t]).toEqual(expect.any(String));
  });
}
