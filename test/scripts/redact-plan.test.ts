import { REDACTED, redactPlan } from "../../scripts/offline-plan";

/** A plan in the shape of `terraform show -json`, with a secret in every place one can appear. */
const SECRET = "hunter2-secret-value";
const plan = {
  variables: { db_password: { value: SECRET }, region: { value: "eu-west-1" } },
  planned_values: {
    outputs: { token: { sensitive: true, value: SECRET }, name: { sensitive: false, value: "visible" } },
    root_module: { resources: [{ address: "aws_x.a", values: { password: SECRET, name: "visible" }, sensitive_values: { password: true } }] },
  },
  resource_changes: [{ address: "aws_x.a", change: { before: null, after: { password: SECRET, name: "visible", nested: [{ key: SECRET }] }, after_sensitive: { password: true, nested: [{ key: true }] } } }],
  resource_drift: [{ address: "aws_x.b", change: { before: { password: SECRET }, before_sensitive: { password: true }, after: { password: SECRET }, after_sensitive: { password: true } } }],
  output_changes: { token: { before: SECRET, after: SECRET, before_sensitive: true, after_sensitive: true } },
  prior_state: { values: { outputs: { token: { sensitive: true, value: SECRET } }, root_module: { resources: [{ address: "aws_x.b", values: { password: SECRET }, sensitive_values: { password: true } }] } } },
  configuration: {
    provider_config: { aws: { expressions: { access_key: { constant_value: SECRET }, region: { constant_value: "eu-west-1" } } } },
    root_module: {
      variables: { db_password: { sensitive: true, default: SECRET }, region: { default: "eu-west-1" } },
      resources: [{ address: "aws_x.a", expressions: { password: { constant_value: SECRET }, name: { constant_value: "visible" }, nested: [{ key: { constant_value: SECRET } }] } }],
    },
  },
};

it("redacts every sensitive value and nothing else", () => {
  const out = redactPlan(plan);
  expect(JSON.stringify(out)).not.toContain(SECRET);
  expect(JSON.stringify(out).match(/\(sensitive value\)/g)?.length).toBeGreaterThanOrEqual(14);
  // What is not sensitive stays readable.
  expect(out.variables.region.value).toBe("eu-west-1");
  expect(out.planned_values.outputs.name.value).toBe("visible");
  expect(out.resource_changes[0].change.after.name).toBe("visible");
  expect(out.configuration.root_module.resources[0].expressions.name.constant_value).toBe("visible");
  expect(out.configuration.provider_config.aws.expressions.region.constant_value).toBe("eu-west-1");
  expect(out.variables.db_password.value).toBe(REDACTED);
  // The input is not changed.
  expect(JSON.stringify(plan)).toContain(SECRET);
});
