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
 * It also answers a validation (of a resource's or the provider block's configuration) that the
 * provider has answered the same way twice for the same request ({@link VALIDATIONS}): about half
 * of a plan's calls, and about a tenth of the test suite's CPU time.
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
 * Where the proxies in front of processes of one provider binary keep its schema (the same binary
 * answers the same, so a provider started later is never asked: 0.4 CPU seconds each) and its
 * answers to validations.
 */
export interface SchemaStore {
  schema?: Promise<CachedSchema>;
  /** The binary's answers to a validation, by the request (see {@link VALIDATIONS}). */
  validations?: Map<string, KeptAnswer>;
}

/** A unary gRPC answer as the provider gave it: its headers, its body, its trailers (none: trailers-only). */
export interface CachedAnswer {
  readonly headers: http2.OutgoingHttpHeaders;
  readonly body: Buffer;
  readonly trailers?: http2.OutgoingHttpHeaders;
}

/** A validation's answer, and whether the provider has given it twice for the same request. */
export interface KeptAnswer {
  readonly answer: CachedAnswer;
  confirmed: boolean;
}

/**
 * The calls answered from memory, by their request: a resource's, a data source's or the provider
 * block's configuration validated. A plan asks the provider to validate most resources twice (its
 * validate walk, then its plan walk), and the tests plan the same resources many times: about
 * half of a plan's calls. The provider block's is the dearest call there is (70 ms of the
 * provider's CPU each, measured on 5.100.0), asked by every command for every provider block.
 *
 * Terraform asks these of providers it has not configured (its validate walk), and the plugin
 * framework's documentation calls validation offline
 * (https://developer.hashicorp.com/terraform/plugin/framework/resources/validate-configuration);
 * the SDK's server validates the request's configuration against the schema alone. But the
 * framework does hand a resource whatever the provider process was last configured with before
 * it validates, and a process here serves many commands. So the answer is not trusted on that
 * ground alone: the second time a request comes, it is asked again, and the two answers must be
 * the same (every answer seen for 5.100.0 and these stacks is); from then on it is answered from
 * memory. Where the two differ, the command fails with both (gRPC INTERNAL), naming the request.
 * `BLUEPRINT_PROVIDER_MEMO=verify` asks every time and compares (for a new provider version);
 * `=0` asks every time and keeps nothing.
 */
export const VALIDATIONS: ReadonlySet<string> = new Set([
  "/tfplugin5.Provider/ValidateResourceTypeConfig",
  "/tfplugin5.Provider/ValidateDataSourceConfig",
  "/tfplugin5.Provider/PrepareProviderConfig",
  "/tfplugin6.Provider/ValidateResourceConfig",
  "/tfplugin6.Provider/ValidateDataResourceConfig",
  "/tfplugin6.Provider/ValidateProviderConfig",
]);

/** At most this many answers kept per binary (a plan of region-eu asks about 400); past it, no new one is kept. */
export const MAX_VALIDATIONS = 100_000;

/** Whether two answers of the provider are the same: status, message and body. */
function sameAnswer(a: CachedAnswer, b: CachedAnswer): boolean {
  const [x, y] = [statusOf(a), statusOf(b)];
  return x.status === y.status && x.message === y.message && a.body.equals(b.body);
}

/** Sends a kept answer down. */
function answer(down: http2.ServerHttp2Stream, a: CachedAnswer): void {
  if (down.destroyed || down.closed) return;
  const trailers = a.trailers;
  if (!trailers) return void down.respond(a.headers, { endStream: true });
  down.respond(a.headers, { waitForTrailers: true });
  down.on("wantTrailers", () => down.sendTrailers(trailers));
  down.end(a.body);
}

/** gRPC's INTERNAL status with `message`, as a trailers-only answer. */
function internalError(message: string): CachedAnswer {
  return { headers: { ":status": 200, "content-type": "application/grpc", "grpc-status": "13", "grpc-message": encodeURIComponent(message) }, body: Buffer.alloc(0) };
}

/** What came back for one unary call to the provider: its headers (none if reset before them), body, trailers and reset code. */
interface Asked {
  readonly response?: http2.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly trailers?: http2.IncomingHttpHeaders;
  readonly rstCode?: number;
}

/**
 * A unary answer, if it came whole: a status in its trailers, or in headers with no body after
 * them (gRPC's trailers-only form). Anything else (a reset, an answer cut off) is not an answer.
 * Node 20 reports a reset that follows the headers as a clean end (rstCode 0, and endAfterHeaders
 * is never set on a client stream), so a status in headers that a reset then cut short would pass
 * here; grpc-go sends a status in headers only with END_STREAM.
 */
function wholeAnswer({ response, body, trailers }: Asked): CachedAnswer | undefined {
  if (!response || !(trailers ? "grpc-status" in trailers : "grpc-status" in response && body.length === 0)) return undefined;
  return { headers: plain(response, [":status"]), body, ...(trailers ? { trailers: plain(trailers) } : {}) };
}

