import { X509Certificate } from "crypto";
import { CLOUDWATCH_RETENTION_DAYS, PCI_CLOUDWATCH_RETENTION_DAYS, PCI_MIN_LOG_RETENTION_DAYS } from "../pci";
import { AWS_AVAILABILITY_ZONES, GCP_ZONES, ISTIO_RELEASES, JURISDICTIONS, RESERVED_NAMESPACES, jurisdictionOf, zonesOf, DEFAULT_INTERFACE_ENDPOINTS } from "../catalog";
import { Ipv4Range, isPrivate, parseCidr, rangeContains, rangesOverlap } from "../cidr";
import { ConfigProblem } from "../errors";
import { AwsRegionConfig, GcpRegionConfig, HSM_STAGES, RegionConfig, SUBNET_TIERS } from "../schema";
import { isRemote, matchesAllPaths } from "../mesh";

/** A validated region together with the file it came from. */
export interface LoadedRegion {
  readonly file: string;
  readonly config: RegionConfig;
}

type Report = (field: string, problem: string, fix: string) => void;

/**
 * Relations between fields of one region that a schema cannot express. Each rule reports the
 * field and the fix; all rules run so that one pass shows every problem.
 */
export function checkRegion(file: string, c: RegionConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report: Report = (field, problem, fix) => problems.push({ file, field, problem, fix });

  const fileBase = file.replace(/^.*\//, "").replace(/\.[jt]s$/, "");
  if (fileBase !== c.name) {
    report("name", `is "${c.name}" but the file is ${file}`, `set name to "${fileBase}" or rename the file to regions/${c.name}.ts`);
  }

  // Load balancer and target group names are `<prefix>-<name>-partner-api` (≤ 32 characters).
  const stem = `${c.naming.prefix}-${c.name}`;
  if (stem.length > 20) {
    report("naming.prefix", `"${stem}" is ${stem.length} characters; load balancer names built from it would exceed 32`, "shorten naming.prefix or name so that <prefix>-<name> has at most 20 characters");
  }

  const jurisdiction = JURISDICTIONS[c.jurisdiction];
  const allowed = jurisdiction.allowedRegions[c.cloud] as readonly string[];
  const knownAzs = zonesOf(c.cloud, c.cloudRegion);
  if (!knownAzs) {
    report(
      "cloudRegion",
      `"${c.cloudRegion}" is not a known ${c.cloud} region`,
      `use one of ${Object.keys(c.cloud === "aws" ? AWS_AVAILABILITY_ZONES : GCP_ZONES).join(", ")}, or add the region to config/catalog.ts`,
    );
  } else if (!allowed.includes(c.cloudRegion)) {
    const actual = jurisdictionOf(c.cloud, c.cloudRegion);
    report(
      "cloudRegion",
      `"${c.cloudRegion}" is outside jurisdiction ${c.jurisdiction}${actual ? ` (it is in ${actual})` : ""}`,
      `use a region of ${c.jurisdiction} (${allowed.join(", ")}) or correct the jurisdiction`,
    );
  }

  if (c.drPartnerRegion !== undefined) {
    if (c.drPartnerRegion === c.cloudRegion) {
      report("drPartnerRegion", `is the region itself (${c.cloudRegion})`, "name a different region of the same jurisdiction, or remove the field");
    } else if (!allowed.includes(c.drPartnerRegion)) {
      report(
        "drPartnerRegion",
        `"${c.drPartnerRegion}" is outside jurisdiction ${c.jurisdiction}: backups and replicas would leave it`,
        `choose a DR region of ${c.jurisdiction} (${allowed.filter((r) => r !== c.cloudRegion).join(", ")})`,
      );
    }
  }

  if (!allowed.includes(c.stateBackend.region)) {
    report(
      "stateBackend.region",
      `"${c.stateBackend.region}" is outside jurisdiction ${c.jurisdiction}; Terraform state holds resource attributes of the region`,
      `keep the state bucket in ${c.jurisdiction} (${allowed.join(", ")})`,
    );
  }

  if (c.cloud === "aws") checkAwsRegion(c, knownAzs, report);
  else checkGcpRegion(c, knownAzs, report);
  checkServices(c, report);
  checkMesh(c, report);
  checkRetention(c, report);
  return problems;
}

/** What only a GCP region declares: zones, address plan, state key, partners, KMS, Cloud SQL, Kafka, GKE. */
function checkGcpRegion(c: GcpRegionConfig, knownZones: readonly string[] | undefined, report: Report): void {
  if (c.zones.length < 3) report("zones", `lists ${c.zones.length} zone(s); the reference model needs at least 3`, `list three or more zones of ${c.cloudRegion}${knownZones ? ` (${knownZones.join(", ")})` : ""}`);
  c.zones.forEach((z, i) => {
    if (c.zones.indexOf(z) !== i) report(`zones[${i}]`, `"${z}" is listed twice`, "list each zone once");
    else if (knownZones && !knownZones.includes(z)) report(`zones[${i}]`, `"${z}" is not a zone of ${c.cloudRegion}`, `use one of ${knownZones.join(", ")}`);
  });

  // The address plan: every range parses, has a size GCP accepts, and overlaps no other.
  const sizes: Record<keyof GcpRegionConfig["network"], [number, number] | undefined> = {
    workloadCidr: [16, 24],
    podsCidr: [14, 21],
    servicesCidr: [16, 24],
    dataCidr: [20, 28],
    pscNatCidr: [22, 29],
    controlPlaneCidr: [28, 28],
    googleApisAddress: undefined,
  };
  const ranges: { field: string; range: Ipv4Range }[] = [];
  for (const [key, size] of Object.entries(sizes) as [keyof GcpRegionConfig["network"], [number, number] | undefined][]) {
    if (!size) continue;
    const field = `network.${key}`;
    const range = parseCidr(c.network[key]);
    if (typeof range === "string") {
      report(field, range, 'use a private block such as "10.30.0.0/20"');
      continue;
    }
    if (range.prefixLength < size[0] || range.prefixLength > size[1]) report(field, `/${range.prefixLength} is outside /${size[0]} to /${size[1]}`, `use a prefix length between /${size[0]} and /${size[1]}`);
    if (!isPrivate(range)) report(field, `${range.cidr} is not a private (RFC 1918) range`, "use a private (RFC 1918) block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16");
    const clash = ranges.find((r) => rangesOverlap(r.range, range));
    if (clash) report(field, `${range.cidr} overlaps ${clash.field} (${clash.range.cidr})`, "give every range its own, non-overlapping block");
    ranges.push({ field, range });
  }
  const api = parseCidr(`${c.network.googleApisAddress}/32`);
  if (typeof api === "string") report("network.googleApisAddress", api, 'use an internal address such as "10.30.255.254"');
  else {
    const inside = ranges.find((r) => rangesOverlap(r.range, api));
    if (inside) report("network.googleApisAddress", `${c.network.googleApisAddress} is inside ${inside.field}`, "use an address outside every subnet and secondary range");
    if (!isPrivate(api)) report("network.googleApisAddress", `${c.network.googleApisAddress} is not a private address`, "use an RFC 1918 address");
  }

  const keyLocation = c.stateBackend.kmsKeyName.split("/")[3];
  if (keyLocation !== c.stateBackend.region) {
    report("stateBackend.kmsKeyName", `is in ${keyLocation}, not the state bucket's region ${c.stateBackend.region}`, `use a Cloud KMS key in ${c.stateBackend.region}`);
  }
  c.paymentApi.consumerAcceptList.forEach((p, i) => {
    if (c.paymentApi.consumerAcceptList.findIndex((o) => o.project === p.project) !== i) report(`paymentApi.consumerAcceptList[${i}]`, `"${p.project}" is listed twice`, "list each partner project once");
    if (p.project === c.projectId || p.project === c.projectNumber) report(`paymentApi.consumerAcceptList[${i}]`, "is the region's own project", "name the partners' projects");
    if (p.connectionLimit < 1 || p.connectionLimit > 100) report(`paymentApi.consumerAcceptList[${i}].connectionLimit`, `${p.connectionLimit}`, "use 1 to 100");
  });
  if (c.kms.rotationDays < 1 || c.kms.rotationDays > 365) report("kms.rotationDays", `${c.kms.rotationDays} days`, "use 1 to 365 (PCI DSS 3.7.4: a defined cryptoperiod of at most a year)");
  if (c.database.backupRetentionDays < 7 || c.database.backupRetentionDays > 365) report("database.backupRetentionDays", `${c.database.backupRetentionDays} days is outside 7 to 365`, "use at least 7 (the reference model's floor) and at most 365 (Cloud SQL's limit)");
  if (c.database.diskGb < 10) report("database.diskGb", `${c.database.diskGb} GB`, "use at least 10 GB");
  const k = c.kafka;
  if (k.vcpuCount < 3) report("kafka.vcpuCount", `${k.vcpuCount} vCPUs`, "use at least 3, so that brokers spread over three zones");
  if (k.memoryGiB < k.vcpuCount || k.memoryGiB > 8 * k.vcpuCount) report("kafka.memoryGiB", `${k.memoryGiB} GiB for ${k.vcpuCount} vCPUs`, `use ${k.vcpuCount} to ${8 * k.vcpuCount} GiB (1 to 8 GiB per vCPU)`);
  k.topics.forEach((t, i) => {
    const field = `kafka.topics[${i}]`;
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(t.name) || k.topics.findIndex((o) => o.name === t.name) !== i) report(`${field}.name`, `"${t.name}" is repeated or not a valid topic name`, "use letters, digits, '.', '_' and '-', each topic once");
    if (t.replicationFactor !== 3) report(`${field}.replicationFactor`, `${t.replicationFactor}`, "use 3: Managed Kafka keeps three replicas, one per zone, so that min.insync.replicas=2 survives a zone loss");
    if (t.partitions < 1) report(`${field}.partitions`, `${t.partitions} partitions`, "use at least 1");
    if (t.retentionHours < 1) report(`${field}.retentionHours`, `${t.retentionHours} hours`, "use at least 1");
  });
  c.services.forEach((svc, i) => {
    if (svc.access && !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(`wi-${svc.name}`)) {
      report(`services[${i}].name`, `"${svc.name}" gives the Workload Identity account "wi-${svc.name}", which GCP does not accept`, "use a service name of 3 to 27 lowercase letters, digits or dashes, ending with a letter or digit");
    }
  });
  if (c.mesh.rootCaArn !== undefined) report("mesh.rootCaArn", "a GCP region cannot hold its mesh intermediate yet (Google CA Service is not built)", "remove mesh.rootCaArn from the GCP region");
  const n = c.gke.nodes;
  if (n.minPerZone < 1 || n.maxPerZone < n.minPerZone) report("gke.nodes", `minPerZone ${n.minPerZone}, maxPerZone ${n.maxPerZone}`, "use 1 <= minPerZone <= maxPerZone: at least one node per zone");
  if (n.diskGb < 20 || n.diskGb > 1000) report("gke.nodes.diskGb", `${n.diskGb} GB`, "use 20 to 1000 GB");
  c.gke.masterAuthorizedNetworks.forEach((m, i) => {
    const range = parseCidr(m.cidr);
    if (typeof range === "string") report(`gke.masterAuthorizedNetworks[${i}].cidr`, range, 'use the deploy runners\' private range, e.g. "10.30.0.0/24"');
    else if (!isPrivate(range)) report(`gke.masterAuthorizedNetworks[${i}].cidr`, `${m.cidr} is not a private range; the control plane has no public endpoint`, "name private ranges inside the VPC or connected to it");
  });
}

