import { Rule, StackView, checkRule } from "../../guardrails/rule";
import { TfJson } from "../../tfjson/terraform";

/**
 * How every violation names what it is about: a resource (`type.name:`), a resource type
 * (`type:`) or the stack (`(stack):`), optionally a part of it in parentheses (a statement's Sid),
 * then the problem. A test asserts it, so that a rule cannot
 * report an empty or anonymous problem (and a mutant that blanks a message is caught).
 */
export const NAMES_ITS_SUBJECT = /^(\(stack\)|[a-z][a-z0-9_]*(\.[^\s:]+)?)( \([^)]*\))?: \S/;

/**
 * The violations `rule` finds in a weakened copy `json` of `stack`: the rule sees the weakened JSON
 * and the same JSON as text (text-only checks, such as literals, see the weakening too).
 */
export function weakenedViolations(rule: Rule, stack: StackView, json: TfJson): string[] {
  return checkRule(rule, { ...stack, json, text: JSON.stringify(json) });
}
