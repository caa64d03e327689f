//! The help screen: every key of the live keymap with its config name and what it does, then
//! how to remap one and the dialogs' keys. It scrolls; any other key closes it.

use super::{Component, Ctx, Hint, Outcome};
use super::{clear, frame_block};
use crate::console::i18n::{Lang, T};
use crate::console::keymap::{Command, Keymap};
use crate::console::layout;
use crate::console::theme::Theme;
use crate::console::view::{fit, fit_lines};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Default)]
pub struct Help {
    pub scroll: u16,
}

/// The lines under the keys in the help dialog (after a blank line): how to remap a key, and the
/// dialogs' keys, from the live keymap. The view draws them; the scroll stops at the last.
pub fn help_footer(keymap: &Keymap, lang: Lang) -> [String; 2] {
    let key = |c: Command| keymap.first_key(c);
    let (confirm, submit, cancel) = (
        key(Command::Confirm),
        key(Command::Submit),
        key(Command::Cancel),
    );
    [
        lang.pick(
            " Remap a key in the config's [keys]: NAME = \"KEY\" (the middle column)",
            " 在配置文件 [keys] 中改键：名称 = \"键\"（中间一列）",
        )
        .to_string(),
        match lang {
            Lang::En => {
                format!(" Dialogs: {confirm} confirm · {submit} submit a reason · {cancel} cancel")
            }
            Lang::Zh => format!(" 对话框：{confirm} 确认 · {submit} 提交理由 · {cancel} 取消"),
        },
    ]
}

impl Component for Help {
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        let scroll = &mut self.scroll;
        let outcome = match key.code {
            _ if ctx.is(key, Command::ScrollDown) => {
                *scroll = scroll.saturating_add(1);
                Outcome::Stay
            }
            _ if ctx.is(key, Command::ScrollUp) => {
                *scroll = scroll.saturating_sub(1);
                Outcome::Stay
            }
            KeyCode::PageDown => {
                *scroll = scroll.saturating_add(10);
                Outcome::Stay
            }
            KeyCode::PageUp => {
                *scroll = scroll.saturating_sub(10);
                Outcome::Stay
            }
            _ => Outcome::Close,
        };
        // Not past the last line: the keys, a blank line and the footer, in the box the view
        // draws (`layout::help`, inside its borders).
        let lines = ctx.keymap.entries().len() + 1 + help_footer(ctx.keymap, ctx.lang).len();
        let help = layout::inner(layout::help(ctx.size.0, ctx.size.1));
        let shown = usize::from(help.height).max(1);
        let max = u16::try_from(lines.saturating_sub(shown)).unwrap_or(u16::MAX);
        *scroll = (*scroll).min(max);
        outcome
    }

    fn hints(&self, _ctx: &Ctx<'_>) -> Vec<Hint> {
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let rect = crate::console::layout::help(area.width, area.height);
        clear(frame, rect);
        let block = frame_block(
            theme,
            &format!("{} ({})", lang.t(T::Help), lang.t(T::Keys)),
            false,
            rect.width,
        );
        // The config name is what a person remapping keys writes under [keys].
        let mut lines: Vec<Line> = ctx
            .keymap
            .entries()
            .into_iter()
            .map(|(keys, command)| {
                // Keys and name in their columns; the label what is left, cut with `…`.
                let keys = format!(" {keys:<18}");
                let name = format!("{:<15}", command.name());
                let room = usize::from(rect.width.saturating_sub(2))
                    .saturating_sub(keys.width() + name.width());
                Line::from(vec![
                    Span::styled(keys, theme.key()),
                    Span::styled(name, theme.dim()),
                    Span::raw(fit(command.label(lang), room)),
                ])
            })
            .collect();
        lines.push(Line::from(""));
        for text in help_footer(ctx.keymap, lang) {
            lines.push(Line::from(Span::styled(
                text,
                theme.dim().add_modifier(Modifier::ITALIC),
            )));
        }
        frame.render_widget(
            Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2)))
                .block(block)
                .scroll((self.scroll, 0)),
            rect,
        );
    }
}
