import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Items, type Database } from "@azure/cosmos";
import sinon from "sinon";
import { createLogger } from "../../src/logger";
import { openStore, StoreUnavailableError, TENANT_CONTAINERS, type Store } from "../../src/store/cosmos";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import { MigrationError, migrateTenantData, parseArguments, trustForTenant } from "../../src/tools/migrate";
import { parseTrusts, type Trust } from "../../src/domain";
import { cardText, startTestBot } from "../helpers/bot";
import { MANAGER, OFFICER, personalMessage, TENANT_ID } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

const quiet = () => createLogger("silent", new Writable({ write: (_chunk, _encoding, done) => done() }));

/** Every document of a store release 0.1 wrote through real HTTP activities (made by running commit c023afc). */
const RELEASE_01 = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "release-0.1-store.json"), "utf8")) as {
  containers: Record<"cases" | "events" | "conversations" | "jobs", Record<string, unknown>[]>;
};
const DOCUMENTS = RELEASE_01.containers.cases.length + RELEASE_01.containers.conversations.length + RELEASE_01.containers.jobs.length;
const CASES = RELEASE_01.containers.cases.filter((d) => d.docType === "case");

/** Release 0.1's containers, as its code made them (partitioned by tenant), holding the fixture. */
async function fillAsRelease01(database: Database): Promise<void> {
  for (const name of ["cases", "conversations", "jobs"] as const) {
    const { container } = await database.containers.createIfNotExists({
      id: TENANT_CONTAINERS[name],
      partitionKey: { paths: ["/tenantId"] },
      ...(name === "cases" ? { uniqueKeyPolicy: { uniqueKeys: [{ paths: ["/reference"] }] } } : {}),
    });
    for (const document of RELEASE_01.containers[name]) await container.items.create(document);
  }
  const { container: events } = await database.containers.createIfNotExists({ id: "events", partitionKey: { paths: ["/caseId"] } });
  for (const document of RELEASE_01.containers.events) await events.items.create(document);
}

const ONE_TRUST = (tenantId: string, id = "RXX"): Trust[] => {
  const parsed = parseTrusts({
    trusts: [{ id, tenantId, roles: { officers: { people: [OFFICER.aadObjectId] }, managers: { people: [MANAGER.aadObjectId] } } }],
  });
  assert.ok(parsed.ok);
  return [...parsed.trusts];
};

