//! Derived snapshots never answer unchecked: a forged one is passed over and reported by
//! reads, caught by `verify`, and, under a key kept outside the store, caught by reads even
//! when the forger recomputed its digest.

use minutes_tests::TestEnv;
use sha2::{Digest, Sha256};

const DOC: &str = "example-harbour/by-law-7";
const AT: &str = "2030-03-02 17:00";

fn with_snapshots(extra: &[&str]) -> TestEnv {
    let env = minutes_tests::example_store(5);
    let mut args = extra.to_vec();
    args.push("snapshots");
    env.ok(&args);
    env
}

fn sql(env: &TestEnv, statement: &str) {
    let c = rusqlite::Connection::open(env.db()).unwrap();
    let n = c.execute(statement, []).unwrap();
    assert!(n > 0, "the statement changed no row: {statement}");
}

/// The adopted by-law made to read "withdrawn" in every snapshot's state.
const FORGE: &str = r#"update document_snapshots set state = replace(state, '"status":"adopted"', '"status":"withdrawn"') where state like '%"status":"adopted"%'"#;

/// Recomputes every snapshot's digest as a careful forger would (the bytes are documented in
/// the store's snapshot module).
fn redigest(env: &TestEnv) {
    let c = rusqlite::Connection::open(env.db()).unwrap();
    let rows: Vec<(i64, String)> = {
        let mut st = c
            .prepare("select id, 'minutes snapshot 1' || char(10) || stream || char(10) || through || char(10) || max_to || char(10) || coalesce(last_from, '-') || char(10) || last_seq || char(10) || bound_seq || char(10) || bound_hash || char(10) || state from document_snapshots")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    for (id, bytes) in rows {
        let digest: String = Sha256::digest(bytes.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        c.execute("update document_snapshots set digest = ?1 where id = ?2", rusqlite::params![digest, id])
            .unwrap();
    }
}

fn status(env: &TestEnv, extra: &[&str]) -> (String, String) {
    let mut args = extra.to_vec();
    args.extend(["state", DOC, "--at", AT, "--json"]);
    let r = env.run(&args);
    assert_eq!(r.code, 0, "{}", r.golden());
    (r.json()["status"].as_str().unwrap().to_string(), r.stderr)
}

#[test]
fn a_forged_snapshot_is_passed_over_by_reads_and_caught_by_verify() {
    let env = with_snapshots(&[]);
    assert_eq!(status(&env, &[]).0, "adopted");
    let r = env.ok(&["verify", "--json"]);
    assert!(r.json()["snapshots"]["checked"].as_u64().unwrap() >= 1, "{}", r.golden());
    sql(&env, FORGE);
    let (s, stderr) = status(&env, &[]);
    assert_eq!(s, "adopted", "a snapshot whose digest does not match is never trusted");
    assert!(
        stderr.contains("snapshot") && stderr.contains("ignored") && stderr.contains("digest"),
        "{stderr}"
    );
    let r = env.run(&["verify"]);
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(r.stderr.contains("snapshot of example-harbour/by-law-7"), "{}", r.golden());
    // Rebuilt, they hold again.
    env.ok(&["snapshots"]);
    env.ok(&["verify"]);
}

#[test]
fn a_snapshot_bound_to_another_row_is_passed_over() {
    let env = with_snapshots(&[]);
    sql(&env, "update document_snapshots set bound_hash = 'ab' || substr(bound_hash, 3)");
    redigest(&env);
    let (s, stderr) = status(&env, &[]);
    assert_eq!(s, "adopted");
    assert!(stderr.contains("not bound"), "{stderr}");
    assert_eq!(env.run(&["verify"]).code, 1);
}

#[test]
fn a_careful_forger_fools_reads_until_verify_runs_unless_a_key_is_kept_outside_the_store() {
    // Without a key, a forger who recomputes the digest fools `state`; `verify` refolds and
    // catches it (README "Guarantees" says so).
    let env = with_snapshots(&[]);
    sql(&env, FORGE);
    redigest(&env);
    assert_eq!(status(&env, &[]).0, "withdrawn", "the documented limit of an unkeyed digest");
    let r = env.run(&["verify"]);
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(r.stderr.contains("not the fold"), "{}", r.golden());

    // With a key kept outside the store, reads catch the same forgery.
    let env = minutes_tests::example_store(5);
    let k = env.file("snapshot.key", "a secret of the secretariat, kept off the store\n");
    let k = k.to_str().unwrap().to_string();
    env.ok(&["--snapshot-key", &k, "snapshots"]);
    assert_eq!(status(&env, &["--snapshot-key", &k]).0, "adopted");
    env.ok(&["--snapshot-key", &k, "verify"]);
    sql(&env, FORGE);
    redigest(&env);
    let (s, stderr) = status(&env, &["--snapshot-key", &k]);
    assert_eq!(s, "adopted", "under the key, a forged snapshot is never trusted");
    assert!(stderr.contains("MAC"), "{stderr}");
    // A snapshot built without the key is not trusted under it.
    let plain = with_snapshots(&[]);
    let pk = plain.file("snapshot.key", "a secret of the secretariat, kept off the store\n");
    let (s, stderr) = status(&plain, &["--snapshot-key", pk.to_str().unwrap()]);
    assert_eq!(s, "adopted");
    assert!(stderr.contains("not signed"), "{stderr}");
    // A key too short is refused.
    let short = plain.file("short.key", "abc");
    let r = plain.run(&["--snapshot-key", short.to_str().unwrap(), "state", DOC]);
    assert_eq!(r.code, 1, "{}", r.golden());
}
