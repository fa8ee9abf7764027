import { describe, expect, it } from "vitest";
import { allowedMethods } from "./allowed-methods";

const ROUTES = [
  { method: "POST", path: "/recipients/erasejob" },
  { method: "GET", path: "/recipients/erasejob/:job_id" },
  { method: "GET", path: "/api_keys" },
  { method: "POST", path: "/api_keys" },
];

describe("the methods a path allows", () => {
  it("names the methods of a known path, a parameter matching one non-empty segment", () => {
    expect(allowedMethods(ROUTES, "/recipients/erasejob")).toEqual(["POST"]);
    expect(allowedMethods(ROUTES, "/recipients/erasejob/3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f")).toEqual(["GET"]);
    expect(allowedMethods(ROUTES, "/api_keys")).toEqual(["GET", "POST"]);
  });

  it("knows no path with a trailing slash, an empty segment or anything else (404, not 405)", () => {
    expect(allowedMethods(ROUTES, "/recipients/erasejob/")).toEqual([]);
    expect(allowedMethods(ROUTES, "/recipients/erasejob//")).toEqual([]);
    expect(allowedMethods(ROUTES, "/api_keys/")).toEqual([]);
    expect(allowedMethods(ROUTES, "/recipients//erasejob")).toEqual([]);
    expect(allowedMethods(ROUTES, "/recipients/erasejob/x/")).toEqual([]);
    expect(allowedMethods(ROUTES, "/")).toEqual([]);
  });
});
