//! The lume provider end to end: the **fake** Lume API (`testkit::lume_fake`; real Lume is macOS-only)
//! answers with `ipAddress: "127.0.0.1"`, and the session reaches the **real** cua-computer-server on a private
//! Xvfb desktop through it. Every failure mode is asserted by the message the user reads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use computer_use::config::Config;
use computer_use::vm::lifecycle::LumeVm;
use computer_use::vm::{VmError, VmSession};
use testkit::desktop::Desktop;
use testkit::lume_fake::{FakeVm, LumeFake};

fn config(lume_url: &str, port: u16, extra: &str) -> Config {
    // The seed's own block, with the test's Lume URL and server port.
    let text = format!(
        r#"{{
            // as in the seed, plus comments and a trailing comma
            "vmName": "openclaw-vm",
            "lumeApiUrl": "{lume_url}",
            "serverPort": {port},
            "connectTimeoutMs": 5000,
            "commandTimeoutMs": 60000,
            "screenshotScale": 0.5,
            "logVerbose": false,
            "maxScreenshotBytes": 10485760,
            {extra}
        }}"#
    );
    Config::from_json5_str(&text, "test").unwrap()
}

async fn session_error(config: &Config) -> String {
    let session = VmSession::new(config.vm(None).unwrap()).unwrap();
    match session.gui().version().await {
        Ok(v) => panic!("expected an error, got version {v:?}"),
        Err(e) => session.explain(e).to_string(),
    }
}

#[tokio::test]
async fn the_seed_config_reaches_the_real_server_through_lume() {
    let desktop = Desktop::start();
    let lume = LumeFake::start(vec![FakeVm::running("openclaw-vm", "127.0.0.1")]).await;
    let config = config(&lume.url(), desktop.port(), "");
    let session = VmSession::new(config.vm(None).unwrap()).unwrap();
    let v = session.gui().version().await.unwrap();
    assert_eq!(v.package, "0.3.46");
    let out = session
        .shell()
        .run_command("echo via-lume", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(out.stdout, "via-lume\n");
    assert!(
        lume.requests()
            .iter()
            .any(|(m, p)| m == "GET" && p == "/lume/vms/openclaw-vm"),
        "{:?}",
        lume.requests()
    );
}

#[tokio::test]
async fn a_booting_vm_is_waited_for_until_its_ip_appears() {
    let desktop = Desktop::start();
    let lume = LumeFake::start(vec![FakeVm::running("openclaw-vm", "127.0.0.1")]).await;
    lume.set_ip("openclaw-vm", None);
    let config = config(&lume.url(), desktop.port(), "");
    let session = VmSession::new(config.vm(None).unwrap()).unwrap();
    let started = Instant::now();
    let call = tokio::spawn(async move { session.gui().version().await.map(|v| v.package) });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    lume.set_ip("openclaw-vm", Some("127.0.0.1".into()));
    assert_eq!(call.await.unwrap().unwrap(), "0.3.46");
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let polls = lume
        .requests()
        .iter()
        .filter(|(_, p)| p == "/lume/vms/openclaw-vm")
        .count();
    assert!(polls >= 2, "the booting VM was asked only {polls} time(s)");
}

#[tokio::test]
async fn a_vm_that_never_gets_an_ip_fails_within_the_connect_timeout() {
    let lume = LumeFake::start(vec![FakeVm::running("openclaw-vm", "127.0.0.1")]).await;
    lume.set_ip("openclaw-vm", None);
    let config = config(
        &lume.url(),
        1,
        r#""connectTimeoutMs": 2000,"#.trim_end_matches(','),
    );
    let started = Instant::now();
    let text = session_error(&config).await;
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        text.contains("VM 'openclaw-vm' is running but has no IP address"),
        "{text}"
    );
}

#[tokio::test]
async fn lume_states_and_failures_read_as_actionable_messages() {
    let lume = LumeFake::start(vec![
        FakeVm::stopped("openclaw-vm", "127.0.0.1"),
        FakeVm::pulling("pulling-vm", 42.0),
    ])
    .await;
    // Stopped: the seed's message with Lume's real command.
    let text = session_error(&config(&lume.url(), 5000, "")).await;
    assert!(
        text.contains(
            "VM 'openclaw-vm' is not running. Start it with: lume run openclaw-vm --no-display"
        ),
        "{text}"
    );
    // Unknown VM: Lume answers 400, not 404.
    let text = session_error(&config(
        &lume.url(),
        5000,
        r#""vms": {"other": {"vmName": "nope"}}, "defaultVm": "other""#,
    ))
    .await;
    assert!(
        text.contains("VM 'nope' not found") && text.contains("lume list"),
        "{text}"
    );
    // Pulling: say so with progress.
    let text = session_error(&config(
        &lume.url(),
        5000,
        r#""vms": {"p": {"vmName": "pulling-vm"}}, "defaultVm": "p""#,
    ))
    .await;
    assert!(text.contains("pulled") && text.contains("42"), "{text}");
    // A wrong Lume URL (an extra prefix) → 404 → not "VM not found".
    let text = session_error(&config(&format!("{}/api", lume.url()), 5000, "")).await;
    assert!(
        !text.contains("not found;") && text.to_lowercase().contains("url"),
        "{text}"
    );
    // Lume not running.
    let port = lume.port();
    drop(lume);
    let text = session_error(&config(&format!("http://127.0.0.1:{port}"), 5000, "")).await;
    assert!(
        text.contains("not reachable") && text.contains("lume serve"),
        "{text}"
    );
}

