//! [`LumeClient`]: one method per Lume route we use, and the mapping of replies to [`LumeError`].
//!
//! The client reports what Lume says and nothing more: it does not poll, retry, or decide that a booting VM
//! (running, `ipAddress` null) is an error. That policy belongs to its caller.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use url::Url;

use crate::error::{LumeError, error_message_from_body};
use crate::vm::{HostStatus, RunOptions, VmDetails};

/// Extra time [`LumeClient::stop_vm`] allows on top of the request timeout: Lume's stop handler waits for the
/// guest to shut down and then sleeps 5 s "for locks to clear" before it answers.
pub const STOP_EXTRA_TIMEOUT: Duration = Duration::from_secs(60);

/// The prefix of Lume's 400 message for an unknown VM (`VMError.notFound`).
const NOT_FOUND_PREFIX: &str = "Virtual machine not found";

/// A client of one Lume HTTP server (`lume serve`). Cheap to clone; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct LumeClient {
    http: reqwest::Client,
    base: Url,
    request_timeout: Duration,
}

impl LumeClient {
    /// A client for the Lume at `base_url` (e.g. `http://127.0.0.1:7777`, or with a path prefix behind a
    /// proxy). Every request must finish within `request_timeout`, except [`LumeClient::stop_vm`].
    ///
    /// Only checks the URL; sends nothing. `https://` is refused: `lume serve` speaks plain HTTP on 127.0.0.1
    /// only, and this crate is built without TLS (reqwest without its TLS features) to keep builds small.
    pub fn new(base_url: &str, request_timeout: Duration) -> Result<Self, LumeError> {
        let base = parse_base_url(base_url)?;
        let mut builder = reqwest::Client::builder()
            .timeout(request_timeout)
            .connect_timeout(request_timeout);
        if is_loopback(&base) {
            // A proxy from HTTP_PROXY would never reach the host's own loopback Lume.
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| LumeError::Transport {
            url: base_url.to_owned(),
            detail: format!("cannot build the HTTP client: {}", error_chain(&e)),
        })?;
        Ok(Self {
            http,
            base,
            request_timeout,
        })
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// The timeout applied to each request.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// One VM's details (`GET /lume/vms/{name}`). A running VM may have `ip_address: None` while it boots.
    ///
    /// Errors: [`LumeError::VmNotFound`] when Lume does not know the name.
    #[doc(alias = "GET /lume/vms/:name")]
    pub async fn get_vm(&self, name: &str) -> Result<VmDetails, LumeError> {
        let url = self.vm_url(name, None)?;
        let body = self
            .call(
                Method::GET,
                url.clone(),
                None,
                Some(name),
                self.request_timeout,
            )
            .await?;
        decode(&url, &body)
    }

    /// All VMs, sorted by name (`GET /lume/vms`).
    #[doc(alias = "GET /lume/vms")]
    pub async fn list_vms(&self) -> Result<Vec<VmDetails>, LumeError> {
        let url = self.endpoint(&["lume", "vms"])?;
        let body = self
            .call(Method::GET, url.clone(), None, None, self.request_timeout)
            .await?;
        decode(&url, &body)
    }

    /// Starts a VM (`POST /lume/vms/{name}/run`). Lume answers 202 at once and boots in the background, so the
    /// VM is not necessarily running (nor has an IP) when this returns; poll [`LumeClient::get_vm`].
    ///
    /// Lume accepts a run of an unknown VM too (the start fails in the background); the next `get_vm` says
    /// [`LumeError::VmNotFound`].
    #[doc(alias = "POST /lume/vms/:name/run")]
    pub async fn run_vm(&self, name: &str, options: &RunOptions) -> Result<(), LumeError> {
        let url = self.vm_url(name, Some("run"))?;
        let body = serde_json::to_vec(options).map_err(|e| LumeError::Transport {
            url: url.to_string(),
            detail: format!("cannot encode the run options: {e}"),
        })?;
        self.call(
            Method::POST,
            url,
            Some(body),
            Some(name),
            self.request_timeout,
        )
        .await?;
        Ok(())
    }

    /// Stops a VM (`POST /lume/vms/{name}/stop`). Lume answers only after the VM stopped and 5 more seconds,
    /// so this allows [`STOP_EXTRA_TIMEOUT`] on top of the request timeout.
    #[doc(alias = "POST /lume/vms/:name/stop")]
    pub async fn stop_vm(&self, name: &str) -> Result<(), LumeError> {
        let url = self.vm_url(name, Some("stop"))?;
        let timeout = self.request_timeout.saturating_add(STOP_EXTRA_TIMEOUT);
        self.call(Method::POST, url, None, Some(name), timeout)
            .await?;
        Ok(())
    }

    /// Lume's health (`GET /lume/host/status`); a cheap way to check the URL points at Lume.
    #[doc(alias = "GET /lume/host/status")]
    pub async fn host_status(&self) -> Result<HostStatus, LumeError> {
        let url = self.endpoint(&["lume", "host", "status"])?;
        let body = self
            .call(Method::GET, url.clone(), None, None, self.request_timeout)
            .await?;
        decode(&url, &body)
    }

    /// `{base}/lume/vms/{name}[/{action}]`, the name percent-encoded as one path segment.
    fn vm_url(&self, name: &str, action: Option<&str>) -> Result<Url, LumeError> {
        if name.is_empty() || name == "." || name == ".." {
            return Err(LumeError::InvalidVmName {
                name: name.to_owned(),
                reason: "a VM name must not be empty, `.` or `..`".to_owned(),
            });
        }
        let mut segments = vec!["lume", "vms", name];
        segments.extend(action);
        self.endpoint(&segments)
    }

    /// The base URL with `segments` appended (the base's own path, if any, is kept as a prefix).
    fn endpoint(&self, segments: &[&str]) -> Result<Url, LumeError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| LumeError::InvalidUrl {
                url: self.base.to_string(),
                reason: "it cannot have a path".to_owned(),
            })?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// Sends one request and returns the body of a 2xx reply; maps everything else to a [`LumeError`].
    /// `vm` is the VM the request is about, which turns Lume's 400 "not found" into [`LumeError::VmNotFound`].
    async fn call(
        &self,
        method: Method,
        url: Url,
        json_body: Option<Vec<u8>>,
        vm: Option<&str>,
        timeout: Duration,
    ) -> Result<String, LumeError> {
        let started = Instant::now();
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .timeout(timeout);
        if let Some(body) = json_body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let outcome = async {
            let response = request.send().await?;
            let status = response.status();
            let text = response.text().await?;
            Ok::<_, reqwest::Error>((status, text))
        }
        .await;
        let (status, text) = match outcome {
            Ok(reply) => reply,
            Err(e) => {
                tracing::debug!(%method, %url, error = %error_chain(&e), "lume request failed");
                return Err(transport_error(&url, timeout, &e));
            }
        };
        tracing::debug!(%method, %url, status = status.as_u16(), elapsed_ms = started.elapsed().as_millis(), "lume reply");
        classify(status, text, &url, self.base_url(), vm)
    }
}

