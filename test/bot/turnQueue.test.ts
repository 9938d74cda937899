import { strict as assert } from "node:assert";
import { setImmediate as nextLoopTurn } from "node:timers/promises";
import { startTestBot, type TestBot } from "../helpers/bot";
import { cardAction, personalMessage } from "../helpers/activities";

/** Polls once per event-loop turn until the server has logged the line (the suite's timeout bounds it). */
async function logged(t: TestBot, message: string, count = 1): Promise<void> {
  while (t.logLines.filter((line) => line.msg === message).length < count) await nextLoopTurn();
}

describe("Teams requests wait their turn (real HTTP)", function () {
  this.timeout(30_000);
  let t: TestBot;
  afterEach(async () => t?.close());

  it("with TURNS_AT_ONCE=1, a second request waits until the first has answered, then is answered", async () => {
    t = await startTestBot({ env: { TURNS_AT_ONCE: "1" } });
    const serviceUrl = t.connector.url;
    const held = t.connector.holdNext();
    const first = t.send(personalMessage("help", { serviceUrl }));
    await t.connector.waitFor(() => t.connector.calls.length > 0); // the first turn is in progress, its reply held
    let secondAnswered = false;
    const second = t.send(cardAction("contact.form", {}, { serviceUrl })).then((answer) => ((secondAnswered = true), answer));
    await logged(t, "A Teams request waits for its turn");
    assert.equal(t.logLines.filter((line) => line.msg === "Activity received").length, 1, "the second request has not been started");
    assert.equal(secondAnswered, false);

    held.release();
    assert.equal((await first).status, 200);
    const answer = await second;
    assert.equal(answer.status, 200);
    assert.equal(answer.body.statusCode, 200, "the waiting request gets its card once its turn comes");
    assert.equal(t.logLines.filter((line) => line.msg === "Activity received").length, 2);
  });

  it("by default works on several requests at once: a held reply does not hold up the next request", async () => {
    t = await startTestBot();
    const serviceUrl = t.connector.url;
    const held = t.connector.holdNext();
    const first = t.send(personalMessage("help", { serviceUrl }));
    await t.connector.waitFor(() => t.connector.calls.length > 0);
    const answer = await t.send(cardAction("contact.form", {}, { serviceUrl }));
    assert.equal(answer.status, 200);
    assert.ok(!t.logLines.some((line) => line.msg === "A Teams request waits for its turn"));
    held.release();
    assert.equal((await first).status, 200);
  });
});
