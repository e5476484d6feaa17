/** IAM principals the AWS stack names that AWS itself defines: service-linked roles. */
import { SERVICE_LINKED_ROLES, type ServiceLinkedRoleService } from "../../config/catalog";

/** The ARN of a service's service-linked role in an account (`arn:aws:iam::<id>:role/aws-service-role/<service>/<name>`). */
export function serviceLinkedRoleArn(partition: string, accountId: string, service: ServiceLinkedRoleService): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/${service}/${SERVICE_LINKED_ROLES[service]}`;
}

/** The service of a service-linked role's ARN, or undefined for any other principal. */
export function serviceOfServiceLinkedRole(arn: string): string | undefined {
  return /^arn:[^:]+:iam::\d{12}:role\/aws-service-role\/([^/]+)\//.exec(arn)?.[1];
}
