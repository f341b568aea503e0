//! Environment overrides: `COMPUTER_USE_<SCREAMING_SNAKE_KEY>` for every top-level scalar key.
//!
//! The table is derived from the schema (every top-level property whose type is a string, number,
//! integer or boolean), so a new scalar key gets its variable without touching this file. Values are
//! parsed by the key's type and validated exactly like file values; errors name the variable.
//! Environment wins over the file. An empty (or all-blank) variable counts as unset, so
//! `COMPUTER_USE_SERVER_URL=` in a compose file does not blank a configured value.

use std::sync::OnceLock;

use serde_json::Value;

use super::defaults::ENV_PREFIX;
use super::error::{ConfigError, Problem};
use super::raw::Config;
use super::{load, schema, validate};

/// One environment variable that overrides a top-level key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvOverride {
    /// The variable, e.g. `COMPUTER_USE_SERVER_PORT`.
    pub var: String,
    /// The configuration key it overrides, e.g. `serverPort`.
    pub key: String,
    /// The key's JSON type: `string`, `integer`, `number` or `boolean`.
    pub kind: String,
}

/// The override table, in key order.
pub(super) fn table() -> &'static [EnvOverride] {
    static TABLE: OnceLock<Vec<EnvOverride>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let Some(props) = schema::annotated()
            .get("properties")
            .and_then(Value::as_object)
        else {
            return Vec::new();
        };
        props
            .iter()
            .filter_map(|(key, sub)| {
                let kind = sub.get("type").and_then(Value::as_str)?;
                matches!(kind, "string" | "integer" | "number" | "boolean").then(|| EnvOverride {
                    var: format!("{ENV_PREFIX}{}", screaming_snake(key)),
                    key: key.clone(),
                    kind: kind.to_owned(),
                })
            })
            .collect()
    })
}

/// `maxScreenshotBytes` → `MAX_SCREENSHOT_BYTES`.
pub(super) fn screaming_snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// Returns `config` with the environment's overrides applied, or every problem they cause.
pub(super) fn apply(
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    const ORIGIN: &str = "the environment (COMPUTER_USE_* variables)";
    let mut value = serde_json::to_value(config).map_err(|e| ConfigError::Invalid {
        origin: ORIGIN.to_owned(),
        problems: vec![Problem::new(&[], e.to_string())],
    })?;
    let props = schema::annotated().get("properties");
    let mut problems = Vec::new();
    let mut applied: Vec<&EnvOverride> = Vec::new();
    for entry in table() {
        let Some(raw) = env(&entry.var) else {
            continue;
        };
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let path = [entry.key.clone()];
        let mut parsed = match parse_scalar(raw, &entry.kind) {
            Ok(v) => v,
            Err(expected) => {
                problems.push(Problem::new(
                    &path,
                    format!("{}={raw:?}: `{}` must be {expected}", entry.var, entry.key),
                ));
                continue;
            }
        };
        let Some(key_schema) = props.and_then(|p| p.get(&entry.key)) else {
            continue;
        };
        let found = validate::check_at(key_schema, &mut parsed, &path);
        if found.is_empty() {
            if let Some(obj) = value.as_object_mut() {
                obj.insert(entry.key.clone(), parsed);
            }
            applied.push(entry);
        } else {
            problems.extend(found.into_iter().map(|p| Problem {
                message: format!("{}: {}", entry.var, p.message),
                ..p
            }));
        }
    }
    if !problems.is_empty() {
        return Err(ConfigError::Invalid {
            origin: ORIGIN.to_owned(),
            problems,
        });
    }
    if applied.is_empty() {
        return Ok(config.clone());
    }
    // Cross-key rules (provider `url` needs `serverUrl`, ...) see file and environment together; a
    // problem on a key that came from the environment names its variable.
    let vars: Vec<&str> = applied.iter().map(|a| a.var.as_str()).collect();
    let origin = format!("the configuration with overrides from {}", vars.join(", "));
    load::from_value(value, &origin).map_err(|err| match err {
        ConfigError::Invalid { origin, problems } => ConfigError::Invalid {
            origin,
            problems: problems
                .into_iter()
                .map(
                    |p| match applied.iter().find(|a| p.path.first() == Some(&a.key)) {
                        Some(a) => Problem {
                            message: format!("{}: {}", a.var, p.message),
                            ..p
                        },
                        None => p,
                    },
                )
                .collect(),
        },
        other => other,
    })
}

/// Parses an environment string as a JSON value of `kind`; on failure returns what was expected.
fn parse_scalar(raw: &str, kind: &str) -> Result<Value, &'static str> {
    match kind {
        "integer" => raw
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| raw.parse::<u64>().map(Value::from))
            .map_err(|_| "a whole number"),
        // Integers stay integers so messages echo `2`, not `2.0`.
        "number" => raw
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| {
                raw.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
            })
            .ok_or("a finite number"),
        "boolean" => match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Value::Bool(true)),
            "false" | "0" | "no" | "off" => Ok(Value::Bool(false)),
            _ => Err("true or false (also accepted: 1/0, yes/no, on/off)"),
        },
        _ => Ok(Value::from(raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screaming_snake_names() {
        assert_eq!(screaming_snake("serverPort"), "SERVER_PORT");
        assert_eq!(
            screaming_snake("maxScreenshotBytes"),
            "MAX_SCREENSHOT_BYTES"
        );
        assert_eq!(screaming_snake("tls"), "TLS");
        assert_eq!(screaming_snake("lumeApiUrl"), "LUME_API_URL");
    }

    #[test]
    fn scalar_parsing() {
        assert_eq!(parse_scalar("8000", "integer"), Ok(Value::from(8000)));
        assert!(parse_scalar("80.5", "integer").is_err());
        assert!(parse_scalar("NaN", "number").is_err());
        assert!(parse_scalar("inf", "number").is_err());
        assert_eq!(parse_scalar("YES", "boolean"), Ok(Value::Bool(true)));
        assert!(parse_scalar("maybe", "boolean").is_err());
    }
}
