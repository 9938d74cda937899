import { z } from "zod";

/**
 * The least an activity must have for the SDK to handle it; anything else is refused with 400 before
 * it reaches the adapter (which would otherwise throw and answer 500). Handlers validate the rest.
 */
export const ActivityEnvelope = z
  .object({
    type: z.string().min(1).max(100),
    id: z.string().max(500).optional(),
    channelId: z.string().min(1).max(100),
    serviceUrl: z.string().url().max(2000),
    conversation: z
      .object({ id: z.string().min(1).max(1000), conversationType: z.string().max(100).optional(), tenantId: z.string().max(100).optional() })
      .passthrough(),
    from: z.object({ id: z.string().min(1).max(500), name: z.string().max(500).optional(), aadObjectId: z.string().max(100).optional() }).passthrough(),
    recipient: z.object({ id: z.string().min(1).max(500), name: z.string().max(500).optional() }).passthrough(),
    // Teams caps a message at about 28 KB of text.
    text: z.string().max(28_000).optional(),
    name: z.string().max(200).optional(),
    replyToId: z.string().max(500).optional(),
    entities: z
      .array(z.object({ type: z.string().max(100) }).passthrough())
      .max(50)
      .optional(),
    attachments: z.array(z.object({}).passthrough()).max(20).optional(),
    channelData: z.object({}).passthrough().optional(),
  })
  .passthrough();

export function activityProblem(body: unknown): string | undefined {
  const parsed = ActivityEnvelope.safeParse(body);
  return parsed.success
    ? undefined
    : parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "activity"}: ${issue.message}`)
        .slice(0, 3)
        .join("; ");
}
