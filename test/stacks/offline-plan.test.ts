import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { produce } from "immer";
import { OFFLINE_PLACEHOLDER, OfflinePlan, REDACTED, findOfflineTerraform, openOfflineWorkdir, planOffline, providerServers, redactPlan, serialised } from "../../scripts/offline-plan";
import { PLAN_INVARIANTS } from "../invariants/plan";
import { APP_RUNNER, PLAN_CACHE_DIR, SCRIPT_RUNNER, TfJson, allStacks, shippedAllLayers } from "../support/synth";

/**
 * The strongest test: `terraform validate` and `terraform plan` for real, offline, for every AWS
 * stack. Skipped loudly where terraform or the provider mirror is missing, except on CI
 * (REQUIRE_TERRAFORM_PLAN=1, set by .ci/run), where that is a failure.
 */
const tools = findOfflineTerraform();
const required = process.env.REQUIRE_TERRAFORM_PLAN === "1";
/** The shipped regions and the later CloudHSM stages: each stage must plan. */
const stacks = allStacks();

if ("missing" in tools) {
  if (required) {
    it("has terraform and the AWS provider mirror (required on CI)", () => {
      throw new Error(`Real offline plans are required here but cannot run: ${tools.missing}.`);
    });
  } else {
    console.warn(`\n*** SKIPPING the real offline terraform plans: ${tools.missing}. ***\n*** The invariant and snapshot tests still ran; CI requires the plans. ***\n`);
    it.skip("real offline terraform plans (terraform or the provider mirror is missing)", () => undefined);
  }
} else {
  const plans = new Map<string, OfflinePlan>();
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "tf-plugin-cache-"));

  beforeAll(async () => {
    const initLock = serialised();
    const results = await Promise.all(stacks.map((s) => planOffline(s.dir, { tools, pluginCacheDir: cache, initLock, planCacheDir: PLAN_CACHE_DIR })));
    stacks.forEach((s, i) => plans.set(s.name, results[i]));
  });

  afterAll(() => {
    fs.rmSync(cache, { recursive: true, force: true });
  });

  // The DR stacks (the Kafka mirror in the partner region) read region-<name>'s outputs: the plan gets placeholders for them.
  const drStacks = shippedAllLayers().filter((s) => s.layer === "dr");
  const drPlans = new Map<string, OfflinePlan>();
  beforeAll(async () => {
    const initLock = serialised();
    const results = await Promise.all(drStacks.map((s) => planOffline(s.dir, { tools, pluginCacheDir: cache, initLock, planCacheDir: PLAN_CACHE_DIR })));
    drStacks.forEach((s, i) => drPlans.set(s.name, results[i]));
  });
  describe.each(drStacks.map((s) => [s.name, s] as const))("%s plans offline", (name, stack) => {
    it("plans every resource as a create, with no warning", () => {
      const count = Object.values(stack.json.resource as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);
      expect(count).toBeGreaterThan(20);
      expect(drPlans.get(name)!.warnings).toEqual([]);
      expect(drPlans.get(name)!.summary).toBe(`Plan: ${count} to add, 0 to change, 0 to destroy.`);
    });
    it("builds the replicator from the outputs of region-<name> it reads (placeholders here), and everything in the partner region", () => {
      const plan = drPlans.get(name)!.plan;
      const replicator = plan.planned_values.root_module.resources.find((r: TfJson) => r.type === "aws_msk_replicator").values;
      expect(replicator.kafka_cluster[0].vpc_config[0].subnet_ids).toEqual(["subnet-0offlineplan00001", "subnet-0offlineplan00002", "subnet-0offlineplan00003"]);
      expect(replicator.replication_info_list[0].source_kafka_cluster_arn).toMatch(/^arn:aws:kafka:/);
      expect(plan.configuration.provider_config.aws.expressions.region.constant_value).toBe((stack.region as { drPartnerRegion: string }).drPartnerRegion);
    });
  });

  it("stops the DR plan while the home cluster's multi-VPC connectivity is off (its output still empty)", async () => {
    const stack = drStacks[0];
    await expect(planOffline(stack.dir, { tools, pluginCacheDir: cache, initLock: serialised(), remoteOutputs: { kafka_bootstrap_brokers_vpc_connectivity_sasl_iam: "" }, planCacheDir: PLAN_CACHE_DIR })).rejects.toThrow(/Resource precondition failed[\s\S]*multi-VPC connectivity is not on yet/);
  });

  // The plans attach to running provider processes (scripts/offline-plan.ts ProviderServers), each
  // configured once per provider block of the stack: what that changes must be nothing.
  (providerServers(tools) ? it : it.skip)("plans the same through a running provider as with Terraform starting its own (region-us: three provider regions)", async () => {
    const us = stacks.find((s) => s.name === "region-us")!;
    expect(new Set((us.json.provider.aws as { region: string }[]).map((p) => p.region)).size).toBe(3);
    const own = await planOffline(us.dir, { tools, pluginCacheDir: cache, initLock: serialised(), reattach: false, planCacheDir: PLAN_CACHE_DIR });
    // The plan's time, and the order Terraform happens to list the attributes it read.
    const comparable = (plan: TfJson) => ({ ...plan, timestamp: undefined, relevant_attributes: (plan.relevant_attributes ?? []).map((a: unknown) => JSON.stringify(a)).sort() });
    expect(comparable(own.plan)).toEqual(comparable(plans.get("region-us")!.plan));
    // And what Terraform said besides the plan (a warning the proxy kept or dropped would show here).
    expect(own.warnings).toEqual(plans.get("region-us")!.warnings);
  });

  it("plans a DR stack for every region that mirrors Kafka", () => {
    expect(drStacks.map((s) => s.name)).toEqual(["region-eu-dr"]);
  });

  describe.each(stacks.map((s) => [s.name, s] as const))("%s plans offline", (name, stack) => {
    it("plans every resource as a create (the plan validates the configuration first), with no warning", () => {
      const count = Object.values(stack.json.resource as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);
      expect(plans.get(name)!.summary).toBe(`Plan: ${count} to add, 0 to change, 0 to destroy.`);
      expect(plans.get(name)!.plan.resource_changes.filter((c: TfJson) => c.change.actions.join() === "create").length).toBe(count);
      expect(plans.get(name)!.warnings).toEqual([]);
    });

    it("left the synthesized stack untouched (the override lives only in the copy)", () => {
      expect(fs.readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8")).toBe(stack.text);
      expect(fs.existsSync(path.join(stack.dir, "zz_offline_plan_override.tf.json"))).toBe(false);
      expect(fs.existsSync(path.join(stack.dir, "zz_offline_plan.auto.tfvars.json"))).toBe(false);
    });

    it.each(PLAN_INVARIANTS.map((i) => [i.id, i] as const))("%s", (_id, invariant) => {
      expect(invariant.check(plans.get(name)!.plan, stack)).toEqual([]);
    });
  });

  /** Weakenings of a plan that each plan invariant must catch. */
  const planned = (plan: TfJson, type: string): TfJson => plan.planned_values.root_module.resources.find((r: TfJson) => r.type === type).values;
  const storeChange = (p: TfJson) => p.resource_changes.find((c: TfJson) => c.type === "aws_kms_custom_key_store").change;
  /** [invariant, weakening, mutation, the CloudHSM stage of the plan to weaken (default "cluster")]. */
  const MUTATIONS: [string, string, (plan: TfJson) => void, ("cluster" | "keystore" | "keys")?][] = [
    ["plan.creates-only", "a replacement", (p) => (p.resource_changes[0].change.actions = ["delete", "create"])],
    ["plan.creates-only", "a data read", (p) => p.resource_changes.push({ address: "data.aws_caller_identity.me", mode: "data", change: { actions: ["read"] } })],
    ["plan.covers-synth", "a resource missing", (p) => p.planned_values.root_module.resources.pop()],
    ["plan.keys", "rotation off", (p) => (planned(p, "aws_kms_key").enable_key_rotation = false)],
    ["plan.keys", "wildcard principal", (p) => {
      const k = planned(p, "aws_kms_key");
      const doc = JSON.parse(k.policy);
      doc.Statement.push({ Sid: "Open", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" });
      k.policy = JSON.stringify(doc);
    }],
    ["plan.encryption-references", "log group under another key", (p) => {
      const lg = p.configuration.root_module.resources.find((r: TfJson) => r.type === "aws_cloudwatch_log_group");
      lg.expressions.kms_key_id.references = ["aws_kms_key.keys_audit_key.arn", "aws_kms_key.keys_audit_key"];
    }],
    ["plan.audit-archive", "governance lock", (p) => (planned(p, "aws_s3_bucket_object_lock_configuration").rule[0].default_retention[0].mode = "GOVERNANCE")],
    ["plan.audit-archive", "public policy allowed", (p) => (planned(p, "aws_s3_bucket_public_access_block").block_public_policy = false)],
    ["plan.network-private", "public IP on launch", (p) => (planned(p, "aws_subnet").map_public_ip_on_launch = true)],
    ["plan.network-private", "reject-only flow log", (p) => (planned(p, "aws_flow_log").traffic_type = "REJECT")],
    ["plan.database", "unencrypted storage", (p) => (planned(p, "aws_rds_cluster").storage_encrypted = false)],
    ["plan.database", "public instance", (p) => (planned(p, "aws_rds_cluster_instance").publicly_accessible = true)],
    ["plan.kafka", "plaintext", (p) => (planned(p, "aws_msk_cluster").encryption_info[0].encryption_in_transit[0].client_broker = "PLAINTEXT")],
    ["plan.kafka", "unauthenticated", (p) => (planned(p, "aws_msk_cluster").client_authentication[0].unauthenticated = true)],
    ["plan.hsm", "one HSM once the cluster is active", (p) => (p.planned_values.root_module.resources = p.planned_values.root_module.resources.filter((r: TfJson, i: number, all: TfJson[]) => r.type !== "aws_cloudhsm_v2_hsm" || all.findIndex((x) => x.type === "aws_cloudhsm_v2_hsm") === i)), "keystore"],
    ["plan.hsm", "two HSMs before the cluster is active", (p) => {
      const hsm = p.planned_values.root_module.resources.find((r: TfJson) => r.type === "aws_cloudhsm_v2_hsm");
      p.planned_values.root_module.resources.push({ ...hsm, address: `${hsm.address}_second`, name: `${hsm.name}_second` });
    }],
    ["plan.keys", "rotation asked of a key-store key", (p) => (p.planned_values.root_module.resources.find((r: TfJson) => r.address === "aws_kms_key.keys_tokenization_hsm_g1_key").values.enable_key_rotation = true), "keys"],
    ["plan.hsm-key-store", "key store before initialization", (p) => p.planned_values.root_module.resources.push({ address: "aws_kms_custom_key_store.early", type: "aws_kms_custom_key_store", values: {} })],
    ["plan.hsm-key-store", "database key moved into the store", (p) => {
      const db = p.configuration.root_module.resources.find((r: TfJson) => r.address === "aws_kms_key.keys_database_key");
      db.expressions.custom_key_store_id = { references: ["aws_kms_custom_key_store.hsm_key_store_kms.id", "aws_kms_custom_key_store.hsm_key_store_kms"] };
      planned(p, "aws_kms_key").enable_key_rotation = false;
    }, "keys"],
    ["plan.hsm-key-store", "password shown in the plan", (p) => (storeChange(p).after_sensitive = {}), "keystore"],
    ["plan.hsm-key-store", "password planned again at stage keys", (p) => (planned(p, "aws_kms_custom_key_store").key_store_password = "hunter2hunter2"), "keys"],
    ["plan.hsm-key-store", "alias left on generation 1", (p) => {
      const alias = p.configuration.root_module.resources.find((r: TfJson) => r.address === "aws_kms_alias.keys_tokenization_alias");
      alias.expressions.target_key_id.references = ["aws_kms_key.keys_tokenization_hsm_g1_key.key_id", "aws_kms_key.keys_tokenization_hsm_g1_key"];
    }, "keys"],
    ["plan.eks", "public endpoint", (p) => (planned(p, "aws_eks_cluster").vpc_config[0].endpoint_public_access = true)],
    ["plan.eks", "IMDSv1 nodes", (p) => (planned(p, "aws_launch_template").metadata_options[0].http_tokens = "optional")],
    ["plan.dr", "partner provider in another region", (p) => (p.configuration.provider_config["aws.dr"].expressions.region.constant_value = "us-east-1")],
    ["plan.dr", "replication of delete markers", (p) => (planned(p, "aws_s3_bucket_replication_configuration").rule[0].delete_marker_replication[0].status = "Enabled")],
    ["plan.partner-api", "auto-accept", (p) => (planned(p, "aws_vpc_endpoint_service").acceptance_required = false)],
    ["plan.partner-api", "TLS ended at the load balancer", (p) => Object.assign(planned(p, "aws_lb_listener"), { protocol: "TLS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" })],
    ["plan.partner-api", "instance targets on another port", (p) => (planned(p, "aws_lb_target_group").port = 8443)],
  ];

  describe("every plan invariant fails when a plan is weakened", () => {
    it("has at least one weakening for every plan invariant", () => {
      const covered = new Set(MUTATIONS.map(([id]) => id));
      expect(PLAN_INVARIANTS.map((i) => i.id).filter((id) => !covered.has(id))).toEqual([]);
    });
    it.each(MUTATIONS.map(([id, what, mutate, stage]) => [`${id}: ${what}`, id, mutate, stage ?? "cluster"] as const))("%s", (_label, id, mutate, stage) => {
      const stack = stacks.find((s) => s.region.hsm.stage === stage)!;
      // A copy sharing what the weakening does not touch (immer), as test/support/synth.ts edited does for stacks.
      const plan = produce(plans.get(stack.name)!.plan, (draft: TfJson) => {
        mutate(draft);
      });
      const invariant = PLAN_INVARIANTS.find((i) => i.id === id)!;
      expect(invariant.check(plan, stack).length).toBeGreaterThan(0);
    });
  });

  describe("plan artifacts for reviewers", () => {
    it("redact every sensitive value (the kmsuser password at stage keystore)", () => {
      const stack = stacks.find((x) => x.region.hsm.stage === "keystore")!;
      const plan = plans.get(stack.name)!.plan;
      // Control: the raw plan JSON carries the (placeholder) password, in the variable and the key store.
      expect(JSON.stringify(plan)).toContain(OFFLINE_PLACEHOLDER);
      const redacted = redactPlan(plan);
      expect(JSON.stringify(redacted)).not.toContain(OFFLINE_PLACEHOLDER);
      expect(redacted.variables.kmsuser_password.value).toBe(REDACTED);
      expect(redacted.resource_changes.find((c: TfJson) => c.type === "aws_kms_custom_key_store").change.after.key_store_password).toBe(REDACTED);
      // Nothing else changes.
      expect(redacted.resource_changes.length).toBe(plan.resource_changes.length);
    });

    it("npm run plan -- <stack> synthesizes, plans and writes plan.json and plan.txt beside the stack", () => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "npm-run-plan-"));
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [...SCRIPT_RUNNER, "scripts/plan.ts", ...args], { cwd: path.join(__dirname, "..", ".."), env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
      // The DR stack: the smallest AWS stack (the command is the same for each; the others are planned above).
      const ok = run("region-eu-dr");
      expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: "" });
      const dr = drStacks.find((x) => x.name === "region-eu-dr")!;
      const count = Object.values(dr.json.resource as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);
      expect(ok.stdout).toContain(`region-eu-dr: Plan: ${count} to add, 0 to change, 0 to destroy.`);
      const dir = path.join(outdir, "stacks", "region-eu-dr");
      expect(fs.readFileSync(path.join(dir, "plan.txt"), "utf8")).toContain(`Plan: ${count} to add`);
      expect(JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8")).resource_changes.length).toBe(count);
      expect(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")).toBe(dr.text);
      expect(fs.existsSync(path.join(dir, "REPORT.md"))).toBe(true);

      // --no-synth: what the run above synthesized, not synthesized again (the in-cluster stacks are refused all the same).
      fs.writeFileSync(path.join(dir, "cdk.tf.json"), dr.text.replace('"region-eu-dr"', '"region-eu-dr" '));
      const mesh = run("--no-synth", "region-eu-mesh");
      expect({ status: mesh.status, stderr: mesh.stderr }).toEqual({ status: 1, stderr: expect.stringContaining("region-eu-mesh uses the kubernetes provider(s)") });
      expect(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")).not.toBe(dr.text);
      fs.rmSync(outdir, { recursive: true, force: true });
      const none = run("--no-synth", "region-eu-dr");
      expect({ status: none.status, stderr: none.stderr }).toEqual({ status: 1, stderr: expect.stringContaining(`--no-synth: there is no synth in ${outdir} (no manifest.json). Run \`npm run synth\` first`) });
    });
  });

  describe("cdktf synth --hcl", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "hcl-synth-"));
    // What a synth in JSON left there before (the HCL synth must not leave both formats).
    fs.mkdirSync(path.join(outdir, "stacks", "region-eu"), { recursive: true });
    fs.writeFileSync(path.join(outdir, "stacks", "region-eu", "cdk.tf.json"), "{}");
    // As `npm run synth -- --hcl` runs it (`cdktf synth --hcl` sets SYNTH_HCL_OUTPUT, which main.ts sets for --hcl).
    const synth = spawnSync(process.execPath, [...APP_RUNNER, "main.ts", "--hcl"], {
      cwd: path.join(__dirname, "..", ".."),
      env: { ...process.env, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    const shipped = shippedAllLayers();

    it("writes cdk.tf (and the report) for every stack", () => {
      expect({ status: synth.status, stderr: synth.stderr }).toEqual({ status: 0, stderr: "" });
      for (const s of shipped) {
        expect(fs.existsSync(path.join(outdir, "stacks", s.name, "cdk.tf"))).toBe(true);
        expect(fs.existsSync(path.join(outdir, "stacks", s.name, "cdk.tf.json"))).toBe(false);
        expect(fs.readFileSync(path.join(outdir, "stacks", s.name, "REPORT.md"), "utf8")).toBe(s.report);
      }
    });

    // One `terraform fmt` over every stack's file (it parses each, names the file of every error, and writes nothing).
    let fmt: { status: number | null; stderr: string } | undefined;
    const formatted = () => (fmt ??= spawnSync(tools.terraform, ["fmt", "-no-color", "-write=false", "-recursive", path.join(outdir, "stacks")], { encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null" } }));
    it.each(shipped.map((s) => [s.name] as const))("%s: the HCL parses (terraform fmt)", (name) => {
      const { status, stderr } = formatted();
      expect({ status, errorsHere: stderr.includes(path.join(outdir, "stacks", name, "cdk.tf")) }).toEqual({ status: 0, errorsHere: false });
    });

    /**
     * A plan's configuration as the two syntaxes can differ in it and mean the same. Where an
     * expression has references, Terraform also reports a JSON string's literal text as its
     * `constant_value` (the template itself, "${aws_s3_bucket.x.id}"); from HCL, the references
     * alone. And an expression's references are listed in the order they are written: a map's keys
     * come in another order in HCL.
     */
    const readConfiguration = (config: unknown): unknown =>
      JSON.parse(JSON.stringify(config), (_k, v) => {
        if (!v || typeof v !== "object" || Array.isArray(v) || !Array.isArray(v.references) || v.references.length === 0) return v;
        const { constant_value: _literal, ...rest } = v;
        return { ...rest, references: [...v.references].sort() };
      });
    // Terraform validates the whole configuration before it plans, and the plan's `configuration` is
    // every resource, data source, output, variable and provider block as Terraform read them, each
    // argument's expression and references included: equal to the JSON's, the two plan alike. So
    // one resource is planned here, not the stack again.
    it.each(shipped.filter((s) => s.layer === "aws").map((s) => [s.name, s] as const))("%s: the HCL validates, and Terraform reads from it the configuration it reads from the JSON", async (name, stack) => {
      const work = await openOfflineWorkdir(path.join(outdir, "stacks", name), { tools, stackJson: stack.json, initLock: serialised(), planCacheDir: PLAN_CACHE_DIR });
      try {
        const [type, byName] = Object.entries(stack.json.resource as Record<string, object>)[0];
        const hcl = await work.plan(undefined, { targets: [`${type}.${Object.keys(byName)[0]}`] });
        expect(hcl.warnings).toEqual([expect.stringMatching(/^Resource targeting is in effect/)]);
        const json = plans.get(name)!.plan;
        expect(Object.keys(hcl.plan.configuration.root_module.resources).length).toBe(Object.keys(json.configuration.root_module.resources).length);
        expect(readConfiguration(hcl.plan.configuration)).toEqual(readConfiguration(json.configuration));
        // What it planned (the resource and what it depends on), as the JSON's plan has it.
        const planned = new Set((hcl.plan.planned_values.root_module.resources as TfJson[]).map((r) => r.address));
        expect(planned.has(`${type}.${Object.keys(byName)[0]}`)).toBe(true);
        expect(hcl.plan.planned_values.root_module.resources).toEqual(json.planned_values.root_module.resources.filter((r: TfJson) => planned.has(r.address)));
      } finally {
        work.close();
      }
    });
  });
}
