//! The exec allowlist attacked: a corpus of bypass attempts (quoting and escapes of every refused argument,
//! each entry of the programs table, glob/brace/tilde expansion, comments, backslash-newline, tabs and other
//! whitespace, path spellings, environment prefixes, Unicode look-alikes, deny-list spellings), run through the
//! core (`tools::call`) against the **real** cua-computer-server on a private Xvfb desktop (the guest is this
//! machine, so the test sees the guest's files).
//!
//! Each attempt would create its own marker file if the attack worked. Each must either be refused naming its
//! rule, or run exactly the argv the policy judged — proven with a recorder program (allowed by its path) that
//! writes the arguments it received — and no marker may ever appear. The table is data: add a row per new idea.
//! This test runs without retries (.config/nextest.toml): a flaky safety test is a failing one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::*;
use computer_use::tools::ToolErrorKind;
use serde_json::{Value, json};
use testkit::desktop::Desktop;

/// What must happen to an attempt.
enum Expect {
    /// Refused before anything is sent, naming this rule.
    Refused(&'static str),
    /// Ran the recorder with exactly these arguments.
    Ran(&'static [&'static str]),
    /// Ran a real program (exit status 0).
    RanOk,
}

use Expect::*;

/// `(tool, arguments, expected)`. In the arguments, `{M}` is this attempt's marker path, `{R}` the recorder,
/// `{RR}` the recorder spelt with a doubled slash, `{D}` the scratch directory.
fn corpus() -> Vec<(&'static str, Value, Expect)> {
    let exec = |c: &str| json!({ "command": c });
    vec![
        // Quoting and escapes of refused arguments: the words are judged after unquoting.
        (
            "vm_exec",
            exec("find {D} \"-exec\" touch {M} +"),
            Refused("find-exec"),
        ),
        (
            "vm_exec",
            exec("find {D} -e\\xec touch {M} +"),
            Refused("find-exec"),
        ),
        (
            "vm_exec",
            exec("find {D} '-execdir' touch {M} +"),
            Refused("find-exec"),
        ),
        (
            "vm_exec",
            exec("find {D} -e''x\"\"ec touch {M} +"),
            Refused("find-exec"),
        ),
        (
            "vm_exec",
            exec("find {D} -ok touch {M} +"),
            Refused("find-exec"),
        ),
        (
            "vm_exec",
            exec("find {D} -okdir touch {M} +"),
            Refused("find-exec"),
        ),
        // git: configuration, aliases and the options that run programs.
        (
            "vm_exec",
            exec("git -c alias.x='!touch {M}' x"),
            Refused("git-config"),
        ),
        (
            "vm_exec",
            exec("git -c core.fsmonitor='touch {M}' status"),
            Refused("git-config"),
        ),
        (
            "vm_exec",
            exec("git \"-c\" core.pager='touch {M}' log"),
            Refused("git-config"),
        ),
        (
            "vm_exec",
            exec("git -ccore.pager='touch {M}' log"),
            Refused("git-config"),
        ),
        (
            "vm_exec",
            exec("git --config-env=core.pager=PWN log"),
            Refused("git-config"),
        ),
        (
            "vm_exec",
            exec("git config alias.x '!touch {M}'"),
            Refused("git-config"),
        ),
        ("vm_exec", exec("git x"), Refused("git-alias")),
        (
            "vm_exec",
            exec("git -C {D} status"),
            Refused("git-directory"),
        ),
        (
            "vm_exec",
            exec("git --git-dir={D} status"),
            Refused("git-directory"),
        ),
        (
            "vm_exec",
            exec("git --exec-path={D} status"),
            Refused("git-exec-path"),
        ),
        (
            "vm_exec",
            exec("git rebase --exec 'touch {M}' HEAD"),
            Refused("git-runs-program"),
        ),
        (
            "vm_exec",
            exec("git fetch --upload-pack='touch {M}' origin"),
            Refused("git-runs-program"),
        ),
        (
            "vm_exec",
            exec("git bisect run touch {M}"),
            Refused("git-runs-program"),
        ),
        // tar, ssh, rsync.
        (
            "vm_exec",
            exec("tar --to-command='touch {M}' -xf {D}/a.tar"),
            Refused("tar-command"),
        ),
        (
            "vm_exec",
            exec("tar --to-com='touch {M}' -xf {D}/a.tar"),
            Refused("tar-command"),
        ),
        (
            "vm_exec",
            exec("tar -cf {D}/a.tar --checkpoint=1 --checkpoint-action=exec='touch {M}' {D}"),
            Refused("tar-command"),
        ),
        (
            "vm_exec",
            exec("tar -I 'touch {M}' -cf {D}/a.tar {D}"),
            Refused("tar-command"),
        ),
        (
            "vm_exec",
            exec("tar --use-compress-program='touch {M}' -cf {D}/a.tar {D}"),
            Refused("tar-command"),
        ),
        (
            "vm_exec",
            exec("ssh -o ProxyCommand='touch {M}' example"),
            Refused("ssh-command"),
        ),
        (
            "vm_exec",
            exec("ssh -oProxyCommand='touch {M}' example"),
            Refused("ssh-command"),
        ),
        (
            "vm_exec",
            exec("rsync -e 'touch {M}' {D} example:x"),
            Refused("rsync-command"),
        ),
        (
            "vm_exec",
            exec("rsync -avze 'touch {M}' {D} example:x"),
            Refused("rsync-command"),
        ),
        (
            "vm_exec",
            exec("rsync --rsync-path='touch {M}' {D} example:x"),
            Refused("rsync-command"),
        ),
        // Terminal emulators, on both paths of vm_launch.
        (
            "vm_launch",
            json!({"app": "xterm -e sh -c \"touch {M}\""}),
            Refused("terminal-command"),
        ),
        (
            "vm_launch",
            json!({"app": "xterm", "args": ["-e", "sh", "-c", "touch {M}"]}),
            Refused("terminal-command"),
        ),
        (
            "vm_launch",
            json!({"app": "xterm", "args": ["-xrm", "*.vt100.translations: #override <Key>F1: exec-formatted(\"touch {M}\", PRIMARY)"]}),
            Refused("terminal-command"),
        ),
        // sed, awk, pagers, man.
        (
            "vm_exec",
            exec("sed -n '1e touch {M}' {R}"),
            Refused("sed-command"),
        ),
        (
            "vm_exec",
            exec("sed -n 's/x/y/w {M}' {R}"),
            Refused("sed-command"),
        ),
        (
            "vm_exec",
            exec("sed -i 's/x/y/' {R}"),
            Refused("sed-command"),
        ),
        (
            "vm_exec",
            exec("awk 'BEGIN{system(\"touch {M}\")}'"),
            Refused("awk-command"),
        ),
        (
            "vm_exec",
            exec("awk '{print | \"sh\"}' {R}"),
            Refused("awk-command"),
        ),
        (
            "vm_exec",
            exec("awk 'BEGIN{print 1 > \"{M}\"}'"),
            Refused("awk-command"),
        ),
        (
            "vm_exec",
            exec("less '+!touch {M}' {R}"),
            Refused("pager-command"),
        ),
        (
            "vm_exec",
            exec("man -P 'touch {M}' ls"),
            Refused("man-command"),
        ),
        // Launchers and interpreters are not allowed (and could not be, without guards.exec.unrestricted).
        ("vm_exec", exec("sh -c 'touch {M}'"), Refused("not-allowed")),
        ("vm_exec", exec("env touch {M}"), Refused("not-allowed")),
        ("vm_exec", exec("nohup touch {M}"), Refused("not-allowed")),
        (
            "vm_exec",
            exec("timeout 5 touch {M}"),
            Refused("not-allowed"),
        ),
        ("vm_exec", exec("nice touch {M}"), Refused("not-allowed")),
        ("vm_exec", exec("sudo touch {M}"), Refused("not-allowed")),
        (
            "vm_exec",
            exec("python3 -c 'open(\"{M}\", \"w\")'"),
            Refused("not-allowed"),
        ),
        (
            "vm_exec",
            exec("perl -e 'open F, \">{M}\"'"),
            Refused("not-allowed"),
        ),
        (
            "vm_launch",
            json!({"app": "xargs", "args": ["touch", "{M}"]}),
            Refused("not-allowed"),
        ),
        // Path spellings of the program.
        (
            "vm_exec",
            exec("/bin//sh -c 'touch {M}'"),
            Refused("not-allowed"),
        ),
        ("vm_exec", exec("./touch {M}"), Refused("not-allowed")),
        (
            "vm_exec",
            exec("/usr/bin/../bin/touch {M}"),
            Refused("path-spelling"),
        ),
        ("vm_exec", exec("/bin/ls {D}"), Refused("not-allowed")),
        // Environment prefixes.
        (
            "vm_exec",
            exec("LD_PRELOAD={D}/x.so ls {D}"),
            Refused("env-prefix"),
        ),
        (
            "vm_exec",
            exec("PAGER='touch {M}' git log"),
            Refused("env-prefix"),
        ),
        (
            "vm_exec",
            exec("GIT_CONFIG_PARAMETERS=\"'core.pager=touch {M}'\" git log"),
            Refused("env-prefix"),
        ),
        // Shell syntax: operators, substitutions, redirections.
        (
            "vm_exec",
            exec("echo x; touch {M}"),
            Refused("metacharacter"),
        ),
        (
            "vm_exec",
            exec("echo x && touch {M}"),
            Refused("metacharacter"),
        ),
        (
            "vm_exec",
            exec("echo x | tee {M}"),
            Refused("metacharacter"),
        ),
        ("vm_exec", exec("echo x > {M}"), Refused("metacharacter")),
        ("vm_exec", exec("echo x >> {M}"), Refused("metacharacter")),
        ("vm_exec", exec("echo $(touch {M})"), Refused("expansion")),
        (
            "vm_exec",
            exec("echo \"$(touch {M})\""),
            Refused("expansion"),
        ),
        ("vm_exec", exec("echo `touch {M}`"), Refused("expansion")),
        (
            "vm_exec",
            exec("echo \"`touch {M}`\""),
            Refused("expansion"),
        ),
        ("vm_exec", exec("echo ${PWD}"), Refused("expansion")),
        // Line breaks, backslash-newline, other control characters.
        ("vm_exec", exec("echo x\ntouch {M}"), Refused("control")),
        (
            "vm_exec",
            exec("echo x \\\n&& touch {M}"),
            Refused("control"),
        ),
        ("vm_exec", exec("echo x\r\ntouch {M}"), Refused("control")),
        ("vm_exec", exec("echo x\u{b}touch {M}"), Refused("control")),
        (
            "vm_exec",
            exec("echo x\u{0}; touch {M}"),
            Refused("control"),
        ),
        // Globs, braces, tildes, comments.
        ("vm_exec", exec("echo {D}/*"), Refused("glob")),
        ("vm_exec", exec("ls {D}/?"), Refused("glob")),
        ("vm_exec", exec("ls {D}/[ab]"), Refused("glob")),
        ("vm_exec", exec("touch {{M},x}"), Refused("brace")),
        ("vm_exec", exec("ls ~"), Refused("tilde")),
        ("vm_exec", exec("ls ~root"), Refused("tilde")),
        ("vm_exec", exec("echo x # ; touch {M}"), Refused("comment")),
        // Unicode look-alikes of shell syntax and invisible characters.
        (
            "vm_exec",
            exec("echo x\u{ff1b} touch {M}"),
            Refused("lookalike"),
        ),
        (
            "vm_exec",
            exec("echo x \u{ff5c} touch {M}"),
            Refused("lookalike"),
        ),
        ("vm_exec", exec("echo\u{a0}x"), Refused("lookalike")),
        ("vm_exec", exec("echo \u{202e}x"), Refused("lookalike")),
        ("vm_exec", exec("echo x\u{200b}y"), Refused("lookalike")),
        (
            "vm_exec",
            exec("echo \u{2018}x\u{2019}"),
            Refused("lookalike"),
        ),
        // Unlexable text.
        (
            "vm_exec",
            exec("echo 'unclosed; touch {M}"),
            Refused("quote"),
        ),
        ("vm_exec", exec("echo x \\"), Refused("quote")),
        ("vm_exec", exec(" \t "), Refused("empty")),
        // The deny seatbelt on normalised words.
        ("vm_exec", exec("cat /etc//shadow"), Refused("deny")),
        ("vm_exec", exec("cat /etc/./shadow"), Refused("deny")),
        ("vm_exec", exec("cat /etc/../etc/shadow"), Refused("deny")),
        ("vm_exec", exec("cat \"/etc/sha\"dow"), Refused("deny")),
        ("vm_exec", exec("cat /etc/sh\\adow"), Refused("deny")),
        (
            "vm_launch",
            json!({"app": "cat", "args": ["/etc//shadow"]}),
            Refused("deny"),
        ),
        // Accepted: the shell receives the judged words, literally, whatever they contain.
        (
            "vm_exec",
            exec("{R} '$(touch {M})'"),
            Ran(&["$(touch {M})"]),
        ),
        (
            "vm_exec",
            exec("{R} '`touch {M}`' 'x;touch {M}' \"y|z\""),
            Ran(&["`touch {M}`", "x;touch {M}", "y|z"]),
        ),
        (
            "vm_exec",
            exec("{R} '*' '?' '[ab]' '{a,b}' '~' '#c'"),
            Ran(&["*", "?", "[ab]", "{a,b}", "~", "#c"]),
        ),
        (
            "vm_exec",
            exec("{R} \"-exec\" touch {M} '+'"),
            Ran(&["-exec", "touch", "{M}", "+"]),
        ),
        (
            "vm_exec",
            exec("{R} a\\ b \"c\\\"d\" 'e'\"'\"'f' ''"),
            Ran(&["a b", "c\"d", "e'f", ""]),
        ),
        ("vm_exec", exec("{R}\t'tab'\t\tx"), Ran(&["tab", "x"])),
        ("vm_exec", exec("{R} \"a b\"'c'd"), Ran(&["a bcd"])),
        ("vm_exec", exec("{R} x=$'y'"), Refused("expansion")),
        (
            "vm_exec",
            exec("{R} 'x=$(touch {M})' HEAD~1 a#b"),
            Ran(&["x=$(touch {M})", "HEAD~1", "a#b"]),
        ),
        (
            "vm_exec",
            exec("{RR} doubled-slash"),
            Ran(&["doubled-slash"]),
        ),
        (
            "vm_launch",
            json!({"app": "{R} '$(touch {M})' ';'"}),
            Ran(&["$(touch {M})", ";"]),
        ),
        (
            "vm_launch",
            json!({"app": "{R}", "args": ["$(touch {M})", "; touch {M}", "`x`"]}),
            Ran(&["$(touch {M})", "; touch {M}", "`x`"]),
        ),
        ("vm_exec", exec("ls -la {D}"), RanOk),
        ("vm_exec", exec("find {D} -name '*.none'"), RanOk),
        ("vm_exec", exec("sed -n 1p {R}"), RanOk),
        ("vm_exec", exec("awk '{print $1}' {R}"), RanOk),
        ("vm_exec", exec("git --version"), RanOk),
    ]
}

