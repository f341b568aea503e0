//! The task that owns the socket: takes one job at a time from the queue, connects lazily, sends, waits for
//! the one reply, and keeps the idle connection alive between jobs.
//!
//! Retry rules (never replay input):
//! - connection attempts are retried (nothing was sent yet), a bounded number of times within the connect budget;
//! - a read-only command whose connection broke after sending is sent once more on a fresh connection;
//! - anything else that was sent and got no reply fails with an error whose outcome is "unknown";
//! - a frame or a close that is already waiting when a command is about to be sent means the socket is out of
//!   step or gone: the command goes out on a new connection instead (nothing was sent yet).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use crate::endpoint::SharedResolver;
use crate::error::Error;
use crate::ws::connection::{Connection, Event};
use crate::ws::{ClientOptions, ConnectionState, Disconnect};

/// One queued command.
pub(crate) struct Job {
    pub(crate) name: &'static str,
    pub(crate) frame: String,
    pub(crate) idempotent: bool,
    pub(crate) timeout: Duration,
    pub(crate) reply: oneshot::Sender<Result<String, Error>>,
}

/// Counters for tests and status output.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) connects: AtomicU64,
    pub(crate) sent: AtomicU64,
}

pub(crate) struct Actor {
    pub(crate) rx: mpsc::Receiver<Job>,
    pub(crate) resolver: SharedResolver,
    pub(crate) opts: Arc<ClientOptions>,
    pub(crate) state: watch::Sender<ConnectionState>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) conn: Option<Connection>,
}

enum Exchange {
    Reply(String),
    /// Broken after sending: (detail, whether resending a read on a new connection may help, why).
    Lost(String, bool, Disconnect),
    /// Could not even send, or the connection was found dead or out of step before sending: (detail, why).
    SendFailed(String, Disconnect),
    /// The reply exceeded the size limit: (detail).
    TooLarge(String),
    Timeout,
    Cancelled,
}

impl Actor {
    pub(crate) async fn run(mut self) {
        loop {
            let job = match self.conn.as_mut() {
                Some(conn) => {
                    tokio::select! {
                        biased;
                        job = self.rx.recv() => job,
                        event = conn.next_event(None) => {
                            let Some((reason, cause)) = idle_event(event) else {
                                continue;
                            };
                            self.drop_connection(reason, cause).await;
                            continue;
                        }
                    }
                }
                None => self.rx.recv().await,
            };
            let Some(job) = job else { break };
            self.run_job(job).await;
        }
        if let Some(conn) = self.conn.take() {
            conn.close().await;
        }
        let _ = self.state.send(ConnectionState::Closed);
    }

    async fn run_job(&mut self, mut job: Job) {
        if job.reply.is_closed() {
            return; // the caller gave up while queued: nothing was sent
        }
        let mut resent = false;
        loop {
            if self.conn.is_none() {
                let connected = tokio::select! {
                    r = self.connect() => r,
                    _ = job.reply.closed() => return,
                };
                match connected {
                    Ok(conn) => self.conn = Some(conn),
                    Err(e) => {
                        let _ = job.reply.send(Err(e));
                        return;
                    }
                }
            }
            let outcome = self.exchange(&mut job).await;
            let (error, retry) = match outcome {
                Exchange::Reply(text) => {
                    let _ = job.reply.send(Ok(text));
                    return;
                }
                Exchange::SendFailed(detail, cause) => {
                    // Nothing reached the server: safe to retry any command once on a new socket.
                    self.drop_connection(detail.clone(), cause).await;
                    (
                        Error::ConnectionLost {
                            command: job.name,
                            sent: false,
                            detail,
                        },
                        !resent,
                    )
                }
                Exchange::Lost(detail, may_resend, cause) => {
                    self.drop_connection(detail.clone(), cause).await;
                    (
                        Error::ConnectionLost {
                            command: job.name,
                            sent: true,
                            detail,
                        },
                        may_resend && job.idempotent && !resent,
                    )
                }
                Exchange::TooLarge(detail) => {
                    // The server answered, so the command ran; its reply cannot be read. Never resent.
                    self.drop_connection(
                        format!("the reply to `{}` was too large", job.name),
                        Disconnect::Discarded,
                    )
                    .await;
                    (
                        Error::ReplyTooLarge {
                            command: job.name,
                            detail,
                        },
                        false,
                    )
                }
                Exchange::Timeout => {
                    self.drop_connection(
                        format!("`{}` timed out", job.name),
                        Disconnect::Discarded,
                    )
                    .await;
                    (
                        Error::Timeout {
                            command: job.name,
                            after: job.timeout,
                            sent: true,
                        },
                        false,
                    )
                }
                Exchange::Cancelled => {
                    self.drop_connection(
                        format!("`{}` was cancelled in flight", job.name),
                        Disconnect::Discarded,
                    )
                    .await;
                    return;
                }
            };
            if retry {
                tracing::debug!(
                    command = job.name,
                    "connection broke; sending the command again on a new connection"
                );
                resent = true;
                continue;
            }
            let _ = job.reply.send(Err(error));
            return;
        }
    }

