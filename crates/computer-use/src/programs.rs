//! Programs that run other programs: the table the exec allowlist consults, with the reason for each entry.
//!
//! An allowlist of programs is only a boundary if no allowed program can be told to run something else. Two
//! kinds of programs can:
//!
//! - **Launchers and interpreters** ([`Kind::Launcher`]) run whatever their arguments, their input or a file
//!   says: shells, script interpreters, `env`, `sudo`, `xargs`, build tools, editors with a command language,
//!   container and package tools. Allowing one allows every command, so listing one in `guards.exec.allow` is a
//!   configuration error unless it is also listed in `guards.exec.unrestricted` (the operator says they know).
//! - **Programs with dangerous arguments** ([`Kind::Arguments`]) are ordinary unless given certain arguments:
//!   `find -exec`, `git -c alias.x='!cmd'`, `tar --to-command`, `ssh -o ProxyCommand=…`, `xterm -e`, … Those
//!   arguments are refused, the program is otherwise allowed.
//!
//! Names are matched on the program's base name (`/usr/bin/find` is `find`) with a version suffix removed
//! (`python3.12` is `python`, `gcc-12` is `gcc`). The arguments checked are the lexed words, after quotes and
//! escapes are removed, so `"-exec"` and `-e\xec` are both `-exec`.
//!
//! What the table cannot see: what an allowed program does with files the agent can write (a repository's
//! `.git/config`, a `Makefile`), and what an agent types into a terminal it opened. SECURITY.md says so.

/// Why an argument was refused: the rule's name (for the refusal and the docs) and the sentence the agent reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable rule name, e.g. `find-exec`.
    pub rule: &'static str,
    /// What the argument does and what to do instead.
    pub why: String,
}

impl Finding {
    fn new(rule: &'static str, why: impl Into<String>) -> Finding {
        Finding {
            rule,
            why: why.into(),
        }
    }
}

/// What makes a program run other programs.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// It runs whatever it is told: allowing it allows everything.
    Launcher,
    /// It runs something else only with certain arguments, which the function finds.
    Arguments(fn(program: &str, args: &[String]) -> Option<Finding>),
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Base names, without version suffixes.
    pub names: &'static [&'static str],
    /// Why the program is in the table.
    pub reason: &'static str,
    /// Launcher, or which arguments are refused.
    pub kind: Kind,
}

