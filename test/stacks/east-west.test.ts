import { validateRegions } from "../../config/load";
import { RegionConfig } from "../../config/schema";
import { GUARDRAILS } from "../../guardrails";
import apac from "../../regions/apac";
import eu from "../../regions/eu";
import us from "../../regions/us";
import { SynthStack, TfJson, cloneJson, resourcesOf, synthRegions } from "../support/synth";
import { expectCaught, weakenedViolations } from "../support/weakening";

/**
 * The east-west path on AWS for a declared call (us's fraud engine shares risk signals with eu's,
 * without cardholder data): the callee's gateway behind an endpoint service open to the caller, the
 * caller's interface endpoint of it, and nothing of it once the call is gone.
 */
const SERVICE = "com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718";
function regionsWith(call: boolean, named = true): RegionConfig[] {
  const e = cloneJson(eu);
  const u = cloneJson(us);
  if (call) e.mesh.calls = [...(e.mesh.calls ?? []), { from: "fraud/fraud-engine", fromTrustDomain: us.mesh.trustDomain, to: "fraud/fraud-engine", methods: ["POST"], paths: ["/v1/risk-signals"], cardholderData: false }];
  if (call && named) u.mesh.eastWestEndpointServices = { [eu.mesh.trustDomain]: SERVICE };
  return validateRegions([
    { file: "regions/apac.ts", data: cloneJson(apac) },
    { file: "regions/eu.ts", data: e },
    { file: "regions/us.ts", data: u },
  ]).map((r) => r.config);
}
const regionStack = (regions: RegionConfig[], name: string) => synthRegions(regions).stacks.find((s) => s.name === `region-${name}`)! as SynthStack;
const withCall = regionsWith(true);
const [euStack, usStack] = [regionStack(withCall, "eu"), regionStack(withCall, "us")];
const lbNamed = (j: TfJson, suffix: string) => resourcesOf(j, "aws_lb").filter(([, lb]) => String(lb.name).endsWith(suffix));

describe("a declared call from us into eu", () => {
  it("gives eu an east-west NLB on 15443 behind an endpoint service for us's account, from us-east-1, acceptance required, and an alarm", () => {
    const [[ln]] = lbNamed(euStack.json, "-east-west");
    const [[, svc]] = resourcesOf(euStack.json, "aws_vpc_endpoint_service").filter(([, s]) => s.network_load_balancer_arns.includes(`\${aws_lb.${ln}.arn}`));
    expect(svc).toMatchObject({ acceptance_required: true, allowed_principals: [`arn:aws:iam::${(withCall.find((r) => r.name === "us") as { accountId: string }).accountId}:root`], supported_regions: ["eu-west-1", "us-east-1"] });
    expect(resourcesOf(euStack.json, "aws_lb_listener").filter(([, l]) => l.load_balancer_arn === `\${aws_lb.${ln}.arn}`).map(([, l]) => [l.protocol, l.port])).toEqual([["TCP", 15443]]);
    expect(resourcesOf(euStack.json, "aws_cloudwatch_metric_alarm").filter(([n]) => n.includes("east_west"))).toHaveLength(1);
  });
  it("gives us an interface endpoint of that service in eu-west-1, without private DNS, and its address as an output", () => {
    const endpoints = resourcesOf(usStack.json, "aws_vpc_endpoint").filter(([, e]) => e.service_name === SERVICE);
    expect(endpoints.map(([, e]) => [e.vpc_endpoint_type, e.service_region, e.private_dns_enabled])).toEqual([["Interface", "eu-west-1", false]]);
    expect(usStack.json.output.east_west_endpoint_eu.value).toBe(`\${aws_vpc_endpoint.${endpoints[0][0]}.dns_entry[0].dns_name}`);
  });
  it("meets every guardrail on both sides", () => {
    for (const s of [euStack, usStack]) expect(s.pack.evaluate(s.json).findings.filter((f) => !f.suppressedBy && f.rule.level === "error")).toEqual([]);
  });
  it("builds nothing of the path without the call, and no endpoint until us names eu's service", () => {
    const none = regionsWith(false);
    expect(lbNamed(regionStack(none, "eu").json, "-east-west")).toEqual([]);
    expect(resourcesOf(regionStack(none, "us").json, "aws_vpc_endpoint").filter(([, e]) => String(e.service_name).startsWith("com.amazonaws.vpce."))).toEqual([]);
    const unnamed = regionsWith(true, false);
    expect(lbNamed(regionStack(unnamed, "eu").json, "-east-west")).toHaveLength(1);
    expect(resourcesOf(regionStack(unnamed, "us").json, "aws_vpc_endpoint").filter(([, e]) => String(e.service_name).startsWith("com.amazonaws.vpce."))).toEqual([]);
  });
});

