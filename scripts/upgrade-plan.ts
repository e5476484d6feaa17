/**
 * Upgrade safety: a real `terraform plan` of a stack's new version against the state its previous
 * version would have after apply (scripts/prior-state.ts builds that state offline), and what in
 * that plan replaces or destroys a stateful resource, with the attribute that forces it and the fix;
 * beside it, what such a plan cannot see (a resource moved to another region or account, a moved
 * backend) and the updates that delete data (a retention shortened).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { STATEFUL_TYPES } from "../guardrails/rules/aws/resilience";
import { AWS_PROVIDER_VERSION, OfflineWorkdir, PlanOfflineOptions, openOfflineWorkdir, writeCacheFile } from "./offline-plan";
import { ProviderSchemas, TerraformState, pendingChanges, refineStep, resolveReferences, stateFromPlan, valueAt } from "./prior-state";

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * What a replacement or destruction loses, by resource type: the stateful types of the guardrails
 * (resilience.stateful-protected) and those whose replacement rebuilds what runs on them.
 */
export const UPGRADE_STATEFUL: Readonly<Record<string, string>> = {
  ...Object.fromEntries(STATEFUL_TYPES.map((t) => [t, "holds data or key material: a new one starts empty"])),
  aws_kms_key: "a new key cannot decrypt what the old one encrypted, and every store under it is re-created or unreadable",
  aws_cloudhsm_v2_cluster: "the HSMs' key material (the tokenization key) lives only in the cluster and its backups",
  aws_cloudhsm_v2_hsm: "an HSM replaced is re-synchronised from the cluster; losing the last one loses the keys",
  aws_rds_cluster: "a new cluster starts empty: the cardholder data is restored only from a snapshot",
  aws_msk_cluster: "a new cluster starts with no topics or offsets",
  aws_s3_bucket: "a new bucket starts empty, and a bucket with object lock cannot be emptied before the retention ends",
  aws_cloudwatch_log_group: "the audit trail in the group is deleted with it (PCI DSS 10.5.1 keeps it a year)",
  aws_acmpca_certificate_authority: "every certificate the CA issued chains to a key that is gone",
  aws_backup_vault: "the recovery points in the vault go with it",
  aws_msk_replicator: "a new replicator copies every topic again from the start",
  aws_secretsmanager_secret: "the secret's value is lost, and its name is held for the recovery window",
  aws_eks_cluster: "a new cluster runs nothing: every workload, secret and certificate is re-created",
  aws_ecr_repository: "the images mirrored into the repository are deleted with it",
  aws_guardduty_detector: "its findings and their history go with it",
  aws_securityhub_account: "the findings and the standards' results go with it",
  aws_prometheus_workspace: "the mesh's metrics and their history go with it",
  aws_backup_vault_lock_configuration: "a vault lock in compliance mode cannot be removed once its grace time is over: its replacement fails, or lifts the lock in the grace time",
};

/** What an upgrade plan finds: a replacement, a destruction, a resource left unmanaged, or an update that shortens a retention. */
export interface UpgradeFinding {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly action: "replace" | "destroy" | "update" | "unmanaged";
  /** What is lost (UPGRADE_STATEFUL), for a stateful type: the review fails (exit 3). */
  readonly loses?: string;
  /** The sign-off reason (review/sign-off.json) of an update that deletes data: a retention shortened. */
  readonly signOff?: string;
  /** Terraform's reason for a replacement no attribute forces (`action_reason`). */
  readonly reason?: string;
  /** The attributes whose change forces the replacement, with their values before and after. */
  readonly forcedBy: readonly { readonly path: string; readonly before: string; readonly after: string }[];
  /** The new version protects it from destroy, so the deploy would stop at plan (a removed resource never is). */
  readonly protectedFromDestroy: boolean;
  readonly fix: string;
}

/** The outcome of planning a stack's new version against its previous version's state. */
export interface UpgradePlan {
  readonly stack: string;
  readonly summary: string;
  readonly planText: string;
  /** The plan (`terraform show -json`); absent where the new version is the same configuration. */
  readonly plan?: Record<string, any>;
  readonly findings: readonly UpgradeFinding[];
  /** How the previous version's state was built (the plans of it against its state, the last with no changes). */
  readonly rounds: readonly string[];
  /** The resources planned (`-target`): what changed and what references it; undefined where the whole stack was planned. */
  readonly targets?: readonly string[];
}