/// The table. Reasons are written for the operator reading a refusal or a configuration error.
pub const TABLE: &[Entry] = &[
    Entry {
        names: &[
            "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "rbash",
            "busybox", "toybox",
        ],
        reason: "a shell: `-c` (or its input) is a whole command line; busybox and toybox include one",
        kind: Kind::Launcher,
    },
    Entry {
        names: &["exec", "eval", "command", "builtin", ".", "source", "trap"],
        reason: "a shell builtin that runs the command or text it is given",
        kind: Kind::Launcher,
    },
    Entry {
        names: &[
            "python",
            "pypy",
            "perl",
            "ruby",
            "irb",
            "node",
            "nodejs",
            "deno",
            "bun",
            "php",
            "lua",
            "luajit",
            "tclsh",
            "wish",
            "expect",
            "osascript",
            "swift",
            "java",
            "jshell",
            "Rscript",
            "R",
            "julia",
            "guile",
            "racket",
            "ghc",
            "ghci",
            "runghc",
            "erl",
            "escript",
            "elixir",
            "iex",
            "pwsh",
            "powershell",
            "dotnet",
            "groovy",
            "scala",
            "kotlin",
            "m4",
            "ed",
            "ex",
            "dc",
            "jq",
        ],
        reason: "an interpreter: its arguments (`-c`, `-e`, a script) are code, and code can start programs",
        kind: Kind::Launcher,
    },
    Entry {
        names: &[
            "env",
            "xargs",
            "nohup",
            "timeout",
            "nice",
            "renice",
            "ionice",
            "sudo",
            "doas",
            "su",
            "runuser",
            "pkexec",
            "setsid",
            "stdbuf",
            "chroot",
            "unshare",
            "nsenter",
            "flock",
            "watch",
            "time",
            "strace",
            "ltrace",
            "gdb",
            "lldb",
            "valgrind",
            "taskset",
            "chrt",
            "script",
            "tmux",
            "screen",
            "dtach",
            "parallel",
            "caffeinate",
            "arch",
            "sandbox-exec",
            "xcrun",
            "launchctl",
            "systemd-run",
            "at",
            "batch",
            "crontab",
            "ssh-agent",
            "dbus-launch",
            "dbus-run-session",
            "xinit",
            "startx",
            "firejail",
            "bwrap",
            "proot",
            "fakeroot",
            "faketime",
            "sg",
            "newgrp",
            "torsocks",
            "proxychains",
            "proxychains4",
            "catchsegv",
            "xvfb-run",
            "run-parts",
            "daemonize",
            "start-stop-daemon",
            "exec-in",
            "prlimit",
            "setpriv",
            "capsh",
            "numactl",
            "cgexec",
            "chpst",
            "softlimit",
            "sem",
        ],
        reason: "a launcher: it runs the program named in its arguments (or at a later time)",
        kind: Kind::Launcher,
    },
    Entry {
        names: &[
            "make",
            "gmake",
            "bmake",
            "cmake",
            "ninja",
            "meson",
            "scons",
            "bazel",
            "gradle",
            "mvn",
            "ant",
            "cargo",
            "go",
            "npm",
            "npx",
            "yarn",
            "pnpm",
            "bunx",
            "pip",
            "pipx",
            "uv",
            "uvx",
            "poetry",
            "gem",
            "bundle",
            "rake",
            "composer",
            "apt",
            "apt-get",
            "aptitude",
            "dpkg",
            "brew",
            "port",
            "nix",
            "nix-shell",
            "snap",
            "flatpak",
            "gcc",
            "g++",
            "cc",
            "c++",
            "clang",
            "clang++",
            "tox",
            "nox",
            "pytest",
            "invoke",
        ],
        reason: "a build, package or compiler tool: it runs code from its arguments, project files or installed \
                 packages (Makefile recipes, package scripts, build scripts, `-wrapper`)",
        kind: Kind::Launcher,
    },
    Entry {
        names: &[
            "docker",
            "podman",
            "nerdctl",
            "kubectl",
            "lxc",
            "incus",
            "vagrant",
            "multipass",
            "lima",
            "limactl",
            "colima",
            "tart",
            "lume",
            "virsh",
            "qemu-system-x86_64",
            "qemu-system-aarch64",
        ],
        reason: "a container or VM tool: `run`/`exec` start any program in an environment of its own",
        kind: Kind::Launcher,
    },
    Entry {
        names: &[
            "vim",
            "vi",
            "nvim",
            "view",
            "vimdiff",
            "gvim",
            "emacs",
            "emacsclient",
            "nano",
            "pico",
            "joe",
            "micro",
            "kak",
            "helix",
            "hx",
        ],
        reason: "an editor with a command language (`:!cmd`, `-c`, `--eval`, plugins, modelines)",
        kind: Kind::Launcher,
    },
    Entry {
        names: &[
            "sqlite3",
            "mysql",
            "mariadb",
            "psql",
            "redis-cli",
            "mongo",
            "mongosh",
            "duckdb",
        ],
        reason: "a database shell whose commands include running programs (`.shell`, `\\!`) or loading extensions",
        kind: Kind::Launcher,
    },
    Entry {
        names: &[
            "open",
            "xdg-open",
            "gio",
            "kde-open",
            "exo-open",
            "gnome-open",
            "sensible-browser",
            "x-www-browser",
            "www-browser",
            "start",
        ],
        reason: "opens a file or URL with whatever program is registered for it; a `.command` or `.desktop` file is a program",
        kind: Kind::Launcher,
    },
    Entry {
        names: &[
            "kitty",
            "alacritty",
            "foot",
            "wezterm",
            "qterminal",
            "cool-retro-term",
        ],
        reason: "a terminal emulator that runs its positional arguments as a command",
        kind: Kind::Launcher,
    },
    Entry {
        names: &["find", "gfind"],
        reason: "`-exec`, `-execdir`, `-ok` and `-okdir` run a program for every file found",
        kind: Kind::Arguments(find_args),
    },
    Entry {
        names: &["git"],
        reason: "configuration runs programs (aliases with `!`, core.fsmonitor, core.pager, core.sshCommand, filters, \
                 hooks): `-c`, `--config-env`, `--exec-path`, `-C`, `--git-dir`, `--work-tree`, the `config` \
                 subcommand, unknown subcommands (aliases), and the subcommands and options that run a given program",
        kind: Kind::Arguments(git_args),
    },
    Entry {
        names: &["tar", "gtar", "bsdtar"],
        reason: "`--to-command`, `--checkpoint-action`, `--use-compress-program`/`-I`, `--info-script`/`-F`, \
                 `--rsh-command` and `--rmt-command` run programs",
        kind: Kind::Arguments(tar_args),
    },
    Entry {
        names: &["ssh", "scp", "sftp", "slogin"],
        reason: "`-o` options (ProxyCommand, LocalCommand, KnownHostsCommand, Match exec), `-F` config files and \
                 `-S`/`-D` program paths run local programs",
        kind: Kind::Arguments(ssh_args),
    },
    Entry {
        names: &["rsync"],
        reason: "`-e`/`--rsh` and `--rsync-path` name the program that carries the transfer",
        kind: Kind::Arguments(rsync_args),
    },
    Entry {
        names: &[
            "xterm",
            "uxterm",
            "lxterm",
            "gnome-terminal",
            "konsole",
            "xfce4-terminal",
            "lxterminal",
            "mate-terminal",
            "terminator",
            "tilix",
            "urxvt",
            "rxvt",
            "rxvt-unicode",
            "st",
            "sakura",
            "terminology",
            "guake",
            "tilda",
            "eterm",
            "aterm",
            "Terminal",
            "iTerm",
        ],
        reason: "`-e`, `-x`, `--command`, `--execute` and `--` run a command in the terminal; `-xrm` X resources can \
                 bind keys to `exec-formatted` actions",
        kind: Kind::Arguments(terminal_args),
    },
    Entry {
        names: &["sed", "gsed"],
        reason: "sed scripts run commands (`e`, `s///e`) and read or write files (`r`, `R`, `w`, `W`); `-i` \
                 rewrites files and `-f` reads a script the policy cannot see",
        kind: Kind::Arguments(sed_args),
    },
    Entry {
        names: &["awk", "gawk", "mawk", "nawk", "busybox-awk"],
        reason: "awk programs run commands (`system()`, `|` pipes, `getline`) and write files (`>`); `-f`, `-E`, \
                 `-i` and `-l` load code the policy cannot see",
        kind: Kind::Arguments(awk_args),
    },
    Entry {
        names: &["less", "more", "most", "pg"],
        reason: "`+cmd` runs pager commands at start, and pager commands include `!shell`",
        kind: Kind::Arguments(pager_args),
    },
    Entry {
        names: &["man"],
        reason: "`-P`/`--pager`, `-H`/`--html` and `--browser` name a program to run",
        kind: Kind::Arguments(man_args),
    },
    Entry {
        names: &["zip"],
        reason: "`-TT`/`--unzip-command` names the program that tests the archive",
        kind: Kind::Arguments(zip_args),
    },
    Entry {
        names: &["wget"],
        reason: "`--use-askpass` runs a program; `-e`/`--execute` runs wgetrc commands",
        kind: Kind::Arguments(wget_args),
    },
    Entry {
        names: &["pandoc"],
        reason: "`--filter`/`-F` and `--lua-filter`/`-L` run programs or Lua code on the document",
        kind: Kind::Arguments(pandoc_args),
    },
];

