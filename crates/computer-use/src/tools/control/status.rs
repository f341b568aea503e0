//! `vm_status`: what the agent is driving, in one call — the server's version and OS, the screen, how image
//! pixels map to input (the calibration), the connection's health, the configured VM, and which server
//! commands the vm_* tools rely on are missing on this server (a reduced VNC backend lacks the shell, say).
//!
//! Discovery over HTTP (`GET /status`, `GET /commands`) is best effort: some deployments proxy only the
//! WebSocket, so its failure is reported in the result rather than failing the call.

use std::time::Duration;

use cua_protocol::{CaptureFormat, CommandCatalog, ConnectionState, HttpClient, ServerStatus};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::Provider;
use crate::coords::Calibration;
use crate::tools::screen::{calibrate, cancellable};
use crate::tools::{ToolContext, ToolError, ToolOutput, TypedTool};
use crate::vm::{Health, VmSession};

/// The server commands the vm_* tools send, each with the ability that needs it.
pub const NEEDED_COMMANDS: &[(&str, &str)] = &[
    ("screenshot", "screenshots"),
    ("get_screen_size", "screen size"),
    ("get_cursor_position", "calibration"),
    ("move_cursor", "pointer"),
    ("left_click", "pointer"),
    ("right_click", "pointer"),
    ("double_click", "pointer"),
    ("mouse_down", "pointer"),
    ("mouse_up", "pointer"),
    ("scroll", "scrolling"),
    ("type_text", "typing"),
    ("press_key", "keys"),
    ("hotkey", "keys"),
    ("key_down", "keys"),
    ("key_up", "keys"),
    ("copy_to_clipboard", "clipboard"),
    ("set_clipboard", "clipboard"),
    ("run_command", "shell"),
    ("launch", "apps"),
    ("open", "apps"),
    ("file_exists", "files"),
    ("list_dir", "files"),
    ("read_bytes", "files"),
    ("write_bytes", "files"),
    ("get_file_size", "files"),
    ("delete_file", "files"),
    ("create_dir", "files"),
];

/// JPEG quality of the throw-away screenshot that measures the screenshot size: low, it is never shown.
const PROBE_QUALITY: u8 = 20;
/// Upper bound for the HTTP discovery requests (the command timeout may be minutes).
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// `vm_status {}`.
pub struct Status;

/// No arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusArgs {}

impl TypedTool for Status {
    type Args = StatusArgs;
    const NAME: &'static str = "vm_status";
    const DESCRIPTION: &'static str = "Show the VM connection: server version and OS, screen size, the scale \
        between screenshot pixels and input, health, and server commands that are unavailable.";

