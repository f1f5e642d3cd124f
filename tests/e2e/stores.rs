//! Stores are never touched by accident: a named store must exist (only `init` creates one),
//! only the default `./minutes.db` falls back to the bundled record, `init` refuses a store of
//! other meetings, and reads never write, so they work on read-only files and media.

use std::path::Path;
use std::process::Command;

use minutes_tests::TestEnv;

/// Every file under `dir`, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read(&p).unwrap_or_default())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_mistyped_store_is_an_error_for_every_command_but_init_and_creates_nothing() {
    let env = TestEnv::new();
    let ev = env.file("ev.jsonl", "{}\n");
    let ev = ev.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["replay", "wtpf-13"],
        vec!["state", "wtpf-13/opinion-3"],
        vec!["history", "wtpf-13/opinion-3"],
        vec!["diff", "wtpf-13/opinion-3", "--from", "2013-05-15 10:00"],
        vec!["blame", "wtpf-13/opinion-3"],
        vec!["ls", "wtpf-13"],
        vec!["verify"],
        vec!["import", ev],
        vec!["append"],
        vec!["snapshots"],
    ];
    for args in &commands {
        let mut with_flag = vec!["--db", "typo.db"];
        with_flag.extend(args);
        for r in [env.run(&with_flag), env.run(args)] {
            assert_eq!(r.code, 4, "minutes {args:?}: {}", r.golden());
            assert!(
                r.stderr.contains("no store at") && r.stderr.contains("init"),
                "minutes {args:?}: {}",
                r.golden()
            );
        }
    }
    assert_eq!(
        files(env.dir()).iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["ev.jsonl"],
        "nothing was created"
    );
}

#[test]
fn without_a_named_store_reads_use_the_bundled_record_and_writes_are_refused() {
    let env = TestEnv::new();
    let r = env.run_default(&["verify", "--json"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert!(r.stderr.contains("bundled"), "{}", r.golden());
    let ev = env.file("ev.jsonl", "{}\n");
    let r = env.run_default(&["import", ev.to_str().unwrap()]);
    assert_eq!(r.code, 4, "no write creates a store: {}", r.golden());
    assert!(!env.dir().join("minutes.db").exists());
}

#[test]
fn init_refuses_a_store_of_other_meetings_and_completes_one_of_the_bundled_record() {
    let env = minutes_tests::example_store(1);
    let before = std::fs::read(env.db()).unwrap();
    let r = env.run(&["init"]);
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(
        r.stderr.contains("example-harbour") && r.stderr.contains("wtpf-13"),
        "the refusal says what the store holds: {}",
        r.golden()
    );
    assert_eq!(std::fs::read(env.db()).unwrap(), before, "the store is unchanged");
    // A store of the bundled record: init adds nothing the second time.
    let b = TestEnv::new();
    b.ok(&["init"]);
    let r = b.ok(&["init", "--json"]);
    assert_eq!(r.json()["added"], 0, "{}", r.golden());
    // An empty store: init fills it.
    let e = TestEnv::new();
    e.ok(&["init", "--empty"]);
    assert!(e.ok(&["init", "--json"]).json()["added"].as_u64().unwrap() > 200);
}

/// Mounts `src` read-only at `dst` (a bind mount remounted read-only; root ignores file modes,
/// so only a read-only mount proves a command writes nothing). Panics when it cannot: the test
/// needs it.
struct ReadOnlyMount(std::path::PathBuf);

impl ReadOnlyMount {
    fn new(src: &Path, dst: &Path) -> Self {
        std::fs::create_dir_all(dst).unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("mount").args(args).output().expect("mount runs");
            assert!(
                out.status.success(),
                "mount {args:?} failed (the test needs root and mount): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(&["--bind", src.to_str().unwrap(), dst.to_str().unwrap()]);
        let me = Self(dst.to_path_buf());
        run(&["-o", "remount,bind,ro", dst.to_str().unwrap()]);
        me
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn reads_and_verify_work_on_a_read_only_medium_and_change_nothing() {
    let env = minutes_tests::example_store(5);
    let src = env.dir().join("ro-src");
    std::fs::create_dir(&src).unwrap();
    std::fs::copy(env.db(), src.join("m.db")).unwrap();
    let before = files(&src);
    let dst = env.dir().join("ro");
    let _mount = ReadOnlyMount::new(&src, &dst);
    assert!(std::fs::write(dst.join("probe"), b"x").is_err(), "the mount is read-only");
    let db = dst.join("m.db");
    let db = db.to_str().unwrap();
    for args in [
        vec!["--db", db, "verify"],
        vec!["--db", db, "state", "example-harbour/by-law-7", "--at", "2030-03-02 17:00", "--json"],
        vec!["--db", db, "replay", "example-harbour"],
        vec!["--db", db, "history", "example-harbour/by-law-7"],
        vec!["--db", db, "blame", "example-harbour/by-law-7", "--at", "2030-03-02 17:00"],
        vec!["--db", db, "ls", "example-harbour"],
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, 0, "minutes {args:?} on a read-only medium: {}", r.golden());
    }
    let r = env.run(&["--db", db, "state", "example-harbour/by-law-7", "--at", "2030-03-02 17:00", "--json"]);
    assert_eq!(r.json()["status"], "adopted");
    // A write is refused as a store that cannot be written, and writes nothing.
    let ev = env.file("ev.jsonl", "");
    let r = env.run(&["--db", db, "import", ev.to_str().unwrap()]);
    assert_ne!(r.code, 0, "{}", r.golden());
    assert_eq!(files(&src), before, "nothing under the read-only store changed");
}
