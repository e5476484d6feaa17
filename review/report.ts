/**
 * The reviewer's report of one synthesized stack (Markdown): what it creates by capability, which
 * key protects which data store and who may use the key, what is reachable from where, what the
 * guardrails found, and a diagram. Rendered from the synthesized JSON, the region config and the
 * guardrail result only, so it says what the stack will do, not what the TypeScript meant.
 */
import { casCsrCommand, casSigningCommand } from "../model/gcp/pki";
import { type CrossRegionLink, EAST_WEST_GATEWAY, EAST_WEST_OUTPUT_IDS, crossRegionView, eastWestSni, remoteHost } from "../model/mesh/cross-region";
import { JURISDICTIONS } from "../config/catalog";
import { parseCertificate } from "../config/pem";
import type { StackLayer } from "../core/blueprint-stack";
import type { GuardrailResult } from "../guardrails/pack";
import type { StackView } from "../guardrails/rule";
import { TfJson, allResources, capabilityOf } from "../tfjson/terraform";
import { awsReport } from "./aws";
import { gcpReport } from "./gcp";
import { inClusterReport } from "./in-cluster";
import { drReport, mirrorLine } from "./dr";
import type { LayerReport } from "./layer-report";
import { table } from "./markdown";

/** The module that reports each layer's own part (diagram, sections, capability names), fed the stack once. */
const LAYER_REPORTS: Readonly<Record<StackLayer, (view: StackView) => LayerReport>> = {
  aws: awsReport,
  gcp: gcpReport,
  pki: inClusterReport,
  istio: inClusterReport,
  mesh: inClusterReport,
  dr: drReport,
};

/** PCI DSS requirement numbers in their order (3.5.1 before 3.10): `localeCompare(b, "en", { numeric: true })`, made once rather than per comparison. */
const REQUIREMENT_ORDER = new Intl.Collator("en", { numeric: true });

function guardrailSection(result: GuardrailResult): string {
  const byRule = new Map<string, { failed: number; suppressed: number }>();
  for (const f of result.findings) {
    const e = byRule.get(f.rule.id) ?? { failed: 0, suppressed: 0 };
    if (f.suppressedBy) e.suppressed++;
    else e.failed++;
    byRule.set(f.rule.id, e);
  }
  const status = (id: string, level: string) => {
    const e = byRule.get(id);
    if (!e) return "pass";
    return [e.failed ? `**${e.failed} ${level === "error" ? "failed" : "warning(s)"}**` : "", e.suppressed ? `${e.suppressed} suppressed` : ""].filter(Boolean).join(", ");
  };
  const rules = [...result.rules].sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => [r.id, r.requirement, r.level, status(r.id, r.level), r.description]);
  const suppressed = result.findings.filter((f) => f.suppressedBy).map((f) => [f.rule.id, f.address, f.message, f.suppressedBy!.path, f.suppressedBy!.reason]);
  const open = result.findings.filter((f) => !f.suppressedBy).map((f) => [f.rule.id, f.rule.level, f.address, f.message, f.rule.fix]);
  const requirements = new Map<string, string[]>();
  for (const r of result.rules) for (const req of r.requirement.split(", ")) requirements.set(req, [...(requirements.get(req) ?? []), r.id]);
  const reqRows = [...requirements]
    .sort(([a], [b]) => REQUIREMENT_ORDER.compare(a, b))
    .map(([req, ids]) => [req, ids.join(", ")]);
  const counts = `${result.rules.length} rules applied; ${open.filter((o) => o[1] === "error").length} failed, ${open.filter((o) => o[1] === "warning").length} warnings, ${suppressed.length} suppressed.`;
  return [
    "## Guardrails\n",
    counts + "\n",
    ...(open.length ? ["Open findings:\n", table(["rule", "level", "address", "finding", "fix"], open), ""] : []),
    "Suppressions (each with the reason written where it is set):\n",
    table(["rule", "address", "finding", "set on", "reason"], suppressed),
    ...(result.unusedSuppressions.length ? ["\nSuppressions that cover nothing (remove them):\n", table(["rule", "set on", "reason"], result.unusedSuppressions.map((u) => [u.id, u.path, u.reason]))] : []),
    "\nRules:\n",
    table(["rule", "PCI DSS v4.0", "level", "result", "demands"], rules),
    "\nBy PCI DSS v4.0 requirement:\n",
    table(["requirement", "rules"], reqRows),
  ].join("\n");
}

