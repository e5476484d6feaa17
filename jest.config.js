/**
 * Tests are transpiled by ts-jest without type-checking (tsconfig `isolatedModules`: each file is
 * transpiled alone); `npm run typecheck` type-checks.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  // The real offline plans run terraform; everything else is fast.
  testTimeout: 300000,
  // Two workers on the 2-core machines (jest's default would be one): the offline plans spend most
  // of their time in terraform child processes, and the other files run beside them.
  maxWorkers: 2,
};
