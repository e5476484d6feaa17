/**
 * The data tier's ports in a NetworkPolicy, independently of the model (mesh.namespaces-segmented):
 * open only to the pods of a service that declares that access, on both clouds.
 */
import { loadRegions } from "../../config/load";
import type { RegionConfig } from "../../config/schema";
import { dataTierProblems } from "../../guardrails/rules/mesh/in-cluster";

const regions = loadRegions();
const aws = regions.find((r): r is Extract<RegionConfig, { cloud: "aws" }> => r.cloud === "aws" && r.kafka.scramUsers.length > 0)!;
const gcp = regions.find((r) => r.cloud === "gcp")!;
const egress = (namespace: string, app: string | undefined, rules: unknown[]) => ({
  metadata: { name: "p", namespace },
  spec: { podSelector: app ? { matchLabels: { app } } : {}, policyTypes: ["Egress"], egress: rules },
});
const to = (cidr: string, ...ports: ({ port: number; endPort?: number } | number)[]) => ({
  to: [{ ipBlock: { cidr } }],
  ...(ports.length ? { ports: ports.map((p) => (typeof p === "number" ? { protocol: "TCP", port: p } : { protocol: "TCP", ...p })) } : {}),
});
const nsOf = (r: RegionConfig, name: string) => r.services.find((s) => s.name === name)!.namespace;

describe.each([
  ["aws", aws],
  ["gcp", gcp],
] as const)("the data tier's ports on %s", (_c, region) => {
  const db = region.services.find((s) => s.access?.database)!;
  const kafka = region.services.find((s) => (s.access?.kafka.read.length ?? 0) > 0)!;
  const none = region.services.find((s) => !s.access)!;
  const dbOnly = region.services.find((s) => s.access?.database && s.access.kafka.read.length + s.access.kafka.write.length === 0)!;
  const dbPort = 5432;
  const kafkaPort = region.cloud === "aws" ? 9098 : 9092;
  const check = (namespace: string, app: string | undefined, rules: unknown[]) => dataTierProblems(region, "np", egress(namespace, app, rules));

  it.each<[string, () => string[], RegExp | undefined]>([
    ["the database to a service that declares it", () => check(nsOf(region, db.name), db.name, [to("10.0.0.0/8", dbPort)]), undefined],
    ["the brokers to a service that reads topics", () => check(nsOf(region, kafka.name), kafka.name, [to("10.0.0.0/8", kafkaPort)]), undefined],
    ["a pod-to-pod rule with no port list", () => check(nsOf(region, none.name), none.name, [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "x" } } }] }]), undefined],
    ["another port", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8", 443)]), undefined],
    ["a range below the data tier's ports", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8", { port: 80, endPort: 443 })]), undefined],
    ["a range that ends just below the database's port", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8", { port: 5000, endPort: dbPort - 1 })]), undefined],
    ["a range that starts just above the database's port", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8", { port: dbPort + 1, endPort: dbPort + 100 })]), undefined],
    ["the database to a service that does not declare it", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8", dbPort)]), new RegExp(`np: pods of ${none.name} may open the database \\(port ${dbPort}\\) without declaring that access`)],
    ["the database to every pod of the namespace", () => check(nsOf(region, db.name), undefined, [to("10.0.0.0/8", dbPort)]), /pods of every service may open the database/],
    ["the database to a pod named like a declaring service of another namespace", () => check("elsewhere", db.name, [to("10.0.0.0/8", dbPort)]), new RegExp(`pods of ${db.name} may open the database`)],
    ["a rule with no peer (every destination) on the database's port", () => check(nsOf(region, none.name), none.name, [{ ports: [{ protocol: "TCP", port: dbPort }] }]), /may open the database/],
    ["a rule with no port list (every port)", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8")]), /may open the database/],
    ["a range over the database's port", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8", { port: 5000, endPort: 6000 })]), new RegExp(`may open the database \\(port ${dbPort}\\)`)],
    ["a range ending at the database's port", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8", { port: 5000, endPort: dbPort })]), new RegExp(`may open the database \\(port ${dbPort}\\)`)],
    ["a range starting at the database's port", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8", { port: dbPort, endPort: 6000 })]), new RegExp(`may open the database \\(port ${dbPort}\\)`)],
    ["a named port (nothing resolves it on an address block: any port)", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8", { port: "postgres" as unknown as number })]), /may open the database/],
    ["a single port with a named end is that port only", () => check(nsOf(region, none.name), none.name, [to("10.0.0.0/8", { port: 443, endPort: "x" as unknown as number })]), undefined],
    ["the brokers to a service that does not declare them", () => check(nsOf(region, dbOnly.name), dbOnly.name, [to("10.0.0.0/8", kafkaPort)]), new RegExp(`may open the Kafka brokers \\(port ${kafkaPort}\\)`)],
  ])("%s", (_l, run, says) => {
    const found = run();
    if (says) expect(found).toContainEqual(expect.stringMatching(says));
    else expect(found).toEqual([]);
  });
});

describe("the AWS-only ports", () => {
  const scram = aws.services.find((s) => aws.kafka.scramUsers.includes(s.name))!;
  const other = aws.services.find((s) => !aws.kafka.scramUsers.includes(s.name))!;
  const rule = (app: string, ports: number[]) => dataTierProblems(aws, "np", egress(nsOf(aws, app), app, [to("10.0.0.0/8", ...ports)]));
  it("SASL/SCRAM only to a SCRAM user", () => {
    expect(rule(scram.name, [9096])).toEqual([]);
    expect(rule(other.name, [9096])).toContainEqual(expect.stringMatching(/may open the Kafka brokers \(SASL\/SCRAM\) \(port 9096\)/));
  });
  it("the HSMs to no one, every port of their range", () => {
    for (const port of [2223, 2224, 2225]) expect(rule(scram.name, [port])).toEqual([`np: pods of ${scram.name} may open the HSMs (port ${port}) without declaring that access`]);
  });
});
