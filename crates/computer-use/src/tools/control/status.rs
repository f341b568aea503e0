//! `vm_status`: what the agent is driving, in one call — the server's version and OS, the screen, how image
//! pixels map to input (the calibration), the connection's health, the configured VM, and which tools a
//! server without some command cannot serve (a reduced VNC backend lacks the shell, say).
//!
//! The report is one type, [`StatusReport`]: `vm_status` returns it as its details and renders it as text;
//! `computer-use status` and the doctor read the same type.
//!
//! Discovery over HTTP (`GET /status`, `GET /commands`) is best effort: some deployments proxy only the
//! WebSocket, so its failure is reported in the result rather than failing the call.

use std::collections::BTreeMap;
use std::time::Duration;

use cua_protocol::{CommandCatalog, CommandName, ConnectionState, HttpClient, ServerStatus};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::Provider;
use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::capture::current_calibration;
use crate::tools::{Content, ToolContext, ToolError, ToolOutput, TypedTool, registry};
use crate::vm::{Health, VmSession};

/// Upper bound for the HTTP discovery requests (the command timeout may be minutes).
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// `vm_status {}`.
pub struct Status;

/// No arguments.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusArgs {}

impl TypedTool for Status {
    type Args = StatusArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_status",
        title: "Status",
        description: "Server version, OS, screen size, input scale, health, missing commands.",
        kind: ToolKind::Meta,
        effect: Effect::ReadOnly,
        idempotent: true,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[
            CommandName::Version,
            CommandName::GetScreenSize,
            CommandName::Screenshot,
            CommandName::GetCursorPosition,
            CommandName::MoveCursor,
        ],
    };

    async fn run(&self, ctx: &ToolContext, _args: StatusArgs) -> Result<ToolOutput, ToolError> {
        let report = StatusReport::measure(ctx).await?;
        let text = report.to_text();
        let details = match serde_json::to_value(&report) {
            Ok(serde_json::Value::Object(details)) => details,
            _ => serde_json::Map::new(),
        };
        Ok(ToolOutput {
            content: vec![Content::Text(text)],
            details,
        })
    }
}

/// A session's health as reports carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthReport {
    /// `connected`, `server_down`, `vm_not_running`, … (see [`Health::state`]).
    pub state: String,
    /// Why it is not connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The server's package version, when connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// `host:port`, when connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl From<&Health> for HealthReport {
    fn from(h: &Health) -> HealthReport {
        let (server, address) = match h {
            Health::Connected { server, addr } => (Some(server.clone()), Some(addr.clone())),
            _ => (None, None),
        };
        HealthReport {
            state: h.state().to_owned(),
            reason: h.reason().map(str::to_owned),
            server,
            address,
        }
    }
}

/// Each lane's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneHealth {
    /// The GUI lane (input, screenshots).
    pub gui: HealthReport,
    /// The shell lane (commands, files).
    pub shell: HealthReport,
}

/// A server command this server lacks, and the tools that need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unavailable {
    /// The command's wire name.
    pub command: String,
    /// The tools that may send it.
    pub tools: Vec<String>,
}

/// What `vm_status` finds: the one status report of every face.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport {
    /// The configured VM's name (`default` or a key of `vms`).
    pub vm: String,
    /// `lume`, `url` or `local`.
    pub provider: String,
    /// Lume's name of the VM (lume provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lume_vm_name: Option<String>,
    /// `host:port` of the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// cua-computer-server's package version.
    pub server_version: String,
    /// Its protocol version.
    pub protocol: serde_json::Value,
    /// `linux`, `darwin`, … (from `GET /status`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Server features (from `GET /status`).
    #[serde(default)]
    pub features: Vec<String>,
    /// Why `GET /status` failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_error: Option<String>,
    /// The session's health.
    pub health: HealthReport,
    /// Each lane's health.
    pub lanes: LaneHealth,
    /// Screen size the server reports.
    pub screen_width: u32,
    /// Screen height the server reports.
    pub screen_height: u32,
    /// Screenshot width (the server's capture).
    pub screenshot_width: u32,
    /// Screenshot height.
    pub screenshot_height: u32,
    /// Input-space width (points on HiDPI macOS).
    pub input_width: f64,
    /// Input-space height.
    pub input_height: f64,
    /// Input units per screenshot pixel, horizontally.
    pub scale_x: f64,
    /// Input units per screenshot pixel, vertically.
    pub scale_y: f64,
    /// Id of the latest image returned on this VM session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_frame: Option<u64>,
    /// Commands the tools need that this server lacks, with the tools affected.
    #[serde(default)]
    pub unavailable: Vec<Unavailable>,
    /// The same commands' names.
    #[serde(default)]
    pub unavailable_commands: Vec<String>,
    /// Why `GET /commands` failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commands_error: Option<String>,
    /// How many commands the server offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_commands: Option<usize>,
}

