import { strict as assert } from "node:assert";
import sinon from "sinon";
import type { Store } from "../../src/store/cosmos";
import { CosmosPeopleDirectory, STAFF_LIST_MS } from "../../src/store/peopleRepository";
import { openTestStore } from "../helpers/store";

const TENANT = "trust-people";
const person = (n: number) => ({ aadObjectId: `aad-${n}`, name: `Officer ${n}`, teamsUserId: `29:${n}` });

describe("the staff list on case cards (embedded Cosmos DB)", () => {
  let store: Store;
  let clock: number;
  const now = () => new Date(clock);

  beforeEach(async () => {
    store = await openTestStore();
    clock = Date.parse("2026-03-10T10:00:00Z");
  });

  afterEach(async () => {
    sinon.restore();
    await store.close();
  });

  it("is read once a minute, not for every card; a person this instance meets shows at once, one another instance meets within the minute", async () => {
    const here = new CosmosPeopleDirectory(store.containers.conversations, now);
    const elsewhere = new CosmosPeopleDirectory(store.containers.conversations, now);
    await here.remember(TENANT, person(1));
    const queries = sinon.spy(store.containers.conversations.items, "query");

    assert.deepEqual(
      (await here.list(TENANT)).map((p) => p.name),
      ["Officer 1"],
    );
    assert.deepEqual(
      (await here.list(TENANT)).map((p) => p.name),
      ["Officer 1"],
    );
    assert.equal(queries.callCount, 1, "the second card drawn reuses the list");

    await elsewhere.remember(TENANT, person(2));
    assert.deepEqual(
      (await here.list(TENANT)).map((p) => p.name),
      ["Officer 1"],
      "not yet seen here",
    );
    clock += STAFF_LIST_MS;
    assert.deepEqual(
      (await here.list(TENANT)).map((p) => p.name),
      ["Officer 1", "Officer 2"],
      "seen within the minute",
    );

    await here.remember(TENANT, person(3));
    assert.deepEqual(
      (await here.list(TENANT)).map((p) => p.name),
      ["Officer 1", "Officer 2", "Officer 3"],
      "met here: shown at once",
    );
  });

  it("gives each caller its own copy, so one card's changes never reach the next", async () => {
    const people = new CosmosPeopleDirectory(store.containers.conversations, now);
    await people.remember(TENANT, person(1));
    const first = await people.list(TENANT);
    (first[0] as { name: string }).name = "Changed";
    first.push(person(9));
    assert.deepEqual(
      (await people.list(TENANT)).map((p) => p.name),
      ["Officer 1"],
    );
  });
});
