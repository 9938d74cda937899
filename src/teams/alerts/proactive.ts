// The outbox's deliverer over Teams: where each message goes, its card (rendered at send time, from the
// case as it is then), and what to do when Teams says the bot is gone. Sending itself is in sdk/proactive.ts.
import { createHash } from "node:crypto";
import {
  londonDate,
  newOutboxItem,
  type Case,
  type ChannelDirectory,
  type OutboxItem,
  type OutboxStore,
  type PeopleDirectory,
  type TrustTenants,
  type InboxEmail,
  formatLondonDateTime,
  senderText,
} from "../../domain";
import { triageCard } from "../inbox/inboxCards";
import { said } from "../text";
import type { Deliverer } from "../../jobs/dispatcher";
import type { Logger } from "../../logger";
import { noticeCard } from "../cases/caseView";
import { investigationNoticeCard, investigationRequestCard, requestRefreshIds } from "../investigations/investigationCards";
import { alertCard, digestCard } from "./nudgeCards";
import { actionCard } from "../actions/learningActionCards";
import type { ProactiveSender } from "../sdk/proactive";

export interface ProactiveDeps {
  readonly sender: ProactiveSender;
  readonly people: PeopleDirectory;
  readonly channels: ChannelDirectory;
  /** The case a message is about, as it is now (undefined when it is gone). */
  readonly loadCase: (trustId: string, caseId: string) => Promise<Case | undefined>;
  /** The inbox email a message is about, as it is now. */
  readonly loadEmail: (trustId: string, emailId: string) => Promise<InboxEmail | undefined>;
  readonly outbox: OutboxStore;
  /** The trust's PALS Desk admins (Entra ID object ids), told when a message can't be delivered. */
  readonly adminIdsOf: (trustId: string) => readonly string[];
  /** The tenant each trust's people sign in to: Teams addresses conversations by tenant. */
  readonly tenants: TrustTenants;
  readonly log: Logger;
  /** The clock, for "due in 2 working days" on an action's card (the system clock when left out). */
  readonly now?: () => Date;
  /** The trust's nudge window, which the digest names. */
  readonly nudgeWindowWorkingDays: number;
}

export function teamsDeliverer(deps: ProactiveDeps): Deliverer {
  return {
    async addressFor(item) {
      switch (item.target.kind) {
        case "person":
          return deps.people.personalConversation(item.trustId, item.target.aadObjectId);
        case "alerts-channel":
          return deps.channels.alertsChannel(item.trustId);
        case "safety-channel":
          return deps.channels.safetyChannel(item.trustId);
        case "conversation":
          return item.target.address;
        case "new-thread":
          return item.target.channel;
        case "inbox-channel":
          return (await deps.channels.channelFor(item.trustId, "inbox")) ?? deps.channels.alertsChannel(item.trustId);
      }
    },

    async send(item, address) {
      const card = await render(deps, item);
      if (!card) return { ok: false, nothingToSend: true };
      const tenantId = deps.tenants.tenantOf(item.trustId);
      if (item.payload.kind === "inbox-email-update") return deps.sender.update(address, tenantId, item.payload.activityId, card);
      return item.target.kind === "new-thread" ? deps.sender.startThread(address, tenantId, card) : deps.sender.send(address, tenantId, card);
    },

    async unreachable(item) {
      if (item.target.kind === "person") await deps.people.forgetPersonalConversation(item.trustId, item.target.aadObjectId);
      else if (item.target.kind === "alerts-channel") await deps.channels.forgetAlertsChannel(item.trustId);
      else if (item.target.kind === "safety-channel") await deps.channels.forgetSafetyChannel(item.trustId);
      // The inbox's cards go to the alerts channel until an inbox channel is set: forget the one that refused.
      else if (item.target.kind === "inbox-channel") {
        if (await deps.channels.channelFor(item.trustId, "inbox")) await deps.channels.forgetChannelFor(item.trustId, "inbox");
        else await deps.channels.forgetAlertsChannel(item.trustId);
      }
    },

    async noticeAdmins(trustId, text, now) {
      // One notice per admin, text and day: a burst of failures does not become a burst of messages.
      const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
      const adminIds = deps.adminIdsOf(trustId);
      for (const adminId of adminIds) {
        await deps.outbox.enqueue(
          newOutboxItem(
            trustId,
            `admin:${trustId}:${adminId}:${londonDate(now)}:${digest}`,
            { kind: "person", aadObjectId: adminId },
            { kind: "admin-notice", text },
            now,
          ),
        );
      }
      if (adminIds.length === 0)
        deps.log.warn({ trustId }, "No PALS Desk admin is configured (ROLE_ADMINS, or the trust's admins in the trusts file) to tell about a delivery problem");
    },
  };
}

