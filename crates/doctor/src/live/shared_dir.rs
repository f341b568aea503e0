//! Is the configured shared directory (`sharedDir`, passed to Lume by `computer-use vm up`) mounted in the VM?
//!
//! Lume shares every directory under the virtio-fs tag `com.apple.virtio-fs.automount`, each named after the
//! host folder's basename (`docs/lume-api.md`, "Shared directories"): a macOS guest automounts it at
//! `/Volumes/My Shared Files/<basename>` (the seed's path); a Linux guest must mount the tag itself. Shares are
//! attached when the VM starts, so a VM started without them needs a restart with the share.

use computer_use::config::{Provider, VmTarget};
use computer_use::vm::VmSession;

use crate::report::Check;

/// Check id.
pub const ID: &str = "shared_dir";

/// Where macOS guests automount Lume's shares.
pub const MACOS_SHARE_ROOT: &str = "/Volumes/My Shared Files";

/// The virtio-fs tag of every Lume share.
const VIRTIOFS_TAG: &str = "com.apple.virtio-fs.automount";

/// The check. `guest_os` is Lume's `os` (`macOS`/`linux`); `macos_root` is where a macOS guest mounts shares.
pub async fn check(
    target: &VmTarget,
    session: &VmSession,
    guest_os: Option<&str>,
    macos_root: &str,
) -> Check {
    let (dir, vm_name) = match &target.provider {
        Provider::Lume {
            shared_dir: Some(dir),
            vm_name,
            ..
        } => (dir, vm_name),
        Provider::Lume { .. } => return Check::skip(ID, "no sharedDir configured"),
        _ => {
            return Check::skip(
                ID,
                "sharedDir applies to Lume VMs (computer-use vm up passes it to Lume); this VM uses another provider",
            );
        }
    };
    if !dir.is_dir() {
        return Check::fail(
            ID,
            format!("sharedDir {} does not exist on this host", dir.display()),
            "create the directory (Lume refuses to start a VM with a missing share: \"Host path does not exist or is not a directory\")",
        );
    }
    let restart = format!(
        "restart the VM with the share: `computer-use vm down && computer-use vm up`, or `lume run {vm_name} --no-display --shared-dir {}` (shares are attached at start)",
        dir.display()
    );
    let shell = session.shell();
    if guest_os.is_some_and(|os| os.eq_ignore_ascii_case("linux")) {
        return match shell.read_text("/proc/mounts").await {
            Ok(mounts) => match mounts.lines().find(|l| l.starts_with(VIRTIOFS_TAG)) {
                Some(line) => Check::pass(
                    ID,
                    format!(
                        "the Lume share is mounted in the Linux guest at {}",
                        line.split_whitespace().nth(1).unwrap_or("?")
                    ),
                ),
                None => Check::fail(
                    ID,
                    format!(
                        "the Lume share ({}) is not mounted in the Linux guest",
                        dir.display()
                    ),
                    format!(
                        "inside the VM: sudo mkdir -p /mnt/shared && sudo mount -t virtiofs {VIRTIOFS_TAG} /mnt/shared; if that fails, {restart}"
                    ),
                ),
            },
            Err(e) => Check::fail_from_error(ID, &session.explain(e)),
        };
    }
    let Some(base) = dir.file_name() else {
        return Check::fail(
            ID,
            format!("sharedDir {} has no folder name", dir.display()),
            "use a directory path such as ~/.openclaw/workspaces/main/vm-shared",
        );
    };
    let guest = format!(
        "{}/{}",
        macos_root.trim_end_matches('/'),
        base.to_string_lossy()
    );
    match shell.directory_exists(&guest).await {
        Ok(true) => Check::pass(
            ID,
            format!(
                "sharedDir {} is mounted in the VM at {guest}",
                dir.display()
            ),
        ),
        Ok(false) => Check::fail(
            ID,
            format!(
                "sharedDir {} is not mounted in the VM (no {guest})",
                dir.display()
            ),
            restart,
        ),
        Err(e) => Check::fail_from_error(ID, &session.explain(e)),
    }
}
