//! Shared by the remote driver and Azure AD tests (the server is
//! `crate::http_support`): the bundled data folder and a token endpoint's
//! answer. Benches include this file by `#[path]`.
#![allow(dead_code)]

/// The bundled test data folder (`data/` of the checkout).
pub fn data(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(rel)
}

/// A token endpoint answer.
pub fn token_json(token: &str, expires_in: u64) -> String {
    serde_json::json!({
        "token_type": "Bearer",
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": token,
    })
    .to_string()
}