/** What only an AWS region declares: AZs, VPC plan, state key, certificate, partners, HSM, Aurora, MSK, EKS. */
function checkAwsRegion(c: AwsRegionConfig, knownAzs: readonly string[] | undefined, report: Report): void {
  checkAvailabilityZones(c, knownAzs, report);
  checkNetwork(c, report);
  const stateKeyRegion = c.stateBackend.kmsKeyArn.split(":")[3];
  if (!c.stateBackend.kmsKeyArn.startsWith("arn:aws:kms:") || stateKeyRegion !== c.stateBackend.region) {
    report(
      "stateBackend.kmsKeyArn",
      `must be a KMS key in the state bucket's region (${c.stateBackend.region}), got "${c.stateBackend.kmsKeyArn}"`,
      `use the ARN of a KMS key in ${c.stateBackend.region}`,
    );
  }

  const [, , service, certRegion, certAccount] = c.paymentApi.certificateArn.split(":");
  if (service !== "acm" || certRegion !== c.cloudRegion || certAccount !== c.accountId) {
    report(
      "paymentApi.certificateArn",
      `must be an ACM certificate in ${c.cloudRegion} of account ${c.accountId}`,
      `issue or import the certificate in ACM ${c.cloudRegion} of ${c.accountId} and use its ARN`,
    );
  }
  c.paymentApi.allowedPrincipals.forEach((principal, i) => {
    const field = `paymentApi.allowedPrincipals[${i}]`;
    if (principal.includes("*")) {
      report(field, `"${principal}" contains a wildcard; any account could then connect to the payment API`, "name each partner's account root or role ARN exactly");
    } else if (!/^arn:aws:iam::\d{12}:(root|role\/.+|user\/.+)$/.test(principal)) {
      report(field, `"${principal}" is not an IAM account root, role or user ARN`, 'use e.g. "arn:aws:iam::210987654321:root"');
    }
  });

  c.paymentApi.partnerClientCidrs.forEach((block, i) => {
    const field = `paymentApi.partnerClientCidrs[${i}]`;
    const range = parseCidr(block);
    if (typeof range === "string") report(field, range, 'use the partner\'s client range, e.g. "172.16.0.0/16"');
    else if (range.prefixLength < 8) report(field, `${block} is wider than /8: it admits most of the address space to the payment API`, "list each partner's actual client ranges");
  });

  const defaults = DEFAULT_INTERFACE_ENDPOINTS as readonly string[];
  c.network.extraInterfaceEndpoints.forEach((service, i) => {
    const field = `network.extraInterfaceEndpoints[${i}]`;
    if (defaults.includes(service) || c.network.extraInterfaceEndpoints.indexOf(service) !== i) {
      report(field, `"${service}" is already an endpoint of the region`, `remove it (the defaults are ${defaults.join(", ")})`);
    } else if (service === "s3") {
      report(field, '"s3" is served by the gateway endpoint, whose policy limits it to the region\'s buckets', "remove it");
    }
  });

  checkHsm(c, report);

  const db = c.database;
  if (db.instances < 2 || db.instances > c.availabilityZones.length) {
    report("database.instances", `${db.instances} instance(s) for ${c.availabilityZones.length} AZs`, `use 2 to ${c.availabilityZones.length}: at least two for failover, each in its own AZ`);
  }
  if (db.backupRetentionDays < 7 || db.backupRetentionDays > 35) {
    report("database.backupRetentionDays", `${db.backupRetentionDays} days is outside 7 to 35`, "use at least 7 (the reference model's floor) and at most 35 (RDS's limit)");
  }

  checkKafka(c, report);
  checkEks(c, report);
}

