// The case card's "Ombudsman" section: record the PHSO referral (officers, managers, admins) and export the
// case file for the Ombudsman (managers and admins, in their personal chat).
import { randomUUID } from "node:crypto";
import type { Application } from "@microsoft/teams-ai";
import type { TurnContext } from "botbuilder";
import { z } from "zod";
import { CaseChangedError, CaseRuleError, eventFrom, may, recordOmbudsman, refusal, type ActionResult } from "../domain";
import { callerOrRefuse, tell } from "./caller";
import { caseCardFor } from "./caseCard";
import type { BotDeps } from "./deps";
import { sendFile } from "./files";
import { answerWithCard, answerWithMessage } from "./invoke";
import { turnLog } from "./turnLog";

/** Card inputs arrive as strings; anything else (a forged number or object) reads as empty. */
const text = (max: number) => z.preprocess((value) => (typeof value === "string" ? value.trim() : ""), z.string().max(max));

const RecordInput = z.object({
  caseId: z.string().uuid(),
  phsoReferredOn: text(20),
  phsoReference: text(200),
  phsoStage: text(30),
  phsoResponseDueOn: text(20),
});

const CaseIdInput = z.object({ caseId: z.string().uuid() });

async function recordReferral(context: TurnContext, deps: BotDeps, data: unknown): Promise<void> {
  const log = turnLog(context, deps.log);
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  const input = RecordInput.safeParse(data);
  const loaded = input.success ? await deps.cases.get(caller.tenantId, input.data.caseId) : undefined;
  if (!input.success || !loaded) {
    log.warn({ verb: "ombudsman.record" }, "Ombudsman action for a case not found in the caller's trust");
    await tell(context, "Case not found", "We couldn't find that case. The card may be out of date: type **case** and the reference to see it again.");
    return;
  }
  const c = loaded.value;
  if (!may(caller.roles, "view-case", c) || !may(caller.roles, "record-ombudsman", c)) {
    log.warn({ caseId: c.id, verb: "ombudsman.record" }, "Refused an Ombudsman action the caller's role does not allow");
    await tell(context, "Not available", refusal(may(caller.roles, "view-case", c) ? "record-ombudsman" : "view-case", c, caller.roles));
    return;
  }
  const { phsoReferredOn, phsoReference, phsoStage, phsoResponseDueOn } = input.data;
  const draft = { phsoReferredOn, phsoReference, phsoStage, phsoResponseDueOn };
  const ctx = { actor: caller.actor, now: deps.now() };
  let result: ActionResult | undefined;
  try {
    const saved = await deps.cases.update(caller.tenantId, c.id, (fresh) => {
      result = recordOmbudsman(fresh, { referredOn: phsoReferredOn, reference: phsoReference, stage: phsoStage, responseDueOn: phsoResponseDueOn }, ctx);
      return result.updated;
    });
    await deps.timeline.append(eventFrom(result!.event, saved.value, ctx, randomUUID()));
    // Files the PHSO date for nudges and tells the managers the Ombudsman is involved.
    await deps.caseSaved(saved.value);
    log.info({ caseId: c.id, reference: c.reference, stage: saved.value.ombudsman?.stage }, "Ombudsman details recorded");
    await answerWithCard(context, await caseCardFor(deps, caller, saved, { banner: { text: "Ombudsman details saved.", style: "good" } }));
  } catch (error) {
    if (!(error instanceof CaseRuleError) && !(error instanceof CaseChangedError)) throw error;
    log.info({ caseId: c.id, reason: error.name }, "Ombudsman details not saved");
    const latest = (await deps.cases.get(caller.tenantId, c.id)) ?? loaded;
    await answerWithCard(context, await caseCardFor(deps, caller, latest, { banner: { text: error.message, style: "attention" }, draft }));
  }
}

async function exportCaseFile(context: TurnContext, deps: BotDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  const input = CaseIdInput.safeParse(data);
  const found = input.success ? await deps.cases.get(caller.tenantId, input.data.caseId) : undefined;
  if (!found) {
    turnLog(context, deps.log).warn({ verb: "ombudsman.exportFile" }, "Case file export for a case not found in the caller's trust");
    await tell(context, "Case not found", "We couldn't find that case. Type **export case** and the reference.");
    return;
  }
  const delivery = await sendFile(context, deps, caller, { kind: "case-file", caseId: found.value.id });
  if (delivery.ok) await answerWithMessage(context, delivery.text);
  else await tell(context, delivery.title, delivery.text);
}

export function registerOmbudsman(app: Application, deps: BotDeps): void {
  app.adaptiveCards.actionExecute("ombudsman.record", async (context, _state, data) => (await recordReferral(context, deps, data), ""));
  app.adaptiveCards.actionExecute("ombudsman.exportFile", async (context, _state, data) => (await exportCaseFile(context, deps, data), ""));
}
