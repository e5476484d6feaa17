/**
 * A gRPC pass-through between Terraform and a running provider process (scripts/offline-plan.ts
 * `ProviderServers`) that answers the provider's schema from memory, cut to the resource and data
 * source types the command needs.
 *
 * Why: every Terraform command asks the provider for its schema and decodes it whole. The AWS
 * provider's is 4.9 MB for about 1,500 types, and a stack uses about 50 of them. Measured on the
 * 2-core machine, region-eu: `terraform show -json` took 1.0 s and 1.3 CPU seconds (terraform
 * and the provider), 0.2 s through this; `plan` took 2.8 CPU seconds, 2.0 through this. Terraform
 * reads a type's schema only to decode that type's configuration, state or plan, so the plan is the
 * same: the provider plans every resource as before, and test/stacks/offline-plan.test.ts requires
 * the plan of region-us through it to equal the one Terraform makes with providers it starts
 * itself (but for the plan's time and the order Terraform lists the attributes it read). A type missing from what the proxy
 * keeps fails the command ("Invalid resource type"); it cannot pass unnoticed.
 *
 * It also answers a validation of a resource's configuration that the provider answered before for
 * the same request ({@link VALIDATIONS}): about half of a plan's calls, and about a tenth of the
 * test suite's CPU time.
 *
 * Everything else (planning, configuration, go-plugin's broker and stdio streams) is forwarded as it
 * is, stream by stream, with its headers and trailers.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as http2 from "http2";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** One top-level field of a protobuf message: its number, its bytes (tag included), and a map entry's key. */
export interface WireField {
  readonly field: number;
  readonly bytes: Buffer;
  /** For a field that is a map entry ({@link SCHEMA_MAPS}): its key. */
  readonly key?: string;
}

/**
 * The fields of GetProviderSchema.Response (tfplugin5 and tfplugin6 alike) that are maps from a
 * type name to its schema: resource_schemas (2), data_source_schemas (3) and
 * ephemeral_resource_schemas (8). Functions (7), the provider's own schema (1), its capabilities
 * and diagnostics are kept whole.
 */
export const SCHEMA_MAPS: ReadonlySet<number> = new Set([2, 3, 8]);

/** A varint at `pos`: its value and the position after it (values up to 2^53, as protobuf lengths and tags are). */
export function readVarint(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error("protobuf: a varint runs past the end of the message");
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
    if (scale > 2 ** 63) throw new Error("protobuf: a varint longer than ten bytes");
  }
}

/** The end of a length-delimited value whose length starts at `pos`, checked against the message. */
function lengthDelimited(buf: Buffer, pos: number): [number, number] {
  const [length, start] = readVarint(buf, pos);
  const end = start + length;
  if (end > buf.length) throw new Error("protobuf: a length-delimited field runs past the end of the message");
  return [start, end];
}

/** The key (field 1, a string) of a map entry message. */
function mapKey(entry: Buffer): string | undefined {
  let pos = 0;
  while (pos < entry.length) {
    const [tag, after] = readVarint(entry, pos);
    if ((tag & 7) !== 2) return undefined;
    const [start, end] = lengthDelimited(entry, after);
    if (tag >>> 3 === 1) return entry.toString("utf8", start, end);
    pos = end;
  }
  return undefined;
}

/** A message's top-level fields, in order, each with its bytes; map entries of {@link SCHEMA_MAPS} with their key. */
export function wireFields(message: Buffer): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < message.length) {
    const from = pos;
    const [tag, after] = readVarint(message, pos);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    let key: string | undefined;
    if (wireType === 0) pos = readVarint(message, after)[1];
    else if (wireType === 1) pos = after + 8;
    else if (wireType === 5) pos = after + 4;
    else if (wireType === 2) {
      const [start, end] = lengthDelimited(message, after);
      if (SCHEMA_MAPS.has(field)) key = mapKey(message.subarray(start, end));
      pos = end;
    } else throw new Error(`protobuf: wire type ${wireType} (field ${field}) is not supported`);
    if (pos > message.length) throw new Error("protobuf: a fixed-size field runs past the end of the message");
    fields.push({ field, bytes: message.subarray(from, pos), ...(key !== undefined ? { key } : {}) });
  }
  return fields;
}

