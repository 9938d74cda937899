// mocha's settings (`npm test`). In CI a stray `.only` or a skipped test fails the run: a test that
// did not run must not read as a pass.
const ci = !!process.env.CI && !/^(0|false|no)$/i.test(process.env.CI);

module.exports = {
  require: ["tsx/cjs"],
  extension: ["ts"],
  spec: ["test/unit/**/*.test.ts", "test/store/**/*.test.ts", "test/bot/**/*.test.ts", "test/e2e/**/*.test.ts"],
  timeout: 20000,
  exit: true,
  forbidOnly: ci,
  forbidPending: ci,
};
