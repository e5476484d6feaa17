import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { AuroraPostgres, AuroraPostgresProps } from "../../../constructs/aws/aurora-postgres";
import { PrivateLinkNetwork } from "../../../constructs/aws/private-link-network";
import { TestStack, newStack, synthJson } from "../../support/construct-stack";
import { testNetworkProps } from "../../support/fixtures";

function database(stack: TestStack, overrides: Partial<AuroraPostgresProps> = {}) {
  const network = new PrivateLinkNetwork(stack, "Network", testNetworkProps(stack));
  const key = (id: string) => new KmsKey(stack, id, {});
  return new AuroraPostgres(stack, "Db", {
    name: "t-eu",
    region: "eu-west-1",
    network,
    clients: { securityGroup: new SecurityGroup(stack, "Clients", { vpcId: network.vpc.id }), description: "the clients" },
    databaseKey: key("DbKey"),
    secretsKey: key("SecretsKey"),
    logsKey: key("LogsKey"),
    logRetentionDays: 365,
    backupRetentionDays: 7,
    ...overrides,
  });
}

describe("AuroraPostgres", () => {
  it("pins the major version only, and its instances run the cluster's", () => {
    const stack = newStack();
    database(stack);
    const r = synthJson(stack).resource;
    for (const i of Object.values(r.aws_rds_cluster_instance) as { engine_version?: string; auto_minor_version_upgrade: boolean }[]) {
      expect(i.engine_version).toBeUndefined();
      expect(i.auto_minor_version_upgrade).toBe(true);
    }
    expect(() => database(newStack(), { engineVersion: "16.6" })).toThrow(/major version such as "16"/);
  });

  it("is secure by default", () => {
    const stack = newStack();
    database(stack);
    const r = synthJson(stack).resource;
    expect(r.aws_rds_cluster.db_cluster).toMatchObject({
      engine: "aurora-postgresql",
      engine_version: "16",
      storage_encrypted: true,
      kms_key_id: "${aws_kms_key.db_key.arn}",
      manage_master_user_password: true,
      master_user_secret_kms_key_id: "${aws_kms_key.secrets_key.arn}",
      iam_database_authentication_enabled: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      enabled_cloudwatch_logs_exports: ["postgresql"],
      lifecycle: { prevent_destroy: true },
    });
    expect(r.aws_rds_cluster.db_cluster.master_password).toBeUndefined();
    const instances = Object.values(r.aws_rds_cluster_instance) as { availability_zone: string; publicly_accessible: boolean; instance_class: string }[];
    expect(instances.map((i) => i.availability_zone)).toEqual(["${aws_subnet.network_data_euw1-az1.availability_zone}", "${aws_subnet.network_data_euw1-az2.availability_zone}"]);
    expect(instances.every((i) => i.publicly_accessible === false && i.instance_class === "db.r6g.large")).toBe(true);
    expect(r.aws_cloudwatch_log_group.db_postgresql_logs_log_group).toMatchObject({ name: "/aws/rds/cluster/t-eu/postgresql", kms_key_id: "${aws_kms_key.logs_key.arn}" });
    const params = Object.fromEntries(r.aws_rds_cluster_parameter_group.db_cluster_parameters.parameter.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(params).toMatchObject({ "rds.force_ssl": "1", ssl_min_protocol_version: "TLSv1.2", log_connections: "1", log_statement: "ddl" });
    expect(r.aws_rds_cluster_parameter_group.db_cluster_parameters.family).toBe("aurora-postgresql16");
  });

  it("puts one instance in each AZ when asked for three", () => {
    const stack = newStack();
    database(stack, { instances: 3 });
    expect(Object.values(synthJson(stack).resource.aws_rds_cluster_instance).map((i) => (i as { availability_zone: string }).availability_zone)).toEqual(["euw1-az1", "euw1-az2", "euw1-az3"].map((id) => `\${aws_subnet.network_data_${id}.availability_zone}`));
  });

  it("rejects a single instance or more instances than AZs", () => {
    expect(() => database(newStack(), { instances: 1 })).toThrow(/between 2 and the number of AZs/);
    expect(() => database(newStack(), { instances: 4 })).toThrow(/between 2 and the number of AZs/);
  });

  it("rejects backups outside 7 to 35 days", () => {
    expect(() => database(newStack(), { backupRetentionDays: 3 })).toThrow(/7 to 35/);
    expect(() => database(newStack(), { backupRetentionDays: 36 })).toThrow(/7 to 35/);
  });
});

describe("AuroraPostgres network access", () => {
  it("admits 5432 from its clients' security group only", () => {
    const stack = newStack();
    database(stack);
    const rules = Object.values(synthJson(stack).resource.aws_vpc_security_group_ingress_rule as Record<string, Record<string, unknown>>).filter(
      (r) => r.security_group_id === "${aws_security_group.db_security_group.id}",
    );
    expect(rules.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.referenced_security_group_id, r.cidr_ipv4])).toEqual([["tcp", 5432, 5432, "${aws_security_group.clients.id}", undefined]]);
  });
});
