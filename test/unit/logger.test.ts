import { strict as assert } from "node:assert";
import { Writable } from "node:stream";
import { ErrorResponse } from "@azure/cosmos";
import { createLogger, errorFacts } from "../../src/logger";

/** Words an error could quote from a document or an activity. */
const QUOTED = "Zephaniah Quill 9434765870 said the nurse was rude";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { log: createLogger("debug", sink), lines };
}

function cosmosError(): ErrorResponse {
  const error = new ErrorResponse(`Message: {"Errors":["Document {\\"patient\\":\\"${QUOTED}\\"} is too large"]}`);
  error.code = 413;
  error.substatus = 0;
  error.activityId = "a1b2c3d4-0000-4000-8000-000000000001";
  error.body = { code: "RequestEntityTooLarge", message: QUOTED };
  return error;
}

describe("errors reach the log as their name, code and status only", () => {
  const shapes: [string, (log: ReturnType<typeof capture>["log"], error: Error) => void][] = [
    ["log.error(error)", (log, error) => log.error(error)],
    ["log.error(error, message)", (log, error) => log.error(error, "Save failed")],
    ["log.error({ err: error })", (log, error) => log.error({ err: error })],
    ["log.warn({ err: error }, message)", (log, error) => log.warn({ err: error }, "Save failed")],
    ["log.warn({ error }, message)", (log, error) => log.warn({ error }, "Save failed")],
    [
      "log.warn({ caseId, err: { name, message, stack } }, message)",
      (log, error) => log.warn({ caseId: "c1", err: { name: error.name, message: error.message, stack: error.stack } }, "Save failed"),
    ],
  ];
  for (const [shape, write] of shapes) {
    it(`${shape} writes no words of the error, and keeps what identifies it`, () => {
      const { log, lines } = capture();
      const error = Object.assign(new Error(QUOTED), { code: "ECONNRESET", statusCode: 502 });
      write(log, error);
      write(log, cosmosError());
      assert.equal(lines.length, 2);
      for (const line of lines) {
        assert.doesNotMatch(line, /Zephaniah|9434765870|rude/, line);
        assert.doesNotMatch(line, /at .*\.ts:\d+/, "no stack trace");
      }
      if (!shape.includes("name, message")) {
        assert.match(lines[0], /ECONNRESET/);
        assert.match(lines[1], /"code":413/);
        assert.match(lines[1], /a1b2c3d4-0000-4000-8000-000000000001/, "the activity id, to find the request in Azure");
      }
    });
  }

  it("drops codes that are prose, and follows the cause", () => {
    const facts = errorFacts(Object.assign(new TypeError("x"), { code: QUOTED, cause: Object.assign(new Error(QUOTED), { code: "ETIMEDOUT" }) }));
    assert.deepEqual(facts, { name: "TypeError", cause: { name: "Error", code: "ETIMEDOUT" } });
  });
});
