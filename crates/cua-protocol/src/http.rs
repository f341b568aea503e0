//! The HTTP side of the server: `POST /cmd` (a fallback transport), `GET /status` and `GET /commands`
//! (discovery).
//!
//! `/cmd` quirks that matter: the status line (200) is sent *before* the command runs, so HTTP 200 does not
//! mean success — the body is one `data: {json}` record whose `success` decides. Errors found before dispatch
//! (unknown command, bad JSON, cloud auth) are FastAPI `{"detail": "..."}` with a 4xx status.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::command::Command;
use crate::endpoint::Endpoint;
use crate::error::{Error, truncate};
use crate::reply::Reply;

/// `GET /status`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerStatus {
    /// `"ok"`.
    pub status: String,
    /// `linux`, `darwin`, `windows`, `android`.
    #[serde(default)]
    pub os_type: Option<String>,
    /// e.g. `["mcp"]`.
    #[serde(default)]
    pub features: Vec<String>,
}

/// One parameter in `GET /commands`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ParamSpec {
    /// Name.
    pub name: String,
    /// Whether the server requires it.
    #[serde(default)]
    pub required: bool,
    /// The server's default.
    #[serde(default)]
    pub default: serde_json::Value,
}

/// One command in `GET /commands`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CommandSpec {
    /// Parameters.
    #[serde(default)]
    pub params: Vec<ParamSpec>,
    /// Aliases.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// `GET /commands`: what this server (version, OS, backend) actually offers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CommandCatalog {
    /// Canonical name → spec.
    pub commands: BTreeMap<String, CommandSpec>,
    /// Alias → canonical name.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
}

impl CommandCatalog {
    /// Whether the server offers `command` (canonical name or alias).
    pub fn supports(&self, command: &str) -> bool {
        self.commands.contains_key(command) || self.aliases.contains_key(command)
    }

    /// An error for an unsupported command, listing what is available.
    pub fn unavailable(&self, command: &str) -> Error {
        let vnc_like =
            !self.commands.contains_key("run_command") && self.commands.contains_key("screenshot");
        Error::CommandUnavailable {
            command: command.to_string(),
            backend: vnc_like.then(|| "the server runs a reduced backend such as VNC".to_string()),
            available: self.commands.keys().cloned().collect::<Vec<_>>().join(", "),
        }
    }
}

/// A client for the HTTP endpoints of one server.
#[derive(Debug, Clone)]
pub struct HttpClient {
    http: reqwest::Client,
    endpoint: Endpoint,
}

impl HttpClient {
    /// A client for the server at `endpoint` (its HTTP base is derived from the WebSocket URL).
    pub fn new(endpoint: Endpoint, timeout: Duration) -> Result<HttpClient, Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| Error::Http {
                url: endpoint.http_base().to_string(),
                status: None,
                detail: e.to_string(),
            })?;
        Ok(HttpClient { http, endpoint })
    }

    fn url(&self, path: &str) -> Result<Url, Error> {
        self.endpoint
            .http_base()
            .join(path)
            .map_err(|e| Error::InvalidUrl {
                url: format!("{}{path}", self.endpoint.http_base()),
                reason: e.to_string(),
            })
    }

    fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        let mut req = self.http.request(method, url);
        if let Some(auth) = self.endpoint.auth() {
            req = req
                .header("X-Container-Name", &auth.container_name)
                .header("X-API-Key", auth.api_key.expose());
        }
        req
    }

    /// `GET /status`.
    pub async fn status(&self) -> Result<ServerStatus, Error> {
        let url = self.url("status")?;
        let body = self.get_text(url.clone()).await?;
        serde_json::from_str::<ServerStatus>(&body)
            .ok()
            .filter(|s| s.status == "ok")
            .ok_or_else(|| Error::NotCuaServer {
                url: url.to_string(),
                detail: format!("GET /status answered {}", truncate(&body, 120)),
            })
    }

    /// `GET /commands`.
    pub async fn commands(&self) -> Result<CommandCatalog, Error> {
        let url = self.url("commands")?;
        let body = self.get_text(url.clone()).await?;
        serde_json::from_str(&body).map_err(|e| Error::NotCuaServer {
            url: url.to_string(),
            detail: format!(
                "GET /commands is not a command catalog ({e}); the server may be older than 0.3"
            ),
        })
    }

    /// `POST /cmd`: runs one command over HTTP.
    pub async fn cmd(&self, command: &Command) -> Result<Reply, Error> {
        self.post_cmd(command.name(), command.to_frame()).await
    }

    /// `POST /cmd` with a command this crate does not model (errors name it `custom command`).
    pub async fn cmd_raw(&self, name: &str, params: serde_json::Value) -> Result<Reply, Error> {
        let frame = serde_json::json!({"command": name, "params": params}).to_string();
        self.post_cmd("custom command", frame).await
    }

    async fn post_cmd(&self, name: &'static str, frame: String) -> Result<Reply, Error> {
        let url = self.url("cmd")?;
        let response = self
            .request(reqwest::Method::POST, url.clone())
            .header("content-type", "application/json")
            .body(frame)
            .send()
            .await
            .map_err(|e| self.transport_error(&url, e, name))?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|e| self.transport_error(&url, e, name))?;
        if status != 200 {
            let detail = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_string))
                .unwrap_or_else(|| truncate(&body, 200));
            return Err(if status == 401 {
                Error::AuthFailed { message: detail }
            } else {
                Error::Http {
                    url: url.to_string(),
                    status: Some(status),
                    detail,
                }
            });
        }
        let record = body.trim();
        let Some(json) = record.strip_prefix("data:") else {
            return Err(Error::Http {
                url: url.to_string(),
                status: Some(200),
                detail: if record.is_empty() {
                    format!(
                        "empty body: the stream was cut before `{name}` finished; its outcome is unknown"
                    )
                } else {
                    format!(
                        "expected one `data: {{...}}` record, got {}",
                        truncate(record, 120)
                    )
                },
            });
        };
        Reply::parse(name, json.trim())
    }

    async fn get_text(&self, url: Url) -> Result<String, Error> {
        let response = self
            .request(reqwest::Method::GET, url.clone())
            .send()
            .await
            .map_err(|e| self.connect_error(&url, e))?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|e| self.connect_error(&url, e))?;
        if status != 200 {
            return Err(Error::NotCuaServer {
                url: url.to_string(),
                detail: format!("HTTP {status}: {}", truncate(&body, 120)),
            });
        }
        Ok(body)
    }

    fn connect_error(&self, url: &Url, e: reqwest::Error) -> Error {
        if e.is_connect() {
            Error::ConnectRefused {
                addr: self.endpoint.addr(),
                url: url.to_string(),
                port: self.endpoint.port(),
            }
        } else if e.is_timeout() {
            Error::ConnectTimeout {
                url: url.to_string(),
                addr: self.endpoint.addr(),
                after: Duration::ZERO,
            }
        } else {
            Error::Http {
                url: url.to_string(),
                status: None,
                detail: e.to_string(),
            }
        }
    }

    fn transport_error(&self, url: &Url, e: reqwest::Error, command: &'static str) -> Error {
        if e.is_connect() {
            return self.connect_error(url, e);
        }
        // The request may have reached the server: report an unknown outcome, never resend.
        Error::Http {
            url: url.to_string(),
            status: Some(200),
            detail: format!("{e}; `{command}` may or may not have run"),
        }
    }
}
