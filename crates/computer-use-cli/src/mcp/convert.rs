//! From the core's tool results to MCP's: text and image blocks in order, `structuredContent` for programs,
//! and the split between failures the model should read (`isError` results) and malformed calls (protocol
//! errors).
//!
//! - Success: the blocks, `structuredContent` = the tool's details plus `ok: true`.
//! - A tool failure (rejected, failed, unavailable, ambiguous): one text block with the actionable message
//!   (and its hint), `isError: true`, `structuredContent` = `{ok: false, error: kind, outcome, hard, message,
//!   hint?}`. `outcome`
//!   says whether the action may have happened (`not_sent`, `failed`, `unknown`); `hard` marks failures a
//!   host should count as a failed call rather than an answer (the VM is unreachable, or the outcome is
//!   unknown).
//! - Invalid arguments (wrong types, unknown fields, unknown tool): JSON-RPC `-32602 invalid params`, the
//!   message naming the tool and the field.

use computer_use::tools::{Content, ToolError, ToolErrorKind, ToolOutput};
use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Value, json};

/// The MCP answer to one `tools/call`.
pub fn call_result(result: Result<ToolOutput, ToolError>) -> Result<CallToolResult, ErrorData> {
    match result {
        Ok(output) => Ok(success(output)),
        Err(e) if e.kind == ToolErrorKind::InvalidArguments => {
            Err(ErrorData::invalid_params(e.to_string(), None))
        }
        Err(e) => Ok(failure(&e)),
    }
}

fn success(output: ToolOutput) -> CallToolResult {
    let ToolOutput {
        content,
        mut details,
    } = output;
    let blocks = content.into_iter().map(block).collect();
    details.insert("ok".into(), Value::Bool(true));
    let mut result = CallToolResult::success(blocks);
    result.structured_content = Some(Value::Object(details));
    result
}

fn block(content: Content) -> ContentBlock {
    match content {
        Content::Text(text) => ContentBlock::text(text),
        Content::Image { base64, mime } => ContentBlock::image(base64, mime),
    }
}

fn failure(e: &ToolError) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(e.to_string())]);
    let mut structured = json!({
        "ok": false,
        "error": e.kind.as_str(),
        "outcome": e.outcome_name(),
        "hard": e.is_hard(),
        "message": e.message,
    });
    if let Some(hint) = &e.hint {
        structured["hint"] = json!(hint);
    }
    result.structured_content = Some(structured);
    result
}

#[cfg(test)]
mod tests {
    use rmcp::model::ErrorCode;

    use super::*;

    fn to_json(result: &CallToolResult) -> Value {
        serde_json::to_value(result).unwrap_or(Value::Null)
    }

    #[test]
    fn success_keeps_block_order_mime_and_details() {
        let output = ToolOutput {
            content: vec![
                Content::Text("Screenshot 640x400".into()),
                Content::Image {
                    base64: "aGVsbG8=".into(),
                    mime: "image/jpeg",
                },
            ],
            details: serde_json::Map::new(),
        }
        .with("frame", 3)
        .with("width", 640);
        let Ok(result) = call_result(Ok(output)) else {
            panic!("a success must not become a protocol error");
        };
        let wire = to_json(&result);
        assert_eq!(wire["isError"], false);
        assert_eq!(wire["content"][0]["type"], "text");
        assert_eq!(wire["content"][0]["text"], "Screenshot 640x400");
        assert_eq!(wire["content"][1]["type"], "image");
        assert_eq!(wire["content"][1]["data"], "aGVsbG8=");
        assert_eq!(wire["content"][1]["mimeType"], "image/jpeg");
        assert_eq!(
            wire["structuredContent"],
            json!({"frame": 3, "width": 640, "ok": true})
        );
    }

    #[test]
    fn tool_failures_are_error_results_the_model_reads() {
        for (kind, outcome, hard) in [
            (ToolErrorKind::Rejected, "not_sent", false),
            (ToolErrorKind::Failed, "failed", false),
            (ToolErrorKind::Unavailable, "not_sent", true),
            (ToolErrorKind::Ambiguous, "unknown", true),
        ] {
            let error = ToolError::new(kind, "point (5000, 10) is off-screen; x must be 0..1279");
            let Ok(result) = call_result(Err(error)) else {
                panic!("{kind:?} must be an isError result, not a protocol error");
            };
            let wire = to_json(&result);
            assert_eq!(wire["isError"], true, "{kind:?}");
            assert_eq!(
                wire["content"],
                json!([{"type": "text", "text": "point (5000, 10) is off-screen; x must be 0..1279"}])
            );
            assert_eq!(
                wire["structuredContent"],
                json!({
                    "ok": false,
                    "error": kind.as_str(),
                    "outcome": outcome,
                    "hard": hard,
                    "message": "point (5000, 10) is off-screen; x must be 0..1279",
                }),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn invalid_arguments_are_protocol_errors() {
        let error = ToolError::invalid("vm_click: invalid arguments: unknown field `z`");
        let Err(e) = call_result(Err(error)) else {
            panic!("invalid arguments must be a protocol error");
        };
        assert_eq!(e.code, ErrorCode::INVALID_PARAMS);
        assert_eq!(e.message, "vm_click: invalid arguments: unknown field `z`");
    }
}
