import { formatCaseReference, newCase, type Case, type PersonRef, DEFAULT_RULES } from "../../src/domain";
import { parsedContact } from "./caseFixtures";

/** The report tests' "today": Tuesday 10 March 2026; `report` then covers February 2026. */
export const REPORT_TODAY = "2026-03-10";
export const REPORT_NOW = new Date("2026-03-10T10:00:00Z");

export const OLIVIA: PersonRef = { aadObjectId: "00000000-0000-4000-8000-0000000000a1", name: "Olivia Officer" };
export const PRIYA: PersonRef = { aadObjectId: "00000000-0000-4000-8000-0000000000a6", name: "Priya Officer" };
export const MAYA: PersonRef = { aadObjectId: "00000000-0000-4000-8000-0000000000a2", name: "Maya Manager" };

let sequence = 900;

function seeded(trustId: string, form: Record<string, unknown>, then: (c: Case) => Case = (c) => c): Case {
  sequence += 1;
  const c = newCase(parsedContact(form, "2027-12-31"), {
    rules: DEFAULT_RULES,
    id: `00000000-0000-4000-9000-${String(sequence).padStart(12, "0")}`,
    trustId,
    reference: formatCaseReference(2026, sequence),
    now: new Date(`${String(form.receivedOn)}T09:00:00Z`),
    by: OLIVIA,
  });
  return then({ ...c, owner: OLIVIA });
}

const closed = (c: Case, closedOn: string, outcome: Case["outcome"]): Case => {
  const copy: Case = { ...c, status: "closed", closedOn, outcome };
  delete copy.nextDueOn;
  return copy;
};
const acknowledged = (c: Case, on: string): Case => ({ ...c, deadlines: { ...c.deadlines, acknowledgedOn: on } });

/**
 * Cases with hand-worked answers for February 2026 (see test/unit/reports.test.ts):
 * A complaint (two subjects, two professions), B closed upheld, C overdue, D unacknowledged, E concern closed,
 * F enquiry, G an old overdue complaint, I a compliment after the period, and one in another trust.
 */
export function reportCases(trustId: string, otherTrustId = "another-trust"): Record<string, Case> {
  sequence = 900;
  return {
    A: seeded(
      trustId,
      {
        receivedOn: "2026-02-02",
        eventOn: "2026-01-30",
        subjects: "communications,clinical-treatment",
        professions: "nursing,medical",
        serviceArea: "inpatient",
        division: "Medicine",
      },
      (c) => acknowledged(c, "2026-02-04"),
    ),
    B: seeded(trustId, { receivedOn: "2026-01-05", eventOn: "2026-01-01", subjects: "communications", division: "Surgery" }, (c) =>
      closed(acknowledged({ ...c, owner: MAYA }, "2026-01-12"), "2026-02-06", "upheld"),
    ),
    C: seeded(trustId, { receivedOn: "2026-01-12", eventOn: "2026-01-10", subjects: "patient-care", division: "Medicine" }, (c) =>
      acknowledged({ ...c, owner: PRIYA }, "2026-01-14"),
    ),
    D: seeded(trustId, { receivedOn: "2026-02-23", eventOn: "2026-02-20", subjects: "appointments", division: "Surgery" }),
    E: seeded(trustId, { contactType: "concern", receivedOn: "2026-02-10", eventOn: "2026-02-09", subjects: "communications", division: "Medicine" }, (c) =>
      closed(c, "2026-02-20", "resolved"),
    ),
    F: seeded(trustId, { contactType: "enquiry", receivedOn: "2026-02-27", eventOn: "", subjects: "", professions: "", division: "Estates" }, (c) => ({
      ...c,
      owner: MAYA,
    })),
    G: seeded(trustId, { receivedOn: "2025-12-01", eventOn: "2025-11-28", subjects: "clinical-treatment", division: "medicine " }, (c) =>
      acknowledged(c, "2025-12-03"),
    ),
    I: seeded(trustId, { contactType: "compliment", receivedOn: "2026-03-02", eventOn: "", subjects: "", professions: "", division: "Medicine" }),
    other: seeded(otherTrustId, { receivedOn: "2026-02-05", eventOn: "2026-02-01", subjects: "communications", division: "Medicine" }),
  };
}
