/** The sidebar session's header and cookie names (decision 030); no server code, so the sidebar page can import them. */
export const SIDEBAR_SESSION_HEADER = "x-scopedesk-sidebar-session";
export const SIDEBAR_CSRF_HEADER = "x-scopedesk-csrf";
export const SIDEBAR_COOKIE = "__Host-scopedesk-sidebar";
