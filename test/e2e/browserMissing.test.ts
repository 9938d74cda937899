import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/** `npm run test:e2e` with a Chromium that is not there; resolves with its exit code and output. */
function e2eWithoutBrowser(ci: string | undefined): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CHROMIUM_PATH: "/nonexistent/chromium" };
  delete env.CI;
  if (ci !== undefined) env.CI = ci;
  const child = spawn("npm", ["run", "test:e2e"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

describe("the Chromium e2e run without a browser", function () {
  this.timeout(60_000);

  it("fails in CI, naming the missing browser", async () => {
    const { code, output } = await e2eWithoutBrowser("true");
    assert.notEqual(code, 0, `a CI run without its browser must not pass:\n${output}`);
    assert.match(output, /no Chromium at \/nonexistent\/chromium/);
  });

  it("outside CI, skips with a one-line reason", async () => {
    const { code, output } = await e2eWithoutBrowser(undefined);
    assert.equal(code, 0, output);
    assert.equal(output.split("\n").filter((line) => line.includes("SKIPPED")).length, 1, output);
    assert.match(output, /SKIPPED \(not in CI\).*no Chromium at \/nonexistent\/chromium/);
  });
});
