import { strict as assert } from "node:assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConfig } from "../../src/config";
import type { Role } from "../../src/domain";
import type { GroupRoleSource, GroupRolesAnswer } from "../../src/entra/groupRoles";
import { directoryRoles, identify, NO_TRUST, ROLES_UNCHECKED, trustRoles } from "../../src/teams/access/identity";
import type { Incoming } from "../../src/teams/sdk/turn";

const TENANT = "72f988bf-0000-4000-8000-0000000000aa";
const OTHER_TENANT = "0b0b0b0b-0000-4000-8000-0000000000bb";
const OLIVIA = "00000000-0000-4000-8000-0000000000a1";
const MAYA = "00000000-0000-4000-8000-0000000000a2";
const GROUP = "aaaaaaaa-0000-4000-8000-000000000001";
const BOT = { MicrosoftAppId: "6d1f2c3b-0000-4000-8000-00000000a99e", MicrosoftAppPassword: "x", ALLOWED_TENANT_IDS: TENANT };

/** Stands in for Microsoft Graph: the groups' roles per person, or down. */
class StubGroups implements GroupRoleSource {
  readonly asked: string[] = [];
  down = false;
  constructor(private readonly roles: Record<string, Role[]>) {}
  async rolesOf(tenantId: string, aadObjectId: string): Promise<GroupRolesAnswer> {
    this.asked.push(`${tenantId}/${aadObjectId}`);
    return this.down ? { ok: false } : { ok: true, roles: new Set(this.roles[aadObjectId] ?? []) };
  }
}

function incoming(aadObjectId: string, tenantId = TENANT): Incoming {
  return {
    type: "invoke",
    text: "",
    conversationId: "a:1",
    conversationType: "personal",
    tenantId,
    serviceUrl: "https://smba.example/",
    channelId: "msteams",
    from: { id: "29:1", aadObjectId, name: "Someone" },
    channel: {},
  };
}

describe("who has which role: person ids and Entra ID groups together", () => {
  const config = parseConfig({ ...BOT, ROLE_OFFICERS: OLIVIA, ROLE_MANAGERS_GROUPS: GROUP });

  it("adds the roles of a person's groups to those given by id", async () => {
    const groups = new StubGroups({ [OLIVIA]: ["manager"], [MAYA]: ["manager"] });
    const roles = directoryRoles(config, groups);
    assert.deepEqual([...(await roles.rolesOf(TENANT, OLIVIA))].sort(), ["manager", "officer"]);
    assert.deepEqual(await roles.lookup(TENANT, MAYA), { roles: new Set(["manager"]), unchecked: false });
  });

  it("keeps roles given by id when Graph is down, grants nothing from groups, and says some could not be checked", async () => {
    const groups = new StubGroups({ [OLIVIA]: ["manager"], [MAYA]: ["manager"] });
    groups.down = true;
    const roles = directoryRoles(config, groups);
    assert.deepEqual(await roles.lookup(TENANT, OLIVIA), { roles: new Set(["officer"]), unchecked: true });
    assert.deepEqual(await roles.lookup(TENANT, MAYA), { roles: new Set(), unchecked: true });

    const olivia = await identify(incoming(OLIVIA), config, roles);
    assert.ok(olivia.ok);
    assert.deepEqual([...olivia.caller.roles], ["officer"]);
    assert.equal(olivia.rolesUnchecked, true);
    // Nothing confirmed: the person is told why, rather than that they have no role.
    assert.deepEqual(await identify(incoming(MAYA), config, roles), { ok: false, reason: "roles-unchecked", refusal: ROLES_UNCHECKED });
  });

  it("never asks about someone from a tenant that is not served", async () => {
    const groups = new StubGroups({ [MAYA]: ["manager"] });
    const identified = await identify(incoming(MAYA, OTHER_TENANT), config, directoryRoles(config, groups));
    assert.equal(identified.ok, false);
    assert.deepEqual(groups.asked, []);
  });

  it("does not ask Graph when no groups are set", async () => {
    const groups = new StubGroups({ [MAYA]: ["manager"] });
    const roles = directoryRoles(parseConfig({ ...BOT, ROLE_OFFICERS: OLIVIA }), groups);
    assert.deepEqual([...(await roles.rolesOf(TENANT, MAYA))], []);
    assert.deepEqual(groups.asked, []);
  });

  it("counts clinical leads as named when only a leads' group is set", () => {
    assert.equal(directoryRoles(parseConfig(BOT)).leadsNamed(TENANT), false);
    assert.equal(directoryRoles(parseConfig({ ...BOT, ROLE_CLINICAL_LEADS_GROUPS: GROUP })).leadsNamed(TENANT), true);
  });
});

