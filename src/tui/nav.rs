//! Small state pieces the screens share: a list cursor with a scroll window, and a one-line
//! text input.
//!
//! The cursor owns selection and scroll offset over `len` rows so a view can draw only the
//! visible window (a million-row timeline costs the same as a ten-row one). Pure state: no
//! drawing, no IO.

use super::keymap::{Edit, Nav};
use std::ops::Range;

/// A selection in a list of `len` rows and the first row shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    /// Number of rows.
    pub len: usize,
    /// Selected row (0 when the list is empty).
    pub sel: usize,
    /// First visible row.
    pub offset: usize,
    /// Rows visible at once (from the last layout); at least 1.
    pub height: usize,
}

impl Cursor {
    /// A cursor over `len` rows.
    pub fn new(len: usize) -> Cursor {
        Cursor { len, sel: 0, offset: 0, height: 10 }
    }

    /// Applies a navigation action.
    pub fn nav(&mut self, n: Nav) {
        let page = self.height.max(1);
        match n {
            Nav::Up => self.sel = self.sel.saturating_sub(1),
            Nav::Down => self.sel = self.sel.saturating_add(1),
            Nav::PageUp => self.sel = self.sel.saturating_sub(page),
            Nav::PageDown => self.sel = self.sel.saturating_add(page),
            Nav::Top => self.sel = 0,
            Nav::Bottom => self.sel = self.len.saturating_sub(1),
        }
        self.clamp();
    }

    /// Selects a row (clamped).
    pub fn select(&mut self, i: usize) {
        self.sel = i;
        self.clamp();
    }

    /// Selects a row (clamped) and scrolls so that it sits mid-view: the target of a jump is
    /// read with what came before and after it, not at the window's edge.
    pub fn center(&mut self, i: usize) {
        self.sel = i.min(self.len.saturating_sub(1));
        self.offset = self.sel.saturating_sub(self.height / 2).min(self.len.saturating_sub(self.height));
        self.clamp();
    }

    /// Changes the number of rows, keeping the selection in range.
    pub fn set_len(&mut self, len: usize) {
        self.len = len;
        self.clamp();
    }

    /// Records how many rows the view shows.
    pub fn set_height(&mut self, h: usize) {
        self.height = h.max(1);
        self.clamp();
    }

    fn clamp(&mut self) {
        self.sel = self.sel.min(self.len.saturating_sub(1));
        self.offset = window_start(self.offset, self.sel, self.height, self.len);
    }

    /// The rows to draw in a view `h` rows high: the stored offset, moved just enough to show the
    /// selection.
    pub fn window(&self, h: usize) -> Range<usize> {
        let start = window_start(self.offset, self.sel, h.max(1), self.len);
        start..(start + h).min(self.len)
    }

    /// The selection, if the list is not empty.
    pub fn current(&self) -> Option<usize> {
        (self.len > 0).then_some(self.sel)
    }
}

/// First visible row so that `sel` is shown in a window of `h` rows, moving `offset` as little
/// as possible.
fn window_start(offset: usize, sel: usize, h: usize, len: usize) -> usize {
    let mut start = offset.min(len.saturating_sub(h));
    if sel < start {
        start = sel;
    } else if sel >= start + h {
        start = sel + 1 - h;
    }
    start
}

/// A vertical scroll position over text of `lines` lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scroll {
    /// First line shown.
    pub top: usize,
    /// Lines of text.
    pub lines: usize,
    /// Lines visible at once.
    pub height: usize,
}

impl Scroll {
    /// Applies a navigation action.
    pub fn nav(&mut self, n: Nav) {
        let page = self.height.max(1);
        let max = self.lines.saturating_sub(1);
        self.top = match n {
            Nav::Up => self.top.saturating_sub(1),
            Nav::Down => self.top.saturating_add(1),
            Nav::PageUp => self.top.saturating_sub(page),
            Nav::PageDown => self.top.saturating_add(page),
            Nav::Top => 0,
            Nav::Bottom => max,
        }
        .min(max);
    }

