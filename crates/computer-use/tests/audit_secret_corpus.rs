//! The audit log under attack by secrets: a corpus of secret forms (authorization headers, password flags,
//! secret-looking `key=value` pairs, URL user-info, the well-known key formats, PEM private keys, JWTs,
//! high-entropy strings, a configured extra pattern) sent through every tool that takes text — `vm_exec`'s
//! command, `vm_launch`'s arguments, `vm_type`'s text and `vm_clipboard`'s text with `redactText: false` (the
//! hardest case: text is logged, so it must be scrubbed), `vm_file_write`'s content, and `vm_batch`'s nested
//! actions — through the core against the **real** cua-computer-server on a private Xvfb desktop. A scan of the
//! log must find none of them, and every line must still say what was done.
//! This test runs without retries (.config/nextest.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::{Value, json};
use testkit::desktop::Desktop;

/// `(text as an agent would send it, the secret in it, a part that must stay readable)`.
const SECRETS: &[(&str, &str, &str)] = &[
    (
        "curl -H 'Authorization: Bearer sk-proj-AbCdEf1234567890GhIjKlMnOp' https://api.openai.com/v1/models",
        "sk-proj-AbCdEf1234567890GhIjKlMnOp",
        "https://api.openai.com/v1/models",
    ),
    (
        "curl -H \"Authorization: Basic dXNlcjpodW50ZXIyMDI0IQ==\" https://intranet.example/x",
        "dXNlcjpodW50ZXIyMDI0IQ==",
        "https://intranet.example/x",
    ),
    (
        "curl -H 'authorization: token ghp_1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ' https://api.github.com",
        "ghp_1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ",
        "https://api.github.com",
    ),
    (
        "mysql -u root -pS3cretPassw0rd mydb",
        "S3cretPassw0rd",
        "mysql -u root",
    ),
    ("psql --password='Tr0ub4dor&3' -h db", "Tr0ub4dor&3", "psql"),
    (
        "mysqldump --password hunter2hunter2 shop",
        "hunter2hunter2",
        "mysqldump",
    ),
    (
        "sshpass -p 'MyS3cr3t!Pass' ssh deploy@host",
        "MyS3cr3t!Pass",
        "sshpass -p",
    ),
    (
        "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "export",
    ),
    (
        "aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE",
        "AKIAIOSFODNN7EXAMPLE",
        "aws configure set",
    ),
    (
        "git clone https://oauth2:glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm@gitlab.com/g/r.git",
        "glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm",
        "gitlab.com/g/r.git",
    ),
    (
        "git clone https://alice:correct-horse-battery@github.com/o/r",
        "correct-horse-battery",
        "github.com/o/r",
    ),
    (
        "git remote add origin https://ghp_Q1w2E3r4T5y6U7i8O9p0AsDfGhJkLzXcVbNm@github.com/o/r",
        "ghp_Q1w2E3r4T5y6U7i8O9p0AsDfGhJkLzXcVbNm",
        "git remote add origin",
    ),
    (
        "deploy --github github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz012345",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz012345",
        "deploy",
    ),
    (
        "claude --key sk-ant-api03-Xy7Zw6Vu5Ts4Rq3Po2Nm1Lk0Jh9Gf8Ed7Cb6Aa",
        "sk-ant-api03-Xy7Zw6Vu5Ts4Rq3Po2Nm1Lk0Jh9Gf8Ed7Cb6Aa",
        "claude",
    ),
    (
        "{\"api_key\": \"sk-Pl8Ok7Ij6Uh5Yg4Tf3Rd2Es1Wa0Qz9Xc\", \"model\": \"gpt\"}",
        "sk-Pl8Ok7Ij6Uh5Yg4Tf3Rd2Es1Wa0Qz9Xc",
        "\\\"model\\\": \\\"gpt\\\"",
    ),
    (
        "slack-post xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "slack-post",
    ),
    (
        "notify https://hooks.slack.com/services/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",
        "T0ABC1234/B0DEF5678/Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2",
        "notify",
    ),
    (
        "maps --key AIzaSyD-1234567890abcdefghijklmnopqrstu",
        "AIzaSyD-1234567890abcdefghijklmnopqrstu",
        "maps",
    ),
    (
        "gcloud-call ya29.a0AfH6SMBq1w2e3r4t5y6u7i8o9p0",
        "ya29.a0AfH6SMBq1w2e3r4t5y6u7i8o9p0",
        "gcloud-call",
    ),
    (
        "charge sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "charge",
    ),
    (
        "call eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "call",
    ),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98s1Zq0x4Lp2Hk5Vm\n-----END RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEA7bq98s1Zq0x4Lp2Hk5Vm",
        "[redacted:private-key]",
    ),
    (
        "key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
        "[redacted:private-key]",
    ),
    (
        "DATABASE_URL=postgres://app:pg-pass-9f8e7d@db.internal:5432/app ./serve",
        "pg-pass-9f8e7d",
        "db.internal:5432/app",
    ),
    (
        "redis-cli -u redis://:r3d1sP4ssw0rd@cache:6379 ping",
        "r3d1sP4ssw0rd",
        "cache:6379 ping",
    ),
    (
        "wget 'https://api.example.com/v1/data?api_key=q8Zr3LmN0pX2vB7c&format=json'",
        "q8Zr3LmN0pX2vB7c",
        "format=json",
    ),
    (
        "client_secret: GOCSPX-AbCdEfGhIjKlMnOpQrStUvWx",
        "GOCSPX-AbCdEfGhIjKlMnOpQrStUvWx",
        "client_secret",
    ),
    (
        "echo //registry.npmjs.org/:_authToken=npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 > .npmrc",
        "npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "registry.npmjs.org",
    ),
    (
        "twine upload -p pypi-AgEIcHlwaS5vcmcCJGExYmMyZGVmLTEyMzQtNDU2Ny04OWFi dist/*",
        "pypi-AgEIcHlwaS5vcmcCJGExYmMyZGVmLTEyMzQtNDU2Ny04OWFi",
        "twine upload",
    ),
    (
        "huggingface-cli login --token hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "huggingface-cli login",
    ),
    (
        "openssl enc -aes-256-cbc -k 9fQ2xLm7Zp4Rt8Wv1Ks6Yb3Nc5Hd0Ga -in f",
        "9fQ2xLm7Zp4Rt8Wv1Ks6Yb3Nc5Hd0Ga",
        "openssl enc",
    ),
    (
        "bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
        "bot",
    ),
    (
        "mail SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "mail",
    ),
    (
        "curl -H 'Cookie: sessionid=abc123def456ghi789jkl' https://shop.example",
        "abc123def456ghi789jkl",
        "https://shop.example",
    ),
    (
        "curl -H 'X-Api-Key: 5f4dcc3b5aa765d61d8327deb882cf99' https://svc.example",
        "5f4dcc3b5aa765d61d8327deb882cf99",
        "https://svc.example",
    ),
    (
        "doctl auth init -t dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "doctl auth init",
    ),
    ("password: hunter2xyz", "hunter2xyz", "password"),
    (
        "vault login corp-secret-424242",
        "corp-secret-424242",
        "vault login",
    ),
];

