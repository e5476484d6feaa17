import { hclQuoted } from "../../core/hcl";

/** What a quoted HCL template must turn back into (the inverse of hclQuoted, outside interpolations). */
describe("hclQuoted writes a one-line string as an HCL template with the same value", () => {
  it.each([
    ["plain", "abc", '"abc"'],
    ["quotes", 'a"b', '"a\\"b"'],
    ["a backslash before a quote", 'a\\"b', '"a\\\\\\"b"'],
    ["a template directive (it means the same in JSON)", "100%{ if true }x%{ endif }", '"100%{ if true }x%{ endif }"'],
    ["a literal %{", "p%%{q}", '"p%%{q}"'],
    ["a literal ${", "$${keep}", '"$${keep}"'],
    ["a newline", "a\nb", '"a\\nb"'],
    ["a JSON policy with references", '{"Resource":"${aws_s3_bucket.b.arn}/*"}', '"{\\"Resource\\":\\"${aws_s3_bucket.b.arn}/*\\"}"'],
    ["quotes inside an interpolation", '${jsonencode({"a":"}"})} and "x"', '"${jsonencode({"a":"}"})} and \\"x\\""'],
  ])("%s", (_what, value, hcl) => {
    expect(hclQuoted(value)).toBe(hcl);
  });
});
