//! What a tool returns: content blocks for the model, and structured details for programs.

use serde_json::{Map, Value};

/// One block of a tool result.
#[derive(Clone, PartialEq)]
pub enum Content {
    /// Text for the model.
    Text(String),
    /// An image: base64 (no `data:` prefix) and its MIME type.
    Image {
        /// Base64 of the encoded image.
        base64: String,
        /// `image/jpeg`, `image/png`, `image/webp`.
        mime: &'static str,
    },
}

impl std::fmt::Debug for Content {
    // Never print image data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Content::Text(t) => f.debug_tuple("Text").field(t).finish(),
            Content::Image { base64, mime } => {
                write!(f, "Image({mime}, {} base64 chars)", base64.len())
            }
        }
    }
}

/// A successful tool result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToolOutput {
    /// Blocks in order (text first, then images).
    pub content: Vec<Content>,
    /// Structured details (sizes, frame id, exit code, …); faces add `ok`.
    pub details: Map<String, Value>,
}

impl ToolOutput {
    /// A text-only result.
    pub fn text(text: impl Into<String>) -> ToolOutput {
        ToolOutput {
            content: vec![Content::Text(text.into())],
            details: Map::new(),
        }
    }

    /// A text line, then an image (base64-encoded here), with `details` (a JSON object; anything else is
    /// dropped).
    pub fn image(text: String, details: Value, bytes: &[u8], mime: &'static str) -> ToolOutput {
        use base64::Engine as _;
        let details = match details {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        ToolOutput {
            content: vec![
                Content::Text(text),
                Content::Image {
                    base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                    mime,
                },
            ],
            details,
        }
    }

    /// Adds a detail.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> ToolOutput {
        self.details.insert(key.to_string(), value.into());
        self
    }

    /// All text blocks joined by newlines.
    pub fn joined_text(&self) -> String {
        self.content
            .iter()
            .filter_map(|c| match c {
                Content::Text(t) => Some(t.as_str()),
                Content::Image { .. } => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