function show(value: unknown): string {
  if (value === undefined) return "(known after apply)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}


/** The retention attributes an in-place update can shorten (a shorter one deletes what is older at the next expiry). */
const RETENTION_KEY = /retention|expiration|delete_after|noncurrent_days|default_retention/;
const PERIOD_LEAF = /^(days|years|hours|retention_in_days|backup_retention_period|delete_after|noncurrent_days|retention_period)$/;

/** The retention periods an update shortens: path, before and after (a log group's 0 is "never expire"). */
export function shortenedRetention(before: unknown, after: unknown, path: readonly (string | number)[] = []): { path: (string | number)[]; before: number; after: number }[] {
  if (typeof before === "number" && typeof after === "number") {
    const leaf = String(path[path.length - 1]);
    if (!PERIOD_LEAF.test(leaf) || !path.some((p) => typeof p === "string" && RETENTION_KEY.test(p))) return [];
    const forever = (n: number) => (leaf === "retention_in_days" && n === 0 ? Infinity : n);
    return forever(after) < forever(before) ? [{ path: [...path], before, after }] : [];
  }
  if (!before || !after || typeof before !== "object" || typeof after !== "object") return [];
  return Object.keys(before as object).flatMap((k) => shortenedRetention((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k], [...path, Array.isArray(before) ? Number(k) : k]));
}

function pathText(p: readonly (string | number)[]): string {
  return p.map((s) => (typeof s === "number" ? `[${s}]` : s)).join(".").replace(/\.\[/g, "[");
}

/** The sign-off reason of an update that shortens a retention (review/sign-off.json). */
export const RETENTION_SHORTENED = "a retention shortened";

/**
 * What a plan against the previous release's state replaces, destroys, or deletes by shortening a
 * retention; stateful losses first, then sign-offs, then the rest.
 */
export function upgradeFindings(stack: string, plan: Record<string, any>, baseJson: Record<string, any>, headJson: Record<string, any> = baseJson): UpgradeFinding[] {
  const changes = pendingChanges(plan);
  const created = changes.filter((rc) => rc.change.actions.length === 1 && rc.change.actions[0] === "create");
  const findings: UpgradeFinding[] = [];
  for (const rc of changes) {
    const actions: string[] = rc.change.actions;
    if (actions.length === 1 && actions[0] === "update") {
      const shortened = shortenedRetention(rc.change.before, rc.change.after);
      if (shortened.length > 0) {
        findings.push({
          stack,
          address: rc.address,
          type: rc.type,
          action: "update",
          signOff: RETENTION_SHORTENED,
          forcedBy: shortened.map((x) => ({ path: pathText(x.path), before: String(x.before), after: String(x.after) })),
          protectedFromDestroy: false,
          fix: "A shorter retention deletes what is older at the next expiry, for good (PCI DSS 10.5.1 keeps the audit trail a year, three months of it at hand). Keep the period, or have a security reviewer sign the change off.",
        });
      }
      continue;
    }
    if (!actions.includes("delete")) continue;
    const action = actions.includes("create") ? "replace" : "destroy";
    const forcedBy = ((rc.change.replace_paths ?? []) as (string | number)[][]).map((p) => ({ path: pathText(p), before: show(valueAt(rc.change.before, p)), after: show(valueAt(rc.change.after, p)) }));
    // A replacement meets the new version's prevent_destroy; a resource removed from the
    // configuration takes its prevent_destroy with it, so nothing stops its destruction.
    const protectedFromDestroy = action === "replace" && headJson.resource?.[rc.type]?.[rc.name]?.lifecycle?.prevent_destroy === true;
    const successor = action === "destroy" ? created.find((c) => c.type === rc.type) : undefined;
    const fix =
      action === "replace"
        ? forcedBy.length > 0
          ? `Keep ${forcedBy.map((f) => f.path).join(", ")} as in the previous version (the provider cannot change ${forcedBy.length === 1 ? "it" : "them"} in place). If the change is needed, build the new ${rc.type} beside the old one under another name, move the data, and retire the old one in a reviewed change of its own.`
          : `Terraform replaces it (${rc.action_reason ?? "no reason given"}): remove what triggers the replacement (replace_triggered_by, a taint), or build the new one beside the old one and move the data first.`
        : successor
          ? `If ${rc.address} was renamed (its construct id or path changed) to ${successor.address}, move it instead of re-creating it: \`.moveFromId("${rc.address}")\` on the new resource, or keep the old id with \`overrideLogicalId("${rc.name}")\`.`
          : `Keep ${rc.address} in the configuration: removing it removes its prevent_destroy too, and the deploy destroys it. To retire it, move what it holds first and remove it in a reviewed change of its own.`;
    findings.push({ stack, address: rc.address, type: rc.type, action, loses: UPGRADE_STATEFUL[rc.type], forcedBy, protectedFromDestroy, fix, ...(forcedBy.length === 0 && rc.action_reason ? { reason: rc.action_reason } : {}) });
  }
  return sortFindings(findings);
}

function sortFindings(findings: UpgradeFinding[]): UpgradeFinding[] {
  const rank = (f: UpgradeFinding) => (f.loses ? 0 : f.signOff ? 1 : 2);
  return findings.sort((a, b) => rank(a) - rank(b) || a.address.localeCompare(b.address));
}

/** Where a resource lives: its provider configuration's region, role and accounts (by alias). */
function placement(json: Record<string, any>, type: string, name: string): string {
  const key: string = json.resource?.[type]?.[name]?.provider ?? "aws";
  const [provider, alias] = key.split(".");
  const block = ([] as Record<string, any>[]).concat(json.provider?.[provider] ?? []).find((p) => p.alias === alias);
  const where = { region: block?.region, assume_role: block?.assume_role, allowed_account_ids: block?.allowed_account_ids };
  return `${key}: ${JSON.stringify(where)}`;
}

/**
 * A stack gone from the app: `cdktf deploy` never destroys it, so each of its stateful resources
 * stays deployed with what it holds, and no later change or destroy reaches it.
 */
export function unmanagedFindings(stack: string, json: Record<string, any>): UpgradeFinding[] {
  return Object.entries((json.resource ?? {}) as Record<string, Record<string, unknown>>).flatMap(([type, byName]) =>
    UPGRADE_STATEFUL[type]
      ? Object.keys(byName).map((n) => ({
          stack,
          address: `${type}.${n}`,
          type,
          action: "unmanaged" as const,
          loses: `stays deployed with what it holds, and no later change or destroy reaches it (${UPGRADE_STATEFUL[type]} once someone deletes it by hand)`,
          forcedBy: [],
          protectedFromDestroy: false,
          fix: `Keep ${stack} in the app (a stack renamed starts from an empty state under its new key). To retire it, move what it holds, run \`cdktf destroy ${stack}\` from the previous version, then remove it.`,
        }))
      : [],
  );
}

/**
 * What a plan against the previous release's state cannot show, because Terraform does not read
 * the real state there (`-refresh=false`, a local backend): a resource whose provider now points
 * at another region, role or account is created anew there and the old one is left unmanaged; a
 * stack whose backend moved starts from an empty state and creates everything again.
 */
export function relocationFindings(stack: string, baseJson: Record<string, any>, headJson: Record<string, any>): UpgradeFinding[] {
  const findings: UpgradeFinding[] = [];
  const backend = (j: Record<string, any>) => JSON.stringify(j.terraform?.backend ?? null);
  if (backend(baseJson) !== backend(headJson)) {
    findings.push({
      stack,
      address: "terraform.backend",
      type: "terraform backend",
      action: "replace",
      loses: "the deploy starts from an empty state at the new location and creates every resource again beside the running ones, which stay unmanaged",
      forcedBy: [{ path: "backend", before: show(baseJson.terraform?.backend), after: show(headJson.terraform?.backend) }],
      protectedFromDestroy: false,
      fix: "Keep the backend (the region file's stateBackend), or move the state first (`terraform init -migrate-state` from the previous version's configuration) in a change of its own.",
    });
  }
  for (const [type, byName] of Object.entries((headJson.resource ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const name of Object.keys(byName)) {
      if (!baseJson.resource?.[type]?.[name]) continue;
      const before = placement(baseJson, type, name);
      const after = placement(headJson, type, name);
      if (before === after) continue;
      findings.push({
        stack,
        address: `${type}.${name}`,
        type,
        action: "replace",
        loses: UPGRADE_STATEFUL[type],
        forcedBy: [{ path: "provider", before: show(before), after: show(after) }],
        protectedFromDestroy: false,
        fix: "Keep its provider (region, role, account). A resource moved to another is created anew there, and the old one stays running and unmanaged; to move it, build the new one beside it under another name, move the data, and retire the old one in a reviewed change of its own.",
      });
    }
  }
  return sortFindings(findings);
}

/** A configuration's resources and data sources by address (`type.name`, `data.type.name`), each with its body. */
function configNodes(json: Record<string, any>): Map<string, unknown> {
  const nodes = new Map<string, unknown>();
  for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, unknown>>)) for (const [name, body] of Object.entries(byName)) nodes.set(`${type}.${name}`, body);
  for (const [type, byName] of Object.entries((json.data ?? {}) as Record<string, Record<string, unknown>>)) for (const [name, body] of Object.entries(byName)) nodes.set(`data.${type}.${name}`, body);
  return nodes;
}

const REFERENCE = /\b(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)/g;
const ATTRIBUTE = /\.([A-Za-z0-9_]+)/y;
/** The addresses a node's body names (`type.name`, `data.type.name`), each with the attribute it reads right after, if any. */
function* addressesIn(body: unknown): Generator<{ readonly target: string; readonly attribute?: string }> {
  const text = JSON.stringify(body);
  for (const m of text.matchAll(REFERENCE)) {
    ATTRIBUTE.lastIndex = m.index + m[0].length;
    yield { target: `${m[1] ?? ""}${m[2]}.${m[3]}`, attribute: ATTRIBUTE.exec(text)?.[1] };
  }
}

/** A configuration's resources and data sources (`type.name`, `data.type.name`), each with what it references. */
export function referenceGraph(json: Record<string, any>): Map<string, Set<string>> {
  const nodes = configNodes(json);
  const graph = new Map<string, Set<string>>();
  for (const [address, body] of nodes) {
    const refs = new Set<string>();
    for (const { target } of addressesIn(body)) if (target !== address && nodes.has(target)) refs.add(target);
    graph.set(address, refs);
  }
  return graph;
}

/** The top-level attributes of each of `addresses` whose value differs between two states (every one, for a resource in only one of them). */
export function changedAttributes(before: TerraformState, after: TerraformState, addresses: readonly string[]): Map<string, Set<string> | "all"> {
  const attributes = (state: TerraformState, address: string) => state.resources.find((r) => `${r.type}.${r.name}` === address)?.instances[0]?.attributes;
  const out = new Map<string, Set<string> | "all">();
  for (const address of addresses) {
    const b = attributes(before, address);
    const a = attributes(after, address);
    if (!b || !a) {
      out.set(address, "all");
      continue;
    }
    out.set(address, new Set([...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))));
  }
  return out;
}

