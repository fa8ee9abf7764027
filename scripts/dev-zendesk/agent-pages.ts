/**
 * The agents' view of the development Zendesk, so a person trying the demo
 * sees the notes arrive: /agent/tickets lists the tickets, /agent/tickets/{id}
 * shows one with every comment, oldest first, internal notes set apart as
 * Zendesk does (yellow), each as Zendesk renders it (markup.ts: Markdown of
 * `body`, sanitised `html_body`) with the text as sent beneath. Plain HTML,
 * every value escaped or sanitised, no script, reloading itself.
 */
import type { DevComment, DevTicket, DevZendeskStore } from "./store";
import { escapeHtml } from "./wire";

const RELOAD_SECONDS = 5;

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f3f4f6}
main{max-width:52rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.375rem;margin:0 0 .5rem}
.banner{margin:0 0 1rem;color:#4b5563;font-size:.8125rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1.5rem;padding:1rem;background:#fff;border:1px solid #d1d5db;border-radius:.5rem}
dt{font-weight:600}dd{margin:0}
ol{list-style:none;margin:0;padding:0}
li.comment{margin:0 0 1rem;padding:.75rem 1rem;background:#fff;border:1px solid #d1d5db;border-radius:.5rem}
li.internal{background:#fffbeb;border-color:#f59e0b}
.meta{display:flex;gap:.75rem;flex-wrap:wrap;font-size:.8125rem;color:#4b5563;margin-bottom:.5rem}
.kind{font-weight:700;text-transform:uppercase;letter-spacing:.03em}
li.internal .kind{color:#92400e}li.public .kind{color:#1e40af}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace}
.rendered{overflow-wrap:anywhere}.rendered p{margin:0 0 .5rem}.rendered ul,.rendered ol{margin:0 0 .5rem;padding-left:1.5rem;list-style:revert}
details{margin-top:.5rem;font-size:.8125rem;color:#4b5563}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #d1d5db}
th,td{text-align:left;padding:.5rem .75rem;border-bottom:1px solid #e5e7eb}
a{color:#1d4ed8}a:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
.workspace{display:flex;gap:1rem;align-items:flex-start;max-width:84rem;margin:0 auto}.workspace main{flex:1;min-width:0;margin:2rem 0}
aside.app{width:24rem;flex:none;margin:2rem 1rem 2rem 0;background:#fff;border:1px solid #d1d5db;border-radius:.5rem}
.app-title{margin:0;padding:.5rem .75rem;border-bottom:1px solid #e5e7eb;font-weight:600}.app-title .as{font-weight:400;color:#4b5563;font-size:.75rem}
aside.app iframe{display:block;width:100%;height:36rem;border:0}
`;

/** The Scopedesk app beside a ticket's conversation (zendesk-apps.ts): its frame, and the page's script. */
export interface AgentPageSlot {
  aside: string;
  script: string;
}

export const PAGE_HEADERS: Record<string, string> = {
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "Content-Type": "text/html; charset=utf-8",
};

function layout(title: string, body: string, reload: boolean, slot?: AgentPageSlot): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${reload ? `<meta http-equiv="refresh" content="${RELOAD_SECONDS}">\n` : ""}<title>${escapeHtml(title)} · development Zendesk</title>
<style>${STYLE}</style>
</head>
<body>
${slot ? '<div class="workspace">\n' : ""}<main>
<p class="banner">Development Zendesk (in memory, for demos and tests). ${slot ? "The conversation refreshes" : "This page reloads"} every ${RELOAD_SECONDS} seconds.</p>
${body}
</main>
${slot ? `${slot.aside}\n</div>\n${slot.script}\n` : ""}</body>
</html>
`;
}

export function ticketListPage(store: DevZendeskStore): string {
  const rows = store.allTickets().map((t) => {
    const requester = store.user(t.requesterId);
    return `<tr><td><a href="/agent/tickets/${t.id}">#${t.id}</a></td><td>${escapeHtml(t.subject)}</td><td>${escapeHtml(requester?.email ?? "")}</td><td>${escapeHtml(t.status)}</td><td>${store.commentsOf(t.id).length}</td></tr>`;
  });
  return layout(
    "Tickets",
    `<h1>Tickets</h1>
<table>
<thead><tr><th scope="col">Ticket</th><th scope="col">Subject</th><th scope="col">Requester</th><th scope="col">Status</th><th scope="col">Comments</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`,
    true,
  );
}

export function ticketPage(store: DevZendeskStore, ticket: DevTicket, slot?: AgentPageSlot): string {
  const requester = store.user(ticket.requesterId);
  const organization = store.organization(ticket.organizationId);
  const comments = store.commentsOf(ticket.id).map((c) => commentItem(store, c));
  const requesterText = requester ? `${requester.name}${requester.email ? ` <${requester.email}>` : ""}` : "(unknown)";
  return layout(
    `#${ticket.id} ${ticket.subject}`,
    `<p><a href="/agent/tickets">All tickets</a></p>
<h1>#${ticket.id} ${escapeHtml(ticket.subject)}</h1>
<dl>
<dt>Status</dt><dd>${escapeHtml(ticket.status)}</dd>
<dt>Requester</dt><dd>${escapeHtml(requesterText)}</dd>
<dt>Organization</dt><dd>${escapeHtml(organization?.name ?? "(none)")}</dd>
<dt>Tags</dt><dd data-tags>${escapeHtml((ticket.tags ?? []).join(" ") || "(none)")}</dd>
</dl>
<h2>Conversation (${comments.length}, oldest first)</h2>
<ol data-conversation>
${comments.join("\n")}
</ol>`,
    !slot,
    slot,
  );
}

function commentItem(store: DevZendeskStore, c: DevComment): string {
  const author = store.user(c.authorId)?.name ?? `user ${c.authorId}`;
  const kind = c.public ? "public" : "internal";
  return `<li class="comment ${kind}" id="comment-${c.id}" data-comment-id="${c.id}" data-public="${c.public}">
<div class="meta"><span class="kind">${c.public ? "Public reply" : "Internal note"}</span><span>${escapeHtml(author)}</span><time datetime="${escapeHtml(c.createdAt)}">${escapeHtml(c.createdAt)}</time></div>
<div class="rendered">${c.htmlBody}</div>
<details><summary>As sent</summary><pre>${escapeHtml(c.body)}</pre></details>
</li>`;
}

export function notFoundPage(what: string): string {
  return layout("Not found", `<h1>Not found</h1>\n<p>${escapeHtml(what)}</p>\n<p><a href="/agent/tickets">All tickets</a></p>`, false);
}
