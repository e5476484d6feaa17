/**
 * The state a stack would have once its plan is applied, built offline: every resource the plan
 * creates, with the values the plan knows and, where only the apply would know (ids, ARNs,
 * addresses), a stable placeholder of the attribute's type and, for the ids the provider parses,
 * of the provider's format. A plan of the next version against this state shows update, replace
 * and destroy exactly as Terraform would against the real one, except where a placeholder stands
 * for a value the cloud would choose (docs/upgrades.md).
 *
 * A state built from one plan is not yet self-consistent: where the plan could not know an
 * argument (a policy that embeds a key's ARN), the placeholder differs from what the reference
 * resolves to once the referenced resource has its placeholder. {@link refineState} plans the
 * same configuration against the state and takes the values that plan knows, until that plan has
 * no changes: then the state is what the base would have after apply.
 */
import { createHash } from "crypto";

/* eslint-disable @typescript-eslint/no-explicit-any */

/** A cty type as `terraform providers schema -json` writes it. */
export type CtyType = string | [string, any];

/** A block of the provider schema. */
export interface SchemaBlock {
  readonly attributes?: Record<string, { readonly type?: CtyType; readonly computed?: boolean; readonly optional?: boolean; readonly required?: boolean }>;
  readonly block_types?: Record<string, { readonly nesting_mode: "single" | "group" | "list" | "set" | "map"; readonly block: SchemaBlock }>;
}

/** A resource type's schema. */
export interface ResourceSchema {
  readonly version: number;
  readonly block: SchemaBlock;
}

/** The resource schemas of one provider, by type. */
export type ProviderSchemas = Readonly<Record<string, ResourceSchema>>;

/** A Terraform state, format version 4. */
export interface TerraformState {
  readonly version: 4;
  readonly terraform_version: string;
  serial: number;
  readonly lineage: string;
  readonly outputs: Record<string, unknown>;
  readonly resources: StateResource[];
}

/** One resource of a state (a single instance: the stacks use neither count nor for_each). */
export interface StateResource {
  readonly mode: "managed";
  readonly type: string;
  readonly name: string;
  readonly provider: string;
  readonly instances: { schema_version: number; attributes: Record<string, unknown>; sensitive_attributes: unknown[] }[];
}

/** The account the placeholders' ARNs name where the stack names none (`allowed_account_ids`). */
export const PLACEHOLDER_ACCOUNT = "000000000000";

/** The cty object type of a schema block (nested blocks as lists, sets, maps or objects of theirs). */
export function blockType(block: SchemaBlock): CtyType {
  const attrs: Record<string, CtyType> = {};
  for (const [name, a] of Object.entries(block.attributes ?? {})) attrs[name] = a.type ?? "dynamic";
  for (const [name, b] of Object.entries(block.block_types ?? {})) {
    const inner = blockType(b.block);
    attrs[name] = b.nesting_mode === "list" ? ["list", inner] : b.nesting_mode === "set" ? ["set", inner] : b.nesting_mode === "map" ? ["map", inner] : inner;
  }
  return ["object", attrs];
}

function token(seed: string): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, 17);
}

function uuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A resource's own ARN in its service's format, where a reviewer reads it in a plan (the rest: a generic one). */
const OWN_ARNS: Readonly<Record<string, (k: Readonly<Record<string, unknown>>, region: string, seed: string, account: string) => string>> = {
  aws_s3_bucket: (k) => `arn:aws:s3:::${k.bucket}`,
  aws_iam_role: (k, _r, _s, a) => `arn:aws:iam::${a}:role${k.path ?? "/"}${k.name}`,
  aws_cloudwatch_log_group: (k, r, _s, a) => `arn:aws:logs:${r}:${a}:log-group:${k.name}`,
  aws_kms_key: (_k, r, s, a) => `arn:aws:kms:${r}:${a}:key/${uuid(s)}`,
  aws_msk_cluster: (k, r, s, a) => `arn:aws:kafka:${r}:${a}:cluster/${k.cluster_name}/${uuid(s)}-1`,
  aws_sns_topic: (k, r, _s, a) => `arn:aws:sns:${r}:${a}:${k.name}`,
  aws_rds_cluster: (k, r, _s, a) => `arn:aws:rds:${r}:${a}:cluster:${k.cluster_identifier}`,
  aws_eks_cluster: (k, r, _s, a) => `arn:aws:eks:${r}:${a}:cluster/${k.name}`,
  aws_acmpca_certificate_authority: (_k, r, s, a) => `arn:aws:acm-pca:${r}:${a}:certificate-authority/${uuid(s)}`,
  aws_secretsmanager_secret: (k, r, _s, a) => `arn:aws:secretsmanager:${r}:${a}:secret:${k.name}-offlin`,
};

