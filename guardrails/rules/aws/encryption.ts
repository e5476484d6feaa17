import type { AwsRegionConfig } from "../../../config/schema";
import { resourceRules } from "../../rule";
import { keyNameByAlias, keyOfReference } from "../../../tfjson/aws";
import { ENCRYPTION_AT_REST } from "../../../model/aws/encryption";

export const ENCRYPTION_RULES = resourceRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "encryption.customer-managed-key",
    requirement: "3.5.1, 3.6.1",
    fix: "Encrypt the store with the region's key for its purpose (RegionKeys: database, kafka, logs, secrets-manager, ecr, eks-secrets, ebs); a store type the blueprint does not know yet needs its own key purpose first.",
    description: "every data store is encrypted at rest with a customer-managed key of this stack, the one of its purpose (not an AWS-owned or AWS-managed key)",
    resourceTypes: Object.keys(ENCRYPTION_AT_REST),
    check: (body, { stack, type }) => {
      const spec = ENCRYPTION_AT_REST[type];
      if (!spec.encrypted(body)) return [`not encrypted at rest with a customer-managed key`];
      const purposes = spec.purposes(body);
      const allowed = new Map(purposes.map((p) => [keyNameByAlias(stack.json, p), p]));
      const keys = spec.keys(body);
      if (keys.length === 0 || keys.some((k) => k === undefined)) return ["encrypted with an AWS-owned or AWS-managed key, not a customer-managed key"];
      return keys.flatMap((k) => {
        const name = keyOfReference(k);
        if (!name || !(stack.json.resource?.aws_kms_key ?? {})[name]) return [`key ${String(k)} is not a KMS key of this stack`];
        if (purposes.length === 0) return [`${type} has no key purpose in the blueprint yet`];
        return allowed.has(name) ? [] : [`key aws_kms_key.${name} is not the ${purposes.join(" or ")} key`];
      });
    },
  },
]);