/** A whole answer's gRPC status and message (from its trailers, or its headers where it has none). */
const statusOf = (a: CachedAnswer): { readonly status: string; readonly message: string } => {
  const where = a.trailers ?? a.headers;
  return { status: String(where["grpc-status"]), message: String(where["grpc-message"] ?? "") };
};

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
      // gRPC's trailers-only answer: its status in the headers, which end the stream. (Node 20 never
      // sets endAfterHeaders on a client stream; a status in the headers is only ever this form.)
      if ("grpc-status" in response) return void down.respond(plain(response, [":status"]), { endStream: true });
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

  /** Asks the provider one unary call; a `caller` that goes away cancels it. */
  private ask(headers: http2.OutgoingHttpHeaders, request: Buffer, caller?: http2.ServerHttp2Stream): Promise<Asked> {
    return new Promise((resolve) => {
      const up = this.session().request(headers);
      const body: Buffer[] = [];
      let response: http2.IncomingHttpHeaders | undefined;
      let trailers: http2.IncomingHttpHeaders | undefined;
      up.on("response", (r) => (response = r));
      up.on("data", (c: Buffer) => body.push(c));
      up.on("trailers", (t) => (trailers = t));
      up.on("error", () => undefined);
      caller?.on("close", () => up.destroyed || up.close(http2.constants.NGHTTP2_CANCEL));
      up.on("close", () => resolve({ response, body: Buffer.concat(body), trailers, rstCode: up.rstCode }));
      up.end(request);
    });
  }

  /**
   * A validation: answered from memory once the provider has given the same answer to the same
   * request twice; asked otherwise, and its answer kept the first time (see {@link VALIDATIONS}).
   */
  private validate(down: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const chunks: Buffer[] = [];
    down.on("error", () => undefined);
    down.on("data", (c: Buffer) => chunks.push(c));
    down.on("end", async () => {
      const request = Buffer.concat(chunks);
      const route = String(headers[":path"]);
      const key = createHash("sha256").update(route).update("\0").update(request).digest("base64");
      const mode = process.env.BLUEPRINT_PROVIDER_MEMO;
      const answers = (this.store.validations ??= new Map());
      const kept = mode === "0" ? undefined : answers.get(key);
      if (kept?.confirmed && mode !== "verify") return void answer(down, kept.answer);
      const asked = await this.ask(plain(headers, [":method", ":path"]), request, down);
      if (down.destroyed || down.closed) return;
      // Not a whole answer: passed on as a reset, and not kept.
      const given = wholeAnswer(asked);
      if (!given) return void down.close(asked.rstCode || http2.constants.NGHTTP2_INTERNAL_ERROR);
      if (kept && !sameAnswer(kept.answer, given)) {
        answers.delete(key);
        const show = (a: CachedAnswer) => `status ${statusOf(a).status} ${JSON.stringify(decodeURIComponent(statusOf(a).message))}, body ${a.body.toString("base64")}`;
        return void answer(down, internalError(`scripts/provider-proxy.ts: the provider answered ${route} differently to the same request (${show(kept.answer)}; now ${show(given)}), so it cannot be answered from memory; BLUEPRINT_PROVIDER_MEMO=0 asks the provider every time`));
      }
      if (kept) kept.confirmed = true;
      else if (mode !== "0" && statusOf(given).status === "0" && answers.size < MAX_VALIDATIONS) answers.set(key, { answer: given, confirmed: false });
      answer(down, given);
    });
  }

  /** The provider's schema, asked once, kept; a failed answer is not kept. */
  private fetchSchema(): Promise<CachedSchema> {
    this.store.schema ??= this.ask({ ":method": "POST", ":path": this.schemaPath, "content-type": "application/grpc", te: "trailers" }, grpcFrame(Buffer.alloc(0)))
      .then((asked) => {
        const got = wholeAnswer(asked);
        if (!got || statusOf(got).status !== "0") {
          // The provider's own status and message, as it sent them.
          const given = got && (got.trailers ?? { "grpc-status": statusOf(got).status, "grpc-message": statusOf(got).message });
          throw Object.assign(new Error(`the provider's schema: gRPC status ${got ? statusOf(got).status : "none"} (stream closed with ${asked.rstCode})`), { trailers: given });
        }
        return { headers: got.headers, fields: wireFields(grpcMessage(got.body)), trailers: got.trailers ?? {} };
      })
      .catch((e) => {
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
      (schema) => answer(down, { headers: schema.headers, body: grpcFrame(pruneSchema(schema.fields, keep)), trailers: schema.trailers }),
      // gRPC's INTERNAL status, with what went wrong, unless the provider gave its own.
      (e: Error & { trailers?: http2.OutgoingHttpHeaders }) =>
        answer(down, e.trailers ? { headers: { ":status": 200, "content-type": "application/grpc", ...e.trailers }, body: Buffer.alloc(0) } : internalError(e.message)),
    );
  }
}