/// Maps a reply status (and body) to the caller's result.
fn classify(
    status: StatusCode,
    body: String,
    url: &Url,
    base: &str,
    vm: Option<&str>,
) -> Result<String, LumeError> {
    if status.is_success() {
        return Ok(body);
    }
    if status == StatusCode::NOT_FOUND {
        return Err(LumeError::RouteNotFound {
            url: url.to_string(),
            base: base.to_owned(),
        });
    }
    let message = error_message_from_body(&body);
    if let (StatusCode::BAD_REQUEST, Some(name)) = (status, vm)
        && message.starts_with(NOT_FOUND_PREFIX)
    {
        return Err(LumeError::VmNotFound {
            name: name.to_owned(),
        });
    }
    Err(LumeError::Api {
        url: url.to_string(),
        status: status.as_u16(),
        message,
    })
}

/// Decodes a success body, naming the JSON problem but never quoting the body (it may hold a VNC password).
fn decode<T: serde::de::DeserializeOwned>(url: &Url, body: &str) -> Result<T, LumeError> {
    serde_json::from_str(body).map_err(|e| {
        let what = if body.trim().is_empty() {
            "empty body".to_owned()
        } else {
            format!("not the expected JSON: {e}")
        };
        LumeError::Decode {
            url: url.to_string(),
            detail: what,
        }
    })
}

/// Sorts a reqwest failure into timeout, unreachable, or other transport trouble.
fn transport_error(url: &Url, timeout: Duration, e: &reqwest::Error) -> LumeError {
    let url_text = url.to_string();
    if e.is_timeout() {
        LumeError::Timeout {
            url: url_text,
            after: timeout,
        }
    } else if e.is_connect() {
        LumeError::Unreachable {
            url: url_text,
            detail: root_cause(e),
        }
    } else {
        LumeError::Transport {
            url: url_text,
            detail: error_chain(e),
        }
    }
}

/// The error and its causes joined with `: `, without reqwest's copy of the URL (messages show it already).
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        let text = match text.find(" for url (") {
            Some(i) => text[..i].to_owned(),
            None => text,
        };
        if !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        current = err.source();
    }
    parts.join(": ")
}

