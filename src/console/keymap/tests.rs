use super::*;

fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

#[test]
fn defaults_follow_the_interface() {
    let map = Keymap::default();
    assert_eq!(
        map.command(&key(KeyCode::Char('a'), KeyModifiers::NONE)),
        Some(Command::Approve)
    );
    assert_eq!(
        map.command(&key(KeyCode::Char('A'), KeyModifiers::SHIFT)),
        Some(Command::Assign)
    );
    assert_eq!(
        map.command(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Command::Quit)
    );
    assert_eq!(
        map.command(&key(KeyCode::BackTab, KeyModifiers::SHIFT)),
        Some(Command::PrevQueue)
    );
    assert_eq!(
        map.command(&key(KeyCode::Char(' '), KeyModifiers::NONE)),
        Some(Command::Mark)
    );
    assert_eq!(map.keys_for(Command::Down), "j/↓");
}

#[test]
fn a_review_session_resolves_its_own_keys_first() {
    let map = Keymap::default();
    let s = key(KeyCode::Char('s'), KeyModifiers::NONE);
    let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
    let a = key(KeyCode::Char('a'), KeyModifiers::NONE);
    assert_eq!(map.command(&s), Some(Command::CycleSort));
    assert_eq!(map.resolve(&s, Context::Review), Some(Command::Skip));
    assert_eq!(map.command(&q), Some(Command::Quit));
    assert_eq!(map.resolve(&q, Context::Review), Some(Command::EndReview));
    assert_eq!(map.resolve(&a, Context::Review), Some(Command::Approve));
    assert_eq!(
        map.command(&key(KeyCode::Char('R'), KeyModifiers::SHIFT)),
        Some(Command::Review)
    );
    // Remapping skip leaves the sort key alone.
    let mut o = BTreeMap::new();
    o.insert("skip".to_string(), KeySetting::One("ctrl-n".into()));
    let map = Keymap::with_overrides(&o).expect("map");
    assert_eq!(map.command(&s), Some(Command::CycleSort));
    assert_eq!(map.resolve(&s, Context::Review), Some(Command::CycleSort));
    assert_eq!(
        map.resolve(
            &key(KeyCode::Char('n'), KeyModifiers::CONTROL),
            Context::Review
        ),
        Some(Command::Skip)
    );
}

#[test]
fn overrides_replace_a_commands_keys() {
    let mut o = BTreeMap::new();
    o.insert("approve".to_string(), KeySetting::One("ctrl-a".into()));
    let map = Keymap::with_overrides(&o).expect("map");
    assert_eq!(
        map.command(&key(KeyCode::Char('a'), KeyModifiers::NONE)),
        None
    );
    assert_eq!(
        map.command(&key(KeyCode::Char('a'), KeyModifiers::CONTROL)),
        Some(Command::Approve)
    );
    assert_eq!(map.keys_for(Command::Approve), "Ctrl-a");
}

#[test]
fn a_bad_override_names_what_is_wrong() {
    let mut o = BTreeMap::new();
    o.insert("approv".to_string(), KeySetting::One("a".into()));
    assert!(
        Keymap::with_overrides(&o)
            .unwrap_err()
            .contains("[keys] approv: no such command")
    );
    let mut o = BTreeMap::new();
    o.insert("approve".to_string(), KeySetting::One("hyper-q".into()));
    assert!(
        Keymap::with_overrides(&o)
            .unwrap_err()
            .contains("is not a key")
    );
}

/// Every key a screen's footer can show does what it says there: the footer shows a command's
/// first key, which must resolve to that command in the context, and the command must act there.
fn footer_keys_act(map: &Keymap) {
    for context in Context::SCREENS {
        for command in context.footer() {
            assert!(context.acts(command), "{context:?} shows {command:?}");
            let Some(first) = map.bindings.iter().find(|(_, c)| *c == command) else {
                continue;
            };
            assert_eq!(
                map.resolve(&first.0.event(), *context),
                Some(command),
                "{context:?}: {} is shown for {command:?}",
                first.0
            );
        }
    }
}

#[test]
fn every_key_a_screen_hints_at_does_it_there() {
    footer_keys_act(&Keymap::default());
    // Remapped, the new key is shown and acts, in every screen.
    let mut o = BTreeMap::new();
    o.insert("approve".to_string(), KeySetting::One("ctrl-a".into()));
    o.insert("help".to_string(), KeySetting::One("f1".into()));
    o.insert("skip".to_string(), KeySetting::One("ctrl-n".into()));
    let map = Keymap::with_overrides(&o).expect("map");
    footer_keys_act(&map);
    assert_eq!(map.first_key(Command::Help), "F1");
}

#[test]
fn every_command_that_acts_in_a_screen_is_reachable_and_in_the_help() {
    let map = Keymap::default();
    let help: Vec<Command> = map.entries().into_iter().map(|(_, c)| c).collect();
    for context in Context::SCREENS {
        for command in Command::ALL.iter().chain(Command::DIALOG) {
            if !context.acts(*command) {
                continue;
            }
            assert!(help.contains(command), "{command:?} is not in the help");
            // Some key of it is not taken by another command of the context.
            let reachable = map
                .bindings
                .iter()
                .filter(|(_, c)| c == command)
                .any(|(k, _)| map.resolve(&k.event(), *context) == Some(*command));
            assert!(reachable, "{context:?}: no key reaches {command:?}");
        }
    }
}

#[test]
fn each_screen_context_has_its_own_keys() {
    let map = Keymap::default();
    let s = key(KeyCode::Char('s'), KeyModifiers::NONE);
    // The figures do not sort; the cases behind one are acted on as in a queue.
    assert!(!Context::Dashboard.acts(Command::CycleSort));
    assert!(!Context::Dashboard.acts(Command::Approve));
    assert!(Context::DashboardCases.acts(Command::Approve));
    assert!(Context::DashboardCases.acts(Command::Mark));
    assert_eq!(
        map.resolve(&s, Context::Dashboard),
        Some(Command::CycleSort)
    );
    // A session's `s` skips, and sorting does nothing there.
    assert_eq!(map.resolve(&s, Context::Review), Some(Command::Skip));
    assert!(!Context::Review.acts(Command::CycleSort));
    assert!(!Context::Main.acts(Command::Skip));
    assert!(Context::Main.acts(Command::Review));
}
