/**
 * The validation of `config/jurisdictions.json`: where the platform may keep cardholder data. The
 * file is data a reviewer changes deliberately (docs/regions.md, Adding a jurisdiction or a cloud
 * region); this checks its shape and what the region rules rely on, before any region file is read.
 */
import { z } from "zod";
import jurisdictionsFile from "./jurisdictions.json";
import { JURISDICTIONS_FILE } from "./catalog";
import { ConfigProblem, problemsFromZod } from "./errors";

const text = (what: string) => z.string().regex(/\S/, { error: `must say ${what}. Fix: write it (docs/regions.md says what it holds).` });

/** An AWS region's availability zone IDs (`euw1-az1`), at least three (the reference model's data tier and quorum). */
const awsZoneIds = z
  .array(z.string().regex(/^[a-z]{2,5}\d-az\d+$/, { error: 'must be an availability zone ID such as "euw1-az1" (not a zone name). Fix: copy the ZoneId column of `aws ec2 describe-availability-zones --region <region>`.' }))
  .min(3, { error: "lists fewer than 3 zones; a region of the blueprint needs 3. Fix: list 3 or more zones, or leave the region out." });

/** A GCP region's zones (`europe-west1-b`), at least three. */
const gcpZones = z
  .array(z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, { error: 'must be a zone name such as "europe-west1-b". Fix: copy the NAME column of `gcloud compute zones list --filter="region:<region>"`.' }))
  .min(3, { error: "lists fewer than 3 zones; a region of the blueprint needs 3. Fix: list 3 or more zones, or leave the region out." });

const JurisdictionsSchema = z.strictObject({
  $comment: z.string(),
  jurisdictions: z.record(
    z.string().regex(/^[A-Z]{2,3}$/, { error: 'must be a short upper-case code. Fix: e.g. "EU", "US", "SG".' }),
    z.strictObject({
      /** The legal area, as a reviewer names it (e.g. "European Union (GDPR)"). */
      description: text("which legal area it is"),
      /** What is in and out, and why (e.g. "London is outside the EU"). */
      notes: text("what is in and out of it, and why"),
      /** Who approved the jurisdiction and its regions, when, on what basis. */
      approval: text("who approved it, when and on what basis"),
      aws: z.record(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be an AWS region such as "eu-west-1". Fix: use the region\'s code.' }), awsZoneIds),
      gcp: z.record(z.string().regex(/^[a-z]+-[a-z]+\d+$/, { error: 'must be a Google Cloud region such as "europe-west1". Fix: use the region\'s name.' }), gcpZones),
    }),
  ),
});

/**
 * The problems of the jurisdictions file (`data`, by default the one the blueprint loads): its
 * shape, then what the region rules rely on: a cloud region belongs to one jurisdiction only, an
 * AWS region's zone IDs share its prefix, a GCP region's zones are its own, no zone is listed twice.
 */
export function checkJurisdictionsFile(data: unknown = jurisdictionsFile): ConfigProblem[] {
  const parsed = JurisdictionsSchema.safeParse(data);
  if (!parsed.success) return problemsFromZod(JURISDICTIONS_FILE, parsed.error.issues, "config/jurisdictions-file.ts");
  const problems: ConfigProblem[] = [];
  const report = (field: string, problem: string, fix: string) => problems.push({ file: JURISDICTIONS_FILE, field, problem, fix });
  const owner = new Map<string, string>();
  for (const [code, j] of Object.entries(parsed.data.jurisdictions)) {
    for (const cloud of ["aws", "gcp"] as const) {
      for (const [region, zones] of Object.entries(j[cloud])) {
        const field = `jurisdictions.${code}.${cloud}.${region}`;
        const first = owner.get(`${cloud}/${region}`);
        if (first) report(field, `is also a region of ${first}`, "keep each cloud region in one jurisdiction: the one whose law governs the data stored there");
        else owner.set(`${cloud}/${region}`, code);
        zones.forEach((zone, i) => {
          if (zones.indexOf(zone) !== i) report(`${field}[${i}]`, `lists "${zone}" twice`, "list each zone once");
          else if (cloud === "gcp" && !zone.startsWith(`${region}-`)) report(`${field}[${i}]`, `"${zone}" is not a zone of ${region}`, `list the zones of ${region} (${region}-a, ...)`);
          else if (cloud === "aws" && zone.split("-")[0] !== zones[0].split("-")[0]) report(`${field}[${i}]`, `"${zone}" is not a zone of the region its first zone "${zones[0]}" is in`, "list the zone IDs of one region (they share a prefix, e.g. euw1-)");
        });
      }
    }
  }
  return problems;
}
