//! Bundles the WTPF-13 record (`events/wtpf-13/*.toml` and its texts) into the binary: writes a
//! list of `include_str!`s so that adding a file to `events/` needs no code change.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/wtpf-13");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut code = String::new();
    for (name, sub, ext) in [("RECORD_FILES", "", "toml"), ("TEXT_FILES", "texts", "txt")] {
        let dir = root.join(sub);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == ext))
                    // The coverage reasons are not a record file.
                    .filter(|p| p.file_name().is_some_and(|n| n != "coverage.toml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        let _ = writeln!(
            code,
            "/// `{sub}/*.{ext}` of events/wtpf-13, by name.\npub static {name}: &[(&str, &str)] = &["
        );
        for f in files {
            println!("cargo:rerun-if-changed={}", f.display());
            let rel = if sub.is_empty() {
                f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
            } else {
                format!(
                    "{sub}/{}",
                    f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
                )
            };
            let _ = writeln!(code, "    ({rel:?}, include_str!({:?})),", f.display().to_string());
        }
        code.push_str("];\n");
    }
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
