/**
 * "New ticket" in the development Zendesk's agents' view, as a customer
 * writing in would open one: GET /agent/tickets/new is a form, POST stores the
 * ticket (and the trigger fires the triage webhook, webhooks.ts), then shows it.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { DevTicket, DevZendeskStore } from "./store";
import { escapeHtml } from "./wire";

const PAGE_HEADERS = {
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "Content-Type": "text/html; charset=utf-8",
};

const form = z.object({
  requesterEmail: z.string().trim().email(),
  requesterName: z.string().trim().min(1).max(200),
  subject: z.string().trim().min(1).max(300),
  description: z.string().trim().min(1).max(5000),
  tags: z
    .string()
    .default("")
    .transform((raw) => raw.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z0-9_-]{1,80}$/i)).max(20)),
});

export function newTicketRoutes(deps: { store: DevZendeskStore; created(ticket: DevTicket, tags: readonly string[]): void }): Hono {
  const app = new Hono();
  app.get("/agent/tickets/new", (c) => c.body(page(), 200, PAGE_HEADERS));
  app.post("/agent/tickets/new", async (c) => {
    const fields = Object.fromEntries(new URLSearchParams(await c.req.text()));
    const parsed = form.safeParse(fields);
    if (!parsed.success)
      return c.body(page(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")), 400, PAGE_HEADERS);
    const ticket = deps.store.createTicket(parsed.data)!;
    deps.created(ticket, parsed.data.tags);
    return c.redirect(`/agent/tickets/${ticket.id}`, 303);
  });
  return app;
}

function page(error?: string): string {
  const field = (name: string, label: string, value: string, type = "text") =>
    `<p><label for="${name}">${label}</label><br><input id="${name}" name="${name}" type="${type}" value="${escapeHtml(value)}" required style="width:100%"></p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>New ticket · development Zendesk</title></head>
<body style="font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">
<p><a href="/agent/tickets">All tickets</a></p>
<h1>New ticket</h1>
${error ? `<p role="alert" style="color:#991b1b">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/agent/tickets/new">
${field("requesterEmail", "Requester e-mail", "ops@acme-legacy.example", "email")}
${field("requesterName", "Requester name", "Olivia Ops")}
${field("subject", "Subject", "Please enable the erase-job scopes")}
<p><label for="description">Description</label><br><textarea id="description" name="description" rows="5" required style="width:100%">We get 403 from POST /v3/recipients/erasejob. Please enable recipients.erasejob.create and recipients.erasejob.read.</textarea></p>
${field("tags", "Tags (optional)", "")}
<p><button type="submit">Submit as new</button></p>
</form>
</body></html>
`;
}
