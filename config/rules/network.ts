/**
 * The address plan: zones, the VPC and its subnets (AWS), the ranges and the Google APIs address
 * (GCP), the interface endpoints.
 */
import { DEFAULT_INTERFACE_ENDPOINTS, EKS_UNSUPPORTED_ZONE_IDS, zonesOf } from "../catalog";
import { Ipv4Range, isPrivate, parseCidr, rangeContains, rangesOverlap } from "../cidr";
import { AwsRegionConfig, GcpRegionConfig, SUBNET_TIERS } from "../schema";
import type { Report } from "./types";

/** The AWS region's availability zones, by ID: three or more, each once, each of the region, none where EKS cannot run. */
export function checkAvailabilityZones(c: AwsRegionConfig, knownAzs: readonly string[] | undefined, report: Report): void {
  if (c.availabilityZoneIds.length < 3) {
    report(
      "availabilityZoneIds",
      `lists ${c.availabilityZoneIds.length} zone(s); the reference model needs at least 3 for the data tier and quorum`,
      `list three or more zones of ${c.cloudRegion}${knownAzs ? ` (${knownAzs.join(", ")})` : ""}`,
    );
  }
  const seen = new Set<string>();
  c.availabilityZoneIds.forEach((az, i) => {
    if (seen.has(az)) report(`availabilityZoneIds[${i}]`, `"${az}" is listed twice`, "list each zone once");
    seen.add(az);
    if (knownAzs && !knownAzs.includes(az)) {
      report(`availabilityZoneIds[${i}]`, `"${az}" is not a zone ID of ${c.cloudRegion}`, `use one of ${knownAzs.join(", ")} (zone IDs, not names: aws ec2 describe-availability-zones shows both)`);
    } else if (EKS_UNSUPPORTED_ZONE_IDS.includes(az)) {
      report(`availabilityZoneIds[${i}]`, `"${az}" is a zone where EKS cannot place the cluster`, `use another zone of ${c.cloudRegion}${knownAzs ? ` (${knownAzs.filter((z) => !EKS_UNSUPPORTED_ZONE_IDS.includes(z)).join(", ")})` : ""}`);
    }
  });
}

/** The AWS VPC block and its subnets: sizes AWS accepts, one block per zone and tier, inside the VPC, no overlap. */
export function checkNetwork(c: AwsRegionConfig, report: Report): void {
  const vpc = parseCidr(c.network.vpcCidr);
  if (typeof vpc === "string") {
    report("network.vpcCidr", vpc, 'use a block such as "10.10.0.0/16"');
  } else if (vpc.prefixLength < 16 || vpc.prefixLength > 24) {
    report("network.vpcCidr", `/${vpc.prefixLength} is outside what a VPC accepts here (/16 to /24)`, "use a prefix length between /16 and /24");
  }

  const subnets: { field: string; range: Ipv4Range }[] = [];
  for (const tier of SUBNET_TIERS) {
    const list = c.network.subnets[tier];
    if (list.length !== c.availabilityZoneIds.length) {
      report(
        `network.subnets.${tier}`,
        `has ${list.length} block(s) for ${c.availabilityZoneIds.length} availability zone(s)`,
        "give exactly one block per zone, in the order of availabilityZoneIds",
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

/** The AWS region's extra interface endpoints: none repeated, none a default, never S3. */
export function checkInterfaceEndpoints(c: AwsRegionConfig, report: Report): void {
  const defaults = DEFAULT_INTERFACE_ENDPOINTS as readonly string[];
  c.network.extraInterfaceEndpoints.forEach((service, i) => {
    const field = `network.extraInterfaceEndpoints[${i}]`;
    if (defaults.includes(service) || c.network.extraInterfaceEndpoints.indexOf(service) !== i) {
      report(field, `"${service}" is already an endpoint of the region`, `remove it (the defaults are ${defaults.join(", ")})`);
    } else if (service === "s3") {
      report(field, '"s3" is served by the gateway endpoint, whose policy limits it to the region\'s buckets', "remove it");
    }
  });
}

/** The GCP region's zones, its ranges (sizes GCP accepts, private, no overlap) and the Google APIs address. */
export function checkGcpNetwork(c: GcpRegionConfig, knownZones: readonly string[] | undefined, report: Report): void {
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
}

/**
 * The DR partner's network (`drNetwork`, where topics are mirrored): three or more zones of the
 * partner region, each once; a VPC block AWS accepts, apart from the home VPC; one data block per
 * zone inside it, none overlapping another.
 */
export function checkDrNetwork(c: AwsRegionConfig, report: Report): void {
  const dr = c.drNetwork;
  if (!dr) return;
  const partner = c.drPartnerRegion;
  const known = partner ? zonesOf("aws", partner) : undefined;
  if (dr.availabilityZoneIds.length < 3) report("drNetwork.availabilityZoneIds", `lists ${dr.availabilityZoneIds.length} zone(s); the mirror's brokers need three`, `list three zones of ${partner ?? "the partner region"}${known ? ` (${known.join(", ")})` : ""}`);
  dr.availabilityZoneIds.forEach((az, i) => {
    if (dr.availabilityZoneIds.indexOf(az) !== i) report(`drNetwork.availabilityZoneIds[${i}]`, `"${az}" is listed twice`, "list each zone once");
    else if (known && !known.includes(az)) report(`drNetwork.availabilityZoneIds[${i}]`, `"${az}" is not a zone ID of ${partner}`, `use one of ${known.join(", ")}`);
  });
  const vpc = parseCidr(dr.vpcCidr);
  if (typeof vpc === "string") {
    report("drNetwork.vpcCidr", vpc, 'use a block such as "10.11.0.0/16"');
    return;
  }
  if (vpc.prefixLength < 16 || vpc.prefixLength > 24) report("drNetwork.vpcCidr", `/${vpc.prefixLength} is outside what a VPC accepts here (/16 to /24)`, "use a prefix length between /16 and /24");
  const home = parseCidr(c.network.vpcCidr);
  if (typeof home !== "string" && rangesOverlap(home, vpc)) report("drNetwork.vpcCidr", `overlaps the region's own VPC (${c.network.vpcCidr})`, "use a block apart from network.vpcCidr (a later restore may need both reachable)");
  if (dr.data.length !== dr.availabilityZoneIds.length) report("drNetwork.data", `has ${dr.data.length} block(s) for ${dr.availabilityZoneIds.length} zone(s)`, "give exactly one block per zone, in the order of drNetwork.availabilityZoneIds");
  // Stryker disable next-line ArrayDeclaration: equivalent (a string in the list overlaps no range)
  const seen: Ipv4Range[] = [];
  dr.data.forEach((block, i) => {
    const field = `drNetwork.data[${i}]`;
    const range = parseCidr(block);
    if (typeof range === "string") return report(field, range, "use a block inside drNetwork.vpcCidr, such as \"10.11.0.0/24\"");
    if (range.prefixLength > 28) report(field, `/${range.prefixLength} is smaller than AWS allows for a subnet`, "use /28 or larger");
    if (!rangeContains(vpc, range)) report(field, `${block} is outside drNetwork.vpcCidr (${dr.vpcCidr})`, "use a block inside the VPC's");
    if (seen.some((r) => rangesOverlap(r, range))) report(field, `${block} overlaps another data block`, "give each zone its own block");
    seen.push(range);
  });
}
