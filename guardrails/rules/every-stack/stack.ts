import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, StackView, stackRules } from "../../rule";
import { layerStateKey } from "../../../core/blueprint-stack";
import { TfJson, asList, addressOf, walkStrings } from "../../../tfjson/terraform";

/**
 * The expressions of a Terraform template string: the insides of `${...}` and `%{...}`, braces
 * balanced and quoted strings skipped; `$${` and `%%{` are escaped literals.
 */
export function templateExpressions(s: string): string[] {
  const out: string[] = [];
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: equivalent (the last character cannot open an expression: s[i + 1] is then undefined)
  for (let i = 0; i < s.length - 1; i++) {
    const opens = s[i] === "$" || s[i] === "%";
    if (opens && s[i + 1] === s[i] && s[i + 2] === "{") {
      i += 2;
      continue;
    }
    if (!opens || s[i + 1] !== "{") continue;
    let depth = 0;
    let inString = false;
    let j = i + 1;
    // Stryker disable next-line EqualityOperator: equivalent (one step past the end reads undefined, and slice stops at the end)
    for (; j < s.length; j++) {
      const c = s[j];
      if (inString) {
        if (c === "\\") j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) break;
    }
    out.push(s.slice(i + 2, j));
    i = j;
  }
  return out;
}

const REQUIRED_TAGS = ["Region", "Jurisdiction", "DataClassification", "PciScope", "Owner"] as const;

/** The values the required tags must have in a region. */
function expectedTags(region: StackView["region"]): Record<(typeof REQUIRED_TAGS)[number], string> {
  return { Region: region.name, Jurisdiction: region.jurisdiction, DataClassification: region.tags.dataClassification, PciScope: region.tags.pciScope, Owner: region.tags.owner };
}

