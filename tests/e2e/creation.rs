//! How `init` creates a store: over the leftovers of a killed creation, beside other
//! processes creating the same store, and on a path that is a dangling symbolic link.

use minutes_tests::{record_size, TestEnv};

/// The names in the env's directory, sorted.
fn names(env: &TestEnv) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    v.sort();
    v
}

#[test]
fn init_removes_the_leftovers_of_a_killed_creation_and_keeps_a_live_ones() {
    let env = TestEnv::new();
    // A pid above Linux's largest pid_max is never alive; the test's own process is.
    let dead = ".m.db.creating-4194305";
    let live = format!(".m.db.creating-{}", std::process::id());
    for suffix in ["", "-wal", "-shm", "-journal"] {
        env.file(&format!("{dead}{suffix}"), "left by a killed init");
    }
    env.file(&live, "an init still running");
    let r = env.run(&["init"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(names(&env), [live.clone(), "m.db".to_string()], "only the live creation's file is kept");
}

#[test]
fn concurrent_inits_of_one_new_store_all_succeed_and_hold_the_record_once() {
    let env = TestEnv::new();
    let start = std::sync::Barrier::new(8);
    let runs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    env.run(&["init", "--json"])
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &runs {
        assert_eq!(r.code, 0, "{}", r.golden());
    }
    let added: u64 = runs.iter().map(|r| r.json()["added"].as_u64().unwrap()).sum();
    assert_eq!(added as usize, record_size(), "the record was added once in all");
    let created = runs.iter().filter(|r| r.json()["created"] == true).count();
    assert!(created >= 1, "one of them created the store");
    let v = env.run(&["verify", "--json"]);
    assert_eq!(v.code, 0, "{}", v.golden());
    assert_eq!(v.json()["events"], record_size(), "{}", v.golden());
}

#[test]
fn init_through_a_dangling_symbolic_link_names_it_and_creates_nothing() {
    let env = TestEnv::new();
    std::os::unix::fs::symlink("missing.db", env.dir().join("link.db")).unwrap();
    let r = env.run(&["--db", &env.dir().join("link.db").display().to_string(), "init"]);
    assert_eq!(r.code, 4, "{}", r.golden());
    assert!(
        r.stderr
            .contains("[TMP]/link.db is a symbolic link to a missing file (missing.db): nothing was created"),
        "{}",
        r.golden()
    );
    assert_eq!(names(&env), ["link.db"], "nothing was created");
}
