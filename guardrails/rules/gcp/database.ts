/** Cloud SQL for PostgreSQL. */
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules, stackRules } from "../../rule";
import { TfJson, asList, one, resourcesOf } from "../../../tfjson/terraform";

export const GCP_DATABASE_RULES = resourceRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.database-hardened",
    requirement: "4.2.1, 8.3, 10.2, 12.10",
    fix: "Create the database with CloudSqlPostgres: TLS only, IAM auth, connection logs, regional HA, backups with PITR for at least 7 days, deletion protection, no root password.",
    description: "Cloud SQL requires TLS, has IAM database authentication and connection logging, is regional (standby in another zone), backs up with point-in-time recovery for at least 7 days, is deletion-protected and has no password in the stack",
    resourceTypes: ["google_sql_database_instance"],
    check: (b) => {
      const s = one(b.settings);
      const ip = one(s.ip_configuration);
      const backup = one(s.backup_configuration);
      const flags = new Map(asList<TfJson>(s.database_flags).map((f) => [f.name, f.value]));
      const v: string[] = [];
      if (!["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"].includes(ip.ssl_mode)) v.push(`ssl_mode ${ip.ssl_mode ?? "(unset: plaintext allowed)"}`);
      if (flags.get("cloudsql.iam_authentication") !== "on") v.push("IAM database authentication off");
      if (flags.get("log_connections") !== "on" || flags.get("log_disconnections") !== "on") v.push("connections not logged");
      if (s.availability_type !== "REGIONAL") v.push(`availability ${s.availability_type ?? "ZONAL"}, not REGIONAL`);
      if (backup.enabled !== true || backup.point_in_time_recovery_enabled !== true) v.push("backups or point-in-time recovery off");
      if (!(one(backup.backup_retention_settings).retained_backups >= 7)) v.push("fewer than 7 backups kept");
      if (b.deletion_protection !== true || s.deletion_protection_enabled !== true) v.push("not deletion-protected (Terraform and API)");
      if (b.root_password !== undefined) v.push("a root password in the stack");
      return v;
    },
  },
]);

/** The services' database logins on GCP: exactly the declared ones, by IAM, on this instance. */
export const GCP_DATABASE_USER_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.database-users",
    requirement: "7.2.1, 8.2.1, 8.3.1",
    fix: "Declare access.database on the services that use the database; the stack creates their IAM database users (CLOUD_IAM_SERVICE_ACCOUNT, no password) and lets them log in to this instance only.",
    description: "the database's users are exactly the Workload Identity accounts of the services that declare database access, authenticated by IAM (no password), each allowed to log in to and connect to this instance only",
    check: ({ json, region }) => {
      const v: string[] = [];
      const users = resourcesOf(json, "google_sql_user");
      const expected = region.services.filter((s) => s.access?.database).map((s) => s.name).sort();
      const named = users.map(([, u]) => /google_service_account\.gke_workload-([a-z0-9-]+)\.email/.exec(String(u.name))?.[1] ?? String(u.name)).sort();
      if (JSON.stringify(named) !== JSON.stringify(expected)) v.push(`google_sql_user: ${JSON.stringify(named)}, expected the services that declare database access ${JSON.stringify(expected)}`);
      for (const [n, u] of users) {
        if (u.type !== "CLOUD_IAM_SERVICE_ACCOUNT") v.push(`google_sql_user.${n}: type ${u.type}, expected CLOUD_IAM_SERVICE_ACCOUNT (IAM authentication)`);
        if (u.password !== undefined || u.password_wo !== undefined) v.push(`google_sql_user.${n}: a password`);
      }
      for (const service of expected) {
        for (const role of ["roles/cloudsql.instanceUser", "roles/cloudsql.client"]) {
          const grants = resourcesOf(json, "google_project_iam_member").filter(([, m]) => m.role === role && String(m.member).includes(`gke_workload-${service}.email`));
          // Stryker disable next-line StringLiteral: equivalent (neither an absent expression's "" nor any other fallback names the instance)
          if (grants.length !== 1 || !String(one(grants[0][1].condition).expression ?? "").includes("sqladmin.googleapis.com/Instance")) v.push(`google_project_iam_member: ${service} has no ${role} limited to this instance`);
        }
      }
      return v;
    },
  },
]);
