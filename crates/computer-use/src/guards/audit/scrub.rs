//! Secrets inside free text: command lines, arguments, URLs, error messages, and typed text when `redactText`
//! is off. Redaction by argument *name* (`apiKey`, `password`) cannot see `curl -H 'Authorization: Bearer sk-…'`
//! inside a `command`, so every string that reaches the audit log passes these patterns first. A match is
//! replaced by `[redacted:KIND]`, keeping what says what was done (the program, the flag, the header name, the
//! URL's host).
//!
//! The patterns (the `regex` crate: linear time, no backtracking blow-ups on hostile input) cover authorization
//! headers, password flags (`-pSECRET`, `--password=…`), `key=value` / `"key": "value"` pairs whose key looks
//! secret, URL user-info, the well-known key formats (cloud, source hosting, model providers, chat, payments,
//! package registries), PEM private keys, JWTs, and long high-entropy strings; `audit.redactPatterns` adds more.

use std::sync::OnceLock;

use regex::{Captures, Regex};

/// A pattern, the kind named in its replacement, and which capture group to keep before it (0: none).
struct Rule {
    kind: &'static str,
    pattern: &'static str,
    /// Text kept in front of the redaction: the capture group `keep` (e.g. the header name or the flag).
    keep: usize,
}

const RULES: &[Rule] = &[
    Rule {
        kind: "private-key",
        pattern: r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----(?s:.*?)(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\z)",
        keep: 0,
    },
    Rule {
        kind: "authorization",
        pattern: r"(?i)(\b(?:proxy-)?authorization\s*[:=]\s*)(?:(?:bearer|basic|token|digest|negotiate|aws4-hmac-sha256)\s+)?[^\s'\x22]+(?:[^\n'\x22]*)",
        keep: 1,
    },
    Rule {
        kind: "header",
        pattern: r"(?i)(\b(?:x-api-key|api-key|x-auth-token|x-access-token|private-token|x-goog-api-key|cookie|set-cookie|x-amz-security-token)\s*:\s*)[^\n'\x22]+",
        keep: 1,
    },
    Rule {
        kind: "bearer",
        pattern: r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}",
        keep: 1,
    },
    Rule {
        kind: "url-userinfo",
        pattern: r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s@'\x22]+@",
        keep: 1,
    },
    Rule {
        kind: "aws-key",
        pattern: r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b",
        keep: 0,
    },
    Rule {
        kind: "token",
        pattern: concat!(
            r"\b(?:",
            r"gh[pousr]_[A-Za-z0-9]{30,}",
            r"|github_pat_[A-Za-z0-9_]{22,}",
            r"|gl(?:pat|dt|rt|ptt|soat|cbt|imt|agent|oas|ffct)-[A-Za-z0-9_-]{16,}",
            r"|sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
            r"|xox[abprseoc]-[A-Za-z0-9-]{10,}",
            r"|xapp-[0-9]-[A-Za-z0-9-]{10,}",
            r"|AIza[0-9A-Za-z_-]{35}",
            r"|ya29\.[0-9A-Za-z_-]{20,}",
            r"|GOCSPX-[A-Za-z0-9_-]{20,}",
            r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}",
            r"|whsec_[A-Za-z0-9]{20,}",
            r"|npm_[A-Za-z0-9]{30,}",
            r"|pypi-[A-Za-z0-9_-]{40,}",
            r"|hf_[A-Za-z0-9]{30,}",
            r"|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{20,}",
            r"|dop_v1_[a-f0-9]{64}",
            r"|SK[0-9a-f]{32}",
            r"|glc_[A-Za-z0-9+/=_-]{32,}",
            r"|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}",
            r"|AKCp[A-Za-z0-9]{60,}",
            r"|[0-9]{8,10}:AA[A-Za-z0-9_-]{33}",
            r")",
        ),
        keep: 0,
    },
    Rule {
        kind: "webhook",
        pattern: r"https://(?:hooks\.slack\.com/services|discord(?:app)?\.com/api/webhooks|outlook\.office\.com/webhook)/[A-Za-z0-9/_-]+",
        keep: 0,
    },
    Rule {
        kind: "jwt",
        pattern: r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}",
        keep: 0,
    },
    Rule {
        kind: "password-flag",
        // `--password=x`, `--api-key x`, `-p x` is left alone (ports, paths); `-pSECRET` attached is a password.
        pattern: r"(?i)((?:^|\s)--?[a-z0-9-]*(?:pass(?:word|wd|phrase)?|token|secret|api-?key|access-?key|private-?key|credentials?)[a-z0-9-]*(?:=|\s+))(?:'[^']*'|\x22[^\x22]*\x22|\\.|[^\s'\x22])+",
        keep: 1,
    },
    Rule {
        kind: "password-flag",
        pattern: r"((?:^|\s)-p)[^\s-][^\s]{3,}",
        keep: 1,
    },
    Rule {
        kind: "password-flag",
        // Tools whose `-p VALUE` (with a space) is a password.
        pattern: r"(?i)(\b(?:sshpass|mysql|mysqldump|mysqladmin|mariadb|mariadb-dump|smbclient|htpasswd)\b[^\n]*?\s-p\s*)(?:'[^']*'|\x22[^\x22]*\x22|\\.|[^\s'\x22])+",
        keep: 1,
    },
    Rule {
        kind: "secret-value",
        // key=value, key: value, "key": "value" with a key that says secret.
        pattern: r#"(?i)(["']?[A-Za-z0-9_.-]*(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credential|session[_-]?id|auth)[A-Za-z0-9_.-]*["']?\s*[=:]\s*)(?:"[^"]*"|'[^']*'|\\.|[^\s&'",;}])+"#,
        keep: 1,
    },
];

