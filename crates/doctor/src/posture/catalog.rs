//! The pinned OpenClaw's (2026.9.6) tool catalog facts that the policy evaluation needs: the core tool
//! groups, the profiles, name aliases, and the sandbox's default tool lists.
//!
//! Source: the pinned package's `openclaw:docs/gateway/config-tools/tool-policy.md` (groups, profiles,
//! `group:plugins`; summarised in `docs/openclaw.md`, "Tool policy") and, for the exact member lists, the
//! pinned package itself: `CORE_TOOL_GROUPS` and `resolveCoreToolProfilePolicy` (`dist/tool-catalog-*.mjs`),
//! `TOOL_NAME_ALIASES` (`dist/tool-policy-shared-*.mjs`) and the sandbox's `DEFAULT_TOOL_ALLOW`/`DEFAULT_TOOL_DENY`
//! (`dist/constants-*.mjs`). The documentation's group list is a summary; 9.6 also puts `secrets` in `group:runtime`
//! and `ls` in `group:fs`, which matters when deciding what reaches the host.

/// `group:<section>` → member tools (2026.9.6). `group:openclaw` is every built-in tool except the file
/// tools, `exec`, `process` and `canvas`; `group:plugins` is resolved from the plugin's own tools.
pub const GROUPS: &[(&str, &[&str])] = &[
    ("group:fs", &["ls", "read", "write", "edit", "apply_patch"]),
    (
        "group:runtime",
        &["exec", "process", "code_execution", "secrets"],
    ),
    ("group:web", &["web_search", "web_fetch", "x_search"]),
    ("group:memory", &["memory_search", "memory_get"]),
    (
        "group:sessions",
        &[
            "sessions",
            "sessions_list",
            "sessions_history",
            "sessions_search",
            "conversations_list",
            "conversations_send",
            "conversations_turn",
            "sessions_send",
            "sessions_spawn",
            "github_identity_status",
            "github_publish",
            "agents_wait",
            "sessions_yield",
            "subagents",
            "session_status",
            "suggest_task",
            "dismiss_task",
        ],
    ),
    (
        "group:ui",
        &[
            "browser",
            "screen",
            "theme",
            "dashboard",
            "terminal",
            "portal",
            "canvas",
            "show_widget",
        ],
    ),
    ("group:messaging", &["message"]),
    (
        "group:automation",
        &[
            "heartbeat_respond",
            "automations",
            "gateway",
            "plugins",
            "openclaw",
        ],
    ),
    ("group:nodes", &["nodes", "computer", "mobile_ui"]),
    (
        "group:agents",
        &[
            "agents_list",
            "get_goal",
            "create_goal",
            "update_goal",
            "progress_card",
            "ask_user",
            "skill_workshop",
        ],
    ),
    (
        "group:media",
        &[
            "view_image",
            "image_generate",
            "music_generate",
            "video_generate",
            "tts",
            "pdf",
        ],
    ),
];

/// Built-in tools outside `group:openclaw` (it excludes them).
const NOT_IN_OPENCLAW_GROUP: &[&str] = &[
    "ls",
    "read",
    "write",
    "edit",
    "apply_patch",
    "exec",
    "process",
    "canvas",
];

/// Names OpenClaw rewrites before matching (`bash` is `exec`).
pub const ALIASES: &[(&str, &str)] = &[
    ("bash", "exec"),
    ("apply-patch", "apply_patch"),
    ("cron", "automations"),
];

/// Tools that act on the gateway host rather than inside the VM: shell and processes (`group:runtime`) and the
/// host's own desktop and paired devices (`group:nodes`: `computer` controls "the Gateway desktop"). The seed's
/// worker must have none of them ("no exec access on host").
pub const HOST_TOOLS: &[&str] = &[
    "exec",
    "process",
    "code_execution",
    "secrets",
    "nodes",
    "computer",
    "mobile_ui",
];

/// What the seed's worker needs besides the plugin's tools.
pub const WORKER_CORE_TOOLS: &[&str] = &["sessions_send", "session_status"];

/// The sandbox's own allowlist when `tools.sandbox.tools.allow` is not configured (`DEFAULT_TOOL_ALLOW`): no
/// plugin tools, which is why a sandboxed worker needs `tools.sandbox.tools.alsoAllow: ["vm_*"]`.
pub const SANDBOX_DEFAULT_ALLOW: &[&str] = &[
    "exec",
    "process",
    "read",
    "ls",
    "write",
    "edit",
    "apply_patch",
    "view_image",
    "sessions_list",
    "sessions_history",
    "sessions_search",
    "sessions_send",
    "sessions_spawn",
    "sessions_yield",
    "subagents",
    "session_status",
];

/// The sandbox's deny list when `tools.sandbox.tools.deny` is not configured (`DEFAULT_TOOL_DENY`, channel ids
/// left out: they are not tools an agent config names here).
pub const SANDBOX_DEFAULT_DENY: &[&str] = &[
    "browser",
    "canvas",
    "computer",
    "mobile_ui",
    "nodes",
    "automations",
    "gateway",
];

/// The members of a core group, or `None` for a name that is not one.
pub fn group(name: &str) -> Option<Vec<&'static str>> {
    if name == "group:openclaw" {
        return Some(
            core_tools()
                .into_iter()
                .filter(|t| !NOT_IN_OPENCLAW_GROUP.contains(t))
                .collect(),
        );
    }
    GROUPS
        .iter()
        .find(|(g, _)| *g == name)
        .map(|(_, members)| members.to_vec())
}

/// Every built-in tool id (each belongs to one section group).
pub fn core_tools() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = Vec::new();
    for (_, members) in GROUPS {
        for m in *members {
            if !all.contains(m) {
                all.push(m);
            }
        }
    }
    all
}

/// A profile's allowlist (`tools.profile`): `None` for an unknown profile; `full` is `["*"]`.
pub fn profile(name: &str) -> Option<Vec<&'static str>> {
    let mut allow: Vec<&'static str> = match name {
        "full" => return Some(vec!["*"]),
        "minimal" => vec!["session_status", "gateway"],
        "coding" => {
            let mut v = Vec::new();
            for g in [
                "group:fs",
                "group:runtime",
                "group:web",
                "group:sessions",
                "group:memory",
            ] {
                v.extend(group(g).unwrap_or_default());
            }
            v.extend([
                "screen",
                "theme",
                "dashboard",
                "terminal",
                "portal",
                "automations",
                "gateway",
                "plugins",
                "get_goal",
                "create_goal",
                "update_goal",
                "progress_card",
                "ask_user",
                "skill_workshop",
                "view_image",
                "image_generate",
                "music_generate",
                "video_generate",
                "bundle-mcp",
            ]);
            v
        }
        "messaging" => vec![
            "secrets",
            "sessions",
            "sessions_list",
            "sessions_history",
            "sessions_search",
            "conversations_list",
            "conversations_send",
            "conversations_turn",
            "sessions_send",
            "sessions_spawn",
            "sessions_yield",
            "subagents",
            "session_status",
            "theme",
            "message",
            "gateway",
            "ask_user",
            "bundle-mcp",
        ],
        _ => return None,
    };
    allow.dedup();
    Some(allow)
}