/// `python3.12` → `python`, `gcc-12` → `gcc`, `/usr/bin/perl5.36` → `perl`.
pub fn family(program: &str) -> &str {
    let base = program.rsplit('/').next().unwrap_or(program);
    let trimmed = base.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    if trimmed.is_empty() { base } else { trimmed }
}

/// The table's row for `program`, if it has one.
pub fn entry(program: &str) -> Option<&'static Entry> {
    let base = program.rsplit('/').next().unwrap_or(program);
    let fam = family(program);
    TABLE
        .iter()
        .find(|e| e.names.contains(&base) || e.names.contains(&fam))
}

/// Why allowing `program` allows everything, if it is a launcher or interpreter.
pub fn launcher_reason(program: &str) -> Option<&'static str> {
    entry(program).and_then(|e| matches!(e.kind, Kind::Launcher).then_some(e.reason))
}

/// The first argument that would make `program` run something else (programs that are launchers are
/// judged by the configuration, not here).
pub fn check_args(program: &str, args: &[String]) -> Option<Finding> {
    match entry(program)?.kind {
        Kind::Launcher => None,
        Kind::Arguments(check) => check(family(program), args),
    }
}

/// `--name=value` or `--name` → `--name`.
fn long_name(arg: &str) -> &str {
    arg.split_once('=').map_or(arg, |(name, _)| name)
}

