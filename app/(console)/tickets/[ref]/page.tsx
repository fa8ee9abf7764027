import type { Metadata } from "next";
import { TicketRecordView } from "@/components/ticket-record";
import { getTicketView } from "@/lib/helpdesk/get-ticket-view";
import { can } from "@/lib/auth/permissions";
import { ticketParams } from "@/lib/http/schemas";
import { guardPage } from "@/lib/pages/guard";

export async function generateMetadata({ params }: { params: Promise<{ ref: string }> }): Promise<Metadata> {
  const parsed = ticketParams().safeParse({ ref: (await params).ref });
  return { title: parsed.success ? `Ticket #${parsed.data.ref.ticketId}` : "Ticket" };
}

export default async function TicketPage({ params }: { params: Promise<{ ref: string }> }) {
  const { ref } = await params;
  const { staff } = await guardPage({ permission: "tickets:read", path: `/tickets/${encodeURIComponent(ref)}` });
  const parsed = ticketParams().safeParse({ ref });
  if (!parsed.success) {
    return (
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Not a ticket reference</h1>
        <p role="alert" className="text-red-800">
          {parsed.error.issues[0]?.message}
        </p>
      </div>
    );
  }
  return <TicketRecordView view={await getTicketView(parsed.data.ref)} canAct={can(staff.role, "scopes:reset")} />;
}
