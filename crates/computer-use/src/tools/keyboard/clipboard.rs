//! `vm_clipboard`: reads the VM's clipboard, or sets it (one tool for both keeps the tool list short).
//!
//! On Linux the server sets the clipboard through xclip, which takes the selection asynchronously: a read (or
//! a paste) right after `set_clipboard` can still see the old content. So after setting, the clipboard is
//! read back until it matches (briefly), and the result says whether it was confirmed.

use std::time::{Duration, Instant};

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::files::FileWrite;
use crate::tools::shell::output::{OUTPUT_CAP_BYTES, shorten};
use crate::tools::{Content, ToolContext, ToolError, ToolOutput, TypedTool};

/// The largest text `vm_clipboard` sets (bigger text belongs in a file).
pub const MAX_CLIPBOARD_BYTES: usize = 1 << 20;

/// How long a set is confirmed by reading back.
const CONFIRM_FOR: Duration = Duration::from_millis(1500);

/// `vm_clipboard {text?}`.
pub struct Clipboard;

/// Arguments of `vm_clipboard`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClipboardArgs {
    /// Text to put on the clipboard; omit it to read the clipboard (the description says it).
    #[schemars(description = "")]
    #[serde(default)]
    pub text: Option<String>,
}

impl TypedTool for Clipboard {
    type Args = ClipboardArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_clipboard",
        title: "Clipboard",
        description: "Read the clipboard, or set it to text (paste with ctrl+v, cmd+v on macOS).",
        kind: ToolKind::Input,
        effect: Effect::Destructive,
        idempotent: true,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[CommandName::CopyToClipboard, CommandName::SetClipboard],
    };

    async fn run(&self, ctx: &ToolContext, args: ClipboardArgs) -> Result<ToolOutput, ToolError> {
        match args.text {
            None => read(ctx).await,
            Some(text) => set(ctx, &text).await,
        }
    }
}

async fn read(ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
    let session = ctx.session()?;
    let text = ctx.cancellable(&session, session.gui().clipboard()).await?;
    let chars = text.chars().count();
    let (shown, dropped) = shorten(&text, OUTPUT_CAP_BYTES);
    let summary = if text.is_empty() {
        "The clipboard is empty (or holds no text).".to_string()
    } else if dropped > 0 {
        format!(
            "Clipboard: {chars} characters ({} bytes); {dropped} bytes in the middle were left out.",
            text.len()
        )
    } else {
        format!("Clipboard: {chars} characters.")
    };
    Ok(ToolOutput {
        content: vec![Content::Text(shown.clone()), Content::Text(summary)],
        details: Default::default(),
    }
    .with("text", shown)
    .with("characters", chars)
    .with("droppedBytes", dropped))
}

async fn set(ctx: &ToolContext, text: &str) -> Result<ToolOutput, ToolError> {
    if text.len() > MAX_CLIPBOARD_BYTES {
        return Err(ToolError::rejected(format!(
            "vm_clipboard: {} bytes is more than the {MAX_CLIPBOARD_BYTES} bytes it sets; the clipboard was not changed. \
             Write large text to a file with {} instead.",
            text.len(),
            FileWrite::SPEC.name
        )));
    }
    let session = ctx.session()?;
    let client = session.gui();
    ctx.cancellable(&session, client.set_clipboard(text))
        .await?;
    let start = Instant::now();
    let confirmed = loop {
        if ctx.cancellable(&session, client.clipboard()).await? == text {
            break true;
        }
        if start.elapsed() > CONFIRM_FOR {
            break false;
        }
        ctx.pause(Duration::from_millis(100)).await?;
    };
    let chars = text.chars().count();
    let message = if confirmed {
        format!("Clipboard set ({chars} characters).")
    } else {
        format!(
            "Clipboard set ({chars} characters), but reading it back still shows other content; \
             a paste may insert the old text. Read it with vm_clipboard before pasting."
        )
    };
    Ok(ToolOutput::text(message)
        .with("characters", chars)
        .with("confirmed", confirmed))
}
