/**
 * The small functions the config rules, the guardrails and the model share: CIDR arithmetic, the
 * mesh's call helpers and the config error's text. Each case sits on a boundary, so that an
 * off-by-one or a dropped anchor changes an answer.
 */
import { firstFreeBlock, formatIpv4, isPrivate, parseCidr, rangeContains, rangesOverlap, Ipv4Range } from "../../config/cidr";
import { isRemote, matchesAllPaths } from "../../config/mesh";
import type { z } from "zod";
import { RegionConfigError, problemsFromZod } from "../../config/errors";
import { AWS_AVAILABILITY_ZONE_IDS, GCP_ZONES, JURISDICTION_CODES, JURISDICTIONS } from "../../config/catalog";
import { parseCertificate } from "../../config/pem";
import { TEST_NON_CA_PEM, TEST_TRUST_ANCHOR_PEM } from "../support/trust-anchor";

const range = (cidr: string): Ipv4Range => {
  const r = parseCidr(cidr);
  if (typeof r === "string") throw new Error(r);
  return r;
};

describe("parseCidr", () => {
  it.each<[string, number, number, number]>([
    ["10.0.0.0/8", 167772160, 184549375, 8],
    ["0.0.0.0/0", 0, 4294967295, 0],
    ["255.255.255.255/32", 4294967295, 4294967295, 32],
    ["255.0.0.0/8", 4278190080, 4294967295, 8],
    ["192.168.1.0/24", 3232235776, 3232236031, 24],
    ["172.16.0.16/28", 2886729744, 2886729759, 28],
  ])("reads %s", (cidr, first, last, prefixLength) => {
    expect(parseCidr(cidr)).toEqual({ cidr, first, last, prefixLength });
  });

  it.each([
    ["10.0.0.0", "is not an IPv4 CIDR block of the form a.b.c.d/n"],
    [" 10.0.0.0/8", "is not an IPv4 CIDR block of the form a.b.c.d/n"],
    ["10.0.0.0/8 ", "is not an IPv4 CIDR block of the form a.b.c.d/n"],
    ["10.0.0/8", "is not an IPv4 CIDR block of the form a.b.c.d/n"],
    ["1000.0.0.0/8", "is not an IPv4 CIDR block of the form a.b.c.d/n"],
    ["10.0.0.0/123", "is not an IPv4 CIDR block of the form a.b.c.d/n"],
    ["10.0.0.0/", "is not an IPv4 CIDR block of the form a.b.c.d/n"],
    ["a.b.c.d/8", "is not an IPv4 CIDR block of the form a.b.c.d/n"],
    ["256.0.0.0/8", "has an octet above 255"],
    ["10.0.0.256/32", "has an octet above 255"],
    ["10.0.0.0/33", "has a prefix length above 32"],
    ["10.0.0.1/16", "has host bits set; the network address is 10.0.0.0/16"],
    ["10.0.1.0/23", "has host bits set; the network address is 10.0.0.0/23"],
  ])("refuses %j: %s", (cidr, reason) => {
    expect(parseCidr(cidr)).toBe(`"${cidr}" ${reason}`);
  });
});

describe("formatIpv4", () => {
  it.each([
    [0, "0.0.0.0"],
    [4294967295, "255.255.255.255"],
    [167772161, "10.0.0.1"],
    [3232235521, "192.168.0.1"],
    [16909060, "1.2.3.4"],
  ])("writes %d as %s", (n, text) => expect(formatIpv4(n)).toBe(text));
});

describe("rangesOverlap and rangeContains", () => {
  it.each<[string, string, boolean, boolean]>([
    // [a, b, overlap, a contains b]
    ["10.0.0.0/24", "10.0.1.0/24", false, false],
    ["10.0.1.0/24", "10.0.0.0/24", false, false],
    ["10.0.0.0/24", "10.0.0.255/32", true, true],
    ["10.0.0.0/24", "10.0.0.0/32", true, true],
    ["10.0.0.0/24", "10.0.0.0/24", true, true],
    ["10.0.0.0/24", "10.0.0.0/23", true, false],
    ["10.0.1.0/24", "10.0.0.0/23", true, false],
    ["10.0.0.128/25", "10.0.0.0/24", true, false],
    ["10.0.0.0/16", "10.0.255.0/24", true, true],
    ["10.0.0.0/16", "10.1.0.0/24", false, false],
  ])("%s and %s: overlap %s, contains %s", (a, b, overlap, contains) => {
    expect(rangesOverlap(range(a), range(b))).toBe(overlap);
    expect(rangesOverlap(range(b), range(a))).toBe(overlap);
    expect(rangeContains(range(a), range(b))).toBe(contains);
  });
});

describe("isPrivate (RFC 1918)", () => {
  it.each<[string, boolean]>([
    ["10.0.0.0/8", true],
    ["10.255.255.255/32", true],
    ["9.255.255.255/32", false],
    ["11.0.0.0/32", false],
    ["8.0.0.0/7", false],
    ["172.16.0.0/12", true],
    ["172.31.255.255/32", true],
    ["172.15.255.255/32", false],
    ["172.32.0.0/32", false],
    ["172.0.0.0/11", false],
    ["192.168.0.0/16", true],
    ["192.168.255.255/32", true],
    ["192.167.255.255/32", false],
    ["192.169.0.0/32", false],
    ["199.36.153.4/32", false],
  ])("%s: %s", (cidr, expected) => expect(isPrivate(range(cidr))).toBe(expected));
});

