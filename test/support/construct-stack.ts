import { App, Testing } from "../../core/cdktf";
import { BlueprintStack } from "../../core/blueprint-stack";
import { TfJson } from "./synth";

/** A bare stack for unit tests of one construct. */
export class TestStack extends BlueprintStack {}

export function newStack(): TestStack {
  return new TestStack(Testing.app() as App, "test");
}

/** The stack's Terraform JSON (cdktf's own synth of one stack, metadata removed). */
export function synthJson(stack: TestStack): TfJson {
  return JSON.parse(Testing.synth(stack)) as TfJson;
}