const rule = (id: string) => GUARDRAILS.find((r) => r.id === id)!;
const svcOf = (j: TfJson) => resourcesOf(j, "aws_vpc_endpoint_service").find(([, s]) => s.tags?.Name?.endsWith("-east-west"))![1];
const endpointOf = (j: TfJson) => resourcesOf(j, "aws_vpc_endpoint").find(([, e]) => e.service_name === SERVICE)![1];
const WEAKENINGS: [string, "eu" | "us", string, (j: TfJson) => void, RegExp][] = [
  ["network.east-west-endpoint-service", "eu", "connections accepted without review", (j) => (svcOf(j).acceptance_required = false), /acceptance_required is not true/],
  ["network.east-west-endpoint-service", "eu", "consumers from another region", (j) => svcOf(j).supported_regions.push("ap-southeast-1"), /supported regions .*expected this region and the callers'/],
  ["network.east-west-endpoint-service", "eu", "any principal of another account", (j) => svcOf(j).allowed_principals.push("arn:aws:iam::111122223333:root"), /allowed principals .*expected the callers' accounts/],
  ["network.east-west-endpoint-service", "eu", "no east-west load balancer where calls come in", (j) => { for (const [n] of lbNamed(j, "-east-west")) delete j.resource.aws_lb[n]; }, /0 east-west load balancers, expected 1/],
  ["network.east-west-endpoints", "us", "private DNS on the endpoint", (j) => (endpointOf(j).private_dns_enabled = true), /private DNS on/],
  ["network.east-west-endpoints", "us", "the endpoint in another region", (j) => (endpointOf(j).service_region = "eu-central-1"), /not an interface endpoint in the callee's region eu-west-1/],
  ["network.east-west-endpoints", "us", "an endpoint of an unknown service", (j) => (endpointOf(j).service_name = "com.amazonaws.vpce.eu-west-1.vpce-svc-0fffffffffffffff0"), /which is no east-west service of a region this region's services call/],
  ["detection.partner-gateway-watched", "eu", "no alarm on the east-west gateway", (j) => { for (const [n] of resourcesOf(j, "aws_cloudwatch_metric_alarm").filter(([x]) => x.includes("east_west"))) delete j.resource.aws_cloudwatch_metric_alarm[n]; }, /no alarm on its HealthyHostCount/],
  ["residency.in-jurisdiction", "eu", "consumers from an undeclared region outside the jurisdiction", (j) => svcOf(j).supported_regions.push("ap-southeast-1"), /names ap-southeast-1, outside EU/],
];
describe("the east-west path's guardrails fail when it is weakened", () => {
  it.each(WEAKENINGS.map(([id, side, label, mutate, says]) => [`${id}: ${label}`, id, side, mutate, says] as const))("%s", (_l, id, side, mutate, says) => {
    const stack = side === "eu" ? euStack : usStack;
    const json = cloneJson(stack.json);
    mutate(json);
    expectCaught(weakenedViolations(rule(id), stack, json), says);
  });
  it("an east-west load balancer where no call comes in is refused", () => {
    const none = regionStack(regionsWith(false), "eu");
    const json = cloneJson(none.json);
    json.resource.aws_lb.extra = { ...lbNamed(euStack.json, "-east-west")[0][1] };
    expectCaught(weakenedViolations(rule("network.east-west-endpoint-service"), none, json), /an east-west load balancer where no call comes in from another region/);
  });
});
