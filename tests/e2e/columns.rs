//! Every stored column of `events` is checked: the hash covers the payload, and `verify` holds
//! each column to what the payload says and to its storage type.

use minutes_tests::example_store;

/// Drops the triggers, runs `sql` on the example store of 5 steps, and checks that `verify`
/// exits 1 naming `seq` and `column`.
fn names(sql: &str, seq: u64, column: &str) {
    let env = example_store(5);
    minutes_tests::tamper(&env.db(), sql);
    let r = env.run(&["verify", "--json"]);
    assert_eq!(r.code, 1, "{sql}: {}", r.golden());
    assert_eq!(r.json()["problem"]["seq"], seq, "{sql}: {}", r.golden());
    let what = r.json()["problem"]["what"].as_str().unwrap().to_string();
    assert!(what.contains(&format!("column {column}")), "{sql}: {what}");
    let r = env.run(&["verify"]);
    assert_eq!(r.code, 1, "{sql}: {}", r.golden());
    assert!(r.stderr.contains(&format!("seq {seq}")) && r.stderr.contains(column), "{sql}: {}", r.golden());
}

#[test]
fn verify_holds_every_column_to_the_payload() {
    for (sql, column) in [
        ("UPDATE events SET recorded_at = '2031-01-01T00:00:00Z' WHERE seq = 6", "recorded_at"),
        ("UPDATE events SET v = 7 WHERE seq = 6", "v"),
        ("UPDATE events SET meeting = 'elsewhere' WHERE seq = 6", "meeting"),
        ("UPDATE events SET type = 'StatementMade' WHERE seq = 6", "type"),
        ("UPDATE events SET id = '00000000-0000-4000-8000-000000000099' WHERE seq = 6", "id"),
        ("UPDATE events SET occurred_from = '2031-01-01T00:00:00Z' WHERE seq = 6", "occurred_from"),
        ("UPDATE events SET occurred_to = '2031-01-01T00:00:00Z' WHERE seq = 6", "occurred_to"),
        ("UPDATE events SET occurred_from = NULL WHERE seq = 6", "occurred_from"),
    ] {
        names(sql, 6, column);
    }
}

#[test]
fn verify_names_a_column_stored_with_the_wrong_type() {
    for (sql, column) in [
        ("UPDATE events SET payload = CAST(payload AS BLOB) WHERE seq = 6", "payload"),
        ("UPDATE events SET payload = CAST(X'7BFF7D' AS TEXT) WHERE seq = 6", "payload"),
        ("UPDATE events SET v = 1.5 WHERE seq = 6", "v"),
        ("UPDATE events SET version = 1.5 WHERE seq = 6", "version"),
        ("UPDATE events SET id = CAST(id AS BLOB) WHERE seq = 6", "id"),
        ("UPDATE events SET stream = CAST(stream AS BLOB) WHERE seq = 6", "stream"),
        ("UPDATE events SET type = CAST(type AS BLOB) WHERE seq = 6", "type"),
        ("UPDATE events SET meeting = CAST(meeting AS BLOB) WHERE seq = 6", "meeting"),
        ("UPDATE events SET occurred_from = CAST(occurred_from AS BLOB) WHERE seq = 6", "occurred_from"),
        ("UPDATE events SET occurred_to = 20310101 WHERE seq = 6", "occurred_to"),
        ("UPDATE events SET recorded_at = CAST(recorded_at AS BLOB) WHERE seq = 6", "recorded_at"),
        ("UPDATE events SET hash = CAST(hash AS BLOB) WHERE seq = 6", "hash"),
    ] {
        names(sql, 6, column);
    }
}
