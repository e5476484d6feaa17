/**
 * Real `terraform validate` and `terraform plan` of a synthesized AWS stack with no cloud
 * account: the stack is copied to a temporary directory and an override file there swaps the S3
 * backend for a local one and tells the AWS provider not to call STS or IMDS. The synthesized
 * stack itself (the production config) is never modified.
 */
import { ChildProcess, execFile, spawn } from "child_process";
import { createHash, randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SECRET_ARGUMENT } from "../guardrails/rules/every-stack/secrets";
import { SchemaProxy, SchemaStore } from "./provider-proxy";
import { PLAN_FILES } from "../review/write-reports";

/** Where Terraform and the AWS provider come from on this machine. */
export interface OfflineTerraform {
  readonly terraform: string;
  /**
   * A filesystem mirror holding registry.terraform.io/hashicorp/aws/<version>/<os_arch>; when
   * undefined, `terraform init` downloads the provider from the public registry.
   */
  readonly mirror?: string;
}

/** The AWS provider version the bindings (@cdktf/provider-aws 20.1.0) were generated for. */
export const AWS_PROVIDER_VERSION = "5.100.0";

const MIRROR_CANDIDATES = [
  process.env.TF_PROVIDER_MIRROR,
  "/opt/tf-plugins",
  path.join(os.homedir(), ".terraform.d", "plugins"),
  path.join(os.homedir(), ".local", "share", "terraform", "plugins"),
  "/usr/local/share/terraform/plugins",
  "/usr/share/terraform/plugins",
];

function platform(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return `${process.platform}_${arch}`;
}

/** True when `dir` is a filesystem mirror (unpacked or packed layout) with the pinned AWS provider. */
export function hasAwsProvider(dir: string): boolean {
  const base = path.join(dir, "registry.terraform.io", "hashicorp", "aws");
  const unpacked = path.join(base, AWS_PROVIDER_VERSION, platform());
  const packed = path.join(base, `terraform-provider-aws_${AWS_PROVIDER_VERSION}_${platform()}.zip`);
  return (fs.existsSync(unpacked) && fs.readdirSync(unpacked).some((f) => f.startsWith("terraform-provider-aws"))) || fs.existsSync(packed);
}

/**
 * Finds terraform on PATH and a mirror with the pinned AWS provider, or says what is missing. With
 * `allowRegistry`, a machine without the mirror gets the provider from the public registry instead
 * (a reviewer's laptop); the tests and CI insist on the mirror, since they have no network.
 */
