//! A record past one machine: the same log moved between a SQLite file and a PostgreSQL
//! database (`migrate`, proved by its head and Merkle root), clerks who recorded offline
//! pushing to the shared store (`sync`), and the rules a server's URL follows.

use minutes_tests::cluster::fresh_url;
use minutes_tests::{example_steps, example_store_on, Backend, TestEnv};
use serde_json::{json, Value};

/// A statement of the example meeting with an id of its own.
fn statement(n: u32, summary: &str) -> String {
    json!({
        "id": format!("0190f3a0-5e5e-7000-8000-{n:012x}"),
        "type": "StatementMade", "v": 1, "meeting": "example-harbour", "document": null,
        "body": "board", "actors": ["ana-ruiz"],
        "occurred": { "from": "2030-03-02T12:00:00+01:00", "to": "2030-03-02T13:00:00+01:00" },
        "source": { "file": "example", "section": "example", "quote": "a fictional statement" },
        "data": { "stance": "other", "summary": summary }
    })
    .to_string()
}

fn verify(env: &TestEnv, store: &str, head: Option<&str>) -> Value {
    let mut args = vec!["--db", store, "verify", "--json"];
    if let Some(h) = head {
        args.extend(["--head", h]);
    }
    let r = env.run(&args);
    assert_eq!(r.code, 0, "{}", r.golden());
    r.json()
}

#[test]
fn a_record_migrates_to_postgres_and_back_with_the_same_root() {
    let env = TestEnv::new();
    env.ok(&["init"]);
    env.ok(&["snapshots"]);
    let file = env.db().display().to_string();
    let original = verify(&env, &file, None);
    let head = original["head"].as_str().unwrap().to_string();
    let server = fresh_url();
    let r = env.ok(&["migrate", "--from", &file, "--to", &server, "--json"]);
    let moved = r.json();
    assert_eq!(
        (&moved["root"], &moved["head"], &moved["events"]),
        (&original["root"], &original["head"], &original["events"])
    );
    // The server's log extends the file's head and has its root: the same log, byte for byte.
    let there = verify(&env, &server, Some(&head));
    assert_eq!((&there["root"], &there["size"]), (&original["root"], &original["size"]));
    // And back into a new file.
    let back = env.dir().join("back.db").display().to_string();
    env.ok(&["migrate", "--from", &server, "--to", &back]);
    let home = verify(&env, &back, Some(&head));
    assert_eq!((&home["root"], &home["head"]), (&original["root"], &original["head"]));
    // Every answer is the same on the three.
    for store in [&file, &server, &back] {
        let state =
            env.ok(&["--db", store, "state", "wtpf-13/opinion-3", "--at", "2013-05-15 18:00", "--json"]);
        assert_eq!(
            state.stdout,
            env.ok(&["state", "wtpf-13/opinion-3", "--at", "2013-05-15 18:00", "--json"]).stdout
        );
    }
    // A store is never migrated into: nothing is written to it.
    let r = env.run(&["migrate", "--from", &file, "--to", &server]);
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(r.stderr.contains("holds a store already"), "{}", r.golden());
    assert_eq!(verify(&env, &server, None)["events"], original["events"]);
    let r = env.run(&[
        "migrate",
        "--from",
        &env.dir().join("none.db").display().to_string(),
        "--to",
        &fresh_url(),
    ]);
    assert_eq!(r.code, 4, "{}", r.golden());
}

