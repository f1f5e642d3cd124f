//! `minutes export`: Akoma Ntoso valid against the OASIS schema (xmllint) with every clause's
//! text what `state` gives, the marked text in Markdown and HTML, the timeline as CSV read back
//! by Python's csv module with the rows of `replay --json`, and golden files of each format.

use std::path::{Path, PathBuf};
use std::process::Command;

use minutes_tests::{example_store, riverton_store, root, TestEnv};

const OPINIONS: [&str; 6] = [
    "wtpf-13/opinion-1",
    "wtpf-13/opinion-2",
    "wtpf-13/opinion-3",
    "wtpf-13/opinion-4",
    "wtpf-13/opinion-5",
    "wtpf-13/opinion-6",
];

/// Moments across the forum: the first morning, the working groups, and after adoption.
const MOMENTS: [&str; 4] = ["2013-05-14 12:00", "2013-05-15 10:15", "2013-05-16 12:00", "2013-05-20 12:00"];

fn schema() -> PathBuf {
    root().join("crates/export/schema/akn/akomantoso30.xsd")
}

/// Validates an Akoma Ntoso file against the official schema with xmllint; fails when the
/// tool is missing (.ci/run installs it).
fn xmllint(file: &Path) {
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(schema())
        .arg(file)
        .output()
        .expect("xmllint runs (Debian's libxml2-utils; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{} is not valid Akoma Ntoso 3.0:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Exports `doc` at `at` as Akoma Ntoso, validates it, and checks each section's heading and
/// each clause's text against `state --json`, eId by eId.
fn check_akn(env: &TestEnv, run: &dyn Fn(&[&str]) -> minutes_tests::Run, doc: &str, at: &str) {
    let r = run(&["export", doc, "--at", at, "--format", "akn"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    let file = env.file(&format!("{}-{}.xml", doc.replace('/', "_"), at.replace([' ', ':'], "_")), &r.stdout);
    xmllint(&file);
    let state = run(&["state", doc, "--at", at, "--json"]).json();
    let xml = roxmltree::Document::parse(&r.stdout).unwrap();
    let statement = xml.descendants().find(|n| n.has_tag_name("statement")).unwrap();
    let by_eid = |eid: &str| statement.descendants().find(|n| n.attribute("eId") == Some(eid));
    let mut clauses = 0;
    fn walk(node: &serde_json::Value, f: &mut dyn FnMut(&serde_json::Value)) {
        f(node);
        for c in node["clauses"].as_array().into_iter().flatten() {
            walk(c, f);
        }
    }
    for top in state["clauses"].as_array().unwrap() {
        walk(top, &mut |n| {
            let path = n["path"].as_str().unwrap();
            let mut parts = path.split('/');
            let mut eid = format!("sec_{}", parts.next().unwrap());
            for p in parts {
                eid.push_str(&format!("__clause_{p}"));
            }
            let el = by_eid(&eid).unwrap_or_else(|| panic!("{doc} at {at}: no element with eId {eid}"));
            if let Some(h) = n["heading"].as_str() {
                let heading = el.children().find(|c| c.has_tag_name("heading")).unwrap();
                assert_eq!(heading.text(), Some(h), "{doc} {path}");
                return;
            }
            clauses += 1;
            let num = el.children().find(|c| c.has_tag_name("num")).and_then(|c| c.text());
            let block = el.children().find(|c| c.has_tag_name("content") || c.has_tag_name("intro")).unwrap();
            let words: Vec<String> = block
                .children()
                .filter(|c| c.has_tag_name("p"))
                .map(|p| p.descendants().filter(|t| t.is_text()).map(|t| t.text().unwrap_or("")).collect())
                .collect();
            let words = words.join("\n");
            let got = match num {
                Some(l) => format!("{l} {words}"),
                None => words,
            };
            let want = match (n["label"].as_str(), n["words"].as_str()) {
                (Some(l), Some(w)) => format!("{l} {w}"),
                (Some(l), None) => format!("{l} [wording not recorded in the sources]"),
                (None, Some(w)) => w.to_string(),
                (None, None) => "[wording not recorded in the sources]".to_string(),
            };
            assert_eq!(got, want, "{doc} at {at}, clause {path}");
            // And the clause is in the text `state` prints.
            assert!(state["text"].as_str().unwrap().contains(&want), "{doc} {path}");
        });
    }
    assert!(clauses > 0 || state["text"].is_null(), "{doc} at {at}: no clause checked");
    // One amendment document for each amendment `state` lists, with its fate, and one mod for
    // each of its operations.
    let json = run(&["export", doc, "--at", at, "--format", "json"]).json();
    let amendments = xml.descendants().filter(|n| n.has_tag_name("amendment")).collect::<Vec<_>>();
    let listed = json["state"]["amendments"].as_array().unwrap();
    assert_eq!(amendments.len(), listed.len(), "{doc} at {at}");
    for (a, want) in amendments.iter().zip(listed) {
        let status = a.descendants().find(|n| n.has_tag_name("docStatus")).and_then(|n| n.text()).unwrap();
        assert!(status.starts_with(want["status"].as_str().unwrap()), "{doc} {}: {status}", want["id"]);
        let mods = a.descendants().filter(|n| n.has_tag_name("mod")).collect::<Vec<_>>();
        assert_eq!(mods.len(), want["operations"].as_array().unwrap().len(), "{doc} {}", want["id"]);
        for m in mods {
            assert!(m.attribute("for").unwrap().starts_with("#sec_"), "{doc} {}", want["id"]);
        }
    }
    // The FRBR expression names the moment and the log position.
    let expr = xml.descendants().find(|n| n.has_tag_name("FRBRExpression")).unwrap();
    let version = expr.children().find(|n| n.has_tag_name("FRBRversionNumber")).unwrap();
    assert!(version.attribute("value").unwrap().starts_with("seq-"), "{doc}");
    let date = expr.children().find(|n| n.has_tag_name("FRBRdate")).unwrap();
    assert_eq!(date.attribute("date"), state["at"].as_str(), "{doc}");
}

#[test]
fn every_opinion_exports_as_valid_akoma_ntoso_whose_clauses_are_the_state_text() {
    let env = TestEnv::new();
    let run = |a: &[&str]| env.run_default(a);
    for doc in OPINIONS {
        for at in MOMENTS {
            check_akn(&env, &run, doc, at);
        }
    }
    // Every document of the record, drafts, contributions and reports alike, as it stands.
    let ls = env.run_default(&["ls", "wtpf-13", "--json"]).json();
    for d in ls["documents"].as_array().unwrap() {
        check_akn(&env, &run, d["name"].as_str().unwrap(), "2013-05-20 12:00");
        for format in ["md", "html"] {
            let r = env.run_default(&["export", d["name"].as_str().unwrap(), "--format", format]);
            assert_eq!(r.code, 0, "{}", r.golden());
        }
    }
    // Separate files: each valid on its own.
    let dir = env.dir().join("split");
    let dir_arg = dir.display().to_string();
    let r = env.run_default(&[
        "export",
        "wtpf-13/opinion-2",
        "--at",
        "2013-05-16 12:00",
        "--format",
        "akn",
        "--split",
        &dir_arg,
    ]);
    assert_eq!(r.code, 0, "{}", r.golden());
    let files: Vec<&str> = r.stdout.lines().collect();
    assert!(files.len() > 1 && files[0].ends_with("opinion-2.xml"), "{}", r.stdout);
    for f in files {
        // The harness shows temporary paths redacted: the file's name is what it wrote in DIR.
        xmllint(&dir.join(Path::new(f).file_name().unwrap()));
    }
}

#[test]
fn the_example_meetings_export_as_valid_akoma_ntoso() {
    let harbour = example_store(5);
    let run = |a: &[&str]| harbour.run(a);
    for at in ["2030-03-02 10:00", "2030-03-02 12:00", "2030-03-02 17:00"] {
        check_akn(&harbour, &run, "example-harbour/by-law-7", at);
    }
    let riverton = riverton_store();
    let run = |a: &[&str]| riverton.run(a);
    for doc in ["example-riverton/res-12", "example-riverton/res-13"] {
        for at in ["2031-06-10 09:00", "2031-06-10 12:00", "2031-06-10 18:00"] {
            check_akn(&riverton, &run, doc, at);
        }
    }
}

#[test]
fn markdown_and_html_mark_each_change_since_tabling_and_footnote_it() {
    let env = TestEnv::new();
    let md = env.run_default(&["export", "wtpf-13/opinion-2", "--at", "2013-05-20 12:00", "--format", "md"]);
    assert_eq!(md.code, 0, "{}", md.golden());
    let json = env
        .run_default(&["export", "wtpf-13/opinion-2", "--at", "2013-05-20 12:00", "--format", "json"])
        .json();
    let changes = json["marked"]["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    for (i, c) in changes.iter().enumerate() {
        let n = i + 1;
        let note = md.stdout.lines().find(|l| l.starts_with(&format!("[^{n}]: "))).unwrap();
        if let Some(a) = c["amendment"].as_str() {
            assert!(note.contains(&a.replace('_', "\\_")), "{note}");
        }
        assert!(note.contains("Source: "), "{note}");
        assert!(
            md.stdout.contains(&format!("</ins>[^{n}]")) || md.stdout.contains(&format!("</del>[^{n}]")),
            "change {n}"
        );
    }
    assert!(md.stdout.contains("<ins>relevant</ins>[^"), "{}", md.stdout);
    let html =
        env.run_default(&["export", "wtpf-13/opinion-2", "--at", "2013-05-20 12:00", "--format", "html"]);
    assert_eq!(html.code, 0, "{}", html.golden());
    assert!(html.stdout.starts_with("<!DOCTYPE html>"));
    assert!(html.stdout.contains("<ins>relevant</ins><sup><a href=\"#change-"), "{}", html.stdout);
    assert!(html.stdout.contains("<li id=\"change-1\">"));
    // The HTML is well-formed XML (an XHTML-compatible serialisation), so any parser reads it.
    roxmltree::Document::parse(html.stdout.trim_start_matches("<!DOCTYPE html>")).unwrap();
    // A document before tabling is refused, and a meeting is not a document.
    let r = env.run_default(&["export", "wtpf-13/opinion-2", "--at", "2012-01-01 12:00", "--format", "md"]);
    assert_eq!(r.code, 1, "{}", r.golden());
    let r = env.run_default(&["export", "wtpf-13", "--format", "akn"]);
    assert_eq!(r.code, 2, "{}", r.golden());
    let r = env.run_default(&["export", "wtpf-13/opinion-2", "--format", "csv"]);
    assert_eq!(r.code, 2, "{}", r.golden());
}

/// The CSV read by Python's csv module, as a JSON list of rows.
fn python_csv(env: &TestEnv, csv: &str) -> Vec<serde_json::Value> {
    let file = env.file("timeline.csv", csv);
    let out = Command::new("python3")
        .args([
            "-c",
            "import csv,json,sys\nwith open(sys.argv[1], newline='', encoding='utf-8') as f:\n    print(json.dumps(list(csv.DictReader(f))))",
        ])
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

fn instant(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(s).ok()
}

/// The CSV's rows are `replay --json`'s events, one for one, with the same fields.
fn check_csv(env: &TestEnv, run: &dyn Fn(&[&str]) -> minutes_tests::Run, meeting: &str, filter: &[&str]) {
    let mut args = vec!["export", meeting, "--format", "csv"];
    args.extend_from_slice(filter);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert!(r.stdout.starts_with("seq,id,type,"), "a header row");
    let rows = python_csv(env, &r.stdout);
    let mut args = vec!["replay", meeting, "--json"];
    args.extend_from_slice(filter);
    let replay = run(&args);
    let events: Vec<serde_json::Value> =
        replay.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), events.len(), "{meeting} {filter:?}");
    assert!(!rows.is_empty());
    let jsonl = {
        let mut a = vec!["export", meeting, "--format", "jsonl"];
        a.extend_from_slice(filter);
        run(&a).stdout
    };
    let jsonl: Vec<serde_json::Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(jsonl.len(), events.len());
    for ((row, e), j) in rows.iter().zip(&events).zip(&jsonl) {
        let s = |k: &str| row[k].as_str().unwrap().to_string();
        let opt = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
        assert_eq!(s("id"), opt(&e["id"]));
        assert_eq!(s("seq"), e["seq"].to_string());
        assert_eq!(s("type"), opt(&e["type"]));
        assert_eq!(s("document"), opt(&e["document"]));
        assert_eq!(s("body"), opt(&e["body"]));
        assert_eq!(
            instant(&s("occurred_from")),
            e["occurred"]["from"].as_str().and_then(instant),
            "{}",
            s("id")
        );
        assert_eq!(instant(&s("occurred_to")), e["occurred"]["to"].as_str().and_then(instant), "{}", s("id"));
        let actors: Vec<String> = e["actors"].as_array().unwrap().iter().map(opt).collect();
        assert_eq!(s("actors"), actors.join(";"));
        assert_eq!(s("actor_names").split(';').filter(|x| !x.is_empty()).count(), actors.len());
        assert_eq!(s("source_quote"), opt(&e["source"]["quote"]));
        assert_eq!(s("source_file"), opt(&e["source"]["file"]));
        assert_eq!(j["id"], e["id"]);
        assert_eq!(j["actors"], e["actors"]);
        assert_eq!(j["source_quote"].as_str().unwrap(), opt(&e["source"]["quote"]));
        let certainty = s("certainty");
        assert!(["exact", "window", "open"].contains(&certainty.as_str()));
    }
}

#[test]
fn the_timeline_csv_reads_back_in_python_as_the_rows_of_replay() {
    let env = TestEnv::new();
    let run = |a: &[&str]| env.run_default(a);
    check_csv(&env, &run, "wtpf-13", &[]);
    check_csv(
        &env,
        &run,
        "wtpf-13",
        &["--body", "wg-2", "--from", "2013-05-15 09:00", "--to", "2013-05-16 00:00"],
    );
    let riverton = riverton_store();
    let run = |a: &[&str]| riverton.run(a);
    check_csv(&riverton, &run, "example-riverton", &[]);
}

#[test]
fn golden_files_of_each_format() {
    let env = TestEnv::new();
    let d = "wtpf-13/opinion-2";
    let at = "2013-05-16 12:00";
    for (name, format) in [("akn", "akn"), ("md", "md"), ("html", "html"), ("json", "json")] {
        let r = env.run_default(&["export", d, "--at", at, "--format", format]);
        insta::assert_snapshot!(format!("export_wtpf_opinion_2_{name}"), r.golden());
    }
    for format in ["csv", "jsonl"] {
        let r = env.run_default(&["export", "wtpf-13", "--body", "wg-1", "--format", format]);
        insta::assert_snapshot!(format!("export_wtpf_wg_1_{format}"), r.golden());
    }
    let harbour = example_store(5);
    for format in ["akn", "md", "html", "json"] {
        let r = harbour.run(&[
            "export",
            "example-harbour/by-law-7",
            "--at",
            "2030-03-02 17:00",
            "--format",
            format,
        ]);
        insta::assert_snapshot!(format!("export_harbour_by_law_7_{format}"), r.golden());
    }
    for format in ["csv", "jsonl"] {
        let r = harbour.run(&["export", "example-harbour", "--format", format]);
        insta::assert_snapshot!(format!("export_harbour_{format}"), r.golden());
    }
}

/// Validates a Popolo export with Python's jsonschema against the schemas kept in the
/// repository; fails when Python or jsonschema is missing (.ci/run installs it).
fn popolo_valid(env: &TestEnv, json: &str) {
    let file = env.file("popolo.json", json);
    let out = Command::new("python3")
        .arg(root().join("tests/python/popolo_validate.py"))
        .arg(root().join("crates/export/schema/popolo"))
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "not valid Popolo:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn popolo_exports_validate_against_the_popolo_schemas() {
    let env = TestEnv::new();
    let r = env.run_default(&["export", "wtpf-13", "--format", "popolo"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    popolo_valid(&env, &r.stdout);
    let p = r.json();
    let motions = p["motions"].as_array().unwrap();
    let amendment = motions.iter().find(|m| m["id"] == "wtpf-13/opinion-2#op2-turkey-relevant").unwrap();
    assert_eq!(amendment["classification"], "amendment");
    assert_eq!(amendment["amends_id"], "wtpf-13/opinion-2");
    assert_eq!(amendment["result"], "accepted");
    assert_eq!(amendment["creator_id"], "wtpf-13/actor/turkey");
    let draft = motions.iter().find(|m| m["id"] == "wtpf-13/opinion-2").unwrap();
    assert_eq!(draft["result"], "adopted");
    let events = p["events"].as_array().unwrap();
    let opened = events
        .iter()
        .find(|e| e["classification"] == "SessionOpened" && e["organization_id"] == "wtpf-13/body/wg-2")
        .unwrap();
    assert_eq!(opened["start_date"], "2013-05-15T09:30:00+02:00");
    assert!(p["persons"].as_array().unwrap().iter().any(|x| x["name"] == "Musab Abdulla"));
    let harbour = example_store(5);
    let r = harbour.run(&["export", "example-harbour", "--format", "popolo"]);
    popolo_valid(&harbour, &r.stdout);
    insta::assert_snapshot!("export_harbour_popolo", r.golden());
    let riverton = riverton_store();
    popolo_valid(&riverton, &riverton.run(&["export", "example-riverton", "--format", "popolo"]).stdout);
}