function checkAvailabilityZones(c: AwsRegionConfig, knownAzs: readonly string[] | undefined, report: Report): void {
  if (c.availabilityZones.length < 3) {
    report(
      "availabilityZones",
      `lists ${c.availabilityZones.length} zone(s); the reference model needs at least 3 for the data tier and quorum`,
      `list three or more zones of ${c.cloudRegion}${knownAzs ? ` (${knownAzs.join(", ")})` : ""}`,
    );
  }
  const seen = new Set<string>();
  c.availabilityZones.forEach((az, i) => {
    if (seen.has(az)) report(`availabilityZones[${i}]`, `"${az}" is listed twice`, "list each zone once");
    seen.add(az);
    if (knownAzs && !knownAzs.includes(az)) {
      report(`availabilityZones[${i}]`, `"${az}" is not a zone of ${c.cloudRegion}`, `use one of ${knownAzs.join(", ")}`);
    }
  });
}

function checkNetwork(c: AwsRegionConfig, report: Report): void {
  const vpc = parseCidr(c.network.vpcCidr);
  if (typeof vpc === "string") {
    report("network.vpcCidr", vpc, 'use a block such as "10.10.0.0/16"');
  } else if (vpc.prefixLength < 16 || vpc.prefixLength > 24) {
    report("network.vpcCidr", `/${vpc.prefixLength} is outside what a VPC accepts here (/16 to /24)`, "use a prefix length between /16 and /24");
  }

  const subnets: { field: string; range: Ipv4Range }[] = [];
  for (const tier of SUBNET_TIERS) {
    const list = c.network.subnets[tier];
    if (list.length !== c.availabilityZones.length) {
      report(
        `network.subnets.${tier}`,
        `has ${list.length} block(s) for ${c.availabilityZones.length} availability zone(s)`,
        "give exactly one block per zone, in the order of availabilityZones",
      );
    }
    list.forEach((block, i) => {
      const field = `network.subnets.${tier}[${i}]`;
      const range = parseCidr(block);
      if (typeof range === "string") {
        report(field, range, "use a block inside network.vpcCidr, such as \"10.10.0.0/20\"");
        return;
      }
      if (range.prefixLength > 28) {
        report(field, `/${range.prefixLength} is smaller than AWS allows for a subnet`, "use /28 or larger");
      }
      if (typeof vpc !== "string" && !rangeContains(vpc, range)) {
        report(field, `${block} is not inside network.vpcCidr ${c.network.vpcCidr}`, `pick a block inside ${c.network.vpcCidr}`);
      }
      const clash = subnets.find((s) => rangesOverlap(s.range, range));
      if (clash) {
        report(field, `${block} overlaps ${clash.field} (${clash.range.cidr})`, "give every subnet its own, non-overlapping block");
      }
      subnets.push({ field, range });
    });
  }
}

