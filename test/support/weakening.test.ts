import { COULD_NOT_CHECK } from "../../guardrails/rule";
import { expectCaught } from "./weakening";

/** expectCaught, the assertion of every weakening: each of its conditions fails on its own. */
describe("expectCaught", () => {
  const named = "aws_s3_bucket.logs: versioning is off";
  it("passes a weakening caught by a finding that names its subject", () => {
    expect(() => expectCaught([named])).not.toThrow();
    expect(() => expectCaught([named], /versioning is off/)).not.toThrow();
  });
  it("fails where nothing was found", () => expect(() => expectCaught([])).toThrow(/nothing found/));
  it("fails on a finding that names no subject", () => expect(() => expectCaught([named, "versioning is off"])).toThrow(/anonymous/));
  it("fails on a rule that could not check, unless that is what the case expects", () => {
    const crash = `aws_s3_bucket.logs: ${COULD_NOT_CHECK}: TypeError`;
    expect(() => expectCaught([named, crash])).toThrow(/crashes/);
    expect(() => expectCaught([named, crash], /versioning/)).toThrow(/crashes/);
    expect(() => expectCaught([crash], /TypeError/)).not.toThrow();
  });
  it("fails where no finding says what the case expects, and shows what was found", () => expect(() => expectCaught([named], /encryption/)).toThrow(/versioning is off/));
});
