//! From command text to the argv the allowlist judges, and back to the text the server's shell runs.
//!
//! The words come from the `shlex` crate (POSIX shell word splitting and unquoting, the same rules as Python's
//! `shlex` in POSIX mode: single and double quotes, backslash escapes, backslash-newline continuation, `#`
//! comments; an unclosed quote or a trailing backslash is an error). It was chosen over `shell-words` on
//! purpose: both split the same way, but `shlex`'s quoting side (`try_quote`/`try_join`) is the one that was
//! hardened after RUSTSEC-2024-0006 and is tested against dash, bash, zsh, ash and mksh, and the re-quoting is
//! what makes the allowlist a boundary (see below). Neither crate is a shell: they do no expansion and know no
//! operators, so `shlex` reads `"$HOME"` as the literal `$HOME` and `ls;rm` as one word, where `/bin/sh` would
//! expand and split. The [`scan`] below refuses every character whose meaning to `/bin/sh` differs from
//! `shlex`'s reading — an unquoted operator (`; & | < > ( )`), `$` or a backquote outside single quotes, an
//! unquoted glob (`* ? [`), brace (`{ }`) or tilde expansion, a comment, control characters, and non-ASCII
//! look-alikes of shell syntax — so for every accepted command the two agree on the words.
//!
//! Then the judged argv is re-quoted with [`requote`] and that text is what the server's shell runs: each word
//! is quoted so the shell reads back exactly that word (no expansion, globbing or word splitting of its
//! own). Even if the scan missed something, the shell could only run the judged argv.

use crate::guards::exec_policy::Denied;

/// Non-ASCII characters that look like shell syntax or hide text: fullwidth operators and quotes, and
/// invisible format characters (zero-width, bidirectional overrides). `/bin/sh` reads them as ordinary word
/// characters, but a person reading the command, the audit log or an approval prompt may not.
const LOOKALIKES: &[char] = &[
    '\u{ff1b}', // ；
    '\u{ff5c}', // ｜
    '\u{ff06}', // ＆
    '\u{ff04}', // ＄
    '\u{ff1c}', // ＜
    '\u{ff1e}', // ＞
    '\u{ff08}', // （
    '\u{ff09}', // ）
    '\u{ff0a}', // ＊
    '\u{ff1f}', // ？
    '\u{ff3b}', // ［
    '\u{ff3d}', // ］
    '\u{ff5b}', // ｛
    '\u{ff5d}', // ｝
    '\u{ff5e}', // ～
    '\u{ff03}', // ＃
    '\u{ff40}', // ｀
    '\u{ff02}', // ＂
    '\u{ff07}', // ＇
    '\u{ff3c}', // ＼
    '\u{2018}', // ‘
    '\u{2019}', // ’
    '\u{201c}', // “
    '\u{201d}', // ”
    '\u{2215}', // ∕ division slash
    '\u{2044}', // ⁄ fraction slash
    '\u{29f8}', // ⧸ big solidus
    '\u{200b}', // zero-width space
    '\u{200c}', // zero-width non-joiner
    '\u{200d}', // zero-width joiner
    '\u{2060}', // word joiner
    '\u{feff}', // zero-width no-break space
    '\u{200e}', // left-to-right mark
    '\u{200f}', // right-to-left mark
    '\u{202a}', // bidirectional embeddings and overrides
    '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', // bidirectional isolates
    '\u{2067}', '\u{2068}', '\u{2069}', '\u{00ad}', // soft hyphen
];

/// Where the scanner is inside the text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// Refuses every character `/bin/sh` would read differently from `shlex` (see the module docs). Runs on the
/// raw text before lexing; it only classifies characters, the splitting is `shlex`'s.
fn scan(text: &str) -> Result<(), Denied> {
    let mut quote = Quote::None;
    let mut escaped = false;
    // Whether the next unquoted character starts a word (for `#` comments and `~` expansion).
    let mut word_start = true;
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            return Err(control(c));
        }
        if !c.is_ascii() && (c.is_whitespace() || LOOKALIKES.contains(&c)) {
            return Err(Denied::new(
                "lookalike",
                format!(
                    "it contains U+{:04X}, a non-ASCII character that looks like shell syntax or hides text; write the command in plain ASCII",
                    u32::from(c)
                ),
            ));
        }
        if escaped {
            escaped = false;
            word_start = false;
            prev = Some(c);
            continue;
        }
        match quote {
            Quote::Single => {
                if c == '\'' {
                    quote = Quote::None;
                }
            }
            Quote::Double => match c {
                '"' => quote = Quote::None,
                '\\' => escaped = true,
                '$' | '`' => return Err(expansion(c)),
                _ => {}
            },
            Quote::None => {
                match c {
                    '\'' => quote = Quote::Single,
                    '"' => quote = Quote::Double,
                    '\\' => escaped = true,
                    '$' | '`' => return Err(expansion(c)),
                    ';' | '&' | '|' | '<' | '>' | '(' | ')' => {
                        return Err(Denied::new(
                            "metacharacter",
                            format!(
                                "it contains an unquoted `{c}`, a shell operator. Send one plain command per call, without ; & | < > ( ) (quote the character if it is part of an argument)"
                            ),
                        ));
                    }
                    '*' | '?' | '[' => {
                        return Err(Denied::new(
                            "glob",
                            format!(
                                "it contains an unquoted `{c}`, which the shell would expand to file names. Quote the pattern (e.g. '*.txt') if the program expects it, or name the files"
                            ),
                        ));
                    }
                    '{' | '}' => {
                        return Err(Denied::new(
                            "brace",
                            format!(
                                "it contains an unquoted `{c}` (brace expansion in bash). Quote it if it is part of an argument"
                            ),
                        ));
                    }
                    '#' if word_start => {
                        return Err(Denied::new(
                            "comment",
                            "it contains a comment (`#` starting a word). Leave the comment out, or quote the `#` if it is part of an argument",
                        ));
                    }
                    '~' if word_start || matches!(prev, Some('=' | ':')) => {
                        return Err(Denied::new(
                            "tilde",
                            "it contains an unquoted `~` that the shell would expand to a home directory. Write the path out (e.g. /home/user/…)",
                        ));
                    }
                    _ => {}
                }
                word_start = c == ' ' || c == '\t';
                prev = Some(c);
                continue;
            }
        }
        word_start = false;
        prev = Some(c);
    }
    Ok(())
}

