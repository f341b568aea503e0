//! Checks that need more than a JSON Schema: URL syntax, absolute paths, names, and rules that span
//! keys (provider `url` needs `serverUrl`, `defaultVm` must name a VM).
//!
//! They run on the typed configuration after structural validation; their problems are reported
//! together with the structural ones. Each problem's path points at the key the user has to edit.

use std::collections::BTreeMap;
use std::path::Path;

use url::Url;

use super::defaults as d;
use super::error::Problem;
use super::exec_patterns;
use super::raw::{Cloud, Config, ExecMode, ProviderKind};
use super::validate::show_path;

/// Every semantic problem of `config`.
pub(super) fn check(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    let top: Vec<String> = Vec::new();

    // Values as written, at the place they are written.
    check_lume_url(&at(&top, "lumeApiUrl"), &config.lume_api_url, &mut out);
    if let Some(url) = &config.server_url {
        check_ws_url(&at(&top, "serverUrl"), url, &mut out);
    }
    check_ws_path(&at(&top, "wsPath"), &config.ws_path, &mut out);
    if let Some(dir) = &config.shared_dir {
        check_absolute(&at(&top, "sharedDir"), dir, SHARED_DIR_EXAMPLE, &mut out);
    }
    if let Some(cloud) = &config.cloud {
        check_cloud(&at(&top, "cloud"), cloud, &mut out);
    }
    for (name, entry) in &config.vms {
        let base = vec!["vms".to_owned(), name.clone()];
        check_vm_name(&base, name, &mut out);
        if let Some(url) = &entry.lume_api_url {
            check_lume_url(&at(&base, "lumeApiUrl"), url, &mut out);
        }
        if let Some(url) = &entry.server_url {
            check_ws_url(&at(&base, "serverUrl"), url, &mut out);
        }
        if let Some(path) = &entry.ws_path {
            check_ws_path(&at(&base, "wsPath"), path, &mut out);
        }
        if let Some(dir) = &entry.shared_dir {
            check_absolute(&at(&base, "sharedDir"), dir, SHARED_DIR_EXAMPLE, &mut out);
        }
        if let Some(cloud) = &entry.cloud {
            check_cloud(&at(&base, "cloud"), cloud, &mut out);
        }
    }

    // Rules on the effective (merged) settings of each VM.
    if config.provider == ProviderKind::Url && config.server_url.is_none() {
        out.push(Problem::new(
            &at(&top, "serverUrl"),
            "`provider` is \"url\" but `serverUrl` is not set: add the server's WebSocket URL, e.g. `serverUrl: \"ws://host:8000/ws\"`",
        ));
    }
    for (name, entry) in &config.vms {
        let merged = config.merged(Some(entry));
        // An entry that inherits provider `url` without a URL repeats the top-level problem: say it once.
        let inherited = entry.provider.is_none() && config.server_url.is_none();
        if merged.provider == ProviderKind::Url && merged.server_url.is_none() && !inherited {
            let base = vec!["vms".to_owned(), name.clone()];
            out.push(Problem::new(
                &at(&base, "serverUrl"),
                format!(
                    "`{}`: provider is \"url\" but no `serverUrl` is set for it: add e.g. `serverUrl: \"ws://host:8000/ws\"`",
                    show_path(&base)
                ),
            ));
        }
    }
    check_guards(config, &mut out);
    check_tool_globs(&at(&top, "tools"), &config.tools, &mut out);
    for (name, entry) in &config.vms {
        if let Some(tools) = &entry.tools {
            check_tool_globs(
                &at(&["vms".to_owned(), name.clone()], "tools"),
                tools,
                &mut out,
            );
        }
    }
    if let Some(default_vm) = &config.default_vm
        && default_vm != d::DEFAULT_VM
        && !config.vms.contains_key(default_vm)
    {
        out.push(Problem::new(
            &at(&top, "defaultVm"),
            format!(
                "`defaultVm` = {default_vm:?} is not a configured VM; configured VMs: {}",
                config.vm_names().join(", ")
            ),
        ));
    }
    for (agent, vm) in &config.agent_vms {
        if vm != d::DEFAULT_VM && !config.vms.contains_key(vm) {
            let base = vec!["agentVms".to_owned(), agent.clone()];
            out.push(Problem::new(
                &base,
                format!(
                    "`agentVms.{agent}` = {vm:?} is not a configured VM; configured VMs: {}",
                    config.vm_names().join(", ")
                ),
            ));
        }
    }
    out
}

