import * as fs from "fs";
import * as http2 from "http2";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { KeptAnswer, MAX_VALIDATIONS, SCHEMA_MAPS, SchemaProxy, SchemaStore, VALIDATIONS, grpcFrame, grpcMessage, pruneSchema, readVarint, wireFields } from "../../scripts/provider-proxy";
import { ProviderServers } from "../../scripts/offline-plan";

/**
 * The schema proxy in front of the provider servers (scripts/provider-proxy.ts), without
 * terraform: the protobuf wire reading and the pruning, then the proxy against a fake provider.
 * test/stacks/offline-plan.test.ts plans through it for real and requires the plan Terraform
 * makes with providers it starts itself.
 */

/** Protobuf encoding, by hand: a varint, a tag, a length-delimited field, a map entry. */
const varint = (n: number): Buffer => {
  const bytes: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
};
const tag = (field: number, wireType: number) => varint(field * 8 + wireType);
const len = (field: number, body: Buffer) => Buffer.concat([tag(field, 2), varint(body.length), body]);
const str = (field: number, s: string) => len(field, Buffer.from(s, "utf8"));
const entry = (field: number, key: string, value: string) => len(field, Buffer.concat([str(1, key), len(2, Buffer.from(value))]));

/** A GetProviderSchema.Response: the provider's schema, three resources, two data sources, a function, an ephemeral resource, capabilities, a varint and fixed fields. */
const RESPONSE = Buffer.concat([
  len(1, Buffer.from("provider-schema")),
  entry(2, "aws_kms_key", "kms"),
  entry(2, "aws_s3_bucket", "bucket"),
  entry(2, "aws_vpc", "vpc"),
  entry(3, "aws_iam_policy_document", "doc"),
  entry(3, "aws_caller_identity", "me"),
  entry(7, "arn_parse", "fn"),
  entry(8, "aws_secretsmanager_secret_version", "eph"),
  len(6, Buffer.from([0x08, 0x01])),
  Buffer.concat([tag(9, 0), varint(300)]),
  Buffer.concat([tag(10, 1), Buffer.alloc(8, 7)]),
  Buffer.concat([tag(11, 5), Buffer.alloc(4, 9)]),
]);

describe("the protobuf wire reading", () => {
  it("reads varints of one byte and of several, and refuses one that runs past the end or past ten bytes", () => {
    expect(readVarint(Buffer.from([0x05]), 0)).toEqual([5, 1]);
    expect(readVarint(varint(300), 0)).toEqual([300, 2]);
    expect(readVarint(varint(2 ** 40 + 3), 0)).toEqual([2 ** 40 + 3, 6]);
    expect(readVarint(Buffer.concat([Buffer.from([0xff]), varint(1)]), 1)).toEqual([1, 2]);
    expect(() => readVarint(Buffer.from([0x80, 0x80]), 0)).toThrow(/past the end/);
    expect(() => readVarint(Buffer.alloc(11, 0x80), 0)).toThrow(/longer than ten bytes/);
  });

  it("splits a message into its fields, each with its bytes, and a schema map's entries with their keys", () => {
    const fields = wireFields(RESPONSE);
    expect(fields.map((f) => [f.field, f.key])).toEqual([
      [1, undefined],
      [2, "aws_kms_key"],
      [2, "aws_s3_bucket"],
      [2, "aws_vpc"],
      [3, "aws_iam_policy_document"],
      [3, "aws_caller_identity"],
      [7, undefined],
      [8, "aws_secretsmanager_secret_version"],
      [6, undefined],
      [9, undefined],
      [10, undefined],
      [11, undefined],
    ]);
    expect(Buffer.concat(fields.map((f) => f.bytes)).equals(RESPONSE)).toBe(true);
    expect([...SCHEMA_MAPS].sort()).toEqual([2, 3, 8]);
  });

  it("refuses a message it cannot split: a group, a field cut short", () => {
    expect(() => wireFields(Buffer.concat([tag(4, 3)]))).toThrow(/wire type 3 \(field 4\)/);
    expect(() => wireFields(Buffer.concat([tag(2, 2), varint(10), Buffer.from("abc")]))).toThrow(/length-delimited field runs past the end/);
    expect(() => wireFields(Buffer.concat([tag(10, 1), Buffer.alloc(3)]))).toThrow(/fixed-size field runs past the end/);
  });

  it("keeps the types asked for and everything that is not a type's schema; all of it where nothing is asked", () => {
    const fields = wireFields(RESPONSE);
    const kept = wireFields(pruneSchema(fields, new Set(["aws_s3_bucket", "aws_caller_identity", "not_in_the_schema"])));
    expect(kept.map((f) => [f.field, f.key])).toEqual([
      [1, undefined],
      [2, "aws_s3_bucket"],
      [3, "aws_caller_identity"],
      [7, undefined],
      [6, undefined],
      [9, undefined],
      [10, undefined],
      [11, undefined],
    ]);
    expect(pruneSchema(fields, undefined).equals(RESPONSE)).toBe(true);
    expect(wireFields(pruneSchema(fields, new Set())).filter((f) => SCHEMA_MAPS.has(f.field))).toEqual([]);
  });

  it("frames a gRPC message and reads one back, refusing a compressed, short or longer body", () => {
    const frame = grpcFrame(Buffer.from("abc"));
    expect([...frame]).toEqual([0, 0, 0, 0, 3, 97, 98, 99]);
    expect(grpcMessage(frame).toString()).toBe("abc");
    expect(() => grpcMessage(Buffer.from([1, 0, 0, 0, 0]))).toThrow(/compressed/);
    expect(() => grpcMessage(Buffer.from([0, 0, 0]))).toThrow(/shorter than its frame header/);
    expect(() => grpcMessage(Buffer.concat([frame, frame]))).toThrow(/for one message of 3/);
  });
});

