// The KO41a return's site and clinical area through real activities: recorded on Complete details (forged values
// refused), shown on the case card, and counted by `report ko41a` on its card and in its CSV, site by site.
import { strict as assert } from "node:assert";
import { parse } from "csv-parse/sync";
import { DEFAULT_RULES, newCase, parseNewContact, type Case, DEFAULT_RETENTION } from "../../src/domain";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import { cardElements, cardOf, cardText, inputValues, startTestBot, type TestBot } from "../helpers/bot";
import { MANAGER, OFFICER, personalMessage, TENANT_ID, type TeamsUser } from "../helpers/activities";

const ENV = {
  ROLE_OFFICERS: OFFICER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  TRUST_SITES: "RXX01=Royal Infirmary; RXX02=General Hospital",
};

/** The data an Action.Execute button sends: the card's inputs as shown, then what was typed, then the button's own data. */
function pressData(card: any, verb: string, typed: Record<string, string> = {}): Record<string, unknown> {
  const button = cardElements(card).find((node) => node.type === "Action.Execute" && node.verb === verb);
  assert.ok(button, `the card has a ${verb} button`);
  return { ...inputValues(card), ...typed, ...button.data };
}

/** A card's input by id. */
const inputOf = (card: any, id: string) => cardElements(card).find((node) => typeof node.type === "string" && node.type.startsWith("Input.") && node.id === id);

/** Each report table on a card by its title: rows of cell texts, the header first. */
function tables(card: any): Record<string, string[][]> {
  const found: Record<string, string[][]> = {};
  const textOf = (item: any): string => item.text ?? (item.inlines ?? []).map((run: any) => run.text).join("");
  for (const node of cardElements(card)) {
    const table = node.type === "Container" && Array.isArray(node.items) ? node.items.find((item: any) => item.type === "Table") : undefined;
    if (table) found[node.items[0].text] = table.rows.map((row: any) => row.cells.map((cell: any) => cell.items.map(textOf).join(" ")));
  }
  return found;
}

