//! What the loop guard remembers of a returned image: a hash of its encoded bytes, so identical screens in a
//! row can be told from a screen that changed.

use sha2::{Digest, Sha256};

use crate::result::{Content, ToolOutput};

/// A hash of every image of a result (the encoded bytes, as base64), or None without images.
pub(crate) fn image_hash(out: &ToolOutput) -> Option<u64> {
    let mut hasher = Sha256::new();
    let mut any = false;
    for c in &out.content {
        if let Content::Image { base64, mime } = c {
            hasher.update(mime.as_bytes());
            hasher.update(base64.as_bytes());
            any = true;
        }
    }
    any.then(|| {
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_hash_depends_on_the_image_only() {
        let img = |b: &str| ToolOutput {
            content: vec![
                Content::Text("t".into()),
                Content::Image {
                    base64: b.into(),
                    mime: "image/jpeg",
                },
            ],
            details: Default::default(),
        };
        assert_eq!(image_hash(&ToolOutput::text("x")), None);
        assert_eq!(image_hash(&img("AAAA")), image_hash(&img("AAAA")));
        assert_ne!(image_hash(&img("AAAA")), image_hash(&img("AAAB")));
    }
}
