import type { AwsRegionConfig } from "../../../config/schema";
import { resourceRules } from "../../rule";
import { keyNameByAlias, keyOfReference } from "../../../tfjson/aws";
import { ENCRYPTION_AT_REST } from "../../../model/aws/encryption";

export const ENCRYPTION_RULES = resourceRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "encryption.customer-managed-key",
    requirement: "3.5.1, 3.6.1",
    fix: "Encrypt the store with the region's key for its purpose (RegionKeys: database, kafka, logs, secrets-manager, ecr, eks-secrets, ebs, alerts); a store type the blueprint does not know yet needs its own key purpose first.",
    description: "every data store is encrypted at rest with a customer-managed key of this stack, the one of its purpose (not an AWS-owned or AWS-managed key)",
    resourceTypes: Object.keys(ENCRYPTION_AT_REST),
    check: (body, { stack, type }) => {
      const spec = ENCRYPTION_AT_REST[type];
      if (!spec.encrypted(body)) return [`not encrypted at rest with a customer-managed key`];
      const purposes = spec.purposes(body);
      const allowed = new Map(purposes.map((p) => [keyNameByAlias(stack.json, p), p]));
      const keys = spec.keys(body);
      // A store that names no key at all would be under an AWS key too. No store does today (an
      // encrypted launch template has a block device, so a key entry), hence the marked mutant.
      // Stryker disable next-line ConditionalExpression: equivalent, see above
      const namesNoKey = keys.length === 0;
      if (namesNoKey || keys.some((k) => k === undefined)) return ["encrypted with an AWS-owned or AWS-managed key, not a customer-managed key"];
      // Stryker disable next-line OptionalChaining: equivalent (the rule runs on a resource, so the stack has a resource block)
      const stackKeys = (stack.json.resource?.aws_kms_key ?? {}) as Record<string, unknown>;
      return keys.flatMap((k) => {
        const name = keyOfReference(k);
        if (!name || !stackKeys[name]) return [`key ${String(k)} is not a KMS key of this stack`];
        if (purposes.length === 0) return [`${type} has no key purpose in the blueprint yet`];
        // Stryker disable next-line StringLiteral: equivalent today (every store type of the model has one key purpose)
        const expected = purposes.join(" or ");
        return allowed.has(name) ? [] : [`key aws_kms_key.${name} is not the ${expected} key`];
      });
    },
  },
]);