/** The card for an outbox item; undefined when what it is about is gone (an investigation request's case). */
async function render(deps: ProactiveDeps, item: OutboxItem): Promise<Record<string, unknown> | undefined> {
  const { payload } = item;
  switch (payload.kind) {
    case "digest":
      return digestCard(payload.items, payload.day, deps.nudgeWindowWorkingDays, undefined, payload.incomplete);
    case "alert":
      return alertCard(item, await deps.loadCase(item.trustId, payload.caseId));
    case "admin-notice":
      return noticeCard("PALS Desk delivery problem", payload.text, "warning");
    case "investigation-request": {
      const c = await deps.loadCase(item.trustId, payload.caseId);
      const request = c?.investigations?.find((r) => r.id === payload.requestId);
      if (!c || !request) return undefined;
      // The shared copy: everyone in the channel sees it; the lead's and officer's own views come from its refresh.
      return investigationRequestCard(c, request, undefined, { refreshUserIds: requestRefreshIds(request) });
    }
    case "investigation-reminder":
    case "investigation-answer":
    case "investigation-extension":
      return investigationNoticeCard(payload, await deps.loadCase(item.trustId, payload.caseId));
    case "inbox-email":
    case "inbox-email-update": {
      const email = await deps.loadEmail(item.trustId, payload.emailId);
      return email && email.state !== "automatic" ? triageCard(email) : undefined;
    }
    case "email-filed": {
      const email = await deps.loadEmail(item.trustId, payload.emailId);
      if (!email) return undefined;
      return noticeCard(
        `A reply reached ${payload.reference}`,
        said`Email from ${senderText(email)}, received ${formatLondonDateTime(email.receivedAt)}. It is on the case's timeline: type **case ${payload.reference}** to see it.`,
      );
    }
    case "inbox-waiting":
      return noticeCard(
        "Emails waiting in the PALS inbox",
        `${payload.count >= 100 ? "100 or more emails have" : `${payload.count} email${payload.count === 1 ? " has" : "s have"}`} waited more than a working day, the oldest since ${formatLondonDateTime(payload.oldest)}. Type **inbox** in a chat with PALS Desk to see them.`,
      );
    case "retention-review": {
      // References only (we generate them): no patient details in the managers' channel.
      const files = `${payload.count}${payload.atLeast ? " or more" : ""} closed file${payload.count === 1 && !payload.atLeast ? "" : "s"}`;
      const named = payload.references.length > 0 ? ` (${payload.references.join(", ")}${payload.count > payload.references.length ? " and others" : ""})` : "";
      return noticeCard(
        "Files due for records retention review",
        `${files}${named} reached the end of the retention period. Nothing is destroyed without a manager's decision: type **retention review** in a chat with PALS Desk to keep each for more years or destroy it.`,
      );
    }
    case "email-outcome": {
      const c = await deps.loadCase(item.trustId, payload.caseId);
      const sent = c?.correspondence?.find((e) => e.id === payload.sendId);
      if (!sent || sent.status === "sending") return undefined;
      const to = sent.to.name ?? sent.to.address;
      return sent.status === "sent"
        ? noticeCard(
            `Sent: ${payload.reference}`,
            said`Your email "${sent.subject}" went to ${to} at ${formatLondonDateTime(sent.sentAt ?? sent.requestedAt)}. It is on the case's timeline.`,
            "good",
          )
        : noticeCard(
            `Not sent: ${payload.reference}`,
            said`Your email "${sent.subject}" to ${to} could not be sent (${sent.failure ?? "the mailbox refused it"}). Check the address on the case, then press **Email the complainant** to send it again.`,
            "attention",
          );
    }
    case "send-email":
      return undefined;
    case "learning-action": {
      // From the case as it is now: an action done (or gone) meanwhile needs no nudge; the card it was added with still goes.
      const c = await deps.loadCase(item.trustId, payload.caseId);
      const action = c?.actions?.find((a) => a.id === payload.actionId);
      if (!c || !action || (action.status === "done" && payload.moment !== "added")) return undefined;
      return actionCard(c, action, { today: londonDate(deps.now?.() ?? new Date()), moment: payload.moment, canMarkDone: true, canOpenCase: false });
    }
  }
}