function inventorySection(json: TfJson, layer: string, names: Readonly<Record<string, string>>): string {
  // Workload access grants sit at the stack's top level, one construct per grant: one row for them.
  const labelOf = (cap: string) => names[cap] ?? (cap.startsWith("Access-") ? "Workload access grants" : layer === "mesh" ? `namespace ${cap}` : cap);
  const order = [...new Set(Object.values(names))];
  const byCapability = new Map<string, Map<string, number>>();
  const resources = allResources(json);
  for (const [type, , body] of resources) {
    const label = labelOf(capabilityOf(body));
    const types = byCapability.get(label) ?? new Map<string, number>();
    types.set(type, (types.get(type) ?? 0) + 1);
    byCapability.set(label, types);
  }
  const rank = (label: string) => (order.includes(label) ? order.indexOf(label) : order.length);
  const rows = [...byCapability].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1)).map(([label, types]) => [
    label,
    [...types]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([t, n]) => `${t} ×${n}`)
      .join(", "),
  ]);
  return ["## Resource inventory by capability\n", `${resources.length} resources.\n`, table(["capability", "resources"], rows)].join("\n");
}

/** The diagram's title: the stack, where it lives, and the source it was synthesized from. */
function diagramTitle(view: StackView, revision: string): string {
  const { region } = view;
  const where = region.cloud === "aws" ? `AWS ${region.cloudRegion}, account ${region.accountId}${region.drPartnerRegion ? `, DR partner ${region.drPartnerRegion}` : ""}` : `Google Cloud ${region.cloudRegion}, project ${region.projectId}`;
  return `${view.name} (${view.layer}): ${where}; ${revision}`;
}

/**
 * Where the region's data survives the loss of its cloud region: its DR partner, or, where its
 * jurisdiction has no second region of its cloud, that it rests on its zones and its backups inside.
 */
export function resilienceLine(region: StackView["region"]): string {
  const zones = region.cloud === "aws" ? region.availabilityZoneIds : region.zones;
  const inside = `its ${zones.length} zones (${zones.join(", ")}) and its database backups (${region.database.backupRetentionDays} days) inside ${region.cloudRegion}`;
  if (region.drPartnerRegion) return `Disaster recovery: copies in the DR partner **${region.drPartnerRegion}** (the audit archive, the database's backups, under keys of that region); besides, ${inside}.`;
  const others = (JURISDICTIONS[region.jurisdiction].allowedRegions[region.cloud] as readonly string[]).filter((r) => r !== region.cloudRegion);
  return others.length === 0
    ? `Disaster recovery: **no DR partner**: jurisdiction ${region.jurisdiction} has no second ${region.cloud.toUpperCase()} region, so the region rests on ${inside}; losing ${region.cloudRegion} loses the service until it returns.`
    : `Disaster recovery: **no DR partner yet** (${region.cloud === "gcp" ? "GCP's is issue 21" : "the config requires one"}); the region rests on ${inside}.`;
}

/**
 * Where the region's workload certificates come from, in the chain under the platform root; on GCP
 * before the CA ceremony, the two commands that complete it.
 */
export function workloadCaLine(region: StackView["region"]): string {
  const root = region.mesh.rootCaArn;
  if (!root) return "Workload CA: **istiod's own** (its CA key in a cluster Secret): name the platform root in mesh.rootCaArn.";
  if (region.cloud === "aws") return `Workload CA: the region's intermediate in ACM PCA (${region.cloudRegion}, key in its HSMs), signed by the platform root ${root}; in the cluster, istio-csr signs every workload certificate through the AWS PCA issuer.`;
  const pool = `${region.naming.prefix}-${region.name}-mesh`;
  if (!region.mesh.intermediateCertificate) {
    return `Workload CA: the region's intermediate in CA Service (pool ${pool}, key in Cloud HSM) is **awaiting the root's signature**, and the in-cluster stacks wait for it (Istio would otherwise keep a CA key in the cluster); complete it within 30 days of its creation (docs/deploy.md): \`${casCsrCommand(region)}\`, then the root's custodians: \`${casSigningCommand(region)}\`, and paste the certificate into mesh.intermediateCertificate.`;
  }
  const validTo = parseCertificate(region.mesh.intermediateCertificate).validTo;
  return `Workload CA: the region's intermediate in CA Service (pool ${pool}, Enterprise, key in Cloud HSM), signed by the platform root ${root}, valid until ${validTo}; in the cluster, istio-csr signs every workload certificate through Google's CAS issuer.`;
}

/**
 * The calls between this region and others, as the regions' files declare them, each with its peer
 * region, its calls and its path: what crosses regions, in which direction, carrying what.
 */