#[test]
fn clerks_recording_offline_sync_to_the_server_and_conflicts_are_reported_by_event() {
    // The server holds the meeting through the proposal of amendment fee-8.
    let server = example_store_on(Backend::Postgres, 2);
    let url = server.db().display().to_string();
    // Two clerks take a copy each and record offline.
    let (a, b) =
        (server.dir().join("a.db").display().to_string(), server.dir().join("b.db").display().to_string());
    server.ok(&["migrate", "--from", &url, "--to", &a]);
    server.ok(&["migrate", "--from", &url, "--to", &b]);
    let steps = example_steps();
    let ok = |r: minutes_tests::Run| assert_eq!(r.code, 0, "{}", r.golden());
    // Clerk A: the amendment accepted, and a statement.
    ok(server.run_with(&["--db", &a, "append"], Some(&steps[2])));
    ok(server.run_with(&["--db", &a, "append"], Some(&statement(1, "from clerk A"))));
    // Clerk B: the same amendment rejected, and two statements.
    ok(server.run(&[
        "--db",
        &b,
        "record",
        "reject",
        "fee-8",
        "--decided-by",
        "vote",
        "--at",
        "2030-03-02 10:40",
    ]));
    ok(server.run_with(&["--db", &b, "append"], Some(&statement(2, "from clerk B"))));
    ok(server.run_with(&["--db", &b, "append"], Some(&statement(3, "from clerk B again"))));
    let before = verify(&server, &url, None)["events"].as_u64().unwrap();
    // A syncs first: everything it lacks goes in; what came from the server is skipped.
    let r = server.run(&["sync", "--from", &a, "--to", &url, "--json"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(r.json(), json!({ "pushed": 2, "existed": before, "refused": [] }));
    // B's rejection comes too late: refused by the rules, named with its reason; the rest is pushed.
    let r = server.run(&["sync", "--from", &b, "--to", &url, "--json"]);
    assert_eq!(r.code, 1, "{}", r.golden());
    let out = r.json();
    assert_eq!((&out["pushed"], &out["existed"]), (&json!(2), &json!(before)));
    let refused = out["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{out}");
    assert_eq!(refused[0]["type"], "AmendmentRejected");
    assert_eq!(refused[0]["seq"], before + 1);
    assert!(refused[0]["reason"].as_str().unwrap().contains("fee-8"), "{out}");
    assert!(r.stderr.contains("1 of the local events were refused"), "{}", r.golden());
    // The server's log: its own events, then A's two, then B's two statements, sound.
    let v = verify(&server, &url, None);
    assert_eq!(v["events"], before + 4);
    let replay = server.ok(&["--db", &url, "replay", "example-harbour", "--json"]).stdout;
    let summaries: Vec<String> = replay
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter_map(|e| e["data"]["summary"].as_str().map(str::to_string))
        .filter(|s| s.starts_with("from clerk"))
        .collect();
    assert_eq!(summaries, ["from clerk A", "from clerk B", "from clerk B again"]);
    let state = server
        .ok(&["--db", &url, "state", "example-harbour/by-law-7", "--at", "2030-03-02 18:00", "--json"])
        .json();
    let fee = state["amendments"].as_array().unwrap().iter().find(|x| x["id"] == "fee-8").cloned().unwrap();
    assert_eq!(fee["status"], "accepted");
    // Syncing again changes nothing.
    let r = server.run(&["sync", "--from", &a, "--to", &url, "--json"]);
    assert_eq!(r.json()["pushed"], 0, "{}", r.golden());
    assert_eq!(verify(&server, &url, None)["head"], v["head"]);
}

#[test]
fn a_server_url_with_a_password_is_refused_and_the_message_says_where_to_put_it() {
    let env = TestEnv::new();
    let r = env.run(&["--db", "postgres://clerk:s3cret@127.0.0.1:9/minutes", "ls", "wtpf-13"]);
    assert_eq!(r.code, 4, "{}", r.golden());
    assert!(!r.stderr.contains("s3cret"), "the password is not repeated: {}", r.golden());
    assert!(r.stderr.contains("PGPASSFILE") && r.stderr.contains("PGPASSWORD"), "{}", r.golden());
    // A database without a minutes store is missing, as a file that is not there, and init makes one.
    let env = TestEnv::on(Backend::Postgres);
    let r = env.run(&["ls", "wtpf-13"]);
    assert_eq!(r.code, 4, "{}", r.golden());
    assert!(r.stderr.contains("no store at") && r.stderr.contains("init"), "{}", r.golden());
    assert!(!env.store_exists());
    env.ok(&["init"]);
    assert!(env.ok(&["ls", "wtpf-13", "--json"]).json()["documents"].as_array().unwrap().len() >= 6);
}

#[test]
fn the_readme_restricted_role_records_and_cannot_change_the_log() {
    let env = example_store_on(Backend::Postgres, 1);
    let url = env.db().display().to_string();
    let db = url.rsplit('/').next().unwrap().to_string();
    let cluster = minutes_tests::cluster::Cluster::get();
    let role = format!("clerk_{db}");
    // The README's grants, as written there (the role's name and database aside).
    let readme = std::fs::read_to_string(minutes_tests::root().join("README.md")).unwrap();
    let block = readme.split("-- as the owner of the database, after `minutes init`").nth(1).unwrap();
    let grants: String = block
        .split("```")
        .next()
        .unwrap()
        .lines()
        .map(|l| l.split("--").next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .replace("clerk", &role)
        .replace("DATABASE minutes", &format!("DATABASE {db}"));
    assert!(grants.contains("GRANT SELECT, INSERT ON events"), "{grants}");
    cluster.admin(&db).batch_execute(&grants).unwrap();
    let clerk = cluster.url_as(&role, &db);
    let r = env.run_with(&["--db", &clerk, "append", "--expected-version", "2"], Some(&example_steps()[1]));
    assert_eq!(r.code, 0, "{}", r.golden());
    env.ok(&[
        "--db",
        &clerk,
        "record",
        "accept",
        "fee-8",
        "--decided-by",
        "vote",
        "--at",
        "2030-03-02 10:30",
    ]);
    assert_eq!(verify(&env, &clerk, None)["ok"], true);
    // The role cannot change or remove a row, nor empty the table; the owner is stopped by
    // the triggers.
    let mut as_clerk = postgres::Config::new()
        .host("127.0.0.1")
        .port(cluster.port)
        .user(&role)
        .dbname(&db)
        .connect(postgres::NoTls)
        .unwrap();
    for sql in ["UPDATE events SET payload = '{}'", "DELETE FROM events", "TRUNCATE events"] {
        let e = as_clerk.batch_execute(sql).unwrap_err();
        assert!(format!("{e:?}").contains("permission denied"), "{sql}: {e:?}");
    }
    let e = cluster.admin(&db).batch_execute("DELETE FROM events").unwrap_err();
    assert!(format!("{e:?}").contains("append-only"), "{e:?}");
}
