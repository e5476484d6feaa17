/**
 * The partner API: the partners it admits (principals, client ranges, projects).
 */
import { parseCidr } from "../cidr";
import { AwsRegionConfig, GcpRegionConfig } from "../schema";
import type { Report } from "./types";

/** The AWS partner API: exact partner principals, real client ranges. */
export function checkAwsPartnerApi(c: AwsRegionConfig, report: Report): void {
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
}

/** The GCP partner API: each partner project once, not the region's own, a sane connection limit. */
export function checkGcpPartnerApi(c: GcpRegionConfig, report: Report): void {
  c.paymentApi.consumerAcceptList.forEach((p, i) => {
    if (c.paymentApi.consumerAcceptList.findIndex((o) => o.project === p.project) !== i) report(`paymentApi.consumerAcceptList[${i}]`, `"${p.project}" is listed twice`, "list each partner project once");
    if (p.project === c.projectId || p.project === c.projectNumber) report(`paymentApi.consumerAcceptList[${i}]`, "is the region's own project", "name the partners' projects");
    if (p.connectionLimit < 1 || p.connectionLimit > 100) report(`paymentApi.consumerAcceptList[${i}].connectionLimit`, `${p.connectionLimit}`, "use 1 to 100");
  });
}
