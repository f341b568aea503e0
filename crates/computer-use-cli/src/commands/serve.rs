//! `computer-use serve --stdio | --http ADDR`: the MCP server. Builds the configuration (from
//! `--plugin-config` when the OpenClaw shim starts us, else as every command does), checks the chosen VM
//! exists, and hands one process-wide `Vms` to the MCP face. Nothing contacts a VM before the first call, so
//! a client's `initialize` is answered within milliseconds of the process starting.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::bail;
use computer_use::vm::Vms;

use crate::cli::{Global, ServeArgs};
use crate::mcp::{self, McpServer};
use crate::setup;

pub async fn run(global: &Global, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    if args.plugin_config.is_some() && global.config.is_some() {
        bail!("--plugin-config and --config both give the configuration: pass only one");
    }
    if args.http.is_none() && !args.allow_hosts.is_empty() {
        bail!("--allow-host applies to --http only (stdio has no Host header)");
    }
    let config = match &args.plugin_config {
        Some(json) => setup::plugin_config(json, global)?,
        None => setup::config(global)?,
    };
    // An unknown --vm is a startup error, not a failure of every later call.
    config.vm(global.vm.as_deref())?;
    let mut server = McpServer::new(Arc::new(Vms::new(config)), global.vm.clone());
    if args.host_approvals {
        server = server.with_host_approvals();
    }
    if let Some(addr) = args.http {
        let options = mcp::http::HttpOptions {
            addr,
            token: args.token.as_ref().map(|t| t.0.clone()),
            allow_hosts: args.allow_hosts.clone(),
        };
        mcp::http::serve(server, options).await?;
        return Ok(ExitCode::SUCCESS);
    }
    mcp::stdio::serve(server).await?;
    // stdin may be a blocking handle (a terminal rather than the client's pipe) whose pending read would keep
    // the runtime from shutting down until another line arrives: the session is over, so leave now.
    std::process::exit(0);
}
