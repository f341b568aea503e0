//! The MCP face: the core's `vm_*` tools served over the Model Context Protocol with the official Rust SDK
//! (rmcp), on stdio for clients that spawn us and on streamable HTTP for clients that connect.
//!
//! Nothing here knows a tool: [`handler`] lists and calls whatever the core's registry holds, [`convert`]
//! turns results and failures into MCP shapes, and the two transports only differ in how bytes arrive. One
//! [`handler::McpServer`] (one `Arc<Vms>`) serves every client of the process, so several clients share each
//! VM's session and its strict action order.

pub mod approval;
pub mod convert;
pub mod handler;
pub mod http;
pub mod stdio;

use std::time::Duration;

pub use handler::McpServer;

/// How long shutdown waits for calls that were cancelled to finish their cleanup (a pointer tool releasing a
/// held button, say) before the process exits anyway.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, naming the signal. The OpenClaw shim and test harnesses stop us
/// with SIGTERM, which axum's usual `ctrl_c` example ignores. If a handler cannot be installed (no signal
/// support), that signal is simply never reported.
pub async fn shutdown_signal() -> &'static str {
    let interrupt = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "SIGINT",
            Err(e) => {
                tracing::warn!("cannot listen for Ctrl-C: {e}");
                std::future::pending().await
            }
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
                "SIGTERM"
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<&'static str>();
    tokio::select! {
        name = interrupt => name,
        name = terminate => name,
    }
}
