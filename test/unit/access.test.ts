import { strict as assert } from "node:assert";
import { CASE_VERBS, type CaseVerb, ROLES, type Role, allowedVerbs, canSeeSafeguardingDetail, isRole, may, refusal } from "../../src/domain";

const roles = (...r: Role[]): ReadonlySet<Role> => new Set(r);

const ALL = true;
const NO = false;
/** The expected table: may this role do this verb to a concern (not a complaint)? */
const TABLE: Record<CaseVerb, Record<Role, boolean>> = {
  "log-contact": { officer: ALL, volunteer: ALL, manager: ALL, admin: ALL, lead: NO },
  "view-case": { officer: ALL, volunteer: ALL, manager: ALL, admin: ALL, lead: NO },
  "list-my-cases": { officer: ALL, volunteer: ALL, manager: ALL, admin: ALL, lead: NO },
  "search-cases": { officer: ALL, volunteer: ALL, manager: ALL, admin: ALL, lead: NO },
  "take-ownership": { officer: ALL, volunteer: ALL, manager: ALL, admin: ALL, lead: NO },
  assign: { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "add-note": { officer: ALL, volunteer: ALL, manager: ALL, admin: ALL, lead: NO },
  acknowledge: { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "record-discussion": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "change-response-date": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  escalate: { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "record-signposting": { officer: ALL, volunteer: ALL, manager: ALL, admin: ALL, lead: NO },
  close: { officer: ALL, volunteer: ALL, manager: ALL, admin: ALL, lead: NO },
  reopen: { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "view-timeline": { officer: ALL, volunteer: ALL, manager: ALL, admin: ALL, lead: NO },
  "request-investigation": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "decide-extension": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "draft-letter": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "record-ombudsman": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "complete-details": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "recalculate-deadlines": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "record-incident-reference": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "add-action": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "record-update": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "waive-time-limit": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  // The PALS inbox: volunteers log emails as contacts, but don't list, take, add or set them aside.
  "see-inbox": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "log-email": { officer: ALL, volunteer: ALL, manager: ALL, admin: ALL, lead: NO },
  "add-email": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "dismiss-email": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "take-email": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  // Documents and correspondence: PALS staff, not volunteers.
  "add-document": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "send-email": { officer: ALL, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  // Records retention: the review of files due (keep or destroy) and legal holds decide whether records are destroyed: managers and admins only.
  "review-retention": { officer: NO, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
  "place-legal-hold": { officer: NO, volunteer: NO, manager: ALL, admin: ALL, lead: NO },
};

describe("access", () => {
  it("covers every role and every verb in the table", () => {
    assert.deepEqual(Object.keys(TABLE).sort(), [...CASE_VERBS].sort());
    for (const verb of CASE_VERBS) assert.deepEqual(Object.keys(TABLE[verb]).sort(), [...ROLES].sort());
  });

  describe("role by verb, on a concern", () => {
    for (const verb of CASE_VERBS) {
      for (const role of ROLES) {
        const expected = TABLE[verb][role];
        it(`${role} ${expected ? "may" : "may not"} ${verb}`, () => {
          assert.equal(may(roles(role), verb, { type: "concern" }), expected);
          assert.equal(allowedVerbs(roles(role)).has(verb), expected);
        });
      }
    }
  });

  describe("closing", () => {
    it("lets a volunteer close a concern, enquiry or compliment but not a complaint", () => {
      assert.equal(may(roles("volunteer"), "close", { type: "concern" }), true);
      assert.equal(may(roles("volunteer"), "close", { type: "enquiry" }), true);
      assert.equal(may(roles("volunteer"), "close", { type: "compliment" }), true);
      assert.equal(may(roles("volunteer"), "close", { type: "complaint" }), false);
    });

    it("lets officers, managers and admins close complaints", () => {
      for (const role of ["officer", "manager", "admin"] as const) assert.equal(may(roles(role), "close", { type: "complaint" }), true);
    });

    it("without a case, answers for every kind of case, so a volunteer is refused", () => {
      assert.equal(may(roles("volunteer"), "close"), false);
      assert.equal(may(roles("officer"), "close"), true);
    });

    it("tells a volunteer who to ask to close a complaint", () => {
      assert.equal(refusal("close", { type: "complaint" }), "Volunteers can't close complaints. Ask a PALS officer or manager to close it.");
    });
  });

  it("gives the other verbs the same answer for every kind of case", () => {
    for (const type of ["enquiry", "concern", "complaint", "compliment"] as const) {
      assert.equal(may(roles("volunteer"), "add-note", { type }), true);
      assert.equal(may(roles("volunteer"), "escalate", { type }), false);
      assert.equal(may(roles("officer"), "reopen", { type }), true);
    }
  });

  it("gives someone with several roles everything any of them allows", () => {
    assert.equal(may(roles("lead", "volunteer"), "add-note"), true);
    assert.equal(may(roles("lead", "volunteer"), "assign"), false);
    assert.equal(may(roles("volunteer", "officer"), "close", { type: "complaint" }), true);
    assert.equal(may(roles("volunteer", "manager"), "reopen"), true);
    assert.equal(allowedVerbs(roles("volunteer", "manager")).size, CASE_VERBS.length);
    // All but the managers' own: records retention review and legal holds.
    assert.equal(allowedVerbs(roles("volunteer", "officer")).size, CASE_VERBS.length - 2);
  });

  it("gives no roles nothing", () => {
    assert.equal(allowedVerbs(roles()).size, 0);
    for (const verb of CASE_VERBS) assert.equal(may(roles(), verb, { type: "concern" }), false);
    assert.equal(canSeeSafeguardingDetail(roles()), false);
  });

  it("shows safeguarding detail to officers, managers and admins only", () => {
    assert.equal(canSeeSafeguardingDetail(roles("officer")), true);
    assert.equal(canSeeSafeguardingDetail(roles("manager")), true);
    assert.equal(canSeeSafeguardingDetail(roles("admin")), true);
    assert.equal(canSeeSafeguardingDetail(roles("volunteer")), false);
    assert.equal(canSeeSafeguardingDetail(roles("lead")), false);
    assert.equal(canSeeSafeguardingDetail(roles("volunteer", "officer")), true);
  });

  describe("refusal", () => {
    it("says what the user can't do and who to ask, for every verb", () => {
      for (const verb of CASE_VERBS) {
        const message = refusal(verb, { type: "concern" });
        assert.match(
          message,
          /^((Your PALS Desk role doesn't let you|Volunteers can't) .+\. Ask a PALS officer or manager|Only PALS managers can .+\. Ask your PALS manager)/,
        );
        assert.ok(!message.includes(verb.includes("-") ? verb : "\u0000"), `message shows the internal verb id: ${message}`);
      }
    });

    it("speaks to a volunteer as a volunteer", () => {
      assert.equal(
        refusal("assign", undefined, roles("volunteer")),
        "Volunteers can't assign cases to other people. Ask a PALS officer or manager to do it for you.",
      );
    });

    it("tells a clinical lead what PALS Desk is for them", () => {
      assert.match(
        refusal("view-case", undefined, roles("lead")),
        /only lets clinical leads answer investigation requests sent to them, so you can't open cases/,
      );
    });

    it("tells an officer that records retention and legal holds are for managers", () => {
      assert.equal(
        refusal("review-retention", undefined, roles("officer")),
        "Only PALS managers can review records for retention or destroy them. Ask your PALS manager.",
      );
      assert.equal(
        refusal("place-legal-hold", { type: "complaint" }, roles("officer")),
        "Only PALS managers can place or lift legal holds. Ask your PALS manager.",
      );
    });

    it("tells someone with no role to ask for access", () => {
      assert.match(refusal("log-contact", undefined, roles()), /don't have a PALS Desk role yet\. Ask your PALS manager/);
    });
  });

  it("recognises role names", () => {
    assert.equal(isRole("volunteer"), true);
    assert.equal(isRole("Volunteer"), false);
    assert.equal(isRole(undefined), false);
  });
});
