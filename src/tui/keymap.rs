//! Keys → named actions: the one place a raw `KeyEvent` becomes a screen's `Action`.
//!
//! Each screen declares a table of [`Binding`]s (keys, action, description, optional footer
//! hint); lookup, the help screen and the footer hints all read the same tables, so a key never
//! does something its description does not say. Owns the shared navigation and text-input
//! tables. Knows nothing about screens' state and draws nothing.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key as a binding names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// A printable character (Shift allowed: `G`, `?`, `[`).
    Char(char),
    /// Control plus a character.
    Ctrl(char),
    /// A non-character key (arrows, Enter, Esc, Tab, PgUp …).
    Code(KeyCode),
}

impl Key {
    /// Whether the event is this key.
    pub fn matches(self, ev: &KeyEvent) -> bool {
        let ctrl_alt = ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match self {
            Key::Char(c) => ev.code == KeyCode::Char(c) && !ctrl_alt,
            Key::Ctrl(c) => ev.code == KeyCode::Char(c) && ev.modifiers.contains(KeyModifiers::CONTROL),
            Key::Code(code) => ev.code == code && !ctrl_alt,
        }
    }

    /// How help and the footer spell the key.
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{c}"),
            Key::Code(code) => match code {
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::Enter => "Enter".into(),
                KeyCode::Esc => "Esc".into(),
                KeyCode::Tab => "Tab".into(),
                KeyCode::BackTab => "S-Tab".into(),
                KeyCode::Backspace => "Bksp".into(),
                KeyCode::Home => "Home".into(),
                KeyCode::End => "End".into(),
                other => format!("{other:?}"),
            },
        }
    }
}

/// One binding: the keys, the action they trigger, what it does, and its footer hint.
#[derive(Clone, Copy, Debug)]
pub struct Binding<A: 'static> {
    /// Keys that trigger the action.
    pub keys: &'static [Key],
    /// The action.
    pub action: A,
    /// What the action does (help screen).
    pub desc: &'static str,
    /// A short word for the footer, or `None` to keep it out of the footer.
    pub hint: Option<&'static str>,
}

impl<A> Binding<A> {
    /// The keys spelled for people: `j/↓`.
    pub fn keys_label(&self) -> String {
        self.keys.iter().map(|k| k.label()).collect::<Vec<_>>().join("/")
    }
}

/// Shorthand for a binding with a footer hint.
pub const fn bind<A>(keys: &'static [Key], action: A, desc: &'static str, hint: &'static str) -> Binding<A> {
    Binding { keys, action, desc, hint: Some(hint) }
}

/// Shorthand for a binding that only help lists.
pub const fn bind_quiet<A>(keys: &'static [Key], action: A, desc: &'static str) -> Binding<A> {
    Binding { keys, action, desc, hint: None }
}

/// The action a key triggers in a table, if any. Only key presses count.
pub fn lookup<A: Copy>(table: &[Binding<A>], ev: &KeyEvent) -> Option<A> {
    if ev.kind != KeyEventKind::Press {
        return None;
    }
    table.iter().find(|b| b.keys.iter().any(|k| k.matches(ev))).map(|b| b.action)
}

/// Moving a selection in a list or a scroll position in a pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    /// One row up.
    Up,
    /// One row down.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// To the first row.
    Top,
    /// To the last row.
    Bottom,
}

/// The navigation keys every list and pane shares.
pub const NAV_KEYS: &[Binding<Nav>] = &[
    bind_quiet(&[Key::Char('k'), Key::Code(KeyCode::Up)], Nav::Up, "move up"),
    bind_quiet(&[Key::Char('j'), Key::Code(KeyCode::Down)], Nav::Down, "move down"),
    bind_quiet(&[Key::Code(KeyCode::PageUp), Key::Ctrl('b')], Nav::PageUp, "page up"),
    bind_quiet(&[Key::Code(KeyCode::PageDown), Key::Ctrl('f')], Nav::PageDown, "page down"),
    bind_quiet(&[Key::Char('g'), Key::Code(KeyCode::Home)], Nav::Top, "go to the first row"),
    bind_quiet(&[Key::Char('G'), Key::Code(KeyCode::End)], Nav::Bottom, "go to the last row"),
];

/// Actions every screen understands (looked up after the screen's own table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Global {
    /// Leave trailwatch.
    Quit,
    /// Go back to the previous screen.
    Back,
    /// Show the keys of this screen.
    Help,
}