describe("npm run migrate: a store written by release 0.1 (by tenant) moves to containers by trust", function () {
  this.timeout(60_000);
  let cosmos: EmbeddedCosmos;
  const opened: Store[] = [];
  const open = async (database: string, skipMigrationCheck = false) => {
    const store = await openStore({ account: { endpoint: cosmos.endpoint, key: cosmos.key }, database, skipMigrationCheck }, quiet());
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    cosmos = await startEmbeddedCosmos();
  });
  afterEach(async () => {
    sinon.restore();
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await cosmos.stop();
  });

  it("refuses to start on an unmigrated store, saying to run npm run migrate, and starts once it has run", async () => {
    const before = await open("pals", true);
    await fillAsRelease01(before.database);
    await assert.rejects(
      open("pals"),
      (error: unknown) => error instanceof StoreUnavailableError && error.code === "not-migrated" && /npm run migrate/.test(error.message),
    );
    const result = await migrateTenantData(before, trustForTenant(undefined, new Map()), quiet());
    assert.deepEqual(result, { copied: DOCUMENTS, alreadyThere: 0 });
    // The timeline is never rewritten: release 0.1's entries stay as they were written.
    const { resources } = await before.containers.events.items.query("SELECT VALUE COUNT(1) FROM c WHERE IS_DEFINED(c.tenantId)").fetchAll();
    assert.equal(resources[0], RELEASE_01.containers.events.length);
    await open("pals");
  });

  it("keeps every case, person, channel, alert and timeline entry: the bot on the migrated store works them as before", async () => {
    const store = await open("pals", true);
    await fillAsRelease01(store.database);
    await migrateTenantData(store, trustForTenant(undefined, new Map()), quiet());
    const now = new Date("2026-03-16T10:00:00Z");
    const t = await startTestBot({
      env: {
        COSMOS_ENDPOINT: cosmos.endpoint,
        COSMOS_KEY: cosmos.key,
        COSMOS_DATABASE: "pals",
        ROLE_OFFICERS: OFFICER.aadObjectId,
        ROLE_MANAGERS: MANAGER.aadObjectId,
      },
      now: () => now,
    });
    try {
      // Every case of release 0.1 is in the officer's list.
      await t.send(personalMessage("my cases", { serviceUrl: t.connector.url, from: OFFICER }));
      const listed = t.connector.sentActivities.map((a) => JSON.stringify(a)).join("\n");
      for (const c of CASES) assert.ok(listed.includes(c.reference as string), `${c.reference as string} is listed`);
      // The reference counter carried on: the next contact takes the next number, not one in use.
      const answer = await t.press("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-16", eventOn: "2026-03-10" }) }, OFFICER);
      assert.match(cardText(answer.value), new RegExp(`PALS-2026-${String(CASES.length + 1).padStart(6, "0")}`));
      // The case card shows release 0.1's timeline (the note added then).
      const first = CASES.find((c) => c.reference === "PALS-2026-000001")!;
      const card = await t.press("case.refresh", { caseId: first.id }, OFFICER);
      assert.match(JSON.stringify(card.value), /Rang the ward/);
      // Its timeline, read from release 0.1's entries as they were written.
      const timeline = await t.press("case.timeline", { caseId: first.id }, OFFICER);
      assert.match(cardText(timeline.value), /Note added/);
      assert.match(cardText(timeline.value), /Complaint logged/);
      // The high-risk alert release 0.1 sent is not sent again.
      t.connector.reset();
      await t.bot.jobs.sweepNow();
      assert.equal(t.connector.sentActivities.filter((a) => /risk/i.test(JSON.stringify(a)) && /PALS-2026-000002/.test(JSON.stringify(a))).length, 0);
    } finally {
      await t.close();
    }
  });

  it("puts a tenant's data in the trust the trusts file gives it, where that trust's officer sees every case", async () => {
    const store = await open("pals", true);
    await fillAsRelease01(store.database);
    await migrateTenantData(store, trustForTenant(ONE_TRUST(TENANT_ID), new Map()), quiet());
    const { resources } = await store.containers.cases.items.query("SELECT VALUE c.trustId FROM c").fetchAll();
    assert.deepEqual([...new Set(resources)], ["RXX"]);
    const trustsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "trusts-")), "trusts.json");
    fs.writeFileSync(trustsFile, JSON.stringify({ trusts: [{ id: "RXX", tenantId: TENANT_ID, roles: { officers: { people: [OFFICER.aadObjectId] } } }] }));
    const t = await startTestBot({
      env: { COSMOS_ENDPOINT: cosmos.endpoint, COSMOS_KEY: cosmos.key, COSMOS_DATABASE: "pals", TRUSTS_FILE: trustsFile },
      now: () => new Date("2026-03-16T10:00:00Z"),
    });
    try {
      await t.send(personalMessage("my cases", { serviceUrl: t.connector.url, from: OFFICER }));
      const listed = t.connector.sentActivities.map((a) => JSON.stringify(a)).join("\n");
      for (const c of CASES) assert.ok(listed.includes(c.reference as string), `${c.reference as string} is listed`);
    } finally {
      await t.close();
    }
  });

  it("carries on where a stopped run left off, and a finished run is not repeated", async () => {
    const store = await open("pals", true);
    await fillAsRelease01(store.database);
    // The 8th copy fails, as a lost connection would.
    const create = Items.prototype.create;
    let calls = 0;
    sinon.stub(Items.prototype, "create").callsFake(function (this: Items, ...args: Parameters<Items["create"]>) {
      calls += 1;
      if (calls === 8) return Promise.reject(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
      return create.apply(this, args);
    } as Items["create"]);
    await assert.rejects(migrateTenantData(store, trustForTenant(undefined, new Map()), quiet()), { code: "ECONNRESET" });
    sinon.restore();
    await assert.rejects(open("pals"), { code: "not-migrated" }, "half a migration does not start");
    const second = await migrateTenantData(store, trustForTenant(undefined, new Map()), quiet());
    assert.ok(second !== "already-done" && second !== "nothing-to-do");
    assert.deepEqual({ copied: second.copied + 7, alreadyThere: second.alreadyThere }, { copied: DOCUMENTS, alreadyThere: 7 });
    assert.equal(await migrateTenantData(store, trustForTenant(undefined, new Map()), quiet()), "already-done", "a finished run is not repeated");
    const { resources } = await store.containers.cases.items.query("SELECT VALUE COUNT(1) FROM c").fetchAll();
    assert.equal(resources[0], RELEASE_01.containers.cases.length, "nothing copied twice");
  });

  it("refuses while an earlier PALS Desk still runs (its sweep lease is held), and copies nothing", async () => {
    const store = await open("pals", true);
    await fillAsRelease01(store.database);
    const oldJobs = store.database.container(TENANT_CONTAINERS.jobs);
    const { resource: lease } = await oldJobs.item("sweep-lease", "_system").read<Record<string, unknown>>();
    await oldJobs.items.upsert({ ...lease, expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await assert.rejects(
      migrateTenantData(store, trustForTenant(undefined, new Map()), quiet()),
      (error: unknown) => error instanceof MigrationError && /still running/.test(error.message),
    );
    const { resources } = await store.containers.cases.items.query("SELECT VALUE COUNT(1) FROM c").fetchAll();
    assert.equal(resources[0], 0);
  });

  it("stops, saying why, when a copy clashes with another document (two cases with one reference in one trust)", async () => {
    const store = await open("pals", true);
    await fillAsRelease01(store.database);
    const first = CASES.find((c) => c.reference === "PALS-2026-000001")!;
    await store.containers.cases.items.create({ ...first, id: randomUUID(), tenantId: undefined, trustId: TENANT_ID });
    await assert.rejects(
      migrateTenantData(store, trustForTenant(undefined, new Map()), quiet()),
      (error: unknown) => error instanceof MigrationError && /clashes/.test(error.message),
    );
    await assert.rejects(open("pals"), { code: "not-migrated" }, "no marker: the bot still does not start");
  });

  it("a fresh database has nothing to migrate", async () => {
    const store = await open("pals");
    assert.equal(await migrateTenantData(store, trustForTenant(undefined, new Map()), quiet()), "nothing-to-do");
  });

  it("asks whose data it is when the tenant is shared by several trusts, or has none", () => {
    const two = parseTrusts({
      trusts: [
        { id: "RAA", name: "Aldermoor", tenantId: TENANT_ID, roles: {} },
        { id: "RBB", name: "Bramley", tenantId: TENANT_ID, roles: {} },
      ],
    });
    assert.ok(two.ok);
    assert.throws(
      () => trustForTenant(two.trusts, new Map())(TENANT_ID),
      (error: unknown) =>
        error instanceof MigrationError && /--assign 72f988bf-0000-4000-8000-0000000000aa=<trust id>/.test(error.message) && /RAA, RBB/.test(error.message),
    );
    assert.equal(trustForTenant(two.trusts, parseArguments(["--assign", `${TENANT_ID}=RBB`]).assigned)(TENANT_ID), "RBB");
    assert.throws(() => trustForTenant(two.trusts, parseArguments(["--assign", `${TENANT_ID}=RCC`]).assigned)(TENANT_ID), /no trust RCC/);
    assert.throws(() => trustForTenant(ONE_TRUST("0b0b0b0b-0000-4000-8000-0000000000bb"), new Map())(TENANT_ID), /has no trust in that tenant/);
    assert.throws(() => parseArguments(["--assgin"]), /Unknown argument/);
    assert.throws(() => trustForTenant(undefined, parseArguments(["--assign", `${TENANT_ID}=RXX`]).assigned), /--assign needs TRUSTS_FILE/);
  });
});