fn find_args(program: &str, args: &[String]) -> Option<Finding> {
    args.iter()
        .find(|a| matches!(a.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir"))
        .map(|a| {
            Finding::new(
                "find-exec",
                format!(
                    "the argument `{a}` makes `{program}` run a program for each file found. List the files with `{program}` and act on them in separate calls"
                ),
            )
        })
}

/// Git's own commands: anything else is an alias, and an alias starting with `!` is a shell command.
const GIT_COMMANDS: &[&str] = &[
    "add",
    "am",
    "annotate",
    "apply",
    "archive",
    "bisect",
    "blame",
    "branch",
    "bundle",
    "cat-file",
    "check-attr",
    "check-ignore",
    "check-ref-format",
    "checkout",
    "cherry",
    "cherry-pick",
    "clean",
    "clone",
    "commit",
    "commit-graph",
    "commit-tree",
    "count-objects",
    "describe",
    "diff",
    "diff-files",
    "diff-index",
    "diff-tree",
    "fetch",
    "for-each-ref",
    "format-patch",
    "fsck",
    "gc",
    "grep",
    "hash-object",
    "init",
    "log",
    "ls-files",
    "ls-remote",
    "ls-tree",
    "merge",
    "merge-base",
    "mv",
    "name-rev",
    "notes",
    "pull",
    "push",
    "range-diff",
    "read-tree",
    "rebase",
    "reflog",
    "remote",
    "repack",
    "replace",
    "reset",
    "restore",
    "rev-list",
    "rev-parse",
    "revert",
    "rm",
    "shortlog",
    "show",
    "show-branch",
    "show-ref",
    "sparse-checkout",
    "stash",
    "status",
    "submodule",
    "switch",
    "symbolic-ref",
    "tag",
    "update-index",
    "update-ref",
    "verify-commit",
    "verify-tag",
    "version",
    "whatchanged",
    "worktree",
    "write-tree",
];

fn git_args(program: &str, args: &[String]) -> Option<Finding> {
    let refuse = |rule: &'static str, why: String| Some(Finding::new(rule, why));
    let mut rest = args.iter();
    // Global options come before the subcommand.
    let sub = loop {
        let arg = rest.next()?;
        let name = long_name(arg);
        match name {
            "-c" | "--config-env" => {
                return refuse(
                    "git-config",
                    format!(
                        "`{program} {arg}` sets configuration for this call, and configuration can run programs (an alias `!cmd`, core.fsmonitor, core.pager, core.sshCommand)"
                    ),
                );
            }
            "--exec-path" if arg.contains('=') => {
                return refuse(
                    "git-exec-path",
                    format!("`{arg}` makes git run its subcommands from another directory"),
                );
            }
            "-C" | "--git-dir" | "--work-tree" | "--namespace" | "--super-prefix" => {
                return refuse(
                    "git-directory",
                    format!(
                        "`{program} {name}` points git at another repository, whose configuration can run programs; run git in the server's working directory instead"
                    ),
                );
            }
            _ if arg.starts_with("-c") && arg.len() > 2 => {
                return refuse(
                    "git-config",
                    format!(
                        "`{arg}` sets configuration for this call, and configuration can run programs"
                    ),
                );
            }
            _ if arg.starts_with('-') => continue,
            _ => break arg.as_str(),
        }
    };
    if sub == "config" {
        return refuse(
            "git-config",
            format!(
                "`{program} config` writes configuration that later git commands obey, and configuration can run programs"
            ),
        );
    }
    if !GIT_COMMANDS.contains(&sub) {
        return refuse(
            "git-alias",
            format!(
                "`{sub}` is not a git command the policy knows: it may be an alias, and an alias starting with `!` runs a shell command"
            ),
        );
    }
    let sub_args: Vec<&str> = rest.map(String::as_str).collect();
    let runs = |what: &str| {
        refuse(
            "git-runs-program",
            format!(
                "`{program} {sub} {what}` runs a program given on the command line or in configuration"
            ),
        )
    };
    match sub {
        "bisect" if sub_args.first() == Some(&"run") => return runs("run"),
        "submodule" if sub_args.contains(&"foreach") => return runs("foreach"),
        _ => {}
    }
    for arg in &sub_args {
        let name = long_name(arg);
        let hit = matches!(
            (sub, name),
            ("rebase", "-x" | "--exec")
                | ("clone" | "ls-remote", "-u" | "--upload-pack")
                | ("fetch" | "pull", "--upload-pack")
                | ("archive", "--exec")
                | ("push", "--receive-pack" | "--exec")
                | (_, "--ext-diff")
        );
        if hit {
            return runs(arg);
        }
    }
    None
}

fn tar_args(program: &str, args: &[String]) -> Option<Finding> {
    const LONG: &[&str] = &[
        "--to-command",
        "--checkpoint-action",
        "--use-compress-program",
        "--info-script",
        "--new-volume-script",
        "--rsh-command",
        "--rmt-command",
        "--force-local",
    ];
    for (i, arg) in args.iter().enumerate() {
        let name = long_name(arg);
        // Long options may be abbreviated to any unambiguous prefix (`--to-com`).
        let long_hit = name.len() > 4
            && name.starts_with("--")
            && LONG
                .iter()
                .any(|l| l.starts_with(name) && *l != "--force-local");
        // Short clusters (`-xvIzstd`), and the dashless first argument of the old style (`xvfI`).
        let cluster = if arg.starts_with('-') && !arg.starts_with("--") {
            Some(&arg[1..])
        } else if i == 0 && !arg.starts_with('-') {
            Some(arg.as_str())
        } else {
            None
        };
        let short_hit = cluster.is_some_and(|c| c.contains('I') || c.contains('F'));
        if long_hit || short_hit {
            return Some(Finding::new(
                "tar-command",
                format!(
                    "`{program} {arg}` runs a program (a compressor, a command per file, a checkpoint or volume script)"
                ),
            ));
        }
    }
    None
}

fn ssh_args(program: &str, args: &[String]) -> Option<Finding> {
    args.iter()
        .find(|a| {
            let flag = a.strip_prefix('-').filter(|_| !a.starts_with("--"));
            flag.is_some_and(|f| f.contains('o') || f.contains('F') || f.starts_with('S') || f.starts_with('D') && program == "sftp")
        })
        .map(|a| {
            Finding::new(
                "ssh-command",
                format!("`{program} {a}` can run a local program (`-o ProxyCommand=…`, `LocalCommand`, a config file, a program path)"),
            )
        })
}

fn rsync_args(program: &str, args: &[String]) -> Option<Finding> {
    args.iter()
        .find(|a| {
            let name = long_name(a);
            matches!(name, "--rsh" | "--rsync-path" | "--rsh-command")
                || (name.starts_with("--rs") && "--rsh".starts_with(name))
                || (a.starts_with('-') && !a.starts_with("--") && a.contains('e'))
        })
        .map(|a| {
            Finding::new(
                "rsync-command",
                format!("`{program} {a}` names the program that carries the transfer (`-e`/`--rsh`, `--rsync-path`)"),
            )
        })
}

fn terminal_args(program: &str, args: &[String]) -> Option<Finding> {
    args.iter()
        .find(|a| {
            let bare = a.trim_start_matches('-');
            let dashed = a.starts_with('-');
            a.as_str() == "--"
                || (dashed && matches!(long_name(bare), "e" | "x" | "c" | "command" | "execute" | "exec" | "hold-command" | "xrm" | "S"))
        })
        .map(|a| {
            Finding::new(
                "terminal-command",
                format!("`{program} {a}` runs a command in the terminal (or binds keys to actions that do). Start the terminal without it"),
            )
        })
}

fn sed_args(program: &str, args: &[String]) -> Option<Finding> {
    let mut scripts: Vec<&str> = Vec::new();
    let mut positional = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if positional || arg == "-" || !arg.starts_with('-') {
            if scripts.is_empty() && !positional {
                scripts.push(arg);
            }
            positional = true;
            continue;
        }
        if arg == "--" {
            positional = true;
            continue;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = long
                .split_once('=')
                .map_or((long, None), |(n, v)| (n, Some(v)));
            match name {
                "in-place" | "file" | "sandbox-off" => return sed_refused(program, arg),
                "expression" => match value.or_else(|| it.next().map(String::as_str)) {
                    Some(v) => scripts.push(v),
                    None => return None,
                },
                "line-length" if value.is_none() => {
                    it.next();
                }
                _ => {}
            }
            continue;
        }
        // A short cluster: flags, then maybe one option that takes the rest (or the next word) as its value.
        let cluster = &arg[1..];
        for (i, c) in cluster.char_indices() {
            match c {
                'i' | 'f' => return sed_refused(program, arg),
                'e' | 'l' => {
                    let rest = &cluster[i + 1..];
                    let value = if rest.is_empty() {
                        it.next().map(String::as_str)
                    } else {
                        Some(rest)
                    };
                    if c == 'e'
                        && let Some(v) = value
                    {
                        scripts.push(v);
                    }
                    break;
                }
                _ => {}
            }
        }
    }
    // Positional words were taken as the script only when no -e gave one.
    scripts
        .iter()
        .find(|s| s.contains(['e', 'w', 'W', 'r', 'R']))
        .and_then(|s| sed_refused(program, s))
}

fn sed_refused(program: &str, what: &str) -> Option<Finding> {
    Some(Finding::new(
        "sed-command",
        format!(
            "`{program}` with `{what}` may run a command or read or write a file (the e, r, R, w and W commands and flags, -i, -f are refused; scripts containing those letters are not judged). Print with sed and write files with the file tools"
        ),
    ))
}

fn awk_args(program: &str, args: &[String]) -> Option<Finding> {
    // The program text: refused if it could start a program or write a file.
    let code = |text: &str| {
        (text.contains(['|', '>', '@']) || text.contains("system") || text.contains("getline"))
            .then(|| awk_refused(program, text))
            .flatten()
    };
    let mut source_given = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let name = long_name(arg);
        match name {
            "-f" | "--file" | "-E" | "--exec" | "-i" | "--include" | "-l" | "--load" => {
                return awk_refused(program, arg);
            }
            "-F" | "-v" | "--assign" | "--field-separator" => {
                if !arg.contains('=') || name.len() == 2 {
                    it.next();
                }
            }
            "-e" | "--source" => {
                let value = arg
                    .split_once('=')
                    .map(|(_, v)| v)
                    .or_else(|| it.next().map(String::as_str));
                if let Some(finding) = value.and_then(code) {
                    return Some(finding);
                }
                source_given = true;
            }
            "--" => {}
            _ if arg.starts_with("--") => {}
            _ if arg.starts_with('-') && arg.len() > 1 => match arg.chars().nth(1) {
                Some('f' | 'E' | 'i' | 'l') => return awk_refused(program, arg),
                Some('e') => {
                    if let Some(finding) = code(&arg[2..]) {
                        return Some(finding);
                    }
                    source_given = true;
                }
                _ => {}
            },
            // The first operand is the program unless -e gave it; the rest are files and `var=value`.
            _ => {
                if !source_given {
                    return code(arg);
                }
                return None;
            }
        }
    }
    None
}

