/**
 * The services: unique names and identities, namespaces the platform does not own, declared topics,
 * audit prefixes of their own; on GCP, names that make valid Workload Identity accounts.
 */
import { RESERVED_NAMESPACES } from "../catalog";
import { GcpRegionConfig, RegionConfig } from "../schema";
import type { Report } from "./types";

/** Services: unique names and identities, namespaces the platform does not own, known topics. */
export function checkServices(c: RegionConfig, report: Report): void {
  const names = new Set<string>();
  const identities = new Set<string>();
  const topics = new Set(c.kafka.topics.map((t) => t.name));
  const prefixes = new Map<string, string>();
  c.services.forEach((svc, i) => {
    const field = `services[${i}]`;
    if (names.has(svc.name)) report(`${field}.name`, `"${svc.name}" is declared twice`, "give each service its own name");
    names.add(svc.name);
    if ((RESERVED_NAMESPACES as readonly string[]).includes(svc.namespace)) {
      report(`${field}.namespace`, `"${svc.namespace}" belongs to the platform`, `use a namespace of your own (not ${RESERVED_NAMESPACES.join(", ")})`);
    }
    const identity = `${svc.namespace}/${svc.serviceAccount ?? svc.name}`;
    if (identities.has(identity)) report(`${field}.serviceAccount`, `${identity} is already another service's identity`, "give each service its own service account (least privilege, and a distinct mesh principal)");
    identities.add(identity);
    const aws = svc.access;
    if (!aws) return;
    for (const mode of ["read", "write"] as const) {
      aws.kafka[mode].forEach((topic, j) => {
        if (!topics.has(topic)) report(`${field}.access.kafka.${mode}[${j}]`, `topic "${topic}" is not declared in kafka.topics`, `declare it there, or use one of ${[...topics].join(", ") || "(none declared)"}`);
      });
    }
    if (aws.auditWritePrefix !== undefined) {
      // The schema allows one folder ("payment-core/"), so two prefixes overlap exactly when they are equal.
      const owner = prefixes.get(aws.auditWritePrefix);
      if (owner) report(`${field}.access.auditWritePrefix`, `"${aws.auditWritePrefix}" is also the prefix of ${owner}`, "give each service a prefix of its own");
      prefixes.set(aws.auditWritePrefix, svc.name);
    }
  });
}

/** GCP: a service with access gets the account `wi-<name>`, which must be a valid service account id. */
export function checkWorkloadIdentityNames(c: GcpRegionConfig, report: Report): void {
  c.services.forEach((svc, i) => {
    if (svc.access && !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(`wi-${svc.name}`)) {
      report(`services[${i}].name`, `"${svc.name}" gives the Workload Identity account "wi-${svc.name}", which GCP does not accept`, "use a service name of 3 to 27 lowercase letters, digits or dashes, ending with a letter or digit");
    }
  });
}
