//! The live checks in each state a deployment can be in. Real parts where they can run: the **real**
//! cua-computer-server 0.3.46 on a private Xvfb desktop (`testkit::desktop`), reached through the **fake** Lume
//! HTTP API (`testkit::lume_fake`: Lume is macOS-only) answering `ipAddress: "127.0.0.1"`. Every failure is
//! asserted by what the user reads: the message and the fix.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use computer_use::Hinted;
use computer_use::config::Config;
use computer_use_doctor::live::{self, LiveOptions};
use computer_use_doctor::{Check, DoctorOptions, Status};
use testkit::desktop::Desktop;
use testkit::lume_fake::{FakeVm, LumeFake};

/// The seed's plugin block with the test's Lume URL and server port, plus `extra` keys.
fn config(lume_url: &str, port: u16, extra: &str) -> Arc<Config> {
    let text = format!(
        r#"{{
            vmName: "openclaw-vm", lumeApiUrl: "{lume_url}", serverPort: {port},
            connectTimeoutMs: 5000, commandTimeoutMs: 60000, screenshotScale: 0.5,
            logVerbose: false, maxScreenshotBytes: 10485760,
            {extra}
        }}"#
    );
    Arc::new(Config::from_json5_str(&text, "test").unwrap())
}

fn options(share_root: &Path) -> LiveOptions {
    LiveOptions {
        macos_share_root: share_root.display().to_string(),
        latency_samples: 3,
        ..LiveOptions::default()
    }
}

/// Runs the live checks, collecting the progress lines.
async fn run(config: Arc<Config>, opts: &LiveOptions) -> (Vec<Check>, Vec<String>) {
    let mut progress = Vec::new();
    let checks = live::run(config, opts, &mut |m| progress.push(m.to_owned())).await;
    let ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, live::IDS, "every live check appears once, in order");
    (checks, progress)
}

fn get<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks.iter().find(|c| c.id == id).unwrap()
}

fn expect(checks: &[Check], id: &str, want: Status, words: &[&str]) {
    let c = get(checks, id);
    assert_eq!(c.status, want, "{id}: {c:#?}\nall: {checks:#?}");
    let text = format!("{}\n{}", c.message, c.fix.as_deref().unwrap_or(""));
    for w in words {
        assert!(text.contains(w), "{id} should mention `{w}`: {text}");
    }
}

