//! (filled in by the tools work)

use crate::tools::Tool;

/// This module's tools.
pub const TOOLS: &[&dyn Tool] = &[];
