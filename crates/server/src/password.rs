//! Passwords for signing in from a browser: argon2id with the `argon2`
//! crate's default cost (19 MiB, two passes), stored as PHC strings, so a
//! leaked table costs an attacker that much per guess.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 8;
/// Most characters a password may have (argon2 takes any length; this bounds
/// the work one request can ask for).
pub const MAX_CHARS: usize = 200;

/// Why a new password is refused, in words; `None` when it may be used.
/// (The demo's `demo` is set by the demo itself, not through this.)
pub fn problem(password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Some(format!("a password has at least {MIN_CHARS} characters"));
    }
    if n > MAX_CHARS {
        return Some(format!("a password has at most {MAX_CHARS} characters"));
    }
    None
}

/// The PHC string of `password` with a new random salt.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password with default parameters")
        .to_string()
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// A hash no password matches, verified against when the account does not
/// exist, so an unknown address takes as long to refuse as a wrong password.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("no account has this password"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("correct hors", &h));
        assert!(!verify("correct horse", "not a hash"));
        assert_ne!(hash("correct horse"), h, "a new salt each time");
        assert!(problem("short").is_some());
        assert!(problem("long enough").is_none());
    }
}
