/** IAM on the project and its resources: least privilege. */
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules } from "../../rule";
import { CAS_ISSUER } from "../../../model/gcp/pki";

export const GCP_IAM_RULES = resourceRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.iam-least-privilege",
    requirement: "7.2.1, 7.2.2, 8.2.2",
    fix: "Grant predefined roles to the one identity that needs them (with a condition where it scopes the grant); never owner, editor, admin or IAM-admin roles, authoritative bindings or policies, public members, or service account keys.",
    description: "no basic (owner, editor, viewer) or admin role, no authoritative project binding or policy, no public member, no long-lived service account key",
    resourceTypes: [
      "google_project_iam_member",
      "google_project_iam_binding",
      "google_project_iam_policy",
      "google_project_iam_custom_role",
      "google_service_account_key",
      "google_service_account_iam_member",
      "google_service_account_iam_binding",
      "google_artifact_registry_repository_iam_member",
      "google_artifact_registry_repository_iam_binding",
      "google_privateca_ca_pool_iam_member",
      "google_privateca_ca_pool_iam_binding",
      "google_privateca_ca_pool_iam_policy",
    ],
    check: (b, { stack, type }) => {
      if (type === "google_service_account_key") return ["a long-lived service account key"];
      if (type === "google_project_iam_custom_role") return ["a custom role (its permissions are reviewed nowhere); use a predefined role"];
      if (type.endsWith("_binding") || type.endsWith("_policy")) return [`${type} is authoritative (replaces grants made elsewhere)`];
      const v: string[] = [];
      const role = String(b.role);
      // Basic roles, and any admin role (`roles/storage.admin`, `roles/compute.instanceAdmin.v1`).
      // Stryker disable next-line Regex: equivalent (a role that ends in roles/owner, editor or viewer without starting so is a custom role, refused below; no predefined role extends them)
      if (/^roles\/(owner|editor|viewer)$/.test(role) || /admin/i.test(role) || role.includes("iam.serviceAccountTokenCreator") || role.includes("resourcemanager")) v.push(`role ${role} is too broad`);
      // Stryker disable next-line Regex: equivalent (roles are predefined, roles/..., or custom, projects/... or organizations/...: nothing else can contain the pattern)
      if (/^projects\/.+\/roles\//.test(role) || /^organizations\/.+\/roles\//.test(role)) v.push(`custom role ${role}`);
      if (["allUsers", "allAuthenticatedUsers"].includes(b.member)) v.push(`grants to ${b.member}`);
      if (type === "google_project_iam_member") {
        // Keys, identities and Kafka are granted on the resource (or by condition), never project-wide.
        // Stryker disable next-line Regex: equivalent (a role containing roles/cloudkms. or roles/iam. not at its start is a custom role, refused above)
        if (/^roles\/(cloudkms\.|iam\.)/.test(role)) v.push(`${role} on the whole project (grant it on the one key or service account)`);
        if (role === "roles/managedkafka.client" && !b.condition) v.push("managedkafka.client on every cluster of the project (no condition)");
      }
      if (type === "google_artifact_registry_repository_iam_member" && role !== "roles/artifactregistry.reader") v.push(`${role} on the image repository (only pulls are granted; pushes are the mirror pipeline's)`);
      if (type === "google_service_account_iam_member") {
        if (role !== "roles/iam.workloadIdentityUser") v.push(`lets ${b.member} act as a service account (${role})`);
        const m = /^serviceAccount:([^[]+)\.svc\.id\.goog\[([^/]+)\/([^\]]+)\]$/.exec(String(b.member));
        const declared = stack.region.services.filter((s) => s.access && !stack.region.mesh.merchantNamespaces.includes(s.namespace)).map((s) => `${s.namespace}/${s.serviceAccount ?? s.name}`);
        // The platform's own: the CAS issuer, where the region has its workload CA in CA Service.
        const platform = stack.region.mesh.rootCertificate !== undefined ? [`${CAS_ISSUER.namespace}/${CAS_ISSUER.serviceAccount}`] : [];
        if (!m || m[1] !== stack.region.projectId || ![...declared, ...platform].includes(`${m[2]}/${m[3]}`)) v.push(`Workload Identity for ${b.member}, not a declared service's or the CAS issuer's account in this project's pool`);
      }
      return v;
    },
  },
]);
