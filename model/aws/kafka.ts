/**
 * The MSK brokers' client ports.
 */

/** Broker ports for the enabled client authentications (TLS-only listeners). */
export const KAFKA_PORTS = { saslScram: 9096, iam: 9098 } as const;