/** A complaint put straight into the store, as logged on `receivedOn`. */
function seeded(id: string, form: Record<string, unknown>, then: (c: Case) => Case = (c) => c): Case {
  const parsed = parseNewContact(
    { contactType: "complaint", receivedVia: "letter", raisedBy: "patient", patientName: "Seeded Patient", summary: "A seeded complaint.", ...form },
    "2026-03-10",
    [
      { code: "RXX01", name: "Royal Infirmary" },
      { code: "RXX02", name: "General Hospital" },
    ],
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const c = newCase(parsed.value, {
    id,
    trustId: TENANT_ID,
    reference: `PALS-2025-${id.slice(-6)}`,
    now: new Date(`${String(form.receivedOn)}T09:00:00Z`),
    by: { aadObjectId: OFFICER.aadObjectId, name: OFFICER.name },
    rules: DEFAULT_RULES,
  });
  return then(c);
}

describe("KO41a site and clinical area, from the details form to `report ko41a` (real HTTP activities)", function () {
  this.timeout(60_000);
  let t: TestBot;
  const now = new Date("2026-03-10T10:00:00Z");

  before(async () => {
    t = await startTestBot({ env: ENV, now: () => now });
    const repository = new CosmosCaseRepository(t.bot.store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
    // Brought forward: received in February 2025 at the Royal Infirmary, still open.
    await repository.create(seeded("00000000-0000-4000-9000-000000000101", { receivedOn: "2025-02-10", site: "RXX01", subjects: "appointments" }));
    // New and resolved: September 2025, the patient's own, no date of birth (age unknown), closed upheld in December.
    await repository.create(
      seeded("00000000-0000-4000-9000-000000000102", { receivedOn: "2025-09-09", site: "RXX01", subjects: "communications" }, (c) => {
        const done: Case = { ...c, status: "closed", closedOn: "2025-12-01", outcome: "upheld" };
        delete done.nextDueOn;
        return done;
      }),
    );
  });
  after(async () => t.close());
  beforeEach(() => t.connector.reset());

  const press = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER) => t.press(verb, data, from);
  const stored = async (id: string) => (await t.bot.store.containers.cases.item(id, TENANT_ID).read<Case>()).resource!;
  let caseId = "";

  it("asks the site (from the trust's list) and, for clinical treatment, the clinical area; refuses forged values; shows them on the case card", async () => {
    await t.send(personalMessage("new", { serviceUrl: t.connector.url }));
    const newForm = cardOf(t.connector.sentActivities[0]);
    // A complaint made by the patient's son on her 65th birthday, about clinical treatment.
    const logged = await press(
      "contact.submit",
      pressData(newForm, "contact.submit", {
        contactType: "complaint",
        receivedVia: "letter",
        raisedBy: "family",
        raiserName: "Tom Jones",
        patientName: "Margaret Jones",
        dateOfBirth: "1960-05-10",
        receivedOn: "2025-05-10",
        subjects: "clinical-treatment",
        summary: "Her operation was cancelled twice.",
      }),
    );
    caseId = JSON.stringify(logged.value).match(/"caseId":"([0-9a-f-]{36})"/)?.[1] ?? "";
    assert.ok(caseId, cardText(logged.value));
    assert.match(cardText(logged.value), /Still to record: .*KO41a clinical area/, "the card asks for the clinical area of a clinical treatment complaint");

    const form = (await press("case.details", { caseId })).value;
    assert.deepEqual(
      inputOf(form, "site").choices.map((choice: any) => [choice.value, choice.title]),
      [
        ["RXX01", "RXX01 Royal Infirmary"],
        ["RXX02", "RXX02 General Hospital"],
      ],
      "the site is chosen from the trust's list",
    );
    assert.equal(inputOf(form, "clinicalArea").choices.length, 16, "the KO41a clinical areas");

    // Forged: a site that isn't the trust's and a clinical area that isn't on the list.
    const forged = await press("case.saveDetails", pressData(form, "case.saveDetails", { site: "RXX99", clinicalArea: "brain-surgery" }));
    const forgedText = cardText(forged.value);
    assert.match(forgedText, /2 things need fixing before these details can be saved: the site and the KO41a clinical area/);
    assert.match(forgedText, /Choose the site from the list/);
    assert.match(forgedText, /Choose the clinical area from the list/);
    // A clinical area for a complaint no longer about clinical treatment: counted nowhere, so refused.
    const orphan = await press("case.saveDetails", pressData(form, "case.saveDetails", { subjects: "communications", clinicalArea: "general-surgery" }));
    assert.match(cardText(orphan.value), /Choose Clinical Treatment among the subjects too, or clear the clinical area/);
    const untouched = await stored(caseId);
    assert.equal(untouched.site, undefined, "nothing was saved");
    assert.equal(untouched.clinicalArea, undefined);

    const saved = await press("case.saveDetails", pressData(form, "case.saveDetails", { site: "rxx02", clinicalArea: "general-surgery" }));
    const card = cardText(saved.value);
    assert.match(card, /Details saved: Site, KO41a clinical area/);
    assert.match(card, /RXX02 General Hospital/, "the case card names the site");
    assert.match(card, /General surgery/, "and the clinical area");
    const after = await stored(caseId);
    assert.equal(after.site, "RXX02");
    assert.equal(after.clinicalArea, "general-surgery");
  });

  it("`report ko41a` gives every figure of the return, for the whole trust and site by site, on its card and in its CSV", async () => {
    assert.ok(caseId, "the complaint above was logged");
    await t.send(personalMessage("report ko41a 2025", { serviceUrl: t.connector.url, from: MANAGER }));
    const [reply, fileMessage] = t.connector.sentActivities;
    const card = cardOf(reply);
    const text = cardText(card);
    // Brought forward: the February 2025 complaint. New: the May complaint and the September one. Resolved: September's.
    assert.match(text, /Brought forward from 2024-25: 1/);
    assert.match(text, /New complaints received: 2/);
    assert.match(text, /Resolved in the year: 1 \(1 upheld, 0 partially upheld, 0 not upheld\)/);
    assert.match(text, /Not resolved yet \(to carry forward to 2026-27\): 2/);
    const shown = tables(card);
    assert.deepEqual(shown["By site"], [
      ["Site", "Brought forward", "New", "Resolved", "Carried forward"],
      ["RXX01 Royal Infirmary", "1", "1", "1", "1"],
      ["RXX02 General Hospital", "0", "1", "0", "1"],
    ]);
    const figures = (title: string) => Object.fromEntries(shown[title].slice(1).filter(([, count]) => count !== "0"));
    assert.deepEqual(
      figures("Section 3: Age of patient"),
      { "65 to 74": "1", "Age unknown": "1" },
      "her 65th birthday counts; no date of birth is age unknown",
    );
    assert.deepEqual(figures("Section 4: Status of complainant"), { Patient: "1", "Someone on behalf of the patient": "1" });
    assert.deepEqual(figures("Section 6: Clinical treatment, by clinical area"), { "General surgery": "1" });
    assert.deepEqual(figures("Section 7: Subject area"), { "Clinical Treatment": "1", Communications: "1" });
    assert.ok(inputOf(card, "site"), "the card lists the sites to choose from");

    // One site's figures, chosen on the card.
    const show = cardElements(card).find((node) => node.type === "Action.Execute" && node.title === "Show this site");
    assert.ok(show, "the card has a Show this site button");
    const general = (await press("report.ko41a", { ...inputValues(card), site: "RXX02", ...show.data }, MANAGER)).value;
    assert.match(cardText(general), /KO41a return 2025-26: RXX02 General Hospital/);
    assert.deepEqual(tables(general)["Section 2: Summary"].slice(1), [
      ["Brought forward from 2024-25", "0"],
      ["New complaints received", "1"],
      ["Upheld", "0"],
      ["Partially upheld", "0"],
      ["Not upheld", "0"],
      ["Total resolved", "0"],
      ["Carried forward to 2026-27", "1"],
    ]);
    assert.equal(tables(general)["By site"], undefined, "one site's card has no table of sites");
    // A site that isn't the trust's: the whole trust, saying so.
    const forged = (await press("report.ko41a", { year: 2025, site: "ZZZ99" }, MANAGER)).value;
    assert.match(cardText(forged), /That site isn't in this trust's list of sites, so the whole trust's figures are shown/);
    assert.match(cardText(forged), /New complaints received: 2/);

    // The CSV: a column for the whole trust and one for each site.
    const url = cardOf(fileMessage)?.actions?.find((action: any) => action.type === "Action.OpenUrl")?.url;
    assert.ok(url, "the CSV is offered");
    const rows: string[][] = parse(await (await fetch(url)).text(), { bom: true });
    assert.deepEqual(rows[0], ["Section", "Category", "Code", "All sites", "RXX01 Royal Infirmary", "RXX02 General Hospital"]);
    const row = (code: string, section: string) => rows.find((r) => r[0].startsWith(section) && r[2] === code)?.slice(3);
    assert.deepEqual(row("brought-forward", "Section 2"), ["1", "1", "0"]);
    assert.deepEqual(row("carried-forward", "Section 2"), ["2", "1", "1"]);
    assert.deepEqual(row("65-74", "Section 3"), ["1", "0", "1"]);
    assert.deepEqual(row("on-behalf", "Section 4"), ["1", "0", "1"]);
    assert.deepEqual(row("general-surgery", "Section 6"), ["1", "0", "1"]);
    assert.doesNotMatch(JSON.stringify(t.logLines), /1960-05-10|Margaret/, "no date of birth or name in the logs");
  });
});
