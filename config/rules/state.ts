/** The state backend: its key lies in the state bucket's region. */
import { AwsRegionConfig, GcpRegionConfig } from "../schema";
import type { Report } from "./types";

/** The AWS state key is a KMS key in the state bucket's region. */
export function checkAwsStateKey(c: AwsRegionConfig, report: Report): void {
  const stateKeyRegion = c.stateBackend.kmsKeyArn.split(":")[3];
  if (!c.stateBackend.kmsKeyArn.startsWith("arn:aws:kms:") || stateKeyRegion !== c.stateBackend.region) {
    report(
      "stateBackend.kmsKeyArn",
      `must be a KMS key in the state bucket's region (${c.stateBackend.region}), got "${c.stateBackend.kmsKeyArn}"`,
      `use the ARN of a KMS key in ${c.stateBackend.region}`,
    );
  }
}

/** The GCP state key is a Cloud KMS key in the state bucket's region. */
export function checkGcpStateKey(c: GcpRegionConfig, report: Report): void {
  const keyLocation = c.stateBackend.kmsKeyName.split("/")[3];
  if (keyLocation !== c.stateBackend.region) {
    report("stateBackend.kmsKeyName", `is in ${keyLocation}, not the state bucket's region ${c.stateBackend.region}`, `use a Cloud KMS key in ${c.stateBackend.region}`);
  }
}
