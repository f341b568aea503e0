//! A **fake** of Lume's HTTP API (`lume serve`), for tests: real Lume is macOS-only and manages real VMs, so
//! it cannot run here. The fake reproduces the behaviour documented in `docs/lume-api.md` (read from
//! Lume 0.5.3's source) for the routes this project uses:
//!
//! | Route | Answer |
//! |---|---|
//! | `GET /lume/vms` | 200, the VMs sorted by name (pulling VMs omitted); `GET /lume/vms?storage=x` is **404** (Lume's query-string quirk) |
//! | `GET /lume/vms/:name` | 200 `VMDetails` with every key (null when absent); a pulling VM gives only `{"name","status":"pulling","downloadProgress"}`; unknown → **400** `{"message":"Virtual machine not found: X"}` |
//! | `POST /lume/vms/:name/run` | 202 `{"message":"VM start initiated","name","status":"pending"}`; a stopped VM becomes running with `ipAddress: null` until its `boot_after` passed; every `sharedDirectories[].hostPath` must be a directory here, else 400 `Host path does not exist or is not a directory: P` |
//! | `POST /lume/vms/:name/stop` | 200 `{"message":"VM stopped successfully"}`; real Lume blocks ≥ 5 s, the fake for [`LumeFake::set_stop_block`] (0 by default); not running → 400 `Virtual machine not running: X` |
//! | `GET /lume/host/status` | 200 `{"status":"healthy","vmCount","maxVMs":2,"availableSlots","version":"1.0.0"}` (`vmCount` counts running VMs: our reading) |
//! | anything else | **404** `Not found`, text/plain |
//!
//! Lume does not percent-decode `:name`, and neither does the fake. Beyond Lume, the handle lets a test
//! change state while the server runs ([`LumeFake::set_status`], [`LumeFake::set_ip`] for a VM whose IP
//! changes, [`LumeFake::remove_vm`]), slow it down ([`LumeFake::set_delay`]), take it off the network
//! ([`LumeFake::stop`] closes the listener; [`LumeFake::restart`] rebinds the same port), make it fail every
//! other request ([`LumeFake::set_flapping`]), see what it was asked ([`LumeFake::requests`]), and inject a
//! reply Lume would not give ([`LumeFake::override_response`]).
//!
//! The `lume-fake` binary (`src/bin/lume_fake.rs`) runs it as a separate process.

mod routes;
mod vm;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use vm::{FakeSharedDir, FakeVm, status};

use vm::VmState;

/// How long [`LumeFake::stop`] lets in-flight requests finish before it abandons them.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// A running fake Lume server and the handle to script it. Dropping it shuts the server down.
#[derive(Debug)]
pub struct LumeFake {
    shared: Arc<Shared>,
    port: u16,
    server: Mutex<Option<ServerTask>>,
}

/// State shared by the handle and the request handlers.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    state: Mutex<FakeState>,
}

#[derive(Debug, Default)]
pub(crate) struct FakeState {
    vms: BTreeMap<String, VmState>,
    delay: Duration,
    stop_block: Duration,
    requests: Vec<(String, String)>,
    canned: Vec<Canned>,
    /// `Some(n)`: flapping, `n` requests answered since it was turned on.
    flapping: Option<u64>,
}

/// A reply injected with [`LumeFake::override_response`].
#[derive(Debug, Clone)]
pub(crate) struct Canned {
    method: String,
    target: String,
    status: u16,
    content_type: String,
    body: String,
}