/**
 * The resources and data sources whose configuration reads a changed attribute of one of
 * `changed` (`aws_x.y.attr`, also inside an index or a nested attribute), or reads it whole
 * (`aws_x.y` not followed by an attribute: an index, depends_on, a splat).
 */
export function attributeReaders(json: Record<string, any>, changed: ReadonlyMap<string, ReadonlySet<string> | "all">): string[] {
  if (changed.size === 0) return [];
  const readers: string[] = [];
  for (const [address, body] of configNodes(json)) {
    if (changed.has(address)) continue;
    for (const { target, attribute } of addressesIn(body)) {
      const attrs = changed.get(target);
      if (attrs !== undefined && (attrs === "all" || attribute === undefined || attrs.has(attribute))) {
        readers.push(address);
        break;
      }
    }
  }
  return readers;
}

/** `seeds` and everything in the configuration that references one of them, directly or not. */
export function withDependents(graph: ReadonlyMap<string, ReadonlySet<string>>, seeds: Iterable<string>): Set<string> {
  const out = new Set(seeds);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [address, refs] of graph) {
      if (!out.has(address) && [...refs].some((r) => out.has(r))) {
        out.add(address);
        grew = true;
      }
    }
  }
  return out;
}

function withoutMetadata(value: unknown): string {
  return JSON.stringify(value, (k, v) => (k === "//" ? undefined : v));
}

