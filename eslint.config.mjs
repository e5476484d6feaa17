// @ts-check
import tseslint from "typescript-eslint";
import layering from "./scripts/eslint-layering.cjs";

const providerRoots = ["@cdktf/provider-aws", "@cdktf/provider-google", "@cdktf/provider-kubernetes", "@cdktf/provider-helm"];

export default tseslint.config(
  { ignores: ["node_modules/**", "cdktf.out/**", "coverage/**", ".stryker-tmp/**", "reports/**", "**/*.js"] },
  ...tseslint.configs.recommended,
  {
    // The layering: which top-level folder may import which (scripts/eslint-layering.cjs, and each folder's README.md).
    files: ["**/*.ts", "**/*.mts", "**/*.cts", "**/*.tsx", "**/*.cjs", "**/*.mjs"],
    plugins: { layering: layering.plugin },
    rules: { "layering/imports": "error" },
  },
  {
    files: ["**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            ...providerRoots.map((name) => ({
              name,
              message: `Import the class by deep path (${name}/lib/<resource>): the package root costs seconds and hundreds of MB in tsc, jest and synth.`,
            })),
            {
              name: "cdktf",
              message: "Import cdktf through core/cdktf.ts, so that a move to the community fork (cdktn) is a one-file change.",
            },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The one module allowed to import cdktf.
    files: ["core/cdktf.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    // CommonJS scripts (the TypeScript runner, the benchmark's preload) load modules with require.
    files: ["**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Region files are data: no imports but types.
    files: ["regions/**/*.ts"],
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { prefer: "type-imports" }],
      "no-restricted-syntax": [
        "error",
        { selector: "FunctionDeclaration, ArrowFunctionExpression, FunctionExpression, ClassDeclaration", message: "regions/ holds data only; put logic in config/ or stacks/." },
        { selector: "ImportDeclaration[importKind!='type']", message: "regions/ holds data only: import types only (import type ...)." },
      ],
    },
  },
);
