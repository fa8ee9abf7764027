"use client";

import { useState } from "react";

/** Copies plain text (a note, the customer reply) for pasting into the helpdesk. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      // Clipboard access can be refused (permissions, insecure context); the text stays selectable.
      setState("failed");
    }
    setTimeout(() => setState("idle"), 2500);
  }

  return (
    <span className="inline-flex items-center gap-2">
      <button type="button" onClick={copy} className="rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-50">
        {label}
      </button>
      <span role="status" aria-live="polite" className="text-sm text-slate-700">
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed: select the text and copy it" : ""}
      </span>
    </span>
  );
}

/** A stored note shown exactly as written, with a copy button. */
export function NoteBlock({ id, title, body, meta }: { id?: string; title: string; body: string; meta?: React.ReactNode }) {
  return (
    <article id={id} className="scroll-mt-24 rounded-lg border border-slate-200 bg-white p-4" aria-label={title}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="font-semibold">{title}</h3>
        <CopyButton text={body} label={`Copy ${title.toLowerCase()}`} />
      </div>
      {meta && <p className="mt-1 text-sm text-slate-700">{meta}</p>}
      {/* Focusable so keyboard users can scroll a long note. */}
      <pre
        tabIndex={0}
        className="mt-2 max-h-96 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-3 font-mono text-xs text-slate-900"
      >
        {body}
      </pre>
    </article>
  );
}
