//! Input and shell commands for people: `exec`, `click`, `type`, `key`, `scroll`, `launch`.

use std::process::ExitCode;
use std::time::Duration;

use computer_use::keys;
use computer_use::vm::VmSession;

use super::explain;
use crate::cli::{ClickButton, ScrollWay};

pub async fn exec(
    session: &VmSession,
    command: &[String],
    timeout: u64,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let line = command.join(" ");
    let out = session
        .shell()
        .run_command(&line, Duration::from_secs(timeout.max(1)))
        .await
        .map_err(|e| explain(session, e))?;
    if json {
        let v = serde_json::json!({"stdout": out.stdout, "stderr": out.stderr, "returnCode": out.return_code});
        println!("{v}");
    } else {
        print!("{}", out.stdout);
        eprint!("{}", out.stderr);
    }
    let code = u8::try_from(out.return_code.clamp(0, 255)).unwrap_or(1);
    let code = if out.return_code < 0 { 1 } else { code };
    Ok(ExitCode::from(code))
}

pub async fn click(
    session: &VmSession,
    x: f64,
    y: f64,
    button: ClickButton,
) -> anyhow::Result<ExitCode> {
    let at = Some((x, y));
    let client = session.gui();
    let result = match button {
        ClickButton::Left => client.left_click(at).await,
        ClickButton::Right => client.right_click(at).await,
        ClickButton::Double => client.double_click(at).await,
    };
    result.map_err(|e| explain(session, e))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn type_text(session: &VmSession, text: &str) -> anyhow::Result<ExitCode> {
    session
        .gui()
        .type_text(text)
        .await
        .map_err(|e| explain(session, e))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn key(session: &VmSession, combo: &str) -> anyhow::Result<ExitCode> {
    let keys = keys::parse_combo(combo)?;
    let client = session.gui();
    let result = match keys.as_slice() {
        [one] => client.press_key(one).await,
        many => {
            client
                .hotkey(&many.iter().map(String::as_str).collect::<Vec<_>>())
                .await
        }
    };
    result.map_err(|e| explain(session, e))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn scroll(session: &VmSession, way: ScrollWay, clicks: u32) -> anyhow::Result<ExitCode> {
    let client = session.gui();
    let result = match way {
        ScrollWay::Up => client.scroll_up(clicks).await,
        ScrollWay::Down => client.scroll_down(clicks).await,
    };
    result.map_err(|e| explain(session, e))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn launch(
    session: &VmSession,
    app: &str,
    args: Vec<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let args = (!args.is_empty()).then_some(args);
    let pid = session
        .gui()
        .launch(app, args)
        .await
        .map_err(|e| explain(session, e))?;
    if json {
        println!("{}", serde_json::json!({"app": app, "pid": pid}));
    } else {
        match pid {
            Some(pid) => println!("launched {app} (pid {pid})"),
            None => println!("launched {app}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
