/**
 * What the client reads from Zendesk's answers, checked with zod: only the
 * fields it uses (Zendesk sends many more and adds new ones), typed as the
 * official OpenAPI description (shared/contracts/zendesk-support-oas.yaml)
 * types them. Anything else in the answer is ignored.
 */
import { z } from "zod";

const id = z.number().int().nonnegative();
const timestamp = z.iso.datetime({ offset: true });

/** CreateTokenForGrantType (POST /oauth/tokens). expires_in is absent or null for a token that never expires. */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z
    .string()
    .regex(/^bearer$/i)
    .optional(),
  expires_in: z.number().int().positive().nullish(),
});

export const ticketStatusSchema = z.enum(["new", "open", "pending", "hold", "solved", "closed"]);
export type ZendeskTicketStatus = z.infer<typeof ticketStatusSchema>;

const userSchema = z.object({
  id,
  name: z.string(),
  email: z.string().nullish(),
  role: z.string().optional(),
  organization_id: id.nullish(),
});

/** ShowTicket with include=users,organizations: the requester and organization come as sideloads. */
export const showTicketResponseSchema = z.object({
  ticket: z.object({
    id,
    subject: z.string().nullable(),
    status: ticketStatusSchema,
    requester_id: id,
    assignee_id: id.nullish(),
    organization_id: id.nullish(),
    // TicketObject: an array of tags (or one tag as a string); updated_at, for a safe update's updated_stamp.
    tags: z.union([z.array(z.string()), z.string()]).nullish(),
    updated_at: timestamp.nullish(),
  }),
  users: z.array(userSchema).default([]),
  organizations: z.array(z.object({ id, name: z.string() })).default([]),
});

/**
 * UpdateTicket: the audit the update created. Its "Comment" event is the new
 * comment: in Zendesk a comment is an audit event, so the event's id is the
 * comment's id (List Comments shows it as `id`, with the audit's id as `audit_id`).
 */
export const updateTicketResponseSchema = z.object({
  audit: z.object({
    id,
    created_at: timestamp.optional(),
    events: z.array(z.looseObject({ id: id.optional(), type: z.string() })),
  }),
});

/** The comment's metadata: `custom` is the custom metadata of the update (audit) that added it. */
const commentMetadataSchema = z.looseObject({ custom: z.record(z.string(), z.unknown()).nullish() }).nullish();

const commentSchema = z.object({
  id,
  body: z.string(),
  html_body: z.string().optional(),
  plain_body: z.string().optional(),
  public: z.boolean(),
  author_id: id.nullish(),
  audit_id: id.optional(),
  created_at: timestamp,
  metadata: commentMetadataSchema,
});

/** ListTicketComments with cursor pagination (page[size], page[after]). */
export const listCommentsResponseSchema = z.object({
  comments: z.array(commentSchema),
  meta: z.object({ has_more: z.boolean(), after_cursor: z.string().nullable() }),
});

/** ShowUser: the user, with whether it may sign in (active, not suspended). */
export const showUserResponseSchema = z.object({
  user: z.object({
    id,
    name: z.string(),
    email: z.string().nullish(),
    role: z.string(),
    active: z.boolean().optional(),
    suspended: z.boolean().nullish(),
  }),
});

/** An app's public key for signed URLs (GET /api/v2/apps/{app_id}/public_key.pem): a PEM, at most 16 KiB. */
export const appPublicKeyAnswerSchema = z
  .string()
  .max(16 * 1024)
  .regex(/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/, "not a PEM public key");

/** SearchUsers: the first page of matches. */
export const searchUsersResponseSchema = z.object({ users: z.array(userSchema) });

/** The key of the update's custom metadata that carries a comment's marker (Zendesk shows it as the comment's `metadata.custom`). */
export const MARKER_METADATA_KEY = "scopedesk_marker";

export type RawComment = z.infer<typeof commentSchema>;
export type RawUser = z.infer<typeof userSchema>;

// ---------------------------------------------------------------------------
// What the client returns

export interface ZendeskUser {
  id: number;
  name: string;
  /** Zendesk users may have no e-mail address (e.g. phone-only end users). */
  email: string | null;
  role: string | null;
  organizationId: number | null;
}

export interface ZendeskTicket {
  id: number;
  subject: string | null;
  status: ZendeskTicketStatus;
  requester: { id: number; name: string; email: string | null };
  /** The agent the ticket is assigned to, if any. */
  assigneeId: number | null;
  /** That agent as the answer's users sideload it (Zendesk sideloads the requester, submitter, assignee and CCs); null when unassigned or not in the answer. */
  assignee: { id: number; name: string; email: string | null } | null;
  organization: { id: number; name: string } | null;
  /** The ticket's tags, as Zendesk answered them. */
  tags: string[];
  /** When it was last updated, as Zendesk says it (a safe update's `updated_stamp`); null when the answer lacks it. */
  updatedAt: string | null;
  /** The agents' page for the ticket on the base URL (not the API URL Zendesk puts in `ticket.url`). */
  url: string;
}

export interface ZendeskComment {
  id: number;
  /** As Zendesk keeps it: the text sent as `body`, or Zendesk's text of an `html_body`. */
  body: string;
  public: boolean;
  authorId: number | null;
  /** ISO 8601, as Zendesk gives it. */
  createdAt: string;
  /** The update (audit) that added it. */
  auditId: number | null;
  /** The marker the update carried in its custom metadata (addComment's `marker`), if any. */
  marker: string | null;
}

export interface AddedComment {
  commentId: number;
  /** ISO 8601 instant the comment was recorded at (the audit's created_at). */
  createdAt: string;
  /** The update (audit) that added it. */
  auditId: number;
}

export function toUser(raw: RawUser): ZendeskUser {
  return { id: raw.id, name: raw.name, email: raw.email ?? null, role: raw.role ?? null, organizationId: raw.organization_id ?? null };
}

export function toComment(raw: RawComment): ZendeskComment {
  return {
    id: raw.id,
    body: raw.body,
    public: raw.public,
    authorId: raw.author_id ?? null,
    createdAt: raw.created_at,
    auditId: raw.audit_id ?? null,
    marker: commentMarker(raw),
  };
}

/** The marker in the comment's custom metadata, when it is a string. */
export function commentMarker(raw: RawComment): string | null {
  const value = raw.metadata?.custom?.[MARKER_METADATA_KEY];
  return typeof value === "string" ? value : null;
}
