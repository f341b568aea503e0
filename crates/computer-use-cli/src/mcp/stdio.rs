//! MCP over stdin/stdout, for clients that spawn us (Claude Desktop, the OpenClaw shim, the Python SDK).
//!
//! stdout carries only protocol messages; logs go to stderr (see `logging`). The session ends when the
//! client closes stdin (in-flight answers are still delivered) or on SIGTERM/Ctrl-C; either way running calls
//! are cancelled and get [`SHUTDOWN_GRACE`] to clean up.

use anyhow::Context as _;
use rmcp::ServiceExt as _;
use tokio_util::sync::CancellationToken;

use crate::mcp::{McpServer, SHUTDOWN_GRACE, shutdown_signal};

/// Serves one client on stdio until it leaves or a signal arrives.
pub async fn serve(server: McpServer) -> anyhow::Result<()> {
    let stop = CancellationToken::new();
    let signals = tokio::spawn({
        let stop = stop.clone();
        async move {
            let name = shutdown_signal().await;
            tracing::info!("{name}: stopping the MCP stdio server");
            stop.cancel();
        }
    });
    // Non-blocking pipes when the client gave us FIFOs (the usual case); blocking stdio otherwise.
    let transport = rmcp::transport::stdio_pipes();
    let outcome = match server
        .for_session()
        .serve_with_ct(transport, stop.clone())
        .await
    {
        Ok(running) => {
            let reason = running.waiting().await;
            tracing::debug!(?reason, "MCP stdio session ended");
            Ok(())
        }
        // Stopped (or the client left) before the session was established: nothing to clean up.
        Err(_) if stop.is_cancelled() => Ok(()),
        Err(e) => Err(e).context(
            "the MCP session on stdio could not start (the client must send `initialize` or \
             `server/discover` first)",
        ),
    };
    signals.abort();
    stop.cancel();
    server.drain(SHUTDOWN_GRACE).await;
    outcome
}
