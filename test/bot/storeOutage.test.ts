import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import { cardAction, personalMessage } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";
import { CosmosProxy } from "../helpers/cosmosProxy";

describe("when Cosmos DB goes away or throttles (real HTTP, real Cosmos client)", function () {
  this.timeout(60_000);
  let cosmos: EmbeddedCosmos;
  let proxy: CosmosProxy;
  let t: TestBot;

  before(async () => {
    cosmos = await startEmbeddedCosmos();
    proxy = await new CosmosProxy(cosmos.endpoint).start();
    t = await startTestBot({ env: { COSMOS_ENDPOINT: proxy.endpoint, COSMOS_KEY: cosmos.key }, now: () => new Date("2026-03-10T10:00:00Z") });
  });
  after(async () => {
    await t.close();
    await proxy.stop();
    await cosmos.stop();
  });

  const submit = () =>
    t.send(cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) }, { serviceUrl: t.connector.url }));

  it("says 'try again' instead of failing, turns /readyz red, and recovers by itself when the store returns", async () => {
    const before = await submit();
    assert.match(cardText(before.body.value), /Logged as/);
    assert.equal((await fetch(`${t.bot.url}/readyz`)).status, 200);

    await proxy.stop();
    const ready = await fetch(`${t.bot.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: "not ready", cosmos: "unreachable" });
    assert.equal((await fetch(`${t.bot.url}/healthz`)).status, 200, "the process itself is fine");

    const during = await submit();
    assert.equal(during.status, 200);
    assert.match(cardText(during.body.value), /can't reach its case store right now/);
    assert.match(cardText(during.body.value), /may not have been done. Please try again in a minute: nothing is done twice/);
    t.connector.reset();
    await t.send(personalMessage("my cases", { serviceUrl: t.connector.url }));
    assert.match(t.connector.sentActivities.at(-1).text, /can't reach its case store right now/);

    await proxy.start();
    assert.equal((await fetch(`${t.bot.url}/readyz`)).status, 200);
    const after = await submit();
    assert.match(cardText(after.body.value), /Logged as PALS-2026-000002/, "numbering carries on: nothing was half-saved");
    t.connector.reset();
    await t.send(personalMessage("my cases", { serviceUrl: t.connector.url }));
    assert.match(cardText(cardOf(t.connector.sentActivities.at(-1))), /2 open cases/);
  });

  it("retries Cosmos DB 429 'too many requests' answers without troubling the person", async () => {
    proxy.throttleNext(6);
    const answer = await submit();
    assert.match(cardText(answer.body.value), /Logged as/);
    assert.ok(proxy.throttledCount >= 6, "the store did throttle");
  });
});
