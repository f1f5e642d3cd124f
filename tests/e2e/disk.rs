//! A store is acknowledged only once it is durable and whole, even on a disk that fills up
//! while it is created: `init` on a small tmpfs, swept over the free space.

use std::path::{Path, PathBuf};
use std::process::Command;

use minutes_tests::{record_size, TestEnv};

/// A tmpfs of `size` mounted on a directory of the env, unmounted when dropped. Mounting needs
/// root: without it the test fails, it never skips.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(env: &TestEnv, name: &str, size: &str) -> Self {
        let dir = env.dir().join(name);
        std::fs::create_dir(&dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "this test needs to mount a tmpfs (run as root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self { dir }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

/// The names in a directory, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    v.sort();
    v
}

/// How many bytes the file system of `dir` has free (statvfs through `df`, in KiB).
fn free_kib(dir: &Path) -> u64 {
    let out = Command::new("df").args(["-k", "--output=avail"]).arg(dir).output().expect("df runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df's avail")
}

#[test]
fn init_on_a_filling_disk_is_acknowledged_only_whole_or_leaves_nothing() {
    let env = TestEnv::new();
    let fs = Tmpfs::mount(&env, "small", "2m");
    let db = fs.dir.join("x.db");
    let filler = fs.dir.join("filler");
    let total = free_kib(&fs.dir);
    let (mut created, mut refused) = (0, 0);
    // Free space from 200 KiB (too little for the store) to 1.2 MiB (room for it and its log).
    for free in (200..1200).step_by(16) {
        std::fs::write(&filler, vec![0u8; ((total - free) * 1024) as usize]).unwrap();
        let r = env.run(&["--db", &db.display().to_string(), "init"]);
        if r.code == 0 {
            created += 1;
            assert!(
                r.stdout.contains(&format!("holding {} events", record_size())),
                "free {free} KiB:\n{}",
                r.golden()
            );
            std::fs::remove_file(&filler).unwrap();
            let v = env.run(&["--db", &db.display().to_string(), "verify", "--json"]);
            assert_eq!(v.code, 0, "free {free} KiB: an acknowledged store does not verify:\n{}", v.golden());
            assert_eq!(v.json()["events"], record_size(), "free {free} KiB:\n{}", v.golden());
            for f in names(&fs.dir) {
                std::fs::remove_file(fs.dir.join(f)).unwrap();
            }
        } else {
            refused += 1;
            assert_eq!(r.code, 4, "free {free} KiB:\n{}", r.golden());
            assert!(r.stderr.contains("the store is full"), "free {free} KiB:\n{}", r.golden());
            assert_eq!(names(&fs.dir), ["filler"], "free {free} KiB: a refused init left files behind");
            std::fs::remove_file(&filler).unwrap();
        }
    }
    assert!(
        created > 0 && refused > 0,
        "the sweep crosses the size of the store: {created} created, {refused} refused"
    );
}
