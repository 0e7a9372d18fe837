//! Splunk REST answers other than results: job status, messages, saved
//! searches.

use super::results::SplunkMessage;
use super::search_text;
use crate::data::drivers::DriverQuery;
use crate::error::{Error, Result};

/// A job's state from `GET /services/search/jobs/{sid}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    /// `QUEUED`, `PARSING`, `RUNNING`, `FINALIZING`, `DONE`, `FAILED`…
    pub dispatch_state: String,
    /// `isDone`.
    pub is_done: bool,
    /// `isFailed`.
    pub is_failed: bool,
    /// `resultCount`.
    pub result_count: usize,
    /// The job's messages.
    pub messages: Vec<SplunkMessage>,
}

impl JobStatus {
    /// Reads a job status body.
    pub fn parse(body: &serde_json::Value) -> Result<Self> {
        let content = body
            .get("entry")
            .and_then(|e| e.get(0))
            .and_then(|e| e.get("content"))
            .ok_or_else(|| {
                Error::Runtime("Splunk job status: the answer has no entry[0].content".into())
            })?;
        let flag = |k: &str| match content.get(k) {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s == "1" || s.eq_ignore_ascii_case("true"),
            Some(serde_json::Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        };
        let result_count = match content.get("resultCount") {
            Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(0) as usize,
            Some(serde_json::Value::String(s)) => s.parse().unwrap_or(0),
            _ => 0,
        };
        Ok(Self {
            dispatch_state: content
                .get("dispatchState")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string(),
            is_done: flag("isDone"),
            is_failed: flag("isFailed"),
            result_count,
            messages: messages_of(content.get("messages")),
        })
    }
}

/// Messages from a `messages` value: a list of `{type, text}`, or Splunk's
/// job form `{"error": ["text"], "warn": [...]}`.
pub(super) fn messages_of(v: Option<&serde_json::Value>) -> Vec<SplunkMessage> {
    match v {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|i| serde_json::from_value(i.clone()).ok())
            .collect(),
        Some(serde_json::Value::Object(m)) => m
            .iter()
            .flat_map(|(kind, texts)| {
                let texts: Vec<String> = match texts {
                    serde_json::Value::Array(a) => a
                        .iter()
                        .map(|t| {
                            t.as_str()
                                .map(String::from)
                                .unwrap_or_else(|| t.to_string())
                        })
                        .collect(),
                    serde_json::Value::String(s) => vec![s.clone()],
                    other => vec![other.to_string()],
                };
                texts.into_iter().map(move |text| SplunkMessage {
                    kind: kind.to_ascii_uppercase(),
                    text,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub(super) fn message_texts(body: &str) -> String {
    let v: serde_json::Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(_) => return snippet(body),
    };
    let msgs = messages_of(v.get("messages"));
    if msgs.is_empty() {
        snippet(body)
    } else {
        msgs.iter()
            .map(|m| m.text.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn snippet(body: &str) -> String {
    let t: String = body.trim().chars().take(200).collect();
    if t.is_empty() {
        "(empty answer)".into()
    } else {
        t
    }
}

/// Saved searches from a `saved/searches` answer, as driver queries
/// (family `SavedSearches`; names with anything but letters, digits and
/// `_` replaced by `_`).
pub fn parse_saved_searches(v: &serde_json::Value) -> Vec<DriverQuery> {
    let Some(entries) = v.get("entry").and_then(|e| e.as_array()) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| {
            let name = e.get("name")?.as_str()?;
            let content = e.get("content")?;
            let search = content.get("search")?.as_str()?;
            let desc = content
                .get("description")
                .and_then(|d| d.as_str())
                .filter(|d| !d.is_empty())
                .map(String::from)
                .unwrap_or_else(|| format!("Splunk saved search '{name}'"));
            let id: String = name
                .trim()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            Some(DriverQuery {
                family: "SavedSearches".into(),
                name: id,
                query: search_text(search),
                description: desc,
            })
        })
        .collect()
}
