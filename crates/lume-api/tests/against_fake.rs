//! `LumeClient` against the Lume fake (`testkit::lume_fake`): every error variant by what its message says,
//! the booting VM, run/stop, the pulling shape. A fake because Lume is macOS-only (`docs/lume-api.md`).
#![expect(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use lume_api::{LumeClient, LumeError, RunOptions, SharedDirectory, VmStatus};
use testkit::lume_fake::{FakeSharedDir, FakeVm, LumeFake, status};

const TIMEOUT: Duration = Duration::from_secs(5);

fn client(fake: &LumeFake) -> LumeClient {
    LumeClient::new(&fake.url(), TIMEOUT).unwrap()
}

#[tokio::test]
async fn running_vm_has_every_field() {
    let fake = LumeFake::start(vec![FakeVm::running("openclaw-vm", "192.168.64.2")]).await;
    let vm = client(&fake).get_vm("openclaw-vm").await.unwrap();
    assert_eq!(vm.name, "openclaw-vm");
    assert_eq!(vm.status, VmStatus::Running);
    assert_eq!(vm.ip_address.as_deref(), Some("192.168.64.2"));
    assert_eq!(vm.ssh_available, Some(true));
    assert_eq!(vm.os.as_deref(), Some("macOS"));
    assert_eq!(vm.display.as_deref(), Some("1024x768"));
    assert_eq!(vm.network_mode.as_deref(), Some("nat"));
    // The fake escapes `/` as `\/`, like Lume; the URL must come out unescaped.
    assert_eq!(
        vm.vnc_url.as_deref(),
        Some("vnc://:fig-november-north-eight@127.0.0.1:62527")
    );
    assert_eq!(vm.shared_directories, None);
}

#[tokio::test]
async fn debug_output_redacts_the_vnc_password() {
    let fake = LumeFake::start(vec![
        FakeVm::running("a", "10.0.0.2").vnc_password("hunter-two"),
    ])
    .await;
    let vm = client(&fake).get_vm("a").await.unwrap();
    assert!(
        vm.vnc_url.as_deref().unwrap().contains("hunter-two"),
        "the field keeps the real URL"
    );
    let dbg = format!("{vm:?}");
    assert!(!dbg.contains("hunter-two"), "{dbg}");
    assert!(dbg.contains("<redacted>@127.0.0.1:62527"), "{dbg}");
}

#[tokio::test]
async fn unknown_vm_is_not_found_from_lumes_400() {
    let fake = LumeFake::start(vec![FakeVm::running("a", "10.0.0.2")]).await;
    let err = client(&fake).get_vm("openclaw-vm").await.unwrap_err();
    assert_eq!(
        err,
        LumeError::VmNotFound {
            name: "openclaw-vm".into()
        }
    );
    assert!(err.is_not_found() && !err.is_route_not_found() && !err.is_transient());
    let msg = err.to_string();
    assert!(msg.starts_with("VM 'openclaw-vm' not found"), "{msg}");
    assert!(msg.contains("`lume list`"), "{msg}");
}

#[tokio::test]
async fn removed_vm_becomes_not_found() {
    let fake = LumeFake::start(vec![FakeVm::running("a", "10.0.0.2")]).await;
    let lume = client(&fake);
    lume.get_vm("a").await.unwrap();
    assert!(fake.remove_vm("a"));
    assert!(lume.get_vm("a").await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn wrong_path_prefix_is_a_wrong_url_not_a_missing_vm() {
    let fake = LumeFake::start(vec![FakeVm::running("openclaw-vm", "10.0.0.2")]).await;
    let base = format!("{}/api", fake.url());
    let lume = LumeClient::new(&base, TIMEOUT).unwrap();
    let err = lume.get_vm("openclaw-vm").await.unwrap_err();
    assert!(err.is_route_not_found(), "{err:?}");
    assert!(!err.is_not_found());
    assert_eq!(err.http_status(), Some(404));
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("{base}/lume/vms/openclaw-vm")),
        "{msg}"
    );
    assert!(msg.contains("Lume URL is wrong"), "{msg}");
    assert!(msg.contains(&format!("curl -s {base}/lume/vms")), "{msg}");
    assert!(lume.list_vms().await.unwrap_err().is_route_not_found());
}