#[tokio::test]
async fn no_secret_reaches_the_audit_log_through_any_tool_that_takes_text() {
    let desktop = Desktop::start();
    let dir = scratch("secret-corpus");
    let log = dir.join("audit.jsonl");
    let ctx = ctx(
        &desktop,
        &format!(
            "audit: {{ path: {:?}, keyFile: {:?}, redactText: false, redactPatterns: ['corp-secret-[0-9]+'] }}, guards: {{ rate: {{ enabled: false }}, loop: {{ enabled: false }} }}",
            log.display().to_string(),
            dir.join("audit-key").display().to_string()
        ),
    );
    let mut calls: Vec<(&str, usize)> = Vec::new();
    for (i, (text, _, _)) in SECRETS.iter().enumerate() {
        let quoted = format!("'{}'", text.replace('\'', "'\\''"));
        let file = dir.join(format!("f{i}")).display().to_string();
        let sends = [
            ("vm_exec", json!({"command": format!("true {text}")})),
            (
                "vm_exec",
                json!({"command": format!("printf %s {quoted} > /dev/null")}),
            ),
            ("vm_launch", json!({"app": "true", "args": [text]})),
            ("vm_type", json!({"text": text})),
            ("vm_clipboard", json!({"text": text})),
            ("vm_file_write", json!({"path": file, "content": text})),
            (
                "vm_batch",
                json!({"actions": [{"tool": "vm_exec", "args": {"command": format!("true {text}")}}]}),
            ),
        ];
        for (tool, args) in sends {
            if let Err(e) = computer_use::tools::call(&ctx, tool, args.clone()).await {
                panic!("{tool} {args} failed: {e:?}");
            }
            calls.push((tool, i));
        }
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        !dir.join("audit.jsonl.1").exists(),
        "the log rotated: raise maxBytes so the scan sees everything"
    );
    let found: Vec<&str> = SECRETS
        .iter()
        .map(|(_, secret, _)| *secret)
        .filter(|secret| text.contains(secret))
        .collect();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // One line per call, plus one per batch action (each action is a call of its own).
    let batches = calls.iter().filter(|(t, _)| *t == "vm_batch").count();
    assert_eq!(lines.len(), calls.len() + batches, "{text}");
    // Every line says what was done: the tool, the outcome, and the readable part of the arguments.
    let mut unreadable = Vec::new();
    let mut line = lines.iter();
    for (tool, i) in &calls {
        let (_, _, visible) = SECRETS[*i];
        let mut expected = vec![*tool];
        if *tool == "vm_batch" {
            // The action's own line comes first (it finishes first), then the batch's.
            expected.insert(0, "vm_exec");
        }
        for want in expected {
            let l = line.next().unwrap();
            let args = l["args"].to_string();
            let readable = l["tool"] == want && l["outcome"] == "ok" && args.contains(visible);
            if !readable {
                unreadable.push(format!("{want} #{i}: {l}"));
            }
        }
    }
    eprintln!(
        "secret corpus: {} secret forms x {} sends = {} calls, {} audit lines; secrets found in the log: {}; lines that do not say what was done: {}",
        SECRETS.len(),
        calls.len() / SECRETS.len(),
        calls.len(),
        lines.len(),
        found.len(),
        unreadable.len()
    );
    assert!(SECRETS.len() >= 30);
    assert!(
        found.is_empty(),
        "secrets in the audit log: {found:?}\n{text}"
    );
    assert!(
        unreadable.is_empty(),
        "lines that do not say what was done:\n{}",
        unreadable.join("\n")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