function checkKafka(c: AwsRegionConfig, report: Report): void {
  const k = c.kafka;
  const azCount = c.availabilityZones.length;
  const brokers = k.brokers ?? azCount;
  if (k.brokers !== undefined && (k.brokers < 3 || k.brokers % azCount !== 0)) {
    report("kafka.brokers", `${k.brokers} brokers cannot spread evenly over ${azCount} AZs (or is under 3)`, `use a multiple of ${azCount} that is at least 3, e.g. ${Math.max(3, azCount)}`);
  }
  k.scramUsers.forEach((user, i) => {
    if (!/^[A-Za-z0-9_-]+$/.test(user) || k.scramUsers.indexOf(user) !== i) {
      report(`kafka.scramUsers[${i}]`, `"${user}" is repeated or has characters other than letters, digits, _ and -`, "list each user once, e.g. \"payment-core\"");
    }
  });
  k.topics.forEach((t, i) => {
    const field = `kafka.topics[${i}]`;
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(t.name) || k.topics.findIndex((o) => o.name === t.name) !== i) {
      report(`${field}.name`, `"${t.name}" is repeated or not a valid topic name`, "use letters, digits, '.', '_' and '-', each topic once");
    }
    if (t.replicationFactor < 3 || t.replicationFactor > brokers) {
      report(`${field}.replicationFactor`, `${t.replicationFactor} cannot keep min.insync.replicas=2 through a broker loss on ${brokers} brokers`, `use 3 to ${brokers}`);
    }
    if (t.partitions < 1) report(`${field}.partitions`, `${t.partitions} partitions`, "use at least 1");
    if (t.retentionHours < 1) report(`${field}.retentionHours`, `${t.retentionHours} hours`, "use at least 1");
  });
}

