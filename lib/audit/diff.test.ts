import { describe, expect, it } from "vitest";
import { groupOf } from "@/lib/scopes/catalog";
import { groupedDiff } from "./diff";

describe("groupedDiff", () => {
  it("splits the change by catalog group, in catalog order, unknown scopes last", () => {
    const before = ["mail.send", "legacy.thing.read", "recipients.erasejob.read"];
    const after = ["mail.send", "recipients.erasejob.create", "recipients.erasejob.read"];
    const diff = groupedDiff(before, after);
    const erase = diff.find((g) => g.id === groupOf("recipients.erasejob.create")!.id)!;
    expect(erase.added).toEqual(["recipients.erasejob.create"]);
    expect(erase.kept).toEqual(["recipients.erasejob.read"]);
    const mail = diff.find((g) => g.id === groupOf("mail.send")!.id)!;
    expect(mail).toMatchObject({ added: [], removed: [], kept: ["mail.send"] });
    expect(diff.at(-1)).toMatchObject({ id: "unknown", removed: ["legacy.thing.read"] });
  });

  it("is empty for two empty sets", () => {
    expect(groupedDiff([], [])).toEqual([]);
  });
});
