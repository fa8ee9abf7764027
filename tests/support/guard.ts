// Database and HTTP tests write to the database they are pointed at: make
// sure that is the test database set up by `npm test`, never the demo one.
if (process.env.SCOPEDESK_ENV !== "test") {
  throw new Error("Database and HTTP tests run through `npm test` (which points them at the test database), not directly.");
}
