/**
 * The store's records as Zendesk's JSON: the fields the official description
 * (TicketObject, UserObject, OrganizationObject, TicketCommentObject,
 * AuditObject) defines and a real account sends, read-only ones included.
 * scripts/dev-zendesk/server.test.ts checks every answer against it.
 */
import type { DevComment, DevOrganization, DevTicket, DevUser } from "./store";

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const WEB_VIA = { channel: "web", source: { from: {}, to: {}, rel: null } };
const API_VIA = { channel: "api", source: { from: {}, to: {}, rel: null } };

export function ticketJson(t: DevTicket, origin: string) {
  return {
    url: `${origin}/api/v2/tickets/${t.id}.json`,
    id: t.id,
    external_id: null,
    via: WEB_VIA,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    generated_timestamp: seconds(t.updatedAt),
    type: "question",
    subject: t.subject,
    raw_subject: t.subject,
    description: t.description,
    priority: "normal",
    status: t.status,
    requester_id: t.requesterId,
    submitter_id: t.requesterId,
    assignee_id: t.assigneeId ?? null,
    organization_id: t.organizationId,
    group_id: null,
    brand_id: null,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    problem_id: null,
    has_incidents: false,
    is_public: true,
    due_at: null,
    tags: t.tags ?? [],
    custom_fields: [],
    custom_status_id: null,
    sharing_agreement_ids: [],
    fields: [],
    followup_ids: [],
    ticket_form_id: null,
    allow_channelback: false,
    allow_attachments: true,
    from_messaging_channel: false,
  };
}

export function userJson(u: DevUser, origin: string) {
  return {
    id: u.id,
    url: `${origin}/api/v2/users/${u.id}.json`,
    name: u.name,
    email: u.email,
    created_at: u.createdAt,
    updated_at: u.createdAt,
    time_zone: "UTC",
    iana_time_zone: "Etc/UTC",
    phone: null,
    shared_phone_number: null,
    photo: null,
    locale_id: 1,
    locale: "en-US",
    organization_id: u.organizationId,
    role: u.role,
    verified: true,
    external_id: null,
    tags: [],
    alias: "",
    active: true,
    shared: false,
    shared_agent: false,
    two_factor_auth_enabled: null,
    signature: "",
    details: "",
    notes: "",
    role_type: null,
    custom_role_id: null,
    moderator: u.role !== "end-user",
    ticket_restriction: u.role === "end-user" ? "requested" : null,
    only_private_comments: false,
    restricted_agent: u.role === "end-user",
    suspended: false,
    report_csv: false,
    user_fields: {},
  };
}

export function organizationJson(o: DevOrganization, origin: string) {
  return {
    url: `${origin}/api/v2/organizations/${o.id}.json`,
    id: o.id,
    name: o.name,
    shared_tickets: false,
    shared_comments: false,
    external_id: null,
    created_at: o.createdAt,
    updated_at: o.createdAt,
    domain_names: o.domainNames,
    details: null,
    notes: null,
    group_id: null,
    tags: [],
    organization_fields: {},
  };
}

/** A comment as List Comments shows it: the update's custom metadata is its `metadata.custom`. */
export function commentJson(c: DevComment) {
  return {
    id: c.id,
    type: "Comment",
    author_id: c.authorId,
    body: c.body,
    html_body: `<div class="zd-comment" dir="auto">${c.htmlBody}</div>`,
    plain_body: c.plainBody,
    public: c.public,
    attachments: [],
    audit_id: c.auditId,
    via: API_VIA,
    created_at: c.createdAt,
    metadata: { system: {}, custom: { ...c.custom } },
  };
}

/** The audit of an update that added one comment (its Comment event carries the comment's id), and changed the status if asked. */
export function commentAuditJson(c: DevComment) {
  const { id, type, author_id, body, html_body, plain_body, public: isPublic, attachments, audit_id } = commentJson(c);
  return {
    id: c.auditId,
    ticket_id: c.ticketId,
    created_at: c.createdAt,
    author_id: c.authorId,
    metadata: { system: {}, custom: { ...c.custom } },
    via: API_VIA,
    events: [
      { id, type, author_id, body, html_body, plain_body, public: isPublic, attachments, audit_id },
      ...(c.statusChange
        ? [
            {
              id: c.statusChange.eventId,
              type: "Change",
              field_name: "status",
              value: c.statusChange.to,
              previous_value: c.statusChange.from,
            },
          ]
        : []),
    ],
  };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