fn awk_refused(program: &str, what: &str) -> Option<Finding> {
    Some(Finding::new(
        "awk-command",
        format!(
            "`{program}` with `{what}` may run a command or write a file (`system()`, `|`, `getline`, `>`, and -f/-E/-i/-l are refused). Keep awk programs to reading and printing"
        ),
    ))
}

fn pager_args(program: &str, args: &[String]) -> Option<Finding> {
    args.iter()
        .find(|a| {
            a.starts_with('+')
                || long_name(a) == "--lesskey-src"
                || long_name(a) == "--lesskey-file"
        })
        .map(|a| {
            Finding::new(
                "pager-command",
                format!("`{program} {a}` runs pager commands at start, and those include `!shell`"),
            )
        })
}

fn man_args(program: &str, args: &[String]) -> Option<Finding> {
    args.iter()
        .find(|a| {
            let name = long_name(a);
            matches!(name, "--pager" | "--html" | "--browser" | "--preprocessor")
                || (a.starts_with('-')
                    && !a.starts_with("--")
                    && (a.contains('P') || a.contains('H')))
        })
        .map(|a| {
            Finding::new(
                "man-command",
                format!("`{program} {a}` names a pager, browser or preprocessor to run"),
            )
        })
}

fn zip_args(program: &str, args: &[String]) -> Option<Finding> {
    args.iter()
        .find(|a| a.starts_with("-TT") || long_name(a) == "--unzip-command")
        .map(|a| {
            Finding::new(
                "zip-command",
                format!("`{program} {a}` names the program that tests the archive"),
            )
        })
}