describe("the mesh's call helpers", () => {
  it.each<[string | undefined, boolean]>([
    [undefined, false],
    ["eu.pay.example", false],
    ["us.pay.example", true],
  ])("a call from trust domain %s into eu.pay.example is remote: %s", (fromTrustDomain, expected) => {
    expect(isRemote({ trustDomain: "eu.pay.example" }, fromTrustDomain === undefined ? {} : { fromTrustDomain })).toBe(expected);
  });

  it.each<[string, boolean]>([
    ["*", true],
    ["/*", true],
    ["/", false],
    ["/v1/*", false],
    ["**", false],
  ])("path %j matches every path: %s", (path, expected) => expect(matchesAllPaths(path)).toBe(expected));
});

it("a config error lists every problem with its file, field, problem and fix", () => {
  const e = new RegionConfigError([
    { file: "regions/eu.ts", field: "network.vpcCidr", problem: "/8 is outside /16 to /24", fix: "use a /16" },
    { file: "regions/us.ts", field: "name", problem: "is \"x\"", fix: "rename" },
  ]);
  expect(e.name).toBe("RegionConfigError");
  expect(e.message).toBe(
    [
      "Invalid region configuration: 2 problem(s); nothing was synthesized.",
      "- regions/eu.ts: network.vpcCidr: /8 is outside /16 to /24\n  Fix: use a /16",
      '- regions/us.ts: name: is "x"\n  Fix: rename',
    ].join("\n"),
  );
});

describe("the catalog", () => {
  // The residency rule names the jurisdiction a region is in: every region the catalog knows has one.
  it.each([["aws", AWS_AVAILABILITY_ZONE_IDS], ["gcp", GCP_ZONES]] as const)("places every %s region it has zones for in exactly one jurisdiction", (cloud, zones) => {
    for (const region of Object.keys(zones)) {
      expect([region, JURISDICTION_CODES.filter((code) => (JURISDICTIONS[code].allowedRegions[cloud] as readonly string[]).includes(region))]).toEqual([region, [expect.any(String)]]);
    }
  });
});

describe("firstFreeBlock", () => {
  it.each<[string, number, string[], string | undefined]>([
    ["nothing taken", 16, [], "10.0.0.0/16"],
    ["the first block taken", 16, ["10.0.0.0/16"], "10.1.0.0/16"],
    ["part of the first block taken: the next aligned one", 16, ["10.0.0.0/20"], "10.1.0.0/16"],
    ["a block that ends where the taken one starts", 16, ["10.1.0.0/16"], "10.0.0.0/16"],
    ["a small block beside a large one", 28, ["10.0.0.0/16", "10.1.0.0/28"], "10.1.0.16/28"],
    ["10/8 full: the next private range", 16, ["10.0.0.0/8"], "172.16.0.0/16"],
    ["10/8 and 172.16/12 full: the last", 24, ["10.0.0.0/8", "172.16.0.0/12"], "192.168.0.0/24"],
    ["every private range full", 24, ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], undefined],
    ["a block larger than the ranges left", 8, ["10.0.0.0/8"], undefined],
    ["the last block of a range", 9, ["10.0.0.0/9"], "10.128.0.0/9"],
  ])("%s", (_label, prefixLength, taken, expected) => {
    expect(firstFreeBlock(prefixLength, taken.map(range))).toBe(expected);
  });
});

describe("problemsFromZod", () => {
  it("gives an issue of a kind the schema's messages do not cover the schema's file to read", () => {
    const issue: z.core.$ZodIssue = { code: "invalid_format", format: "regex", pattern: "x", path: ["network", "vpcCidr"], message: "Invalid string", input: "y" };
    expect(problemsFromZod("regions/eu.ts", [issue])).toEqual([{ file: "regions/eu.ts", field: "network.vpcCidr", problem: "Invalid string", fix: "see config/schema.ts for the expected form" }]);
    expect(problemsFromZod("config/jurisdictions.json", [issue], "config/jurisdictions-file.ts")[0].fix).toBe("see config/jurisdictions-file.ts for the expected form");
  });

  it("tells a bad record key by the key's own issue, or by the record's where the key has none", () => {
    const inner: z.core.$ZodIssue = { code: "invalid_format", format: "regex", path: [], message: "must be short. Fix: shorten it.", input: "k" };
    const issue: z.core.$ZodIssue = { code: "invalid_key", origin: "record", issues: [inner], path: ["jurisdictions", "toolong"], message: "Invalid key in record", input: "toolong" };
    expect(problemsFromZod("f.json", [issue])).toEqual([{ file: "f.json", field: "jurisdictions.toolong", problem: "must be short.", fix: "shorten it." }]);
    expect(problemsFromZod("f.json", [{ ...issue, issues: [] }])[0]).toEqual({ file: "f.json", field: "jurisdictions.toolong", problem: "Invalid key in record", fix: "see config/schema.ts for the expected form" });
  });
});

describe("parseCertificate (config/pem.ts)", () => {
  it("parses a PEM block once: the same certificate for the same text", () => {
    const first = parseCertificate(TEST_TRUST_ANCHOR_PEM);
    expect(first.ca).toBe(true);
    expect(parseCertificate(TEST_TRUST_ANCHOR_PEM)).toBe(first);
    expect(parseCertificate(TEST_NON_CA_PEM)).not.toBe(first);
  });
  it("throws for text that is not a certificate, every time (a failure is not kept)", () => {
    for (let i = 0; i < 2; i++) expect(() => parseCertificate("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----")).toThrow();
  });
});
