//! The raw capture floor, shared by the screenshot and tokens benches: the least a client can do to get a
//! screenshot — one socket, send, read one text frame, parse, base64-decode.

use std::borrow::Cow;

use base64::Engine as _;
use futures_util::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A minimal WebSocket client for cua-computer-server's `screenshot`.
pub struct RawClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

#[derive(Deserialize)]
struct RawReply<'a> {
    success: bool,
    #[serde(borrow, default)]
    image_data: Option<Cow<'a, str>>,
    #[serde(default)]
    error: Option<String>,
}

impl RawClient {
    /// Connects to `url` (`ws://…/ws`).
    pub async fn connect(url: &str) -> Result<RawClient, String> {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(|e| format!("cannot connect to {url}: {e}"))?;
        Ok(RawClient { ws })
    }

    /// One JPEG screenshot at `quality`, decoded from base64.
    pub async fn screenshot(&mut self, quality: u8) -> Result<Vec<u8>, String> {
        let request = format!(
            r#"{{"command":"screenshot","params":{{"format":"jpeg","quality":{quality}}}}}"#
        );
        self.ws
            .send(Message::text(request))
            .await
            .map_err(|e| format!("send: {e}"))?;
        loop {
            let msg = self
                .ws
                .next()
                .await
                .ok_or_else(|| "the server closed the socket".to_owned())?
                .map_err(|e| format!("read: {e}"))?;
            // Pings are answered by tungstenite itself; only the reply matters here.
            let Message::Text(text) = msg else { continue };
            let reply: RawReply<'_> = serde_json::from_str(text.as_str())
                .map_err(|e| format!("reply is not the expected JSON: {e}"))?;
            if !reply.success {
                return Err(format!(
                    "screenshot failed: {}",
                    reply.error.unwrap_or_default()
                ));
            }
            let data = reply
                .image_data
                .ok_or_else(|| "reply has no image_data".to_owned())?;
            return base64::engine::general_purpose::STANDARD
                .decode(data.as_bytes())
                .map_err(|e| format!("image_data is not base64: {e}"));
        }
    }

    /// Closes the socket.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
