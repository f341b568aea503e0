//! `computer-use vm up|down|status|list` for the `local` provider: the local desktop (Xvfb + openbox +
//! cua-computer-server on loopback), and the hidden `vm watchdog` that `vm up --owner-pid` starts. Progress
//! lines go to stderr (`desktop: …`), results to stdout.

use std::process::ExitCode;
use std::time::Duration;

use computer_use::config::VmTarget;
use computer_use::vm::VmError;
use computer_use::vm::local::{
    LocalDesktopOptions, LocalDesktopVm, PartState, ProcRef, Status, Supervision, Up, WatchdogHost,
    watchdog,
};

use crate::cli::{StateDirArg, VmCommand, VmUpArgs};

pub async fn run(target: &VmTarget, cmd: VmCommand, json: bool) -> anyhow::Result<ExitCode> {
    let result = match cmd {
        VmCommand::Up(args) => up(target, args, json).await,
        VmCommand::Down(state) => down(target, state, json).await,
        VmCommand::Status(state) => status(target, state, json).await,
        VmCommand::List(state) => list(target, state, json).await,
        VmCommand::Watchdog => watchdog().await,
    };
    match result {
        // The desktop's own errors keep their exit status (3: display taken, 4: port taken).
        Err(e) => match e.downcast::<VmError>() {
            Ok(VmError::LocalDesktop(e)) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(e.exit_code()))
            }
            Ok(other) => Err(other.into()),
            Err(other) => Err(other),
        },
        ok => ok,
    }
}