/** The schema response with only the types in `keep` (every type where `keep` is undefined). */
export function pruneSchema(fields: readonly WireField[], keep: ReadonlySet<string> | undefined): Buffer {
  return Buffer.concat(fields.filter((f) => !keep || !SCHEMA_MAPS.has(f.field) || (f.key !== undefined && keep.has(f.key))).map((f) => f.bytes));
}

/** A gRPC message frame: an uncompressed flag, the length, the message. */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The one message of a unary gRPC response body. */
export function grpcMessage(body: Buffer): Buffer {
  if (body.length < 5) throw new Error("gRPC: a response body shorter than its frame header");
  if (body[0] !== 0) throw new Error("gRPC: a compressed response (the proxy asks for none)");
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) throw new Error(`gRPC: a response of ${body.length} bytes for one message of ${length}`);
  return body.subarray(5);
}

/** Headers without HTTP/2's pseudo-headers but those named. */
function plain(headers: http2.IncomingHttpHeaders, keep: readonly string[] = []): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  // Every stream passes here three times (a plan: thousands): no intermediate arrays.
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined && (k.charCodeAt(0) !== 58 /* ":" */ || keep.includes(k))) out[k] = v;
  }
  return out;
}

/** The upstream's schema response, kept: its headers, its fields, its trailers. */
export interface CachedSchema {
  readonly headers: http2.OutgoingHttpHeaders;
  readonly fields: readonly WireField[];
  readonly trailers: http2.OutgoingHttpHeaders;
}

/**
 * Where the proxies in front of processes of one provider binary keep its schema: the same binary
 * answers the same, so a provider started later is never asked (0.4 CPU seconds each).
 */
export interface SchemaStore {
  schema?: Promise<CachedSchema>;
  /** The binary's successful answers to a validation, by the request (see {@link VALIDATIONS}). */
  validations?: Map<string, CachedAnswer>;
}

/** A unary gRPC answer as the provider gave it: its headers, its body, its trailers (none: trailers-only). */
export interface CachedAnswer {
  readonly headers: http2.OutgoingHttpHeaders;
  readonly body: Buffer;
  readonly trailers?: http2.OutgoingHttpHeaders;
}

/**
 * The calls answered again from the first answer to the same request: a resource's or data
 * source's configuration validated. A plan asks it twice of most resources (its validate walk, then
 * its plan walk), and the tests plan the same resources many times: about half of a plan's calls
 * to the provider. Validation is offline by the plugin protocol's contract: Terraform asks it of
 * unconfigured providers (`terraform validate`), and the plugin framework's documentation says so
 * ("Configuration validation in Terraform occurs without provider configuration ("offline"), so
 * therefore the resource Configure method will not have been called":
 * https://developer.hashicorp.com/terraform/plugin/framework/resources/validate-configuration);
 * the SDK's validation reads the configuration and the schema alone. So the answer depends on the
 * binary and the request, whatever the process was configured with before.
 * test/stacks/offline-plan.test.ts requires the plan made through this to equal the one Terraform
 * makes with providers it starts itself.
 */
export const VALIDATIONS: ReadonlySet<string> = new Set([
  "/tfplugin5.Provider/ValidateResourceTypeConfig",
  "/tfplugin5.Provider/ValidateDataSourceConfig",
  "/tfplugin6.Provider/ValidateResourceConfig",
  "/tfplugin6.Provider/ValidateDataResourceConfig",
]);

/** At most this many answers kept per binary (a plan of region-eu: about 400); past it, none are kept until the store is emptied. */
export const MAX_VALIDATIONS = 100_000;

/** Sends a kept answer down. */
function answer(down: http2.ServerHttp2Stream, a: CachedAnswer): void {
  if (down.destroyed || down.closed) return;
  const trailers = a.trailers;
  if (!trailers) return void down.respond(a.headers, { endStream: true });
  down.respond(a.headers, { waitForTrailers: true });
  down.on("wantTrailers", () => down.sendTrailers(trailers));
  down.end(a.body);
}