/** Two versions of a stack are the same configuration: equal but for cdktf's `//` metadata (construct paths). */
export function sameConfiguration(a: unknown, b: unknown): boolean {
  return withoutMetadata(a) === withoutMetadata(b);
}

/**
 * The managed resources a plan of `head` against `base`'s state must cover: those added, removed
 * or changed, those that use a variable added, removed or changed, and everything that references
 * them, directly or not (the rest plan no-op: same arguments, same state, same values referenced).
 * Undefined where more than that changed (providers, the backend, a changed variable used outside
 * resources and data sources): then the whole stack plans.
 */
export function changedResources(base: Record<string, any>, head: Record<string, any>): string[] | undefined {
  const rest = (j: Record<string, any>) => withoutMetadata({ ...j, resource: undefined, output: undefined, data: undefined, variable: undefined });
  if (rest(base) !== rest(head)) return undefined;
  const variables = [...new Set([...Object.keys(base.variable ?? {}), ...Object.keys(head.variable ?? {})])].filter((v) => withoutMetadata(base.variable?.[v]) !== withoutMetadata(head.variable?.[v]));
  const usesChangedVariable = (value: unknown) => variables.length > 0 && new RegExp(`\\bvar\\.(${variables.map((v) => v.replace(/[^A-Za-z0-9_]/g, "\\$&")).join("|")})\\b`).test(JSON.stringify(value));
  // A provider block (or anything else but resources, data sources and outputs) that reads one: everything may change.
  if (usesChangedVariable({ ...head, resource: undefined, output: undefined, data: undefined, variable: undefined })) return undefined;
  const seeds = new Set<string>();
  for (const kind of ["resource", "data"] as const) {
    const b = (base[kind] ?? {}) as Record<string, Record<string, unknown>>;
    const h = (head[kind] ?? {}) as Record<string, Record<string, unknown>>;
    for (const type of new Set([...Object.keys(b), ...Object.keys(h)])) {
      for (const name of new Set([...Object.keys(b[type] ?? {}), ...Object.keys(h[type] ?? {})])) {
        if (withoutMetadata(b[type]?.[name]) !== withoutMetadata(h[type]?.[name]) || usesChangedVariable(h[type]?.[name])) seeds.add(`${kind === "data" ? "data." : ""}${type}.${name}`);
      }
    }
  }
  const affected = withDependents(referenceGraph(head), seeds);
  return [...affected].filter((a) => !a.startsWith("data.")).sort();
}

