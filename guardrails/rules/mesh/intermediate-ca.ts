import type { AwsRegionConfig } from "../../../config/schema";
import { MESH_CA_OUTPUT_IDS, SUBORDINATE_TEMPLATE, intermediateApiPassthrough } from "../../../model/mesh/pki";
import { stackRules } from "../../rule";
import { TfJson, ref, resourcesOf, one } from "../../../tfjson/terraform";

/** One root of trust for every region's mesh (reference model, "Across regions"). */
export const MESH_TRUST_RULES = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "mesh.intermediate-ca",
    requirement: "3.6.1, 4.2.1, 8.3",
    fix: "Keep MeshIntermediateCa where the region names mesh.rootCaArn: one subordinate CA in ACM PCA (FIPS 140-2 Level 3 key storage, short-lived certificate mode) named after the trust domain, signed by the configured root with the path-length-0 API-passthrough template and a Name Constraints extension to the trust domain, installed with its chain.",
    description: "with a platform root, the region has one intermediate CA in ACM PCA (key never leaves it), for its trust domain, signed by that root, able to sign workload certificates only and only for its own trust domain",
    check: ({ json, region }) => {
      const cas = resourcesOf(json, "aws_acmpca_certificate_authority");
      if (!region.mesh.rootCaArn) return cas.length > 0 ? ["aws_acmpca_certificate_authority: a CA without a configured root (mesh.rootCaArn)"] : [];
      if (cas.length !== 1) return [`aws_acmpca_certificate_authority: ${cas.length}, expected one intermediate`];
      const [n, ca] = cas[0];
      const a = `aws_acmpca_certificate_authority.${n}`;
      const v: string[] = [];
      const config = one(ca.certificate_authority_configuration);
      if (ca.usage_mode !== "SHORT_LIVED_CERTIFICATE") v.push(`${a}: usage mode ${ca.usage_mode ?? "(default)"}, expected SHORT_LIVED_CERTIFICATE (workload certificates live a day)`);
      if (ca.type !== "SUBORDINATE") v.push(`${a}: type ${ca.type}, expected SUBORDINATE (the root is the platform's)`);
      if (ca.key_storage_security_standard !== "FIPS_140_2_LEVEL_3_OR_HIGHER") v.push(`${a}: key storage ${ca.key_storage_security_standard ?? "(default)"}, not FIPS 140-2 Level 3`);
      if (one(config.subject).common_name !== region.mesh.trustDomain) v.push(`${a}: subject ${one(config.subject).common_name}, expected the trust domain ${region.mesh.trustDomain}`);
      const signed = resourcesOf(json, "aws_acmpca_certificate").find(([, c]) => c.certificate_signing_request === ref("aws_acmpca_certificate_authority", n, "certificate_signing_request"));
      if (!signed) v.push(`${a}: its CSR is not signed`);
      else {
        if (signed[1].certificate_authority_arn !== region.mesh.rootCaArn) v.push(`aws_acmpca_certificate.${signed[0]}: signed by ${signed[1].certificate_authority_arn}, not the platform root`);
        if (signed[1].template_arn !== SUBORDINATE_TEMPLATE) v.push(`aws_acmpca_certificate.${signed[0]}: template ${signed[1].template_arn}, not ${SUBORDINATE_TEMPLATE}`);
        if (signed[1].api_passthrough !== intermediateApiPassthrough(region.mesh.trustDomain)) v.push(`aws_acmpca_certificate.${signed[0]}: not name-constrained to URIs of ${region.mesh.trustDomain} (critical Name Constraints)`);
      }
      const installed = resourcesOf(json, "aws_acmpca_certificate_authority_certificate").find(([, i]) => i.certificate_authority_arn === ref("aws_acmpca_certificate_authority", n, "arn"));
      if (!installed || !signed || installed[1].certificate !== ref("aws_acmpca_certificate", signed[0], "certificate") || installed[1].certificate_chain !== ref("aws_acmpca_certificate", signed[0], "certificate_chain")) {
        v.push(`${a}: the certificate installed is not the one the root signed, with its chain`);
      }
      if (one(one(ca.revocation_configuration).ocsp_configuration).enabled !== true) v.push(`${a}: no revocation (OCSP off)`);
      // No other certificate is issued in Terraform: a sibling CA under the root (unconstrained), or a long-lived leaf.
      for (const [cn] of resourcesOf(json, "aws_acmpca_certificate")) if (cn !== signed?.[0]) v.push(`aws_acmpca_certificate.${cn}: a certificate issued in Terraform other than the intermediate's`);
      // What the in-cluster stacks trust and sign with is this CA and the root above it, nothing else.
      const outputs = (json.output ?? {}) as Record<string, TfJson>;
      if (outputs[MESH_CA_OUTPUT_IDS.arn]?.value !== ref("aws_acmpca_certificate_authority", n, "arn")) v.push(`output.${MESH_CA_OUTPUT_IDS.arn}: not the intermediate's ARN`);
      if (!signed || outputs[MESH_CA_OUTPUT_IDS.trustAnchor]?.value !== ref("aws_acmpca_certificate", signed[0], "certificate_chain")) v.push(`output.${MESH_CA_OUTPUT_IDS.trustAnchor}: not the chain the root signed the intermediate with`);
      return v;
    },
  },
]);