/// The innermost cause, e.g. `Connection refused (os error 111)`: the rest of reqwest's chain is noise there.
fn root_cause(e: &reqwest::Error) -> String {
    let mut current: &dyn std::error::Error = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// Checks the base URL: `http` (`https` is refused: this crate is built without TLS), a host, no query or fragment (Lume's router would see a query as part
/// of the path: `docs/lume-api.md`, "Query strings break routing").
fn parse_base_url(raw: &str) -> Result<Url, LumeError> {
    let invalid = |reason: &str| LumeError::InvalidUrl {
        url: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = raw.trim();
    if !trimmed.contains("://") {
        // `localhost:7777` would otherwise parse as scheme `localhost`.
        return Err(invalid(&format!(
            "it has no scheme; write http://{trimmed}"
        )));
    }
    let url = Url::parse(trimmed).map_err(|e| invalid(&e.to_string()))?;
    match url.scheme() {
        "http" => {}
        "https" => {
            return Err(invalid(
                "https is not supported (built without TLS); `lume serve` speaks plain HTTP on 127.0.0.1: use http://, through an SSH tunnel from another host",
            ));
        }
        other => return Err(invalid(&format!("the scheme must be http, not `{other}`"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if url.query().is_some() {
        return Err(invalid("it must not have a query (`?...`)"));
    }
    if url.fragment().is_some() {
        return Err(invalid("it must not have a fragment (`#...`)"));
    }
    Ok(url)
}

/// True when the URL's host is this machine (127.0.0.0/8, ::1, localhost).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn client(base: &str) -> LumeClient {
        LumeClient::new(base, Duration::from_secs(1)).unwrap()
    }

    #[test]
    fn rejects_bad_urls_naming_them() {
        for (bad, why) in [
            ("localhost:7777", "scheme"),
            ("ftp://127.0.0.1:7777", "scheme must be http"),
            ("https://127.0.0.1:7777", "built without TLS"),
            ("", "no scheme"),
            ("http://", "empty host"),
            ("http://127.0.0.1:7777?storage=x", "query"),
            ("http://127.0.0.1:7777/#x", "fragment"),
            ("127.0.0.1:7777", "write http://127.0.0.1:7777"),
        ] {
            let err = LumeClient::new(bad, Duration::from_secs(1)).unwrap_err();
            let msg = err.to_string();
            assert!(err.is_invalid_input(), "{bad}: {err:?}");
            assert!(msg.contains(&format!("`{bad}`")), "{msg}");
            assert!(msg.contains(why), "{bad}: {msg}");
        }
    }

    #[test]
    fn builds_paths_under_the_base_and_encodes_names() {
        let c = client("http://127.0.0.1:7777");
        assert_eq!(c.base_url(), "http://127.0.0.1:7777");
        assert_eq!(
            c.vm_url("a", None).unwrap().as_str(),
            "http://127.0.0.1:7777/lume/vms/a"
        );
        assert_eq!(
            c.vm_url("my vm/x?y#z", Some("run")).unwrap().as_str(),
            "http://127.0.0.1:7777/lume/vms/my%20vm%2Fx%3Fy%23z/run"
        );
        let prefixed = client("http://proxy.local/lume-a/");
        assert_eq!(prefixed.base_url(), "http://proxy.local/lume-a");
        assert_eq!(
            prefixed.endpoint(&["lume", "vms"]).unwrap().as_str(),
            "http://proxy.local/lume-a/lume/vms"
        );
    }

    #[test]
    fn rejects_names_that_are_not_a_segment() {
        let c = client("http://127.0.0.1:7777");
        for bad in ["", ".", ".."] {
            assert!(
                matches!(c.vm_url(bad, None), Err(LumeError::InvalidVmName { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn classifies_replies() {
        let url = Url::parse("http://h/lume/vms/x").unwrap();
        let nf = classify(
            StatusCode::BAD_REQUEST,
            r#"{"message":"Virtual machine not found: x"}"#.into(),
            &url,
            "http://h",
            Some("x"),
        );
        assert_eq!(nf, Err(LumeError::VmNotFound { name: "x".into() }));
        let route = classify(
            StatusCode::NOT_FOUND,
            "Not found".into(),
            &url,
            "http://h",
            Some("x"),
        );
        assert!(route.unwrap_err().is_route_not_found());
        let other = classify(
            StatusCode::BAD_REQUEST,
            r#"{"message":"Invalid run request body"}"#.into(),
            &url,
            "http://h",
            Some("x"),
        );
        assert_eq!(other.unwrap_err().http_status(), Some(400));
        let five = classify(
            StatusCode::INTERNAL_SERVER_ERROR,
            "<html>boom</html>".into(),
            &url,
            "http://h",
            None,
        )
        .unwrap_err();
        assert!(five.to_string().contains("HTTP 500"), "{five}");
        assert!(five.to_string().contains("<html>boom</html>"), "{five}");
        assert_eq!(
            classify(StatusCode::ACCEPTED, "{}".into(), &url, "http://h", None),
            Ok("{}".to_owned())
        );
    }

    #[test]
    fn decode_errors_do_not_quote_the_body() {
        let url = Url::parse("http://h/lume/vms/x").unwrap();
        let err =
            decode::<VmDetails>(&url, r#"{"name":"x","vncUrl":"vnc://:secret@h:1"}"#).unwrap_err();
        assert!(err.is_decode());
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(
            decode::<VmDetails>(&url, "")
                .unwrap_err()
                .to_string()
                .contains("empty body")
        );
    }

    #[test]
    fn loopback_detection() {
        for (u, lo) in [
            ("http://127.0.0.1:1", true),
            ("http://localhost:1", true),
            ("http://[::1]:1", true),
            ("http://10.0.0.1", false),
            ("http://lume.example", false),
            ("http://127.0.0.1.example", false),
        ] {
            assert_eq!(is_loopback(&Url::parse(u).unwrap()), lo, "{u}");
        }
    }
}
