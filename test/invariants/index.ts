import { AUDIT_ARCHIVE_INVARIANTS } from "./audit-archive";
import { Invariant } from "./common";
import { DATABASE_INVARIANTS } from "./database";
import { EKS_INVARIANTS } from "./eks";
import { HSM_INVARIANTS } from "./hsm";
import { KAFKA_INVARIANTS } from "./kafka";
import { KEY_INVARIANTS } from "./keys";
import { NETWORK_INVARIANTS } from "./network";
import { STACK_INVARIANTS } from "./stack";

/** Every invariant of an AWS region stack, by capability. */
export const AWS_REGION_INVARIANTS: readonly Invariant[] = [...STACK_INVARIANTS, ...KEY_INVARIANTS, ...NETWORK_INVARIANTS, ...AUDIT_ARCHIVE_INVARIANTS, ...HSM_INVARIANTS, ...DATABASE_INVARIANTS, ...KAFKA_INVARIANTS, ...EKS_INVARIANTS];
export { failures } from "./common";
export type { Invariant } from "./common";