#[tokio::test]
async fn a_running_vm_whose_server_is_not_listening_names_the_bind_fix() {
    let lume = LumeFake::start(vec![FakeVm::running("openclaw-vm", "127.0.0.1")]).await;
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = session_error(&config(&lume.url(), free, "")).await;
    assert!(
        text.contains(&format!("127.0.0.1:{free}")) && text.contains("--host 0.0.0.0"),
        "{text}"
    );
}

#[tokio::test]
async fn the_address_is_resolved_again_after_the_connection_breaks() {
    let desktop = Desktop::start();
    let lume = LumeFake::start(vec![FakeVm::running("openclaw-vm", "127.0.0.1")]).await;
    let config = config(&lume.url(), desktop.port(), "");
    let session = VmSession::new(config.vm(None).unwrap()).unwrap();
    session.gui().version().await.unwrap();
    let before = lume.requests().len();
    // The VM comes back with another address: the next connection must go there (nothing listens on
    // 127.0.0.2, so the refusal names the new address).
    desktop.kill_server();
    lume.set_ip("openclaw-vm", Some("127.0.0.2".into()));
    let _ = session.gui().version().await;
    let text = match session.gui().version().await {
        Ok(v) => panic!("expected a refusal at the new address, got {v:?}"),
        Err(e) => e.to_string(),
    };
    assert!(
        text.contains(&format!("127.0.0.2:{}", desktop.port())),
        "{text}"
    );
    lume.set_ip("openclaw-vm", Some("127.0.0.1".into()));
    desktop.restart_server();
    // The first call after the restart may fail (its socket died); the next reconnects through Lume.
    let _ = session.gui().version().await;
    session.gui().version().await.unwrap();
    assert!(
        lume.requests().len() > before,
        "Lume was not asked again for the VM's address"
    );
}

#[tokio::test]
async fn vm_up_starts_a_stopped_vm_with_the_shared_dir_and_waits_for_its_ip() {
    let shared = std::env::temp_dir().join(format!("cu-shared-{}", std::process::id()));
    std::fs::create_dir_all(&shared).unwrap();
    let lume = LumeFake::start(vec![
        FakeVm::stopped("openclaw-vm", "127.0.0.1").boot_after(Duration::from_millis(1500)),
    ])
    .await;
    let extra = format!(r#""sharedDir": "{}""#, shared.display());
    let config = config(&lume.url(), 5000, &extra);
    let vm = LumeVm::for_target(&config.vm(None).unwrap()).unwrap();
    let mut progress = Vec::new();
    let details = vm.up(|m| progress.push(m.to_string())).await.unwrap();
    assert_eq!(details.ip_address.as_deref(), Some("127.0.0.1"));
    assert!(
        progress
            .iter()
            .any(|m| m.contains("waiting for VM 'openclaw-vm' to boot")),
        "{progress:?}"
    );
    let dirs = lume.shared_directories("openclaw-vm").unwrap();
    assert_eq!(dirs.len(), 1);
    assert_eq!(lume.run_count("openclaw-vm"), 1);
    assert_eq!(vm.list().await.unwrap().len(), 1);
    vm.down().await.unwrap();
    assert_eq!(lume.status_of("openclaw-vm").as_deref(), Some("stopped"));

    // url/local targets have no lifecycle.
    let local = Config::default_local();
    let e = LumeVm::for_target(&local.vm(None).unwrap()).err().unwrap();
    assert!(
        matches!(e, VmError::Lifecycle(ref m) if m.contains("`local` provider")),
        "{e}"
    );
}

#[tokio::test]
async fn the_local_provider_says_how_to_start_the_local_desktop() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = Config::default_local();
    config
        .apply_env(|k| (k == "COMPUTER_USE_SERVER_PORT").then(|| free.to_string()))
        .unwrap();
    let text = session_error(&config).await;
    assert!(
        text.contains("local desktop is not running") && text.contains("computer-use vm up"),
        "{text}"
    );
}
