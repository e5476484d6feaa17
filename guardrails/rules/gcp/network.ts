/**
 * The VPC: a firewall that denies and logs by default, the VPC Service Controls perimeter,
 * private addresses and logged subnets only.
 */
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules, stackRules } from "../../rule";
import { TfJson, resourcesOf, asList, one } from "../../../tfjson/terraform";
import { GOOGLE_HEALTH_CHECK_RANGES, PERIMETER_SERVICES } from "../../../model/gcp/network";
import { appliedPerimeterConfig, isPrivateRange, insideRegion } from "./common";

export const GCP_NETWORK_STACK_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.firewall-default-deny-logged",
    requirement: "1.2.1, 1.3.1, 1.3.2, 10.2",
    fix: "Keep GcpPrivateNetwork's deny-all rules (ingress and egress, lowest priority) and log every rule; allow only from the region's ranges (and Google's health checkers), never 0.0.0.0/0.",
    description: "the VPC denies and logs all ingress and egress by default; every firewall rule logs; no allow rule admits a source outside the region's ranges (Google's health checkers aside) or egress to the internet",
    check: ({ json, region }) => {
      const v: string[] = [];
      const rules = resourcesOf(json, "google_compute_firewall");
      for (const direction of ["INGRESS", "EGRESS"]) {
        const deny = rules.find(
          ([, r]) =>
            r.direction === direction &&
            asList<TfJson>(r.deny).some((d) => d.protocol === "all") &&
            r.priority === 65534 &&
            asList(r[direction === "INGRESS" ? "source_ranges" : "destination_ranges"]).includes("0.0.0.0/0") &&
            // Denies everything to everyone: no target or source filter narrows it.
            ["target_service_accounts", "target_tags", "source_service_accounts", "source_tags"].every((k) => asList(r[k]).length === 0) &&
            r.disabled !== true,
        );
        if (!deny) v.push(`google_compute_firewall: no deny-all ${direction} rule at the lowest priority`);
      }
      for (const [n, r] of rules) {
        const a = `google_compute_firewall.${n}`;
        if (!r.log_config) v.push(`${a}: not logged`);
        if (r.disabled === true) v.push(`${a}: disabled`);
        if (asList(r.allow).length === 0) continue;
        if (asList(r.target_service_accounts).length === 0) v.push(`${a}: allows traffic of every instance; target service accounts`);
        if (r.direction === "INGRESS") {
          // With no source at all, GCP takes 0.0.0.0/0.
          const sources = asList<string>(r.source_ranges).length > 0 || asList(r.source_service_accounts).length > 0 ? asList<string>(r.source_ranges) : ["0.0.0.0/0"];
          for (const s of sources) if (!insideRegion(region, s) && !GOOGLE_HEALTH_CHECK_RANGES.includes(s)) v.push(`${a}: allows ingress from ${s}`);
          if (asList(r.source_tags).length > 0) v.push(`${a}: allows by network tag (anyone may set tags); use service accounts`);
        } else {
          const destinations = asList<string>(r.destination_ranges).length > 0 ? asList<string>(r.destination_ranges) : ["0.0.0.0/0"];
          for (const d of destinations) if (!insideRegion(region, d)) v.push(`${a}: allows egress to ${d}`);
        }
        if (asList(r.target_tags).length > 0) v.push(`${a}: targets a network tag; target service accounts instead`);
      }
      return v;
    },
  },
  {
    id: "gcp.perimeter",
    requirement: "1.3.1, 1.4.1, 7.2",
    fix: "Keep GcpPrivateNetwork's perimeter when vpcServiceControls is configured: the project inside, the data services restricted, the VPC limited to restricted services, the Google APIs endpoint on the vpc-sc bundle, ingress for the deploy identity from the runners' access level and the break-glass identities from theirs only.",
    description: "where the region names an access policy, a perimeter (its dry-run spec, or its enforced status) holds the project, restricts its data services, limits the VPC to restricted services, reaches APIs through the vpc-sc bundle and admits from outside only the deploy identity from the runners' access level and the break-glass identities from theirs",
    check: ({ json, region }) => {
      const sc = region.vpcServiceControls;
      if (!sc) return [];
      const perimeters = resourcesOf(json, "google_access_context_manager_service_perimeter").filter(([, p]) => p.parent === sc.accessPolicy);
      if (perimeters.length !== 1) return [`google_access_context_manager_service_perimeter: ${perimeters.length} perimeters in ${sc.accessPolicy}, expected 1`];
      const [n, p] = perimeters[0];
      const a = `google_access_context_manager_service_perimeter.${n}`;
      const status = appliedPerimeterConfig(p, sc.enforced);
      const v: string[] = [];
      if (!asList(status.resources).includes(`projects/${region.projectNumber}`)) v.push(`${a}: the project is not inside`);
      for (const s of PERIMETER_SERVICES) if (!asList(status.restricted_services).includes(s)) v.push(`${a}: ${s} not restricted`);
      const vpc = one(status.vpc_accessible_services);
      if (vpc.enable_restriction !== true || JSON.stringify(asList(vpc.allowed_services)) !== JSON.stringify(["RESTRICTED-SERVICES"])) v.push(`${a}: the VPC may reach services outside the perimeter`);
      const allowed = [
        { identities: [`serviceAccount:${region.gke.deployServiceAccount}`], level: sc.deployAccessLevel },
        { identities: [...sc.breakGlass.identities], level: sc.breakGlass.accessLevel },
      ];
      for (const ingress of asList<TfJson>(status.ingress_policies)) {
        const from = one(ingress.ingress_from);
        const ids = asList<string>(from.identities);
        const levels = asList<TfJson>(from.sources).map((s) => s.access_level);
        const match = allowed.find((al) => JSON.stringify([...ids].sort()) === JSON.stringify([...al.identities].sort()));
        if (from.identity_type === "ANY_IDENTITY" || !match) v.push(`${a}: admits ${from.identity_type ?? ids.join(", ")} from outside`);
        else if (levels.length === 0 || levels.some((l) => l !== match.level)) v.push(`${a}: admits ${ids.join(", ")} from ${levels.join(", ") || "anywhere"}, not only from ${match.level}`);
      }
      if (asList(status.egress_policies).length > 0) v.push(`${a}: egress policies let data leave the perimeter`);
      const apis = resourcesOf(json, "google_compute_global_forwarding_rule");
      if (!apis.every(([, f]) => f.target === "vpc-sc")) v.push("google_compute_global_forwarding_rule: Google APIs not through the vpc-sc bundle");
      return v;
    },
  },
]);