describe("the proxy in front of a provider", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "proxy-test-"));
  const socket = path.join(dir, "provider.sock");
  const calls: string[] = [];
  let schemaFails = false;
  let flips = 0;
  const provider = http2.createServer();
  provider.on("stream", (stream, headers) => {
    const route = String(headers[":path"]);
    calls.push(route);
    const body: Buffer[] = [];
    stream.on("data", (c: Buffer) => body.push(c));
    stream.on("end", () => {
      if (route === "/tfplugin5.Provider/GetSchema") {
        if (schemaFails) return stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "14", "grpc-message": "unavailable" }, { endStream: true });
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        return stream.end(grpcFrame(RESPONSE));
      }
      const text = Buffer.concat(body).toString();
      // A validation or a configuration that fails (a status with no body), or a stream reset.
      if (text.includes("refuse")) return stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "3", "grpc-message": "invalid" }, { endStream: true });
      if (text.includes("reset")) {
        stream.on("error", () => undefined);
        return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      }
      if (text.includes("cut")) {
        // Headers and part of the answer, then a reset.
        stream.on("error", () => undefined);
        stream.respond({ ":status": 200, "content-type": "application/grpc" });
        stream.write(Buffer.from([0, 0, 0, 0, 9, 1]));
        return void setTimeout(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR), 20);
      }
      if (text.includes("stray")) {
        // A status in the headers, then a body and no trailers (not gRPC).
        stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "0" });
        return stream.end(Buffer.from([0, 0, 0, 0, 0]));
      }
      // A provider that answers the same request differently each time: in its status's message, or in its body.
      if (text.includes("flop")) {
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        return stream.end(grpcFrame(Buffer.from(`n${++flips}`)));
      }
      if (text.includes("flip")) return stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "0", "grpc-message": `n${++flips}` }, { endStream: true });
      if (route === "/tfplugin5.Provider/Stop") return stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12", "grpc-message": "no" }, { endStream: true });
      // Anything else: the request echoed, with metadata of its own in the headers and the trailers.
      stream.respond({ ":status": 200, "content-type": "application/grpc", "x-seen": String(headers["x-sent"] ?? "") }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0", "x-trailer": "t" }));
      stream.end(Buffer.concat(body));
    });
  });

  beforeAll(() => new Promise<void>((resolve) => provider.listen(socket, resolve)));
  afterAll(() => {
    provider.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One call through the proxy as Terraform makes it: headers, body, and what comes back. */
  const call = (proxy: SchemaProxy, route: string, body: Buffer, headers: http2.OutgoingHttpHeaders = {}) =>
    new Promise<{ headers: http2.IncomingHttpHeaders; body: Buffer; trailers: http2.IncomingHttpHeaders }>((resolve, reject) => {
      const session = http2.connect("http://proxy", { createConnection: () => net.connect(proxy.socket) });
      session.on("error", reject);
      const req = session.request({ ":method": "POST", ":path": route, "content-type": "application/grpc", te: "trailers", ...headers });
      let response: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      req.on("response", (h) => (response = h));
      req.on("trailers", (t) => (trailers = t));
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("error", reject);
      req.on("close", () => {
        session.close();
        resolve({ headers: response, body: Buffer.concat(chunks), trailers });
      });
      req.end(body);
    });

  it("answers the schema with the types asked for, and asks the provider once for every proxy of its binary", async () => {
    const store: SchemaStore = {};
    const first = await SchemaProxy.start(socket, 5, store);
    const second = await SchemaProxy.start(socket, 5, store);
    try {
      first.keep = new Set(["aws_vpc"]);
      const a = await call(first, "/tfplugin5.Provider/GetSchema", grpcFrame(Buffer.alloc(0)));
      expect(a.trailers["grpc-status"]).toBe("0");
      expect(wireFields(grpcMessage(a.body)).map((f) => f.key ?? f.field)).toEqual([1, "aws_vpc", 7, 6, 9, 10, 11]);
      second.keep = undefined;
      const b = await call(second, "/tfplugin5.Provider/GetSchema", grpcFrame(Buffer.alloc(0)));
      expect(grpcMessage(b.body).equals(RESPONSE)).toBe(true);
      expect(calls.filter((c) => c.endsWith("/GetSchema"))).toHaveLength(1);
    } finally {
      first.close();
      second.close();
    }
    expect(fs.existsSync(first.socket)).toBe(false);
  });

  it("passes a provider's failure to answer the schema on, and asks again at the next request", async () => {
    const proxy = await SchemaProxy.start(socket, 5, {});
    try {
      schemaFails = true;
      const failed = await call(proxy, "/tfplugin5.Provider/GetSchema", grpcFrame(Buffer.alloc(0)));
      expect(failed.headers["grpc-status"] ?? failed.trailers["grpc-status"]).toBe("14");
      schemaFails = false;
      const before = calls.length;
      const ok = await call(proxy, "/tfplugin5.Provider/GetSchema", grpcFrame(Buffer.alloc(0)));
      expect(ok.trailers["grpc-status"]).toBe("0");
      expect(calls.slice(before)).toEqual(["/tfplugin5.Provider/GetSchema"]);
    } finally {
      proxy.close();
    }
  });

  /**
   * Whether the proxy's answer to one call ended its stream with the headers (gRPC's trailers-only
   * form, which a gRPC client requires where the status is in the headers), read off the HTTP/2
   * frames: Node's client cannot tell.
   */
  const endsWithHeaders = async (proxy: SchemaProxy, route: string, body: Buffer): Promise<boolean> => {
    const relaySocket = path.join(dir, "relay.sock");
    const frames: Buffer[] = [];
    const relay = net.createServer((client) => {
      const upstream = net.connect(proxy.socket);
      client.pipe(upstream);
      upstream.on("data", (c: Buffer) => frames.push(c));
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(relaySocket, resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const session = http2.connect("http://proxy", { createConnection: () => net.connect(relaySocket) });
        session.on("error", reject);
        const req = session.request({ ":method": "POST", ":path": route, "content-type": "application/grpc", te: "trailers" });
        req.resume();
        req.on("close", () => {
          session.destroy();
          resolve();
        });
        req.end(body);
      });
    } finally {
      relay.close();
    }
    // Frames: a 9-byte header (length, type, flags, stream), then the payload. The call is stream 1.
    const bytes = Buffer.concat(frames);
    for (let pos = 0; pos + 9 <= bytes.length; pos += 9 + bytes.readUIntBE(pos, 3)) {
      if (bytes[pos + 3] === 0x1 && (bytes.readUInt32BE(pos + 5) & 0x7fffffff) === 1) return (bytes[pos + 4] & 0x1) === 0x1;
    }
    throw new Error("no HEADERS frame for the call");
  };

  it("forwards every other call as it is: body, headers and trailers, and a status with no body", async () => {
    const proxy = await SchemaProxy.start(socket, 5, {});
    try {
      const body = grpcFrame(Buffer.alloc(100_000, 1));
      const echoed = await call(proxy, "/tfplugin5.Provider/PlanResourceChange", body, { "x-sent": "hello" });
      expect(echoed.body.equals(body)).toBe(true);
      expect([echoed.headers[":status"], echoed.headers["x-seen"], echoed.trailers["grpc-status"], echoed.trailers["x-trailer"]]).toEqual([200, "hello", "0", "t"]);
      const refused = await call(proxy, "/tfplugin5.Provider/Stop", grpcFrame(Buffer.alloc(0)));
      expect([refused.headers["grpc-status"], refused.headers["grpc-message"], refused.body.length]).toEqual(["12", "no", 0]);
      // The status with no body as the provider sent it: the headers end the stream; an answer with a body does not end there.
      expect(await endsWithHeaders(proxy, "/tfplugin5.Provider/Stop", grpcFrame(Buffer.alloc(0)))).toBe(true);
      expect(await endsWithHeaders(proxy, "/tfplugin5.Provider/PlanResourceChange", grpcFrame(Buffer.alloc(10, 1)))).toBe(false);
    } finally {
      proxy.close();
    }
  });

  describe("a validation asked again", () => {
    const VALIDATE = "/tfplugin5.Provider/ValidateResourceTypeConfig";
    const CONFIGURE = "/tfplugin5.Provider/Configure";
    const asked = (from: number) => calls.slice(from).filter((c) => VALIDATIONS.has(c)).length;
    const frame = (s: string) => grpcFrame(Buffer.from(s));
    const withMode = async (mode: string, f: () => Promise<void>) => {
      process.env.BLUEPRINT_PROVIDER_MEMO = mode;
      try {
        await f();
      } finally {
        delete process.env.BLUEPRINT_PROVIDER_MEMO;
      }
    };
    // The default mode here, whatever the run was started with (BLUEPRINT_PROVIDER_MEMO=verify checks the plans).
    const started = process.env.BLUEPRINT_PROVIDER_MEMO;
    beforeAll(() => delete process.env.BLUEPRINT_PROVIDER_MEMO);
    afterAll(() => {
      if (started !== undefined) process.env.BLUEPRINT_PROVIDER_MEMO = started;
    });

    it("validates resources, data sources and the provider block, in both protocols, and nothing else", () => {
      expect([...VALIDATIONS].sort()).toEqual([
        "/tfplugin5.Provider/PrepareProviderConfig",
        "/tfplugin5.Provider/ValidateDataSourceConfig",
        "/tfplugin5.Provider/ValidateResourceTypeConfig",
        "/tfplugin6.Provider/ValidateDataResourceConfig",
        "/tfplugin6.Provider/ValidateProviderConfig",
        "/tfplugin6.Provider/ValidateResourceConfig",
      ]);
    });

    it("is asked twice, then answered as the provider answered it (body, headers, trailers) without asking it, by every proxy of the binary", async () => {
      const store: SchemaStore = {};
      const first = await SchemaProxy.start(socket, 5, store);
      const second = await SchemaProxy.start(socket, 5, store);
      try {
        const before = calls.length;
        const answers = [];
        for (const proxy of [first, first, second, first]) answers.push(await call(proxy, VALIDATE, frame("aws_vpc {cidr}"), { "x-sent": "v" }));
        expect(asked(before)).toBe(2);
        for (const x of answers) expect([x.body.equals(frame("aws_vpc {cidr}")), x.headers[":status"], x.headers["x-seen"], x.trailers["grpc-status"], x.trailers["x-trailer"]]).toEqual([true, 200, "v", "0", "t"]);
        // Another request, another path, another protocol's name: asked.
        await call(first, VALIDATE, frame("aws_vpc {cidr2}"));
        await call(first, "/tfplugin5.Provider/ValidateDataSourceConfig", frame("aws_vpc {cidr}"));
        await call(first, "/tfplugin6.Provider/ValidateResourceConfig", frame("aws_vpc {cidr}"));
        expect(asked(before)).toBe(5);
      } finally {
        first.close();
        second.close();
      }
    });

    it("fails the call, naming both answers, where the provider answers the same request differently, and keeps neither", async () => {
      const proxy = await SchemaProxy.start(socket, 5, {});
      try {
        const before = calls.length;
        const one = await call(proxy, VALIDATE, frame("flip"));
        expect([one.headers["grpc-status"], one.headers["grpc-message"]]).toEqual(["0", `n${flips}`]);
        const two = await call(proxy, VALIDATE, frame("flip"));
        expect(two.headers["grpc-status"]).toBe("13");
        expect(decodeURIComponent(String(two.headers["grpc-message"]))).toMatch(/answered \/tfplugin5\.Provider\/ValidateResourceTypeConfig differently to the same request \(status 0 "n\d+", body ; now status 0 "n\d+", body \).*BLUEPRINT_PROVIDER_MEMO=0/);
        // Forgotten: the next one is kept anew, and the one after it fails again.
        expect((await call(proxy, VALIDATE, frame("flip"))).headers["grpc-status"]).toBe("0");
        expect((await call(proxy, VALIDATE, frame("flip"))).headers["grpc-status"]).toBe("13");
        expect(grpcMessage((await call(proxy, VALIDATE, frame("flop"))).body).toString()).toBe(`n${flips}`);
        const flop = await call(proxy, VALIDATE, frame("flop"));
        expect([flop.headers["grpc-status"], decodeURIComponent(String(flop.headers["grpc-message"]))]).toEqual(["13", expect.stringContaining(`now status 0 "", body ${grpcFrame(Buffer.from(`n${flips}`)).toString("base64")}`)]);
        expect(asked(before)).toBe(6);
      } finally {
        proxy.close();
      }
    });

    it("is asked every time under BLUEPRINT_PROVIDER_MEMO=verify and compared, and kept not at all under =0", async () => {
      const store: SchemaStore = {};
      const proxy = await SchemaProxy.start(socket, 5, store);
      try {
        const before = calls.length;
        await withMode("verify", async () => {
          for (let i = 0; i < 3; i++) expect((await call(proxy, VALIDATE, frame("v"))).trailers["grpc-status"]).toBe("0");
          await call(proxy, VALIDATE, frame("flip"));
          expect((await call(proxy, VALIDATE, frame("flip"))).headers["grpc-status"]).toBe("13");
        });
        expect(asked(before)).toBe(5);
        await withMode("0", async () => {
          for (let i = 0; i < 3; i++) await call(proxy, VALIDATE, frame("zero"));
          // Kept and confirmed above, and asked all the same.
          await call(proxy, VALIDATE, frame("v"));
          await call(proxy, VALIDATE, frame("flip"));
          expect((await call(proxy, VALIDATE, frame("flip"))).headers["grpc-status"]).toBe("0");
        });
        expect(asked(before)).toBe(11);
        expect([...store.validations!.values()].map((k) => k.answer.body.toString())).toEqual([frame("v").toString()]);
      } finally {
        proxy.close();
      }
    });

    it("is asked again after a failure (a status, a reset before or after the answer's headers, or a body after a status: passed on as it is, or as a reset)", async () => {
      const proxy = await SchemaProxy.start(socket, 5, {});
      try {
        const before = calls.length;
        for (let i = 0; i < 3; i++) {
          const refused = await call(proxy, VALIDATE, frame("refuse"));
          expect([refused.headers["grpc-status"], refused.headers["grpc-message"], refused.body.length]).toEqual(["3", "invalid", 0]);
        }
        for (let i = 0; i < 3; i++) await expect(call(proxy, VALIDATE, frame("reset"))).rejects.toThrow(/NGHTTP2_REFUSED_STREAM/);
        for (let i = 0; i < 3; i++) await expect(call(proxy, VALIDATE, frame("cut"))).rejects.toThrow(/NGHTTP2_INTERNAL_ERROR/);
        for (let i = 0; i < 3; i++) await expect(call(proxy, VALIDATE, frame("stray"))).rejects.toThrow(/NGHTTP2_INTERNAL_ERROR/);
        expect(asked(before)).toBe(12);
      } finally {
        proxy.close();
      }
    });

    it("is answered from memory whatever the process was configured with since (the second answer is the check)", async () => {
      const store: SchemaStore = {};
      const first = await SchemaProxy.start(socket, 5, store);
      const second = await SchemaProxy.start(socket, 5, store);
      try {
        const before = calls.length;
        await call(first, VALIDATE, frame("r"));
        await call(first, CONFIGURE, frame("region=eu"));
        await call(first, VALIDATE, frame("r"));
        await call(second, CONFIGURE, frame("region=us"));
        for (const proxy of [first, second]) expect((await call(proxy, VALIDATE, frame("r"))).body.equals(frame("r"))).toBe(true);
        expect([asked(before), calls.slice(before).filter((c) => c === CONFIGURE).length]).toEqual([2, 2]);
      } finally {
        first.close();
        second.close();
      }
    });

    it("keeps no more than MAX_VALIDATIONS answers", async () => {
      const kept: KeptAnswer = { answer: { headers: { ":status": 200 }, body: Buffer.alloc(0) }, confirmed: true };
      const store: SchemaStore = { validations: new Map(Array.from({ length: MAX_VALIDATIONS - 1 }, (_, i) => [String(i), kept])) };
      const proxy = await SchemaProxy.start(socket, 5, store);
      try {
        const before = calls.length;
        for (const body of ["one", "one", "one", "two", "two", "two"]) await call(proxy, VALIDATE, frame(body));
        expect([asked(before), store.validations!.size]).toEqual([5, MAX_VALIDATIONS]);
      } finally {
        proxy.close();
      }
    });
  });

  it("answers protocol 6's schema call by its own name, and forwards protocol 5's there", async () => {
    const proxy = await SchemaProxy.start(socket, 6, {});
    proxy.keep = new Set(["aws_vpc"]);
    try {
      const before = calls.length;
      // The fake provider echoes a call it does not know: here the proxy's own (empty) schema request.
      const schema = await call(proxy, "/tfplugin6.Provider/GetProviderSchema", grpcFrame(Buffer.alloc(0)));
      expect(grpcMessage(schema.body).length).toBe(0);
      // Protocol 5's name is not the schema call here: forwarded, and answered whole.
      const other = await call(proxy, "/tfplugin5.Provider/GetSchema", grpcFrame(Buffer.alloc(0)));
      expect(grpcMessage(other.body).equals(RESPONSE)).toBe(true);
      expect(calls.slice(before)).toEqual(["/tfplugin6.Provider/GetProviderSchema", "/tfplugin5.Provider/GetSchema"]);
    } finally {
      proxy.close();
    }
  });
});