/** What an ARN of a resource type looks like: service and resource kind. */
function arnOf(type: string, region: string, seed: string, account: string): string {
  const [, service = "placeholder", ...rest] = type.split("_");
  return `arn:aws:${service}:${region}:${account}:${rest.join("-") || "resource"}/offline-${token(seed)}`;
}

/** Where the placeholder goes: the resource, its region, and the path of the attribute. */
export interface PlaceholderContext {
  readonly address: string;
  readonly type: string;
  readonly region: string;
  /** The resource's known values, for ids composed of them. */
  readonly known: Readonly<Record<string, unknown>>;
  /**
   * The account the stack is for (its provider's `allowed_account_ids`): an ARN the previous version
   * wrote literally and the new one by reference then agrees. Default {@link PLACEHOLDER_ACCOUNT}.
   */
  readonly account?: string;
}

/** EC2's id prefixes, which the provider checks (`lt-...`): by resource type, for the resource's id. */
const EC2_ID_PREFIX: Readonly<Record<string, string>> = {
  aws_vpc: "vpc",
  aws_subnet: "subnet",
  aws_security_group: "sg",
  aws_default_security_group: "sg",
  aws_launch_template: "lt",
  aws_route_table: "rtb",
  aws_default_route_table: "rtb",
  aws_network_acl: "acl",
  aws_default_network_acl: "acl",
  aws_vpc_endpoint: "vpce",
  aws_vpc_endpoint_service: "vpce-svc",
  aws_flow_log: "fl",
  aws_vpc_security_group_ingress_rule: "sgr",
  aws_vpc_security_group_egress_rule: "sgr",
  aws_route_table_association: "rtbassoc",
  aws_internet_gateway: "igw",
  aws_nat_gateway: "nat",
  aws_eip: "eipalloc",
  aws_network_interface: "eni",
  aws_vpc_block_public_access_exclusion: "vpcbpa-exclude",
};

/** EC2's id prefixes by the name of an attribute that holds another resource's id. */
const EC2_ATTRIBUTE_PREFIX: readonly [RegExp, string][] = [
  [/(^|_)security_group_id$/, "sg"],
  [/(^|_)route_table_id$/, "rtb"],
  [/(^|_)network_acl_id$/, "acl"],
  [/(^|_)vpc_id$/, "vpc"],
  [/(^|_)subnet_id$/, "subnet"],
  [/(^|_)launch_template_id$/, "lt"],
  [/(^|_)network_interface_id$/, "eni"],
  [/(^|_)vpc_endpoint_id$/, "vpce"],
];

/**
 * What the service returns for an attribute the plan cannot know, where a generic placeholder
 * would fail the provider's own checks (`<type>.<attribute path>`).
 */
const APPLIED_VALUES: Readonly<Record<string, (ctx: PlaceholderContext) => unknown>> = {
  // SNS returns no FIFO throughput scope for a standard topic; the provider refuses one otherwise.
  "aws_sns_topic.fifo_throughput_scope": ({ known }) => (known.fifo_topic ? "Topic" : ""),
  // A node group created without a version ran its cluster's version of that day; the cluster may
  // have been upgraded since without it (the nodes do not follow), so no later version is assumed.
  "aws_eks_node_group.version": () => "(the version it was created with)",
};

