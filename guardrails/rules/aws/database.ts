import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { TfJson, ref, refName, resourcesOf, asList, preventsDestroy } from "../../../tfjson/terraform";
import { onlyFromEksNodes } from "./network";
import { isKeyArnRef, keyNameByAlias, tierSubnetRefs } from "../../../tfjson/aws";
import { POSTGRES_PORT } from "../../../model/aws/database";

/** Invariants of the Aurora PostgreSQL database ("TDE"). */
/** A cluster's parameter group of this stack, as its name and its parameters' values by name. */
function clusterParameters(json: TfJson, cluster: TfJson): [string, Map<string, string>] | undefined {
  const group = resourcesOf(json, "aws_rds_cluster_parameter_group").find(([gn]) => cluster.db_cluster_parameter_group_name === ref("aws_rds_cluster_parameter_group", gn, "name"));
  return group && [group[0], new Map(asList<TfJson>(group[1].parameter).map((p) => [String(p.name), String(p.value)]))];
}

/** A comma-separated parameter's entries (`"pg_stat_statements, pgaudit"`), none when it is not set. */
function listParameter(params: Map<string, string>, name: string): string[] {
  // Stryker disable next-line StringLiteral: equivalent (an unset list and any other default hold none of the entries the rules look for)
  const value = params.get(name) ?? "";
  return value.split(",").map((x) => x.trim());
}

