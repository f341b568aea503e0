//! The fake's request handling: Lume's router and the handlers of the routes we use.
//!
//! Routing is done by hand instead of with axum's router so that it reproduces Lume's `Route.matches`
//! (`LUME/Server/Server.swift`): the request target is split on `/` with empty parts dropped, literal parts
//! are compared *including the query string* (so `GET /lume/vms?storage=x` is 404 while
//! `GET /lume/vms/NAME?storage=x` works), and `:name` is taken from the path without the query and without
//! percent-decoding. Unknown routes are 404 `Not found` as text/plain; handler errors are 400
//! `{"message": ...}` as application/json. JSON is written with `/` escaped as `\/`, as Swift's encoder does.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::vm::{FakeSharedDir, status};
use super::{Shared, lock};

/// macOS runs at most two VMs at once; Lume reports it as `maxVMs`.
const MAX_VMS: usize = 2;

/// The routes the fake serves, in Lume's order. Other Lume routes (create, delete, clone, pull, ...) are not
/// used by this project and answer 404 here.
#[derive(Debug, Clone, Copy)]
enum Route {
    List,
    Get,
    Run,
    Stop,
    HostStatus,
}

const ROUTES: &[(&str, &str, Route)] = &[
    ("GET", "/lume/vms", Route::List),
    ("GET", "/lume/vms/:name", Route::Get),
    ("POST", "/lume/vms/:name/run", Route::Run),
    ("POST", "/lume/vms/:name/stop", Route::Stop),
    ("GET", "/lume/host/status", Route::HostStatus),
];

/// The one axum handler: records, delays, then answers like Lume.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let (delay, canned, flap) = {
        let mut state = lock(&shared);
        state.requests.push((method.to_string(), target.clone()));
        let canned = state
            .canned
            .iter()
            .find(|c| c.method == method.as_str() && c.target == target)
            .cloned();
        let flap = match state.flapping.as_mut() {
            Some(n) => {
                *n += 1;
                *n % 2 == 1
            }
            None => false,
        };
        (state.delay, canned, flap)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(c) = canned {
        return raw(c.status, &c.content_type, c.body);
    }
    if flap {
        return json(
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({"message": "Internal server error (injected: flapping)"})
                .to_string(),
        );
    }
    match find_route(method.as_str(), &target) {
        Some((Route::List, _)) => list(&shared),
        Some((Route::Get, name)) => get(&shared, &name),
        Some((Route::Run, name)) => run(&shared, &name, &body),
        Some((Route::Stop, name)) => stop(&shared, &name).await,
        Some((Route::HostStatus, _)) => host_status(&shared),
        None => not_found(),
    }
}

/// Lume's matching: same method, same number of non-empty parts, literal parts equal (query included).
/// Returns the route and its `:name` (empty for routes without one).
fn find_route(method: &str, target: &str) -> Option<(Route, String)> {
    let parts: Vec<&str> = target.split('/').filter(|p| !p.is_empty()).collect();
    let path_only = target.split_once('?').map_or(target, |(p, _)| p);
    let path_parts: Vec<&str> = path_only.split('/').filter(|p| !p.is_empty()).collect();
    ROUTES.iter().find_map(|&(m, pattern, route)| {
        if m != method {
            return None;
        }
        let pattern_parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
        if pattern_parts.len() != parts.len() {
            return None;
        }
        let mut name = String::new();
        for (i, (pat, part)) in pattern_parts.iter().zip(&parts).enumerate() {
            if pat.starts_with(':') {
                name = path_parts
                    .get(i)
                    .map_or_else(String::new, |p| (*p).to_owned());
            } else if pat != part {
                return None;
            }
        }
        Some((route, name))
    })
}

fn list(shared: &Shared) -> Response {
    let now = Instant::now();
    let state = lock(shared);
    // BTreeMap order is Lume's "sorted by name"; pulling VMs are not on disk yet, so Lume's list omits them.
    let items: Vec<String> = state
        .vms
        .values()
        .filter(|v| !v.is_pulling())
        .map(|v| v.to_json(now))
        .collect();
    json(StatusCode::OK, format!("[{}]", items.join(",")))
}

fn get(shared: &Shared, name: &str) -> Response {
    let state = lock(shared);
    match state.vms.get(name) {
        Some(vm) => json(StatusCode::OK, vm.to_json(Instant::now())),
        None => vm_not_found(name),
    }
}

/// `RunVMRequest`: every key optional, unknown keys ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunRequest {
    #[serde(default, rename = "noDisplay")]
    _no_display: Option<bool>,
    #[serde(default)]
    shared_directories: Option<Vec<SharedDirRequest>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SharedDirRequest {
    host_path: String,
    #[serde(default)]
    read_only: Option<bool>,
}

