import { strict as assert } from "node:assert";
import sinon from "sinon";
import { PLACE_MS, turnQueue } from "../../src/turnQueue";

/** A turn the test finishes when it chooses. */
function heldTurn<T>(value: T) {
  let finish: (() => void) | undefined;
  let fail: ((error: Error) => void) | undefined;
  let started = false;
  const turn = () => {
    started = true;
    return new Promise<T>((resolve, reject) => {
      finish = () => resolve(value);
      fail = reject;
    });
  };
  return { turn, started: () => started, finish: () => finish!(), fail: (error: Error) => fail!(error) };
}

describe("turn queue: Teams requests worked on a few at a time", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers()));
  afterEach(() => clock.restore());

  it("works on as many requests as it has places and starts the others in the order they arrived", async () => {
    const queue = turnQueue(2);
    const turns = ["a", "b", "c", "d", "e"].map((name) => heldTurn(name));
    const answers = turns.map((t) => queue.run(t.turn));
    await clock.tickAsync(0);
    assert.deepEqual(
      turns.map((t) => t.started()),
      [true, true, false, false, false],
    );
    assert.equal(queue.waiting, 3);

    turns[1].finish();
    await clock.tickAsync(0);
    assert.deepEqual(
      turns.map((t) => t.started()),
      [true, true, true, false, false],
      "the first to wait is the first to start",
    );
    turns[0].finish();
    await clock.tickAsync(0);
    assert.deepEqual(
      turns.map((t) => t.started()),
      [true, true, true, true, false],
    );
    for (const t of turns.slice(2)) {
      t.finish();
      await clock.tickAsync(0);
    }
    assert.deepEqual(await Promise.all(answers), ["a", "b", "c", "d", "e"], "each request gets its own turn's answer");
    assert.equal(queue.running, 0);
  });

  it("lets the next request start when a turn has kept its place for 10 seconds, and still answers the slow one", async () => {
    const queue = turnQueue(1);
    const slow = heldTurn("slow");
    const next = heldTurn("next");
    const slowAnswer = queue.run(slow.turn);
    const nextAnswer = queue.run(next.turn);
    await clock.tickAsync(PLACE_MS - 1);
    assert.equal(next.started(), false, "a turn keeps its place for 10 seconds");
    await clock.tickAsync(1);
    assert.equal(next.started(), true, "a stuck turn does not hold up everyone behind it");
    assert.equal(queue.running, 2);
    next.finish();
    assert.equal(await nextAnswer, "next");
    slow.finish();
    assert.equal(await slowAnswer, "slow");
    assert.equal(queue.running, 0);
  });

  it("gives a failed turn's error to its own request and frees the place at once", async () => {
    const queue = turnQueue(1);
    const failing = heldTurn("never");
    const next = heldTurn("next");
    const failed = queue.run(failing.turn);
    const nextAnswer = queue.run(next.turn);
    await clock.tickAsync(0);
    failing.fail(new Error("store unavailable"));
    await assert.rejects(failed, /store unavailable/);
    await clock.tickAsync(0);
    assert.equal(next.started(), true);
    next.finish();
    assert.equal(await nextAnswer, "next");
  });

  it("says how many requests are waiting when one more has to wait", async () => {
    const waits: number[] = [];
    const queue = turnQueue(1, { onWait: (waiting) => waits.push(waiting) });
    const first = heldTurn(1);
    void queue.run(first.turn);
    await clock.tickAsync(0);
    void queue.run(heldTurn(2).turn);
    void queue.run(heldTurn(3).turn);
    assert.deepEqual(waits, [1, 2]);
  });
});