/** Stack-level invariants of every AWS region stack. */
export const STACK_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws", "dr"] }, [
  {
    id: "stack.backend-encrypted-locked",
    requirement: "3.5, 10.3",
    fix: "Keep the stack on RegionStack.useRegionStateBackend (the region file's stateBackend bucket, encrypt with its kmsKeyArn, use_lockfile, Terraform >= 1.10).",
    description: "state lives in the configured S3 bucket (the DR stack's beside the region's), encrypted with the configured KMS key, with S3 locking",
    check: ({ json, region, layer }) => {
      const s3 = json.terraform?.backend?.s3;
      if (!s3) return ["terraform.backend: no s3 backend"];
      const v: string[] = [];
      if (s3.encrypt !== true) v.push("terraform.backend.s3: encrypt is not true");
      if (s3.kms_key_id !== region.stateBackend.kmsKeyArn) v.push("terraform.backend.s3: kms_key_id is not the configured state key");
      if (s3.use_lockfile !== true) v.push("terraform.backend.s3: use_lockfile is not true");
      // Stryker disable next-line OptionalChaining: equivalent (an s3 backend was found, so the terraform block exists)
      if (json.terraform?.required_version !== ">= 1.10") v.push("terraform.required_version: must be \">= 1.10\" (S3 locking needs it)");
      // region-<name>-dr keeps its state beside the region's (`<key>-dr.tfstate`).
      const key = layerStateKey(region, layer);
      if (s3.bucket !== region.stateBackend.bucket || s3.key !== key || s3.region !== region.stateBackend.region) {
        v.push("terraform.backend.s3: bucket/key/region differ from the region config");
      }
      return v;
    },
  },
  {
    id: "stack.provider-pinned-to-account",
    requirement: "12.5",
    fix: "Configure one AwsProvider with region = cloudRegion (and, with drPartnerRegion, one aliased dr in that region) and allowedAccountIds = [accountId] from the region file; keep credentials and skip flags out of the stack (environment, or the plan harness's override).",
    description: "one AWS provider in the region's cloud region (and one aliased dr in the DR partner region, when the region names one; the DR stack's one provider in the partner region), each allowed only in the region's account, with the default tags",
    check: ({ json, region, layer }) => {
      const providers = (json.provider?.aws ?? []) as TfJson[];
      const rootRegion = region.mesh.rootCaArn?.split(":")[3];
      const expected =
        // region-<name>-dr: one provider, in the partner region.
        layer === "dr"
          ? [{ alias: undefined, region: region.drPartnerRegion }]
          : [
              { alias: undefined, region: region.cloudRegion },
              ...(region.drPartnerRegion ? [{ alias: "dr", region: region.drPartnerRegion }] : []),
              // The root CA signs through its own region (ACM PCA is regional).
              ...(rootRegion && rootRegion !== region.cloudRegion ? [{ alias: "pca_root", region: rootRegion }] : []),
            ];
      if (providers.length !== expected.length) return [`provider.aws: ${providers.length} provider blocks, expected ${expected.length}`];
      const v: string[] = [];
      const tags = expectedTags(region);
      for (const e of expected) {
        const p = providers.find((x) => x.alias === e.alias);
        const at = e.alias ? `provider.aws.${e.alias}` : "provider.aws";
        if (!p) {
          v.push(`${at}: missing`);
          continue;
        }
        if (p.region !== e.region) v.push(`${at}: region ${p.region}, expected ${e.region}`);
        if (JSON.stringify(p.allowed_account_ids) !== JSON.stringify([region.accountId])) {
          v.push(`${at}: allowed_account_ids ${JSON.stringify(p.allowed_account_ids)}, expected ["${region.accountId}"]`);
        }
        if (p.access_key || p.secret_key || p.skip_credentials_validation || p.skip_requesting_account_id) {
          v.push(`${at}: credentials or skip flags in the production provider config`);
        }
        if (e.alias) for (const k of REQUIRED_TAGS) if (p.default_tags?.[0]?.tags?.[k] !== tags[k]) v.push(`${at}.default_tags: ${k} is not "${tags[k]}"`);
      }
      return v;
    },
  },
  {
    id: "stack.default-tags",
    requirement: "12.5",
    fix: "Set the provider's defaultTags from the region file's tags (Region, Jurisdiction, DataClassification, PciScope, Owner); correct the region file if a value is wrong.",
    description: "default tags name region, jurisdiction, data classification, PCI scope and owner",
    check: ({ json, region }) => {
      const home = ((json.provider?.aws ?? []) as TfJson[]).find((p) => p.alias === undefined);
      const tags = home?.default_tags?.[0]?.tags ?? {};
      const expected = expectedTags(region);
      return REQUIRED_TAGS.filter((k) => tags[k] !== expected[k]).map((k) => `provider.aws.default_tags: ${k} is ${JSON.stringify(tags[k])}, expected "${expected[k]}"`);
    },
  },
  {
    id: "stack.tags-not-overridden",
    requirement: "12.5.1",
    fix: "Leave the required tags (Region, Jurisdiction, DataClassification, PciScope, Owner) to the provider's default tags; a resource may add tags but not change these, and the provider may not ignore them.",
    description: "no resource (or launch template's tag specification) overrides a required tag with another value, and the provider ignores no tags",
    check: ({ json, region }) => {
      const v: string[] = [];
      const expected = expectedTags(region);
      // Stryker disable next-line OptionalChaining: equivalent (every stack has a provider block: the pack runs on RegionStacks)
      for (const p of asList<TfJson>(json.provider?.aws)) if (p.ignore_tags !== undefined) v.push("provider.aws: ignore_tags hides tags from Terraform");
      for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, TfJson>>)) {
        for (const [name, body] of Object.entries(byName)) {
          const tagSets = [body.tags, body.tags_all, ...asList<TfJson>(body.tag_specifications).map((t) => t.tags)].filter((t): t is TfJson => !!t && typeof t === "object");
          for (const tags of tagSets) {
            for (const k of REQUIRED_TAGS) if (k in tags && tags[k] !== expected[k]) v.push(`${type}.${name}: tag ${k} is ${JSON.stringify(tags[k])}, expected "${expected[k]}"`);
          }
        }
      }
      return v;
    },
  },
  {
    id: "stack.references-resolve",
    layers: ["aws", "gcp", "pki", "istio", "mesh", "dr"],
    requirement: "6.5.1, 12.5",
    fix: "Reference only resources and data sources of the same stack. Read what another stack provides through its outputs and a terraform_remote_state of your own (as the in-cluster stacks read region-<name>'s), or pass the value from the region file.",
    description: "every reference (in expressions and depends_on) names a resource or data source of the stack itself: none dangles, none reaches into another stack (cdktf's implicit cross-stack references)",
    check: ({ json, text }) => {
      const v = new Set<string>();
      const declared = (type: string, name: string, data: boolean) => Boolean((data ? json.data : json.resource)?.[type]?.[name]);
      walkStrings(json, [], (path, value) => {
        // A shortcut only (a policy document is JSON: braces, mostly no template).
        // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: equivalent (a template starts with ${ or %{)
        if (!value.includes("${") && !value.includes("%{")) return;
        for (const expr of templateExpressions(value)) {
          // Identifiers bound by a for expression are not resources; string literals hold none.
          const bound = new Set([...expr.matchAll(/\bfor\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\b/g)].flatMap((m) => [m[1], m[2]]));
          // Stryker disable next-line StringLiteral: equivalent (what replaces a string literal only has to hold no reference)
          const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
          for (const [, data, type, name] of code.matchAll(/(?<![\w.])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/g)) {
            if (!data && bound.has(type)) continue;
            if (!declared(type, name, Boolean(data))) v.add(`${addressOf(path)}: ${data ?? ""}${type}.${name} is referenced but not declared in this stack`);
          }
        }
      });
      // Stryker disable next-line OptionalChaining,ArrayDeclaration: equivalent (every block is an object; a stray entry matches no address)
      const dependsOn = (body: TfJson) => (Array.isArray(body?.depends_on) ? (body.depends_on as string[]) : []);
      for (const block of ["resource", "data"] as const) {
        for (const [type, byName] of Object.entries((json[block] ?? {}) as Record<string, Record<string, TfJson>>)) {
          for (const [name, body] of Object.entries(byName)) {
            for (const dep of dependsOn(body)) {
              if (dep.startsWith("module.")) continue;
              // Whole objects only: Terraform refuses an attribute (or anything else) in depends_on.
              const m = /^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)$/.exec(dep);
              const at = `${block === "data" ? "data." : ""}${type}.${name}`;
              if (!m) v.add(`${at}: depends on ${dep}, which is not a resource, data source or module address`);
              else if (!declared(m[2], m[3], Boolean(m[1]))) v.add(`${at}: depends on ${dep}, not declared in this stack`);
            }
          }
        }
      }
      // Stryker disable next-line LogicalOperator: equivalent (no match: an empty set either way)
      for (const ref of new Set(text.match(/cross-stack-(reference-input|output)-[A-Za-z0-9_.-]+/g) ?? [])) v.add(`(stack): references another stack's resource (${ref})`);
      return [...v];
    },
  },
  {
    id: "stack.no-data-sources",
    layers: ["aws", "gcp"],
    requirement: "12.5",
    fix: "Replace the data source with a value from the region file (account id, AZ names, ARNs) so that the stack plans with no credentials.",
    description: "no data source, so a plan needs no credentials and reads nothing from the cloud",
    check: ({ json }) => Object.entries(json.data ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `data.${type}.${n}: data sources need credentials at plan time`)),
  },
  {
    id: "stack.aws-provider-only",
    requirement: "12.5",
    fix: "Move resources of other providers into the region's -istio or -mesh stack (or a new stack of their own) so that region-<name> stays plannable offline.",
    description: "the region stack uses the AWS provider only, so it can be planned offline",
    check: ({ json }) =>
      // Stryker disable next-line OptionalChaining: equivalent (cdktf always writes a terraform block)
      Object.keys(json.terraform?.required_providers ?? {})
        .filter((p) => p !== "aws")
        .map((p) => `terraform.required_providers.${p}: only aws is allowed in a region stack`),
  },
]);