#[tokio::test]
async fn stopped_server_is_unreachable_then_back_after_restart() {
    let fake = LumeFake::start(vec![FakeVm::running("a", "10.0.0.2")]).await;
    let lume = client(&fake);
    lume.get_vm("a").await.unwrap(); // leaves a pooled keep-alive connection behind
    fake.stop().await;
    let err = lume.get_vm("a").await.unwrap_err();
    assert!(err.is_unreachable(), "{err:?}");
    assert!(err.is_transient());
    let msg = err.to_string();
    assert!(msg.contains("not reachable"), "{msg}");
    assert!(msg.contains("`lume serve`"), "{msg}");
    assert!(msg.contains(&fake.url()), "{msg}");

    fake.restart().await.unwrap();
    assert_eq!(
        lume.get_vm("a").await.unwrap().ip_address.as_deref(),
        Some("10.0.0.2")
    );
    fake.set_down(true).await.unwrap();
    assert!(lume.host_status().await.unwrap_err().is_unreachable());
}

#[tokio::test]
async fn slow_server_times_out_with_the_limit_in_the_message() {
    let fake = LumeFake::start(vec![FakeVm::running("a", "10.0.0.2")]).await;
    fake.set_delay(Duration::from_secs(3));
    let lume = LumeClient::new(&fake.url(), Duration::from_millis(200)).unwrap();
    let started = Instant::now();
    let err = lume.get_vm("a").await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "gave up after {:?}",
        started.elapsed()
    );
    assert_eq!(
        err,
        LumeError::Timeout {
            url: format!("{}/lume/vms/a", fake.url()),
            after: Duration::from_millis(200)
        }
    );
    assert!(err.to_string().contains("within 200ms"), "{err}");
}

#[tokio::test]
async fn stop_gets_more_time_than_other_requests() {
    let fake = LumeFake::start(vec![FakeVm::running("a", "10.0.0.2")]).await;
    fake.set_stop_block(Duration::from_millis(800));
    let lume = LumeClient::new(&fake.url(), Duration::from_millis(300)).unwrap();
    lume.stop_vm("a").await.unwrap();
    assert_eq!(fake.status_of("a").as_deref(), Some(status::STOPPED));
}