/// Long runs of token characters: judged by their entropy (see [`high_entropy`]).
const TOKEN_RUN: &str = r"[A-Za-z0-9+_=.-]{24,}";

struct Compiled {
    rules: Vec<(&'static str, Regex, usize)>,
    token_run: Option<Regex>,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| Compiled {
        // The patterns are constants tested below; one that failed to compile would be left out, not panic.
        rules: RULES
            .iter()
            .filter_map(|r| Regex::new(r.pattern).ok().map(|re| (r.kind, re, r.keep)))
            .collect(),
        token_run: Regex::new(TOKEN_RUN).ok(),
    })
}

/// The scrubber: the built-in rules plus the configured extra patterns.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scrubber {
    extra: Vec<Regex>,
}

impl Scrubber {
    /// With `audit.redactPatterns` (validated when the configuration loads; one that does not compile is left
    /// out here).
    pub(crate) fn new(extra: &[String]) -> Scrubber {
        Scrubber {
            extra: extra.iter().filter_map(|p| Regex::new(p).ok()).collect(),
        }
    }

    /// `text` with every secret replaced by `[redacted:KIND]`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let c = compiled();
        let mut out = text.to_owned();
        for re in &self.extra {
            out = re.replace_all(&out, "[redacted:pattern]").into_owned();
        }
        for (kind, re, keep) in &c.rules {
            out = re
                .replace_all(&out, |caps: &Captures<'_>| {
                    let kept = if *keep > 0 {
                        caps.get(*keep).map_or("", |m| m.as_str())
                    } else {
                        ""
                    };
                    let whole = caps.get(0).map_or("", |m| m.as_str());
                    // Already redacted by an earlier rule: leave it.
                    if whole.get(kept.len()..).is_some_and(|rest| {
                        rest.trim_start_matches(['"', '\''])
                            .starts_with("[redacted")
                    }) {
                        return whole.to_owned();
                    }
                    format!("{kept}[redacted:{kind}]")
                })
                .into_owned();
        }
        let Some(token_run) = &c.token_run else {
            return out;
        };
        token_run
            .replace_all(&out, |caps: &Captures<'_>| {
                let run = caps.get(0).map_or("", |m| m.as_str());
                if high_entropy(run) {
                    "[redacted:high-entropy]".to_owned()
                } else {
                    run.to_owned()
                }
            })
            .into_owned()
    }
}

/// Whether a run of token characters looks random: letters and digits mixed, and more than 3.5 bits of Shannon
/// entropy per character (English words and paths stay below; keys, hashes and random passwords are above).
fn high_entropy(run: &str) -> bool {
    let has_digit = run.chars().any(|c| c.is_ascii_digit());
    let has_alpha = run.chars().any(|c| c.is_ascii_alphabetic());
    if !has_digit || !has_alpha {
        return false;
    }
    let mut counts = [0u32; 128];
    let mut n = 0u32;
    for b in run.bytes().filter(u8::is_ascii) {
        counts[usize::from(b)] += 1;
        n += 1;
    }
    let n = f64::from(n.max(1));
    let entropy: f64 = counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / n;
            -p * p.log2()
        })
        .sum();
    entropy > 3.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles() {
        for r in RULES {
            assert!(Regex::new(r.pattern).is_ok(), "{}", r.pattern);
        }
        assert_eq!(compiled().rules.len(), RULES.len());
    }

    #[test]
    fn what_was_done_stays_readable() {
        let s = Scrubber::default();
        assert_eq!(
            s.scrub("curl -H 'Authorization: Bearer abc.def-123456' https://api.example.com/v1"),
            "curl -H 'Authorization: [redacted:authorization]' https://api.example.com/v1"
        );
        assert_eq!(
            s.scrub("mysql -u root -pHunter2x db"),
            "mysql -u root -p[redacted:password-flag] db"
        );
        assert_eq!(
            s.scrub("mkdir -p /tmp/a && ls -la"),
            "mkdir -p /tmp/a && ls -la"
        );
        assert_eq!(
            s.scrub("git clone https://user:pw123@github.com/o/r"),
            "git clone https://[redacted:url-userinfo]github.com/o/r"
        );
        assert_eq!(
            s.scrub("export DB_PASSWORD=s3cr3t!"),
            "export DB_PASSWORD=[redacted:secret-value]"
        );
        assert_eq!(
            s.scrub("ls /usr/lib/x86_64-linux-gnu/libc.so.6"),
            "ls /usr/lib/x86_64-linux-gnu/libc.so.6"
        );
        assert_eq!(
            s.scrub("cargo build --release --package computer-use-cli"),
            "cargo build --release --package computer-use-cli"
        );
        assert_eq!(
            Scrubber::new(&["corp-[0-9]{6}".into()]).scrub("id corp-123456"),
            "id [redacted:pattern]"
        );
    }
}