    async fn run(&self, ctx: &ToolContext, _args: StatusArgs) -> Result<ToolOutput, ToolError> {
        let session = ctx.session()?;
        let vm = VmInfo::of(&session);
        let gui = session.gui();
        let version = cancellable(ctx, &session, gui.version())
            .await
            .map_err(|e| vm.prefix(&session, e))?;
        let size = cancellable(ctx, &session, gui.screen_size())
            .await
            .map_err(|e| vm.prefix(&session, e))?;
        let calibration = current_calibration(ctx, &session)
            .await
            .map_err(|e| vm.prefix(&session, e))?;
        let discovery = discover(ctx, &session).await;
        let health = session.health();
        let (gui_health, shell_health) = session.lane_health();

        let unavailable = discovery.unavailable();
        let scale = (calibration.scale_x(), calibration.scale_y());
        let mut text = format!(
            "cua-computer-server {} on {} at {} ({}); screen {}x{}, screenshots {}x{}, input {}x{} (scale {}); \
             VM `{}` via {}.",
            version.package,
            discovery.os().unwrap_or("an unknown OS"),
            discovery.addr.as_deref().unwrap_or("an unknown address"),
            health,
            size.width,
            size.height,
            calibration.shot_w,
            calibration.shot_h,
            calibration.input_w,
            calibration.input_h,
            scale_text(scale),
            vm.name,
            vm.describe(),
        );
        text.push('\n');
        text.push_str(&match (&discovery.catalog, unavailable.is_empty()) {
            (Err(e), _) => format!("Could not list the server's commands: {e}"),
            (Ok(_), true) => "Every server command the vm_* tools use is available.".to_string(),
            (Ok(_), false) => format!(
                "Unavailable on this server: {}.",
                unavailable
                    .iter()
                    .map(|(c, why)| format!("{c} ({why})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        // The shell lane has its own connection: say so when it is in trouble while the GUI lane is fine.
        if let Some(reason) = shell_health.reason() {
            text.push_str(&format!("\nShell lane: {shell_health} ({reason})."));
        }

        let details = json!({
            "vm": vm.name,
            "provider": vm.provider,
            "lumeVmName": vm.lume_vm_name,
            "address": discovery.addr,
            "serverVersion": version.package,
            "protocol": version.protocol,
            "os": discovery.os(),
            "features": discovery.status.as_ref().map(|s| s.features.clone()).unwrap_or_default(),
            "statusError": discovery.status.as_ref().err(),
            "health": health.to_json(),
            "lanes": {"gui": gui_health.to_json(), "shell": shell_health.to_json()},
            "screenWidth": size.width,
            "screenHeight": size.height,
            "screenshotWidth": calibration.shot_w,
            "screenshotHeight": calibration.shot_h,
            "inputWidth": calibration.input_w,
            "inputHeight": calibration.input_h,
            "scaleX": scale.0,
            "scaleY": scale.1,
            "latestFrame": session.frames().latest().map(|f| f.id),
            "unavailableCommands": unavailable.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            "commandsError": discovery.catalog.as_ref().err(),
            "serverCommands": discovery.catalog.as_ref().ok().map(|c| c.commands.len()),
        });
        let Value::Object(mut details) = details else {
            return Ok(ToolOutput::text(text));
        };
        details.retain(|_, v| !v.is_null());
        Ok(ToolOutput {
            content: vec![crate::tools::Content::Text(text)],
            details,
        })
    }
}

/// The configured VM, for the text and for error prefixes.
struct VmInfo {
    name: String,
    provider: &'static str,
    lume_vm_name: Option<String>,
}

impl VmInfo {
    fn of(session: &VmSession) -> VmInfo {
        let target = session.target();
        VmInfo {
            name: target.name.clone(),
            provider: target.provider.kind().as_str(),
            lume_vm_name: match &target.provider {
                Provider::Lume { vm_name, .. } => Some(vm_name.clone()),
                _ => None,
            },
        }
    }

    fn describe(&self) -> String {
        match &self.lume_vm_name {
            Some(lume) => format!("{} (Lume VM `{lume}`)", self.provider),
            None => self.provider.to_string(),
        }
    }

    /// Says which VM a failure is about and what the session found (server down, VM not running, …); the
    /// kind is kept.
    fn prefix(&self, session: &VmSession, e: ToolError) -> ToolError {
        let health = session.health();
        let state = match health {
            Health::NotConnected | Health::Connecting | Health::Connected { .. } => String::new(),
            other => format!(" [{other}]"),
        };
        ToolError {
            kind: e.kind,
            message: format!(
                "vm_status: VM `{}` via {}{state}: {}",
                self.name,
                self.describe(),
                e.message
            ),
        }
    }
}

/// The calibration of the current connection; measured now (a low-quality screenshot for its size, then the
/// shared cursor-clamp measurement) when none holds yet. No frame is recorded, so the agent's latest image
/// stays the one its coordinates refer to.
async fn current_calibration(
    ctx: &ToolContext,
    session: &VmSession,
) -> Result<Calibration, ToolError> {
    if let Some(c) = session.frames().calibration()
        && c.generation == session.gui().connects()
    {
        return Ok(c);
    }
    let shot = cancellable(
        ctx,
        session,
        session
            .gui()
            .screenshot(CaptureFormat::Jpeg, Some(PROBE_QUALITY)),
    )
    .await?;
    let (_, w, h) = crate::imaging::dimensions(&shot.bytes).map_err(|e| {
        ToolError::rejected(format!("the server's screenshot does not decode: {e}"))
    })?;
    calibrate(ctx, session, w, h).await
}

/// What the HTTP side said (each part may have failed on its own).
struct Discovery {
    addr: Option<String>,
    status: Result<ServerStatus, String>,
    catalog: Result<CommandCatalog, String>,
}

impl Discovery {
    fn os(&self) -> Option<&str> {
        self.status.as_ref().ok().and_then(|s| s.os_type.as_deref())
    }

    /// Needed commands the server does not offer (empty when the catalog is unknown).
    fn unavailable(&self) -> Vec<(&'static str, &'static str)> {
        match &self.catalog {
            Ok(catalog) => missing(catalog),
            Err(_) => Vec::new(),
        }
    }
}

/// The needed commands `catalog` lacks, in [`NEEDED_COMMANDS`] order.
fn missing(catalog: &CommandCatalog) -> Vec<(&'static str, &'static str)> {
    NEEDED_COMMANDS
        .iter()
        .copied()
        .filter(|(command, _)| !catalog.supports(command))
        .collect()
}

/// Asks the connected endpoint's HTTP side for its OS and command catalog, both at once.
async fn discover(ctx: &ToolContext, session: &VmSession) -> Discovery {
    let ConnectionState::Connected { endpoint, .. } = session.gui().state() else {
        let why = "the connection dropped before discovery; call vm_status again".to_string();
        return Discovery {
            addr: None,
            status: Err(why.clone()),
            catalog: Err(why),
        };
    };
    let addr = Some(endpoint.addr());
    let timeout = session.target().command_timeout.min(DISCOVERY_TIMEOUT);
    let http = match HttpClient::new(*endpoint, timeout) {
        Ok(http) => http,
        Err(e) => {
            let why = e.to_string();
            return Discovery {
                addr,
                status: Err(why.clone()),
                catalog: Err(why),
            };
        }
    };
    let (status, catalog) = tokio::join!(
        cancellable(ctx, session, http.status()),
        cancellable(ctx, session, http.commands()),
    );
    Discovery {
        addr,
        status: status.map_err(|e| e.message),
        catalog: catalog.map_err(|e| e.message),
    }
}

/// `1.0`, or `0.75x0.76` when the axes differ.
fn scale_text((x, y): (f64, f64)) -> String {
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    let (x, y) = (round(x), round(y));
    if (x - y).abs() < 0.001 {
        format!("{x:?}")
    } else {
        format!("{x:?}x{y:?}")
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn scale_is_one_number_when_the_axes_agree() {
        assert_eq!(scale_text((1.0, 1.0)), "1.0");
        assert_eq!(scale_text((0.75, 0.75)), "0.75");
        assert_eq!(scale_text((0.5, 0.6667)), "0.5x0.667");
    }

    #[test]
    fn missing_lists_needed_commands_the_catalog_lacks() {
        let catalog: CommandCatalog = serde_json::from_value(json!({
            "commands": {"screenshot": {}, "left_click": {}, "type_text": {}},
        }))
        .unwrap();
        let gone = missing(&catalog);
        let names: Vec<&str> = gone.iter().map(|(c, _)| *c).collect();
        assert!(!names.contains(&"screenshot"));
        assert!(!names.contains(&"left_click"));
        assert!(names.contains(&"run_command"), "{names:?}");
        assert!(gone.contains(&("launch", "apps")));
    }
}
