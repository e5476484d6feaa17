/** The GCP rules' helpers: key purposes by reference, private ranges, the region's ranges. */
import { GcpRegionConfig } from "../../config/schema";
import { insideRegion, isPrivateRange, purposeOf } from "../../guardrails/rules/gcp/common";
import { shippedRegions } from "../support/synth";

const region = shippedRegions().find((r): r is GcpRegionConfig => r.cloud === "gcp")!;

describe("purposeOf", () => {
  it("names a key of the stack by its resource name, and nothing for a stack without it", () => {
    expect(purposeOf({ resource: { google_kms_crypto_key: { k: { name: "audit" } } } }, "k")).toBe("audit");
    expect(purposeOf({ resource: { google_kms_crypto_key: { k: { name: "audit" } } } }, "other")).toBeUndefined();
    expect(purposeOf({ resource: { google_kms_crypto_key: { k: { name: "audit" } } } }, undefined)).toBeUndefined();
    expect(purposeOf({ resource: {} }, "k")).toBeUndefined();
    expect(purposeOf({}, "k")).toBeUndefined();
  });
});

describe("isPrivateRange", () => {
  it.each([
    ["10.1.0.0/16", true],
    ["172.16.0.0/12", true],
    ["192.168.4.0/24", true],
    ["172.32.0.0/16", false],
    ["8.8.8.0/24", false],
    ["not a range", false],
  ] as const)("%s: %s", (cidr, expected) => expect(isPrivateRange(cidr)).toBe(expected));
});

describe("insideRegion", () => {
  it.each([
    [region.network.workloadCidr, true],
    ["10.30.1.0/24", true],
    ["10.30.1.7", true],
    [region.network.googleApisAddress, true],
    ["10.31.0.0/24", false],
    ["10.31.0.7", false],
    ["10.0.0.0/8", false],
    ["not a range", false],
  ] as const)("%s: %s", (cidr, expected) => expect(insideRegion(region, cidr)).toBe(expected));
});
