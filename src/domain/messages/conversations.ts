// People and conversations as PALS Desk knows them: who they are in Teams and how to reach them.
import { z } from "zod";

/** A member of staff who has used PALS Desk, as Teams identifies them. */
export interface StaffMember {
  readonly aadObjectId: string;
  readonly name: string;
  /** The Teams user id (29:...). */
  readonly teamsUserId: string;
}

export const StaffMemberSchema = z.object({
  aadObjectId: z.string().min(1),
  name: z.string(),
  teamsUserId: z.string(),
});

/** How to reach a conversation proactively (a Bot Framework conversation reference, reduced to what we need). */
export interface ConversationAddress {
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly channelId: string;
  readonly botId?: string;
  /** "personal" or "channel". */
  readonly conversationType: string;
  readonly name?: string;
}

export const ConversationAddressSchema = z.object({
  conversationId: z.string().min(1),
  serviceUrl: z.string().min(1),
  channelId: z.string().min(1),
  botId: z.string().optional(),
  conversationType: z.string(),
  name: z.string().optional(),
});