function checkRetention(c: RegionConfig, report: Report): void {
  const r = c.retention;
  if (r.auditArchiveDays < PCI_MIN_LOG_RETENTION_DAYS) {
    report(
      "retention.auditArchiveDays",
      `${r.auditArchiveDays} days is under the PCI DSS 10.5.1 minimum of ${PCI_MIN_LOG_RETENTION_DAYS} days (12 months)`,
      `set it to ${PCI_MIN_LOG_RETENTION_DAYS} or more; COMPLIANCE-mode locks cannot be shortened later, so choose deliberately`,
    );
  }
  if (c.cloud === "gcp") {
    if (r.logDays < PCI_MIN_LOG_RETENTION_DAYS || r.logDays > 3650) {
      report("retention.logDays", `${r.logDays} days is outside ${PCI_MIN_LOG_RETENTION_DAYS} (PCI DSS 10.5.1) to 3650 (Cloud Logging's limit)`, `use ${PCI_MIN_LOG_RETENTION_DAYS} to 3650`);
    }
  } else if (r.logDays < PCI_MIN_LOG_RETENTION_DAYS) {
    report(
      "retention.logDays",
      `${r.logDays} days is under the PCI DSS 10.5.1 minimum of ${PCI_MIN_LOG_RETENTION_DAYS} days`,
      `set it to one of ${PCI_CLOUDWATCH_RETENTION_DAYS.join(", ")}`,
    );
  } else if (!(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(r.logDays)) {
    report(
      "retention.logDays",
      `${r.logDays} is not a retention CloudWatch Logs accepts`,
      `use one of ${PCI_CLOUDWATCH_RETENTION_DAYS.join(", ")}`,
    );
  }
  if (r.coldStorageAfterDays < 30 || r.coldStorageAfterDays >= r.auditArchiveDays) {
    report(
      "retention.coldStorageAfterDays",
      `${r.coldStorageAfterDays} must be at least 30 and less than auditArchiveDays (${r.auditArchiveDays})`,
      "use 90 (the reference model's default) or another value in that range",
    );
  }
}

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
      const rootOf = (c: RegionConfig) => (c.cloud === "aws" ? c.mesh.rootCaArn : undefined);
      if (!rootOf(a.config) || rootOf(a.config) !== rootOf(caller.config)) {
        problems.push({ file: a.file, field, problem: `${caller.file} and this region do not name the same mesh.rootCaArn, so the caller cannot authenticate here`, fix: "give both regions the platform's root CA (mesh.rootCaArn)" });
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
          if (rangesOverlap(ra.range, rb.range)) {
            problems.push({
              file: a.file,
              field: ra.field,
              problem: `${ra.range.cidr} overlaps ${rb.field} of ${b.file} (${rb.range.cidr}); regions could never be connected`,
              fix: "give each region distinct blocks (e.g. 10.10.0.0/16, 10.20.0.0/16, 10.30.0.0/16, ...)",
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
      ? [["network.vpcCidr", c.network.vpcCidr]]
      : (["workloadCidr", "podsCidr", "servicesCidr", "dataCidr", "pscNatCidr", "controlPlaneCidr"] as const).map((k) => [`network.${k}`, c.network[k]]);
  return fields.flatMap(([field, cidr]) => {
    const range = parseCidr(cidr);
    return typeof range === "string" ? [] : [{ field, range }];
  });
}

/** Where a region's state lives, as one comparable string. */
function stateLocation(c: RegionConfig): { field: string; where: string } {
  return c.cloud === "aws"
    ? { field: "stateBackend.key", where: `s3://${c.stateBackend.bucket}/${c.stateBackend.key}` }
    : { field: "stateBackend.prefix", where: `gs://${c.stateBackend.bucket}/${c.stateBackend.prefix}` };
}

/** The CloudHSM stage, its trust anchor and the tokenization key generation. */
function checkHsm(c: AwsRegionConfig, report: Report): void {
  const hsm = c.hsm;
  if (hsm.count < 2 || hsm.count > c.availabilityZones.length) {
    report("hsm.count", `${hsm.count} HSM(s) for ${c.availabilityZones.length} AZs`, `use 2 to ${c.availabilityZones.length}: KMS custom key stores need two active HSMs in different AZs`);
  }
  const stageIndex = HSM_STAGES.indexOf(hsm.stage);
  if (hsm.trustAnchorCertificate === undefined) {
    if (stageIndex >= HSM_STAGES.indexOf("keystore")) {
      report(
        "hsm.trustAnchorCertificate",
        `is required at stage "${hsm.stage}": the custom key store verifies the cluster against it`,
        "paste the PEM of customerCA.crt, the CA certificate that signed the cluster CSR (README, CloudHSM ceremony, step 2)",
      );
    }
  } else {
    const problem = trustAnchorProblem(hsm.trustAnchorCertificate);
    if (problem === "not-ca") {
      report(
        "hsm.trustAnchorCertificate",
        "is not a CA certificate; the trust anchor is the CA that signs the cluster certificate",
        "use customerCA.crt, the CA certificate you signed the cluster CSR with, not the signed cluster certificate itself",
      );
    } else if (problem) {
      report("hsm.trustAnchorCertificate", problem, "paste the whole PEM of customerCA.crt, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----");
    }
  }
  if (hsm.tokenizationKeyGeneration < 1) {
    report("hsm.tokenizationKeyGeneration", `is ${hsm.tokenizationKeyGeneration}`, "use 1 for the first HSM-backed key, and raise it by one to rotate");
  } else if (hsm.tokenizationKeyGeneration > 1 && hsm.stage !== "keys") {
    report(
      "hsm.tokenizationKeyGeneration",
      `is ${hsm.tokenizationKeyGeneration} at stage "${hsm.stage}", but HSM-backed keys exist only at stage "keys"`,
      'leave it at 1 until stage "keys"; raise it only to rotate the HSM-backed key',
    );
  }
}

/** Why a trust anchor is unusable ("not-ca" or a description), or undefined when it is one CA certificate in PEM. */
function trustAnchorProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  if (blocks !== 1) return `holds ${blocks} PEM certificate(s); the trust anchor is exactly one`;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (e) {
    return `is not a readable X.509 certificate (${(e as Error).message})`;
  }
  if (!cert.ca) return "not-ca";
  return undefined;
}

/** The EKS cluster: roles in the region's account, node counts that cover every AZ. */
function checkEks(c: AwsRegionConfig, report: Report): void {
  const eks = c.eks;
  for (const field of ["adminRoleArn", "deployRoleArn"] as const) {
    const account = /^arn:[^:]+:iam::(\d{12}):/.exec(eks[field])?.[1];
    if (account !== c.accountId) {
      report(`eks.${field}`, `is a role of account ${account}, not of the region's account ${c.accountId}`, `use a role of ${c.accountId}; cross-account cluster admins are not supported`);
    }
  }
  if (eks.adminRoleArn === eks.deployRoleArn) {
    report("eks.deployRoleArn", "is the administrators' role", "give the deploy pipeline its own role, so that its use is told apart in the audit trail");
  }
  const n = eks.nodes;
  const azs = c.availabilityZones.length;
  if (n.minSize < azs || n.minSize > n.desiredSize || n.desiredSize > n.maxSize) {
    report("eks.nodes", `minSize ${n.minSize}, desiredSize ${n.desiredSize}, maxSize ${n.maxSize}`, `use ${azs} <= minSize <= desiredSize <= maxSize: at least one node per AZ`);
  }
  if (n.diskGiB < 20 || n.diskGiB > 1000) {
    report("eks.nodes.diskGiB", `${n.diskGiB} GiB`, "use 20 to 1000 GiB");
  }
}

/** Services: unique names and identities, namespaces the platform does not own, known topics. */
function checkServices(c: RegionConfig, report: Report): void {
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
      const owner = [...prefixes].find(([p]) => p.startsWith(aws.auditWritePrefix!) || aws.auditWritePrefix!.startsWith(p));
      if (owner) report(`${field}.access.auditWritePrefix`, `"${aws.auditWritePrefix}" overlaps "${owner[0]}" of ${owner[1]}`, "give each service a prefix of its own, neither inside another");
      prefixes.set(aws.auditWritePrefix, svc.name);
    }
  });
}

