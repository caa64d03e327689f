//! A spool belongs to the store that first used it: another store's `sync` on it is refused
//! before anything in it is read, applied, moved or written.

mod sync_support;

use std::path::Path;
use std::time::Duration;
use sync_support::*;

fn store_id(db: &Path) -> String {
    read(db)
        .query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| {
            r.get(0)
        })
        .expect("store_id")
}

fn marker(spool: &Path) -> std::path::PathBuf {
    spool.join(".permitdesk-store")
}

#[test]
fn the_first_store_to_sync_binds_the_spool_and_keeps_using_it() {
    let (_dir, db, spool) = store();
    assert!(!marker(&spool).exists());
    write_batch(&spool, "001.jsonl", &[submitted("UP-1", 1)]);
    sync(&db, &spool).assert().success();
    let id = store_id(&db);
    assert_eq!(id.len(), 32);
    assert_eq!(
        std::fs::read_to_string(marker(&spool)).expect("marker"),
        format!("{id}\n")
    );
    assert_eq!(names(&spool.join("archive")), vec!["001.jsonl".to_string()]);
    // No temporary file is left beside it.
    assert!(
        names(&spool).iter().all(|n| !n.ends_with(".tmp")),
        "{:?}",
        names(&spool)
    );
    sync(&db, &spool)
        .assert()
        .success()
        .stdout("inbox empty; outbox up to date\n");
}

#[test]
fn a_second_store_is_refused_naming_both_ids_and_touches_nothing() {
    let (_dir_a, db_a, spool) = store();
    sync(&db_a, &spool).assert().success();
    let ours = store_id(&db_a);

    // Store B has a local decision waiting for its outbox, from its own spool.
    let (_dir_b, db_b, spool_b) = store();
    write_batch(&spool_b, "001.jsonl", &[submitted("UP-1", 1)]);
    sync(&db_b, &spool_b).assert().success();
    for args in [
        &["claim", "UP-1"][..],
        &["return", "UP-1", "--reason", "1. Passport copy unreadable"],
    ] {
        pd(&db_b)
            .args(["--as", "li.wei", "--today", TODAY, "case"])
            .args(args)
            .assert()
            .success();
    }
    let theirs = store_id(&db_b);
    assert_ne!(ours, theirs);

    write_batch(&spool, "002.jsonl", &[submitted("UP-2", 1)]);
    let events = scalar(&db_b, "SELECT count(*) FROM events");
    let out = sync(&db_b, &spool).output().expect("sync");
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: this spool belongs to store {ours} but this store is {theirs}; each store needs its own spool",
            spool.display()
        )),
        "{stderr}"
    );
    assert_eq!(scalar(&db_b, "SELECT count(*) FROM events"), events);
    assert_eq!(names(&spool.join("inbox")), vec!["002.jsonl".to_string()]);
    assert_eq!(names(&spool.join("archive")), Vec::<String>::new());
    assert_eq!(names(&spool.join("outbox")), Vec::<String>::new());
    assert_eq!(
        std::fs::read_to_string(marker(&spool)).expect("marker"),
        format!("{ours}\n"),
        "the binding is unchanged"
    );

    // `--watch` stops at the refusal rather than retrying forever.
    sync(&db_b, &spool)
        .args(["--watch", "--interval", "1"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(3);
    assert_eq!(names(&spool.join("outbox")), Vec::<String>::new());

    // Its own store still takes the pass.
    sync(&db_a, &spool).assert().success();
    assert_eq!(names(&spool.join("archive")), vec!["002.jsonl".to_string()]);
}

#[test]
fn a_damaged_marker_is_refused_naming_the_file() {
    let (_dir, db, spool) = store();
    write_batch(&spool, "001.jsonl", &[submitted("UP-1", 1)]);
    let long = "a".repeat(10_000);
    // `None`: a directory where the marker belongs.
    for (what, text) in [
        ("garbage", Some("not an id \u{1b}[2J\n")),
        ("empty", Some("")),
        ("too long", Some(long.as_str())),
        ("a directory", None),
    ] {
        let path = marker(&spool);
        match text {
            Some(text) => std::fs::write(&path, text).expect(what),
            None => std::fs::create_dir(&path).expect(what),
        }
        let out = sync(&db, &spool).output().expect("sync");
        assert_eq!(out.status.code(), Some(6), "{what}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{}: ", path.display())),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains('\u{1b}'), "{what}: {stderr}");
        assert_eq!(scalar(&db, "SELECT count(*) FROM events"), 0, "{what}");
        assert_eq!(names(&spool.join("inbox")), vec!["001.jsonl".to_string()]);
        assert!(!spool.join("archive").exists(), "{what}");
        if path.is_dir() {
            std::fs::remove_dir(&path).expect("remove");
        } else {
            std::fs::remove_file(&path).expect("remove");
        }
    }
    sync(&db, &spool).assert().success();
    assert_eq!(names(&spool.join("archive")), vec!["001.jsonl".to_string()]);
}