#[tokio::test]
async fn success_reply_that_is_not_json_is_a_decode_error() {
    let fake = LumeFake::start(vec![FakeVm::running("a", "10.0.0.2")]).await;
    fake.override_response(
        "GET",
        "/lume/vms/a",
        200,
        "text/html",
        "<html>proxy login</html>",
    );
    fake.override_response("GET", "/lume/vms", 200, "application/json", r#"{"vms":[]}"#);
    let lume = client(&fake);
    let err = lume.get_vm("a").await.unwrap_err();
    assert!(err.is_decode(), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("/lume/vms/a"), "{msg}");
    assert!(msg.contains("cannot read"), "{msg}");
    assert!(
        !msg.contains("proxy login"),
        "the body is never quoted: {msg}"
    );
    assert!(lume.list_vms().await.unwrap_err().is_decode());
}

#[tokio::test]
async fn other_error_statuses_carry_lumes_message() {
    let fake = LumeFake::start(vec![FakeVm::running("a", "10.0.0.2")]).await;
    fake.override_response(
        "GET",
        "/lume/host/status",
        500,
        "application/json",
        r#"{"message":"disk full"}"#,
    );
    let err = client(&fake).host_status().await.unwrap_err();
    assert_eq!(err.http_status(), Some(500));
    assert!(
        matches!(&err, LumeError::Api { message, .. } if message == "disk full"),
        "{err:?}"
    );
    assert!(err.to_string().contains("`lume serve`"), "{err}");
}

#[tokio::test]
async fn booting_vm_reports_no_ip_then_its_ip() {
    let fake = LumeFake::start(vec![
        FakeVm::running("a", "192.168.64.7").boot_after(Duration::from_millis(400)),
    ])
    .await;
    let lume = client(&fake);
    let early = lume.get_vm("a").await.unwrap();
    assert_eq!(early.status, VmStatus::Running);
    assert_eq!(early.ip_address, None);
    assert_eq!(early.ssh_available, None);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let later = lume.get_vm("a").await.unwrap();
    assert_eq!(later.ip_address.as_deref(), Some("192.168.64.7"));
    assert_eq!(later.ip_addr(), Some("192.168.64.7".parse().unwrap()));
}

#[tokio::test]
async fn run_then_stop() {
    let fake = LumeFake::start(vec![
        FakeVm::stopped("a", "192.168.64.9").boot_after(Duration::from_millis(300)),
    ])
    .await;
    let lume = client(&fake);
    let before = lume.get_vm("a").await.unwrap();
    assert_eq!(
        (before.status, before.ip_address, before.vnc_url),
        (VmStatus::Stopped, None, None)
    );

    lume.run_vm(
        "a",
        &RunOptions {
            no_display: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let booting = lume.get_vm("a").await.unwrap();
    assert!(booting.status.is_running());
    assert_eq!(
        booting.ip_address, None,
        "Lume answers 202 before the VM has a lease"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        lume.get_vm("a").await.unwrap().ip_address.as_deref(),
        Some("192.168.64.9")
    );
    assert_eq!(fake.run_count("a"), 1);

    lume.stop_vm("a").await.unwrap();
    let stopped = lume.get_vm("a").await.unwrap();
    assert_eq!(
        (stopped.status, stopped.ip_address),
        (VmStatus::Stopped, None)
    );

    let again = lume.stop_vm("a").await.unwrap_err();
    assert!(
        matches!(&again, LumeError::Api { status: 400, message, .. } if message == "Virtual machine not running: a"),
        "{again:?}"
    );
    assert!(lume.stop_vm("ghost").await.unwrap_err().is_not_found());

    let requests = fake.requests();
    assert!(
        requests.contains(&("POST".into(), "/lume/vms/a/run".into())),
        "{requests:?}"
    );
    assert!(
        requests.contains(&("POST".into(), "/lume/vms/a/stop".into())),
        "{requests:?}"
    );
}

#[tokio::test]
async fn run_sends_shared_directories_and_lume_checks_them() {
    let fake = LumeFake::start(vec![FakeVm::stopped("a", "10.0.0.2")]).await;
    let lume = client(&fake);
    let dir = std::env::temp_dir().to_string_lossy().into_owned();
    let missing = "/definitely/not/a/dir";

    let bad = RunOptions {
        no_display: true,
        shared_directories: vec![SharedDirectory::read_write(missing)],
    };
    let err = lume.run_vm("a", &bad).await.unwrap_err();
    assert_eq!(err.http_status(), Some(400));
    assert!(
        err.to_string().contains(&format!(
            "Host path does not exist or is not a directory: {missing}"
        )),
        "{err}"
    );
    assert_eq!(
        fake.status_of("a").as_deref(),
        Some(status::STOPPED),
        "a rejected run starts nothing"
    );

    let good = RunOptions {
        no_display: true,
        shared_directories: vec![SharedDirectory::read_only(dir.clone())],
    };
    lume.run_vm("a", &good).await.unwrap();
    assert_eq!(
        fake.shared_directories("a"),
        Some(vec![FakeSharedDir {
            host_path: dir,
            read_only: true
        }])
    );
    assert_eq!(fake.status_of("a").as_deref(), Some(status::RUNNING));
}

#[tokio::test]
async fn run_of_an_unknown_vm_is_accepted_like_lume_does() {
    let fake = LumeFake::start(vec![]).await;
    let lume = client(&fake);
    lume.run_vm("ghost", &RunOptions::default()).await.unwrap();
    assert!(lume.get_vm("ghost").await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn pulling_vm_has_the_short_shape() {
    let fake = LumeFake::start(vec![
        FakeVm::pulling("sequoia", 42.5),
        FakeVm::running("a", "10.0.0.2"),
    ])
    .await;
    let lume = client(&fake);
    let vm = lume.get_vm("sequoia").await.unwrap();
    assert_eq!(vm.status, VmStatus::Pulling);
    assert_eq!(vm.download_progress, Some(42.5));
    assert_eq!((vm.os, vm.ip_address, vm.cpu_count), (None, None, None));
    let names: Vec<String> = lume
        .list_vms()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(
        names,
        ["a"],
        "Lume lists VMs from disk, where a pulling VM is not yet"
    );
}

#[tokio::test]
async fn provisioning_statuses_are_provisioning() {
    let fake = LumeFake::start(vec![
        FakeVm::new("p")
            .status(status::PROVISIONING)
            .provisioning_operation("ipsw_install"),
        FakeVm::new("s").status(status::PROVISIONING_STALE),
        FakeVm::new("o").status("suspended"),
    ])
    .await;
    let lume = client(&fake);
    let p = lume.get_vm("p").await.unwrap();
    assert_eq!(p.status, VmStatus::Provisioning { stale: false });
    assert_eq!(p.provisioning_operation.as_deref(), Some("ipsw_install"));
    let s = lume.get_vm("s").await.unwrap();
    assert!(s.status.is_provisioning());
    assert_eq!(s.status.as_str(), "provisioning (stale)");
    assert_eq!(
        lume.get_vm("o").await.unwrap().status,
        VmStatus::Other("suspended".into())
    );
}

#[tokio::test]
async fn list_is_sorted_by_name() {
    let fake = LumeFake::start(vec![
        FakeVm::running("zeta", "10.0.0.3"),
        FakeVm::stopped("alpha", "10.0.0.1"),
        FakeVm::running("mid", "10.0.0.2"),
    ])
    .await;
    let vms = client(&fake).list_vms().await.unwrap();
    let names: Vec<&str> = vms.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["alpha", "mid", "zeta"]);
    assert_eq!(vms[0].ip_address, None, "stopped VMs have no IP");
}

#[tokio::test]
async fn ip_change_is_seen_on_the_next_get() {
    let fake = LumeFake::start(vec![FakeVm::running("a", "192.168.64.2")]).await;
    let lume = client(&fake);
    assert_eq!(
        lume.get_vm("a").await.unwrap().ip_address.as_deref(),
        Some("192.168.64.2")
    );
    fake.set_ip("a", Some("192.168.64.3".into()));
    assert_eq!(
        lume.get_vm("a").await.unwrap().ip_address.as_deref(),
        Some("192.168.64.3")
    );
    fake.set_ip("a", None);
    assert_eq!(lume.get_vm("a").await.unwrap().ip_address, None);
    fake.set_status("a", status::STOPPED);
    assert_eq!(lume.get_vm("a").await.unwrap().status, VmStatus::Stopped);
}

#[tokio::test]
async fn names_are_percent_encoded_as_one_segment() {
    let fake = LumeFake::start(vec![]).await;
    let lume = client(&fake);
    let err = lume.get_vm("my vm/x").await.unwrap_err();
    assert_eq!(
        err,
        LumeError::VmNotFound {
            name: "my vm/x".into()
        }
    );
    assert_eq!(
        fake.requests(),
        [("GET".to_owned(), "/lume/vms/my%20vm%2Fx".to_owned())]
    );
    assert!(matches!(
        lume.get_vm("").await,
        Err(LumeError::InvalidVmName { .. })
    ));
    assert_eq!(fake.requests().len(), 1, "an invalid name sends nothing");
}

#[tokio::test]
async fn host_status_counts_running_vms() {
    let fake = LumeFake::start(vec![
        FakeVm::running("a", "10.0.0.2"),
        FakeVm::stopped("b", "10.0.0.3"),
    ])
    .await;
    let host = client(&fake).host_status().await.unwrap();
    assert_eq!(host.status, "healthy");
    assert_eq!(
        (host.vm_count, host.max_vms, host.available_slots),
        (Some(1), Some(2), Some(1))
    );
}
