//! A small element tree written out by quick-xml, which escapes every text and attribute: the
//! Akoma Ntoso, HTML and SVG exports build one and print it. Elements with text among their
//! children are written without added whitespace, so mixed content keeps its words exactly.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::error::{ExportError, Result};

/// An element: its name, attributes in order, and children.
#[derive(Debug, Clone, Default)]
pub struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

/// A child of an element: another element, or text.
#[derive(Debug, Clone)]
pub enum Node {
    /// An element.
    El(El),
    /// Text (escaped when written).
    Text(String),
}

/// How empty elements are written: XML's `<x/>`, or HTML's `<x></x>` (but for void elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// XML.
    Xml,
    /// HTML5 (SVG inside it included).
    Html,
}

const VOID: &[&str] = &["meta", "br", "hr", "img", "link", "input"];

impl El {
    /// An element named `name`, without attributes or children.
    pub fn new(name: &str) -> Self {
        Self { name: name.to_string(), ..Self::default() }
    }

    /// With an attribute.
    pub fn attr(mut self, k: &str, v: impl Into<String>) -> Self {
        self.attrs.push((k.to_string(), v.into()));
        self
    }

    /// With an attribute, when `v` is some.
    pub fn attr_opt(self, k: &str, v: Option<impl Into<String>>) -> Self {
        match v {
            Some(v) => self.attr(k, v),
            None => self,
        }
    }

    /// With a child element.
    pub fn child(mut self, c: El) -> Self {
        self.children.push(Node::El(c));
        self
    }

    /// With child elements.
    pub fn children(mut self, cs: impl IntoIterator<Item = El>) -> Self {
        self.children.extend(cs.into_iter().map(Node::El));
        self
    }

    /// With a text child.
    pub fn text(mut self, t: impl Into<String>) -> Self {
        self.children.push(Node::Text(t.into()));
        self
    }

    /// Adds a child element.
    pub fn push(&mut self, c: El) {
        self.children.push(Node::El(c));
    }

    /// Adds a text child.
    pub fn push_text(&mut self, t: impl Into<String>) {
        self.children.push(Node::Text(t.into()));
    }

    /// Whether it has no children.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

/// Writes `root` as an XML document (with its declaration).
pub fn xml_document(root: &El) -> Result<String> {
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).map_err(xml_err)?;
    w.write_event(Event::Text(BytesText::from_escaped("\n"))).map_err(xml_err)?;
    write(&mut w, root, 0, Flavour::Xml, false)?;
    finish(w)
}

/// Writes `root` as an HTML5 document (with its doctype).
pub fn html_document(root: &El) -> Result<String> {
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::DocType(BytesText::from_escaped("html"))).map_err(xml_err)?;
    w.write_event(Event::Text(BytesText::from_escaped("\n"))).map_err(xml_err)?;
    write(&mut w, root, 0, Flavour::Html, false)?;
    finish(w)
}

fn finish(w: Writer<Vec<u8>>) -> Result<String> {
    let mut s = String::from_utf8(w.into_inner()).map_err(|e| ExportError::Xml(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

fn xml_err(e: impl std::fmt::Display) -> ExportError {
    ExportError::Xml(e.to_string())
}

/// Writes `el`; `inline` when it sits inside mixed content, where no whitespace is added.
fn write(w: &mut Writer<Vec<u8>>, el: &El, depth: usize, flavour: Flavour, inline: bool) -> Result<()> {
    let mut start = BytesStart::new(el.name.as_str());
    for (k, v) in &el.attrs {
        start.push_attribute((k.as_str(), v.as_str()));
    }
    if el.children.is_empty() && (flavour == Flavour::Xml || VOID.contains(&el.name.as_str())) {
        return w.write_event(Event::Empty(start)).map_err(xml_err);
    }
    w.write_event(Event::Start(start)).map_err(xml_err)?;
    let mixed = inline || el.children.iter().any(|c| matches!(c, Node::Text(_)));
    for c in &el.children {
        match c {
            Node::Text(t) => w.write_event(Event::Text(BytesText::new(t))).map_err(xml_err)?,
            Node::El(e) => {
                if !mixed {
                    indent(w, depth + 1)?;
                }
                write(w, e, if mixed { depth } else { depth + 1 }, flavour, mixed)?;
            }
        }
    }
    if !mixed && !el.children.is_empty() {
        indent(w, depth)?;
    }
    w.write_event(Event::End(BytesEnd::new(el.name.as_str()))).map_err(xml_err)
}

fn indent(w: &mut Writer<Vec<u8>>, depth: usize) -> Result<()> {
    let s = format!("\n{}", "  ".repeat(depth));
    w.write_event(Event::Text(BytesText::from_escaped(s))).map_err(xml_err)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped_and_mixed_content_keeps_its_spaces() {
        let doc = El::new("p")
            .attr("title", "a \"b\" <c> & d")
            .text("x < y & ")
            .child(El::new("ins").text("z"))
            .child(El::new("del").text("w"));
        let out = xml_document(&El::new("root").child(doc)).unwrap();
        assert!(
            out.contains(
                r#"<p title="a &quot;b&quot; &lt;c&gt; &amp; d">x &lt; y &amp; <ins>z</ins><del>w</del></p>"#
            ),
            "{out}"
        );
        let html = html_document(&El::new("div").child(El::new("span")).child(El::new("br"))).unwrap();
        assert!(html.contains("<span></span>") && html.contains("<br/>"), "{html}");
    }
}
