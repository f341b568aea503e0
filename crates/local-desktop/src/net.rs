//! The server's port: who listens on it, and whether the server answers `GET /status`.
//!
//! Why not just try to connect: "something answers on the port" is not "our server answers". Another
//! process may hold the port (a developer's server, a previous desktop), so readiness also requires that
//! the listening socket belongs to the server process this desktop started.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// The inode of the socket listening on `port` at 127.0.0.1, 0.0.0.0 or the IPv6 wildcard (each of which
/// takes the port from a loopback server), if any.
pub(crate) fn listener_inode(port: u16) -> Option<u64> {
    let wanted = [
        format!("0100007F:{port:04X}"),
        format!("00000000:{port:04X}"),
        format!("00000000000000000000000000000000:{port:04X}"),
    ];
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .find_map(|table| {
            let text = std::fs::read_to_string(table).ok()?;
            text.lines().skip(1).find_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                // Field 4 is the state (0A = LISTEN), field 10 the inode.
                let listening = fields.get(3) == Some(&"0A");
                let local = fields.get(1)?;
                (listening && wanted.iter().any(|w| w == local))
                    .then(|| fields.get(9)?.parse().ok())
                    .flatten()
            })
        })
}

/// True when process `pid` has socket `inode` open.
pub(crate) fn pid_holds_socket(pid: u32, inode: u64) -> bool {
    let target = format!("socket:[{inode}]");
    std::fs::read_dir(format!("/proc/{pid}/fd")).is_ok_and(|fds| {
        fds.filter_map(Result::ok)
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == target.as_str()))
    })
}

/// Some process holding socket `inode` (for "port 8000 is in use by pid 42 (…)"); `None` when it is not
/// visible (another user's process, another PID namespace).
pub(crate) fn socket_holder(inode: u64) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .find(|&pid| pid_holds_socket(pid, inode))
}

/// `GET http://127.0.0.1:{port}/status`: the body when the server answers 200 within `timeout`.
pub(crate) fn status(port: u16, timeout: Duration) -> Option<String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    stream
        .write_all(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let status_line = head.lines().next()?;
    (status_line.starts_with("HTTP/1.1 200") || status_line.starts_with("HTTP/1.0 200"))
        .then(|| body.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_of_this_process_is_found_with_its_holder() {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local_addr: {e}"))
            .port();
        let inode = listener_inode(port)
            .unwrap_or_else(|| panic!("no listener on {port} in /proc/net/tcp"));
        assert!(pid_holds_socket(std::process::id(), inode));
        drop(listener);
        assert_eq!(listener_inode(port), None, "closed listener still listed");
    }
}
