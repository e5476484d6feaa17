/**
 * The mesh: the Istio release, merchant namespaces and the call graph; on GCP, the workload CA's root and intermediate.
 */
import { ISTIO_RELEASES, RESERVED_NAMESPACES } from "../catalog";
import { GcpRegionConfig, RegionConfig } from "../schema";
import { isRemote, matchesAllPaths } from "../mesh";
import type { X509Certificate } from "crypto";
import { intermediateCertificateProblems, parseCertificate, pemCertificates } from "../pem";
import type { Report } from "./types";

/**
 * The mesh: an Istio release that supports the cluster's Kubernetes version, merchant namespaces
 * the platform does not own, and a call graph between declared identities and services.
 */
export function checkMesh(c: RegionConfig, report: Report): void {
  const mesh = c.mesh;
  if (mesh.adoptHelmInstalledPkiCrds && c.cloud === "gcp") {
    report("mesh.adoptHelmInstalledPkiCrds", "is for AWS regions whose PCA issuer's chart installed its CRDs: a GCP region's CAS issuer never came from a chart", "remove it");
  } else if (mesh.adoptHelmInstalledPkiCrds && mesh.rootCaArn === undefined) {
    report("mesh.adoptHelmInstalledPkiCrds", "is set, but the region has no workload CA chain (no mesh.rootCaArn), so there are no PCA issuer CRDs to adopt", "remove it, or set mesh.rootCaArn");
  }
  if (c.cloud === "aws") {
    for (const field of ["rootCertificate", "intermediateCertificate"] as const) {
      if (mesh[field] !== undefined) report(`mesh.${field}`, "is for GCP regions: an AWS region's intermediate lives in ACM PCA, which installs the root's chain itself", `remove mesh.${field}`);
    }
  }
  const [k8s, k8sField] = c.cloud === "aws" ? [c.eks.version, "eks.version"] : [c.gke.version, "gke.version"];
  const minor = mesh.istioVersion.split(".").slice(0, 2).join(".");
  const kubernetes = ISTIO_RELEASES[minor];
  if (!kubernetes) {
    report("mesh.istioVersion", `${mesh.istioVersion} is not a release the blueprint supports`, `use a patch release of ${Object.keys(ISTIO_RELEASES).join(" or ")} (config/catalog.ts)`);
  } else if (!kubernetes.includes(k8s)) {
    report("mesh.istioVersion", `Istio ${minor} does not support Kubernetes ${k8s} (${k8sField})`, `use an Istio release that supports ${k8s}: ${Object.entries(ISTIO_RELEASES).filter(([, k]) => k.includes(k8s)).map(([m]) => m).join(", ") || "(none listed)"}`);
  }

  const serviceNamespaces = new Set(c.services.map((s) => s.namespace));
  const merchants = new Set<string>();
  c.services.forEach((svc, i) => {
    if (svc.access && mesh.merchantNamespaces.includes(svc.namespace)) {
      report(`services[${i}].access`, `gives cloud access to ${svc.name} in merchant namespace "${svc.namespace}", whose tenants hold no identity of the platform's cloud account (a tenant's escape must not land next to credentials)`, "run the cloud-facing part in a platform namespace and call it through mesh.calls, or remove access");
    }
  });
  mesh.merchantNamespaces.forEach((ns, i) => {
    const field = `mesh.merchantNamespaces[${i}]`;
    if ((RESERVED_NAMESPACES as readonly string[]).includes(ns)) report(field, `"${ns}" belongs to the platform`, "name the merchant's own namespace, e.g. \"merchant-12345\"");
    if (merchants.has(ns)) report(field, `"${ns}" is listed twice`, "list each merchant namespace once");
    merchants.add(ns);
  });

  const identities = new Set(c.services.map((s) => `${s.namespace}/${s.serviceAccount ?? s.name}`));
  const targets = new Set(c.services.map((s) => `${s.namespace}/${s.name}`));
  const known = (names: ReadonlySet<string>) => [...names].join(", ") || "(none declared)";
  const seen = new Map<string, number>();
  mesh.calls.forEach((call, i) => {
    const field = `mesh.calls[${i}]`;
    const remote = isRemote(mesh, call);
    if (remote && merchants.has(call.to.split("/")[0])) {
      report(`${field}.to`, `a caller of another region reaches merchant namespace "${call.to.split("/")[0]}"`, "call a platform service of this region, which calls the merchant's service");
    }
    for (const end of ["from", "to"] as const) {
      // A caller of another region is checked against that region (checkAcrossRegions).
      if (end === "from" && remote) continue;
      const [namespace] = call[end].split("/");
      const isKnown = end === "from" ? identities.has(call.from) : targets.has(call.to);
      if (isKnown) continue;
      if (!serviceNamespaces.has(namespace)) {
        report(`${field}.${end}`, `names namespace "${namespace}", where no service is declared`, `declare the service in services[], or use one of: ${known(end === "from" ? identities : targets)}`);
      } else if (end === "from") {
        report(`${field}.from`, `"${call.from}" is not the identity (<namespace>/<serviceAccount>) of a declared service`, `use one of: ${known(identities)}`);
      } else {
        report(`${field}.to`, `"${call.to}" is not a declared service (<namespace>/<name>)`, `use one of: ${known(targets)}`);
      }
    }
    const target = c.services.find((s) => `${s.namespace}/${s.name}` === call.to);
    // (A caller in another region is another identity, whatever its name.)
    if (target && !remote && `${target.namespace}/${target.serviceAccount ?? target.name}` === call.from) {
      report(field, `${call.from} calls its own service`, "remove the call: the blueprint generates policies between two services only (a service calling itself through its Service is not supported)");
    }
    const [fromNs] = call.from.split("/");
    const [toNs] = call.to.split("/");
    if (fromNs !== toNs && merchants.has(fromNs) && merchants.has(toNs)) {
      report(field, `connects two merchant tenants (${fromNs} -> ${toNs})`, "route tenant-to-tenant traffic through a platform service, or remove the call: merchant namespaces are isolated from each other");
    }
    const key = `${call.fromTrustDomain ?? mesh.trustDomain}/${call.from} -> ${call.to}`;
    const previous = seen.get(key);
    if (previous !== undefined) report(field, `repeats mesh.calls[${previous}] (${key})`, "merge the methods and paths of both into one call");
    seen.set(key, i);
    checkMethodsAndPaths(field, call, report);
  });
}

