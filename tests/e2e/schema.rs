//! The API against its own OpenAPI document: schemathesis (PyPI; `.ci/run` installs it) fuzzes
//! every operation from `/api/openapi.json` of a server on a temporary copy of the bundled
//! record, with a clerk's token so the writes are fuzzed too, and every response must have a
//! documented status, content type, headers and a body matching its schema, and no 5xx. The
//! feed is left out: its response never ends (the feed has its own tests in `serve.rs`).
//! Without schemathesis this test fails.

use std::process::Command;

use minutes_tests::{binary, TestEnv};

const TOKEN: &str = "schema-fuzzing-token-0001";

#[test]
fn schemathesis_finds_no_response_outside_the_openapi_document() {
    let env = TestEnv::new();
    env.ok(&["init"]);
    let s = env.serve(&format!("fuzzer {TOKEN}\n"));
    let reports = binary().parent().unwrap().join("artifacts/schemathesis");
    std::fs::create_dir_all(&reports).unwrap();
    let out = Command::new("schemathesis")
        .current_dir(env.dir())
        .args(["run", &s.url("/api/openapi.json")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
            "--exclude-path",
            "/api/feed",
            "--header",
            &format!("Authorization: Bearer {TOKEN}"),
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "40",
            "--seed",
            "13",
            "--workers",
            "2",
            "--generation-database",
            "none",
            "--request-timeout",
            "20",
            "--no-color",
            "--report",
            "junit",
            "--report-dir",
        ])
        .arg(&reports)
        .env("SCHEMATHESIS_HOOKS", "")
        .output()
        .expect("schemathesis runs (pip install schemathesis; .ci/run installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("/api/state"), "the operations were tested:\n{stdout}");
}