fn control(c: char) -> Denied {
    let name = match c {
        '\n' => "a line break".to_owned(),
        '\r' => "a carriage return".to_owned(),
        '\0' => "a NUL byte".to_owned(),
        c => format!("the control character U+{:04X}", u32::from(c)),
    };
    Denied::new(
        "control",
        format!("it contains {name}. Send one command per call, on one line"),
    )
}

fn expansion(c: char) -> Denied {
    Denied::new(
        "expansion",
        format!(
            "it contains `{c}` outside single quotes, which the shell would expand (variables, command substitution). Put the value in single quotes if it is meant literally"
        ),
    )
}

/// The words of `text` as `/bin/sh` would read them, or why the text is not a plain command.
pub(crate) fn lex(text: &str) -> Result<Vec<String>, Denied> {
    scan(text)?;
    let Some(words) = shlex::split(text) else {
        return Err(Denied::new(
            "quote",
            "it has an unclosed quote or ends with a backslash",
        ));
    };
    if words.is_empty() {
        return Err(Denied::new("empty", "the command is empty"));
    }
    Ok(words)
}

/// The text that makes `/bin/sh` run exactly `argv`: each word quoted so that the shell reads it back
/// unchanged (`shlex::try_join`). Fails only on a NUL byte, which [`lex`] never lets through.
pub(crate) fn requote(argv: &[String]) -> Result<String, Denied> {
    shlex::try_join(argv.iter().map(String::as_str)).map_err(|_| control('\0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        lex(text).unwrap_or_else(|d| panic!("{text:?}: {}", d.why))
    }

    fn rule(text: &str) -> &'static str {
        match lex(text) {
            Ok(w) => panic!("{text:?} lexed to {w:?}"),
            Err(d) => d.rule,
        }
    }

    #[test]
    fn quotes_and_escapes_become_plain_words() {
        assert_eq!(words("find . \"-exec\" rm"), ["find", ".", "-exec", "rm"]);
        assert_eq!(words("find . -e\\xec rm"), ["find", ".", "-exec", "rm"]);
        assert_eq!(words("ls\t-la  '/tmp/a b'"), ["ls", "-la", "/tmp/a b"]);
        assert_eq!(
            words("echo 'a;b' \"c|d\" e\\&f"),
            ["echo", "a;b", "c|d", "e&f"]
        );
        assert_eq!(words("find . -name '*.rs'"), ["find", ".", "-name", "*.rs"]);
        assert_eq!(
            words("git log HEAD~1 --format='%h $x'"),
            ["git", "log", "HEAD~1", "--format=%h $x"]
        );
        assert_eq!(words("echo a#b"), ["echo", "a#b"]);
    }

    #[test]
    fn what_the_shell_reads_differently_is_refused() {
        for (text, want) in [
            ("ls; rm x", "metacharacter"),
            ("ls|rm", "metacharacter"),
            ("ls > x", "metacharacter"),
            ("ls $(id)", "expansion"),
            ("ls \"$HOME\"", "expansion"),
            ("ls `id`", "expansion"),
            ("ls *.rs", "glob"),
            ("ls a?", "glob"),
            ("ls [ab]", "glob"),
            ("echo {a,b}", "brace"),
            ("ls ~", "tilde"),
            ("ls ~root/x", "tilde"),
            ("x --dir=~/a", "tilde"),
            ("ls # rm", "comment"),
            ("ls\nrm", "control"),
            ("ls \\\nrm", "control"),
            ("ls\u{1b}[2J", "control"),
            ("ls\u{ff1b}rm", "lookalike"),
            ("ls\u{a0}-la", "lookalike"),
            ("ls \u{202e}x", "lookalike"),
            ("ls 'unclosed", "quote"),
            ("ls \\", "quote"),
            ("  ", "empty"),
            ("# only a comment", "comment"),
        ] {
            assert_eq!(rule(text), want, "{text:?}");
        }
    }

    #[test]
    fn requoting_gives_back_the_same_words() {
        for argv in [
            vec!["echo", "a b", "$(id)", "*", "it's", "~", "{a,b}", "#x", ""],
            vec!["find", ".", "-name", "*.rs"],
        ] {
            let argv: Vec<String> = argv.into_iter().map(String::from).collect();
            let text = requote(&argv).unwrap_or_default();
            assert_eq!(shlex::split(&text), Some(argv.clone()), "{text}");
        }
        assert_eq!(
            requote(&["ls".into(), "-la".into()]).ok().as_deref(),
            Some("ls -la")
        );
    }
}