    /// Sets the text length, keeping the position in range.
    pub fn set_lines(&mut self, lines: usize) {
        self.lines = lines;
        self.top = self.top.min(lines.saturating_sub(1));
    }
}

/// A one-line text input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInput {
    /// The text typed so far.
    pub text: String,
    /// Whether the input has focus (keys go to it).
    pub editing: bool,
}

/// What an edit did to the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditOutcome {
    /// The text changed.
    Changed,
    /// The input was accepted.
    Submitted,
    /// The input was abandoned (the text is restored by the caller if it wants).
    Cancelled,
    /// Nothing changed.
    Unchanged,
}

/// The most characters an input holds: searches and notes are short.
const MAX_INPUT: usize = 500;

impl LineInput {
    /// Starts editing, keeping the current text.
    pub fn start(&mut self) {
        self.editing = true;
    }

    /// Applies an edit.
    pub fn edit(&mut self, e: Edit) -> EditOutcome {
        match e {
            Edit::Insert(c) if self.text.chars().count() < MAX_INPUT => {
                self.text.push(c);
                EditOutcome::Changed
            }
            Edit::Insert(_) => EditOutcome::Unchanged,
            Edit::DeleteBack => {
                if self.text.pop().is_some() {
                    EditOutcome::Changed
                } else {
                    EditOutcome::Unchanged
                }
            }
            Edit::Clear => {
                if self.text.is_empty() {
                    EditOutcome::Unchanged
                } else {
                    self.text.clear();
                    EditOutcome::Changed
                }
            }
            Edit::Submit => {
                self.editing = false;
                EditOutcome::Submitted
            }
            Edit::Cancel => {
                self.editing = false;
                EditOutcome::Cancelled
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn center_puts_the_row_mid_view() {
        let mut c = Cursor::new(100);
        c.set_height(10);
        c.center(50);
        assert_eq!((c.sel, c.offset), (50, 45));
        assert_eq!(c.window(10), 45..55);
        c.center(2);
        assert_eq!((c.sel, c.offset), (2, 0), "near the top: no blank rows above");
        c.center(99);
        assert_eq!((c.sel, c.offset), (99, 90), "near the end: the window stays full");
        c.center(500);
        assert_eq!(c.sel, 99, "clamped");
    }

    #[test]
    fn cursor_moves_and_scrolls() {
        let mut c = Cursor::new(100);
        c.set_height(10);
        c.nav(Nav::PageDown);
        assert_eq!((c.sel, c.offset), (10, 1));
        c.nav(Nav::Bottom);
        assert_eq!((c.sel, c.offset), (99, 90));
        c.nav(Nav::Up);
        assert_eq!((c.sel, c.offset), (98, 90));
        c.nav(Nav::Top);
        assert_eq!((c.sel, c.offset), (0, 0));
        c.set_len(0);
        assert_eq!(c.current(), None);
        c.nav(Nav::Down);
        assert_eq!(c.sel, 0);
    }

    #[test]
    fn window_follows_selection_in_any_height() {
        let mut c = Cursor::new(50);
        c.set_height(10);
        c.select(30);
        assert_eq!(c.window(10), 21..31);
        assert_eq!(c.window(5), 26..31);
        assert_eq!(c.window(100), 0..50);
    }

    #[test]
    fn input_edits() {
        let mut i = LineInput::default();
        i.start();
        assert_eq!(i.edit(Edit::Insert('a')), EditOutcome::Changed);
        assert_eq!(i.edit(Edit::DeleteBack), EditOutcome::Changed);
        assert_eq!(i.edit(Edit::DeleteBack), EditOutcome::Unchanged);
        assert_eq!(i.edit(Edit::Submit), EditOutcome::Submitted);
        assert!(!i.editing);
    }

    #[test]
    fn scroll_stays_in_range() {
        let mut s = Scroll { top: 0, lines: 5, height: 3 };
        s.nav(Nav::PageDown);
        s.nav(Nav::PageDown);
        assert_eq!(s.top, 4);
        s.set_lines(2);
        assert_eq!(s.top, 1);
    }
}
