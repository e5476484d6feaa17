/** Cloud SQL for PostgreSQL. */
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules } from "../../rule";
import { TfJson, asList, one } from "../../../tfjson/terraform";

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