async fn up(target: &VmTarget, args: VmUpArgs, json: bool) -> anyhow::Result<ExitCode> {
    let supervision = match args.owner_pid {
        None => Supervision::None,
        Some(pid) => Supervision::Owner {
            pid,
            host: WatchdogHost {
                program: std::env::current_exe().map_err(|e| {
                    anyhow::anyhow!("cannot find this program's path to start the watchdog: {e}")
                })?,
                args: vec!["vm".into(), "watchdog".into()],
            },
        },
    };
    let options = LocalDesktopOptions {
        display: args.display,
        screen: args.screen,
        port: args.port,
        state_dir: args.state.state_dir,
        ready_timeout: args.ready_timeout.map(Duration::from_secs),
        supervision,
    };
    let vm = LocalDesktopVm::for_target(target, options)?;
    let up = vm.up(|line| eprintln!("desktop: {line}")).await?;
    if json {
        println!("{}", up_json(&up));
    } else {
        let d = &up.desktop;
        let s = d.state();
        let pid = pid_text;
        println!("server:  {}  (pid {})", d.ws_url(), pid(s.server));
        println!(
            "display: {}  ({}, Xvfb pid {}, openbox pid {})",
            d.display(),
            d.screen(),
            pid(s.xvfb),
            pid(s.openbox)
        );
        println!("logs:    {}", d.log_dir().display());
        eprintln!(
            "stop it with: computer-use vm down{}",
            state_dir_flag(d.state_dir())
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn down(target: &VmTarget, state: StateDirArg, json: bool) -> anyhow::Result<ExitCode> {
    let vm = LocalDesktopVm::for_target(target, options(state))?;
    let was_up = vm.down(|line| eprintln!("desktop: {line}")).await?;
    let dir = vm.config().state_dir.display().to_string();
    if json {
        println!(
            "{}",
            serde_json::json!({"provider": "local", "status": "down", "wasUp": was_up, "stateDir": dir})
        );
    } else if was_up {
        println!("the local desktop is down");
    } else {
        println!("the local desktop was not up (no state in {dir})");
    }
    Ok(ExitCode::SUCCESS)
}

async fn status(target: &VmTarget, state: StateDirArg, json: bool) -> anyhow::Result<ExitCode> {
    let vm = LocalDesktopVm::for_target(target, options(state))?;
    let status = vm.status().await?;
    if json {
        println!("{}", status_json(&status, vm.config()));
    } else {
        print_status(&status, vm.config());
    }
    Ok(if status.is_up() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The local provider has one desktop per state directory: `list` shows that one, as a row like Lume's.
async fn list(target: &VmTarget, state: StateDirArg, json: bool) -> anyhow::Result<ExitCode> {
    let vm = LocalDesktopVm::for_target(target, options(state))?;
    let status = vm.status().await?;
    let value = status_json(&status, vm.config());
    if json {
        println!("{}", serde_json::Value::Array(vec![value]));
    } else {
        println!(
            "{:<24} {:<14} {}",
            format!("local {}", value["display"].as_str().unwrap_or("")),
            value["status"].as_str().unwrap_or(""),
            value["url"].as_str().unwrap_or("-")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The hidden `vm watchdog`: waits for the owner named in its environment, then stops the desktop.
pub async fn watchdog() -> anyhow::Result<ExitCode> {
    tokio::task::spawn_blocking(watchdog::run_from_env)
        .await
        .map_err(|e| anyhow::anyhow!("the watchdog task failed: {e}"))?
        .map_err(VmError::from)?;
    Ok(ExitCode::SUCCESS)
}

fn options(state: StateDirArg) -> LocalDesktopOptions {
    LocalDesktopOptions {
        state_dir: state.state_dir,
        ..LocalDesktopOptions::default()
    }
}

/// ` --state-dir DIR` when `dir` is not the default, so the printed command stops this very desktop.
fn state_dir_flag(dir: &std::path::Path) -> String {
    let default = computer_use::vm::local::DesktopConfig::from_env(|k| {
        (k != "CUA_STATE_DIR")
            .then(|| std::env::var(k).ok())
            .flatten()
    })
    .map(|c| c.state_dir)
    .ok();
    if default.as_deref() == Some(dir) {
        String::new()
    } else {
        format!(" --state-dir {}", dir.display())
    }
}

fn print_status(status: &Status, config: &computer_use::vm::local::DesktopConfig) {
    let Some(d) = &status.desktop else {
        println!(
            "down (no state in {}); start it with: computer-use vm up",
            config.state_dir.display()
        );
        return;
    };
    let s = d.state();
    let pid = pid_text;
    match status.server {
        PartState::Up => println!(
            "server:  up, {} (pid {}) /status: {}",
            d.ws_url(),
            pid(s.server),
            status.server_status.as_deref().unwrap_or("")
        ),
        PartState::NotAnswering => println!(
            "server:  NOT ANSWERING on port {} (pid {} runs; frozen or busy?)",
            d.port(),
            pid(s.server)
        ),
        PartState::Down => println!("server:  NOT RUNNING (port {})", d.port()),
    }
    match status.xvfb {
        PartState::Down => println!("display: NOT RUNNING ({})", d.display()),
        _ => println!(
            "display: up, {} ({}, Xvfb pid {})",
            d.display(),
            d.screen(),
            pid(s.xvfb)
        ),
    }
    match status.openbox {
        PartState::Down => println!("openbox: NOT RUNNING"),
        _ => println!("openbox: up (pid {})", pid(s.openbox)),
    }
    println!("logs:    {}", d.log_dir().display());
    if status.is_up() {
        println!("up");
    } else {
        println!(
            "degraded: stop it with `computer-use vm down{0}`, then start it with `computer-use vm up{0}`",
            state_dir_flag(d.state_dir())
        );
    }
}

fn pid_text(p: Option<ProcRef>) -> String {
    p.map_or_else(|| "-".to_owned(), |p| p.pid.to_string())
}

fn part(state: PartState) -> &'static str {
    match state {
        PartState::Up => "up",
        PartState::NotAnswering => "not answering",
        PartState::Down => "down",
    }
}

fn status_json(
    status: &Status,
    config: &computer_use::vm::local::DesktopConfig,
) -> serde_json::Value {
    let overall = match (&status.desktop, status.is_up()) {
        (None, _) => "down",
        (Some(_), true) => "up",
        (Some(_), false) => "degraded",
    };
    let mut value = serde_json::json!({
        "provider": "local",
        "status": overall,
        "stateDir": config.state_dir,
        "parts": {"xvfb": part(status.xvfb), "openbox": part(status.openbox), "server": part(status.server)},
    });
    if let (Some(d), Some(map)) = (&status.desktop, value.as_object_mut()) {
        map.insert("url".into(), d.ws_url().into());
        map.insert("display".into(), d.display().to_string().into());
        map.insert("screen".into(), d.screen().to_string().into());
        map.insert("port".into(), d.port().into());
        map.insert("logs".into(), d.log_dir().display().to_string().into());
    }
    value
}

fn up_json(up: &Up) -> serde_json::Value {
    let d = &up.desktop;
    let s = d.state();
    let pid = |p: Option<ProcRef>| p.map(|p| p.pid);
    serde_json::json!({
        "provider": "local",
        "status": "up",
        "alreadyUp": up.already_up,
        "startupMs": up.took.as_millis() as u64,
        "url": d.ws_url(),
        "display": d.display().to_string(),
        "screen": d.screen().to_string(),
        "port": d.port(),
        "pids": {"xvfb": pid(s.xvfb), "openbox": pid(s.openbox), "server": pid(s.server), "watchdog": pid(s.watchdog)},
        "stateDir": d.state_dir().display().to_string(),
        "logs": d.log_dir().display().to_string(),
    })
}
