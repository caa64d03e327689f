//! The dialogs' hints and keys come from one keymap: every key a hint shows acts, every dialog
//! command is bound and shown, and remapping one changes both what acts and what is shown.

use super::*;
use crate::console::app::dialog::{BulkKind, BulkLine};
use crate::console::keymap::{Key, KeySetting};
use crate::domain::{Presenter, Stage};
use std::collections::BTreeMap;

fn target() -> Target {
    Target {
        case_no: "GZ2026-000001".into(),
        version: 1,
        stage: Stage::Decision,
        assignee: None,
        recommended_by: None,
        name: "A B".into(),
        name_native: None,
    }
}

/// One of each dialog, in a state where its hints show (text typed where that matters).
fn samples() -> Vec<Dialog> {
    let typed = || editor("typed");
    vec![
        Dialog::Confirm(confirm::Confirm {
            target: target(),
            title: "t".into(),
            lines: vec!["a".into()],
            warnings: vec![],
            note: editor(""),
            required: false,
            error: None,
        }),
        Dialog::Reason(reason::Reason {
            target: target(),
            kind: TextAction::Return,
            title: "t".into(),
            prompt: "p".into(),
            editor: typed(),
            asking_discard: false,
            error: None,
        }),
        Dialog::EntryDate(entry_date::EntryDate {
            target: target(),
            transition: None,
            input: "2026-11-26".into(),
            error: None,
        }),
        Dialog::ExtendDays(extend_days::ExtendDays {
            target: target(),
            input: "5".into(),
            error: None,
        }),
        Dialog::Verify(Box::new(ChecklistForm {
            target: target(),
            presenter: Presenter::Applicant,
            power_of_attorney: false,
            originals: false,
            sealed_copies: false,
            visa_kind: None,
            visa_until: String::new(),
            exam_date: String::new(),
            exam_domestic: false,
            focus: 0,
            error: None,
            failures: Vec::new(),
            touched: false,
            asking_discard: false,
            entered: None,
            window_due: None,
        })),
        Dialog::Assign(assign::Assign {
            targets: vec![target()],
            candidates: vec!["a".into(), "b".into()],
            selected: 1,
        }),
        Dialog::Bulk(bulk::Bulk {
            kind: BulkKind::Approve,
            targets: vec![target()],
            preview: vec![BulkLine {
                case_no: "GZ2026-000001".into(),
                action: "sign".into(),
                refusal: None,
            }],
            reason: None,
            asking_discard: false,
            error: None,
        }),
        Dialog::Bulk(bulk::Bulk {
            kind: BulkKind::Return,
            targets: vec![target()],
            preview: vec![],
            reason: Some(typed()),
            asking_discard: false,
            error: None,
        }),
        Dialog::Message(message::Message {
            scroll: 3,
            ..message::Message::new("t", vec!["line".into(); 100], false)
        }),
    ]
}

fn ctx<'a>(keymap: &'a Keymap, policy: &'a Policy) -> Ctx<'a> {
    Ctx {
        lang: Lang::En,
        keymap,
        policy,
        today: NaiveDate::from_ymd_opt(2026, 11, 26).expect("date"),
        size: (120, 40),
    }
}

/// What pressing `key` on a fresh `dialog` does: its outcome and whether its state changed.
fn acts(dialog: &Dialog, key: &KeyEvent, ctx: &Ctx<'_>) -> bool {
    let mut fresh = dialog_like(dialog);
    let before = format!("{fresh:?}");
    let outcome = fresh.key(key, ctx);
    !matches!(outcome, Outcome::Stay) || format!("{fresh:?}") != before
}

fn hint_keys(dialog: &Dialog, ctx: &Ctx<'_>) -> Vec<String> {
    dialog
        .component()
        .hints(ctx)
        .into_iter()
        .flat_map(|h| h.key.split('/').map(str::to_string).collect::<Vec<_>>())
        .collect()
}

#[test]
fn every_key_a_dialog_hints_at_acts_on_it() {
    let (keymap, policy) = (Keymap::default(), Policy::default());
    let ctx = ctx(&keymap, &policy);
    for dialog in samples() {
        for shown in hint_keys(&dialog, &ctx) {
            let key = Key::parse(&shown).expect("a hint shows a key");
            assert!(
                acts(&dialog, &key.event(), &ctx),
                "{shown} is shown but does nothing in {dialog:?}"
            );
        }
    }
}

#[test]
fn every_dialog_command_is_bound_in_its_context_and_shown() {
    let (keymap, policy) = (Keymap::default(), Policy::default());
    let ctx = ctx(&keymap, &policy);
    let shown: Vec<String> = samples().iter().flat_map(|d| hint_keys(d, &ctx)).collect();
    for command in Command::DIALOG {
        assert!(
            matches!(
                command.context(),
                crate::console::keymap::Context::Dialog | crate::console::keymap::Context::Editor
            ),
            "{command:?}"
        );
        let key = keymap.first_key(*command);
        assert!(!key.is_empty(), "{command:?} has no key");
        assert!(shown.contains(&key), "{command:?} ({key}) is in no hint");
    }
}

#[test]
fn a_remapped_dialog_key_is_what_acts_and_what_is_shown() {
    let mut o = BTreeMap::new();
    for (name, key) in [
        ("confirm", "ctrl-o"),
        ("cancel", "ctrl-x"),
        ("submit", "ctrl-g"),
        ("scroll_down", "ctrl-n"),
        ("scroll_up", "ctrl-p"),
        ("next_field", "ctrl-f"),
        ("toggle", "ctrl-t"),
    ] {
        o.insert(name.to_string(), KeySetting::One(key.into()));
    }
    let keymap = Keymap::with_overrides(&o).expect("map");
    let policy = Policy::default();
    let ctx = ctx(&keymap, &policy);
    let event = |spec: &str| Key::parse(spec).expect("key").event();
    for dialog in samples() {
        let keys = hint_keys(&dialog, &ctx);
        for old in ["Enter", "Esc", "Ctrl-s", "j", "k", "Tab", "Space"] {
            assert!(
                !keys.iter().any(|k| k == old),
                "{old} still shown: {keys:?}"
            );
        }
        for shown in &keys {
            assert!(acts(&dialog, &event(shown), &ctx), "{shown} in {dialog:?}");
        }
    }
    // The old keys no longer confirm, cancel or submit.
    for dialog in samples() {
        for old in ["enter", "esc", "ctrl-s"] {
            let mut fresh = dialog_like(&dialog);
            let outcome = fresh.key(&event(old), &ctx);
            assert!(matches!(outcome, Outcome::Stay), "{old} in {dialog:?}");
        }
    }
    assert!(help_footer(&keymap, Lang::En)[1].contains("Ctrl-o confirm"));
}

/// A fresh copy of the sample `dialog` (dialogs hold editors, which are not `Clone`).
fn dialog_like(dialog: &Dialog) -> Dialog {
    let index = samples()
        .iter()
        .position(|d| format!("{d:?}") == format!("{dialog:?}"))
        .expect("a sample");
    samples().swap_remove(index)
}

#[test]
fn the_help_says_the_dialog_keys_of_the_map() {
    assert_eq!(
        help_footer(&Keymap::default(), Lang::En)[1],
        " Dialogs: Enter confirm · Ctrl-s submit a reason · Esc cancel"
    );
}
