//! `minutes backup`: a consistent copy of a live store, verified, while a writer still holds
//! committed events in its `-wal` file (which a plain copy of the `.db` misses).

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use minutes_tests::TestEnv;

fn events(env: &TestEnv, db: &std::path::Path) -> u64 {
    let r = env.run(&["--db", db.to_str().unwrap(), "verify", "--json"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    r.json()["events"].as_u64().unwrap()
}

#[test]
fn a_backup_of_a_live_store_holds_every_committed_event_and_verifies() {
    let env = minutes_tests::example_store(1);
    let steps = minutes_tests::example_steps();
    // A clerk's live feed stays open: its commits sit in the -wal file.
    let mut feed =
        env.command(&["append", "--stream"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut input = feed.stdin.take().unwrap();
    let mut acks = BufReader::new(feed.stdout.take().unwrap());
    for step in &steps[1..] {
        writeln!(input, "{step}").unwrap();
        input.flush().unwrap();
        let mut line = String::new();
        acks.read_line(&mut line).unwrap();
        assert!(!line.trim().is_empty(), "each event is acknowledged");
    }
    let live = events(&env, &env.db());
    // A plain copy of the .db alone, taken now, may miss what the -wal holds.
    let plain = env.dir().join("plain.db");
    std::fs::copy(env.db(), &plain).unwrap();
    let plain_events = rusqlite::Connection::open(&plain)
        .and_then(|c| c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0)))
        .unwrap_or(0) as u64;
    let dest = env.dir().join("backup.db");
    let r = env.run(&["backup", dest.to_str().unwrap(), "--json"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(r.json()["events"].as_u64().unwrap(), live, "{}", r.golden());
    assert!(plain_events < live, "the plain copy missed the events in the -wal ({plain_events} of {live})");
    drop(input);
    assert!(feed.wait().unwrap().success());
    // The backup is one self-contained file (a reader's empty -wal aside), and a second backup
    // to it is refused.
    assert!(std::fs::metadata(env.dir().join("backup.db-wal")).map_or(0, |m| m.len()) == 0);
    assert_eq!(events(&env, &dest), live);
    let again = env.run(&["backup", dest.to_str().unwrap()]);
    assert_ne!(again.code, 0, "{}", again.golden());
    assert!(again.stderr.contains("exists already"), "{}", again.golden());
    // Without a store there is nothing to back up, and nothing is created.
    let none = TestEnv::new();
    let r = none.run_default(&["backup", "copy.db"]);
    assert_eq!(r.code, 4, "{}", r.golden());
    assert!(!none.dir().join("copy.db").exists());
}
