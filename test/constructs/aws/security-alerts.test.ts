import { RegionKeys } from "../../../constructs/aws/region-keys";
import { SecurityAlerts, alertTopicArn, alertTopicKeyStatements } from "../../../constructs/aws/security-alerts";
import { FINDING_ROUTES, TRAIL_ALARMS } from "../../../model/aws/alerts";
import { newStack, synthJson } from "../../support/construct-stack";

const props = { name: "t-eu", accountId: "123456789012", region: "eu-west-1", trailLogGroupName: "/t-eu/cloudtrail", findingSources: [] };
const keysProps = { accountId: "123456789012", region: "eu-west-1", aliasPrefix: "t-eu", custodianArns: ["arn:aws:iam::123456789012:role/deploy"] };

describe("SecurityAlerts", () => {
  it("refuses a topic nobody receives", () => {
    const stack = newStack();
    const keys = new RegionKeys(stack, "Keys", keysProps);
    expect(() => new SecurityAlerts(stack, "Alerts", { ...props, key: keys.alerts, subscribers: [] })).toThrow(/t-eu: no subscriber/);
  });

  it("names the topic as the key's statements do, in the region's partition", () => {
    expect(alertTopicArn("t-eu", "eu-west-1", "123456789012")).toBe("arn:aws:sns:eu-west-1:123456789012:t-eu-security-alerts");
    expect(alertTopicArn("t-gov", "us-gov-west-1", "123456789012")).toBe("arn:aws-us-gov:sns:us-gov-west-1:123456789012:t-gov-security-alerts");
    for (const s of alertTopicKeyStatements("t-eu", "eu-west-1", "123456789012")) {
      expect(s.Condition).toEqual({ StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:eu-west-1:123456789012:t-eu-security-alerts" } });
    }
  });

  it("builds one filter and alarm per control, one rule and target per finding route, one subscription per subscriber", () => {
    const stack = newStack();
    const keys = new RegionKeys(stack, "Keys", keysProps);
    const alerts = new SecurityAlerts(stack, "Alerts", {
      ...props,
      key: keys.alerts,
      subscribers: [
        { protocol: "email", endpoint: "a@example.com" },
        { protocol: "https", endpoint: "https://example.com/hook" },
      ],
    });
    const json = synthJson(stack);
    expect(Object.keys(json.resource.aws_cloudwatch_log_metric_filter)).toHaveLength(TRAIL_ALARMS.length);
    expect(Object.keys(alerts.alarms).sort()).toEqual(TRAIL_ALARMS.map((a) => a.id).sort());
    expect(Object.keys(alerts.findingRules).sort()).toEqual(FINDING_ROUTES.map((r) => r.id).sort());
    expect(Object.values(json.resource.aws_cloudwatch_event_target)).toHaveLength(FINDING_ROUTES.length);
    expect(Object.values(json.resource.aws_sns_topic_subscription).map((s) => [(s as { protocol: string }).protocol, (s as { endpoint: string }).endpoint])).toEqual([
      ["email", "a@example.com"],
      ["https", "https://example.com/hook"],
    ]);
    // Every alarm and rule is named under the prefix the topic's policy admits.
    for (const a of Object.values(json.resource.aws_cloudwatch_metric_alarm)) expect((a as { alarm_name: string }).alarm_name).toMatch(/^t-eu-/);
    for (const r of Object.values(json.resource.aws_cloudwatch_event_rule)) expect((r as { name: string }).name).toMatch(/^t-eu-/);
  });
});
