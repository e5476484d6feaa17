/**
 * PCI DSS v4.0 minimums that constructs enforce themselves, so a construct used on its own is
 * still compliant. The region config rules reuse them to reject a bad config before synth.
 */

/** 10.5.1: retain audit log history for at least 12 months. */
export const PCI_MIN_LOG_RETENTION_DAYS = 365;

/** Retention values CloudWatch Logs accepts (days); anything else fails at apply. */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
  3288, 3653,
] as const;

/** CloudWatch retention values that meet 10.5.1. */
export const PCI_CLOUDWATCH_RETENTION_DAYS = CLOUDWATCH_RETENTION_DAYS.filter((d) => d >= PCI_MIN_LOG_RETENTION_DAYS);