/** A placeholder of type `type` for the attribute at `path` (attribute names; indices as numbers). */
export function placeholder(type: CtyType, path: readonly (string | number)[], ctx: PlaceholderContext): unknown {
  const seed = `${ctx.address}:${path.join(".")}`;
  const applied = APPLIED_VALUES[`${ctx.type}.${path.filter((p) => typeof p === "string").join(".")}`]?.(ctx);
  if (applied !== undefined) return applied;
  const name = [...path].reverse().find((p): p is string => typeof p === "string") ?? "";
  if (type === "string") {
    if (path.length === 1 && name === "id" && EC2_ID_PREFIX[ctx.type]) return `${EC2_ID_PREFIX[ctx.type]}-${token(seed)}`;
    const prefix = EC2_ATTRIBUTE_PREFIX.find(([re]) => re.test(name));
    if (prefix) return `${prefix[1]}-${token(seed)}`;
    const own = path.length === 1 && name === "arn" ? OWN_ARNS[ctx.type] : undefined;
    // Only where the names it is built of are known (a name the plan could not know keeps a generic ARN).
    const account = ctx.account ?? PLACEHOLDER_ACCOUNT;
    if (own && !own(ctx.known, ctx.region, seed, account).includes("undefined")) return own(ctx.known, ctx.region, seed, account);
    if (name === "arn" || name.endsWith("_arn")) return arnOf(ctx.type, ctx.region, seed, account);
    return `offline-${token(seed)}`;
  }
  if (type === "number") return 1;
  if (type === "bool") return false;
  if (type === "dynamic") return `offline-${token(seed)}`;
  const [kind, inner] = type;
  // A list the apply fills is read by index (`dns_entry[0]`): one element. A set cannot be, and the
  // computed sets (a security group's inline rules) are empty unless configured.
  if (kind === "list") return [placeholder(inner as CtyType, [...path, 0], ctx)];
  if (kind === "set") return [];
  if (kind === "map") return {};
  if (kind === "object") return Object.fromEntries(Object.entries(inner as Record<string, CtyType>).map(([k, t]) => [k, placeholder(t, [...path, k], ctx)]));
  if (kind === "tuple") return (inner as CtyType[]).map((t, i) => placeholder(t, [...path, i], ctx));
  throw new Error(`${ctx.address}: no placeholder for the type ${JSON.stringify(type)} at ${path.join(".")}`);
}

/**
 * A planned value with its unknown parts (the plan's `after_unknown`: `true` where the whole value
 * is unknown) replaced by placeholders, or by `prior` where the state already has a value there.
 */
export function fillUnknown(value: unknown, unknown: unknown, type: CtyType, path: readonly (string | number)[], ctx: PlaceholderContext, prior?: unknown): unknown {
  if (unknown === true) return prior !== undefined && prior !== null ? prior : placeholder(type, path, ctx);
  // The plan leaves an unknown value out of `after` (its `after_unknown` says `true`).
  if (value === undefined && unknown && typeof unknown === "object") value = Array.isArray(unknown) ? [] : {};
  if (!unknown || typeof unknown !== "object" || value === null || typeof value !== "object" || typeof type === "string") return value;
  const [kind, inner] = type;
  const u = unknown as Record<string, unknown>;
  if (Array.isArray(value)) {
    const elementType = (i: number): CtyType => (kind === "tuple" ? (inner as CtyType[])[i] : (inner as CtyType));
    const p = Array.isArray(prior) ? prior : [];
    return value.map((v, i) => fillUnknown(v, u[i], elementType(i), [...path, i], ctx, kind === "set" ? undefined : p[i]));
  }
  const p = prior && typeof prior === "object" && !Array.isArray(prior) ? (prior as Record<string, unknown>) : {};
  const v = value as Record<string, unknown>;
  return Object.fromEntries(
    [...new Set([...Object.keys(v), ...Object.keys(u)])].map((k) => {
      const t = kind === "object" ? (inner as Record<string, CtyType>)[k] : (inner as CtyType);
      return [k, t === undefined ? v[k] : fillUnknown(v[k], u[k], t, [...path, k], ctx, p[k])];
    }),
  );
}

/** The paths a plan's `after_sensitive` marks, as a state's `sensitive_attributes` (a change of marks alone is a change). */
export function sensitivePaths(sensitive: unknown, path: readonly (string | number)[] = []): unknown[] {
  if (sensitive === true) return [path.map((p) => (typeof p === "number" ? { type: "index", value: { value: p, type: "number" } } : { type: "get_attr", value: p }))];
  if (!sensitive || typeof sensitive !== "object") return [];
  return Object.entries(sensitive as Record<string, unknown>).flatMap(([k, v]) => sensitivePaths(v, [...path, Array.isArray(sensitive) ? Number(k) : k]));
}