/** The schemas asked for in this process, by cache file and types: two states built at once ask Terraform once. */
const schemasAsked = new Map<string, Promise<ProviderSchemas>>();

/**
 * The AWS provider's resource schemas of `types` (at least), from `terraform providers schema
 * -json` in a workdir, which gives those of the workdir's types (scripts/offline-plan.ts); kept per
 * provider version in `cacheDir`, each ask's types added to what the file holds.
 */
export function providerSchemas(work: OfflineWorkdir, types: readonly string[], cacheDir?: string): Promise<ProviderSchemas> {
  const file = cacheDir ? path.join(cacheDir, `aws-${AWS_PROVIDER_VERSION}-resource-schemas.json`) : undefined;
  const kept = (): Record<string, ProviderSchemas[string]> => {
    try {
      return file ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    } catch {
      return {};
    }
  };
  const ask = async (): Promise<ProviderSchemas> => {
    const before = kept();
    if (types.every((t) => before[t])) return before;
    const schemas = (await work.schema()).provider_schemas?.["registry.terraform.io/hashicorp/aws"]?.resource_schemas as ProviderSchemas | undefined;
    const missing = types.filter((t) => !schemas?.[t]);
    if (!schemas || missing.length > 0) throw new Error(`terraform providers schema -json has no hashicorp/aws resource schema for ${missing.join(", ") || "any type"}`);
    // What another ask added meanwhile stays.
    const merged = { ...kept(), ...schemas };
    if (file) writeCacheFile(file, merged);
    return merged;
  };
  const key = `${file ?? ""}\0${[...types].sort().join(",")}`;
  let asked = schemasAsked.get(key);
  if (!asked) {
    asked = ask();
    schemasAsked.set(key, asked);
    // A failure is not kept: the next state asks again.
    asked.catch(() => schemasAsked.delete(key));
  }
  return asked;
}

