/**
 * The partners' way in (`edge`): each partner once, with a CA bundle of CA certificates only and
 * no key, exact identities, routes to declared platform services, rates under the ceiling, host
 * names DNS accepts; and a server certificate the region can issue.
 */
import type { X509Certificate } from "crypto";
import { RegionConfig } from "../schema";
import { checkMethodsAndPaths } from "./mesh";
import { parseCertificate, pemCertificates } from "../pem";
import type { Report } from "./types";

/** What is wrong with one certificate of a partner's CA bundle, or undefined. */
function caProblem(pem: string, now: Date): string | undefined {
  let cert: X509Certificate;
  try {
    cert = parseCertificate(pem);
  } catch (e) {
    return `is not a readable X.509 certificate (${(e as Error).message})`;
  }
  if (!cert.ca) return `is not a CA certificate (${cert.subject.replace(/\n/g, ", ")}): the gateway would trust no client certificate it issued`;
  if (new Date(cert.validTo) < now) return `expired on ${cert.validTo} (${cert.subject.replace(/\n/g, ", ")})`;
  return undefined;
}

/** The edge: checked where a region declares it. `now` is when the CA certificates must be valid. */
export function checkEdge(c: RegionConfig, report: Report, now = new Date()): void {
  const edge = c.edge;
  if (!edge) {
    report("edge", `is missing: the partner API's ${c.cloud === "aws" ? "endpoint service" : "partner projects (paymentApi)"} would have no gateway to reach`, `declare edge.host and edge.partners (see regions/${c.cloud === "aws" ? "eu" : "apac"}.ts)`);
    return;
  }
  // (On GCP the gateway, like every in-cluster stack, waits for the intermediate's activation; the
  // partners' host names are in its pool's policy from the first deploy.)
  if (c.mesh.rootCaArn === undefined) {
    report("edge", "needs the region's workload CA: the gateway's server certificates are issued by the region's intermediate (mesh.rootCaArn)", "set mesh.rootCaArn to the platform's root CA, or remove edge");
  }
  const total = edge.partners.reduce((sum, p) => sum + p.requestsPerSecond, 0);
  if (total > edge.requestsPerSecond) {
    report("edge.requestsPerSecond", `is ${edge.requestsPerSecond}, below the partners' rates together (${total})`, `raise the ceiling to at least ${total}, or lower the partners' rates`);
  }
  const services = new Map(c.services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const names = new Set<string>();
  edge.partners.forEach((partner, i) => {
    const field = `edge.partners[${i}]`;
    if (names.has(partner.name)) report(`${field}.name`, `"${partner.name}" is declared twice`, "declare each partner once");
    names.add(partner.name);
    const host = `${partner.name}.${edge.host}`;
    if (host.length > 253) report(`${field}.name`, `its host ${host} is longer than DNS allows (253)`, "shorten the partner's name or edge.host");
    if (/PRIVATE KEY/.test(partner.caBundle)) {
      report(`${field}.caBundle`, "holds a private key", "paste only the partner's CA certificates; treat the pasted key as exposed and ask the partner to rotate it");
    }
    const blocks = pemCertificates(partner.caBundle);
    if (blocks.length === 0) report(`${field}.caBundle`, "holds no PEM certificate", "paste the partner's client CA certificate(s), from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----");
    blocks.forEach((pem, j) => {
      const problem = caProblem(pem, now);
      if (problem) report(`${field}.caBundle`, `certificate ${j + 1} ${problem}`, "paste the partner's current client CA certificate(s) only");
    });
    partner.identities.forEach((id, j) => {
      if (id.includes("*")) report(`${field}.identities[${j}]`, `"${id}" is a wildcard: any certificate of the CA with a matching name would pass`, "name each identity the partner's client certificates carry exactly");
      if (partner.identities.indexOf(id) !== j) report(`${field}.identities[${j}]`, `"${id}" is listed twice`, "list each identity once");
    });
    if (partner.requestsPerSecond > edge.requestsPerSecond) {
      report(`${field}.requestsPerSecond`, `${partner.requestsPerSecond} is above the ceiling of every partner together (edge.requestsPerSecond ${edge.requestsPerSecond})`, "lower the partner's rate or raise the ceiling");
    }
    const targets = new Set<string>();
    partner.routes.forEach((route, j) => {
      const rf = `${field}.routes[${j}]`;
      const service = services.get(route.to);
      if (!service) report(`${rf}.to`, `"${route.to}" is not a declared service (<namespace>/<name>)`, `use one of: ${[...services.keys()].join(", ") || "(none declared)"}`);
      else if (c.mesh.merchantNamespaces.includes(service.namespace)) {
        report(`${rf}.to`, `reaches merchant namespace "${service.namespace}" from outside`, "route the partner to a platform service, which calls the merchant's service through mesh.calls");
      }
      if (targets.has(route.to)) report(`${rf}.to`, `repeats a route of the partner to ${route.to}`, "merge the methods and paths of both into one route");
      targets.add(route.to);
      checkMethodsAndPaths(rf, route, report);
    });
  });
}