#[derive(Debug)]
struct ServerTask {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

/// Locks the state; a test that panicked while holding the lock leaves the data usable, so poisoning is ignored.
pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, FakeState> {
    shared.state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl LumeFake {
    /// Starts the fake on `127.0.0.1` and a free port, serving `vms`.
    ///
    /// # Panics
    /// If no loopback port can be bound: the test cannot run then, and the panic says why. Use
    /// [`LumeFake::try_start`] to handle that yourself.
    pub async fn start(vms: Vec<FakeVm>) -> LumeFake {
        match Self::try_start(vms).await {
            Ok(fake) => fake,
            Err(e) => panic!("lume fake: cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Like [`LumeFake::start`], returning the bind error.
    pub async fn try_start(vms: Vec<FakeVm>) -> std::io::Result<LumeFake> {
        Self::start_on(0, vms).await
    }

    /// Starts the fake on `127.0.0.1:port` (0 picks a free port).
    pub async fn start_on(port: u16, vms: Vec<FakeVm>) -> std::io::Result<LumeFake> {
        let now = Instant::now();
        let shared = Arc::new(Shared::default());
        {
            let mut state = lock(&shared);
            for vm in vms {
                state.vms.insert(vm.name.clone(), VmState::new(vm, now));
            }
        }
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
        let port = listener.local_addr()?.port();
        let task = serve(listener, Arc::clone(&shared));
        Ok(LumeFake {
            shared,
            port,
            server: Mutex::new(Some(task)),
        })
    }

    /// `http://127.0.0.1:PORT`, the base URL to give a Lume client.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port the fake listens on (kept across [`LumeFake::stop`] and [`LumeFake::restart`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Closes the listener so that connections are refused (Lume not running). Idle connections are closed;
    /// requests in flight get up to 2 s to finish. Does nothing if already stopped.
    pub async fn stop(&self) {
        let task = self
            .server
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(ServerTask { shutdown, mut task }) = task {
            // The receiver is gone only if the server task already ended; either way it stops.
            let _ = shutdown.send(());
            if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
                task.abort();
            }
        }
    }

    /// Listens again on the same port, with the same VMs and settings. Does nothing if running.
    pub async fn restart(&self) -> std::io::Result<()> {
        if self
            .server
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
        {
            return Ok(());
        }
        let listener =
            TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))).await?;
        let task = serve(listener, Arc::clone(&self.shared));
        *self.server.lock().unwrap_or_else(PoisonError::into_inner) = Some(task);
        Ok(())
    }

    /// `true`: [`LumeFake::stop`]; `false`: [`LumeFake::restart`].
    pub async fn set_down(&self, down: bool) -> std::io::Result<()> {
        if down {
            self.stop().await;
            Ok(())
        } else {
            self.restart().await
        }
    }

    /// Sets a VM's status string (see [`status`]). Becoming `"running"` from another status starts its boot
    /// clock, as a `run` does. Returns false if there is no such VM.
    pub fn set_status(&self, name: &str, new_status: &str) -> bool {
        let mut state = lock(&self.shared);
        let Some(vm) = state.vms.get_mut(name) else {
            return false;
        };
        let was_running = vm.is_running();
        vm.vm.status = new_status.to_owned();
        if vm.is_running() && !was_running {
            vm.start_booting(Instant::now());
        }
        true
    }

    /// Sets the VM's IP (a new DHCP lease, or `None` for none); it shows at once while running, ending any boot
    /// delay. Returns false if there is no such VM.
    pub fn set_ip(&self, name: &str, ip: Option<String>) -> bool {
        let mut state = lock(&self.shared);
        let Some(vm) = state.vms.get_mut(name) else {
            return false;
        };
        vm.vm.ip = ip;
        vm.ip_from = None;
        true
    }

    /// Adds a VM, or replaces the one of the same name.
    pub fn add_vm(&self, vm: FakeVm) {
        let mut state = lock(&self.shared);
        state
            .vms
            .insert(vm.name.clone(), VmState::new(vm, Instant::now()));
    }

    /// Deletes a VM; later requests for it get Lume's "not found". Returns false if there was none.
    pub fn remove_vm(&self, name: &str) -> bool {
        lock(&self.shared).vms.remove(name).is_some()
    }

    /// Fault injection (a flapping Lume): while on, every other request — the 1st, 3rd, … after turning it on —
    /// fails with Lume's answer to an exception escaping a handler (500 `{"message": ...}` as JSON,
    /// `docs/lume-api.md`, "Errors"); the others are answered normally.
    pub fn set_flapping(&self, on: bool) {
        lock(&self.shared).flapping = on.then_some(0);
    }

    /// Delays every reply by `delay` (a slow or hung Lume).
    pub fn set_delay(&self, delay: Duration) {
        lock(&self.shared).delay = delay;
    }

    /// How long `POST .../stop` holds its reply after stopping the VM (real Lume: ≥ 5 s; fake default 0).
    pub fn set_stop_block(&self, block: Duration) {
        lock(&self.shared).stop_block = block;
    }

    /// Every request received so far, as `(method, target)`; the target is the raw path with its query, e.g.
    /// `("GET", "/lume/vms/my%20vm")`.
    pub fn requests(&self) -> Vec<(String, String)> {
        lock(&self.shared).requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared).requests.clear();
    }

    /// The VM's current status string, or `None` if there is no such VM.
    pub fn status_of(&self, name: &str) -> Option<String> {
        lock(&self.shared)
            .vms
            .get(name)
            .map(|v| v.vm.status.clone())
    }

    /// The shared directories of the last `run` that started the VM (`None` if it was never started by `run`).
    pub fn shared_directories(&self, name: &str) -> Option<Vec<FakeSharedDir>> {
        lock(&self.shared)
            .vms
            .get(name)
            .and_then(|v| v.shared_dirs.clone())
    }

    /// How many `run` requests started the VM.
    pub fn run_count(&self, name: &str) -> u32 {
        lock(&self.shared).vms.get(name).map_or(0, |v| v.runs)
    }

    /// Fault injection (not Lume behaviour): answer `method target` (exact target, query included) with this
    /// reply instead, e.g. a 200 whose body is not JSON, or a 500. Later calls for the same request win.
    pub fn override_response(
        &self,
        method: &str,
        target: &str,
        status: u16,
        content_type: &str,
        body: &str,
    ) {
        let mut state = lock(&self.shared);
        state
            .canned
            .retain(|c| !(c.method == method && c.target == target));
        state.canned.push(Canned {
            method: method.to_owned(),
            target: target.to_owned(),
            status,
            content_type: content_type.to_owned(),
            body: body.to_owned(),
        });
    }

    /// Removes every injected reply.
    pub fn clear_overrides(&self) {
        lock(&self.shared).canned.clear();
    }
}

impl Drop for LumeFake {
    fn drop(&mut self) {
        // Dropping the sender fires the graceful shutdown; the task ends once open connections close.
        if let Some(task) = self
            .server
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            drop(task.shutdown);
        }
    }
}

/// Serves the fake on `listener` until the returned task's shutdown sender fires or is dropped.
fn serve(listener: TcpListener, shared: Arc<Shared>) -> ServerTask {
    let app = Router::new().fallback(routes::handle).with_state(shared);
    let (shutdown, signal) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let stopped = async {
            // Fires on send and on drop of the sender alike.
            let _ = signal.await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
        {
            eprintln!("lume fake: server error: {e}");
        }
    });
    ServerTask { shutdown, task }
}