export function crossRegionSection(view: Pick<StackView, "region" | "peers">): string[] {
  const { incoming, outgoing } = crossRegionView(view.region, view.peers);
  if (incoming.length + outgoing.length === 0) return ["## Calls between regions\n", "None: no other region's service calls this region's, and this region's services call no other region's.\n"];
  const path = (direction: "in" | "out", link: CrossRegionLink, call: CrossRegionLink["calls"][number]) => {
    if (link.caller.cloud !== "aws" || link.callee.cloud !== "aws") return "**none**: no private path joins two clouds (the config refuses the call)";
    const service = link.services.find((s) => `${s.namespace}/${s.name}` === call.to);
    const sni = service ? ` by SNI \`${eastWestSni(service)}\`` : "";
    if (direction === "in") {
      return `${link.caller.name}'s interface endpoint → this region's east-west endpoint service and NLB (cross-region PrivateLink, TCP ${EAST_WEST_GATEWAY.port}, each connection accepted by hand) → gateway \`${EAST_WEST_GATEWAY.namespace}/${EAST_WEST_GATEWAY.release}\` (AUTO_PASSTHROUGH${sni}) → the service's sidecar, which ends the mTLS and authorizes the caller`;
    }
    const named = link.caller.cloud === "aws" && link.caller.mesh.eastWestEndpointServices[link.callee.mesh.trustDomain] !== undefined;
    if (!named) return `**waiting**: name ${link.callee.name}'s output \`${EAST_WEST_OUTPUT_IDS.endpointService}\` in this file's \`mesh.eastWestEndpointServices\` (after region-${link.callee.name} is deployed); until then the call has no path`;
    const host = service ? `\`${remoteHost(link.callee.mesh.trustDomain, service)}\`` : "the remote host";
    return `the caller's sidecar, host ${host} (ServiceEntry, DNS answered by the sidecar) → this region's interface endpoint (output \`${EAST_WEST_OUTPUT_IDS.endpoint(link.callee)}\`, TCP ${EAST_WEST_GATEWAY.port}) → ${link.callee.name}'s east-west gateway; mTLS end to end${sni}, only \`${service ? `spiffe://${link.callee.mesh.trustDomain}/ns/${service.namespace}/sa/${service.serviceAccount}` : "the callee's identity"}\` accepted`;
  };
  const rows = [...incoming.map((l) => ["in", l.caller, l] as const), ...outgoing.map((l) => ["out", l.callee, l] as const)].flatMap(([direction, peer, link]) =>
    link.calls.map((c) => [
      direction,
      `${peer.name} (${peer.cloud} ${peer.cloudRegion}, ${peer.jurisdiction})`,
      `${c.from}${direction === "in" ? ` (${link.caller.mesh.trustDomain})` : ""} → ${c.to}${direction === "out" ? ` (${link.callee.mesh.trustDomain})` : ""}`,
      `${c.methods.join(",")} ${c.paths.join(",")}`,
      c.cardholderData ? "**yes**" : "no",
      path(direction, link, c),
    ]),
  );
  return [
    "## Calls between regions\n",
    "Every call a region's file declares from another region (`mesh.calls[].fromTrustDomain`), as seen from this region: the caller's identity is authenticated by the platform's one root (each region's intermediate is name-constrained to its trust domain) and authorized by exactly that call.\n",
    table(["direction", "peer region", "call", "methods and paths", "cardholder data", "path"], rows),
  ];
}

/**
 * The Markdown report of one stack. `revision` names the source it was synthesized from (commit,
 * and whether the checkout had changes): it appears in the diagram's title, so a rendered diagram
 * taken out of the report still says what it shows.
 */
export function renderReport(view: StackView, result: GuardrailResult, revision: string): string {
  const { region } = view;
  const jurisdiction = JURISDICTIONS[region.jurisdiction];
  const header = [
    `# ${view.name}: reviewer's report`,
    "",
    `Region **${region.name}** (${region.cloud} ${region.cloudRegion}, ${region.cloud === "aws" ? `account ${region.accountId}` : `project ${region.projectId}`}), jurisdiction **${region.jurisdiction}** (${jurisdiction.description}; allowed regions ${(jurisdiction.allowedRegions[region.cloud] as readonly string[]).join(", ")}). Layer: ${view.layer}.`,
    "",
    ...(view.layer === "aws" || view.layer === "gcp" ? [resilienceLine(region), "", ...(region.cloud === "aws" ? [mirrorLine(region), ""] : []), workloadCaLine(region), "", ...crossRegionSection(view)] : []),
    view.layer === "aws" || view.layer === "gcp" || view.layer === "dr"
      ? `Generated by \`npm run synth\` from the synthesized \`cdk.tf.json\` beside this file. ${view.layer === "aws" ? `\`npm run plan -- ${view.name}\` adds the real Terraform plan (\`plan.txt\`, \`plan.json\`) beside it, with no cloud account.` : "The google provider cannot be installed here, so this stack is checked by its types, the guardrails and the tests on this JSON, not by a plan."}`
      : "Generated by `npm run synth` from the synthesized `cdk.tf.json` beside this file. This stack's objects live inside the EKS cluster: Terraform can plan them only once the cluster and Istio's CRDs exist (docs/deploy.md, Deploying a region, step 6).",
    "",
  ].join("\n");
  const layer = LAYER_REPORTS[view.layer](view);
  return [header, "## Diagram\n", "```mermaid", layer.diagram.render(diagramTitle(view, revision)), "```\n", inventorySection(view.json, view.layer, layer.capabilities), ...layer.sections, guardrailSection(result)].join("\n");
}