/** The methods and paths of a call or a partner route: each once, real paths, never every path. */
export function checkMethodsAndPaths(field: string, call: { readonly methods: readonly string[]; readonly paths: readonly string[] }, report: Report): void {
  call.paths.forEach((path, j) => {
    if (matchesAllPaths(path)) report(`${field}.paths[${j}]`, `"${path}" allows every path`, 'name the paths the caller needs, e.g. "/tokenize" or "/v1/charges/*"');
    else if (!path.startsWith("/") && !path.startsWith("*")) report(`${field}.paths[${j}]`, `"${path}" is not a path`, 'start it with "/", e.g. "/tokenize"');
    else if (path.slice(1, -1).includes("*")) report(`${field}.paths[${j}]`, `"${path}" has a "*" inside; the blueprint supports exact paths, a prefix ("/a/*") or a suffix ("*/b"), not Istio's path templates`, 'use an exact path, "/prefix/*" or "*/suffix"');
    if (call.paths.indexOf(path) !== j) report(`${field}.paths[${j}]`, `"${path}" is listed twice`, "list each path once");
  });
  call.methods.forEach((m, j) => {
    if (call.methods.indexOf(m) !== j) report(`${field}.methods[${j}]`, `"${m}" is listed twice`, "list each method once");
  });
}

/**
 * GCP: the workload CA is an intermediate in CA Service under the platform's root, so the region
 * names the root (its ARN, as every region does, and its certificate: CA Service is activated with
 * it as the issuer chain) and, once the root has signed the CA's CSR, the signed intermediate.
 */
export function checkGcpMeshCa(c: GcpRegionConfig, report: Report, now = new Date()): void {
  const mesh = c.mesh;
  if (mesh.rootCaArn === undefined) {
    report("mesh.rootCaArn", "is missing: a GCP region's workload CA is an intermediate under the platform's one root, and without it istiod would keep its own CA key in the cluster", "set mesh.rootCaArn to the platform root's ARN (the same as the other regions') and mesh.rootCertificate to its certificate");
  }
  if (mesh.rootCertificate === undefined) {
    report("mesh.rootCertificate", "is missing: CA Service activates the region's intermediate with the root's certificate as its issuer chain, and istio-csr hands it to the workloads as their trust anchor", "paste the platform root's certificate (aws acm-pca get-certificate-authority-certificate --certificate-authority-arn <mesh.rootCaArn>)");
    return;
  }
  const roots = pemCertificates(mesh.rootCertificate);
  let root: X509Certificate | undefined;
  try {
    if (roots.length !== 1) throw new Error(`it holds ${roots.length} certificates`);
    root = parseCertificate(roots[0]);
  } catch (e) {
    report("mesh.rootCertificate", `is not one readable X.509 certificate (${(e as Error).message})`, "paste the platform root's certificate alone, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----");
    return;
  }
  if (/PRIVATE KEY/.test(mesh.rootCertificate)) report("mesh.rootCertificate", "holds a private key", "paste only the root's certificate; treat the pasted key as exposed and start the root's compromise procedure");
  if (!root.ca || !root.checkIssued(root)) report("mesh.rootCertificate", `is not a self-signed CA certificate (${root.subject.replace(/\n/g, ", ")})`, "paste the platform root's own certificate, not an intermediate's");
  if (new Date(root.validTo) < now) report("mesh.rootCertificate", `expired on ${root.validTo}`, "paste the platform's current root (a new root means a new intermediate for every region: docs/deploy.md)");
  if (mesh.intermediateCertificate !== undefined) {
    for (const problem of intermediateCertificateProblems(mesh.intermediateCertificate, mesh.rootCertificate, mesh.trustDomain, now)) {
      report("mesh.intermediateCertificate", problem, "have the root's custodians sign the intermediate's CSR as docs/deploy.md shows (the subordinate template with the name constraint), and paste the certificate they return; or remove the field to create the CA anew");
    }
  }
}
