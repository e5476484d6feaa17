import type { StackLayer } from "../../../core/blueprint-stack";
import { stackRules } from "../../rule";

/**
 * The resource types the guardrails have been reviewed for, per layer of a region: each is covered
 * by the rules that concern it (encryption, exposure, logging, protection, IAM) or holds nothing
 * that they concern. A new type fails synth until someone adds it here, with rules if it needs them.
 */
const AWS_TYPES: readonly string[] = [
  // Keys and HSM
  "aws_kms_key", "aws_kms_alias", "aws_kms_custom_key_store", "aws_cloudhsm_v2_cluster", "aws_cloudhsm_v2_hsm",
  // Network
  "aws_vpc", "aws_subnet", "aws_route_table", "aws_route_table_association", "aws_default_route_table", "aws_network_acl",
  "aws_default_network_acl", "aws_default_security_group", "aws_security_group", "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule", "aws_vpc_endpoint", "aws_vpc_block_public_access_options", "aws_flow_log",
  "aws_lb", "aws_lb_listener", "aws_lb_target_group", "aws_autoscaling_attachment", "aws_vpc_endpoint_service",
  // Logs, IAM, secrets
  "aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_service_linked_role",
  "aws_secretsmanager_secret", "aws_secretsmanager_secret_policy",
  // Audit archive
  "aws_s3_bucket", "aws_s3_bucket_versioning", "aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_policy", "aws_s3_bucket_logging",
  "aws_s3_bucket_object_lock_configuration", "aws_s3_bucket_lifecycle_configuration",
  // Audit trail (guardrails/rules/aws/detection.ts)
  "aws_cloudtrail",
  // Threat detection and configuration recording (guardrails/rules/aws/detection.ts)
  "aws_guardduty_detector", "aws_guardduty_detector_feature", "aws_guardduty_publishing_destination", "aws_securityhub_account", "aws_securityhub_standards_subscription",
  "aws_config_configuration_recorder", "aws_config_delivery_channel", "aws_config_configuration_recorder_status",
  // Alerting (guardrails/rules/aws/detection.ts detection.alerts-wired; the topic under encryption.customer-managed-key)
  "aws_sns_topic", "aws_sns_topic_subscription", "aws_cloudwatch_log_metric_filter", "aws_cloudwatch_metric_alarm", "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target",
  // The mesh's alerts (detection.mesh-alerts; the collector's ingress under eks.control-plane-reaches-istio)
  "aws_prometheus_workspace", "aws_prometheus_scraper", "aws_prometheus_rule_group_namespace", "aws_prometheus_alert_manager_definition",
  // The key deletion guard's runbook (detection.key-deletion-guarded)
  "aws_ssm_document",
  // Database and Kafka
  "aws_rds_cluster", "aws_rds_cluster_instance", "aws_rds_cluster_parameter_group", "aws_db_subnet_group",
  // The mesh's intermediate CA (its key stays in ACM PCA)
  "aws_acmpca_certificate_authority", "aws_acmpca_certificate", "aws_acmpca_certificate_authority_certificate",
  // Disaster recovery in the partner region
  "aws_s3_bucket_replication_configuration", "aws_backup_vault", "aws_backup_vault_lock_configuration", "aws_backup_plan", "aws_backup_selection",
  "aws_msk_cluster", "aws_msk_configuration", "aws_msk_single_scram_secret_association", "aws_msk_cluster_policy",
  // EKS and images
  "aws_eks_cluster", "aws_eks_node_group", "aws_eks_addon", "aws_eks_access_entry", "aws_eks_access_policy_association",
  "aws_eks_pod_identity_association", "aws_launch_template", "aws_ecr_repository", "aws_ecr_lifecycle_policy",
];