export function findOfflineTerraform(options: { allowRegistry?: boolean } = {}): OfflineTerraform | { missing: string } {
  const terraform = (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((d) => path.join(d, "terraform"))
    .find((p) => fs.existsSync(p));
  if (!terraform) return { missing: "the terraform CLI is not on PATH" };
  const mirror = MIRROR_CANDIDATES.find((d): d is string => !!d && hasAwsProvider(d));
  if (!mirror && options.allowRegistry) return { terraform };
  if (!mirror) {
    return {
      missing: `no filesystem mirror with hashicorp/aws ${AWS_PROVIDER_VERSION} (${platform()}) in ${MIRROR_CANDIDATES.filter(Boolean).join(", ")}; set TF_PROVIDER_MIRROR`,
    };
  }
  return { terraform, mirror };
}

/** The outcome of an offline plan. */
export interface OfflinePlan {
  /** `terraform show -json` of the saved plan. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly plan: Record<string, any>;
  /** The human-readable plan (what `terraform plan` prints), as a reviewer reads it; empty unless asked for (`text`). */
  readonly planText: string;
  /** Terraform's summary line: `Plan: 3 to add, 0 to change, 0 to destroy.` or `No changes. ...`. */
  readonly summary: string;
  /** Terraform's warnings, one line each (`summary: detail`). */
  readonly warnings: readonly string[];
}

/** Options of {@link planOffline}. */
export interface PlanOfflineOptions {
  readonly tools: OfflineTerraform;
  /** Shared provider cache, so that the 700 MB provider is copied once, not once per stack. */
  readonly pluginCacheDir?: string;
  /** Runs before `validate`/`plan`; used to serialise `init` when stacks share a plugin cache. */
  readonly initLock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /**
   * The stack's JSON, for a directory synthesized as HCL (`cdktf synth --hcl` writes `cdk.tf`):
   * the override and the variables' placeholders are derived from it.
   * @default the directory's cdk.tf.json
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly stackJson?: Record<string, any>;
  /**
   * Where plans are kept by their inputs (every file Terraform reads, the prior state, the options,
   * the binaries, the harness): a plan of the same inputs is read from there instead of made again.
   * The tests use it (`node_modules/.cache/blueprint-plans`); the reviewer's commands do not.
   */
  readonly planCacheDir?: string;
  /** False: Terraform starts the provider itself, as without a mirror (see {@link ProviderServers}). */
  readonly reattach?: boolean;
  /** Values of the remote states' outputs in place of the placeholders (a test of what the stack does with them). */
  readonly remoteOutputs?: Readonly<Record<string, unknown>>;
}

/**
 * A running provider process, the schema proxy in front of it (scripts/provider-proxy.ts), and the
 * TF_REATTACH_PROVIDERS value that attaches Terraform to the proxy (to the provider where it has none).
 */
type ProviderServer = { readonly reattach: string; readonly child: ChildProcess; readonly proxy?: SchemaProxy };

/**
 * Running AWS provider processes that Terraform attaches to (`TF_REATTACH_PROVIDERS`) instead of
 * starting its own. Every Terraform command otherwise starts the 700 MB provider once to read its
 * schema and once more per provider block of the stack (a plan of region-eu: three starts, 4.6 of
 * its 7.9 CPU seconds; `show -json`: one more). Here each server is started once per process and
 * serves one Terraform command at a time, since a provider keeps one configuration: two plans at
 * once would each see the other's default tags.
 *
 * One command still configures a server once per provider block of its stack (the home region,
 * `aws.dr`...), and the last configuration is the one every resource is planned with. That is why
 * a stack is attached only when its provider blocks differ in nothing but `alias` and `region`
 * ({@link reattachable}), and why test/stacks/offline-plan.test.ts plans a stack with three
 * regions both ways and requires the same plan. With no unpacked mirror (the public registry, a
 * zipped mirror) or BLUEPRINT_PROVIDER_REATTACH=0, Terraform starts its providers itself.
 */
export class ProviderServers {
  private readonly idle: ProviderServer[] = [];
  private readonly waiting: { resolve: (server: ProviderServer) => void; reject: (e: unknown) => void }[] = [];
  private started = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The binary's schema, as the first of its servers gave it, and its validations' answers (scripts/provider-proxy.ts). */
  private readonly schema: SchemaStore = {};

  constructor(
    private readonly binary: string,
    private readonly max: number,
  ) {}

  /**
   * Runs `fn` with a server of its own (started, or waited for once `max` are busy). Its schema
   * holds the resource and data source types in `types`; all of them where undefined.
   */
  async with<T>(fn: (reattach: string) => Promise<T>, types?: ReadonlySet<string>): Promise<T> {
    const server = await this.acquire();
    if (server.proxy) server.proxy.keep = types;
    try {
      return await fn(server.reattach);
    } finally {
      this.release(server);
    }
  }

  /** Stops every server (they are also stopped when they have been idle for a while, and at exit). */
  close(): void {
    const idle = this.idle.splice(0);
    for (const s of idle) stopServer(s);
    this.started -= idle.length;
  }

  private acquire(): Promise<ProviderServer> {
    clearTimeout(this.timer);
    for (let free = this.idle.pop(); free; free = this.idle.pop()) {
      if (!exited(free)) return Promise.resolve(free);
      // It died while idle (its shell exits with it): forgotten, and another one started.
      stopServer(free);
      this.started--;
    }
    if (this.started < this.max) return this.start();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private start(): Promise<ProviderServer> {
    this.started++;
    return startProviderServer(this.binary, this.schema).catch((e) => {
      this.started--;
      throw e;
    });
  }

  private release(server: ProviderServer): void {
    const next = this.waiting.shift();
    if (exited(server)) {
      // It died (its command failed): a command waiting for a server gets a new one.
      stopServer(server);
      this.started--;
      if (next) this.start().then(next.resolve, next.reject);
      return;
    }
    if (next) return next.resolve(server);
    this.idle.push(server);
    // Idle servers hold about 350 MB each: a test file or a script done with its plans lets them go.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.close(), 5000);
    this.timer.unref();
  }
}

/** Stops a provider server: its shell reads the end of its input and stops the provider (as it does when this process ends). */
function stopServer(server: { readonly child: ChildProcess; readonly proxy?: SchemaProxy }): void {
  if (server.proxy) {
    server.proxy.close();
    proxies.delete(server.proxy);
  }
  server.child.stdin?.end();
}

/** Whether a server's provider has exited (its shell exits with it). */
const exited = (server: ProviderServer): boolean => server.child.exitCode !== null || server.child.signalCode !== null;

/**
 * Every proxy of this process, closed at its exit (their sockets' folders go with them). Kept on
 * `process`, the one object every jest test file of a worker shares, so that one hook serves them.
 */
const PROXIES = Symbol.for("blueprint.provider-proxies");
const processWide = process as unknown as Record<symbol, Set<SchemaProxy> | undefined>;
const proxies: Set<SchemaProxy> =
  processWide[PROXIES] ??
  (() => {
    const made = new Set<SchemaProxy>();
    processWide[PROXIES] = made;
    process.once("exit", () => {
      for (const p of made) p.close();
    });
    return made;
  })();

/**
 * The provider server's logging, off. In its debug mode the provider logs every RPC at trace
 * level: 11 MB of JSON lines for a plan of region-eu, a fifth of the provider's CPU time there, and
 * as much for this process to read and drop. Its errors still reach Terraform as diagnostics.
 */
export const PROVIDER_LOG_OFF: Readonly<Record<string, string>> = Object.fromEntries(
  ["TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_MUX", "TF_LOG_SDK_HELPER_SCHEMA", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_AWS"].map((k) => [k, "off"]),
);

/** Starts the provider in its debug mode and returns the TF_REATTACH_PROVIDERS value it prints. */
function startProviderServer(binary: string, schema: SchemaStore): Promise<ProviderServer> {
  return new Promise((resolve, reject) => {
    // Through a shell that holds a pipe from this process: when this process ends, however it ends
    // (a jest worker is killed, not exited), the pipe closes and the shell stops the provider. A
    // provider started directly outlived its test run.
    // The shell exits when the provider does (a crash is then seen: the server is not used again);
    // the provider is stopped with SIGINT, on which its debug mode removes its socket.
    const child = spawn("/bin/sh", ["-c", 'exec 3<&0; trap \'kill -INT "$p" 2>/dev/null; exit\' TERM INT; "$0" -debug </dev/null & p=$!; { read -r _ <&3; kill -INT "$p" 2>/dev/null; } & wait "$p"', binary], {
      env: { ...terraformEnv("/dev/null"), ...PROVIDER_LOG_OFF },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    const fail = (why: string) => {
      stopServer({ child });
      reject(new Error(`The AWS provider (${binary} -debug) did not start: ${why}\n${out}`));
    };
    const timeout = setTimeout(() => fail("no TF_REATTACH_PROVIDERS line within 120 s"), 120_000);
    child.once("error", (e) => fail(e.message));
    child.once("exit", (code) => fail(`it exited (${code})`));
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(out);
      if (!m) return;
      clearTimeout(timeout);
      child.removeAllListeners("exit");
      child.stdout!.removeAllListeners("data");
      child.stderr!.removeAllListeners("data");
      // Drain what it logs later, and let the process exit while a server is idle.
      child.stdout!.resume();
      child.stderr!.resume();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      (child.stderr as unknown as { unref?: () => void }).unref?.();
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      child.unref();
      proxied(m[1], schema).then(
        ({ reattach, proxy }) => resolve({ reattach, child, proxy }),
        (e: Error) => fail(`its schema proxy did not start: ${e.message}`),
      );
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
  });
}

/**
 * The provider's TF_REATTACH_PROVIDERS value pointed at a schema proxy in front of it
 * (scripts/provider-proxy.ts), where it listens on a unix socket; BLUEPRINT_PROVIDER_PROXY=0
 * attaches Terraform to the provider itself.
 */
async function proxied(reattach: string, schema: SchemaStore): Promise<{ reattach: string; proxy?: SchemaProxy }> {
  const providers = JSON.parse(reattach) as Record<string, { ProtocolVersion: number; Addr: { Network: string; String: string } }>;
  const entries = Object.values(providers);
  if (process.env.BLUEPRINT_PROVIDER_PROXY === "0" || entries.length !== 1 || entries[0].Addr.Network !== "unix") return { reattach };
  const proxy = await SchemaProxy.start(entries[0].Addr.String, entries[0].ProtocolVersion, schema);
  proxies.add(proxy);
  entries[0].Addr = { Network: "unix", String: proxy.socket };
  return { reattach: JSON.stringify(providers), proxy };
}

/** The AWS provider's binary in an unpacked filesystem mirror, where `tools` has one. */
function unpackedProvider(tools: OfflineTerraform): string | undefined {
  if (!tools.mirror) return undefined;
  const dir = path.join(tools.mirror, "registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER_VERSION, platform());
  const binary = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.startsWith("terraform-provider-aws")) : undefined;
  return binary && path.join(dir, binary);
}

const serversByBinary = new Map<string, ProviderServers>();
/**
 * The provider servers of this process for `tools`, or undefined where Terraform must start the
 * provider itself (no unpacked mirror, or BLUEPRINT_PROVIDER_REATTACH=0).
 */
export function providerServers(tools: OfflineTerraform): ProviderServers | undefined {
  if (process.env.BLUEPRINT_PROVIDER_REATTACH === "0") return undefined;
  const file = unpackedProvider(tools);
  if (!file) return undefined;
  let servers = serversByBinary.get(file);
  if (!servers) {
    servers = new ProviderServers(file, Math.max(2, os.cpus().length));
    serversByBinary.set(file, servers);
  }
  return servers;
}

/**
 * Whether one provider server can plan the stack: its AWS provider blocks differ in nothing but
 * `alias` and `region` (see {@link ProviderServers}).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function reattachable(stackJson: Record<string, any>): boolean {
  const blocks = ((stackJson.provider?.aws ?? []) as Record<string, unknown>[]).map(({ alias: _alias, region: _region, ...rest }) => JSON.stringify(rest));
  return new Set(blocks).size <= 1;
}

function run(tools: OfflineTerraform, cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tools.terraform, args, { cwd, env, maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
      // In its machine-readable form, Terraform's errors are JSON lines on stdout: one line each here.
      const errors = args.includes("-json") ? jsonMessages(stdout).filter((m) => m.type === "diagnostic" && m["@level"] === "error").map((m) => `Error: ${diagnosticLine(m)}`) : [];
      if (error) reject(new Error(`terraform ${args.join(" ")} failed in ${cwd}:\n${[stderr, ...errors].filter(Boolean).join("\n") || stdout}`));
      else resolve(stdout);
    });
  });
}

/**
 * Terraform's environment: fake credentials, no profile, no IMDS, no checkpoint calls. Go's
 * collector at a quarter of its default pace (GOGC=400): Terraform's and the provider's heaps stay
 * under 200 and 800 MB here, and a plan of region-eu takes a fifth less CPU in each.
 */
function terraformEnv(cliConfig: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("AWS_") && !k.startsWith("TF_")) env[k] = v;
  }
  return {
    ...env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: "1",
    CHECKPOINT_DISABLE: "1",
    GOGC: "400",
    AWS_ACCESS_KEY_ID: "AKIAOFFLINEPLANONLY00",
    AWS_SECRET_ACCESS_KEY: "offline-plan-no-real-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
}

/**
 * The override file: local backend, and per AWS provider block (aliases kept) the settings that
 * skip credential checks. `allowed_account_ids` is nulled here because it needs STS to verify;
 * the invariant tests check that the production config sets it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function offlineOverride(stackJson: Record<string, any>): Record<string, unknown> {
  const providers = stackJson.provider ?? {};
  const others = Object.keys(providers).filter((p) => p !== "aws");
  if (others.length > 0) throw new Error(`This stack uses provider(s) ${others.join(", ")}; only AWS-only stacks can be planned offline.`);
  const aws = ((providers.aws ?? []) as { alias?: string }[]).map((p) => ({
    ...(p.alias ? { alias: p.alias } : {}),
    allowed_account_ids: null,
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: "true",
    skip_region_validation: true,
  }));
  // A stack that reads another's outputs (region-<name>-dr reads region-<name>'s) reads a local
  // state file of placeholders instead (offlineRemoteStates).
  const remote = Object.keys((stackJson.data?.terraform_remote_state ?? {}) as Record<string, unknown>);
  return {
    terraform: { backend: { local: { path: "terraform.tfstate" } } },
    provider: { aws },
    ...(remote.length > 0 ? { data: { terraform_remote_state: Object.fromEntries(remote.map((name) => [name, { backend: "local", config: { path: remoteStateFile(name) } }])) } } : {}),
  };
}

/**
 * An override that lifts `prevent_destroy` from every resource that sets it, so that a plan against
 * a prior state shows every replacement and destruction rather than stopping at the first
 * protected one (used only in the temporary copy, to report what a change would do).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withoutDestroyProtection(stackJson: Record<string, any>): Record<string, unknown> {
  const resource: Record<string, Record<string, unknown>> = {};
  for (const [type, byName] of Object.entries((stackJson.resource ?? {}) as Record<string, Record<string, { lifecycle?: { prevent_destroy?: boolean } }>>)) {
    for (const [name, r] of Object.entries(byName)) if (r.lifecycle?.prevent_destroy) (resource[type] ??= {})[name] = { lifecycle: { prevent_destroy: false } };
  }
  return Object.keys(resource).length > 0 ? { resource } : {};
}

/** The placeholder state file the offline plan gives a `terraform_remote_state` data source, beside the copy's configuration. */
export function remoteStateFile(name: string): string {
  return `zz_offline_plan_${name}.tfstate`;
}

/** Whether Terraform can plan the stack here: its only provider is AWS (the mirror has no other). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function plannableOffline(stackJson: Record<string, any>): boolean {
  const providers = Object.keys(stackJson.terraform?.required_providers ?? {});
  return providers.length > 0 && providers.every((p) => p === "aws");
}

/** The stack's `terraform_remote_state` data sources, each with the outputs of the other state it reads (sorted). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function remoteStateReads(stackJson: Record<string, any>): Record<string, string[]> {
  const text = JSON.stringify(stackJson);
  return Object.fromEntries(
    Object.keys((stackJson.data?.terraform_remote_state ?? {}) as Record<string, unknown>).map((name) => [
      name,
      [...new Set([...text.matchAll(new RegExp(`data\\.terraform_remote_state\\.${name}\\.outputs\\.([A-Za-z0-9_]+)`, "g"))].map((m) => m[1]))].sort(),
    ]),
  );
}

/**
 * Placeholder states for the stack's `terraform_remote_state` data sources: every output the stack
 * reads, with a value of the shape its name says (`..._ids`: a list of three ids; `..._arn`: an
 * ARN; otherwise a string), so that the plan shows what the stack builds from them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function offlineRemoteStates(stackJson: Record<string, any>): Record<string, Record<string, unknown>> {
  const states: Record<string, Record<string, unknown>> = {};
  for (const [name, ids] of Object.entries(remoteStateReads(stackJson))) {
    const value = (id: string): { value: unknown; type: unknown } =>
      id.endsWith("_ids")
        ? { value: [1, 2, 3].map((i) => `${id.replace(/_ids$/, "").split("_").pop()}-0offlineplan0000${i}`), type: ["list", "string"] }
        : id.endsWith("_arn")
          ? { value: `arn:aws:kafka:us-east-1:000000000000:cluster/${OFFLINE_PLACEHOLDER}/00000000-0000-0000-0000-000000000000-1`, type: "string" }
          : { value: OFFLINE_PLACEHOLDER, type: "string" };
    states[name] = { version: 4, terraform_version: "1.11.0", serial: 1, lineage: "offline-plan-placeholder", outputs: Object.fromEntries(ids.map((id) => [id, value(id)])), resources: [] };
  }
  return states;
}

/** The value the offline plan gives every string variable that has no default. */
export const OFFLINE_PLACEHOLDER = "offline-plan-placeholder";

/**
 * Placeholder values for the stack's variables that have no default (e.g. a password the operator
 * supplies at deploy through `TF_VAR_...`), written to an auto.tfvars file in the copy only.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function offlineVariables(stackJson: Record<string, any>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, v] of Object.entries((stackJson.variable ?? {}) as Record<string, { type?: string; default?: unknown }>)) {
    if ("default" in v) continue;
    const placeholders: Record<string, unknown> = { string: OFFLINE_PLACEHOLDER, number: 0, bool: false };
    if (v.type === undefined || !(v.type in placeholders)) {
      throw new Error(`Variable "${name}" has type ${v.type ?? "(none)"}; the offline plan has placeholders for string, number and bool only.`);
    }
    values[name] = placeholders[v.type];
  }
  return values;
}

/** Options of one plan in an {@link OfflineWorkdir}. */
export interface PlanRunOptions {
  /** Lift `prevent_destroy` in the copy (every replacement and destruction listed, rather than the first stopping the plan). */
  readonly allowDestroy?: boolean;
  /** Plan only these resource addresses and what they depend on (`-target`). */
  readonly targets?: readonly string[];
  /**
   * Also the human-readable plan, for a reviewer (`npm run plan`, the review's upgrade plans).
   * Without it Terraform reports in its machine-readable form (`plan -json`), which skips
   * rendering every resource's diff: a third of a plan's time.
   */
  readonly text?: boolean;
}

/** A plan's summary and warnings, with its JSON (`terraform show -json`) on demand. */
export interface PlanChanges {
  readonly summary: string;
  /** Whether any resource is to be created, changed or destroyed. */
  readonly changed: boolean;
  readonly planText: string;
  readonly warnings: readonly string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): Promise<Record<string, any>>;
}

/** A copy of a synthesized stack, initialised, in which to plan (against a prior state if given). */
export interface OfflineWorkdir {
  /** Plans against `priorState` (a state file's content) or an empty state. */
  plan(priorState?: unknown, options?: PlanRunOptions): Promise<OfflinePlan>;
  /** The same plan, whose JSON is read only if asked for (a plan that changes nothing needs no `show`). */
  planChanges(priorState?: unknown, options?: PlanRunOptions): Promise<PlanChanges>;
  /**
   * The provider's schemas (`terraform providers schema -json`): through a provider server, those
   * of the types the workdir's configuration uses (scripts/provider-proxy.ts); all of them where
   * Terraform starts the provider itself.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  schema(): Promise<Record<string, any>>;
  /** Removes the copy (it holds placeholder variables and saved plans). */
  close(): void;
}

/** Terraform's summary line from the counts of its machine-readable `change_summary`, as `terraform plan` prints it. */
export function summaryLine(counts: { add: number; change: number; remove: number; import?: number }): string {
  if (counts.add + counts.change + counts.remove + (counts.import ?? 0) === 0) return "No changes. Your infrastructure matches the configuration.";
  return `Plan: ${counts.import ? `${counts.import} to import, ` : ""}${counts.add} to add, ${counts.change} to change, ${counts.remove} to destroy.`;
}

/** The messages of `terraform plan -json` (one JSON object per line). */
function jsonMessages(out: string): Record<string, unknown>[] {
  return out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** A diagnostic of Terraform's machine-readable output as one line, with where it is. */
function diagnosticLine(m: Record<string, unknown>): string {
  const d = (m.diagnostic ?? {}) as { summary?: string; detail?: string; address?: string; range?: { filename?: string; start?: { line?: number } } };
  const where = [d.address, d.range?.filename ? `${d.range.filename}:${d.range.start?.line ?? "?"}` : undefined].filter(Boolean).join(", ");
  return `${d.summary ?? String(m["@message"])}${where ? ` (${where})` : ""}${d.detail ? `: ${d.detail}` : ""}`;
}

/** Writes a cache file whole (a temporary name, then a rename): a concurrent reader never sees half of it. */
export function writeCacheFile(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.${randomUUID()}`;
  fs.writeFileSync(partial, JSON.stringify(value));
  fs.renameSync(partial, file);
}

const UNPROTECT_OVERRIDE = "zz_offline_plan_unprotect_override.tf.json";

/** The harness's own code, in the plan cache's key: a plan made by another version of it is never used. */
const HARNESS_VERSION = createHash("sha256")
  .update(fs.readFileSync(__filename))
  .update(fs.readFileSync(path.join(__dirname, "provider-proxy.ts")))
  .update(String(process.env.BLUEPRINT_PROVIDER_PROXY ?? ""))
  // A run that verifies the proxy's answers from memory plans afresh (scripts/provider-proxy.ts VALIDATIONS).
  .update(String(process.env.BLUEPRINT_PROVIDER_MEMO ?? ""))
  .digest("hex");

/**
 * The key of a plan in the cache: every file of the copy that Terraform reads (the configuration,
 * the overrides, the variables, the remote states), the prior state and the plan's options,
 * Terraform's and the provider's binaries (path, size and modification time) and the harness's code.
 */
function planCacheKey(workdir: string, tools: OfflineTerraform, plan: Record<string, unknown>): string {
  const hash = createHash("sha256").update(HARNESS_VERSION).update(AWS_PROVIDER_VERSION);
  const stat = (file: string) => {
    const st = fs.statSync(file);
    return `${file}\0${st.size}\0${st.mtimeMs}`;
  };
  hash.update(stat(tools.terraform));
  if (tools.mirror) {
    const dir = path.join(tools.mirror, "registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER_VERSION, platform());
    if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir).sort()) hash.update(stat(path.join(dir, f)));
  }
  for (const f of fs.readdirSync(workdir).sort()) {
    // The state is the prior state (in `plan`); the unprotect override follows from `allowDestroy`.
    if (/\.(tf|tf\.json|tfvars\.json|tfstate)$/.test(f) && f !== "terraform.tfstate" && f !== UNPROTECT_OVERRIDE) hash.update(`\0${f}\0`).update(fs.readFileSync(path.join(workdir, f)));
  }
  return hash.update(JSON.stringify(plan)).digest("hex");
}

type CachedPlan = Omit<PlanChanges, "json"> & { readonly plan?: Record<string, unknown> };

const pruned = new Set<string>();
/** Removes the cached plans no run has read for a week (each read touches its file), once per process and folder. */
function pruneOnce(dir: string): void {
  if (pruned.has(dir)) return;
  pruned.add(dir);
  const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
  for (const f of fs.readdirSync(dir)) {
    const file = path.join(dir, f);
    try {
      if (/^plan-[0-9a-f]+\.json$/.test(f) && fs.statSync(file).mtimeMs < weekAgo) fs.rmSync(file, { force: true });
    } catch {
      // removed meanwhile
    }
  }
}

/**
 * The plan of `key` from `dir`, or made by `make` and stored there. Two processes that need the
 * same plan at once (two test files) make it once: the second waits for the first's result while
 * the first holds the key's lock file (a lock whose process is gone is taken over).
 */
async function cachedPlan(dir: string, key: string, make: () => Promise<CachedPlan>): Promise<CachedPlan> {
  const file = path.join(dir, `plan-${key.slice(0, 40)}.json`);
  const lock = `${file}.lock`;
  fs.mkdirSync(dir, { recursive: true });
  pruneOnce(dir);
  for (;;) {
    try {
      const found = JSON.parse(fs.readFileSync(file, "utf8")) as CachedPlan;
      const now = new Date();
      fs.utimesSync(file, now, now);
      return found;
    } catch {
      // not made yet
    }
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
    } catch {
      const holder = Number(fs.readFileSync(lock, "utf8") || "0");
      let alive = holder === process.pid;
      try {
        if (holder && !alive) alive = process.kill(holder, 0);
      } catch {
        alive = false;
      }
      if (!alive && holder !== process.pid) fs.rmSync(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      const made = await make();
      writeCacheFile(file, made);
      return made;
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }
}

/** What `terraform init` wrote in a workdir: `.terraform` (entry by entry) and the dependency lock file. */
interface InitTemplate {
  readonly entries: readonly { readonly rel: string; readonly kind: "dir" | "file" | "link"; readonly data?: Buffer; readonly target?: string }[];
  readonly lock: Buffer;
}

/**
 * The first init of each kind in this process (its Terraform and CLI configuration, the stack's
 * required providers and modules, the offline backend), written again into later workdirs of the
 * same kind instead of running init there: what init writes depends on nothing else. From an
 * unpacked mirror that is a backend file, a lock file and a link to the provider (init itself
 * took 0.5 s there, most of it hashing the provider's 700 MB).
 */
const initTemplates = new Map<string, InitTemplate>();

/** What init wrote in `workdir`, or undefined where it copied a provider there (no plugin cache, a packed mirror): copying that again saves nothing. */
function readInitTemplate(workdir: string): InitTemplate | undefined {
  const entries: { rel: string; kind: "dir" | "file" | "link"; data?: Buffer; target?: string }[] = [];
  const walk = (rel: string): boolean => {
    for (const e of fs.readdirSync(path.join(workdir, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      const full = path.join(workdir, child);
      if (e.isSymbolicLink()) entries.push({ rel: child, kind: "link", target: fs.readlinkSync(full) });
      else if (e.isDirectory()) {
        entries.push({ rel: child, kind: "dir" });
        if (!walk(child)) return false;
      } else if (e.isFile() && fs.statSync(full).size <= 1 << 20) entries.push({ rel: child, kind: "file", data: fs.readFileSync(full) });
      else return false;
    }
    return true;
  };
  const lock = path.join(workdir, ".terraform.lock.hcl");
  if (!fs.existsSync(path.join(workdir, ".terraform")) || !fs.existsSync(lock)) return undefined;
  entries.push({ rel: ".terraform", kind: "dir" });
  return walk(".terraform") ? { entries, lock: fs.readFileSync(lock) } : undefined;
}

function writeInitTemplate(workdir: string, template: InitTemplate): void {
  for (const e of template.entries) {
    const full = path.join(workdir, e.rel);
    if (e.kind === "dir") fs.mkdirSync(full, { recursive: true });
    else if (e.kind === "link") fs.symlinkSync(e.target!, full);
    else fs.writeFileSync(full, e.data!);
  }
  fs.writeFileSync(path.join(workdir, ".terraform.lock.hcl"), template.lock);
}

/** Copies a synthesized stack directory, writes the override, variables and remote states, and runs `terraform init`. */
export async function openOfflineWorkdir(stackDir: string, options: PlanOfflineOptions): Promise<OfflineWorkdir> {
  const { tools } = options;
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), `offline-plan-${path.basename(stackDir)}-`));
  const close = () => fs.rmSync(workdir, { recursive: true, force: true });
  try {
    // Not what an init in the stack's own folder left there (`cdktf diff` or `deploy`): another backend, another lock.
    fs.cpSync(stackDir, workdir, { recursive: true, filter: (src) => path.dirname(src) !== stackDir || ![".terraform", ".terraform.lock.hcl"].includes(path.basename(src)) });
    const stackJson = options.stackJson ?? JSON.parse(fs.readFileSync(path.join(workdir, "cdk.tf.json"), "utf8"));
    const override = offlineOverride(stackJson);
    fs.writeFileSync(path.join(workdir, "zz_offline_plan_override.tf.json"), JSON.stringify(override, null, 2));
    fs.writeFileSync(path.join(workdir, "zz_offline_plan.auto.tfvars.json"), JSON.stringify(offlineVariables(stackJson), null, 2));
    for (const [name, state] of Object.entries(offlineRemoteStates(stackJson))) {
      const outputs = state.outputs as Record<string, { value: unknown }>;
      for (const [id, value] of Object.entries(options.remoteOutputs ?? {})) if (outputs[id]) outputs[id].value = value;
      fs.writeFileSync(path.join(workdir, remoteStateFile(name)), JSON.stringify(state, null, 2));
    }
    const cliConfig = path.join(workdir, ".terraformrc");
    // From an unpacked mirror, init links the provider where it is; a plugin cache would only add
    // a copy of its 700 MB (one per cache).
    const pluginCacheDir = unpackedProvider(tools) ? undefined : options.pluginCacheDir;
    const cliText = [
      pluginCacheDir ? `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}` : "",
      pluginCacheDir ? "plugin_cache_may_break_dependency_lock_file = true" : "",
      ...(tools.mirror
        ? [
            "provider_installation {",
            `  filesystem_mirror {\n    path    = ${JSON.stringify(tools.mirror)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }`,
            '  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }',
            "}",
          ]
        : []),
      "",
    ].join("\n");
    fs.writeFileSync(cliConfig, cliText);
    const env = terraformEnv(cliConfig);
    const servers = options.reattach === false || !reattachable(stackJson) ? undefined : providerServers(tools);
    // The types whose schema Terraform reads here: the configuration's and those of every prior state planned against.
    const types = new Set([...Object.keys(stackJson.resource ?? {}), ...Object.keys(stackJson.data ?? {}), ...Object.keys(stackJson.ephemeral ?? {})]);
    // Modules and check blocks hold types of their own: every type for such a stack (none has one now).
    const keep = stackJson.module || stackJson.check ? undefined : types;
    // Every command but init (which installs the provider from the mirror) attaches to a running provider where it can.
    const tf = (...args: string[]) =>
      servers && args[0] !== "init"
        ? servers.with((reattach) => run(tools, workdir, { ...env, TF_REATTACH_PROVIDERS: reattach }, args), keep)
        : run(tools, workdir, env, args);
    const initKey = createHash("sha256")
      .update(JSON.stringify([tools.terraform, cliText, stackJson.terraform?.required_providers ?? null, stackJson.module ?? null, override.terraform]))
      .digest("hex");
    const init = async () => {
      const template = initTemplates.get(initKey);
      if (template) return void writeInitTemplate(workdir, template);
      await tf("init", "-input=false", "-no-color");
      const made = readInitTemplate(workdir);
      if (made) initTemplates.set(initKey, made);
    };
    // Initialised at the first command that needs it: a plan found in the cache needs none.
    let initialised: Promise<void> | undefined;
    const ready = () => (initialised ??= options.initLock ? options.initLock(init) : init());
    if (!options.planCacheDir) await ready();
    const stateFile = path.join(workdir, "terraform.tfstate");
    let plans = 0;
    /** `withJson`: the JSON is kept in the cache even for a plan that changes nothing (the caller reads it). */
    const planChanges = async (priorState?: unknown, planOptions: PlanRunOptions = {}, withJson = false): Promise<PlanChanges> => {
      if (!options.planCacheDir) return planNow(priorState, planOptions);
      const key = planCacheKey(workdir, tools, { priorState: priorState ?? null, targets: planOptions.targets ?? [], allowDestroy: !!planOptions.allowDestroy, text: !!planOptions.text, attached: !!servers });
      const cached = await cachedPlan(options.planCacheDir, key, async () => {
        const now = await planNow(priorState, planOptions);
        const { json, ...rest } = now;
        // The JSON of a plan that changes something is kept too (a plan that changes nothing is mostly read for its summary).
        return { ...rest, plan: now.changed || withJson ? await json() : undefined };
      });
      const { plan, ...rest } = cached;
      // A cached plan that changes nothing has no JSON kept: asked for it, plan again.
      return { ...rest, json: async () => plan ?? (await (await planNow(priorState, planOptions)).json()) };
    };
    const planNow = async (priorState?: unknown, planOptions: PlanRunOptions = {}): Promise<PlanChanges> => {
      await ready();
      if (priorState === undefined) fs.rmSync(stateFile, { force: true });
      else {
        fs.writeFileSync(stateFile, JSON.stringify(priorState));
        for (const r of (priorState as { resources?: { type?: unknown }[] }).resources ?? []) if (typeof r.type === "string") types.add(r.type);
      }
      const unprotect = path.join(workdir, UNPROTECT_OVERRIDE);
      if (planOptions.allowDestroy) fs.writeFileSync(unprotect, JSON.stringify(withoutDestroyProtection(stackJson), null, 2));
      else fs.rmSync(unprotect, { force: true });
      const targets = (planOptions.targets ?? []).map((t) => `-target=${t}`);
      const planFile = `tfplan-${++plans}`;
      const args = ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", ...targets, `-out=${planFile}`];
      let summary: string;
      let planText = "";
      let warnings: string[];
      if (planOptions.text) {
        // The plan's own output is the human-readable plan, with any warning Terraform gives.
        planText = await tf(...args);
        summary = planSummary(planText) ?? "(no summary)";
        warnings = [...planText.matchAll(/^Warning: (.*)$/gm)].map((m) => m[1]);
      } else {
        const messages = jsonMessages(await tf(...args.slice(0, 1), "-json", ...args.slice(1)));
        const counts = messages.find((m) => m.type === "change_summary")?.changes as { add: number; change: number; remove: number; import?: number } | undefined;
        if (!counts) throw new Error(`terraform plan -json in ${workdir} gave no change_summary`);
        summary = summaryLine(counts);
        warnings = messages.filter((m) => m.type === "diagnostic" && m["@level"] === "warn").map(diagnosticLine);
      }
      const changed = !summary.startsWith("No changes.");
      return { summary, changed, planText, warnings, json: async () => JSON.parse(await tf("show", "-json", planFile)) };
    };
    return {
      planChanges: (priorState?: unknown, planOptions?: PlanRunOptions) => planChanges(priorState, planOptions),
      plan: async (priorState?: unknown, planOptions: PlanRunOptions = {}) => {
        const { json, changed: _changed, ...rest } = await planChanges(priorState, planOptions, true);
        return { ...rest, plan: await json() };
      },
      schema: async () => {
        await ready();
        return JSON.parse(await tf("providers", "schema", "-json"));
      },
      close,
    };
  } catch (e) {
    close();
    throw e;
  }
}

/**
 * Copies a synthesized stack directory and runs init, plan and show in the copy. A plan validates
 * the configuration first, as `terraform validate` does (no separate command).
 */
export async function planOffline(stackDir: string, options: PlanOfflineOptions & { readonly text?: boolean }): Promise<OfflinePlan> {
  const work = await openOfflineWorkdir(stackDir, options);
  try {
    return await work.plan(undefined, { text: options.text });
  } finally {
    // The copy holds placeholder variables and the saved plan: never leave it behind.
    work.close();
  }
}

/** The summary line of `terraform plan`'s output (`Plan: 3 to add, ...` or `No changes. ...`). */
export function planSummary(planText: string): string | undefined {
  return /Plan: \d+ to add, \d+ to change, \d+ to destroy\.|No changes\..*/.exec(planText)?.[0];
}

/** A mutex for `init`, so that concurrent plans share one plugin cache safely. */
export function serialised(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const next = tail.then(fn, fn);
    tail = next.catch(() => undefined);
    return next;
  };
}

/**
 * The plan JSON with every sensitive value replaced by "(sensitive value)", as `terraform show`
 * prints it: resource and output changes by their `*_sensitive` masks, planned values by
 * `sensitive_values`, and the values of variables the configuration declares sensitive. A plan
 * artifact must not carry a secret even when someone plans with a real `TF_VAR_`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function redactPlan(plan: Record<string, any>): Record<string, any> {
  const out = JSON.parse(JSON.stringify(plan));
  const mask = (value: unknown, sensitive: unknown): unknown => {
    if (sensitive === true) return value === null || value === undefined ? value : REDACTED;
    if (!sensitive || typeof sensitive !== "object" || value === null || typeof value !== "object") return value;
    const s = sensitive as Record<string, unknown>;
    if (Array.isArray(value)) return value.map((v, i) => mask(v, (s as unknown as unknown[])[i]));
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, mask(v, s[k])]));
  };
  for (const rc of [...(out.resource_changes ?? []), ...(out.resource_drift ?? [])]) {
    if (rc.change) {
      rc.change.before = mask(rc.change.before, rc.change.before_sensitive);
      rc.change.after = mask(rc.change.after, rc.change.after_sensitive);
    }
  }
  for (const oc of Object.values((out.output_changes ?? {}) as Record<string, { before?: unknown; after?: unknown; before_sensitive?: unknown; after_sensitive?: unknown }>)) {
    oc.before = mask(oc.before, oc.before_sensitive);
    oc.after = mask(oc.after, oc.after_sensitive);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const walkModule = (m: any) => {
    if (!m) return;
    for (const r of m.resources ?? []) r.values = mask(r.values, r.sensitive_values);
    for (const c of m.child_modules ?? []) walkModule(c);
  };
  walkModule(out.planned_values?.root_module);
  walkModule(out.prior_state?.values?.root_module);
  for (const outputs of [out.planned_values?.outputs, out.prior_state?.values?.outputs]) {
    for (const o of Object.values((outputs ?? {}) as Record<string, { sensitive?: boolean; value?: unknown }>)) if (o.sensitive) o.value = REDACTED;
  }
  const declared = (out.configuration?.root_module?.variables ?? {}) as Record<string, { sensitive?: boolean; default?: unknown }>;
  for (const [name, v] of Object.entries((out.variables ?? {}) as Record<string, { value?: unknown }>)) if (declared[name]?.sensitive) v.value = REDACTED;
  for (const v of Object.values(declared)) if (v.sensitive && v.default !== undefined) v.default = REDACTED;
  // The configuration repeats literal arguments (`constant_value`): hide those of sensitive
  // attributes (by the change's mask) and of provider settings that hold credentials.
  const masks = new Map<string, unknown>(((out.resource_changes ?? []) as { address: string; change?: { after_sensitive?: unknown } }[]).map((rc) => [rc.address, rc.change?.after_sensitive]));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const hideConstants = (expressions: any, sensitive: unknown) => {
    if (!expressions || typeof expressions !== "object") return;
    for (const [k, e] of Object.entries(expressions as Record<string, unknown>)) {
      const s = sensitive && typeof sensitive === "object" ? (sensitive as Record<string, unknown>)[k] : undefined;
      if (e && typeof e === "object" && "constant_value" in e && (s === true || (s && typeof s === "object") || SECRET_ARGUMENT.test(k))) (e as Record<string, unknown>).constant_value = REDACTED;
      else if (Array.isArray(e)) e.forEach((x, i) => hideConstants(x, Array.isArray(s) ? s[i] : s));
      else if (e && typeof e === "object") hideConstants(e, s);
    }
  };
  for (const r of (out.configuration?.root_module?.resources ?? []) as { address: string; expressions?: unknown }[]) hideConstants(r.expressions, masks.get(r.address));
  for (const p of Object.values((out.configuration?.provider_config ?? {}) as Record<string, { expressions?: unknown }>)) hideConstants(p.expressions, undefined);
  return out;
}

/** What replaces a sensitive value in a plan artifact. */
export const REDACTED = "(sensitive value)";

/** Writes `plan.json` (redacted) and `plan.txt` beside the synthesized stack; returns their paths. */
export function writePlanArtifacts(stackDir: string, result: OfflinePlan): { json: string; text: string } {
  const json = path.join(stackDir, PLAN_FILES.json);
  const text = path.join(stackDir, PLAN_FILES.text);
  fs.writeFileSync(json, JSON.stringify(redactPlan(result.plan), null, 2) + "\n");
  fs.writeFileSync(text, result.planText);
  return { json, text };
}