/// Lume validates the body, answers 202 and starts the VM in the background; an unknown or non-stopped VM is
/// only noticed by that background start, so it is accepted here too and nothing changes.
fn run(shared: &Shared, name: &str, body: &[u8]) -> Response {
    let request: RunRequest = if body.is_empty() {
        RunRequest {
            _no_display: None,
            shared_directories: None,
        }
    } else {
        match serde_json::from_slice(body) {
            Ok(r) => r,
            Err(_) => return bad_request("Invalid run request body"),
        }
    };
    let mut dirs = Vec::new();
    for d in request.shared_directories.unwrap_or_default() {
        if !Path::new(&d.host_path).is_dir() {
            return bad_request(&format!(
                "Host path does not exist or is not a directory: {}",
                d.host_path
            ));
        }
        dirs.push(FakeSharedDir {
            host_path: d.host_path,
            read_only: d.read_only.unwrap_or(false),
        });
    }
    let mut state = lock(shared);
    if let Some(vm) = state.vms.get_mut(name)
        && vm.vm.status == status::STOPPED
    {
        vm.vm.status = status::RUNNING.to_owned();
        vm.start_booting(Instant::now());
        vm.shared_dirs = Some(dirs);
        vm.runs += 1;
    }
    let mut reply = BTreeMap::new();
    reply.insert("message", "VM start initiated");
    reply.insert("name", name);
    reply.insert("status", "pending");
    json(
        StatusCode::ACCEPTED,
        serde_json::to_string(&reply).unwrap_or_default(),
    )
}

/// Stops at once, then holds the reply for the configured time (real Lume: at least 5 s).
async fn stop(shared: &Shared, name: &str) -> Response {
    let block = {
        let mut state = lock(shared);
        let block = state.stop_block;
        match state.vms.get_mut(name) {
            None => return vm_not_found(name),
            Some(vm) if !vm.is_running() => {
                return bad_request(&format!("Virtual machine not running: {name}"));
            }
            Some(vm) => {
                vm.vm.status = status::STOPPED.to_owned();
                vm.ip_from = None;
            }
        }
        block
    };
    if !block.is_zero() {
        tokio::time::sleep(block).await;
    }
    json(
        StatusCode::OK,
        r#"{"message":"VM stopped successfully"}"#.to_owned(),
    )
}

fn host_status(shared: &Shared) -> Response {
    let state = lock(shared);
    let running = state.vms.values().filter(|v| v.is_running()).count();
    let body = serde_json::json!({
        "status": "healthy",
        "vmCount": running,
        "maxVMs": MAX_VMS,
        "availableSlots": MAX_VMS.saturating_sub(running),
        "version": "1.0.0",
    });
    json(StatusCode::OK, body.to_string())
}

fn vm_not_found(name: &str) -> Response {
    bad_request(&format!("Virtual machine not found: {name}"))
}

/// Lume's `APIError`: 400 `{"message": ...}`.
fn bad_request(message: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        serde_json::json!({ "message": message }).to_string(),
    )
}

fn not_found() -> Response {
    raw(404, "text/plain", "Not found".to_owned())
}

/// A JSON reply with `/` escaped as `\/` (Swift's `JSONEncoder` default; `/` only occurs inside strings).
fn json(status: StatusCode, body: String) -> Response {
    let body = body.replace('/', "\\/");
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

fn raw(status: u16, content_type: &str, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("text/plain"));
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, target: &str) -> Option<(String, String)> {
        find_route(method, target).map(|(r, n)| (format!("{r:?}"), n))
    }

    #[test]
    fn matches_like_lumes_router() {
        let r = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
        assert_eq!(route("GET", "/lume/vms"), r("List", ""));
        assert_eq!(
            route("GET", "/lume/vms/"),
            r("List", ""),
            "empty parts are dropped"
        );
        assert_eq!(
            route("GET", "/lume/vms?storage=x"),
            None,
            "the query is part of the last segment"
        );
        assert_eq!(route("GET", "/lume/vms/a"), r("Get", "a"));
        assert_eq!(
            route("GET", "/lume/vms/a?storage=x"),
            r("Get", "a"),
            ":name absorbs the query"
        );
        assert_eq!(
            route("GET", "/lume/vms/my%20vm"),
            r("Get", "my%20vm"),
            "no percent-decoding"
        );
        assert_eq!(route("POST", "/lume/vms/a/run"), r("Run", "a"));
        assert_eq!(route("POST", "/lume/vms/a/run?x=1"), None);
        assert_eq!(route("GET", "/lume/vms/a/run"), None);
        assert_eq!(route("POST", "/lume/vms/a/stop"), r("Stop", "a"));
        assert_eq!(route("GET", "/lume/host/status"), r("HostStatus", ""));
        assert_eq!(route("GET", "/api/lume/vms/a"), None);
        assert_eq!(route("GET", "/"), None);
    }
}