const GCP_TYPES: readonly string[] = [
  // Keys
  "google_kms_key_ring", "google_kms_crypto_key", "google_kms_crypto_key_iam_member",
  // The wait for a CMEK grant to propagate (stores nothing, calls no API)
  "time_sleep",
  // Network
  "google_compute_network", "google_compute_subnetwork", "google_compute_firewall", "google_compute_global_address",
  "google_compute_global_forwarding_rule", "google_dns_managed_zone", "google_dns_record_set", "google_access_context_manager_service_perimeter",
  "google_compute_address", "google_compute_forwarding_rule", "google_compute_region_backend_service", "google_compute_region_health_check",
  "google_compute_service_attachment",
  // Logs, IAM
  "google_logging_project_bucket_config", "google_logging_project_sink", "google_project_iam_audit_config", "google_project_iam_member",
  // Alerting (gcp.alerts-wired)
  "google_monitoring_notification_channel", "google_logging_metric", "google_monitoring_alert_policy",
  "google_service_account", "google_service_account_iam_member",
  // IAM database users (no password: CLOUD_IAM_SERVICE_ACCOUNT)
  "google_sql_user",
  // Audit archive
  "google_storage_bucket", "google_storage_bucket_iam_member",
  // Database and Kafka
  "google_sql_database_instance", "google_managed_kafka_cluster", "google_managed_kafka_topic", "google_managed_kafka_acl",
  // The mesh's workload CA (CA Service)
  "google_privateca_ca_pool", "google_privateca_certificate_authority", "google_privateca_ca_pool_iam_member",
  // GKE and images
  "google_container_cluster", "google_container_node_pool", "google_artifact_registry_repository", "google_artifact_registry_repository_iam_member",
];

export const REVIEWED_RESOURCE_TYPES: Readonly<Record<StackLayer, readonly string[]>> = {
  aws: AWS_TYPES,
  gcp: GCP_TYPES,
  // cert-manager and the AWS PCA issuer: their namespace, two Helm releases, the issuer's CRDs
  // (mesh.crds-upgraded admits those manifests only), and the issuer's own RBAC in place of the
  // chart's (mesh.ca-issuer-rbac checks every rule).
  pki: ["kubernetes_namespace_v1", "helm_release", "kubernetes_manifest", "kubernetes_cluster_role_v1", "kubernetes_cluster_role_binding_v1", "kubernetes_role_v1", "kubernetes_role_binding_v1"],
  // The Istio install: its namespaces and Helm releases; with an intermediate CA, the PCA
  // issuer (mesh.workload-ca admits that one manifest), the trust anchor (a public certificate)
  // and the issuer's Role in istio-system (mesh.ca-issuer-rbac).
  istio: ["kubernetes_namespace_v1", "helm_release", "kubernetes_manifest", "kubernetes_config_map_v1", "kubernetes_role_v1", "kubernetes_role_binding_v1"],
  // The mesh's policies, as manifests of the kinds mesh.known-kinds admits.
  mesh: ["kubernetes_manifest"],
  // The Kafka mirror in the DR partner region (dr.kafka-mirror, dr.network-private): its keys, VPC, brokers, replicator and their logs.
  dr: [
    "aws_kms_key", "aws_kms_alias", "aws_vpc_block_public_access_options", "aws_vpc", "aws_default_security_group", "aws_default_network_acl", "aws_default_route_table",
    "aws_route_table", "aws_subnet", "aws_route_table_association", "aws_network_acl", "aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy", "aws_flow_log",
    "aws_security_group", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_msk_configuration", "aws_msk_cluster", "aws_msk_replicator",
  ],
};

export const REVIEWED_RULES = stackRules({ layers: ["aws", "gcp", "pki", "istio", "mesh", "dr"] }, [
  {
    id: "stack.reviewed-resource-types",
    requirement: "6.5.1, 12.5",
    fix: "Review the new resource type against the guardrails: add rules for what it stores or exposes (guardrails/rules/), then list it in REVIEWED_RESOURCE_TYPES (guardrails/rules/every-stack/reviewed.ts).",
    description: "every resource type in the stack is one the guardrails have been reviewed for",
    check: ({ json, layer }) =>
      Object.keys(json.resource ?? {})
        .filter((t) => !REVIEWED_RESOURCE_TYPES[layer].includes(t))
        .map((t) => `${t}: resource type not reviewed by the guardrails for a ${layer} stack`),
  },
]);
