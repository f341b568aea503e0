//! The Lume fake's wire format, checked with a plain HTTP client: the quirks `LumeClient` relies on (every key
//! present, `\/` escapes, 400 JSON versus 404 text, the query-string quirk) must hold in the fake, or the
//! client tests above it prove nothing. Expected shapes are from `docs/lume-api.md`.
#![expect(clippy::unwrap_used)]

use testkit::lume_fake::{FakeVm, LumeFake};

async fn fetch(method: reqwest::Method, url: String, body: Option<&str>) -> (u16, String, String) {
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_owned());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ctype, resp.text().await.unwrap())
}

async fn get(fake: &LumeFake, target: &str) -> (u16, String, String) {
    fetch(
        reqwest::Method::GET,
        format!("{}{target}", fake.url()),
        None,
    )
    .await
}

#[tokio::test]
async fn vm_json_has_every_key_with_nulls_and_escaped_slashes() {
    let fake = LumeFake::start(vec![FakeVm::stopped("a", "10.0.0.2")]).await;
    let (status, ctype, body) = get(&fake, "/lume/vms/a").await;
    assert_eq!((status, ctype.as_str()), (200, "application/json"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "name",
        "os",
        "cpuCount",
        "memorySize",
        "diskSize",
        "display",
        "status",
        "provisioningOperation",
        "vncUrl",
        "ipAddress",
        "sshAvailable",
        "locationName",
        "sharedDirectories",
        "networkMode",
        "downloadProgress",
    ] {
        assert!(keys.contains(&key), "{key} missing from {body}");
    }
    assert_eq!(keys.len(), 15, "{body}");
    assert!(
        v["ipAddress"].is_null() && v["vncUrl"].is_null() && v["sharedDirectories"].is_null(),
        "{body}"
    );

    fake.set_status("a", "running");
    let (_, _, running) = get(&fake, "/lume/vms/a").await;
    assert!(running.contains(r#""vncUrl":"vnc:\/\/:"#), "{running}");
}

#[tokio::test]
async fn errors_are_400_json_for_vms_and_404_text_for_routes() {
    let fake = LumeFake::start(vec![FakeVm::running("a", "10.0.0.2")]).await;
    let (status, ctype, body) = get(&fake, "/lume/vms/nope").await;
    assert_eq!(
        (status, ctype.as_str(), body.as_str()),
        (
            400,
            "application/json",
            r#"{"message":"Virtual machine not found: nope"}"#
        )
    );
    let (status, ctype, body) = get(&fake, "/api/lume/vms/a").await;
    assert_eq!(
        (status, ctype.as_str(), body.as_str()),
        (404, "text/plain", "Not found")
    );
}

#[tokio::test]
async fn query_string_quirk() {
    let fake = LumeFake::start(vec![FakeVm::running("a", "10.0.0.2")]).await;
    assert_eq!(get(&fake, "/lume/vms?storage=x").await.0, 404);
    assert_eq!(get(&fake, "/lume/vms").await.0, 200);
    assert_eq!(get(&fake, "/lume/vms/a?storage=x").await.0, 200);
}

#[tokio::test]
async fn run_and_stop_replies() {
    let fake = LumeFake::start(vec![FakeVm::stopped("a", "10.0.0.2")]).await;
    let (status, _, body) = fetch(
        reqwest::Method::POST,
        format!("{}/lume/vms/a/run", fake.url()),
        Some("{}"),
    )
    .await;
    assert_eq!(status, 202);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"message": "VM start initiated", "name": "a", "status": "pending"})
    );
    let (status, _, body) = fetch(
        reqwest::Method::POST,
        format!("{}/lume/vms/a/run", fake.url()),
        Some("["),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (400, r#"{"message":"Invalid run request body"}"#)
    );
    let (status, _, body) = fetch(
        reqwest::Method::POST,
        format!("{}/lume/vms/a/stop", fake.url()),
        None,
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"message":"VM stopped successfully"}"#)
    );
}

#[tokio::test]
async fn pulling_object_has_three_keys() {
    let fake = LumeFake::start(vec![FakeVm::pulling("img", 12.0)]).await;
    let (_, _, body) = get(&fake, "/lume/vms/img").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"name": "img", "status": "pulling", "downloadProgress": 12.0})
    );
}
