import { validateRegions } from "../../config/load";
import { regionFileText, syntheticRegions } from "../../bench/regions";

describe("the benchmark's synthetic regions", () => {
  const regions = syntheticRegions(64);

  it("are 64 valid regions together (the config rules, within and across regions), made from regions/eu.ts", () => {
    const loaded = validateRegions(regions.map((r) => ({ file: `bench/${r.name}.js`, data: r })));
    expect(loaded.map((r) => r.config.name)).toEqual(regions.map((_, i) => `r${i}`));
    expect(new Set(loaded.map((r) => r.config.cloud === "aws" && r.config.network.vpcCidr)).size).toBe(64);
    expect(new Set(loaded.map((r) => r.config.mesh.trustDomain)).size).toBe(64);
  });

  it("keep every capability of the template (DR partner, mesh root, services, calls)", () => {
    for (const r of regions) {
      expect(r.drPartnerRegion).toBe("eu-central-1");
      expect(r.mesh.rootCaArn).toBeDefined();
      expect(r.services?.length).toBeGreaterThan(3);
      expect(r.mesh.calls?.length).toBeGreaterThan(2);
    }
  });

  it("are written as region files main.ts reads", () => {
    const text = regionFileText(regions[3]);
    const exportsObject: { default?: unknown } = {};
    new Function("exports", text)(exportsObject);
    expect(exportsObject.default).toEqual(regions[3]);
  });

  it("refuse a count the address plan cannot hold", () => {
    expect(() => syntheticRegions(129)).toThrow(/1\.\.128/);
  });
});
