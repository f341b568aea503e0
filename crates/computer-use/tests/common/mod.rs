//! Shared helpers for the core's tests against the **real** cua-computer-server on a private Xvfb desktop.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use computer_use::config::Config;
use computer_use::tools::{Content, ToolContext, ToolError, ToolOutput};
use computer_use::vm::Vms;
use serde_json::Value;
use testkit::desktop::Desktop;

/// A tool context for the desktop's server (url provider) with extra config keys (JSON5 object body).
pub fn ctx(desktop: &Desktop, extra: &str) -> ToolContext {
    let text = format!(
        r#"{{ provider: "url", serverUrl: "{}", {extra} }}"#,
        desktop.ws_url()
    );
    let config = Config::from_json5_str(&text, "test").unwrap();
    ToolContext::new(Arc::new(Vms::new(Arc::new(config))))
}

/// Calls a tool and unwraps success.
pub async fn ok(ctx: &ToolContext, tool: &str, args: Value) -> ToolOutput {
    match computer_use::tools::call(ctx, tool, args.clone()).await {
        Ok(out) => out,
        Err(e) => panic!("{tool} {args} failed: {e:?}"),
    }
}

/// Calls a tool and unwraps failure.
pub async fn err(ctx: &ToolContext, tool: &str, args: Value) -> ToolError {
    match computer_use::tools::call(ctx, tool, args.clone()).await {
        Ok(out) => panic!("{tool} {args} should have failed, got {out:?}"),
        Err(e) => e,
    }
}

/// The first image of a result, decoded.
pub fn image(out: &ToolOutput) -> image::DynamicImage {
    use base64::Engine as _;
    let Some(Content::Image { base64, .. }) = out
        .content
        .iter()
        .find(|c| matches!(c, Content::Image { .. }))
    else {
        panic!("no image in {out:?}");
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap();
    image::load_from_memory(&bytes).unwrap()
}

/// The pointer position as X sees it (independent of the server).
pub fn xdotool_mouse(desktop: &Desktop) -> (i64, i64) {
    let out = desktop.run_in_display("xdotool", ["getmouselocation", "--shell"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1)
    };
    (get("X"), get("Y"))
}

#[allow(unused_imports)] // not every test file polls
pub use testkit::eventually;

/// A fresh scratch directory (the guest is this machine).
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cu-tools-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A tool context for a whole configuration text (JSON5), e.g. several named VMs or a Lume provider.
pub fn ctx_for(config: &str) -> ToolContext {
    let config = Config::from_json5_str(config, "test").unwrap();
    ToolContext::new(Arc::new(Vms::new(Arc::new(config))))
}

/// The same context (shared sessions and guards) aimed at the named VM.
pub fn on_vm(ctx: &ToolContext, vm: &str) -> ToolContext {
    ToolContext {
        vm: Some(vm.to_owned()),
        ..ctx.clone()
    }
}

/// The lines of a file the guest appends to (empty when it does not exist yet).
pub fn lines_of(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}
