import { COULD_NOT_CHECK, Rule, StackView, checkRule, viewOf } from "../../guardrails/rule";
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
  return checkRule(rule, viewOf(stack, json));
}

/**
 * The stack as a rule sees it, judged by another region where a case needs one (a setting the
 * shipped region does not have, or one the config refuses: the rule holds its bound on its own).
 * The edit gets a copy of the stack's region.
 */
export function judgedBy<S extends StackView>(stack: S, region?: (r: S["region"]) => S["region"]): S {
  return region ? { ...stack, region: region(structuredClone(stack.region)) } : stack;
}

/**
 * Asserts that a weakening was caught: some violation, each naming its subject, none of them the
 * rule failing on input it did not expect (unless `says` names that: failing closed on unreadable
 * input is then the case), and, where `says` is given, one matching it (the condition that must
 * answer, where a rule checks one thing in several ways).
 */
export function expectCaught(found: readonly string[], says?: RegExp): void {
  const crashes = found.filter((m) => m.includes(COULD_NOT_CHECK));
  // One assertion of the four conditions (thousands of weakenings call this: each expect() builds
  // every matcher anew), each failing with what it found.
  expect({
    caught: found.length > 0 ? "yes" : "nothing found",
    anonymous: found.filter((m) => !NAMES_ITS_SUBJECT.test(m)),
    crashes: says && crashes.some((m) => says.test(m)) ? [] : crashes,
    says: !says || found.some((m) => says.test(m)) ? "yes" : { expected: String(says), found },
  }).toEqual({ caught: "yes", anonymous: [], crashes: [], says: "yes" });
}