    /// Sends the job's frame and waits for its reply, its deadline, or the caller's cancellation.
    async fn exchange(&mut self, job: &mut Job) -> Exchange {
        let Some(conn) = self.conn.as_mut() else {
            return Exchange::SendFailed("not connected".into(), Disconnect::Lost);
        };
        // Whatever is already readable now arrived while nothing was in flight: a frame nobody asked for would
        // be taken for this command's reply, and a close means the server went away between calls. Either
        // way nothing has been sent yet, so a fresh connection is safe.
        if let Some(event) = conn.pending()
            && let Some((reason, cause)) = idle_event(event)
        {
            return Exchange::SendFailed(reason, cause);
        }
        let deadline = Instant::now() + job.timeout;
        let frame = std::mem::take(&mut job.frame);
        let sent = conn.send(frame.clone()).await;
        job.frame = frame;
        if let Err(detail) = sent {
            return Exchange::SendFailed(detail, Disconnect::Lost);
        }
        self.stats.sent.fetch_add(1, Ordering::Relaxed);
        tokio::select! {
            event = conn.next_event(Some(deadline)) => match event {
                Event::Text(text) => Exchange::Reply(text),
                Event::Gone(detail) => Exchange::Lost(detail, true, Disconnect::Lost),
                Event::Unresponsive(detail) => Exchange::Lost(detail, false, Disconnect::Unresponsive),
                Event::TooLarge(detail) => Exchange::TooLarge(detail),
                Event::Deadline => Exchange::Timeout,
            },
            _ = job.reply.closed() => Exchange::Cancelled,
        }
    }

    /// Resolves the address and connects, retrying refused/unreachable attempts within the connect budget.
    async fn connect(&mut self) -> Result<Connection, Error> {
        let _ = self.state.send(ConnectionState::Connecting);
        let started = Instant::now();
        let budget = self.opts.connect_timeout;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let remaining = budget.saturating_sub(started.elapsed());
            let result = match tokio::time::timeout(remaining, self.resolver.resolve()).await {
                Err(_) => Err(Error::Unresolved {
                    message: format!(
                        "the server's address could not be found within {}",
                        crate::error::fmt_duration(budget)
                    ),
                    hint: None,
                    transient: true,
                    not_running: false,
                }),
                Ok(Err(e)) => Err(Error::Unresolved {
                    message: e.message,
                    hint: e.hint,
                    transient: e.transient,
                    not_running: e.not_running,
                }),
                Ok(Ok(endpoint)) => {
                    let remaining = budget
                        .saturating_sub(started.elapsed())
                        .max(Duration::from_millis(100));
                    Connection::open(endpoint, &self.opts, remaining).await
                }
            };
            match result {
                Ok(conn) => {
                    self.stats.connects.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(addr = %conn.endpoint().addr(), package = %conn.version().package, "connected");
                    let _ = self.state.send(ConnectionState::Connected {
                        endpoint: Box::new(conn.endpoint().clone()),
                        version: conn.version().clone(),
                    });
                    return Ok(conn);
                }
                Err(e) => {
                    let transient =
                        matches!(e, Error::ConnectRefused { .. } | Error::Connect { .. });
                    let backoff = Duration::from_millis(200 * u64::from(attempt));
                    if transient
                        && attempt < self.opts.connect_attempts
                        && started.elapsed() + backoff < budget
                    {
                        tracing::debug!(attempt, error = %e, "connect failed; retrying");
                        tokio::time::sleep(backoff).await;
                        continue;
                    }
                    let _ = self.state.send(ConnectionState::Disconnected {
                        reason: first_line(&e.to_string()),
                        cause: Disconnect::of_connect_error(&e),
                    });
                    return Err(e);
                }
            }
        }
    }

    async fn drop_connection(&mut self, reason: String, cause: Disconnect) {
        if let Some(conn) = self.conn.take() {
            tracing::debug!(addr = %conn.endpoint().addr(), %reason, ?cause, "dropping connection");
            // Do not wait for a polite close on a broken socket; just let it go.
            drop(conn);
        }
        let _ = self
            .state
            .send(ConnectionState::Disconnected { reason, cause });
    }
}

/// What a frame or event that arrives while no command is in flight means for the connection: `None` to keep
/// it, else why it must go.
fn idle_event(event: Event) -> Option<(String, Disconnect)> {
    Some(match event {
        Event::Text(t) => (
            format!(
                "unsolicited frame from the server ({} bytes); connection dropped to stay in step",
                t.len()
            ),
            Disconnect::Discarded,
        ),
        Event::TooLarge(detail) => (
            format!("unsolicited oversized frame from the server ({detail})"),
            Disconnect::Discarded,
        ),
        Event::Gone(reason) => (reason, Disconnect::Lost),
        Event::Unresponsive(reason) => (reason, Disconnect::Unresponsive),
        Event::Deadline => return None,
    })
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}
