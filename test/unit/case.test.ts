import { strict as assert } from "node:assert";
import {
  CaseSchema,
  KO41A_PROFESSIONS,
  KO41A_SERVICE_AREAS,
  KO41A_SUBJECTS,
  NEW_CONTACT_FIELDS,
  NewContactSchema,
  newCase,
  outcomesFor,
  parseNewContact,
  subjectTitle,
  DEFAULT_RULES,
} from "../../src/domain";
import { contactForm, makeCase, parsedContact, TODAY } from "../helpers/caseFixtures";

function errorsFor(overrides: Record<string, unknown>, today = TODAY): Record<string, string> {
  const result = parseNewContact(contactForm(overrides), today);
  assert.equal(result.ok, false, "expected the form to be refused");
  return result.ok ? {} : result.errors;
}

describe("logging a contact", () => {
  describe("parseNewContact", () => {
    it("turns the card's strings into a typed contact, leaving blank optional answers out", () => {
      const result = parseNewContact(contactForm(), TODAY);
      assert.deepEqual(result, {
        ok: true,
        value: {
          contactType: "complaint",
          receivedVia: "email",
          raisedBy: "patient",
          patientName: "Margaret Jones",
          patientNameNotGiven: false,
          nhsNumber: "9434765919",
          dateOfBirth: "1948-05-17",
          contactDetails: "07700 900123",
          receivedOn: "2026-03-03",
          eventOn: "2026-02-20",
          division: "Medicine",
          service: "Respiratory",
          ward: "Ward 7",
          subjects: ["communications"],
          professions: ["nursing"],
          summary: "Call bell not answered overnight.",
          desiredOutcome: "An apology",
          riskConsequence: 2,
          riskLikelihood: 3,
          safeguarding: false,
          safetyIncident: false,
        },
      });
    });

    it("trims spaces people type or paste around every answer", () => {
      const value = parsedContact({
        patientName: "  Margaret Jones \n",
        division: " Medicine ",
        summary: "\n  Call bell not answered.  ",
        raisedBy: " family ",
        raiserName: "  Tom Jones ",
        consent: " given ",
      });
      assert.equal(value.patientName, "Margaret Jones");
      assert.equal(value.division, "Medicine");
      assert.equal(value.summary, "Call bell not answered.");
      assert.equal(value.raisedBy, "family");
      assert.equal(value.raiserName, "Tom Jones");
    });

    it("drops keys the form does not have, such as the card's action verb", () => {
      const value = parsedContact({ verb: "logContact", caseId: "x", status: "closed", msteams: { type: "task/fetch" } });
      for (const key of Object.keys(value)) assert.ok((NEW_CONTACT_FIELDS as string[]).includes(key), key);
      assert.equal("verb" in value, false);
      assert.equal("status" in value, false);
    });

    it("reads multi-select subjects and professions sent as comma-separated ids, each once", () => {
      const value = parsedContact({ subjects: "communications, clinical-treatment,communications,", professions: "medical,nursing" });
      assert.deepEqual(value.subjects, ["communications", "clinical-treatment"]);
      assert.deepEqual(value.professions, ["medical", "nursing"]);
    });

    it("reads the safeguarding toggle, and leaves blank risk ratings not assessed (no default score)", () => {
      const value = parsedContact({ safeguarding: "true", riskConsequence: "", riskLikelihood: undefined });
      assert.equal(value.safeguarding, true);
      assert.equal("riskConsequence" in value, false);
      assert.equal("riskLikelihood" in value, false);
    });

    it("accepts inputs a client left out entirely when they are optional", () => {
      const form = contactForm();
      for (const key of ["nhsNumber", "dateOfBirth", "eventOn", "service", "ward", "professions", "riskConsequence", "riskLikelihood", "safeguarding"])
        delete form[key];
      const result = parseNewContact(form, TODAY);
      assert.equal(result.ok, true);
    });

    it("accepts a contact received today", () => {
      assert.equal(parseNewContact(contactForm({ receivedOn: TODAY }), TODAY).ok, true);
    });

    const cases: { what: string; overrides: Record<string, unknown>; field: string; message: string }[] = [
      {
        what: "no contact type",
        overrides: { contactType: "" },
        field: "contactType",
        message: "Choose the type of contact: enquiry, concern, complaint or compliment",
      },
      {
        what: "a made-up contact type",
        overrides: { contactType: "grumble" },
        field: "contactType",
        message: "Choose the type of contact: enquiry, concern, complaint or compliment",
      },
      { what: "no way received", overrides: { receivedVia: "" }, field: "receivedVia", message: "Choose how it was received" },
      { what: "nobody raising it", overrides: { raisedBy: "" }, field: "raisedBy", message: "Choose who raised it" },
      {
        what: "no raiser's name for a family member",
        overrides: { raisedBy: "family", consent: "given" },
        field: "raiserName",
        message: "Enter the name of the person who raised it",
      },
      {
        what: "a made-up consent",
        overrides: { raisedBy: "carer", raiserName: "Sam", consent: "verbal" },
        field: "consent",
        message: "Choose a consent option from the list",
      },
      { what: "no patient name", overrides: { patientName: "   " }, field: "patientName", message: 'Enter the patient\'s name, or tick "Name not given"' },
      {
        what: 'a name and "not given" both',
        overrides: { patientNameNotGiven: "true" },
        field: "patientName",
        message: 'You ticked "Name not given": clear the name, or untick it',
      },
      {
        what: 'a "not given" toggle that isn\'t yes or no',
        overrides: { patientNameNotGiven: "perhaps" },
        field: "patientNameNotGiven",
        message: "Choose whether the patient's name was given",
      },
      {
        what: "a consequence without a likelihood",
        overrides: { riskLikelihood: "" },
        field: "riskLikelihood",
        message: "Choose a likelihood too, or clear the consequence to leave the risk not assessed",
      },
      {
        what: "a likelihood without a consequence",
        overrides: { riskConsequence: "" },
        field: "riskConsequence",
        message: "Choose a consequence too, or clear the likelihood to leave the risk not assessed",
      },
      {
        what: "a very long patient name",
        overrides: { patientName: "A".repeat(201) },
        field: "patientName",
        message: "Shorten the patient's name to 200 characters or fewer",
      },
      {
        what: "a wrong NHS number",
        overrides: { nhsNumber: "943 476 5918" },
        field: "nhsNumber",
        message: "That NHS number is not valid: check the 10 digits",
      },
      { what: "a 9-digit NHS number", overrides: { nhsNumber: "943476591" }, field: "nhsNumber", message: "That NHS number is not valid: check the 10 digits" },
      { what: "a date of birth that isn't a date", overrides: { dateOfBirth: "1948-02-30" }, field: "dateOfBirth", message: "Enter a real date of birth" },
      {
        what: "a date of birth after receipt",
        overrides: { dateOfBirth: "2026-03-04" },
        field: "dateOfBirth",
        message: "The date of birth can't be after the date it was received",
      },
      {
        what: "a date received that isn't a date",
        overrides: { receivedOn: "03/03/2026" },
        field: "receivedOn",
        message: "Enter a real date for when it was received",
      },
      {
        what: "a date received in the future",
        overrides: { receivedOn: "2026-03-11" },
        field: "receivedOn",
        message: "The date received can't be in the future",
      },
      {
        what: "an event after receipt",
        overrides: { eventOn: "2026-03-04" },
        field: "eventOn",
        message: "The date it happened can't be after the date it was received",
      },
      { what: "a very long division", overrides: { division: "D".repeat(201) }, field: "division", message: "Shorten the division to 200 characters or fewer" },
      { what: "a made-up service area", overrides: { serviceArea: "car-park" }, field: "serviceArea", message: "Choose a service area from the list" },
      { what: "a made-up subject", overrides: { subjects: "communications,parking" }, field: "subjects", message: "Choose subjects from the list" },
      { what: "a made-up profession", overrides: { professions: "porter" }, field: "professions", message: "Choose professions from the list" },
      { what: "no summary", overrides: { summary: "" }, field: "summary", message: "Enter a summary of what they told us" },
      {
        what: "a summary over 4,000 characters",
        overrides: { summary: "x".repeat(4001) },
        field: "summary",
        message: "Shorten the summary to 4,000 characters or fewer",
      },
      {
        what: "a desired outcome over 2,000 characters",
        overrides: { desiredOutcome: "x".repeat(2001) },
        field: "desiredOutcome",
        message: "Shorten the outcome they want to 2,000 characters or fewer",
      },
      {
        what: "a consequence of 6",
        overrides: { riskConsequence: "6" },
        field: "riskConsequence",
        message: "Choose a consequence from 1 (negligible) to 5 (catastrophic)",
      },
      {
        what: "a likelihood of 0",
        overrides: { riskLikelihood: "0" },
        field: "riskLikelihood",
        message: "Choose a likelihood from 1 (rare) to 5 (almost certain)",
      },
      {
        what: "a safeguarding answer that isn't yes or no",
        overrides: { safeguarding: "maybe" },
        field: "safeguarding",
        message: "Choose yes or no for safeguarding",
      },
      {
        what: "a complexity that isn't a tier",
        overrides: { complexity: "30" },
        field: "complexity",
        message: "Choose the complexity from the list: standard, complex or very complex",
      },
    ];
    for (const { what, overrides, field, message } of cases) {
      it(`tells the officer what to fix, next to the ${field} input, for ${what}`, () => {
        assert.deepEqual(errorsFor(overrides), { [field]: message });
      });
    }

    it("shows every problem at once, including rules between fields", () => {
      const errors = errorsFor({ contactType: "", raisedBy: "representative", raiserName: "", patientName: "", nhsNumber: "123" });
      assert.deepEqual(Object.keys(errors).sort(), ["contactType", "nhsNumber", "patientName", "raiserName"]);
    });

    it("asks for each required answer when nothing at all was submitted", () => {
      const result = parseNewContact(undefined, TODAY);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.deepEqual(Object.keys(result.errors).sort(), ["contactType", "patientName", "raisedBy", "receivedVia", "summary"]);
      }
    });

    it("needs no raiser's name or consent when the patient raises it, and no consent from staff", () => {
      assert.equal(parseNewContact(contactForm({ raisedBy: "patient" }), TODAY).ok, true);
      assert.equal(parseNewContact(contactForm({ raisedBy: "staff", raiserName: "Dr Patel" }), TODAY).ok, true);
    });

    it("accepts a representative whose consent has been asked for but not received yet", () => {
      const result = parseNewContact(contactForm({ raisedBy: "representative", raiserName: "Advocate", consent: "not-yet" }), TODAY);
      assert.equal(result.ok, true);
    });

    it("does not ask for subjects on an enquiry or a compliment, nor consent on a compliment", () => {
      assert.equal(parseNewContact(contactForm({ contactType: "enquiry", subjects: "" }), TODAY).ok, true);
      assert.equal(parseNewContact(contactForm({ contactType: "compliment", subjects: "", raisedBy: "family", raiserName: "Tom" }), TODAY).ok, true);
    });

    describe("quick capture", () => {
      /** A phone concern raised by a family member: the six inputs an officer touches, nothing else sent. */
      const QUICK = {
        contactType: "concern",
        receivedVia: "phone",
        raisedBy: "family",
        raiserName: "Tom Jones",
        patientName: "Margaret Jones",
        summary: "Worried about her discharge.",
      };

      it("logs a contact from the six quick-capture answers alone: received today, nothing else assumed", () => {
        const result = parseNewContact(QUICK, TODAY);
        assert.deepEqual(result, {
          ok: true,
          value: { ...QUICK, patientNameNotGiven: false, receivedOn: TODAY, subjects: [], professions: [], safeguarding: false, safetyIncident: false },
        });
      });

      it("accepts a complaint with no KO41a coding, division or consent yet (they are completed later)", () => {
        const result = parseNewContact({ ...QUICK, contactType: "complaint", raisedBy: "representative" }, TODAY);
        assert.equal(result.ok, true);
      });

      it('accepts an anonymous caller: the name "not given" and no name', () => {
        const result = parseNewContact({ ...QUICK, patientName: "", patientNameNotGiven: "true" }, TODAY);
        assert.equal(result.ok, true);
        if (result.ok) assert.equal(result.value.patientName, undefined);
      });

      it("still checks each revealed field exactly, naming the field", () => {
        const result = parseNewContact({ ...QUICK, nhsNumber: "943 476 5918", receivedOn: "2026-03-11", riskConsequence: "4" }, TODAY);
        assert.deepEqual(result, {
          ok: false,
          errors: {
            nhsNumber: "That NHS number is not valid: check the 10 digits",
            receivedOn: "The date received can't be in the future",
            riskLikelihood: "Choose a likelihood too, or clear the consequence to leave the risk not assessed",
          },
        });
      });

      it("builds a case with the risk not assessed, no division and no name when none was given", () => {
        const result = parseNewContact(
          { ...QUICK, raisedBy: "patient", raiserName: "", patientName: "", patientNameNotGiven: "true", summary: "Anonymous call" },
          TODAY,
        );
        assert.ok(result.ok);
        const c = newCase(result.value, {
          rules: DEFAULT_RULES,
          id: "3f0e2b9a-1c4d-4e5f-8a6b-7c8d9e0f1a2b",
          trustId: "t",
          reference: "PALS-2026-000001",
          now: new Date("2026-03-10T10:00:00Z"),
          by: { aadObjectId: "u", name: "U" },
        });
        assert.equal(c.risk, undefined);
        assert.equal(c.division, undefined);
        assert.deepEqual(c.patient, {});
        assert.deepEqual(c.deadlines, { respondBy: "2026-03-24" });
        assert.deepEqual(c.flags, [], "no risk score means no high-risk flag");
        assert.equal(CaseSchema.safeParse(c).success, true);
      });

      it("keeps deadline rules: a quick complaint is received today, with the default complexity", () => {
        const result = parseNewContact({ ...QUICK, contactType: "complaint" }, "2026-04-02");
        assert.ok(result.ok);
        const c = newCase(result.value, {
          rules: DEFAULT_RULES,
          id: "3f0e2b9a-1c4d-4e5f-8a6b-7c8d9e0f1a2b",
          trustId: "t",
          reference: "PALS-2026-000001",
          now: new Date("2026-04-02T10:00:00Z"),
          by: { aadObjectId: "u", name: "U" },
        });
        assert.equal(c.complexity, 25);
        assert.deepEqual(c.deadlines, { acknowledgeBy: "2026-04-09", respondBy: "2026-05-12", backstop: "2026-10-01" });
        assert.deepEqual(c.flags, ["consent-needed"], "consent not recorded yet is flagged, not refused");
      });
    });

    it("refuses to run without a proper today", () => {
      assert.throws(() => parseNewContact(contactForm(), "10/03/2026"), /today/);
    });
  });

  describe("NewContactSchema", () => {
    it("checks a submission without knowing today, and reports rules between fields", () => {
      assert.equal(NewContactSchema.safeParse(contactForm()).success, true);
      const refused = NewContactSchema.safeParse(contactForm({ raisedBy: "carer", raiserName: "" }));
      assert.equal(refused.success, false);
      assert.deepEqual(
        refused.error?.issues.map((i) => [i.path[0], i.message]),
        [["raiserName", "Enter the name of the person who raised it"]],
      );
    });
  });

  describe("newCase", () => {
    it("builds an open complaint with its deadlines, triage flags and next due date", () => {
      const c = makeCase({
        receivedOn: "2026-04-02",
        raisedBy: "family",
        raiserName: "Tom Jones",
        consent: "not-yet",
        riskConsequence: "5",
        riskLikelihood: "3",
      });
      assert.equal(c.status, "open");
      assert.equal(c.type, "complaint");
      assert.equal(c.reference, "PALS-2026-000123");
      assert.deepEqual(c.raiser, { name: "Tom Jones" });
      assert.deepEqual(c.patient, { name: "Margaret Jones", nhsNumber: "9434765919", dateOfBirth: "1948-05-17", contactDetails: "07700 900123" });
      assert.deepEqual(c.risk, { consequence: 5, likelihood: 3, score: 15 });
      assert.deepEqual(c.deadlines, { acknowledgeBy: "2026-04-09", respondBy: "2026-05-12", backstop: "2026-10-01" });
      assert.equal(c.complexity, 25);
      assert.deepEqual(c.flags, ["high-risk", "consent-needed"]);
      assert.equal(c.nextDueOn, "2026-04-09");
      assert.equal(c.createdAt, "2026-03-03T10:15:00.000Z");
      assert.equal(c.updatedAt, c.createdAt);
      assert.deepEqual(c.createdBy, { aadObjectId: "officer-1", name: "Priya Shah" });
      assert.deepEqual(c.signposting, []);
      assert.equal(c.owner, undefined);
      assert.equal(CaseSchema.safeParse(c).success, true);
    });

    it("uses the complexity tier chosen when logging a complaint", () => {
      assert.equal(makeCase({ receivedOn: "2026-04-02", complexity: "40" }).deadlines.respondBy, "2026-06-03");
    });

    it("gives a concern a 10-working-day target and no complexity", () => {
      const c = makeCase({ contactType: "concern", receivedOn: "2026-04-02" });
      assert.deepEqual(c.deadlines, { respondBy: "2026-04-20" });
      assert.equal(c.complexity, undefined);
      assert.equal(c.nextDueOn, "2026-04-20");
    });

    it("stores no undefined values, so the saved document holds only what was entered", () => {
      const c = makeCase({ contactDetails: "", desiredOutcome: "", ward: "" });
      const json = JSON.parse(JSON.stringify(c));
      assert.deepEqual(json, c);
      assert.equal("ward" in c, false);
      assert.equal("contactDetails" in c.patient, false);
    });

    it("refuses an id that is not a uuid, since it becomes the document id", () => {
      assert.throws(() =>
        newCase(parsedContact(), {
          rules: DEFAULT_RULES,
          id: "1",
          trustId: "t",
          reference: "PALS-2026-000001",
          now: new Date(),
          by: { aadObjectId: "u", name: "U" },
        }),
      );
    });
  });

  describe("stored cases", () => {
    it("reads a case stored before quick capture, with its risk, division and patient name", () => {
      const old = JSON.parse(JSON.stringify(makeCase({ riskConsequence: "5", riskLikelihood: "4" })));
      const parsed = CaseSchema.parse({ ...old, docType: "case", _etag: "x" });
      assert.deepEqual(parsed.risk, { consequence: 5, likelihood: 4, score: 20 });
      assert.equal(parsed.division, "Medicine");
      assert.equal(parsed.patient.name, "Margaret Jones");
    });

    it("reads a case whose risk is not assessed, and still refuses a half-stored risk", () => {
      const { risk: _risk, ...unassessed } = makeCase();
      assert.equal(CaseSchema.safeParse(unassessed).success, true);
      assert.equal(CaseSchema.safeParse({ ...unassessed, risk: { consequence: 3 } }).success, false);
    });
  });

  describe("pick lists", () => {
    it("offers the KO41a outcomes for complaints and simpler ones otherwise", () => {
      assert.deepEqual(outcomesFor("complaint"), ["upheld", "partially-upheld", "not-upheld"]);
      assert.deepEqual(outcomesFor("concern"), ["resolved", "referred"]);
      assert.deepEqual(outcomesFor("compliment"), ["noted"]);
    });

    it("gives KO41a codes unique kebab-case ids, as cards submit them", () => {
      for (const list of [KO41A_SUBJECTS, KO41A_PROFESSIONS, KO41A_SERVICE_AREAS]) {
        const ids = list.map((c) => c.id);
        assert.equal(new Set(ids).size, ids.length);
        for (const id of ids) assert.match(id, /^[a-z]+(-[a-z]+)*$/);
      }
      assert.equal(KO41A_SUBJECTS.length, 16);
      assert.equal(KO41A_PROFESSIONS.length, 8);
      assert.equal(subjectTitle("values-and-behaviours"), "Values and Behaviours (staff)");
    });
  });
});
