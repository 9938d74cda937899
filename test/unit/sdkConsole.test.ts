import { strict as assert } from "node:assert";
import sinon from "sinon";
import { capturingSdkConsole, outsideSdkCapture } from "../../src/teams/sdk/sdkConsole";

describe("what the Bot Framework SDK prints while it handles a request", () => {
  afterEach(() => sinon.restore());

  it("is kept for one log line while the SDK handles the request; our turn's output and anything printed later go through", async () => {
    const stderr = sinon.stub(process.stderr, "write").returns(true);
    let later: Promise<void> | undefined;
    const printed = await capturingSdkConsole(async () => {
      console.error(new Error("JwtTokenExtractor: token expired"));
      outsideSdkCapture(() => console.error("our own turn"));
      // Scheduled inside, run after the request: it carries the capture's async context.
      later = new Promise((resolve) => setImmediate(() => resolve(console.error("printed after the request"))));
    });
    await later;
    const written = stderr.getCalls().map((call) => String(call.args[0]));
    sinon.restore();
    assert.equal(printed.length, 1);
    assert.match(String(printed[0]), /token expired/);
    assert.ok(written.some((line) => line.includes("our own turn")));
    assert.ok(
      written.some((line) => line.includes("printed after the request")),
      "output after the request is not swallowed",
    );
    assert.ok(!written.some((line) => line.includes("token expired")));
  });
});
