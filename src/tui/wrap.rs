//! Wrapping prose into lines of a given width, so a scrollable pane knows exactly how many
//! lines it has (ratatui's own wrapping happens at draw time, too late for scroll limits).
//!
//! Word-based, falling back to cutting a word longer than the width; widths are counted in
//! characters, which is exact for the escaped, mostly ASCII log text drawn here. Pure functions.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Splits `text` into pieces of at most `width` characters, at spaces where possible.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for word in text.split(' ') {
        let wlen = word.chars().count();
        if cur_len > 0 && cur_len + 1 + wlen > width {
            out.push(std::mem::take(&mut cur));
            cur_len = 0;
        }
        if cur_len > 0 {
            cur.push(' ');
            cur_len += 1;
        }
        if cur_len + wlen <= width {
            cur.push_str(word);
            cur_len += wlen;
            continue;
        }
        // A word longer than the line: cut it.
        for c in word.chars() {
            if cur_len >= width {
                out.push(std::mem::take(&mut cur));
                cur_len = 0;
            }
            cur.push(c);
            cur_len += 1;
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// A labelled item (`label: text`) wrapped to `width`, continuation lines indented under the text.
pub fn labelled(indent: usize, label: &str, text: &str, width: usize, label_style: Style) -> Vec<Line<'static>> {
    let pad = " ".repeat(indent);
    let head = if label.is_empty() { String::new() } else { format!("{label}: ") };
    let body_w = width.saturating_sub(indent + 2).max(10);
    let mut pieces = wrap(&format!("{head}{text}"), body_w).into_iter();
    let first = pieces.next().unwrap_or_default();
    let first = match first.strip_prefix(&head) {
        Some(rest) if !head.is_empty() => {
            vec![Span::raw(pad.clone()), Span::styled(head.clone(), label_style), Span::raw(rest.to_string())]
        }
        _ => vec![Span::raw(pad.clone()), Span::raw(first)],
    };
    let mut out = vec![Line::from(first)];
    out.extend(pieces.map(|r| Line::from(format!("{pad}  {r}"))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), vec![""]);
        assert_eq!(wrap("ab cdefgh", 4), vec!["ab", "cdef", "gh"]);
    }

    #[test]
    fn labelled_indents_continuations() {
        let lines = labelled(2, "who", "alice bob carol dave", 20, Style::new());
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text[0], "  who: alice bob");
        assert!(text[1].starts_with("    "));
        assert!(text.iter().all(|t| t.chars().count() <= 20));
    }
}
