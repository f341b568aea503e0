//! The syntax of `guards.exec`'s `allow` and `deny` entries: checked when the configuration loads (so a bad
//! entry is an error naming it) and compiled by the exec policy from the same rules.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Characters that make a shell do more than run one program (`$` covers `$(…)` and `${…}`).
pub const METACHARACTERS: &[char] = &[';', '|', '&', '`', '$', '(', ')', '<', '>', '\n', '\r'];

/// Words the shell reads as syntax when they start a command, so they can never name an allowed program.
const RESERVED_WORDS: &[&str] = &[
    "!", "{", "}", "[[", "]]", "case", "coproc", "do", "done", "elif", "else", "esac", "fi", "for",
    "function", "if", "in", "select", "then", "time", "until", "while",
];

/// Compiles one deny pattern (`*` matches anything, including `/`).
fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(false).build()
}

/// Compiles the `deny` list into one matcher; the index of a match is the pattern's index.
pub fn compile_deny(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(glob(pattern)?);
    }
    builder.build()
}

/// Why a `deny` pattern is unusable, for configuration validation; None if it is fine.
pub fn pattern_problem(pattern: &str) -> Option<String> {
    if pattern.trim().is_empty() {
        return Some("is empty; write a glob such as \"rm -rf *\"".to_owned());
    }
    glob(pattern)
        .err()
        .map(|e| format!("is not a valid glob ({}); `*` matches anything, `?` one character, `[abc]` one of a set", e.kind()))
}

/// Why an `allow` entry is unusable, for configuration validation; None if it is fine.
pub fn program_problem(program: &str) -> Option<String> {
    if program.is_empty() {
        return Some(
            "is empty; list program names such as \"ls\" or paths such as \"/usr/bin/git\""
                .to_owned(),
        );
    }
    if program.chars().any(|c| c.is_whitespace() || c.is_control())
        || program.contains(METACHARACTERS)
        || program.contains(['=', '\'', '"', '\\', '*', '?', '[', '{', '}', '~', '#'])
    {
        return Some(
            "must be a program name or path only (no spaces, arguments, quotes, `=` or shell metacharacters)"
                .to_owned(),
        );
    }
    if RESERVED_WORDS.contains(&program) {
        return Some("is a shell reserved word, not a program".to_owned());
    }
    if program
        .split('/')
        .enumerate()
        .any(|(i, p)| p == ".." || (p == "." && i > 0))
    {
        return Some(
            "has `.` or `..` components: write the program's path without them".to_owned(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_and_program_problems() {
        assert_eq!(pattern_problem("rm -rf *"), None);
        assert!(pattern_problem("[unclosed").is_some_and(|p| p.contains("not a valid glob")));
        assert!(pattern_problem(" ").is_some());
        assert_eq!(program_problem("/usr/bin/git"), None);
        assert!(program_problem("ls -la").is_some());
        assert!(program_problem("a;b").is_some());
        assert!(program_problem("").is_some());
    }

    #[test]
    fn deny_lists_compile_in_order() {
        let set = compile_deny(&["rm -rf *".to_owned(), "* /etc/shadow*".to_owned()]);
        let matched = set
            .map(|s| s.matches("cat /etc/shadow"))
            .unwrap_or_default();
        assert_eq!(matched, vec![1]);
    }
}
