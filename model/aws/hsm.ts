/**
 * The CloudHSM cluster's client ports and the variable that carries the `kmsuser` password.
 */

/**
 * The variable that carries the `kmsuser` password at stage "keystore" (set it with
 * `TF_VAR_kmsuser_password` from the secret; docs/deploy.md, CloudHSM ceremony).
 */
export const KMSUSER_PASSWORD_VARIABLE = "kmsuser_password";

/** Ports of the CloudHSM client protocol. AWS keeps the cluster's own 2223–2225 self rules. */
export const CLOUDHSM_PORTS = { from: 2223, to: 2225 } as const;
