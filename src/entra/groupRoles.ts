// PALS Desk roles from Entra ID security groups (ROLE_*_GROUPS), read through Microsoft Graph with an app-only
// token from the bot's identity. Transitive: a member of a group nested in a configured group has its role.
import type { TokenCredential } from "@azure/identity";
import { RetryHandler, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import type { Role } from "../domain";
import { activityLog, errorFacts, type Logger } from "../logger";
import { retryAfterSeconds, TenantClients } from "./graphClient";

/** A person's group roles, or that Graph could not be asked (nothing is granted then). */
export type GroupRolesAnswer = { readonly ok: true; readonly roles: ReadonlySet<Role> } | { readonly ok: false };

export interface GroupRoleSource {
  rolesOf(tenantId: string, aadObjectId: string): Promise<GroupRolesAnswer>;
}

/** Group changes reach PALS Desk within this time; a card drawn for 30 people costs Graph nothing in between. */
export const MEMBERSHIP_TTL_MS = 5 * 60_000;
/** After Graph fails for a tenant, it is not asked again for this long: every lookup says "could not check" at once. */
export const OUTAGE_PAUSE_MS = 30_000;
/**
 * A lookup (its wait for a turn included) gives up after this: the identity check, and the Assign list's people,
 * come before everything else a Teams invoke does in its 5 seconds.
 */
export const LOOKUP_DEADLINE_MS = 3_000;
/** A throttled request is retried only when Graph asks for a wait this short (seconds), for the same reason. */
export const MAX_RETRY_AFTER_SECONDS = 2;
/** checkMemberGroups takes at most 20 group ids a request. */
export const GROUPS_PER_REQUEST = 20;
/** Lookups in flight at once: a card listing a whole team asks for many people together. */
export const MAX_CONCURRENT_LOOKUPS = 8;

const CheckMemberGroupsAnswer = z.object({ value: z.array(z.string()) });

export interface GraphGroupRolesOptions {
  /** Group object ids (lower case) per role. */
  readonly groups: Readonly<Record<Role, readonly string[]>>;
  /** The only tenants whose groups are looked up (lower case). */
  readonly tenants: readonly string[];
  /** The bot's identity in a tenant (see credentials.ts botCredential). */
  readonly credentialFor: (tenantId: string) => TokenCredential;
  readonly log: Logger;
  /** Milliseconds, for the cache (tests move it). */
  readonly now?: () => number;
  /** Tests only: a shorter time limit than LOOKUP_DEADLINE_MS. */
  readonly deadlineMs?: number;
  /** Tests only: another Graph (an https address) and the transport that reaches it. */
  readonly graphBaseUrl?: string;
  readonly fetch?: typeof fetch;
}

class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

class DeadlinePassed extends Error {
  constructor() {
    super("Microsoft Graph did not answer in time");
    this.name = "DeadlinePassed";
  }
}

/** A time limit: `passed` rejects and `signal` aborts when it runs out (real time: the injected clock is for the cache). */
class Deadline {
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;
  readonly passed: Promise<never>;

  constructor(ms: number) {
    let fail: (error: Error) => void = () => undefined;
    this.passed = new Promise<never>((_resolve, reject) => (fail = reject));
    this.passed.catch(() => undefined); // nobody may be waiting by then
    this.timer = setTimeout(() => {
      this.abort.abort();
      fail(new DeadlinePassed());
    }, ms);
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Which configured groups a person is in (POST /users/{id}/checkMemberGroups: transitive, all roles in one
 * request, 20 group ids a request), cached per tenant and person. Graph failing never grants a role.
 */
export class GraphGroupRoles implements GroupRoleSource {
  private readonly cache = new LRUCache<string, { readonly at: number; readonly roles: ReadonlySet<Role> }>({ max: 20_000 });
  private readonly inFlight = new Map<string, Promise<GroupRolesAnswer>>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly clients: TenantClients;
  private readonly limiter = new Limiter(MAX_CONCURRENT_LOOKUPS);
  private readonly groupIds: readonly string[];
  private readonly rolesOfGroup = new Map<string, Role[]>();
  private readonly tenants: ReadonlySet<string>;
  private readonly now: () => number;

  constructor(private readonly options: GraphGroupRolesOptions) {
    // Throttled lookups are retried only when Graph asks for a short wait: the identity check comes first in an invoke.
    this.clients = new TenantClients(options, () => [
      new RetryHandler(
        new RetryHandlerOptions(
          1,
          3,
          (_delay, _attempt, _request, _options, response) => retryAfterSeconds(response as Response | undefined) <= MAX_RETRY_AFTER_SECONDS,
        ),
      ),
    ]);
    for (const [role, ids] of Object.entries(options.groups) as [Role, readonly string[]][]) {
      for (const id of ids) this.rolesOfGroup.set(id, [...(this.rolesOfGroup.get(id) ?? []), role]);
    }
    this.groupIds = [...this.rolesOfGroup.keys()];
    this.tenants = new Set(options.tenants);
    this.now = options.now ?? Date.now;
  }

  async rolesOf(tenantId: string, aadObjectId: string): Promise<GroupRolesAnswer> {
    const tenant = tenantId.toLowerCase();
    // Only the trust's own tenants are asked about: another organisation's people are in none of its groups.
    if (this.groupIds.length === 0 || !this.tenants.has(tenant)) return { ok: true, roles: new Set() };
    const key = `${tenant}/${aadObjectId.toLowerCase()}`;
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached && now >= cached.at && now - cached.at < MEMBERSHIP_TTL_MS) return { ok: true, roles: cached.roles };
    if (now < (this.pausedUntil.get(tenant) ?? 0)) return { ok: false };
    const running = this.inFlight.get(key);
    if (running) return running;
    // The deadline counts from here: a lookup waiting its turn (a card listing a whole team) uses up the same 3 seconds.
    const deadline = new Deadline(this.options.deadlineMs ?? LOOKUP_DEADLINE_MS);
    const lookup = Promise.race([
      this.limiter.run(() => this.lookUp(tenant, aadObjectId, key, deadline)),
      deadline.passed.then(
        () => ({ ok: false }) as const,
        () => ({ ok: false }) as const,
      ),
    ]).finally(() => {
      deadline.clear();
      this.inFlight.delete(key);
    });
    this.inFlight.set(key, lookup);
    return lookup;
  }

  private async lookUp(tenant: string, aadObjectId: string, key: string, deadline: Deadline): Promise<GroupRolesAnswer> {
    if (deadline.signal.aborted) {
      // Its time ran out while others were asked first; the person was already answered "could not check".
      activityLog(this.options.log).warn({ tenantId: tenant }, "A group membership lookup waited too long for its turn: no group roles given");
      return { ok: false };
    }
    // Graph may have failed while this lookup waited its turn (a card listing a whole team during an outage).
    if (this.now() < (this.pausedUntil.get(tenant) ?? 0)) return { ok: false };
    const work = this.memberGroups(tenant, aadObjectId, deadline.signal);
    work.catch(() => undefined); // it may fail after the deadline: nobody is waiting any more
    try {
      const member = await Promise.race([work, deadline.passed]);
      const roles = new Set<Role>(member.flatMap((id) => this.rolesOfGroup.get(id.toLowerCase()) ?? []));
      this.cache.set(key, { at: this.now(), roles });
      return { ok: true, roles };
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      if (status === 404) {
        // Not a person in this tenant's directory (a guest's home id, a deleted account): in none of its groups.
        activityLog(this.options.log).warn({ tenantId: tenant, status }, "Microsoft Graph does not know this person: no group roles");
        this.cache.set(key, { at: this.now(), roles: new Set() });
        return { ok: true, roles: new Set() };
      }
      this.pausedUntil.set(tenant, this.now() + OUTAGE_PAUSE_MS);
      // Names, codes and statuses only: no person's id, no token, no message text.
      activityLog(this.options.log).error(
        { err: errorFacts(error), tenantId: tenant, status: typeof status === "number" && status > 0 ? status : undefined, hint: hintFor(error) },
        "Could not read group membership from Microsoft Graph: no group roles given",
      );
      return { ok: false };
    }
  }

  /** The configured groups the person is in, one request per 20 group ids. */
  private async memberGroups(tenant: string, aadObjectId: string, signal: AbortSignal): Promise<string[]> {
    const client = this.clients.for(tenant);
    const member: string[] = [];
    for (let i = 0; i < this.groupIds.length; i += GROUPS_PER_REQUEST) {
      const answer: unknown = await client
        .api(`/users/${encodeURIComponent(aadObjectId)}/checkMemberGroups`)
        .option("signal", signal)
        .post({ groupIds: this.groupIds.slice(i, i + GROUPS_PER_REQUEST) });
      member.push(...CheckMemberGroupsAnswer.parse(answer).value);
    }
    return member;
  }
}

/** @azure/identity's errors when no token could be had. */
const TOKEN_ERRORS = new Set(["AuthenticationError", "AuthenticationRequiredError", "CredentialUnavailableError", "AggregateAuthenticationError"]);

/** What an administrator should look at, by the kind of failure (never the error's own words). */
function hintFor(error: unknown): string {
  // The Graph client wraps an error of its own steps (the token, the network) with the original's name as its code.
  const { name, code, statusCode } = (error ?? {}) as { name?: unknown; code?: unknown; statusCode?: unknown };
  if ([name, code].some((kind) => typeof kind === "string" && TOKEN_ERRORS.has(kind))) {
    return "the bot could not get a Microsoft Graph token: check MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId";
  }
  if (statusCode === 401 || statusCode === 403)
    return "check the app registration has GroupMember.Read.All and User.ReadBasic.All (application) with admin consent";
  if (statusCode === 429) return "Microsoft Graph is throttling PALS Desk";
  if (name === "DeadlinePassed") return "Microsoft Graph did not answer in time";
  return "Microsoft Graph could not be reached or failed";
}