fn skipped_from(checks: &[Check], first: &str) {
    let at = live::IDS.iter().position(|id| *id == first).unwrap();
    for id in &live::IDS[at..] {
        assert_eq!(
            get(checks, id).status,
            Status::Skip,
            "{id} should be skipped: {checks:#?}"
        );
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `<tmp>/host/vm-shared` (the configured share) and `<tmp>/guest` (standing in for the guest's
/// `/Volumes/My Shared Files`: the "guest" of the local desktop is this machine).
fn shared_dirs(tmp: &Path) -> (PathBuf, PathBuf) {
    let host = tmp.join("host").join("vm-shared");
    let guest = tmp.join("guest");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::create_dir_all(&guest).unwrap();
    (host, guest)
}

#[tokio::test]
async fn a_booting_vm_is_waited_for_and_then_every_check_passes() {
    let desktop = Desktop::start();
    let lume = LumeFake::start(vec![FakeVm::running("openclaw-vm", "127.0.0.1")]).await;
    lume.set_ip("openclaw-vm", None);
    let tmp = tempfile::tempdir().unwrap();
    let (host, guest) = shared_dirs(tmp.path());
    std::fs::create_dir_all(guest.join("vm-shared")).unwrap();
    let config = config(
        &lume.url(),
        desktop.port(),
        &format!(r#"sharedDir: "{}""#, host.display()),
    );
    let fake = Arc::new(lume);
    let booting = fake.clone();
    let boot = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        booting.set_ip("openclaw-vm", Some("127.0.0.1".into()));
    });
    let (checks, progress) = run(config, &options(&guest)).await;
    boot.await.unwrap();
    expect(&checks, "lume.api", Status::Pass, &["1 VM(s): openclaw-vm"]);
    expect(&checks, "vm.exists", Status::Pass, &["macOS"]);
    expect(&checks, "vm.running", Status::Pass, &[]);
    expect(
        &checks,
        "vm.address",
        Status::Pass,
        &["127.0.0.1", "booting"],
    );
    assert!(
        progress.iter().any(|p| p.contains("no IP address yet")),
        "{progress:?}"
    );
    expect(
        &checks,
        "server.reachable",
        Status::Pass,
        &[&format!("ws://127.0.0.1:{}/ws", desktop.port())],
    );
    expect(
        &checks,
        "server.version",
        Status::Pass,
        &["0.3.46", "protocol 1"],
    );
    expect(
        &checks,
        "screenshot",
        Status::Pass,
        &["1280x800 screen", "640x400", "image/jpeg"],
    );
    expect(
        &checks,
        "display",
        Status::Pass,
        &["screen 1280x800", "scale 1.0"],
    );
    expect(&checks, "shared_dir", Status::Pass, &["vm-shared"]);
    expect(&checks, "latency", Status::Pass, &["3 `version` commands"]);
}

/// No desktop needed: a closed port on the VM's address is what a server bound to loopback looks like. The fix
/// covers both server versions: 0.3.46 needs `--host 0.0.0.0`; newer ones (trycua/cua PR #2222) also refuse that
/// bind unless `CUA_ALLOW_UNAUTHENTICATED_REMOTE=1` is set.
#[tokio::test]
async fn a_refused_connection_gives_the_bind_fix_for_either_server_version() {
    let lume = LumeFake::start(vec![FakeVm::running("openclaw-vm", "127.0.0.1")]).await;
    let closed = free_port();
    let (checks, _) = run(config(&lume.url(), closed, ""), &LiveOptions::default()).await;
    let check = get(&checks, "server.reachable");
    assert_eq!(check.status, Status::Fail, "{check:#?}");
    let fix = check.fix.as_deref().unwrap_or_default();
    for words in [
        format!("cua-computer-server --host 0.0.0.0 --port {closed}"),
        "servers newer than 0.3.46".to_owned(),
        "CUA_ALLOW_UNAUTHENTICATED_REMOTE=1".to_owned(),
        "host-only network".to_owned(),
    ] {
        assert!(fix.contains(&words), "the fix should say `{words}`: {fix}");
    }
    skipped_from(&checks, "server.version");
}

#[tokio::test]
async fn server_states_wrong_path_screenshot_budget_and_share_failures_read_as_fixes() {
    let desktop = Desktop::start();
    let lume = LumeFake::start(vec![FakeVm::running("openclaw-vm", "127.0.0.1")]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (host, guest) = shared_dirs(tmp.path());
    let opts = options(&guest);

    // The server refuses on the configured port (the seed's `--port 5000` binds 127.0.0.1 only).
    let closed = free_port();
    let (checks, _) = run(config(&lume.url(), closed, ""), &opts).await;
    expect(&checks, "vm.address", Status::Pass, &[]);
    expect(
        &checks,
        "server.reachable",
        Status::Fail,
        &[
            &format!("connection refused at 127.0.0.1:{closed}"),
            &format!("--host 0.0.0.0 --port {closed}"),
            "cua-computer-server==0.3.46",
            "not the seed's `cua-computer`",
        ],
    );
    skipped_from(&checks, "server.version");

    // A path other than /ws gets HTTP 403 from the real server.
    let (checks, _) = run(
        config(&lume.url(), desktop.port(), r#"wsPath: "/websocket""#),
        &opts,
    )
    .await;
    expect(
        &checks,
        "server.reachable",
        Status::Fail,
        &["wrong path", "/ws"],
    );
    skipped_from(&checks, "server.version");

    // A screenshot over maxScreenshotBytes: the seed's message, its fix, and the later checks still run.
    let tight = r#"maxScreenshotBytes: 1024, screenshotScale: 1.0"#;
    let (checks, _) = run(config(&lume.url(), desktop.port(), tight), &opts).await;
    expect(&checks, "server.version", Status::Pass, &[]);
    expect(
        &checks,
        "screenshot",
        Status::Fail,
        &[
            "Screenshot too large (",
            "Max: 1 KB",
            "raise maxScreenshotBytes",
        ],
    );
    // The display check measures the scale itself (the status report's calibration), so it still knows it.
    expect(
        &checks,
        "display",
        Status::Pass,
        &["screen 1280x800", "scale 1.0"],
    );
    expect(&checks, "latency", Status::Pass, &[]);

    // The share is configured but not mounted in the (macOS) guest.
    let shared = format!(r#"sharedDir: "{}""#, host.display());
    let (checks, _) = run(config(&lume.url(), desktop.port(), &shared), &opts).await;
    expect(
        &checks,
        "shared_dir",
        Status::Fail,
        &[
            "not mounted",
            "vm-shared",
            "computer-use vm up",
            "--shared-dir",
        ],
    );
    // A Linux guest mounts the virtio-fs tag itself; this machine has no such mount.
    lume.add_vm(FakeVm::running("openclaw-vm", "127.0.0.1").os("linux"));
    let (checks, _) = run(config(&lume.url(), desktop.port(), &shared), &opts).await;
    expect(
        &checks,
        "shared_dir",
        Status::Fail,
        &[
            "Linux guest",
            "mount -t virtiofs com.apple.virtio-fs.automount",
        ],
    );
    // A share that does not exist on the host.
    let missing = format!(r#"sharedDir: "{}""#, tmp.path().join("nope").display());
    let (checks, _) = run(config(&lume.url(), desktop.port(), &missing), &opts).await;
    expect(
        &checks,
        "shared_dir",
        Status::Fail,
        &["does not exist on this host"],
    );
}

#[tokio::test]
async fn lume_and_vm_failures_stop_the_later_checks_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = options(tmp.path());
    let lume = LumeFake::start(vec![
        FakeVm::stopped("openclaw-vm", "127.0.0.1"),
        FakeVm::running("other-vm", "127.0.0.1"),
    ])
    .await;

    // Stopped: Lume's real command, not the seed's `lume start`.
    let (checks, _) = run(config(&lume.url(), 5000, ""), &opts).await;
    expect(&checks, "lume.api", Status::Pass, &["2 VM(s)"]);
    expect(&checks, "vm.exists", Status::Pass, &[]);
    expect(
        &checks,
        "vm.running",
        Status::Fail,
        &[
            "not running",
            "lume run openclaw-vm --no-display",
            "computer-use vm up",
            "no `lume start`",
        ],
    );
    skipped_from(&checks, "vm.address");

    // Missing: Lume's 400, with the names Lume knows.
    lume.remove_vm("openclaw-vm");
    let (checks, _) = run(config(&lume.url(), 5000, ""), &opts).await;
    expect(
        &checks,
        "vm.exists",
        Status::Fail,
        &[
            "VM 'openclaw-vm' not found by Lume",
            "lume list",
            "other-vm",
        ],
    );
    skipped_from(&checks, "vm.running");

    // Still being pulled.
    lume.add_vm(FakeVm::pulling("openclaw-vm", 42.0));
    let (checks, _) = run(config(&lume.url(), 5000, ""), &opts).await;
    expect(&checks, "vm.running", Status::Fail, &["pulled", "42%"]);

    // A wrong Lume URL: 404 is a wrong route, never "VM not found" (the seed conflated them).
    let (checks, _) = run(config(&format!("{}/api", lume.url()), 5000, ""), &opts).await;
    expect(
        &checks,
        "lume.api",
        Status::Fail,
        &["404", "Lume URL is wrong", "Lume API returned 404"],
    );
    assert!(
        !get(&checks, "lume.api")
            .message
            .contains("not found by Lume")
    );
    skipped_from(&checks, "vm.exists");

    // Lume not running.
    let url = lume.url();
    lume.stop().await;
    let (checks, _) = run(config(&url, 5000, ""), &opts).await;
    expect(
        &checks,
        "lume.api",
        Status::Fail,
        &["not reachable", "lume serve"],
    );
    skipped_from(&checks, "vm.exists");
}

#[tokio::test]
async fn the_local_provider_skips_lume_and_names_the_desktop_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let closed = free_port();
    let mut config = Config::default_local();
    config
        .apply_env(|k| (k == "COMPUTER_USE_SERVER_PORT").then(|| closed.to_string()))
        .unwrap();
    let (checks, _) = run(Arc::new(config), &options(tmp.path())).await;
    expect(&checks, "lume.api", Status::Skip, &["provider `local`"]);
    expect(
        &checks,
        "server.reachable",
        Status::Fail,
        &["local desktop is not running", "computer-use vm up"],
    );
    skipped_from(&checks, "server.version");
}

/// Why a configuration is unusable, as a face hands it to the doctor: a message and a hint, apart.
struct Unusable(&'static str, &'static str);

impl Hinted for Unusable {
    fn message(&self) -> String {
        self.0.to_owned()
    }

    fn hint(&self) -> Option<String> {
        Some(self.1.to_owned())
    }
}

#[tokio::test]
async fn the_whole_run_reports_an_unusable_config_then_audits_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("openclaw.json");
    std::fs::write(&file, "{ plugins: { entries: {} } }").unwrap();
    let opts = DoctorOptions::default();
    let report = computer_use_doctor::run(
        Some(&file),
        Err(Unusable(
            "openclaw.json has no plugins.entries[\"computer-use\"]",
            "add it",
        )),
        &opts,
        &mut |_| {},
    )
    .await;
    assert!(report.failed());
    let config = report.get("config").unwrap();
    assert_eq!(config.status, Status::Fail);
    assert_eq!(config.fix.as_deref(), Some("add it"));
    assert_eq!(report.get("screenshot").unwrap().status, Status::Skip);
    assert_eq!(
        report.get("posture.plugin.enabled").unwrap().status,
        Status::Fail
    );
    let json = report.to_json();
    assert_eq!(json["ok"], false);
    assert!(
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"].is_string() && c["status"].is_string() && c["message"].is_string())
    );

    // Offline: the posture audit alone, nothing live.
    let offline = DoctorOptions {
        offline: true,
        ..DoctorOptions::default()
    };
    let report = computer_use_doctor::run(
        Some(&file),
        Err(Unusable("unused", "unused")),
        &offline,
        &mut |_| {},
    )
    .await;
    assert!(report.get("config").is_none() && report.get("lume.api").is_none());
    assert!(report.get("posture.keys").is_some());
}
