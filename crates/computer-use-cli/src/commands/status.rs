//! `computer-use status`: connect, then report the server version, screen size and connection.

use std::process::ExitCode;

use computer_use::vm::{Health, VmSession};

use super::explain;

pub async fn run(session: &VmSession, json: bool) -> anyhow::Result<ExitCode> {
    let client = session.gui();
    let version = client.version().await.map_err(|e| explain(session, e))?;
    let size = client
        .screen_size()
        .await
        .map_err(|e| explain(session, e))?;
    let addr = match session.health() {
        Health::Connected { addr, .. } => addr,
        other => format!("{other:?}"),
    };
    let target = session.target();
    if json {
        let out = serde_json::json!({
            "vm": target.name,
            "provider": target.provider.kind().as_str(),
            "address": addr,
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