/** The state's provider address of a resource, by the configuration's provider key (`aws`, `aws.dr`). */
function providerAddress(plan: Record<string, any>, address: string): string {
  const config = ((plan.configuration?.root_module?.resources ?? []) as { address: string; provider_config_key?: string }[]).find((r) => r.address === address);
  const [name, alias] = (config?.provider_config_key ?? "aws").split(".");
  const source = plan.configuration?.provider_config?.[config?.provider_config_key ?? "aws"]?.full_name ?? `registry.terraform.io/hashicorp/${name}`;
  return `provider["${source}"]${alias ? `.${alias}` : ""}`;
}

/** The region a resource's provider is configured for (for its ARNs' placeholders). */
function regionOf(plan: Record<string, any>, address: string): string {
  const config = ((plan.configuration?.root_module?.resources ?? []) as { address: string; provider_config_key?: string }[]).find((r) => r.address === address);
  return plan.configuration?.provider_config?.[config?.provider_config_key ?? "aws"]?.expressions?.region?.constant_value ?? "us-east-1";
}

/**
 * The state a plan from an empty state leaves once applied: every managed resource it creates,
 * unknown values as placeholders (`schemas`: the provider's resource schemas, by type).
 */
export function stateFromPlan(plan: Record<string, any>, schemas: ProviderSchemas, lineage: string, account?: string): TerraformState {
  const resources: StateResource[] = [];
  for (const rc of (plan.resource_changes ?? []) as any[]) {
    if (rc.mode !== "managed" || !(rc.change?.actions ?? []).includes("create")) continue;
    if (rc.module_address) throw new Error(`${rc.address}: resources in modules are not supported`);
    if (rc.index !== undefined) throw new Error(`${rc.address}: count and for_each instances are not supported by the offline state builder yet (scripts/prior-state.ts keys resources by type and name); the blueprint's constructs write one resource per logical id`);
    const schema = schemas[rc.type];
    if (!schema) throw new Error(`${rc.address}: the provider schema has no resource type ${rc.type}`);
    const ctx: PlaceholderContext = { address: rc.address, type: rc.type, region: regionOf(plan, rc.address), known: rc.change.after ?? {}, account };
    const attributes = fillUnknown(rc.change.after ?? {}, rc.change.after_unknown ?? {}, blockType(schema.block), [], ctx) as Record<string, unknown>;
    resources.push({
      mode: "managed",
      type: rc.type,
      name: rc.name,
      provider: providerAddress(plan, rc.address),
      instances: [{ schema_version: schema.version, attributes, sensitive_attributes: sensitivePaths(rc.change.after_sensitive) }],
    });
  }
  return { version: 4, terraform_version: "1.11.0", serial: 1, lineage, outputs: knownOutputs(plan), resources };
}

/** The outputs a plan knows, as a state holds them (an output the state lacks is a change). */
export function knownOutputs(plan: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, o] of Object.entries((plan.planned_values?.outputs ?? {}) as Record<string, { value?: unknown; type?: unknown; sensitive?: boolean }>)) {
    if (plan.output_changes?.[name]?.after_unknown === true || o.value === undefined) continue;
    out[name] = { value: o.value, type: o.type, ...(o.sensitive ? { sensitive: true } : {}) };
  }
  return out;
}

/** A plan's changes other than no-op and reads, by address. */
export function pendingChanges(plan: Record<string, any>): any[] {
  return ((plan.resource_changes ?? []) as any[]).filter((rc) => rc.mode === "managed" && !(rc.change.actions.length === 1 && rc.change.actions[0] === "no-op"));
}

/**
 * The state with every value the plan (of the same configuration, against this state) knows: one
 * step of the fixpoint. Returns the new state and how many resources changed.
 */
