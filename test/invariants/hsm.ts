import { CLOUDHSM_PORTS } from "../../constructs/cloud-hsm";
import { ref, resourcesOf } from "../support/synth";
import { Invariant, asList, preventsDestroy } from "./common";

/** Invariants of the CloudHSM cluster. */
export const HSM_INVARIANTS: readonly Invariant[] = [
  {
    id: "hsm.cluster-in-data-tier",
    requirement: "3.6.1, 3.7",
    description: "one CloudHSM cluster in FIPS mode in the data-tier subnets of every AZ, protected from destroy",
    check: ({ json }) => {
      const clusters = resourcesOf(json, "aws_cloudhsm_v2_cluster");
      if (clusters.length !== 1) return [`aws_cloudhsm_v2_cluster: ${clusters.length}, expected 1`];
      const [n, c] = clusters[0];
      const dataSubnets = resourcesOf(json, "aws_subnet").filter(([, s]) => s.tags?.Tier === "data").map(([sn]) => ref("aws_subnet", sn, "id")).sort();
      const v: string[] = [];
      if (JSON.stringify([...asList(c.subnet_ids)].sort()) !== JSON.stringify(dataSubnets)) v.push(`aws_cloudhsm_v2_cluster.${n}: not in the data tier of every AZ`);
      if (c.mode !== "FIPS") v.push(`aws_cloudhsm_v2_cluster.${n}: mode ${c.mode}, expected FIPS`);
      if (!preventsDestroy(c)) v.push(`aws_cloudhsm_v2_cluster.${n}: not protected from destroy`);
      return v;
    },
  },
  {
    id: "hsm.two-hsms-distinct-azs",
    requirement: "3.6.1, 12.10",
    description: "at least two HSMs (the configured count), each in a different data-tier subnet, protected from destroy",
    check: ({ json, region }) => {
      const hsms = resourcesOf(json, "aws_cloudhsm_v2_hsm");
      const subnets = hsms.map(([, h]) => h.subnet_id ?? h.availability_zone);
      const dataSubnets = resourcesOf(json, "aws_subnet").filter(([, s]) => s.tags?.Tier === "data").map(([sn]) => ref("aws_subnet", sn, "id"));
      const v: string[] = [];
      if (hsms.length < 2 || hsms.length !== region.hsm.count) v.push(`aws_cloudhsm_v2_hsm: ${hsms.length} HSMs, expected ${region.hsm.count} (≥ 2)`);
      if (new Set(subnets).size !== subnets.length || subnets.some((s) => !dataSubnets.includes(s))) v.push(`aws_cloudhsm_v2_hsm: ${JSON.stringify(subnets)} are not distinct data-tier subnets`);
      for (const [n, h] of hsms) if (!preventsDestroy(h)) v.push(`aws_cloudhsm_v2_hsm.${n}: not protected from destroy`);
      return v;
    },
  },
  {
    id: "hsm.clients-from-workload-tier-only",
    requirement: "1.3.1, 1.3.2",
    description: "rules we add to the cluster's security group admit the client ports (2223–2225) from the workload tier only",
    check: ({ json, region }) => {
      const sgs = resourcesOf(json, "aws_cloudhsm_v2_cluster").map(([n]) => ref("aws_cloudhsm_v2_cluster", n, "security_group_id"));
      const v: string[] = [];
      for (const t of ["aws_vpc_security_group_ingress_rule", "aws_security_group_rule"]) {
        for (const [rn, r] of resourcesOf(json, t).filter(([, r]) => sgs.includes(r.security_group_id))) {
          const sources = r.cidr_ipv4 ? [r.cidr_ipv4] : asList(r.cidr_blocks);
          if (r.from_port !== CLOUDHSM_PORTS.from || r.to_port !== CLOUDHSM_PORTS.to) v.push(`${t}.${rn}: ports ${r.from_port}-${r.to_port}`);
          if (sources.length === 0 || sources.some((s) => !region.network.subnets.workload.includes(s as string))) v.push(`${t}.${rn}: source ${JSON.stringify(sources)} is not the workload tier`);
        }
      }
      return v;
    },
  },
];
