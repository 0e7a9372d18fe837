//! `$id`/`$ref` resolution for alert and incident entity JSON.
//!
//! Sentinel (and MSTICPy's test data) write an entity in full once, with a
//! `$id`, and refer to it elsewhere as `{"$ref": "3"}`. Resolution replaces
//! each reference with a copy of its target, bounded in depth and in the
//! number of nodes produced; a reference that would loop (a process whose
//! parent refers back to it) or that names no `$id` stays a `{"$ref": ..}`.

use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// How many `$ref` hops are followed from any one place.
pub const MAX_REF_DEPTH: usize = 16;
/// How many JSON nodes one resolution may produce (a bound against
/// exponential reference fan-out in hostile input).
pub const MAX_NODES: usize = 200_000;

fn collect_ids<'a>(v: &'a Value, out: &mut HashMap<String, &'a Value>, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(map) => {
            if let Some(id) = map.get("$id").and_then(id_text) {
                out.entry(id).or_insert(v);
            }
            for child in map.values() {
                collect_ids(child, out, depth + 1);
            }
        }
        Value::Array(items) => {
            for child in items {
                collect_ids(child, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

struct Resolver<'a> {
    ids: HashMap<String, &'a Value>,
    stack: Vec<String>,
    budget: usize,
}

impl Resolver<'_> {
    fn resolve(&mut self, v: &Value, hops: usize) -> Result<Value> {
        if self.budget == 0 {
            return Err(Error::invalid(
                "entity JSON",
                format!("resolving $ref links produces more than {MAX_NODES} nodes"),
            ));
        }
        self.budget -= 1;
        match v {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(id_text) {
                    let looping = self.stack.contains(&r) || hops >= MAX_REF_DEPTH;
                    return match self.ids.get(&r).copied() {
                        Some(target) if !looping => {
                            self.stack.push(r);
                            let out = self.resolve(target, hops + 1);
                            self.stack.pop();
                            out
                        }
                        _ => Ok(v.clone()),
                    };
                }
                let own = map.get("$id").and_then(id_text);
                if let Some(id) = &own {
                    self.stack.push(id.clone());
                }
                let mut out = Map::new();
                for (k, child) in map {
                    match self.resolve(child, hops) {
                        Ok(c) => {
                            out.insert(k.clone(), c);
                        }
                        Err(e) => {
                            if own.is_some() {
                                self.stack.pop();
                            }
                            return Err(e);
                        }
                    }
                }
                if own.is_some() {
                    self.stack.pop();
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => items
                .iter()
                .map(|i| self.resolve(i, hops))
                .collect::<Result<Vec<_>>>()
                .map(Value::Array),
            other => Ok(other.clone()),
        }
    }
}

/// Resolves every `$ref` in `v` against the `$id`s found anywhere in `v`.
///
/// ```
/// use serde_json::json;
/// let v = json!([{"$id": "1", "HostName": "h"}, {"Host": {"$ref": "1"}}]);
/// let r = huntbook::entities::json::resolve_refs(&v).unwrap();
/// assert_eq!(r[1]["Host"]["HostName"], "h");
/// ```
pub fn resolve_refs(v: &Value) -> Result<Value> {
    let mut ids = HashMap::new();
    collect_ids(v, &mut ids, 0);
    let mut r = Resolver {
        ids,
        stack: Vec::new(),
        budget: MAX_NODES,
    };
    r.resolve(v, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cycles_stay_references() {
        let v = json!([{"$id": "1", "Type": "process", "ParentProcess": {"$ref": "2"}},
                       {"$id": "2", "Type": "process", "ParentProcess": {"$ref": "1"}}]);
        let r = resolve_refs(&v).unwrap();
        assert_eq!(r[0]["ParentProcess"]["$id"], "2");
        assert_eq!(r[0]["ParentProcess"]["ParentProcess"], json!({"$ref": "1"}));
    }

    #[test]
    fn dangling_reference_is_kept() {
        let r = resolve_refs(&json!({"Host": {"$ref": "9"}})).unwrap();
        assert_eq!(r, json!({"Host": {"$ref": "9"}}));
    }

    #[test]
    fn fan_out_is_bounded() {
        // Each level refers to the previous one twice: 2^depth nodes.
        let mut items = vec![json!({"$id": "0", "x": 1})];
        for i in 1..40 {
            items.push(json!({"$id": i.to_string(), "a": {"$ref": (i - 1).to_string()}, "b": {"$ref": (i - 1).to_string()}}));
        }
        let err = resolve_refs(&Value::Array(items)).unwrap_err().to_string();
        assert!(err.contains("more than 200000 nodes"), "{err}");
    }
}
