//! `minutes upgrade`: one path that brings an older store up to date, never changing a row
//! of the log; every other command names it when it meets an older store.

use minutes_tests::{root, TestEnv};

/// Every row of `events`, as stored.
fn rows(db: &std::path::Path) -> Vec<(i64, String, String)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c.prepare("SELECT seq, payload, hash FROM events ORDER BY seq").unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

fn user_version(db: &std::path::Path) -> i64 {
    rusqlite::Connection::open(db).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
}

#[test]
fn an_older_store_is_named_by_every_command_and_upgraded_without_changing_its_log() {
    for fixture in ["schema-v1.db", "store-v1-with-snapshots.db"] {
        let env = TestEnv::new();
        std::fs::copy(root().join("tests/fixtures/logs").join(fixture), env.db()).unwrap();
        let before = rows(&env.db());
        assert_eq!(user_version(&env.db()), 1);
        for args in [vec!["verify"], vec!["replay", "example-harbour"], vec!["snapshots"]] {
            let r = env.run(&args);
            assert_eq!(r.code, 4, "{fixture} {args:?}: {}", r.golden());
            assert!(r.stderr.contains("minutes --db") && r.stderr.contains("upgrade"), "{}", r.golden());
        }
        let r = env.ok(&["upgrade", "--json"]);
        assert_eq!(r.json()["from"], 1, "{}", r.golden());
        assert_eq!(r.json()["to"], 3, "{}", r.golden());
        assert_eq!(user_version(&env.db()), 3);
        assert_eq!(rows(&env.db()), before, "{fixture}: no row of the log changed");
        let v = env.ok(&["verify", "--json"]).json();
        assert_eq!(v["ok"], true);
        // Up to date: a second upgrade changes nothing.
        let r = env.ok(&["upgrade"]);
        assert!(r.stdout.contains("up to date"), "{}", r.golden());
        // Derived tables are built anew in the new shape and hold.
        env.ok(&["snapshots"]);
        env.ok(&["verify"]);
    }
    // A store of a newer schema is refused by upgrade too.
    let env = minutes_tests::example_store(1);
    rusqlite::Connection::open(env.db()).unwrap().execute_batch("PRAGMA user_version = 9").unwrap();
    let r = env.run(&["upgrade"]);
    assert_eq!(r.code, 4, "{}", r.golden());
    assert!(r.stderr.contains("9"), "{}", r.golden());
}

/// The registry of stored types against the logs older versions wrote: every row's `type` is a
/// registered name (a renamed Rust struct would have renamed it), at a version from 1 to the
/// type's current one, its `type` column agrees with its payload, and it decodes today.
#[test]
fn every_type_the_fixture_logs_hold_is_registered_and_decodes() {
    use minutes_core::event::{Event, EventKind};
    let mut seen = 0;
    for fixture in ["schema-v1.db", "store-v1-with-snapshots.db"] {
        let db = root().join("tests/fixtures/logs").join(fixture);
        let conn =
            rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let mut st = conn.prepare("SELECT seq, type, payload FROM events ORDER BY seq").unwrap();
        let rows =
            st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)));
        for row in rows.unwrap() {
            let (seq, column, payload) = row.unwrap();
            let json: serde_json::Value = serde_json::from_str(&payload).unwrap();
            let (name, v) = (json["type"].as_str().unwrap(), json["v"].as_u64().unwrap());
            assert_eq!(name, column, "{fixture} seq {seq}: the type column and the payload disagree");
            let registered = EventKind::REGISTRY.iter().find(|t| t.name == name);
            let registered =
                registered.unwrap_or_else(|| panic!("{fixture} seq {seq}: type {name} is not registered"));
            assert!((1..=u64::from(registered.version)).contains(&v), "{fixture} seq {seq}: {name} v{v}");
            let event = Event::from_json(&payload).unwrap_or_else(|e| panic!("{fixture} seq {seq}: {e}"));
            assert_eq!(event.type_name(), name);
            seen += 1;
        }
    }
    assert!(seen >= 19, "the fixtures hold their rows: {seen}");
}
