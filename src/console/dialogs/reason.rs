//! The reason editor: a multi-line reason or note for one case; empty text is refused, and Esc
//! over typed text asks before throwing it away.

use super::{Component, Ctx, Hint, Outcome, Target, TextAction};
use super::{centered, char_count, clear, frame_block, hint_line, text::reason_key, text_of};
use crate::console::i18n::T;
use crate::console::keymap::Command;
use crate::console::theme::Theme;
use crate::console::view::fit_line;
use crate::text::sanitize_line;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui_textarea::TextArea;

#[derive(Debug)]
pub struct Reason {
    pub target: Target,
    pub kind: TextAction,
    pub title: String,
    pub prompt: String,
    pub editor: TextArea<'static>,
    pub asking_discard: bool,
    pub error: Option<String>,
}

impl Component for Reason {
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        reason_key(
            &mut self.editor,
            &mut self.asking_discard,
            &mut self.error,
            key,
            ctx,
        )
    }

    fn hints(&self, ctx: &Ctx<'_>) -> Vec<Hint> {
        let lang = ctx.lang;
        vec![
            ctx.hint(Command::Submit, lang.t(T::Submit)),
            ctx.hint(Command::Cancel, lang.t(T::Cancel)),
        ]
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let rect = centered(area, 76, 14);
        clear(frame, rect);
        let block = frame_block(theme, &self.title, false, rect.width);
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(
            Paragraph::new(sanitize_line(&self.prompt).into_owned()).wrap(Wrap { trim: true }),
            head,
        );
        let editor_block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border())
            .title_bottom(char_count(&self.editor, theme));
        let editor_inner = editor_block.inner(body);
        frame.render_widget(editor_block, body);
        frame.render_widget(&self.editor, editor_inner);
        let footer = if self.asking_discard {
            Line::from(Span::styled(lang.t(T::DiscardAsk), theme.error()))
        } else if let Some(error) = &self.error {
            Line::from(Span::styled(error.clone(), theme.error()))
        } else {
            let mut line = hint_line(theme, &self.hints(ctx));
            if !text_of(&self.editor).trim().is_empty() {
                line.spans
                    .push(Span::styled(lang.t(T::DraftSaved), theme.dim()));
            }
            line
        };
        frame.render_widget(Paragraph::new(fit_line(footer, foot.width.into())), foot);
    }
}