/// The guard and audit settings: thresholds in order, usable exec lists that the mode reads, an absolute
/// audit path.
fn check_guards(config: &Config, out: &mut Vec<Problem>) {
    let loops = ["guards".to_owned(), "loop".to_owned()];
    let l = &config.guards.loops;
    for (warn_key, warn, refuse_key, refuse) in [
        ("repeatWarn", l.repeat_warn, "repeatRefuse", l.repeat_refuse),
        (
            "alternationWarn",
            l.alternation_warn,
            "alternationRefuse",
            l.alternation_refuse,
        ),
        (
            "identicalScreenshotsWarn",
            l.identical_screenshots_warn,
            "identicalScreenshotsRefuse",
            l.identical_screenshots_refuse,
        ),
    ] {
        if warn > refuse {
            let path = at(&loops, warn_key);
            out.push(Problem::new(
                &path,
                format!(
                    "`{}` = {warn} is above `{refuse_key}` = {refuse}: the warning would never be seen; make it at most {refuse}",
                    show_path(&path)
                ),
            ));
        }
    }
    let exec_base = ["guards".to_owned(), "exec".to_owned()];
    let exec = &config.guards.exec;
    for (i, pattern) in exec.deny.iter().enumerate() {
        if let Some(why) = exec_patterns::pattern_problem(pattern) {
            let path = at(&at(&exec_base, "deny"), &i.to_string());
            out.push(Problem::new(
                &path,
                format!("`{}` = {pattern:?} {why}", show_path(&path)),
            ));
        }
    }
    for (i, program) in exec.allow.iter().enumerate() {
        if let Some(why) = exec_patterns::program_problem(program) {
            let path = at(&at(&exec_base, "allow"), &i.to_string());
            out.push(Problem::new(
                &path,
                format!("`{}` = {program:?} {why}", show_path(&path)),
            ));
        }
    }
    // A launcher in the allowlist allows everything: only with the operator's explicit acknowledgement.
    for (i, program) in exec.allow.iter().enumerate() {
        if let Some(reason) = crate::programs::launcher_reason(program)
            && !exec.unrestricted.contains(program)
        {
            let path = at(&at(&exec_base, "allow"), &i.to_string());
            out.push(Problem::new(
                &path,
                format!(
                    "`{}` = {program:?} can run any program ({reason}), so allowing it allows every command: remove it, or also list it in `guards.exec.unrestricted` to say you know this",
                    show_path(&path)
                ),
            ));
        }
    }
    for (i, program) in exec.unrestricted.iter().enumerate() {
        if !exec.allow.contains(program) {
            let path = at(&at(&exec_base, "unrestricted"), &i.to_string());
            out.push(Problem::new(
                &path,
                format!(
                    "`{}` = {program:?} is not in `guards.exec.allow`: `unrestricted` only acknowledges allowed programs; add it to `allow` or remove it here",
                    show_path(&path)
                ),
            ));
        }
    }
    // A list the mode does not read would give a false sense of safety: say which mode reads it.
    let mode = exec.mode;
    if !exec.deny.is_empty() && mode == ExecMode::Open {
        out.push(Problem::new(
            &at(&exec_base, "deny"),
            "`guards.exec.deny` is set but `guards.exec.mode` is \"open\", which runs every command: set `mode: \"deny\"` (or \"allowlist\") to apply the patterns",
        ));
    }
    if !exec.allow.is_empty() && mode != ExecMode::Allowlist {
        out.push(Problem::new(
            &at(&exec_base, "allow"),
            format!(
                "`guards.exec.allow` is set but `guards.exec.mode` is {:?}, which does not read it: set `mode: \"allowlist\"` to allow only the listed programs",
                mode.as_str()
            ),
        ));
    }
    for (i, pattern) in config.audit.redact_patterns.iter().enumerate() {
        let why = if pattern.is_empty() {
            Some("is empty; write a regular expression such as \"corp-[0-9a-f]{32}\"".to_owned())
        } else {
            regex::Regex::new(pattern).err().map(|e| {
                format!(
                    "is not a valid regular expression ({})",
                    e.to_string().lines().last().unwrap_or_default().trim()
                )
            })
        };
        if let Some(why) = why {
            let path = vec![
                "audit".to_owned(),
                "redactPatterns".to_owned(),
                i.to_string(),
            ];
            out.push(Problem::new(
                &path,
                format!("`{}` = {pattern:?} {why}", show_path(&path)),
            ));
        }
    }
    if let Some(file) = &config.audit.key_file {
        check_absolute(
            &["audit".to_owned(), "keyFile".to_owned()],
            file,
            "/etc/computer-use/audit-key",
            out,
        );
    }
    let approval = &config.guards.approval;
    for (list, entries) in [("tools", &approval.tools), ("keys", &approval.keys)] {
        for (i, glob) in entries.iter().enumerate() {
            if let Some(why) = exec_patterns::pattern_problem(glob) {
                let path = vec![
                    "guards".to_owned(),
                    "approval".to_owned(),
                    list.to_owned(),
                    i.to_string(),
                ];
                out.push(Problem::new(
                    &path,
                    format!("`{}` = {glob:?} {why}", show_path(&path)),
                ));
            }
        }
    }
    if approval.exec == super::raw::ApprovalExec::OutsideAllowlist && mode != ExecMode::Allowlist {
        out.push(Problem::new(
            &["guards".to_owned(), "approval".to_owned(), "exec".to_owned()],
            "`guards.approval.exec` is \"outsideAllowlist\" but `guards.exec.mode` is not \"allowlist\": set `mode: \"allowlist\"` (or use `exec: \"always\"`)",
        ));
    }
    if let Some(path) = &config.audit.path {
        check_absolute(
            &["audit".to_owned(), "path".to_owned()],
            path,
            "/var/log/computer-use/audit.jsonl",
            out,
        );
    }
    if let Some(dir) = &config.record.dir {
        check_absolute(
            &["record".to_owned(), "dir".to_owned()],
            dir,
            "/var/lib/computer-use/recordings",
            out,
        );
    }
}

