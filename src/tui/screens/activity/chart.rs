//! The 30-day chart: one column per day with a bar of the day's events (eighth-block precision),
//! under it the count of new ids, the engagement ratio as a one-row sparkline, and a marker row
//! (`▲` selected day, `!` the alert's day). Scales to the width: 1 to n columns per day.
//!
//! A read-only widget over day rows.

use crate::activity::views::DayRow;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Widget;

const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
/// Width of the row labels on the left.
pub const GUTTER: u16 = 6;

/// The chart widget.
pub struct DayChart<'a> {
    /// The days.
    pub rows: &'a [DayRow],
    /// Selected day index.
    pub sel: usize,
    /// The alert's day (00:00 UTC).
    pub alert_day: i64,
    /// Styles.
    pub theme: Theme,
}

impl Widget for DayChart<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if self.rows.is_empty() || area.height < 4 || area.width <= GUTTER {
            return;
        }
        let n = self.rows.len() as u16;
        let col_w = ((area.width - GUTTER) / n).max(1);
        let bar_w = if col_w >= 3 { col_w - 1 } else { 1 };
        let bars_h = area.height - 3;
        let (y_new, y_ratio, y_mark) = (area.y + bars_h, area.y + bars_h + 1, area.y + bars_h + 2);
        let max = self.rows.iter().map(|r| r.count).max().unwrap_or(0).max(1);
        let label = self.theme.dim();
        buf.set_string(area.x, area.y, format!("{max:>5}"), label);
        buf.set_string(area.x, y_new, "  new", label);
        buf.set_string(area.x, y_ratio, "ratio", label);
        for (i, r) in self.rows.iter().enumerate() {
            let x = area.x + GUTTER + i as u16 * col_w;
            if x + bar_w > area.x + area.width {
                break;
            }
            let is_alert = r.day == self.alert_day;
            let mut style = if is_alert { self.theme.mark() } else { self.theme.bar() };
            if i == self.sel {
                style = style.add_modifier(Modifier::REVERSED);
            }
            // Bar height in eighths of a row.
            let eighths = (r.count * i64::from(bars_h) * 8 + max - 1) / max;
            for row in 0..bars_h {
                let from_bottom = i64::from(bars_h - 1 - row);
                let fill = (eighths - from_bottom * 8).clamp(0, 8) as usize;
                let glyph = if i == self.sel && fill == 0 { " " } else { EIGHTHS[fill] };
                for dx in 0..bar_w {
                    buf.set_string(x + dx, area.y + row, glyph, style);
                }
            }
            let new = match r.new_dcount {
                0 => String::new(),
                k if k < 10 || bar_w >= 2 && k < 100 => k.to_string(),
                _ => "+".into(),
            };
            buf.set_string(x, y_new, new, self.theme.mark());
            let level = (r.ratio.clamp(0.0, 1.0) * 8.0).round() as usize;
            let ratio_glyph = if r.count == 0 { " " } else { EIGHTHS[level.max(1)] };
            for dx in 0..bar_w {
                buf.set_string(x + dx, y_ratio, ratio_glyph, Style::new());
            }
            let mark = match (i == self.sel, is_alert) {
                (true, true) => "▲!",
                (true, false) => "▲",
                (false, true) => "!",
                (false, false) => "",
            };
            let mark: String = mark.chars().take(usize::from(col_w.max(1))).collect();
            buf.set_string(x, y_mark, mark, self.theme.mark());
        }
    }
}
