//! The console: queues as tabs, the case table, the detail panel, actions, search and alerts.

pub mod app;
pub mod dialogs;
pub mod i18n;
pub mod keymap;
pub mod layout;
pub mod runtime;
pub mod theme;
pub mod view;
pub mod worker;

pub use app::{App, Effect, Msg, Setup};
