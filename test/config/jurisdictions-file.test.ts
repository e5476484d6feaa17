import jurisdictionsFile from "../../config/jurisdictions.json";
import { checkJurisdictionsFile } from "../../config/jurisdictions-file";
import { RegionConfigError } from "../../config/errors";
import { validateRegions } from "../../config/load";
import { JURISDICTIONS, AWS_AVAILABILITY_ZONE_IDS, GCP_ZONES, jurisdictionOf } from "../../config/catalog";
import { cloneJson } from "../support/synth";

type File = ReturnType<typeof cloneJson<typeof jurisdictionsFile>>;
// The file's jurisdictions, editable by any code (the shipped ones are a fixed set of keys).
type Loose = Record<string, Record<string, unknown> & { aws: Record<string, string[]>; gcp: Record<string, string[]> }>;
const loose = (f: File) => f.jurisdictions as unknown as Loose;

/** [label, edit of the shipped file, field, a phrase of the problem or fix]: exactly that one problem. */
const BAD: [string, (f: File) => void, string, string][] = [
  ["a lower-case code", (f) => (loose(f).eu = loose(f).EU) && delete loose(f).EU, "jurisdictions.eu", 'e.g. "EU"'],
  ["no approval", (f) => delete (f.jurisdictions.EU as Partial<typeof f.jurisdictions.EU>).approval, "jurisdictions.EU.approval", "is missing"],
  ["an empty approval", (f) => (f.jurisdictions.EU.approval = " "), "jurisdictions.EU.approval", "who approved it, when and on what basis"],
  ["no notes", (f) => (f.jurisdictions.US.notes = ""), "jurisdictions.US.notes", "what is in and out of it"],
  ["an empty description", (f) => (f.jurisdictions.SG.description = ""), "jurisdictions.SG.description", "which legal area it is"],
  ["an unknown field", (f) => ((f.jurisdictions.SG as Record<string, unknown>).azure = {}), "jurisdictions.SG", 'has unknown field(s) "azure" | remove them or correct the spelling (see config/jurisdictions-file.ts for the fields)'],
  ["a list where a region's zones belong", (f) => ((f.jurisdictions.SG as Record<string, unknown>).gcp = ["asia-southeast1"]), "jurisdictions.SG.gcp", "set jurisdictions.SG.gcp to a value of type record"],
  ["an AWS zone name instead of its zone ID", (f) => (f.jurisdictions.EU.aws["eu-west-1"][1] = "eu-west-1b"), "jurisdictions.EU.aws.eu-west-1[1]", "aws ec2 describe-availability-zones"],
  ["two AWS zones", (f) => (f.jurisdictions.US.aws["us-east-2"] = ["use2-az1", "use2-az2"]), "jurisdictions.US.aws.us-east-2", "fewer than 3 zones"],
  ["two GCP zones", (f) => (f.jurisdictions.US.gcp["us-east4"] = ["us-east4-a", "us-east4-b"]), "jurisdictions.US.gcp.us-east4", "fewer than 3 zones"],
  ["an AWS region that is no region code", (f) => (loose(f).SG.aws.Singapore = ["apse1-az1", "apse1-az2", "apse1-az3"]), "jurisdictions.SG.aws.Singapore", 'such as "eu-west-1"'],
  ["a GCP region that is no region name", (f) => (loose(f).SG.gcp["asia-southeast"] = ["asia-southeast-a", "asia-southeast-b", "asia-southeast-c"]), "jurisdictions.SG.gcp.asia-southeast", 'such as "europe-west1"'],
  ["a GCP zone that is no zone name", (f) => (f.jurisdictions.SG.gcp["asia-southeast1"][2] = "asia-southeast1"), "jurisdictions.SG.gcp.asia-southeast1[2]", "gcloud compute zones list"],
  ["a cloud region in two jurisdictions", (f) => (loose(f).US.aws["eu-west-1"] = ["euw1-az1", "euw1-az2", "euw1-az3"]), "jurisdictions.US.aws.eu-west-1", "is also a region of EU"],
  ["a GCP region in two jurisdictions", (f) => (loose(f).SG.gcp["europe-west1"] = ["europe-west1-b", "europe-west1-c", "europe-west1-d"]), "jurisdictions.SG.gcp.europe-west1", "is also a region of EU"],
  ["a zone listed twice", (f) => (f.jurisdictions.EU.aws["eu-west-3"] = ["euw3-az1", "euw3-az2", "euw3-az1"]), "jurisdictions.EU.aws.eu-west-3[2]", 'lists "euw3-az1" twice'],
  ["a GCP zone of another region", (f) => (f.jurisdictions.EU.gcp["europe-west4"][2] = "europe-west1-b"), "jurisdictions.EU.gcp.europe-west4[2]", '"europe-west1-b" is not a zone of europe-west4'],
  ["an AWS zone ID of another region", (f) => (f.jurisdictions.EU.aws["eu-north-1"][1] = "euw1-az2"), "jurisdictions.EU.aws.eu-north-1[1]", 'its first zone "eun1-az1" is in'],
];

describe("config/jurisdictions.json", () => {
  it("as shipped, holds", () => {
    expect(checkJurisdictionsFile()).toEqual([]);
  });

  it.each(BAD)("is refused with %s, naming the file, the field and the fix", (_label, edit, field, phrase) => {
    const file = cloneJson(jurisdictionsFile);
    edit(file);
    const problems = checkJurisdictionsFile(file);
    expect(problems.map((p) => [p.file, p.field])).toEqual([["config/jurisdictions.json", field]]);
    expect(`${problems[0].problem} | ${problems[0].fix}`).toContain(phrase);
  });

  it("accepts a jurisdiction with regions on one cloud only, and a fourth zone", () => {
    const file = cloneJson(jurisdictionsFile);
    loose(file).CA = { description: "Canada (PIPEDA)", notes: "Canadian regions only.", approval: "DPO and QSA, 2026-12-01, ticket SEC-1", aws: { "ca-central-1": ["cac1-az1", "cac1-az2", "cac1-az4", "cac1-az3"] }, gcp: {} };
    expect(checkJurisdictionsFile(file)).toEqual([]);
  });

  it("stops the region files from loading while it is broken", () => {
    const shipped = jurisdictionsFile.jurisdictions.EU.approval;
    // The loader reads the file the blueprint imports: break that one for the length of the test.
    jurisdictionsFile.jurisdictions.EU.approval = "";
    try {
      expect(() => validateRegions([])).toThrow(RegionConfigError);
      expect(() => validateRegions([])).toThrow(/config\/jurisdictions\.json: jurisdictions\.EU\.approval: must say who approved it/);
    } finally {
      jurisdictionsFile.jurisdictions.EU.approval = shipped;
    }
  });

  it("is what the catalog reads: each jurisdiction's regions, and each region's zones", () => {
    for (const [code, j] of Object.entries(jurisdictionsFile.jurisdictions)) {
      expect(JURISDICTIONS[code as keyof typeof JURISDICTIONS].allowedRegions).toEqual({ aws: Object.keys(j.aws), gcp: Object.keys(j.gcp) });
      for (const [region, zones] of Object.entries(j.aws as Record<string, string[]>)) expect([AWS_AVAILABILITY_ZONE_IDS[region], jurisdictionOf("aws", region)]).toEqual([zones, code]);
      for (const [region, zones] of Object.entries(j.gcp as Record<string, string[]>)) expect([GCP_ZONES[region], jurisdictionOf("gcp", region)]).toEqual([zones, code]);
    }
  });
});
