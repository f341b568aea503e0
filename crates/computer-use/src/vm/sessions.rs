//! [`Vms`]: one [`VmSession`] per configured VM, created on first use and shared by every caller, so several
//! agents or MCP clients driving the same VM share its connections (and its FIFO order).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::vm::{VmError, VmSession};

/// The sessions of all configured VMs.
#[derive(Debug)]
pub struct Vms {
    config: Arc<Config>,
    sessions: Mutex<HashMap<String, Arc<VmSession>>>,
}

impl Vms {
    /// Holds no connection until a VM is first used.
    pub fn new(config: Arc<Config>) -> Vms {
        Vms {
            config,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Every session created so far (for the end of a process: releasing what is still held).
    pub fn sessions(&self) -> Vec<Arc<VmSession>> {
        match self.sessions.lock() {
            Ok(sessions) => sessions.values().cloned().collect(),
            Err(poisoned) => poisoned.into_inner().values().cloned().collect(),
        }
    }

    /// The session for `name` (the default VM when `None`), created on first use.
    pub fn get(&self, name: Option<&str>) -> Result<Arc<VmSession>, VmError> {
        let target = self.config.vm(name)?;
        let mut sessions = self.sessions.lock().map_err(|_| {
            VmError::Lifecycle("internal error: the session table is poisoned".into())
        })?;
        if let Some(s) = sessions.get(&target.name) {
            return Ok(s.clone());
        }
        let key = target.name.clone();
        let session = Arc::new(VmSession::new(target)?);
        sessions.insert(key, session.clone());
        Ok(session)
    }
}