/// Advisories that do not make the configuration invalid.
pub(super) fn warnings(config: &Config) -> Vec<String> {
    // Apple's Virtualization.framework licence allows two macOS VMs per host; Lume enforces it.
    let mut per_host: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let targets = std::iter::once(config.merged(None))
        .chain(config.vms.values().map(|e| config.merged(Some(e))));
    for m in targets.filter(|m| m.provider == ProviderKind::Lume) {
        let names = per_host.entry(m.lume_api_url).or_default();
        if !names.contains(&m.vm_name) {
            names.push(m.vm_name);
        }
    }
    let mut out: Vec<String> = per_host
        .into_iter()
        .filter(|(_, names)| names.len() > 2)
        .map(|(host, names)| {
            format!(
                "{} Lume VMs ({}) are configured on the host at {host}, but Lume runs at most 2 macOS VMs at once per host; only two can be up at the same time",
                names.len(),
                names.join(", ")
            )
        })
        .collect();
    let exec = &config.guards.exec;
    if exec.mode == ExecMode::Allowlist && exec.allow.is_empty() {
        out.push("`guards.exec.mode` is \"allowlist\" but `guards.exec.allow` is empty: every command to run and every program to launch will be refused".to_owned());
    }
    if exec.mode == ExecMode::Deny && exec.deny.is_empty() {
        out.push("`guards.exec.mode` is \"deny\" but `guards.exec.deny` is empty: no command will be refused".to_owned());
    }
    out
}

/// `tools.allow` / `tools.deny` entries must be globs that compile.
fn check_tool_globs(base: &[String], tools: &super::raw::ToolPolicyConfig, out: &mut Vec<Problem>) {
    for (list, entries) in [("allow", &tools.allow), ("deny", &tools.deny)] {
        for (i, glob) in entries.iter().enumerate() {
            if let Some(why) = exec_patterns::pattern_problem(glob) {
                let path = at(&at(base, list), &i.to_string());
                out.push(Problem::new(
                    &path,
                    format!("`{}` = {glob:?} {why}", show_path(&path)),
                ));
            }
        }
    }
}

const SHARED_DIR_EXAMPLE: &str = "/Users/me/.openclaw/workspaces/main/vm-shared";

