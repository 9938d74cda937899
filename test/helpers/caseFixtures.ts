import { type Case, type NewContact, newCase, parseNewContact, DEFAULT_RULES } from "../../src/domain";

/** What the "Log a contact" card submits for a straightforward complaint: every value a string. */
export function contactForm(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    contactType: "complaint",
    receivedVia: "email",
    raisedBy: "patient",
    raiserName: "",
    consent: "",
    patientName: "Margaret Jones",
    nhsNumber: "943 476 5919",
    dateOfBirth: "1948-05-17",
    contactDetails: "07700 900123",
    communicationNeeds: "",
    receivedOn: "2026-03-03",
    eventOn: "2026-02-20",
    division: "Medicine",
    service: "Respiratory",
    ward: "Ward 7",
    subjects: "communications",
    professions: "nursing",
    summary: "Call bell not answered overnight.",
    desiredOutcome: "An apology",
    riskConsequence: "2",
    riskLikelihood: "3",
    safeguarding: "false",
    ...overrides,
  };
}

export const TODAY = "2026-03-10";

export function parsedContact(overrides: Record<string, unknown> = {}, today = TODAY): NewContact {
  const result = parseNewContact(contactForm(overrides), today);
  if (!result.ok) throw new Error(`fixture did not parse: ${JSON.stringify(result.errors)}`);
  return result.value;
}

export function makeCase(overrides: Record<string, unknown> = {}): Case {
  const contact = parsedContact(overrides, "2027-12-31");
  return newCase(contact, {
    rules: DEFAULT_RULES,
    id: "3f0e2b9a-1c4d-4e5f-8a6b-7c8d9e0f1a2b",
    trustId: "tenant-1",
    reference: "PALS-2026-000123",
    now: new Date("2026-03-03T10:15:00Z"),
    by: { aadObjectId: "officer-1", name: "Priya Shah" },
  });
}