describe("the provider servers (scripts/offline-plan.ts ProviderServers)", () => {
  /** A stand-in provider: says where to attach (no unix socket, so no proxy), records its start, and dies after `lifeMs`. */
  const fakeProvider = (lifeMs: number) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-provider-"));
    const bin = path.join(dir, "terraform-provider-fake");
    fs.writeFileSync(
      bin,
      `#!/bin/sh\necho start >> "${dir}/starts"\necho "TF_REATTACH_PROVIDERS='{\\"fake\\":{\\"Protocol\\":\\"grpc\\",\\"ProtocolVersion\\":5,\\"Pid\\":$$,\\"Test\\":true,\\"Addr\\":{\\"Network\\":\\"tcp\\",\\"String\\":\\"127.0.0.1:1\\"}}}'"\nsleep ${lifeMs / 1000}\nexit 1\n`,
      { mode: 0o755 },
    );
    return { bin, starts: () => fs.readFileSync(path.join(dir, "starts"), "utf8").trim().split("\n").length };
  };

  it("does not hand out a server whose provider died: the next command gets a new one", async () => {
    const fake = fakeProvider(300);
    const servers = new ProviderServers(fake.bin, 1);
    try {
      expect(await servers.with(async (reattach) => JSON.parse(reattach).fake.Addr.String)).toBe("127.0.0.1:1");
      expect(fake.starts()).toBe(1);
      await new Promise((r) => setTimeout(r, 800));
      await servers.with(async () => undefined);
      expect(fake.starts()).toBe(2);
    } finally {
      servers.close();
    }
  });

  it("keeps a live server for the next command", async () => {
    const fake = fakeProvider(3_000);
    const servers = new ProviderServers(fake.bin, 1);
    try {
      await servers.with(async () => undefined);
      await servers.with(async () => undefined);
      expect(fake.starts()).toBe(1);
    } finally {
      servers.close();
    }
  });
});