export const GCP_NETWORK_RULES = resourceRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.private-only",
    requirement: "1.3.1, 1.4.1, 1.4.4",
    fix: "Keep the resource private: no public IP or external address, private GKE nodes and endpoint, PSC or internal load balancing only, public access prevention on buckets, no NAT or internet route, manual acceptance on service attachments.",
    description: "nothing is reachable from the internet or by anyone: no public IPs, external addresses, NAT or internet routes, public GKE endpoints, public buckets, or service attachments that accept automatically",
    resourceTypes: [
      "google_sql_database_instance",
      "google_container_cluster",
      "google_compute_instance",
      "google_compute_address",
      "google_compute_global_address",
      "google_compute_forwarding_rule",
      "google_compute_global_forwarding_rule",
      "google_compute_service_attachment",
      "google_storage_bucket",
      "google_storage_bucket_iam_member",
      "google_compute_router_nat",
      "google_compute_route",
      "google_compute_network",
      "google_container_node_pool",
    ],
    check: (b, { stack, type }) => {
      switch (type) {
        case "google_sql_database_instance": {
          const ip = one(one(b.settings).ip_configuration);
          const consumers = asList<TfJson>(ip.psc_config).flatMap((p) => asList<string>(p.allowed_consumer_projects));
          return [
            ...(ip.ipv4_enabled !== false ? ["public IPv4 on (ipv4_enabled is not false)"] : []),
            ...(asList(ip.authorized_networks).length > 0 ? ["authorized networks open it to addresses"] : []),
            ...consumers.filter((p) => p !== stack.region.projectId).map((p) => `project ${p} may connect through PSC`),
          ];
        }
        case "google_container_node_pool":
          return one(b.network_config).enable_private_nodes === false ? ["the pool's nodes have public IPs"] : [];
        case "google_container_cluster": {
          const p = one(b.private_cluster_config);
          const m = one(b.master_authorized_networks_config);
          return [
            ...(one(one(b.control_plane_endpoints_config).dns_endpoint_config).allow_external_traffic === true ? ["the control plane's DNS endpoint admits external traffic"] : []),
            ...asList<TfJson>(m.cidr_blocks).filter((c) => !insideRegion(stack.region, String(c.cidr_block)) && !isPrivateRange(String(c.cidr_block))).map((c) => `authorized network ${c.cidr_block} is not private`),
            ...(p.enable_private_nodes !== true ? ["nodes have public IPs"] : []),
            ...(p.enable_private_endpoint !== true ? ["the control plane has a public endpoint"] : []),
            ...(m.gcp_public_cidrs_access_enabled !== false ? ["Google Cloud's public ranges may reach the control plane"] : []),
            ...(asList(m.cidr_blocks).length === 0 ? ["no authorized networks (any internal address may reach the control plane)"] : []),
          ];
        }
        case "google_compute_instance":
          return asList<TfJson>(b.network_interface).some((n) => asList(n.access_config).length > 0) ? ["has an external IP (access_config)"] : [];
        case "google_compute_address":
        case "google_compute_global_address":
          return b.address_type === "INTERNAL" ? [] : ["an external address"];
        case "google_compute_forwarding_rule":
        case "google_compute_global_forwarding_rule": {
          if (b.load_balancing_scheme === "INTERNAL") return [];
          if (b.load_balancing_scheme !== "") return [`load balancing scheme ${b.load_balancing_scheme ?? "EXTERNAL"} (internet-facing)`];
          // A PSC endpoint: to Google's API bundles or to a service of this stack only.
          const ownService = /^\$\{google_sql_database_instance\.[^.]+\.psc_service_attachment_link\}$/.test(String(b.target));
          return ownService || ["all-apis", "vpc-sc"].includes(b.target) ? [] : [`a PSC endpoint to ${b.target}, outside this stack`];
        }
        case "google_compute_service_attachment": {
          const accepted = asList<TfJson>(b.consumer_accept_lists).map((c) => String(c.project_id_or_num)).sort();
          const declared = stack.region.paymentApi.consumerAcceptList.map((c) => c.project).sort();
          return [
            ...(b.connection_preference !== "ACCEPT_MANUAL" ? ["accepts every project's connections"] : []),
            ...(JSON.stringify(accepted) !== JSON.stringify(declared) ? [`accepts ${JSON.stringify(accepted)}, not the declared partners ${JSON.stringify(declared)}`] : []),
          ];
        }
        case "google_storage_bucket":
          return [...(b.public_access_prevention !== "enforced" ? ["public access prevention not enforced"] : []), ...(b.uniform_bucket_level_access !== true ? ["object ACLs enabled (uniform bucket-level access off)"] : [])];
        case "google_storage_bucket_iam_member":
          return ["allUsers", "allAuthenticatedUsers"].includes(b.member) ? [`grants ${b.role} to ${b.member}`] : [];
        case "google_compute_router_nat":
          return ["a NAT gateway (a path to the internet)"];
        case "google_compute_route":
          return b.next_hop_gateway ? [`a route to ${b.next_hop_gateway}`] : [];
        case "google_compute_network":
          return [...(b.auto_create_subnetworks !== false ? ["auto-mode (subnets in every region)"] : []), ...(b.delete_default_routes_on_create !== true ? ["keeps the default route to the internet"] : [])];
      }
      // Stryker disable next-line ArrayDeclaration: unreachable (every resource type of the rule has its case above)
      return [];
    },
  },
  {
    id: "gcp.subnets-private-logged",
    requirement: "1.3.1, 10.2.1",
    fix: "Create subnets through GcpPrivateNetwork: Private Google Access on, flow logs of all traffic with all metadata (PSC NAT subnets excepted: Google does not log them).",
    description: "every subnet has Private Google Access and flow logs of every flow with all metadata",
    resourceTypes: ["google_compute_subnetwork"],
    check: (b) => {
      if (b.purpose === "PRIVATE_SERVICE_CONNECT") return [];
      const log = one(b.log_config);
      return [
        ...(b.private_ip_google_access !== true ? ["Private Google Access off"] : []),
        ...(!b.log_config || log.flow_sampling !== 1 || log.metadata !== "INCLUDE_ALL_METADATA" ? ["flow logs missing, sampled or without metadata"] : []),
      ];
    },
  },
]);
