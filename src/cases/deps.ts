import type {
  CaseRepository,
  ChannelDirectory,
  DocumentStore,
  InboxRepository,
  MailSender,
  LetterTemplateSource,
  OrganisationSite,
  OutboxStore,
  PeopleDirectory,
  RetentionRules,
  RoleDirectory,
  Rules,
  SignpostingDirectory,
  TeamRoster,
  TimelineRepository,
} from "../domain";
import type { Logger } from "../logger";

/** What the application layer works with: storage through the domain's ports, settings, the clock, the outbox's sender. */
export interface CaseDeskDeps {
  readonly cases: CaseRepository;
  readonly timeline: TimelineRepository;
  readonly outbox: OutboxStore;
  readonly people: PeopleDirectory;
  readonly channels: ChannelDirectory;
  /** The PALS inbox's emails and the message-id index to cases. */
  readonly inbox: InboxRepository;
  /** Where attachments and the case's documents are kept. */
  readonly documents: DocumentStore;
  /** Document links: the secret that signs them (shared by every instance) and the address they start with. */
  readonly documentLinks: { readonly secret: string; readonly baseUrl: () => string };
  /** Why a file can't be kept (a program by its content, a password-locked file), or undefined: src/mail/attachmentChecks.ts. */
  readonly checkFile?: (name: string, contentType: string, content: Buffer) => string | undefined;
  /** Sends as the trust's shared mailbox; undefined when PALS Desk has no mailbox to send from. */
  readonly mail?: MailSender;
  /** The shared mailbox a trust's emails go from (its first), if it has one. */
  readonly mailboxOf?: (trustId: string) => string | undefined;
  /** A letter on the trust's letterhead (.docx), from the filled letter. */
  readonly letterDocument?: (letter: { readonly trustName?: string; readonly reference: string; readonly date: string; readonly text: string }) => Buffer;
  readonly roles: RoleDirectory;
  /** The PALS team's members, for the Assign list; without it, only the people PALS Desk has met are offered. */
  readonly team?: TeamRoster;
  readonly signposting: SignpostingDirectory;
  readonly letters: LetterTemplateSource;
  readonly retention: RetentionRules;
  /** The trust's rules (RULES_FILE, England's without one, config.ts): deadlines, nudge windows, investigation defaults, alerts, the nation. */
  readonly rules: Rules;
  /** The name that signs a trust's letters and heads its case files (config.ts trustNameOf). */
  readonly trustNameOf?: (trustId: string) => string | undefined;
  /** The trust's sites for the KO41a return (config.ts trustSitesOf): what a case's site is chosen from. None when left out. */
  readonly sitesOf?: (trustId: string) => readonly OrganisationSite[];
  readonly log: Logger;
  readonly now: () => Date;
  /** New messages are queued: send them soon (without waiting for them). */
  readonly sendSoon: () => void;
  /** Sends these queued messages now and waits: for a message the person is waiting to see go. */
  readonly sendNow: (trustId: string, outboxIds: readonly string[]) => Promise<void>;
}

/** The trust's rules. */
export function rulesOf(deps: Pick<CaseDeskDeps, "rules">): Rules {
  return deps.rules;
}

/** The trust's list of sites (KO41a section 1); empty when it has none set up. */
export function sitesOf(deps: Pick<CaseDeskDeps, "sitesOf">, trustId: string): readonly OrganisationSite[] {
  return deps.sitesOf?.(trustId) ?? [];
}