export const DATABASE_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "database.encrypted-with-database-key",
    requirement: "3.5.1",
    fix: "Create the database with AuroraPostgres: storage_encrypted with the database key, Performance Insights under the same key.",
    description: "every aws_rds_cluster has storage_encrypted and a kms_key_id that references the database key; Performance Insights under the same key",
    check: ({ json }) => {
      const key = keyNameByAlias(json, "database");
      const clusters = resourcesOf(json, "aws_rds_cluster");
      if (clusters.length === 0) return ["aws_rds_cluster: no database cluster"];
      return [
        ...clusters.flatMap(([n, c]) => [
          ...(c.storage_encrypted !== true ? [`aws_rds_cluster.${n}: storage_encrypted is not true`] : []),
          ...(!isKeyArnRef(c.kms_key_id, key) ? [`aws_rds_cluster.${n}: kms_key_id ${c.kms_key_id} is not the database key`] : []),
        ]),
        ...resourcesOf(json, "aws_rds_cluster_instance").flatMap(([n, i]) =>
          i.performance_insights_enabled === true && isKeyArnRef(i.performance_insights_kms_key_id, key) ? [] : [`aws_rds_cluster_instance.${n}: Performance Insights off or not under the database key`],
        ),
      ];
    },
  },
  {
    id: "database.no-password-literal",
    requirement: "8.3.2, 3.5",
    fix: "Use manage_master_user_password with master_user_secret_kms_key_id = the secrets-manager key; never write a password into the stack.",
    description: "the master password is managed by RDS in Secrets Manager under the secrets-manager key; no password literal anywhere in the stack",
    check: ({ json, text }) => {
      const key = keyNameByAlias(json, "secrets-manager");
      const v = resourcesOf(json, "aws_rds_cluster").flatMap(([n, c]) => [
        ...(c.manage_master_user_password !== true ? [`aws_rds_cluster.${n}: manage_master_user_password is not true`] : []),
        ...(!isKeyArnRef(c.master_user_secret_kms_key_id, key) ? [`aws_rds_cluster.${n}: master_user_secret_kms_key_id is not the secrets-manager key`] : []),
      ]);
      for (const field of ["master_password", "master_password_wo", "\"password\""]) {
        if (text.includes(field)) v.push(`(stack): contains ${field}`);
      }
      return v;
    },
  },
  {
    id: "database.tls-forced",
    requirement: "4.2.1",
    fix: "Set rds.force_ssl = 1 and ssl_min_protocol_version TLSv1.2 or TLSv1.3 in the cluster parameter group; never log_statement = all.",
    description: "the cluster's parameter group sets rds.force_ssl=1 and a TLS 1.2 floor",
    check: ({ json }) =>
      resourcesOf(json, "aws_rds_cluster").flatMap(([n, c]) => {
        const pg = clusterParameters(json, c);
        if (!pg) return [`aws_rds_cluster.${n}: no parameter group of this stack`];
        const params = pg[1];
        const v: string[] = [];
        if (params.get("rds.force_ssl") !== "1") v.push(`aws_rds_cluster_parameter_group.${pg[0]}: rds.force_ssl is not 1`);
        if (params.get("ssl_min_protocol_version") !== "TLSv1.2" && params.get("ssl_min_protocol_version") !== "TLSv1.3") v.push(`aws_rds_cluster_parameter_group.${pg[0]}: no TLS 1.2 floor`);
        if (params.get("log_statement") === "all") v.push(`aws_rds_cluster_parameter_group.${pg[0]}: log_statement=all writes card data into logs`);
        return v;
      }),
  },
  {
    id: "database.protected-backed-up-logged",
    requirement: "8.3, 10.2, 12.10",
    fix: "Keep IAM auth, deletion protection, prevent_destroy, a final snapshot, database.backupRetentionDays (at least 7) and the postgresql log export.",
    description: "IAM auth, deletion protection, prevent_destroy, final snapshot, backups as configured (≥ 7 days), postgresql logs exported",
    check: ({ json, region }) =>
      resourcesOf(json, "aws_rds_cluster").flatMap(([n, c]) => {
        const a = `aws_rds_cluster.${n}`;
        const v: string[] = [];
        if (c.iam_database_authentication_enabled !== true) v.push(`${a}: IAM database auth off`);
        if (c.deletion_protection !== true) v.push(`${a}: deletion protection off`);
        if (!preventsDestroy(c)) v.push(`${a}: not protected from destroy`);
        if (c.skip_final_snapshot !== false) v.push(`${a}: skips the final snapshot`);
        if (c.backup_retention_period !== region.database.backupRetentionDays || !(c.backup_retention_period >= 7)) v.push(`${a}: backup retention ${c.backup_retention_period}`);
        if (!asList(c.enabled_cloudwatch_logs_exports).includes("postgresql")) v.push(`${a}: postgresql logs not exported`);
        if (c.copy_tags_to_snapshot !== true) v.push(`${a}: snapshots lose the PCI tags`);
        return v;
      }),
  },
  {
    id: "database.instances-multi-az-private",
    requirement: "1.3.1, 12.10",
    fix: "Set database.instances to at least 2 in the region file; each instance takes the zone of a different data-tier subnet (placed by zone ID), publicly_accessible = false, enhanced monitoring on.",
    description: "at least two instances in distinct configured AZs (each the zone of a different data-tier subnet), none publicly accessible, with enhanced monitoring",
    check: ({ json, region }) => {
      const instances = resourcesOf(json, "aws_rds_cluster_instance");
      // RDS takes zone names, which differ per account: each instance names a data-tier subnet's zone.
      const dataSubnets = tierSubnetRefs(json, "data").map((r) => refName(r, "aws_subnet", "id"));
      const azs = instances.map(([, i]) => refName(i.availability_zone, "aws_subnet", "availability_zone"));
      const v: string[] = [];
      if (instances.length < 2 || instances.length !== region.database.instances) v.push(`aws_rds_cluster_instance: ${instances.length} instances, expected ${region.database.instances} (≥ 2)`);
      if (new Set(azs).size !== azs.length || azs.some((az) => !dataSubnets.includes(az))) v.push(`aws_rds_cluster_instance: zones ${JSON.stringify(instances.map(([, i]) => i.availability_zone))} are not those of distinct data-tier subnets`);
      for (const [n, i] of instances) {
        if (i.publicly_accessible !== false) v.push(`aws_rds_cluster_instance.${n}: publicly_accessible is not false`);
        if (!(i.monitoring_interval > 0) || !i.monitoring_role_arn) v.push(`aws_rds_cluster_instance.${n}: no enhanced monitoring`);
      }
      return v;
    },
  },
  {
    id: "database.reachable-from-eks-nodes-only",
    requirement: "1.3.1, 1.3.2",
    fix: "Pass the EKS nodes' security group as the database's clients and keep it in the data-tier subnet group; admit only 5432 from that group.",
    description: "the cluster sits in the data-tier subnets behind a security group that admits 5432 from the EKS nodes' security group only",
    check: ({ json }) =>
      resourcesOf(json, "aws_rds_cluster").flatMap(([n, c]) => {
        const v = onlyFromEksNodes(json, `aws_rds_cluster.${n}`, asList(c.vpc_security_group_ids) as string[], [POSTGRES_PORT]);
        const group = resourcesOf(json, "aws_db_subnet_group").find(([gn]) => c.db_subnet_group_name === ref("aws_db_subnet_group", gn, "name"));
        const dataSubnets = tierSubnetRefs(json, "data");
        if (!group || JSON.stringify([...asList(group[1].subnet_ids)].sort()) !== JSON.stringify(dataSubnets)) v.push(`aws_rds_cluster.${n}: not in the data-tier subnets`);
        return v;
      }),
  },
  {
    id: "database.access-audited",
    requirement: "10.2.1.1, 10.2.1.2",
    fix: "Keep AuroraPostgres's cluster parameters: pgaudit in shared_preload_libraries, pgaudit.log with read and write (and ddl, role), pgaudit.log_parameter 0; create the extension once (docs/deploy.md).",
    description: "every read and write of the database's tables is audited with the user who made it (pgaudit loaded at boot, pgaudit.log read and write), without the bound values (no cardholder data in the logs)",
    check: ({ json }) =>
      resourcesOf(json, "aws_rds_cluster").flatMap(([n, c]) => {
        const group = clusterParameters(json, c);
        if (!group) return [`aws_rds_cluster.${n}: no cluster parameter group of this stack`];
        const params = group[1];
        const v: string[] = [];
        if (!listParameter(params, "shared_preload_libraries").includes("pgaudit")) v.push(`aws_rds_cluster_parameter_group.${group[0]}: pgaudit is not in shared_preload_libraries`);
        const classes = listParameter(params, "pgaudit.log");
        for (const wanted of ["read", "write", "ddl"]) if (!classes.includes(wanted) && !classes.includes("all")) v.push(`aws_rds_cluster_parameter_group.${group[0]}: pgaudit.log does not audit ${wanted}`);
        if ((params.get("pgaudit.log_parameter") ?? "0") !== "0") v.push(`aws_rds_cluster_parameter_group.${group[0]}: pgaudit.log_parameter writes bound values (cardholder data) into the logs`);
        return v;
      }),
  },
]);
