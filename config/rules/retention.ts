/**
 * Retention: the audit archive and the logs are kept at least the PCI DSS 10.5.1 minimum, in values
 * the services accept.
 */
import { CLOUDWATCH_RETENTION_DAYS, PCI_CLOUDWATCH_RETENTION_DAYS, PCI_MIN_LOG_RETENTION_DAYS } from "../pci";
import { RegionConfig } from "../schema";
import type { Report } from "./types";

/** The archive and logs kept at least 12 months (10.5.1), cold storage after 30 days or more. */
export function checkRetention(c: RegionConfig, report: Report): void {
  const r = c.retention;
  if (r.auditArchiveDays < PCI_MIN_LOG_RETENTION_DAYS) {
    report(
      "retention.auditArchiveDays",
      `${r.auditArchiveDays} days is under the PCI DSS 10.5.1 minimum of ${PCI_MIN_LOG_RETENTION_DAYS} days (12 months)`,
      `set it to ${PCI_MIN_LOG_RETENTION_DAYS} or more; COMPLIANCE-mode locks cannot be shortened later, so choose deliberately`,
    );
  }
  if (c.cloud === "gcp") {
    if (r.logDays < PCI_MIN_LOG_RETENTION_DAYS || r.logDays > 3650) {
      report("retention.logDays", `${r.logDays} days is outside ${PCI_MIN_LOG_RETENTION_DAYS} (PCI DSS 10.5.1) to 3650 (Cloud Logging's limit)`, `use ${PCI_MIN_LOG_RETENTION_DAYS} to 3650`);
    }
  } else if (r.logDays < PCI_MIN_LOG_RETENTION_DAYS) {
    report(
      "retention.logDays",
      `${r.logDays} days is under the PCI DSS 10.5.1 minimum of ${PCI_MIN_LOG_RETENTION_DAYS} days`,
      `set it to one of ${PCI_CLOUDWATCH_RETENTION_DAYS.join(", ")}`,
    );
  } else if (!(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(r.logDays)) {
    report(
      "retention.logDays",
      `${r.logDays} is not a retention CloudWatch Logs accepts`,
      `use one of ${PCI_CLOUDWATCH_RETENTION_DAYS.join(", ")}`,
    );
  }
  if (r.coldStorageAfterDays < 30 || r.coldStorageAfterDays >= r.auditArchiveDays) {
    report(
      "retention.coldStorageAfterDays",
      `${r.coldStorageAfterDays} must be at least 30 and less than auditArchiveDays (${r.auditArchiveDays})`,
      "use 90 (the reference model's default) or another value in that range",
    );
  }
}
