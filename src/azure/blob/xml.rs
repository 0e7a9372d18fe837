//! The Blob service's XML: `EnumerationResults` listings and error bodies,
//! read with quick-xml (entities and character references resolved,
//! nesting bounded).

use crate::error::{Error, Result};
use quick_xml::events::Event;
use std::collections::BTreeMap;

/// One page of an `EnumerationResults` listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListingPage {
    /// One map per `<Container>` or `<Blob>`: `Name`, then the
    /// `Properties` children by element name (`Content-Length`, …) and
    /// `Metadata` children as `metadata.<name>`.
    pub items: Vec<BTreeMap<String, String>>,
    /// `<BlobPrefix><Name>` values (listings with a delimiter).
    pub prefixes: Vec<String>,
    /// `NextMarker`, when there are more pages.
    pub next_marker: Option<String>,
}

/// Parses a Blob service `EnumerationResults` XML page (List Containers or
/// List Blobs) with a real XML parser.
///
/// ```
/// let xml = r#"<?xml version="1.0" encoding="utf-8"?>
/// <EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/">
///   <Containers><Container><Name>logs &amp; more</Name>
///   <Properties><Etag>"0x1"</Etag></Properties></Container></Containers>
///   <NextMarker>/a/next</NextMarker></EnumerationResults>"#;
/// let page = huntbook::azure::blob::parse_listing(xml, "Container").unwrap();
/// assert_eq!(page.items[0]["Name"], "logs & more");
/// assert_eq!(page.next_marker.as_deref(), Some("/a/next"));
/// ```
pub fn parse_listing(xml: &str, item_tag: &str) -> Result<ListingPage> {
    let bad = |m: String| Error::invalid("Blob listing XML", m);
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut page = ListingPage::default();
    let mut current: Option<BTreeMap<String, String>> = None;
    let mut saw_root = false;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| bad(format!("at byte {}: {e}", reader.error_position())))?;
        match ev {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if stack.is_empty() {
                    if name != "EnumerationResults" {
                        return Err(bad(format!(
                            "the root element is <{name}>, not <EnumerationResults>"
                        )));
                    }
                    saw_root = true;
                }
                if stack.len() > 16 {
                    return Err(bad("nested too deeply".into()));
                }
                if name == item_tag && stack.len() == 2 {
                    current = Some(BTreeMap::new());
                }
                stack.push(name);
                text.clear();
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if stack.is_empty() {
                    return Err(bad(format!("unexpected empty root <{name}/>")));
                }
            }
            Event::Text(t) => {
                let s = t
                    .decode()
                    .map_err(|e| bad(format!("text is not UTF-8: {e}")))?;
                text.push_str(&s);
            }
            Event::CData(t) => {
                text.push_str(&String::from_utf8_lossy(&t));
            }
            Event::GeneralRef(r) => {
                if let Some(c) = r
                    .resolve_char_ref()
                    .map_err(|e| bad(format!("bad character reference: {e}")))?
                {
                    text.push(c);
                } else {
                    let name = r.decode().map_err(|e| bad(format!("bad entity: {e}")))?;
                    text.push(match name.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(bad(format!("unknown entity &{other};"))),
                    });
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else {
                    return Err(bad("unbalanced end tag".into()));
                };
                let depth = stack.len();
                if let Some(item) = current.as_mut() {
                    if depth == 2 && name == item_tag {
                        if let Some(done) = current.take() {
                            page.items.push(done);
                        }
                    } else if depth >= 3 {
                        let parent = stack.get(depth - 1).map(String::as_str);
                        let key = match parent {
                            Some("Metadata") => format!("metadata.{name}"),
                            Some("Tags") | Some("TagSet") | Some("Tag") => String::new(),
                            _ => name.clone(),
                        };
                        if !key.is_empty()
                            && !text.trim().is_empty()
                            && !matches!(name.as_str(), "Properties" | "Metadata")
                        {
                            item.insert(key, text.trim().to_string());
                        }
                    }
                } else if depth == 1 && name == "NextMarker" {
                    let m = text.trim();
                    if !m.is_empty() {
                        page.next_marker = Some(m.to_string());
                    }
                } else if depth == 3
                    && name == "Name"
                    && stack.get(2).map(String::as_str) == Some("BlobPrefix")
                {
                    page.prefixes.push(text.trim().to_string());
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(bad("no <EnumerationResults> element".into()));
    }
    if !stack.is_empty() {
        return Err(bad(format!("unclosed <{}>", stack.join("><"))));
    }
    Ok(page)
}

/// The `<Code>` and `<Message>` of a Storage error body (nothing else: the
/// `AuthenticationErrorDetail` can quote the request's signature).
pub(crate) fn storage_error(body: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(body);
    let (mut code, mut message, mut cur, mut text) =
        (None::<String>, None::<String>, String::new(), String::new());
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                cur = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.decode().ok()?),
            Event::End(_) => {
                match cur.as_str() {
                    "Code" => code = Some(text.trim().to_string()),
                    "Message" => {
                        message = Some(text.trim().lines().next().unwrap_or("").to_string())
                    }
                    _ => {}
                }
                cur.clear();
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match (code, message) {
        (Some(c), Some(m)) => Some(format!("{c}: {m}")),
        (Some(c), None) => Some(c),
        (None, Some(m)) => Some(m),
        _ => None,
    }
}
