//! Secrets (the cua cloud API key): where they come from and how they are kept out of output.
//!
//! The key is never part of the configuration (which is logged, printed by `config show` and stored in
//! openclaw.json); it is read from a file or an environment variable when a VM is resolved. [`Secret`]
//! prints `[redacted]` in both `Debug` and `Display` and implements no `Serialize`, so it cannot leak
//! through a log line, an error or a JSON dump by accident.

use super::error::ConfigError;
use super::raw::Cloud;

/// The wire crate's secret string: `Debug` and `Display` print `[redacted]`, and it has no `Serialize`.
pub use cua_protocol::Secret;

/// Resolved cua cloud credentials of one VM.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloudCredentials {
    /// The cloud container's name (not secret).
    pub container_name: String,
    /// The API key.
    pub api_key: Secret,
}

impl Cloud {
    /// Reads the API key from `apiKeyFile` if configured, else from the environment variable
    /// `apiKeyEnv` of this process.
    pub fn api_key(&self) -> Result<Secret, ConfigError> {
        self.api_key_with(&|name: &str| std::env::var(name).ok())
    }

    /// Like [`Cloud::api_key`] with an explicit environment (for tests and embedding).
    pub fn api_key_with(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Secret, ConfigError> {
        let missing = |reason: String, hint: String| ConfigError::MissingApiKey {
            container: self.container_name.clone(),
            reason,
            hint,
        };
        if let Some(file) = &self.api_key_file {
            let text = std::fs::read_to_string(file).map_err(|e| {
                missing(
                    format!("cannot read `cloud.apiKeyFile` {}: {e}", file.display()),
                    "create that file with the API key as its only content, or remove `apiKeyFile` to read the key from the environment".to_owned(),
                )
            })?;
            let key = text.trim();
            if key.is_empty() {
                return Err(missing(
                    format!("`cloud.apiKeyFile` {} is empty", file.display()),
                    "write the API key into that file".to_owned(),
                ));
            }
            return Ok(Secret::new(key));
        }
        match env(&self.api_key_env) {
            Some(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim())),
            Some(_) => Err(missing(
                format!("environment variable {} is empty", self.api_key_env),
                format!(
                    "export {}=<your cua API key>, or set `cloud.apiKeyFile`",
                    self.api_key_env
                ),
            )),
            None => Err(missing(
                format!("environment variable {} is not set", self.api_key_env),
                format!(
                    "export {}=<your cua API key>, or set `cloud.apiKeyFile`",
                    self.api_key_env
                ),
            )),
        }
    }

    /// Resolves the credentials (container name and API key).
    pub fn credentials_with(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<CloudCredentials, ConfigError> {
        Ok(CloudCredentials {
            container_name: self.container_name.clone(),
            api_key: self.api_key_with(env)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("sk-very-secret");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{s:?}"), "[redacted]");
        let creds = CloudCredentials {
            container_name: "box".into(),
            api_key: s.clone(),
        };
        assert!(!format!("{creds:?}").contains("sk-very-secret"));
        assert_eq!(s.expose(), "sk-very-secret");
    }
}