export function refineStep(state: TerraformState, plan: Record<string, any>, schemas: ProviderSchemas): { state: TerraformState; changed: number } {
  const byAddress = new Map(state.resources.map((r) => [`${r.type}.${r.name}`, r]));
  let changed = 0;
  const resources = state.resources.map((r) => ({ ...r, instances: r.instances.map((i) => ({ ...i })) }));
  const next = new Map(resources.map((r) => [`${r.type}.${r.name}`, r]));
  for (const rc of pendingChanges(plan)) {
    const prior = byAddress.get(rc.address);
    if (!prior || rc.change.actions.includes("delete") && !rc.change.actions.includes("create")) throw new Error(`${rc.address}: the plan of the same configuration ${rc.change.actions.join("/")}s it; the state does not match the plan it was built from`);
    const ctx: PlaceholderContext = { address: rc.address, type: rc.type, region: regionOf(plan, rc.address), known: rc.change.after ?? {} };
    const attributes = fillUnknown(rc.change.after ?? {}, rc.change.after_unknown ?? {}, blockType(schemas[rc.type].block), [], ctx, prior.instances[0].attributes) as Record<string, unknown>;
    next.get(rc.address)!.instances[0].attributes = attributes;
    next.get(rc.address)!.instances[0].sensitive_attributes = sensitivePaths(rc.change.after_sensitive);
    changed++;
  }
  const outputs = { ...state.outputs, ...knownOutputs(plan) };
  changed += Object.keys(outputs).filter((k) => JSON.stringify(outputs[k]) !== JSON.stringify(state.outputs[k])).length;
  return { state: { ...state, serial: state.serial + 1, outputs, resources }, changed };
}

const WHOLE_REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)((?:\[\d+\]|\.[a-z0-9_]+)*)\}$/;

/** The value at a path of attribute names and indices, or undefined where the path leaves the value. */
export function valueAt(value: unknown, steps: readonly (string | number)[]): unknown {
  let v = value;
  for (const s of steps) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

/** The value at a reference's path (`.x`, `[0]`) in a resource's attributes, or undefined. */
function at(value: unknown, steps: string): unknown {
  return valueAt(value, [...steps.matchAll(/\[(\d+)\]|\.([a-z0-9_]+)/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[2])));
}

/**
 * Gives every argument that is a whole reference to another resource's attribute
 * (`"${aws_kms_key.logs.arn}"`, also as a list element) the referenced resource's value in the
 * state, so that the first plan against the state sees most references already consistent (a
 * placeholder the plan could not know would otherwise differ from the referenced one). Repeats
 * until nothing changes, for references to references.
 */
export function resolveReferences(state: TerraformState, stackJson: Record<string, any>): void {
  const byAddress = new Map(state.resources.map((r) => [`${r.type}.${r.name}`, r.instances[0].attributes]));
  const resolve = (config: unknown, value: unknown): { value: unknown; changed: boolean } => {
    if (typeof config === "string") {
      const m = WHOLE_REFERENCE.exec(config);
      // Only managed resources are in the state: `var.x`, `local.y` and `data.t.n` find nothing.
      const target = m ? byAddress.get(`${m[1]}.${m[2]}`) : undefined;
      const resolved = target ? at(target[m![3]], m![4]) : undefined;
      if (resolved === undefined || resolved === null || JSON.stringify(resolved) === JSON.stringify(value)) return { value, changed: false };
      return { value: resolved, changed: true };
    }
    if (Array.isArray(config) && Array.isArray(value) && config.length === value.length) {
      const out = config.map((c, i) => resolve(c, value[i]));
      return { value: out.map((o) => o.value), changed: out.some((o) => o.changed) };
    }
    if (config && typeof config === "object" && value && typeof value === "object" && !Array.isArray(value)) {
      let changed = false;
      const v = { ...(value as Record<string, unknown>) };
      for (const [k, c] of Object.entries(config as Record<string, unknown>)) {
        if (!(k in v)) continue;
        // A block given as one object is a list of one in the state.
        const inner = !Array.isArray(c) && c && typeof c === "object" && Array.isArray(v[k]) && (v[k] as unknown[]).length === 1 ? [c] : c;
        const r = resolve(inner, v[k]);
        if (r.changed) {
          v[k] = r.value;
          changed = true;
        }
      }
      return { value: v, changed };
    }
    return { value, changed: false };
  };
  for (let round = 0; round < 10; round++) {
    let changed = false;
    for (const r of state.resources) {
      const config = stackJson.resource?.[r.type]?.[r.name];
      if (!config) continue;
      const out = resolve(config, r.instances[0].attributes);
      if (out.changed) {
        r.instances[0].attributes = out.value as Record<string, unknown>;
        byAddress.set(`${r.type}.${r.name}`, r.instances[0].attributes);
        changed = true;
      }
    }
    if (!changed) return;
  }
}
