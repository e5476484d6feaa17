/**
 * Rules across regions: names, trust domains, state and address space never collide, and a call
 * from another region names a real caller and keeps cardholder data in its jurisdiction.
 */
import { Ipv4Range, firstFreeBlock, parseCidr, rangesOverlap } from "../cidr";
import { ConfigProblem } from "../errors";
import { RegionConfig } from "../schema";
import { isRemote } from "../mesh";
import { SERVICE_LINKED_ROLES, type ServiceLinkedRoleService } from "../catalog";
import type { LoadedRegion } from "./types";

/** Rules across regions: names, state locations and address space must not collide. */
export function checkAcrossRegions(regions: readonly LoadedRegion[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // Calls from other regions: the caller exists there, and cardholder data stays in its jurisdiction.
  for (const a of regions) {
    a.config.mesh.calls.forEach((call, i) => {
      if (!isRemote(a.config.mesh, call)) return;
      const field = `mesh.calls[${i}].fromTrustDomain`;
      const caller = regions.find((r) => r.config.mesh.trustDomain === call.fromTrustDomain);
      if (!caller) {
        problems.push({ file: a.file, field, problem: `"${call.fromTrustDomain}" is no region's trust domain`, fix: `use the trust domain of the caller's region (${regions.map((r) => r.config.mesh.trustDomain).join(", ")})` });
        return;
      }
      const identity = caller.config.services.find((s) => `${s.namespace}/${s.serviceAccount ?? s.name}` === call.from);
      if (!identity) problems.push({ file: a.file, field: `mesh.calls[${i}].from`, problem: `"${call.from}" is not a service identity of ${caller.file}`, fix: `declare the service there, or use one of its identities` });
      else if (caller.config.mesh.merchantNamespaces.includes(identity.namespace)) problems.push({ file: a.file, field: `mesh.calls[${i}].from`, problem: `"${call.from}" is a merchant's service of ${caller.file}`, fix: "call from a platform service of that region" });
      if (!a.config.mesh.rootCaArn || a.config.mesh.rootCaArn !== caller.config.mesh.rootCaArn) {
        problems.push({ file: a.file, field, problem: `${caller.file} and this region do not name the same mesh.rootCaArn, so the caller cannot authenticate here`, fix: "give both regions the platform's root CA (mesh.rootCaArn)" });
      }
      if (caller.config.cloud !== "aws" || a.config.cloud !== "aws") {
        problems.push({ file: a.file, field, problem: `the call comes from ${caller.file} (${caller.config.cloud.toUpperCase()}) into ${a.config.cloud === "aws" ? "an AWS" : "a GCP"} region, and no private path joins them (the east-west path is cross-region PrivateLink, between AWS regions)`, fix: "keep cross-region calls between AWS regions, or serve the caller from a service in its own region" });
      }
      if (caller.config.jurisdiction !== a.config.jurisdiction && call.cardholderData !== false) {
        problems.push({
          file: a.file,
          field: `mesh.calls[${i}].cardholderData`,
          problem: `the call comes from ${caller.file} in jurisdiction ${caller.config.jurisdiction} into ${a.config.jurisdiction}, and may carry cardholder data`,
          fix: "keep the call inside one jurisdiction, or set cardholderData: false if (and only if) it never carries account data",
        });
      }
    });
  }
  // Each east-west endpoint service a region names is that of a region it calls, in that region.
  for (const r of regions) {
    for (const [trustDomain, serviceName] of Object.entries(r.config.mesh.eastWestEndpointServices)) {
      const field = `mesh.eastWestEndpointServices["${trustDomain}"]`;
      const callee = regions.find((x) => x.config.mesh.trustDomain === trustDomain);
      const called = callee?.config.mesh.calls.some((c) => c.fromTrustDomain === r.config.mesh.trustDomain && isRemote(callee.config.mesh, c));
      if (!callee || !called) {
        problems.push({ file: r.file, field, problem: `no region's calls come from this region into ${trustDomain}, so there is no path to open`, fix: `remove it, or declare the call in the callee's mesh.calls (fromTrustDomain "${r.config.mesh.trustDomain}")` });
        continue;
      }
      const serviceRegion = serviceName.split(".")[3];
      if (serviceRegion !== callee.config.cloudRegion) {
        problems.push({ file: r.file, field, problem: `names a service in ${serviceRegion}, but ${callee.file} is in ${callee.config.cloudRegion}`, fix: `copy ${callee.file}'s region-${callee.config.name} output east_west_endpoint_service` });
      }
    }
  }
  // An account has one of each service-linked role: at most one of its regions may create it.
  for (const service of Object.keys(SERVICE_LINKED_ROLES) as ServiceLinkedRoleService[]) {
    const creators = new Map<string, string>();
    for (const r of regions) {
      if (r.config.cloud !== "aws" || r.config.existingServiceLinkedRoles.includes(service)) continue;
      const first = creators.get(r.config.accountId);
      if (first) problems.push({ file: r.file, field: "existingServiceLinkedRoles", problem: `account ${r.config.accountId} is also ${first}'s, whose stack creates the service-linked role ${SERVICE_LINKED_ROLES[service]}; AWS refuses to create it twice`, fix: `list "${service}" here (deploy ${first} first), or give each region its own account` });
      else creators.set(r.config.accountId, r.file);
    }
  }
  // Every block any region takes: a suggested block must be free of all of them.
  const taken = regions.flatMap((r) => addressSpace(r.config).map((x) => x.range));
  regions.forEach((a, i) => {
    for (const b of regions.slice(0, i)) {
      if (a.config.mesh.trustDomain === b.config.mesh.trustDomain) {
        problems.push({ file: a.file, field: "mesh.trustDomain", problem: `"${a.config.mesh.trustDomain}" is also the trust domain of ${b.file}; its workloads would pass for local ones`, fix: "give every region its own trust domain, e.g. <region>.acme-pay.internal" });
      }
      if (a.config.name === b.config.name) {
        problems.push({ file: a.file, field: "name", problem: `"${a.config.name}" is also used by ${b.file}`, fix: "give every region a unique name" });
      }
      for (const ra of addressSpace(a.config)) {
        for (const rb of addressSpace(b.config)) {
          if (!rangesOverlap(ra.range, rb.range)) continue;
          // Which of the two files changed cannot be known here: each is told, with a block no region uses.
          for (const [mine, file, other, otherFile] of [[ra, a.file, rb, b.file], [rb, b.file, ra, a.file]] as const) {
            const free = firstFreeBlock(mine.range.prefixLength, taken);
            problems.push({
              file,
              field: mine.field,
              problem: `${mine.range.cidr} overlaps ${other.field} of ${otherFile} (${other.range.cidr}); the two regions could never be connected`,
              fix: `move one of the two to a block no region uses${free ? `, e.g. ${free}` : ""}${mine.field === "network.vpcCidr" ? " (with its subnets)" : ""}`,
            });
          }
        }
      }
      const [la, lb] = [stateLocation(a.config), stateLocation(b.config)];
      if (la.where === lb.where) {
        problems.push({
          file: a.file,
          field: la.field,
          problem: `${la.where} is also the state of ${b.file}; one apply would overwrite the other`,
          fix: 'use a key per region (a prefix on GCS), e.g. "regions/<name>/terraform.tfstate"',
        });
      }
    }
  });
  return problems;
}

/** The address blocks a region takes (they must not overlap another region's). */
function addressSpace(c: RegionConfig): { field: string; range: Ipv4Range }[] {
  const fields: [string, string][] =
    c.cloud === "aws"
      ? [["network.vpcCidr", c.network.vpcCidr], ...(c.drNetwork ? [["drNetwork.vpcCidr", c.drNetwork.vpcCidr] as [string, string]] : [])]
      : (["workloadCidr", "podsCidr", "servicesCidr", "dataCidr", "pscNatCidr", "controlPlaneCidr"] as const).map((k) => [`network.${k}`, c.network[k]]);
  return fields.flatMap(([field, cidr]) => {
    const range = parseCidr(cidr);
    // Stryker disable next-line ConditionalExpression,StringLiteral,ArrayDeclaration: unreachable (the cross-region rules see only regions whose own rules passed, where every block parses)
    return typeof range === "string" ? [] : [{ field, range }];
  });
}

/** Where a region's state lives, as one comparable string. */
function stateLocation(c: RegionConfig): { field: string; where: string } {
  return c.cloud === "aws"
    ? { field: "stateBackend.key", where: `s3://${c.stateBackend.bucket}/${c.stateBackend.key}` }
    : { field: "stateBackend.prefix", where: `gs://${c.stateBackend.bucket}/${c.stateBackend.prefix}` };
}
