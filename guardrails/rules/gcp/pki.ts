/**
 * The mesh's workload CA on GCP: an intermediate in CA Service under the platform's root, its key
 * in Cloud HSM, activated only with the root's signature, a pool that issues workload certificates
 * only, to one identity.
 */
import type { GcpRegionConfig } from "../../../config/schema";
import { stackRules } from "../../rule";
import { firstDifference, one, preventsDestroy, ref, resourcesOf, sameJson, snakeKeys } from "../../../tfjson/terraform";
import { CAS_CA, CAS_ISSUER, casDnsNames, casPoolIssuance, pemBlock } from "../../../model/gcp/pki";

const TYPES = ["google_privateca_ca_pool", "google_privateca_certificate_authority", "google_privateca_ca_pool_iam_member"] as const;

export const GCP_PKI_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.mesh-intermediate-ca",
    requirement: "3.6.1, 3.7.1, 4.2.1, 8.3.2",
    fix: "Keep GcpMeshIntermediateCa where the region names mesh.rootCaArn and mesh.rootCertificate: one Enterprise pool with the blueprint's issuance policy (casPoolIssuance) and no public bucket; one SUBORDINATE CA in it with a CA Service key (EC_P256_SHA256), path length 0, the trust domain's name constraint, protected from deletion; activated (pem_ca_certificate, the root as pem_issuer_chain, desired_state ENABLED) exactly when the region file holds mesh.intermediateCertificate; certificateRequester on the pool for the CAS issuer's Google identity alone.",
    description:
      "where the region has a platform root, its workload CA is one subordinate CA in an Enterprise CA Service pool (every certificate recorded and revocable, nothing published), whose EC P-256 key CA Service keeps in Cloud HSM, path length 0 and names constrained to the trust domain, protected from deletion; it is activated only with the root's signature from the region file and the root as its chain; the pool issues only from CSRs, for a day at most, end-entity certificates to the trust domain's SPIFFE URIs and the mesh's own DNS names; only the CAS issuer's Google identity may request, and only its Kubernetes service account may act as it",
    check: ({ json, region }) => {
      const v: string[] = [];
      const pools = resourcesOf(json, TYPES[0]);
      const cas = resourcesOf(json, TYPES[1]);
      const grants = resourcesOf(json, TYPES[2]);
      if (region.mesh.rootCaArn === undefined || region.mesh.rootCertificate === undefined) {
        for (const type of TYPES) for (const [n] of resourcesOf(json, type)) v.push(`${type}.${n}: a workload CA without the platform root (mesh.rootCaArn, mesh.rootCertificate)`);
        return v;
      }
      if (pools.length !== 1) return [`${TYPES[0]}: ${pools.length} pools, expected the mesh's one`];
      const [poolName, pool] = pools[0];
      const at = `${TYPES[0]}.${poolName}`;
      if (pool.tier !== CAS_CA.tier) v.push(`${at}: tier ${pool.tier}, expected ${CAS_CA.tier} (certificates recorded and revocable)`);
      if (pool.location !== region.cloudRegion) v.push(`${at}: in ${pool.location}, not ${region.cloudRegion}`);
      if (!sameJson(pool.publishing_options, { publish_ca_cert: false, publish_crl: false })) v.push(`${at}: publishes to a Google-managed bucket (${JSON.stringify(pool.publishing_options)})`);
      const policyDiff = firstDifference(pool.issuance_policy, snakeKeys(casPoolIssuance(region.mesh.trustDomain, casDnsNames(region))));
      if (policyDiff) v.push(`${at}: issuance policy differs from the blueprint's (casPoolIssuance) at ${policyDiff}`);
      if (!preventsDestroy(pool)) v.push(`${at}: not protected from destroy`);

      if (cas.length !== 1) v.push(`${TYPES[1]}: ${cas.length} CAs, expected the region's one intermediate`);
      for (const [n, ca] of cas) {
        const where = `${TYPES[1]}.${n}`;
        if (ca.pool !== ref(TYPES[0], poolName, "name")) v.push(`${where}: outside the mesh's pool`);
        if (ca.type !== "SUBORDINATE") v.push(`${where}: type ${ca.type}, expected SUBORDINATE (the platform root signs it)`);
        if (!sameJson(ca.key_spec, { algorithm: CAS_CA.keyAlgorithm })) v.push(`${where}: key ${JSON.stringify(ca.key_spec)}, expected a CA Service key ${CAS_CA.keyAlgorithm} (Cloud HSM)`);
        const x509 = one(one(ca.config).x509_config);
        if (one(x509.ca_options).zero_max_issuer_path_length !== true) v.push(`${where}: does not ask for path length 0`);
        if (!sameJson(x509.name_constraints, { critical: true, permitted_uris: [region.mesh.trustDomain] })) v.push(`${where}: does not ask for the critical name constraint to ${region.mesh.trustDomain}`);
        if (ca.deletion_protection === false || ca.skip_grace_period === true || ca.ignore_active_certificates_on_deletion === true) v.push(`${where}: deletable (deletion_protection off, skip_grace_period or ignore_active_certificates_on_deletion on)`);
        if (!preventsDestroy(ca)) v.push(`${where}: not protected from destroy`);
        const activation = [ca.pem_ca_certificate, ca.subordinate_config, ca.desired_state];
        if (region.mesh.intermediateCertificate === undefined) {
          // Set at creation, the provider would sign with a CA Service issuer, and ENABLED would never apply after activation.
          if (activation.some((x) => x !== undefined)) v.push(`${where}: activation arguments set (pem_ca_certificate, subordinate_config, desired_state) before the root has signed its CSR`);
        } else {
          if (ca.pem_ca_certificate !== pemBlock(region.mesh.intermediateCertificate)) v.push(`${where}: not activated with the region file's mesh.intermediateCertificate`);
          if (!sameJson(one(one(ca.subordinate_config).pem_issuer_chain).pem_certificates, [pemBlock(region.mesh.rootCertificate)])) v.push(`${where}: issuer chain is not the platform root alone`);
          if (ca.desired_state !== "ENABLED") v.push(`${where}: activated but not enabled (desired_state ${ca.desired_state}); the pool would issue nothing`);
        }
      }

      const issuers = resourcesOf(json, "google_service_account").filter(([, a]) => a.account_id === CAS_ISSUER.googleAccountId);
      if (issuers.length !== 1) v.push(`google_service_account: no ${CAS_ISSUER.googleAccountId}, the CAS issuer's Google identity`);
      const issuerMember = issuers.length === 1 ? `serviceAccount:${ref("google_service_account", issuers[0][0], "email")}` : undefined;
      // Stryker disable next-line MethodExpression,ConditionalExpression: equivalent (a grant on another pool is reported below as well)
      const onPool = grants.filter(([, g]) => g.ca_pool === ref(TYPES[0], poolName, "id"));
      if (onPool.length !== 1 || onPool[0][1].role !== "roles/privateca.certificateRequester" || onPool[0][1].member !== issuerMember) {
        v.push(`${TYPES[2]}: grants ${JSON.stringify(grants.map(([, g]) => [g.role, g.member]))} on the pool, expected roles/privateca.certificateRequester for the CAS issuer's identity alone`);
      }
      for (const [n, g] of grants) if (g.ca_pool !== ref(TYPES[0], poolName, "id")) v.push(`${TYPES[2]}.${n}: a grant on another pool (${g.ca_pool})`);
      for (const [n, b] of resourcesOf(json, "google_project_iam_member")) if (String(b.role).startsWith("roles/privateca.")) v.push(`google_project_iam_member.${n}: ${b.role} on the whole project (grant it on the pool)`);
      if (issuers.length === 1) {
        const actAs = resourcesOf(json, "google_service_account_iam_member").filter(([, b]) => b.service_account_id === ref("google_service_account", issuers[0][0], "name"));
        const member = `serviceAccount:${region.projectId}.svc.id.goog[${CAS_ISSUER.namespace}/${CAS_ISSUER.serviceAccount}]`;
        if (actAs.length !== 1 || actAs[0][1].member !== member || actAs[0][1].role !== "roles/iam.workloadIdentityUser") v.push(`google_service_account_iam_member: the CAS issuer's identity is not usable by ${CAS_ISSUER.namespace}/${CAS_ISSUER.serviceAccount} alone (${JSON.stringify(actAs.map(([, b]) => b.member))})`);
      }
      return v;
    },
  },
]);