impl StatusReport {
    /// Asks the context's VM: version, screen size, calibration, HTTP discovery, health.
    pub async fn measure(ctx: &ToolContext) -> Result<StatusReport, ToolError> {
        let session = ctx.session()?;
        let vm = VmInfo::of(&session);
        let gui = session.gui();
        let version = ctx
            .cancellable(&session, gui.version())
            .await
            .map_err(|e| vm.prefix(&session, e))?;
        let size = ctx
            .cancellable(&session, gui.screen_size())
            .await
            .map_err(|e| vm.prefix(&session, e))?;
        let calibration = current_calibration(ctx, &session)
            .await
            .map_err(|e| vm.prefix(&session, e))?;
        let discovery = discover(ctx, &session).await;
        let health = session.health();
        let (gui_health, shell_health) = session.lane_health();
        let unavailable = discovery.unavailable();
        Ok(StatusReport {
            vm: vm.name,
            provider: vm.provider.to_owned(),
            lume_vm_name: vm.lume_vm_name,
            address: discovery.addr.clone(),
            server_version: version.package,
            protocol: version.protocol,
            os: discovery.os().map(str::to_owned),
            features: discovery
                .status
                .as_ref()
                .map(|s| s.features.clone())
                .unwrap_or_default(),
            status_error: discovery.status.as_ref().err().cloned(),
            health: HealthReport::from(&health),
            lanes: LaneHealth {
                gui: HealthReport::from(&gui_health),
                shell: HealthReport::from(&shell_health),
            },
            screen_width: size.width,
            screen_height: size.height,
            screenshot_width: calibration.shot_w,
            screenshot_height: calibration.shot_h,
            input_width: calibration.input_w,
            input_height: calibration.input_h,
            scale_x: calibration.scale_x(),
            scale_y: calibration.scale_y(),
            latest_frame: session.frames().latest().map(|f| f.id),
            unavailable_commands: unavailable.iter().map(|u| u.command.clone()).collect(),
            unavailable,
            commands_error: discovery.catalog.as_ref().err().cloned(),
            server_commands: discovery.catalog.as_ref().ok().map(|c| c.commands.len()),
        })
    }

    /// The VM as people name it: `lume (Lume VM `x`)` or the provider.
    pub fn via(&self) -> String {
        match &self.lume_vm_name {
            Some(lume) => format!("{} (Lume VM `{lume}`)", self.provider),
            None => self.provider.clone(),
        }
    }

    /// The text `vm_status` returns to the model.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "cua-computer-server {} on {} at {} ({}); screen {}x{}, screenshots {}x{}, input {}x{} (scale {}); \
             VM `{}` via {}.",
            self.server_version,
            self.os.as_deref().unwrap_or("an unknown OS"),
            self.address.as_deref().unwrap_or("an unknown address"),
            health_words(&self.health.state),
            self.screen_width,
            self.screen_height,
            self.screenshot_width,
            self.screenshot_height,
            self.input_width,
            self.input_height,
            scale_text((self.scale_x, self.scale_y)),
            self.vm,
            self.via(),
        );
        text.push('\n');
        text.push_str(&match (&self.commands_error, self.unavailable.is_empty()) {
            (Some(e), _) => format!("Could not list the server's commands: {e}"),
            (None, true) => "Every server command the vm_* tools use is available.".to_string(),
            (None, false) => format!(
                "Unavailable on this server: {}.",
                self.unavailable
                    .iter()
                    .map(|u| format!("{} (needed by {})", u.command, u.tools.join(", ")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        // The shell lane has its own connection: say so when it is in trouble while the GUI lane is fine.
        if let Some(reason) = &self.lanes.shell.reason {
            text.push_str(&format!(
                "\nShell lane: {} ({reason}).",
                health_words(&self.lanes.shell.state)
            ));
        }
        text
    }
}

/// The words [`Health`]'s `Display` uses, from its stable state name.
fn health_words(state: &str) -> String {
    state.replace('_', " ").replace("vm ", "VM ")
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
            message: format!(
                "vm_status: VM `{}` via {}{state}: {}",
                self.name,
                self.describe(),
                e.message
            ),
            ..e
        }
    }
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
    fn unavailable(&self) -> Vec<Unavailable> {
        match &self.catalog {
            Ok(catalog) => missing(catalog),
            Err(_) => Vec::new(),
        }
    }
}

/// The commands the registered tools may send, each with the tools that send it, in protocol order.
pub fn needed_commands() -> BTreeMap<CommandName, Vec<&'static str>> {
    let mut needed: BTreeMap<CommandName, Vec<&'static str>> = BTreeMap::new();
    for tool in registry() {
        for command in tool.spec().commands {
            needed.entry(*command).or_default().push(tool.spec().name);
        }
    }
    needed
}

/// The needed commands `catalog` lacks, with the tools affected.
fn missing(catalog: &CommandCatalog) -> Vec<Unavailable> {
    needed_commands()
        .into_iter()
        .filter(|(command, _)| !catalog.supports(command.as_str()))
        .map(|(command, tools)| Unavailable {
            command: command.as_str().to_owned(),
            tools: tools.into_iter().map(str::to_owned).collect(),
        })
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
        ctx.cancellable(session, http.status()),
        ctx.cancellable(session, http.commands()),
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
        let catalog: CommandCatalog = serde_json::from_value(serde_json::json!({
            "commands": {"screenshot": {}, "left_click": {}, "type_text": {}},
        }))
        .unwrap();
        let gone = missing(&catalog);
        let names: Vec<&str> = gone.iter().map(|u| u.command.as_str()).collect();
        assert!(!names.contains(&"screenshot"));
        assert!(!names.contains(&"left_click"));
        assert!(names.contains(&"run_command"), "{names:?}");
        let launch = gone.iter().find(|u| u.command == "launch");
        assert_eq!(
            launch.map(|u| u.tools.clone()),
            Some(vec!["vm_launch".to_owned()])
        );
        let run = gone.iter().find(|u| u.command == "run_command");
        assert_eq!(
            run.map(|u| u.tools.clone()),
            Some(vec![
                "vm_click".to_owned(),
                "vm_exec".to_owned(),
                "vm_key".to_owned(),
                "vm_launch".to_owned()
            ])
        );
    }
}
