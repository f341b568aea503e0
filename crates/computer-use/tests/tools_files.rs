//! `vm_file_read`, `vm_file_write` and `vm_file_list` against the real server. The guest is this machine, so
//! every write is checked on disk and every read against bytes written to disk directly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use common::*;
use computer_use::tools::{Content, ToolErrorKind, ToolOutput};
use serde_json::json;
use testkit::desktop::Desktop;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

/// The first content block (the data) of a read.
fn data(out: &ToolOutput) -> &str {
    match &out.content[0] {
        Content::Text(t) => t,
        other => panic!("expected text, got {other:?}"),
    }
}

/// Deterministic pseudo-random bytes (every byte value occurs).
fn noise(n: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[tokio::test]
async fn text_and_binary_files_round_trip_in_chunks() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "");
    let dir = scratch("files-rt");

    // Text.
    let text_path = dir.join("hello.txt");
    let p = text_path.to_str().unwrap();
    let text = "héllo\nwörld ✓ 日本\n";
    let out = ok(&ctx, "vm_file_write", json!({"path": p, "content": text})).await;
    assert_eq!(out.details["bytes"], text.len());
    assert_eq!(std::fs::read_to_string(&text_path).unwrap(), text);
    let out = ok(
        &ctx,
        "vm_file_write",
        json!({"path": p, "content": "more ✓", "append": true}),
    )
    .await;
    assert_eq!(out.details["size"], text.len() + "more ✓".len());
    let out = ok(&ctx, "vm_file_read", json!({"path": p})).await;
    assert_eq!(data(&out), format!("{text}more ✓"));
    assert_eq!(out.details["eof"], true);

    // Small binary through base64: every byte value.
    let bin_path = dir.join("all.bin");
    let all: Vec<u8> = (0..=255u8).collect();
    let p = bin_path.to_str().unwrap();
    ok(
        &ctx,
        "vm_file_write",
        json!({"path": p, "content": b64(&all), "encoding": "base64"}),
    )
    .await;
    assert_eq!(std::fs::read(&bin_path).unwrap(), all);
    let out = ok(
        &ctx,
        "vm_file_read",
        json!({"path": p, "encoding": "base64"}),
    )
    .await;
    assert_eq!(unb64(data(&out)), all);
    let e = err(&ctx, "vm_file_read", json!({"path": p})).await;
    assert_eq!(e.kind, ToolErrorKind::Failed, "{e}");
    assert!(
        e.message.contains("not UTF-8") && e.message.contains("base64"),
        "{e}"
    );

    // 3 MiB + a bit: written in several pieces, read back in several pieces, compared with the disk.
    let big = noise(3 * 1024 * 1024 + 123);
    let big_path = dir.join("big.bin");
    let p = big_path.to_str().unwrap();
    let out = ok(
        &ctx,
        "vm_file_write",
        json!({"path": p, "content": b64(&big), "encoding": "base64"}),
    )
    .await;
    assert!(
        out.joined_text().contains("in 5 pieces"),
        "{}",
        out.joined_text()
    );
    assert_eq!(std::fs::read(&big_path).unwrap(), big, "bytes on disk");
    let out = ok(
        &ctx,
        "vm_file_read",
        json!({"path": p, "encoding": "base64"}),
    )
    .await;
    assert_eq!(out.details["bytes"], big.len());
    assert_eq!(unb64(data(&out)), big, "bytes read back");

    // A file written on disk directly reads back identically.
    let disk = noise(1_500_000);
    let disk_path = dir.join("disk.bin");
    std::fs::write(&disk_path, &disk).unwrap();
    let p = disk_path.to_str().unwrap();
    let out = ok(
        &ctx,
        "vm_file_read",
        json!({"path": p, "encoding": "base64"}),
    )
    .await;
    assert_eq!(unb64(data(&out)), disk);

    // Offset and length.
    let out = ok(
        &ctx,
        "vm_file_read",
        json!({"path": p, "encoding": "base64", "offset": 1_048_570, "length": 20}),
    )
    .await;
    assert_eq!(unb64(data(&out)), &disk[1_048_570..1_048_590]);
    assert_eq!(out.details["nextOffset"], 1_048_590);
    assert_eq!(out.details["eof"], false);
    assert!(
        out.joined_text().contains("call again with offset 1048590"),
        "{}",
        out.joined_text()
    );
    let e = err(
        &ctx,
        "vm_file_read",
        json!({"path": p, "offset": 9_999_999}),
    )
    .await;
    assert_eq!(e.kind, ToolErrorKind::Rejected, "{e}");

    // Text ranges never split a character: the cut one is left for the next read.
    let p = text_path.to_str().unwrap();
    let out = ok(&ctx, "vm_file_read", json!({"path": p, "length": 2})).await;
    assert_eq!(data(&out), "h"); // `é` is 2 bytes, so byte 2 is inside it
    assert_eq!(out.details["nextOffset"], 1);
    let out = ok(
        &ctx,
        "vm_file_read",
        json!({"path": p, "offset": 1, "length": 6}),
    )
    .await;
    assert_eq!(data(&out), "éllo\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn reads_are_capped_listing_is_sorted_and_errors_name_the_path() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "");
    let dir = scratch("files-misc");

    // Over 8 MiB: one call returns 8 MiB and says where to continue.
    let huge = noise(9 * 1024 * 1024);
    let huge_path = dir.join("huge.bin");
    std::fs::write(&huge_path, &huge).unwrap();
    let p = huge_path.to_str().unwrap();
    let out = ok(
        &ctx,
        "vm_file_read",
        json!({"path": p, "encoding": "base64"}),
    )
    .await;
    assert_eq!(out.details["bytes"], 8 * 1024 * 1024);
    assert_eq!(unb64(data(&out)), &huge[..8 * 1024 * 1024]);
    assert!(
        out.joined_text()
            .contains(&format!("call again with offset {}", 8 * 1024 * 1024)),
        "{}",
        out.joined_text()
    );
    let out = ok(
        &ctx,
        "vm_file_read",
        json!({"path": p, "encoding": "base64", "offset": 8 * 1024 * 1024}),
    )
    .await;
    assert_eq!(unb64(data(&out)), &huge[8 * 1024 * 1024..]);
    assert_eq!(out.details["eof"], true);
    std::fs::remove_file(&huge_path).unwrap();

    // Missing files fail naming the path.
    let missing = dir.join("nope.txt");
    let m = missing.to_str().unwrap();
    let e = err(&ctx, "vm_file_read", json!({"path": m})).await;
    assert_eq!(e.kind, ToolErrorKind::Failed, "{e}");
    assert!(e.message.contains(m), "{e}");
    assert!(
        e.hint
            .as_deref()
            .is_some_and(|h| h.contains("vm_file_list")),
        "{e}"
    );
    let e = err(
        &ctx,
        "vm_file_write",
        json!({"path": dir.join("no-dir/x.txt").to_str().unwrap(), "content": "x"}),
    )
    .await;
    assert_eq!(e.kind, ToolErrorKind::Failed, "{e}");
    assert!(e.message.contains("no-dir/x.txt"), "{e}");
    let e = err(
        &ctx,
        "vm_file_write",
        json!({"path": m, "content": "%%%", "encoding": "base64"}),
    )
    .await;
    assert_eq!(e.kind, ToolErrorKind::InvalidArguments, "{e}");
    assert!(!missing.exists());

    // Listing: sorted, directories marked.
    for f in ["b.txt", "a.txt", "Z.txt"] {
        std::fs::write(dir.join(f), f).unwrap();
    }
    std::fs::create_dir(dir.join("sub dir")).unwrap();
    let d = dir.to_str().unwrap();
    let out = ok(&ctx, "vm_file_list", json!({"path": d})).await;
    assert_eq!(
        out.details["entries"],
        json!(["Z.txt", "a.txt", "b.txt", "sub dir"])
    );
    assert_eq!(out.details["directories"], json!(["sub dir"]));
    let text = out.joined_text();
    assert!(text.contains("\nZ.txt\na.txt\nb.txt\nsub dir/"), "{text}");
    let e = err(&ctx, "vm_file_list", json!({"path": m})).await;
    assert_eq!(e.kind, ToolErrorKind::Failed, "{e}");
    assert!(e.message.contains(m), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