/** How the prior state is built: the plans it took, and the state. */
export interface BuiltState {
  readonly state: TerraformState;
  /** The plans of the base against the state until it planned no changes (the last says so). */
  readonly rounds: readonly string[];
}

/** The builder's own code, in the cache key: a cached state of an older builder is never used. */
const BUILDER_VERSION = createHash("sha256")
  .update(fs.readFileSync(path.join(__dirname, "prior-state.ts")))
  .update(fs.readFileSync(path.join(__dirname, "offline-plan.ts")))
  .update(fs.readFileSync(__filename))
  .digest("hex");

/**
 * The state the stack in `work` (its base version) would have after apply: from its plan from an
 * empty state, then refined until it plans no changes against itself (at most `maxRounds` plans).
 * Cached in `cacheDir` by the stack's JSON, the provider version and the builder's version.
 */
export async function priorState(
  work: OfflineWorkdir,
  stackJson: Record<string, any>,
  schemas: ProviderSchemas,
  options: { cacheDir?: string; maxRounds?: number; from?: TerraformState; fromJson?: Record<string, any> } = {},
): Promise<BuiltState> {
  const key = createHash("sha256").update(`${BUILDER_VERSION}\n${AWS_PROVIDER_VERSION}\n${JSON.stringify(stackJson)}`).digest("hex").slice(0, 32);
  const file = options.cacheDir ? path.join(options.cacheDir, `state-${key}.json`) : undefined;
  if (file && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8"));
  let state: TerraformState;
  if (options.from) {
    // The state of a nearby version of the stack (the same resources, other values), `fromJson`:
    // the first round plans against it what differs between the two versions and what references
    // that (changedResources: the rest is the same configuration against its own fixpoint), or the
    // whole stack where that is not known, and takes what differs, as from a fresh state.
    state = { ...(JSON.parse(JSON.stringify(options.from)) as TerraformState), lineage: `upgrade-plan-${key}`, serial: 1 };
  } else {
    const { plan } = await work.plan();
    const account = ([] as { allowed_account_ids?: string[] }[]).concat(stackJson.provider?.aws ?? [])[0]?.allowed_account_ids?.[0];
    state = stateFromPlan(plan, schemas, `upgrade-plan-${key}`, account);
  }
  resolveReferences(state, stackJson);
  const rounds: string[] = [];
  const graph = referenceGraph(stackJson);
  const nearbyChanges = options.from && options.fromJson ? changedResources(options.fromJson, stackJson) : undefined;
  let targets: string[] | undefined = nearbyChanges?.length ? nearbyChanges : undefined;
  for (let i = 0; i < (options.maxRounds ?? 6); i++) {
    // After the first round, only what the last round refined and what references it can change.
    const round = await work.planChanges(state, { allowDestroy: true, targets });
    rounds.push(`${round.summary}${targets ? ` (${targets.length} resources)` : ""}`);
    // A plan with no change has nothing to refine (and its JSON is not read).
    const roundPlan = round.changed ? await round.json() : undefined;
    const next = roundPlan ? refineStep(state, roundPlan, schemas) : { state, changed: 0 };
    // Next: what this round refined, and what reads an attribute it changed (and, from there, anything that references that).
    const refined = roundPlan ? pendingChanges(roundPlan).map((rc) => rc.address as string) : [];
    const readers = attributeReaders(stackJson, changedAttributes(state, next.state, refined));
    targets = [...new Set([...refined, ...withDependents(graph, readers)])].filter((a) => !a.startsWith("data.")).sort();
    if (next.changed === 0) {
      const built = { state, rounds };
      if (file) writeCacheFile(file, built);
      return built;
    }
    state = next.state;
  }
  throw new Error(`the previous version does not plan clean against the state built from its own plan after ${rounds.length} rounds (${rounds.join("; ")}): a perpetual diff in the previous version, or a placeholder the provider rejects (scripts/prior-state.ts)`);
}

/** Options of {@link planUpgrade}. */
export interface PlanUpgradeOptions extends PlanOfflineOptions {
  /** Where built states and the provider schema are cached. */
  readonly cacheDir?: string;
  /** Also the human-readable plan of the new version (the review writes it for reviewers). */
  readonly text?: boolean;
}

/** States being built in this process, by base directory and content: two plans of one base build it once. */
const building = new Map<string, Promise<BuiltState>>();
/** States built in this process, by stack, with the resources they hold (a nearby version starts from one). */
const built = new Map<string, { resources: string; state: TerraformState; json: Record<string, any> }[]>();
/** The addresses of a stack's resources, as one string. */
const resourceAddresses = (json: Record<string, any>): string =>
  Object.entries((json.resource ?? {}) as Record<string, Record<string, unknown>>)
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort()
    .join("\n");

/** The state of the stack in `baseDir` after apply (built in a copy of it, or read from the cache). */
export function buildPriorState(baseDir: string, options: PlanUpgradeOptions): Promise<BuiltState> {
  const text = fs.readFileSync(path.join(baseDir, "cdk.tf.json"), "utf8");
  const key = createHash("sha256").update(text).digest("hex");
  if (!building.has(key)) {
    building.set(
      key,
      (async () => {
        const baseJson = JSON.parse(text);
        const stack = path.basename(baseDir);
        const resources = resourceAddresses(baseJson);
        // A state this process built for another version of the stack with the same resources (the
        // release before a version bump): the fixpoint starts from it, and its first plan covers only what differs.
        const nearby = built.get(stack)?.find((b) => b.resources === resources);
        const base = await openOfflineWorkdir(baseDir, { ...options, stackJson: baseJson });
        try {
          const schemas = await providerSchemas(base, Object.keys(baseJson.resource ?? {}), options.cacheDir);
          let result: BuiltState | undefined;
          if (nearby) {
            try {
              result = await priorState(base, baseJson, schemas, { cacheDir: options.cacheDir, from: nearby.state, fromJson: nearby.json });
            } catch {
              // It did not converge from there: build it from its own plan.
            }
          }
          result ??= await priorState(base, baseJson, schemas, { cacheDir: options.cacheDir });
          built.set(stack, [...(built.get(stack) ?? []), { resources, state: result.state, json: baseJson }]);
          return result;
        } finally {
          base.close();
        }
      })(),
    );
  }
  return building.get(key)!;
}

/**
 * Plans `headDir` (the new version of a stack) against the state of `baseDir` (its previous
 * version) after apply; destroy protection is lifted in the copy so that the plan lists every
 * replacement and destruction rather than stopping at the first protected one. Only what changed,
 * and what references it, is planned (`-target`, {@link changedResources}); where the two versions
 * are the same configuration, nothing is.
 */
export async function planUpgrade(stack: string, baseDir: string, headDir: string, options: PlanUpgradeOptions): Promise<UpgradePlan> {
  const baseJson = JSON.parse(fs.readFileSync(path.join(baseDir, "cdk.tf.json"), "utf8"));
  const headJson = JSON.parse(fs.readFileSync(path.join(headDir, "cdk.tf.json"), "utf8"));
  if (sameConfiguration(baseJson, headJson)) return { stack, summary: "Unchanged: the same configuration.", planText: "", findings: [], rounds: [] };
  const relocated = relocationFindings(stack, baseJson, headJson);
  const built = await buildPriorState(baseDir, options);
  const head = await openOfflineWorkdir(headDir, { ...options, stackJson: headJson });
  try {
    const targets = changedResources(baseJson, headJson);
    const { plan, planText, summary } = await head.plan(built.state, { allowDestroy: true, targets: targets?.length ? targets : undefined, text: options.text });
    const findings = sortFindings([...relocated, ...upgradeFindings(stack, plan, baseJson, headJson).filter((f) => !relocated.some((r) => r.address === f.address))]);
    return { stack, summary, planText, plan, findings, rounds: built.rounds, targets };
  } finally {
    head.close();
  }
}
