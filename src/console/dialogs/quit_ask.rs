//! Ctrl-c while text is typed: quit anyway? The editor it came from waits underneath, and the
//! app answers the question itself (it puts the editor back).

use super::{Component, Ctx, Dialog, Hint, Outcome};
use super::{centered, clear, frame_block};
use crate::console::i18n::T;
use crate::console::theme::Theme;
use crate::console::view::fit_line;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

#[derive(Debug)]
pub struct QuitAsk {
    pub editor: Option<Box<Dialog>>,
}

impl Component for QuitAsk {
    fn key(&mut self, key: &KeyEvent, _ctx: &Ctx<'_>) -> Outcome {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Outcome::Submit,
            _ => Outcome::Close,
        }
    }

    fn hints(&self, _ctx: &Ctx<'_>) -> Vec<Hint> {
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        if let Some(editor) = &self.editor {
            editor.draw(frame, area, theme, ctx);
        }
        let rect = centered(area, 64, 4);
        clear(frame, rect);
        let block = frame_block(theme, ctx.lang.t(T::Quit), true, rect.width);
        let ask = fit_line(
            Line::from(ctx.lang.t(T::QuitAsk)),
            rect.width.saturating_sub(2).into(),
        );
        frame.render_widget(Paragraph::new(ask).block(block), rect);
    }
}