/// Replaces the placeholders in every string of `v`.
fn fill(v: &Value, marker: &Path, dir: &Path, rec: &Path) -> Value {
    match v {
        Value::String(s) => Value::String(fill_str(s, marker, dir, rec)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| fill(i, marker, dir, rec)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, marker, dir, rec)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn fill_str(s: &str, marker: &Path, dir: &Path, rec: &Path) -> String {
    let rec_text = rec.display().to_string();
    let doubled = rec_text.replacen('/', "//", 2);
    s.replace("{RR}", &doubled)
        .replace("{R}", &rec_text)
        .replace("{M}", &marker.display().to_string())
        .replace("{D}", &dir.display().to_string())
}

/// The arguments the recorder last received, once it has written them (vm_launch returns before it runs).
async fn recorded(out: &Path) -> Vec<String> {
    let Some(bytes) = eventually(std::time::Duration::from_secs(10), async || {
        std::fs::read(out)
            .ok()
            .filter(|b| b.ends_with(b"\n--end--\n"))
    })
    .await
    else {
        return vec!["(the recorder never ran)".to_owned()];
    };
    let text = String::from_utf8(bytes).unwrap();
    let body = text.strip_suffix("\n--end--\n").unwrap_or(&text);
    let mut args: Vec<String> = body.split('\0').map(str::to_owned).collect();
    // printf '%s\0' ends every argument with NUL: the last piece is empty.
    args.pop();
    args
}

#[tokio::test]
async fn every_bypass_attempt_is_refused_by_its_rule_or_runs_exactly_the_judged_argv() {
    let desktop = Desktop::start();
    let dir = scratch("exec-corpus");
    let markers = dir.join("markers");
    std::fs::create_dir_all(&markers).unwrap();
    let out = dir.join("recorded");
    let rec = dir.join("rec");
    std::fs::write(
        &rec,
        format!(
            "#!/bin/sh\nprintf '%s\\0' \"$@\" > {out}.tmp\nprintf '\\n--end--\\n' >> {out}.tmp\nmv {out}.tmp {out}\n",
            out = out.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&rec, std::fs::Permissions::from_mode(0o755)).unwrap();
    let allow = [
        "ls", "cat", "echo", "touch", "git", "find", "tar", "sed", "awk", "xterm", "ssh", "rsync",
        "less", "man",
    ]
    .iter()
    .map(|p| format!("'{p}'"))
    .chain(std::iter::once(format!("'{}'", rec.display())))
    .collect::<Vec<_>>()
    .join(", ");
    let ctx = ctx(
        &desktop,
        &format!(
            "guards: {{ exec: {{ mode: 'allowlist', allow: [{allow}], deny: ['cat /etc/shadow*', '* /etc/shadow*'] }}, rate: {{ enabled: false }}, loop: {{ enabled: false }} }}"
        ),
    );

    let rows = corpus();
    let (mut refused, mut ran_exactly, mut other) = (0, 0, Vec::<String>::new());
    for (i, (tool, args, expect)) in rows.iter().enumerate() {
        let marker = markers.join(format!("m{i}"));
        let args = fill(args, &marker, &dir, &rec);
        let _ = std::fs::remove_file(&out);
        let result = computer_use::tools::call(&ctx, tool, args.clone()).await;
        let what = format!("#{i} {tool} {args}");
        match (expect, &result) {
            (Refused(rule), Err(e)) if e.kind == ToolErrorKind::Rejected => {
                let named = if *rule == "deny" {
                    e.message.contains("matches the deny pattern")
                } else {
                    e.message.ends_with(&format!("(rule: {rule})."))
                };
                if named {
                    refused += 1;
                } else {
                    other.push(format!(
                        "{what}: refused, but not by rule {rule}: {}",
                        e.message
                    ));
                }
            }
            (Ran(want), Ok(_)) => {
                let want: Vec<String> = want
                    .iter()
                    .map(|w| fill_str(w, &marker, &dir, &rec))
                    .collect();
                let got = recorded(&out).await;
                if got == want {
                    ran_exactly += 1;
                } else {
                    other.push(format!(
                        "{what}: the recorder got {got:?}, the policy judged {want:?}"
                    ));
                }
            }
            (RanOk, Ok(out))
                if out.details.get("returnCode").and_then(Value::as_i64) == Some(0) =>
            {
                ran_exactly += 1;
            }
            (_, result) => other.push(format!("{what}: unexpected {result:?}")),
        }
        if marker.exists() {
            other.push(format!("{what}: the marker {} appeared", marker.display()));
        }
    }
    // Launched recorders and anything else get a moment; then no marker may exist at all.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let left: Vec<_> = std::fs::read_dir(&markers)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    eprintln!(
        "exec bypass corpus: {} attempts: {refused} refused naming their rule, {ran_exactly} ran exactly as judged, {} executed anything else; markers found: {}",
        rows.len(),
        other.len(),
        left.len()
    );
    assert!(rows.len() >= 60, "the corpus has {} attempts", rows.len());
    assert!(
        other.is_empty(),
        "attempts that did something else:\n{}",
        other.join("\n")
    );
    assert!(left.is_empty(), "markers appeared: {left:?}");
    assert_eq!(refused + ran_exactly, rows.len());
    std::fs::remove_dir_all(&dir).unwrap();
}
