//! Path spellings: `/bin//rm` and `/bin/./rm` are `/bin/rm` to the kernel, so they are to the policy too.

/// `word` with repeated slashes collapsed and `.` components dropped; for an absolute path `..` is resolved
/// lexically as well (used for the deny seatbelt, where `/etc/../etc/shadow` must still match). A leading `./`
/// is kept: `./x` is not the `x` found through `PATH`.
pub(crate) fn normalize(word: &str) -> String {
    if !word.contains('/') {
        return word.to_owned();
    }
    let absolute = word.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for (i, part) in word.split('/').enumerate() {
        match part {
            "" => {}
            "." if i == 0 => parts.push("."),
            "." => {}
            ".." if absolute => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut out = parts.join("/");
    if absolute {
        out.insert(0, '/');
    }
    if word.ends_with('/') && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// Whether a program path has `..` components, or `.` components after the start: spellings the policy does
/// not resolve for the allowlist (symbolic links make `..` ambiguous), so they are refused.
pub(crate) fn has_dot_components(word: &str) -> bool {
    word.contains('/')
        && word
            .split('/')
            .enumerate()
            .any(|(i, part)| part == ".." || (part == "." && i > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(normalize("/bin//rm"), "/bin/rm");
        assert_eq!(normalize("//bin/./rm"), "/bin/rm");
        assert_eq!(normalize("/etc/../etc//shadow"), "/etc/shadow");
        assert_eq!(normalize("./x"), "./x");
        assert_eq!(normalize(".//x"), "./x");
        assert_eq!(normalize("a//b/"), "a/b/");
        assert_eq!(normalize("ls"), "ls");
        assert!(has_dot_components("/usr/bin/../bin/git"));
        assert!(has_dot_components("/usr/./bin/git"));
        assert!(!has_dot_components("./x"));
        assert!(!has_dot_components("ls"));
    }
}
