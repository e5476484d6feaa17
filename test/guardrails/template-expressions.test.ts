import { templateExpressions } from "../../guardrails/rules/every-stack/stack";

/**
 * The parser stack.references-resolve reads references with: every expression of a Terraform
 * template string, exactly (a parser that loses or merges one would miss a dangling reference).
 */
const CASES: [string, string, string[]][] = [
  ["no template", "plain text", []],
  ["one interpolation", "${aws_kms_key.k.arn}", ["aws_kms_key.k.arn"]],
  ["text around it", "arn:${aws_kms_key.k.arn}/x", ["aws_kms_key.k.arn"]],
  ["an interpolation and a directive", "x ${a.b} y %{ if c }z%{ endif }", ["a.b", " if c ", " endif "]],
  ["an escaped interpolation", "$${a.b}", []],
  ["an escaped directive", "%%{ if a.b }", []],
  ["an escaped directive, then a directive", "%%{a.b} %{ c.d }", [" c.d "]],
  ["a dollar, then a directive", "$%{a.b}", ["a.b"]],
  ["an escape, then an interpolation", "$${a.b} ${c.d}", ["c.d"]],
  ["a lone dollar at the end", "cost: 5$", []],
  ["a dollar and a brace apart", "$ {a}", []],
  ["a dollar, a letter, then a brace", "$x{a.b}", []],
  ["a brace inside a string", '${format("}", a.b)}', ['format("}", a.b)']],
  ["a brace later inside a string", '${format("x}", a.b)}', ['format("x}", a.b)']],
  ["two dollars, then a directive", "$$%{x.y}", ["x.y"]],
  ["two percents, then an interpolation", "%%${x.y}", ["x.y"]],
  ["an escaped quote inside a string", '${format("\\"}", a.b)}', ['format("\\"}", a.b)']],
  ["a backslash before the closing quote's neighbour", '${format("\\\\", a.b)}', ['format("\\\\", a.b)']],
  ["nested braces", "${merge({ a = 1 }, { b = c.d })}", ["merge({ a = 1 }, { b = c.d })"]],
  ["an object right after the opening", "${{ a = b.c }.a}", ["{ a = b.c }.a"]],
  ["an empty interpolation", "${}", [""]],
  ["an unterminated interpolation", "x ${a.b", ["a.b"]],
  ["two in a row", "${a.b}${c.d}", ["a.b", "c.d"]],
];

describe("templateExpressions", () => {
  it.each(CASES)("%s", (_label, input, expected) => {
    expect(templateExpressions(input)).toEqual(expected);
  });
});