fn at(base: &[String], key: &str) -> Vec<String> {
    let mut path = base.to_vec();
    path.push(key.to_owned());
    path
}

fn check_ws_url(path: &[String], text: &str, out: &mut Vec<Problem>) {
    let reason = match Url::parse(text) {
        Err(e) => Some(format!("is not a valid URL ({e})")),
        Ok(url) if !matches!(url.scheme(), "ws" | "wss") => Some(format!(
            "uses `{}://`, but cua-computer-server is reached over WebSocket: use ws:// (or wss:// for TLS)",
            url.scheme()
        )),
        Ok(url) if url.host_str().is_none_or(str::is_empty) => Some("has no host".to_owned()),
        Ok(url) if url.path().is_empty() || url.path() == "/" => Some(
            "has no path: the server only accepts WebSocket connections on its endpoint path (`/ws`); other paths get HTTP 403"
                .to_owned(),
        ),
        Ok(_) => None,
    };
    if let Some(reason) = reason {
        out.push(Problem::new(
            path,
            format!(
                "`{}` = {:?} {reason}; write it like \"ws://host:8000/ws\"",
                show_path(path),
                text
            ),
        ));
    }
}

fn check_lume_url(path: &[String], text: &str, out: &mut Vec<Problem>) {
    let reason = match Url::parse(text) {
        Err(e) => Some(format!("is not a valid URL ({e})")),
        Ok(url) if !matches!(url.scheme(), "http" | "https") => Some(format!(
            "uses `{}://`; the Lume API is plain HTTP: use http://",
            url.scheme()
        )),
        Ok(url) if url.host_str().is_none_or(str::is_empty) => Some("has no host".to_owned()),
        Ok(_) => None,
    };
    if let Some(reason) = reason {
        out.push(Problem::new(
            path,
            format!(
                "`{}` = {:?} {reason}; write it like \"{}\"",
                show_path(path),
                text,
                d::LUME_API_URL
            ),
        ));
    }
}

fn check_ws_path(path: &[String], text: &str, out: &mut Vec<Problem>) {
    let bad = !text.starts_with('/')
        || text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#');
    if bad {
        out.push(Problem::new(
            path,
            format!(
                "`{}` = {:?} must be a URL path starting with \"/\" (no spaces, `?` or `#`), e.g. \"{}\"",
                show_path(path),
                text,
                d::WS_PATH
            ),
        ));
    }
}

fn check_absolute(path: &[String], dir: &Path, example: &str, out: &mut Vec<Problem>) {
    if dir.is_absolute() {
        return;
    }
    let tilde = if dir.starts_with("~") {
        " (`~` is not expanded)"
    } else {
        ""
    };
    out.push(Problem::new(
        path,
        format!(
            "`{}` = {:?} must be an absolute path{tilde}, e.g. \"{example}\"",
            show_path(path),
            dir.display().to_string()
        ),
    ));
}

fn check_cloud(base: &[String], cloud: &Cloud, out: &mut Vec<Problem>) {
    let env = cloud.api_key_env();
    let mut chars = env.chars();
    let valid_name = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        // The value is not echoed: a user may have pasted the key itself here.
        let path = at(base, "apiKeyEnv");
        out.push(Problem::new(
            &path,
            format!(
                "`{}` is not an environment variable name (letters, digits and `_`, not starting with a digit): it must name the variable that holds the API key, e.g. \"{}\", never the key itself",
                show_path(&path),
                d::CLOUD_API_KEY_ENV
            ),
        ));
    }
    if let Some(file) = cloud.api_key_file() {
        check_absolute(
            &at(base, "apiKeyFile"),
            file,
            "/Users/me/.config/cua/api-key",
            out,
        );
    }
}

fn check_vm_name(base: &[String], name: &str, out: &mut Vec<Problem>) {
    if name == d::DEFAULT_VM {
        out.push(Problem::new(
            base,
            "`vms.default`: the name `default` is reserved for the VM described by the top-level keys; rename this entry",
        ));
        return;
    }
    let mut chars = name.chars();
    let valid = name.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        out.push(Problem::new(
            base,
            format!(
                "`{}`: VM names must be 1-64 letters, digits, `-`, `_` or `.`, starting with a letter or digit",
                show_path(base)
            ),
        ));
    }
}
