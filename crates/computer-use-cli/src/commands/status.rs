//! `computer-use status`: connect, then report the server version, screen size and connection health.
//!
//! On failure the session's health (server down, VM not running, not responding, …) leads the error, and
//! `--json` prints it as an object on stdout too, so scripts need not parse the message.

use std::process::ExitCode;

use computer_use::vm::{Health, VmSession};

use super::explain;
use crate::exit;

pub async fn run(session: &VmSession, json: bool) -> anyhow::Result<ExitCode> {
    let client = session.gui();
    let probed = async {
        let version = client.version().await?;
        let size = client.screen_size().await?;
        Ok::<_, computer_use::cua::Error>((version, size))
    }
    .await;
    let target = session.target();
    let health = session.health();
    let (version, size) = match probed {
        Ok(found) => found,
        Err(e) => {
            let error = explain(session, e);
            if json {
                let out = serde_json::json!({
                    "vm": target.name,
                    "provider": target.provider.kind().as_str(),
                    "health": health.to_json(),
                    "error": format!("{error:#}"),
                });
                println!("{out}");
                eprintln!("error: {error:#}");
                return Ok(exit::ERROR.into());
            }
            return Err(error.context(format!(
                "VM '{}' ({} provider): {health}",
                target.name,
                target.provider.kind().as_str()
            )));
        }
    };
    let addr = match &health {
        Health::Connected { addr, .. } => addr.clone(),
        other => other.to_string(),
    };
    if json {
        let out = serde_json::json!({
            "vm": target.name,
            "provider": target.provider.kind().as_str(),
            "address": addr,
            "health": health.to_json(),
            "server": {"package": version.package, "protocol": version.protocol},
            "screen": {"width": size.width, "height": size.height},
        });
        println!("{out}");
    } else {
        println!(
            "VM '{}' ({} provider) at {addr}: cua-computer-server {} (protocol {}), screen {}x{}",
            target.name,
            target.provider.kind().as_str(),
            version.package,
            version.protocol,
            size.width,
            size.height
        );
    }
    Ok(ExitCode::SUCCESS)
}