/// The global keys.
pub const GLOBAL_KEYS: &[Binding<Global>] = &[
    bind(&[Key::Code(KeyCode::Esc)], Global::Back, "go back to the previous screen", "back"),
    bind(&[Key::Char('?')], Global::Help, "show the keys of this screen", "help"),
    bind(&[Key::Char('q'), Key::Ctrl('c')], Global::Quit, "quit trailwatch", "quit"),
];

/// Editing a one-line text input (search, note).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Type a character.
    Insert(char),
    /// Delete the character before the cursor.
    DeleteBack,
    /// Clear the whole input.
    Clear,
    /// Accept the input.
    Submit,
    /// Abandon the input.
    Cancel,
}

/// The input keys (a printable character types itself).
pub const EDIT_KEYS: &[Binding<Edit>] = &[
    bind(&[Key::Code(KeyCode::Enter)], Edit::Submit, "accept", "accept"),
    bind(&[Key::Code(KeyCode::Esc)], Edit::Cancel, "cancel", "cancel"),
    bind_quiet(&[Key::Code(KeyCode::Backspace)], Edit::DeleteBack, "delete a character"),
    bind_quiet(&[Key::Ctrl('u')], Edit::Clear, "clear the input"),
];

/// The edit action of a key while a text input has focus.
pub fn edit_action(ev: &KeyEvent) -> Option<Edit> {
    if let Some(a) = lookup(EDIT_KEYS, ev) {
        return Some(a);
    }
    match ev.code {
        KeyCode::Char(c) if ev.kind == KeyEventKind::Press && !ev.modifiers.intersects(KeyModifiers::CONTROL) => {
            (!c.is_control()).then_some(Edit::Insert(c))
        }
        _ => None,
    }
}

/// The footer hints of a table: `key word` pairs. The footer is short of room, so a binding
/// with a character key shows its character keys only (`q`, not `q/Ctrl-c`; `[/]` stays), or
/// the key range its hint starts with.
pub fn hints<A>(table: &[Binding<A>]) -> Vec<(String, &'static str)> {
    table
        .iter()
        .filter_map(|b| {
            let chars: Vec<String> = b.keys.iter().filter(|k| matches!(k, Key::Char(_))).map(|k| k.label()).collect();
            let keys = if chars.is_empty() { b.keys_label() } else { chars.join("/") };
            // A hint may name a key range itself (`1-4 status` on the `1` key).
            b.hint.map(|h| match h.split_once(' ') {
                Some((range, word)) if range.strip_prefix(keys.as_str()).is_some_and(|r| r.starts_with('-')) => {
                    (range.to_string(), word)
                }
                _ => (keys, h),
            })
        })
        .collect()
}

/// The help lines of a table: `(keys, description)`.
pub fn help_rows<A>(table: &[Binding<A>]) -> Vec<(String, &'static str)> {
    table.iter().map(|b| (b.keys_label(), b.desc)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn matches_chars_shift_and_ctrl() {
        assert_eq!(lookup(NAV_KEYS, &press(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Nav::Bottom));
        assert_eq!(lookup(NAV_KEYS, &press(KeyCode::Char('j'), KeyModifiers::NONE)), Some(Nav::Down));
        assert_eq!(lookup(NAV_KEYS, &press(KeyCode::Char('j'), KeyModifiers::CONTROL)), None);
        assert_eq!(lookup(GLOBAL_KEYS, &press(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Global::Quit));
    }

    #[test]
    fn ignores_releases() {
        let mut ev = press(KeyCode::Char('q'), KeyModifiers::NONE);
        ev.kind = KeyEventKind::Release;
        assert_eq!(lookup(GLOBAL_KEYS, &ev), None);
        assert_eq!(edit_action(&ev), None);
    }

    #[test]
    fn edit_keys_type_characters() {
        assert_eq!(edit_action(&press(KeyCode::Char('q'), KeyModifiers::NONE)), Some(Edit::Insert('q')));
        assert_eq!(edit_action(&press(KeyCode::Esc, KeyModifiers::NONE)), Some(Edit::Cancel));
        assert_eq!(edit_action(&press(KeyCode::Char('u'), KeyModifiers::CONTROL)), Some(Edit::Clear));
    }

    #[test]
    fn labels() {
        assert_eq!(NAV_KEYS[1].keys_label(), "j/↓");
        assert_eq!(Key::Char(' ').label(), "Space");
        assert_eq!(hints(GLOBAL_KEYS)[0], ("Esc".to_string(), "back"));
    }
}
