//! Clerks' bearer tokens: read from a file (CONTRACT.md's `--tokens`) or an environment variable,
//! one clerk a line, `CLERK TOKEN` or `CLERK sha256:HEX`, and checked by their SHA-256 so the
//! file need not hold the secrets themselves.

use minutes_core::id::Clerk;
use sha2::{Digest, Sha256};

use crate::error::ServerError;

/// The clerks who may write, each with the SHA-256 of their token.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    entries: Vec<(Clerk, [u8; 32])>,
}

impl Tokens {
    /// Reads the lines of a tokens file (`origin` names it in messages): `CLERK TOKEN` or
    /// `CLERK sha256:HEX`; blank lines and lines starting with `#` are ignored. The clerk's
    /// name is everything before the last space, so a name may hold spaces.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ServerError> {
        let mut entries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: &str| ServerError::Tokens(format!("{origin}:{}: {why}", n + 1));
            let Some((name, secret)) = line.rsplit_once(char::is_whitespace) else {
                return Err(bad("expected `CLERK TOKEN` or `CLERK sha256:HEX`"));
            };
            let clerk = Clerk::new(name.trim()).map_err(|e| bad(&e.to_string()))?;
            let digest = match secret.strip_prefix("sha256:") {
                Some(hex) => parse_hex(hex).ok_or_else(|| bad("sha256: takes 64 hexadecimal digits"))?,
                None if secret.len() < 16 => {
                    return Err(bad("a token has at least 16 characters (or give its sha256:HEX)"))
                }
                None => digest(secret),
            };
            if entries.iter().any(|(_, d)| *d == digest) {
                return Err(bad("this token is given to another clerk already"));
            }
            entries.push((clerk, digest));
        }
        Ok(Self { entries })
    }

    /// The clerk whose token this is, if any. Every entry is compared in full, so the time
    /// taken does not say how much of a guess was right.
    pub fn clerk(&self, token: &str) -> Option<&Clerk> {
        let d = digest(token);
        let mut found = None;
        for (clerk, want) in &self.entries {
            let diff = want.iter().zip(d.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
            if diff == 0 {
                found = Some(clerk);
            }
        }
        found
    }

    /// How many clerks may write.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nobody may write.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The SHA-256 of a token, hex: what a tokens file may hold instead of the token.
pub fn token_digest_hex(token: &str) -> String {
    digest(token).iter().map(|b| format!("{b:02x}")).collect()
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn parse_hex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_or_its_digest_names_its_clerk() {
        let hex = token_digest_hex("second-secret-token-000");
        let t = Tokens::parse(
            &format!("# clerks\n\nAna Ruiz first-secret-token-0000\ndesk-2 sha256:{hex}\n"),
            "tokens",
        )
        .expect("parses");
        assert_eq!(t.len(), 2);
        assert_eq!(t.clerk("first-secret-token-0000").map(Clerk::as_str), Some("Ana Ruiz"));
        assert_eq!(t.clerk("second-secret-token-000").map(Clerk::as_str), Some("desk-2"));
        assert!(t.clerk("first-secret-token-0001").is_none());
        assert!(t.clerk("").is_none());
    }

    #[test]
    fn bad_lines_are_named() {
        let e = Tokens::parse("ana short\n", "f").expect_err("too short");
        assert!(e.to_string().contains("f:1:"), "{e}");
        let e = Tokens::parse("ok-clerk 0123456789abcdef0\nlonely\n", "f").expect_err("no token");
        assert!(e.to_string().contains("f:2:"), "{e}");
        let e = Tokens::parse("a sha256:zz\n", "f").expect_err("bad hex");
        assert!(e.to_string().contains("64 hexadecimal"), "{e}");
        let e = Tokens::parse("a 0123456789abcdef0\nb 0123456789abcdef0\n", "f").expect_err("dup");
        assert!(e.to_string().contains("another clerk"), "{e}");
    }
}
