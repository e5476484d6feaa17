/**
 * The mesh's own evidence (PCI DSS 10.2, 10.4.1): what every sidecar logs for each request or
 * connection, and which of Envoy's counters it exports so that failed mTLS handshakes can raise an
 * alert. istiod's values carry both (model/mesh/in-cluster.ts), the guardrail mesh.access-logs
 * checks them against these lists.
 */

/**
 * One JSON access-log line per request or TCP connection, through every sidecar: who called
 * (the peer's SPIFFE ID), whom, what came back, and how the mTLS handshake went. The path is
 * logged without its query string and no body is ever logged: a PAN can reach neither.
 */
export const ACCESS_LOG_FORMAT: Readonly<Record<string, string>> = {
  start_time: "%START_TIME%",
  request_id: "%REQ(X-REQUEST-ID)%",
  method: "%REQ(:METHOD)%",
  path: "%REQ_WITHOUT_QUERY(X-ENVOY-ORIGINAL-PATH?:PATH)%",
  protocol: "%PROTOCOL%",
  authority: "%REQ(:AUTHORITY)%",
  response_code: "%RESPONSE_CODE%",
  response_flags: "%RESPONSE_FLAGS%",
  response_code_details: "%RESPONSE_CODE_DETAILS%",
  connection_termination_details: "%CONNECTION_TERMINATION_DETAILS%",
  // The caller's and the callee's identities, as the mTLS handshake proved them (inbound: the peer
  // is the client; outbound: the upstream peer is the server).
  source_principal: "%DOWNSTREAM_PEER_URI_SAN%",
  destination_principal: "%DOWNSTREAM_LOCAL_URI_SAN%",
  upstream_peer_principal: "%UPSTREAM_PEER_URI_SAN%",
  // The handshake's result: the TLS version on success, the failure's reason otherwise.
  downstream_tls_version: "%DOWNSTREAM_TLS_VERSION%",
  downstream_transport_failure_reason: "%DOWNSTREAM_TRANSPORT_FAILURE_REASON%",
  upstream_transport_failure_reason: "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
  upstream_cluster: "%UPSTREAM_CLUSTER_RAW%",
  upstream_host: "%UPSTREAM_HOST%",
  downstream_remote_address: "%DOWNSTREAM_REMOTE_ADDRESS%",
  downstream_local_address: "%DOWNSTREAM_LOCAL_ADDRESS%",
  route_name: "%ROUTE_NAME%",
  duration: "%DURATION%",
  bytes_received: "%BYTES_RECEIVED%",
  bytes_sent: "%BYTES_SENT%",
};

/** The fields an access-log line must have (the and the QSA's: who, whom, what, and the handshake). */
export const REQUIRED_ACCESS_LOG_FIELDS = [
  "request_id", "source_principal", "destination_principal", "authority", "response_code", "downstream_tls_version", "downstream_transport_failure_reason",
] as const;

/** The only request headers a line may carry: none can hold a PAN or a credential. */
export const LOGGED_REQUEST_HEADERS = ["X-REQUEST-ID", ":METHOD", ":AUTHORITY"] as const;

/**
 * Envoy's counters of failed inbound handshakes, exported on each sidecar's Prometheus endpoint
 * (they are off by default): a TLS handshake that fails (`ssl.connection_error`), a client
 * certificate refused (`ssl.fail_verify_*`), and a plaintext connection to a STRICT port, which
 * matches no filter chain (`no_filter_chain_match`).
 */
export const HANDSHAKE_STATS_REGEX = "listener\\..*\\.(ssl\\.(connection_error|fail_verify_.*)|no_filter_chain_match)";

/**
 * The Prometheus names of those counters. Istio's sidecar bootstrap replaces Envoy's default tags
 * with its own (tools/packaging/common/envoy_bootstrap.json): the listener's address becomes the
 * label `listener_address`, stripped from the name.
 */
export const HANDSHAKE_FAILURE_METRICS = ["envoy_listener_ssl_connection_error", "envoy_listener_ssl_fail_verify_error", "envoy_listener_ssl_fail_verify_san", "envoy_listener_ssl_fail_verify_no_cert", "envoy_listener_no_filter_chain_match"] as const;

/** The sidecars' inbound listener (every request to a workload enters through it). */
export const INBOUND_LISTENER = "0.0.0.0_15006";