/** A gRPC pass-through on a unix socket in front of one provider process; see the file's comment. */
export class SchemaProxy {
  /** The types the current command needs (undefined: all). Set by the one command the provider serves at a time. */
  keep: ReadonlySet<string> | undefined;
  private readonly dir: string;
  private readonly server: http2.Http2Server;
  private upstream: http2.ClientHttp2Session | undefined;
  private readonly schemaPath: string;

  /**
   * Listens at a new socket; `upstreamSocket` is the provider's (its TF_REATTACH_PROVIDERS
   * address), `store` where the schema of its binary is kept (shared by the proxies of one binary).
   */
  static async start(upstreamSocket: string, protocolVersion: number, store: SchemaStore = {}): Promise<SchemaProxy> {
    const proxy = new SchemaProxy(upstreamSocket, protocolVersion, store);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once("error", (e) => {
        proxy.close();
        reject(e);
      });
      proxy.server.listen(proxy.socket, () => {
        proxy.server.removeAllListeners("error");
        resolve();
      });
    });
    // Neither the socket nor an idle connection keeps the process alive.
    proxy.server.unref();
    return proxy;
  }

  private constructor(
    private readonly upstreamSocket: string,
    protocolVersion: number,
    private readonly store: SchemaStore,
  ) {
    this.schemaPath = protocolVersion === 6 ? "/tfplugin6.Provider/GetProviderSchema" : "/tfplugin5.Provider/GetSchema";
    // A unix socket's path is at most 104 bytes on macOS (108 on Linux): a long TMPDIR gives way to /tmp.
    const base = os.tmpdir().length <= 60 || !fs.existsSync("/tmp") ? os.tmpdir() : "/tmp";
    this.dir = fs.mkdtempSync(path.join(base, "tf-provider-proxy-"));
    this.server = http2.createServer();
    this.server.on("stream", (stream, headers) => {
      const p = headers[":path"] ?? "";
      if (p === this.schemaPath) this.answerSchema(stream);
      else if (VALIDATIONS.has(p)) this.validate(stream, headers);
      else this.forward(stream, headers);
    });
  }

  /** The socket Terraform attaches to. */
  get socket(): string {
    return path.join(this.dir, "provider.sock");
  }

  /** Stops listening, drops the connection to the provider and removes the socket. */
  close(): void {
    this.server.close();
    this.upstream?.destroy();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private session(): http2.ClientHttp2Session {
    if (!this.upstream || this.upstream.closed || this.upstream.destroyed) {
      // Every command's streams share this connection, go-plugin's long-lived ones among them: no
      // cap of Node's own (100 until the peer names one, and a gRPC server names none).
      const session = http2.connect("http://provider", { createConnection: () => net.connect(this.upstreamSocket), peerMaxConcurrentStreams: 2 ** 31 - 1 });
      session.on("error", () => undefined);
      session.unref();
      this.upstream = session;
    }
    return this.upstream;
  }

  /** A stream forwarded to the provider and back, headers, data and trailers. */
  private forward(down: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const up = this.session().request(plain(headers, [":method", ":path"]), { endStream: false });
    down.pipe(up);
    let trailers: http2.IncomingHttpHeaders = {};
    up.on("trailers", (t) => (trailers = t));
    up.on("response", (response) => {
      if (down.destroyed || down.closed) return void up.close(http2.constants.NGHTTP2_CANCEL);
      if (up.endAfterHeaders) return void down.respond(plain(response, [":status"]), { endStream: true });
      down.respond(plain(response, [":status"]), { waitForTrailers: true });
      down.on("wantTrailers", () => down.sendTrailers(plain(trailers)));
      up.pipe(down);
    });
    // Terraform gone (its command over) or the provider gone: the other side's stream goes too.
    down.on("close", () => up.destroyed || up.close(http2.constants.NGHTTP2_CANCEL));
    up.on("close", () => {
      if (up.rstCode !== http2.constants.NGHTTP2_NO_ERROR && !down.destroyed && !down.closed) down.close(up.rstCode);
    });
    up.on("error", () => undefined);
    down.on("error", () => undefined);
  }

  /** A validation: answered as the provider answered the same request before, or asked and kept if it succeeded. */
  private validate(down: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const chunks: Buffer[] = [];
    down.on("error", () => undefined);
    down.on("data", (c: Buffer) => chunks.push(c));
    down.on("end", () => {
      const request = Buffer.concat(chunks);
      const key = createHash("sha256").update(String(headers[":path"])).update("\0").update(request).digest("base64");
      const answers = (this.store.validations ??= new Map());
      const known = answers.get(key);
      if (known) return void answer(down, known);
      const up = this.session().request(plain(headers, [":method", ":path"]));
      const body: Buffer[] = [];
      let response: http2.IncomingHttpHeaders | undefined;
      let trailers: http2.IncomingHttpHeaders | undefined;
      up.on("response", (r) => (response = r));
      up.on("data", (c: Buffer) => body.push(c));
      up.on("trailers", (t) => (trailers = t));
      up.on("error", () => undefined);
      down.on("close", () => up.destroyed || up.close(http2.constants.NGHTTP2_CANCEL));
      up.on("close", () => {
        if (down.destroyed || down.closed) return;
        // No answer, or one with no gRPC status (cut off by a reset, which can reach here as a clean end): passed on as a reset.
        const status = (trailers ?? response)?.["grpc-status"];
        if (!response || status === undefined) return void down.close(up.rstCode || http2.constants.NGHTTP2_INTERNAL_ERROR);
        const given: CachedAnswer = { headers: plain(response, [":status"]), body: Buffer.concat(body), ...(trailers ? { trailers: plain(trailers) } : {}) };
        if (String(status) === "0" && answers.size < MAX_VALIDATIONS) answers.set(key, given);
        answer(down, given);
      });
      up.end(request);
    });
  }

  /** The provider's schema, asked once, kept; a failed answer is not kept. */
  private fetchSchema(): Promise<CachedSchema> {
    this.store.schema ??= new Promise<CachedSchema>((resolve, reject) => {
      const up = this.session().request({ ":method": "POST", ":path": this.schemaPath, "content-type": "application/grpc", te: "trailers" });
      up.end(grpcFrame(Buffer.alloc(0)));
      let headers: http2.OutgoingHttpHeaders = {};
      let trailers: http2.OutgoingHttpHeaders = {};
      const chunks: Buffer[] = [];
      up.on("response", (h) => (headers = plain(h, [":status"])));
      up.on("data", (c: Buffer) => chunks.push(c));
      up.on("trailers", (t) => (trailers = plain(t)));
      up.on("error", () => undefined);
      up.on("close", () => {
        // A status in the trailers, or in the headers of a response with no body (gRPC's trailers-only form).
        const status = String(trailers["grpc-status"] ?? headers["grpc-status"]);
        if (status !== "0") {
          // The provider's own status and message, from wherever it sent them.
          const given = "grpc-status" in trailers ? trailers : "grpc-status" in headers ? { "grpc-status": headers["grpc-status"], "grpc-message": headers["grpc-message"] ?? "" } : undefined;
          return reject(Object.assign(new Error(`the provider's schema: gRPC status ${status} (stream closed with ${up.rstCode})`), { trailers: given }));
        }
        try {
          resolve({ headers, fields: wireFields(grpcMessage(Buffer.concat(chunks))), trailers });
        } catch (e) {
          reject(e);
        }
      });
    }).catch((e) => {
      this.store.schema = undefined;
      throw e;
    });
    return this.store.schema;
  }

  private answerSchema(down: http2.ServerHttp2Stream): void {
    const keep = this.keep;
    down.on("error", () => undefined);
    down.resume();
    this.fetchSchema().then(
      (schema) => {
        if (down.destroyed || down.closed) return;
        down.respond(schema.headers, { waitForTrailers: true });
        down.on("wantTrailers", () => down.sendTrailers(schema.trailers));
        down.end(grpcFrame(pruneSchema(schema.fields, keep)));
      },
      (e: Error & { trailers?: http2.OutgoingHttpHeaders }) => {
        if (down.destroyed || down.closed) return;
        // gRPC's INTERNAL status, with what went wrong, unless the provider gave its own.
        down.respond({ ":status": 200, "content-type": "application/grpc", ...(e.trailers ?? { "grpc-status": "13", "grpc-message": encodeURIComponent(e.message) }) }, { endStream: true });
      },
    );
  }
}