describe("the trust of an answer a case addresses to one person (a lead or action owner in no trust)", () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "trusts-")), "trusts.json");
  fs.writeFileSync(
    file,
    JSON.stringify({
      trusts: [
        { id: "RAA", name: "Aldermoor", tenantId: TENANT, roles: { officers: { people: [OLIVIA] } } },
        { id: "RBB", name: "Bramley", tenantId: TENANT, roles: {} },
        { id: "RZZ", name: "Zedbury", tenantId: OTHER_TENANT, roles: {} },
      ],
    }),
  );
  const config = parseConfig({ TRUSTS_FILE: file });
  const roles = trustRoles(config.trusts!, { teams: {} as never, serviceUrls: new Map() });
  const pressing = (verb: string, data: Record<string, unknown>, who = MAYA): Incoming => ({
    ...incoming(who),
    invokeName: "adaptiveCard/action",
    value: { action: { type: "Action.Execute", verb, data } },
  });

  it("takes the trust from the card for an addressed answer, with no role at all", async () => {
    for (const verb of ["investigation.answer", "investigation.moreTime", "investigation.refresh", "action.done"]) {
      const found = await identify(pressing(verb, { trustId: "RBB", caseId: "c" }), config, roles);
      assert.ok(found.ok, verb);
      assert.equal(found.caller.trustId, "RBB");
      assert.equal(found.caller.roles.size, 0);
    }
  });

  it("never for any other verb, a trust of another tenant, or a person who has a trust of their own", async () => {
    assert.deepEqual(await identify(pressing("case.addNote", { trustId: "RBB", caseId: "c" }), config, roles), {
      ok: false,
      reason: "no-trust",
      refusal: NO_TRUST,
    });
    assert.deepEqual(await identify(pressing("investigation.answer", { trustId: "RZZ", caseId: "c" }), config, roles), {
      ok: false,
      reason: "no-trust",
      refusal: NO_TRUST,
    });
    const olivia = await identify(pressing("investigation.answer", { trustId: "RBB", caseId: "c" }, OLIVIA), config, roles);
    assert.ok(olivia.ok);
    assert.equal(olivia.caller.trustId, "RAA");
  });

  it("refuses a trusts file that would mix trusts up, naming the problem", () => {
    const bad = `${file}.bad.json`;
    fs.writeFileSync(
      bad,
      JSON.stringify({
        trusts: [
          { id: "RAA", tenantId: TENANT, roles: { officers: { teams: ["19:t@thread.tacv2"] } } },
          { id: "raa", tenantId: TENANT, roles: { managers: { teams: ["19:t@thread.tacv2"] } } },
        ],
      }),
    );
    assert.throws(
      () => parseConfig({ TRUSTS_FILE: bad }),
      /trusts\.0\.name: needed when the file lists more than one trust[\s\S]*also trust 0's id[\s\S]*a team belongs to one trust/,
    );
    assert.throws(() => parseConfig({ TRUSTS_FILE: file, ROLE_OFFICERS: OLIVIA }), /ROLE_OFFICERS must be unset when TRUSTS_FILE is set/);
  });
});