fn wget_args(program: &str, args: &[String]) -> Option<Finding> {
    args.iter()
        .find(|a| {
            let name = long_name(a);
            matches!(name, "--use-askpass" | "--execute" | "-e")
                || (a.starts_with("-e") && !a.starts_with("--"))
        })
        .map(|a| {
            Finding::new(
                "wget-command",
                format!("`{program} {a}` runs a program or wgetrc commands"),
            )
        })
}

fn pandoc_args(program: &str, args: &[String]) -> Option<Finding> {
    args.iter()
        .find(|a| {
            matches!(long_name(a), "--filter" | "--lua-filter" | "-F" | "-L")
                || a.starts_with("-F")
                || a.starts_with("-L")
        })
        .map(|a| {
            Finding::new(
                "pandoc-filter",
                format!("`{program} {a}` runs a filter program or Lua code"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    fn rule(program: &str, args: &[&str]) -> Option<&'static str> {
        check_args(program, &v(args)).map(|f| f.rule)
    }

    #[test]
    fn families_and_launchers() {
        assert_eq!(family("/usr/bin/python3.12"), "python");
        assert_eq!(family("gcc-12"), "gcc");
        assert_eq!(family("sha256sum"), "sha256sum");
        for p in [
            "python3",
            "/bin/sh",
            "bash",
            "env",
            "xargs",
            "sudo",
            "perl5.36",
            "node",
            "osascript",
            "make",
            "docker",
            "vim",
            "open",
            "kitty",
        ] {
            assert!(launcher_reason(p).is_some(), "{p}");
        }
        for p in ["ls", "cat", "git", "find", "xterm", "echo", "base64"] {
            assert!(launcher_reason(p).is_none(), "{p}");
        }
    }

    #[test]
    fn arguments_that_run_programs() {
        assert_eq!(
            rule("find", &[".", "-exec", "rm", "{}", "+"]),
            Some("find-exec")
        );
        assert_eq!(
            rule("/usr/bin/find", &[".", "-okdir", "x"]),
            Some("find-exec")
        );
        assert_eq!(rule("find", &[".", "-name", "*.rs"]), None);
        assert_eq!(
            rule("git", &["-c", "alias.x=!touch /tmp/p", "x"]),
            Some("git-config")
        );
        assert_eq!(
            rule("git", &["-ccore.fsmonitor=x", "status"]),
            Some("git-config")
        );
        assert_eq!(
            rule("git", &["--config-env=core.pager=X", "log"]),
            Some("git-config")
        );
        assert_eq!(
            rule("git", &["config", "alias.x", "!sh"]),
            Some("git-config")
        );
        assert_eq!(rule("git", &["x"]), Some("git-alias"));
        assert_eq!(
            rule("git", &["-C", "/tmp/evil", "status"]),
            Some("git-directory")
        );
        assert_eq!(
            rule("git", &["--exec-path=/tmp", "status"]),
            Some("git-exec-path")
        );
        assert_eq!(
            rule("git", &["rebase", "-x", "sh"]),
            Some("git-runs-program")
        );
        assert_eq!(
            rule("git", &["fetch", "--upload-pack=touch x", "o"]),
            Some("git-runs-program")
        );
        assert_eq!(
            rule("git", &["bisect", "run", "sh"]),
            Some("git-runs-program")
        );
        assert_eq!(rule("git", &["status"]), None);
        assert_eq!(rule("git", &["--no-pager", "log", "-p", "--oneline"]), None);
        assert_eq!(rule("git", &["add", "-p"]), None);
        assert_eq!(
            rule("tar", &["--to-command=sh", "-xf", "a.tar"]),
            Some("tar-command")
        );
        assert_eq!(
            rule("tar", &["--to-com=sh", "-xf", "a.tar"]),
            Some("tar-command")
        );
        assert_eq!(
            rule(
                "tar",
                &[
                    "-cf",
                    "a.tar",
                    "--checkpoint=1",
                    "--checkpoint-action=exec=sh"
                ]
            ),
            Some("tar-command")
        );
        assert_eq!(rule("tar", &["-I", "sh", "-cf", "x"]), Some("tar-command"));
        assert_eq!(rule("tar", &["xIf", "sh", "x"]), Some("tar-command"));
        assert_eq!(rule("tar", &["-xzf", "a.tgz"]), None);
        assert_eq!(
            rule("ssh", &["-o", "ProxyCommand=sh", "h"]),
            Some("ssh-command")
        );
        assert_eq!(
            rule("ssh", &["-oProxyCommand=sh", "h"]),
            Some("ssh-command")
        );
        assert_eq!(rule("scp", &["-S", "sh", "a", "h:b"]), Some("ssh-command"));
        assert_eq!(rule("ssh", &["-p", "22", "h"]), None);
        assert_eq!(
            rule("rsync", &["-e", "sh", "a", "b"]),
            Some("rsync-command")
        );
        assert_eq!(
            rule("rsync", &["-avze", "sh", "a", "b"]),
            Some("rsync-command")
        );
        assert_eq!(
            rule("rsync", &["--rsync-path=sh", "a", "b"]),
            Some("rsync-command")
        );
        assert_eq!(rule("rsync", &["-av", "a", "b"]), None);
        assert_eq!(rule("xterm", &["-e", "sh"]), Some("terminal-command"));
        assert_eq!(
            rule("xterm", &["-xrm", "*.translations: x"]),
            Some("terminal-command")
        );
        assert_eq!(
            rule("gnome-terminal", &["--", "sh"]),
            Some("terminal-command")
        );
        assert_eq!(
            rule("xfce4-terminal", &["--command=sh"]),
            Some("terminal-command")
        );
        assert_eq!(rule("xterm", &["-geometry", "80x24"]), None);
        assert_eq!(rule("sed", &["-n", "1,5p", "file"]), None);
        assert_eq!(rule("sed", &["1e touch x", "f"]), Some("sed-command"));
        assert_eq!(
            rule("sed", &["-n", "-e", "s/a/b/w out", "f"]),
            Some("sed-command")
        );
        assert_eq!(rule("sed", &["-i", "s/a/b/", "f"]), Some("sed-command"));
        assert_eq!(rule("sed", &["-ni", "p", "f"]), Some("sed-command"));
        assert_eq!(rule("awk", &["{print $1}", "f"]), None);
        assert_eq!(rule("awk", &["BEGIN{system(\"sh\")}"]), Some("awk-command"));
        assert_eq!(rule("gawk", &["{print | \"sh\"}"]), Some("awk-command"));
        assert_eq!(rule("awk", &["-f", "prog.awk"]), Some("awk-command"));
        assert_eq!(rule("less", &["+!sh", "f"]), Some("pager-command"));
        assert_eq!(rule("man", &["-P", "sh", "ls"]), Some("man-command"));
        assert_eq!(
            rule("zip", &["-T", "-TT", "sh", "a.zip", "f"]),
            Some("zip-command")
        );
        assert_eq!(rule("ls", &["-exec"]), None);
    }
}
