import { JURISDICTIONS } from "../../../config/catalog";
import { crossRegionView } from "../../../model/mesh/cross-region";
import { stackRules } from "../../rule";
import { TfJson, resourcesOf, asList, refName, addressOf, walkStrings } from "../../../tfjson/terraform";

/** An AWS region name, alone or as the stem of an AZ name (`eu-west-1`, `eu-west-1a`). */
const AWS_REGION_NAME = /\b((?:eusc-[a-z]{2}|us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d{1,2})[a-z]?\b/g;
/** A GCP region name, alone or as the stem of a zone (`asia-southeast1`, `asia-southeast1-a`). */
const GCP_REGION_NAME = /\b((?:asia|europe|us|northamerica|southamerica|australia|me|africa)-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)\d{1,2})(?:-[a-z])?\b/g;
/** ARNs of another partition (China, GovCloud, ISO, European Sovereign Cloud) are outside any of our jurisdictions. */
const OTHER_PARTITION = /\barn:aws-[a-z-]+:/;
const DIRECTION = /north|south|east|west|central/;

export const RESIDENCY_RULES = stackRules({ layers: ["aws", "gcp", "pki", "istio", "mesh", "dr"] }, [
  {
    id: "residency.in-jurisdiction",
    requirement: "12.5.2, 3.2.1",
    fix: "Keep every provider, ARN, endpoint, replica and backup destination in one of the jurisdiction's allowed regions (config/catalog.ts JURISDICTIONS); replicating to another region of the same jurisdiction needs it named in the region file, never a region outside it.",
    description: "every AWS region the stack names (providers, state, ARNs, endpoints, image registries, replicas, backups) is one of the jurisdiction's allowed regions; no replication to a bucket outside this stack and no global database",
    check: ({ json, region, peers }) => {
      const allowed = new Set<string>(JURISDICTIONS[region.jurisdiction].allowedRegions.aws);
      // The regions of the declared calls between regions (their callers may cross jurisdictions
      // only without cardholder data: the config rules): named only where the east-west path
      // needs them, the callers' regions by the endpoint service, the callees' by each interface endpoint.
      const links = crossRegionView(region, peers);
      const callerRegions = new Set(links.incoming.map((l) => l.caller.cloudRegion));
      const calleeRegions = new Set(links.outgoing.map((l) => l.callee.cloudRegion));
      const crossRegionPath = (path: readonly string[], name: string) =>
        path[0] === "resource" &&
        ((path[1] === "aws_vpc_endpoint_service" && path[3] === "supported_regions" && callerRegions.has(name)) ||
          (path[1] === "aws_vpc_endpoint" && (path[3] === "service_region" || path[3] === "service_name") && calleeRegions.has(name)));
      // The platform's one root CA (mesh.rootCaArn) may sit in another jurisdiction: its region is
      // accepted only where the root signs this region's intermediate (the pca_root provider and the
      // certificate it issues). It holds its own key and signs service identities, no account data.
      // Stryker disable next-line ConditionalExpression: equivalent (a GCP region has no mesh.rootCaArn: the config rules refuse one)
      const rootCaArn = region.cloud === "aws" ? region.mesh.rootCaArn : undefined;
      const rootRegion = rootCaArn?.startsWith("arn:aws:") ? rootCaArn.split(":")[3] : undefined;
      const rootAddresses = new Set(["provider.aws.pca_root", ...Object.keys(json.resource?.aws_acmpca_certificate ?? {}).map((n) => `aws_acmpca_certificate.${n}`)]);
      const allowedGcp = new Set<string>(JURISDICTIONS[region.jurisdiction].allowedRegions.gcp);
      const seen = new Map<string, Set<string>>();
      const note = (path: readonly string[], what: string) => {
        const address = addressOf(path);
        if (!seen.has(address)) seen.set(address, new Set());
        seen.get(address)!.add(what);
      };
      walkStrings(json, [], (path, value) => {
        // Every region name and every other partition's ARN has a dash (a shortcut only).
        // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent (the patterns below need a dash)
        if (!value.includes("-")) return;
        if (OTHER_PARTITION.test(value)) note(path, `partition ${/\barn:(aws-[a-z-]+):/.exec(value)![1]}`);
        // Every region name names a direction (a shortcut only).
        // Stryker disable next-line ConditionalExpression,Regex: equivalent (both patterns below need one of these words)
        if (!DIRECTION.test(value)) return;
        for (const m of value.matchAll(GCP_REGION_NAME)) if (!allowedGcp.has(m[1])) note(path, m[1]);
        for (const m of value.matchAll(AWS_REGION_NAME)) {
          if (allowed.has(m[1])) continue;
          // Stryker disable next-line OptionalChaining,StringLiteral: equivalent (a provider path always names a block of the stack; an unaliased one is no root address)
          const provider = path[0] === "provider" ? `provider.${path[1]}.${(json.provider?.[path[1]]?.[Number(path[2])] as TfJson | undefined)?.alias ?? ""}` : addressOf(path);
          if (m[1] === rootRegion && rootAddresses.has(provider)) continue;
          if (crossRegionPath(path, m[1])) continue;
          note(path, m[1]);
        }
      });
      const v = [...seen].map(([address, regions]) => `${address}: names ${[...regions].sort().join(", ")}, outside ${region.jurisdiction} (${[...allowed, ...allowedGcp].join(", ")})`);
      for (const [name, r] of resourcesOf(json, "aws_s3_bucket_replication_configuration")) {
        for (const rule of asList<TfJson>(r.rule)) {
          const dest = asList<TfJson>(rule.destination)[0]?.bucket;
          const own = refName(dest, "aws_s3_bucket", "arn");
          // Stryker disable next-line OptionalChaining: equivalent (a replication configuration is a resource: the stack has a resource block)
          if (!own || !(json.resource?.aws_s3_bucket ?? {})[own]) v.push(`aws_s3_bucket_replication_configuration.${name}: replicates to ${dest}, not a bucket of this stack`);
        }
      }
      for (const type of ["aws_rds_global_cluster", "aws_dynamodb_global_table", "aws_kms_replica_key", "aws_kms_replica_external_key"]) {
        for (const [name] of resourcesOf(json, type)) v.push(`${type}.${name}: replicates across regions`);
      }
      return v;
    },
  },
]);
