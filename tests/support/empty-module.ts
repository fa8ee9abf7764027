// Stand-in for the `server-only` marker package under Vitest, which does not
// resolve the "react-server" export condition that makes the real one a no-op.
export {};