/**
 * The mesh: an Istio release that supports the cluster's Kubernetes version, merchant namespaces
 * the platform does not own, and a call graph between declared identities and services.
 */
function checkMesh(c: RegionConfig, report: Report): void {
  const mesh = c.mesh;
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
      report(`services[${i}].access`, `gives cloud access to ${svc.name} in merchant namespace "${svc.namespace}", whose NetworkPolicies block the workload identity agent and the private API endpoints`, "run the cloud-facing part in a platform namespace and call it through mesh.calls, or remove access");
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
  const known = (what: "identities" | "services") => [...(what === "identities" ? identities : targets)].join(", ") || "(none declared)";
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
        report(`${field}.${end}`, `names namespace "${namespace}", where no service is declared`, `declare the service in services[], or use one of: ${known(end === "from" ? "identities" : "services")}`);
      } else if (end === "from") {
        report(`${field}.from`, `"${call.from}" is not the identity (<namespace>/<serviceAccount>) of a declared service`, `use one of: ${known("identities")}`);
      } else {
        report(`${field}.to`, `"${call.to}" is not a declared service (<namespace>/<name>)`, `use one of: ${known("services")}`);
      }
    }
    const target = c.services.find((s) => `${s.namespace}/${s.name}` === call.to);
    if (target && `${target.namespace}/${target.serviceAccount ?? target.name}` === call.from) {
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
    call.paths.forEach((path, j) => {
      if (matchesAllPaths(path)) report(`${field}.paths[${j}]`, `"${path}" allows every path`, 'name the paths the caller needs, e.g. "/tokenize" or "/v1/charges/*"');
      else if (!path.startsWith("/") && !path.startsWith("*")) report(`${field}.paths[${j}]`, `"${path}" is not a path`, 'start it with "/", e.g. "/tokenize"');
      else if (path.slice(1, -1).includes("*")) report(`${field}.paths[${j}]`, `"${path}" has a "*" inside; the blueprint supports exact paths, a prefix ("/a/*") or a suffix ("*/b"), not Istio's path templates`, 'use an exact path, "/prefix/*" or "*/suffix"');
      if (call.paths.indexOf(path) !== j) report(`${field}.paths[${j}]`, `"${path}" is listed twice`, "list each path once");
    });
    call.methods.forEach((m, j) => {
      if (call.methods.indexOf(m) !== j) report(`${field}.methods[${j}]`, `"${m}" is listed twice`, "list each method once");
    });
  });
}
