//! `minutes report`: the report written from events. On a copy of the WTPF-13 record whose
//! source quotes have all been removed (so no fact can come from quoting Annex I), each
//! Working Group's section states the key facts of its part of Annex I: session times, what
//! it considered, each proposal and its fate, the endorsements. And the example meetings get
//! a report a clerk could send.

use std::path::Path;

use minutes_tests::{example_store, riverton_store, root, TestEnv};

/// A store holding the bundled record's files with every `quote` emptied.
fn record_without_quotes() -> TestEnv {
    let env = TestEnv::new();
    let from = root().join("events/wtpf-13");
    let to = env.dir().join("wtpf-13");
    copy_dir(&from, &to);
    let mut files: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(&to).unwrap() {
        let p = entry.unwrap().path();
        // The coverage reasons (`cargo xtask coverage`) are not a record file.
        if p.extension().is_some_and(|x| x == "toml") && p.file_name().is_some_and(|n| n != "coverage.toml") {
            let text = std::fs::read_to_string(&p).unwrap();
            let (stripped, n) = strip_quotes(&text);
            assert!(n > 0 || !text.contains("quote"), "{}", p.display());
            assert!(
                !stripped.lines().any(|l| l.contains("quote = \"") && !l.contains("quote = \"\"")),
                "{}",
                p.display()
            );
            std::fs::write(&p, stripped).unwrap();
            files.push(p.display().to_string());
        }
    }
    files.sort();
    env.ok(&["init", "--empty"]);
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    env.ok(&args);
    env
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let e = entry.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Replaces every `quote = "..."` (a TOML basic string, escapes included) with `quote = ""`.
fn strip_quotes(s: &str) -> (String, usize) {
    let (mut out, mut rest, mut n) = (String::new(), s, 0);
    while let Some(i) = rest.find("quote = \"") {
        out.push_str(&rest[..i]);
        out.push_str("quote = \"\"");
        let mut chars = rest[i + 9..].char_indices();
        let mut end = rest.len() - i - 9;
        while let Some((j, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    end = j + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &rest[i + 9 + end..];
        n += 1;
    }
    out.push_str(rest);
    (out, n)
}

/// The section of the report under `## NAME`.
fn section<'a>(report: &'a str, name: &str) -> &'a str {
    let start =
        report.find(&format!("\n## {name}\n")).unwrap_or_else(|| panic!("no section {name}:\n{report}"));
    let rest = &report[start + 1..];
    match rest[3..].find("\n## ") {
        Some(end) => &rest[..end + 3],
        None => rest,
    }
}

fn has(s: &str, facts: &[&str]) {
    for f in facts {
        assert!(s.contains(f), "missing “{f}” in:\n{s}");
    }
}

#[test]
fn each_working_group_section_states_annex_i_from_the_events_alone() {
    let env = record_without_quotes();
    let r = env.run(&["report", "wtpf-13"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    // No quote survived: the sources cite file and section only.
    assert!(!r.stdout.contains("txt, Annex I, 2: “"), "{}", r.stdout);
    let wg1 = section(&r.stdout, "Working Group 1");
    has(
        wg1,
        &[
            "Working Group 1 met on 2013-05-14 from 16:15 to 17:40.",
            "Daniel Cavalcanti was elected Chairman of Working Group 1.",
            "Turkey proposed amendment op1-turkey-developing-countries",
            "Turkey proposed amendment op2-turkey-relevant",
            "It was accepted (the sources do not say how)",
            "Avanti and Global VSAT Forum proposed amendment op2-avanti-gvf-recognizing-c",
            "Working Group 1 endorsed “Promoting Internet Exchange Points (IXPs) as a long term solution to advance connectivity” unaltered and submitted it to the Plenary",
            "with amendment op2-turkey-relevant and submitted it to the Plenary",
            "Amendment op2-senegal-noting-gsr by Senegal",
            "Amendment op2-ghana-spur-demand by Ghana",
        ],
    );
    let wg2 = section(&r.stdout, "Working Group 2");
    has(
        wg2,
        &[
            "Working Group 2 met on 2013-05-15 from 09:30 to 10:10.",
            "Musab Abdulla was elected Chairman of Working Group 2.",
            "“Supporting Capacity Building for the deployment of IPv6”: referred to it",
            "taken up as item 1",
            "“In support of IPv6 adoption and transition from IPv4”: referred to it",
            "“Information document 12 (APNIC)”",
            "Turkey proposed: Merge draft Opinions 3 and 4. The proposal was withdrawn",
            "Turkey proposed amendment op3-turkey-requests-sg",
            "It was referred to the chairman's report",
            "Working Group 2 endorsed “Supporting Capacity Building for the deployment of IPv6” unaltered and submitted it to the Plenary",
            "Working Group 2 endorsed “In support of IPv6 adoption and transition from IPv4” unaltered and submitted it to the Plenary",
            "### Left for the chairman's report\n\n- Amendment op3-turkey-requests-sg by Turkey",
        ],
    );
    let wg3 = section(&r.stdout, "Working Group 3");
    has(
        wg3,
        &[
            "Working Group 3 met on 2013-05-15 from 10:40 to 17:40.",
            "Petko Kantchev was elected Chairman of Working Group 3.",
            "India proposed amendment op6-india-more-paragraphs",
            "Another text, amendment op6-wg3-recalling-a, was agreed in its place",
            "Amendment op6-wg3-recalling-a to “On supporting operationalizing the enhanced cooperation process” (the sources name no proposer)",
            "India proposed amendment op5-india-paragraph-61",
            "Working Group 3 endorsed “Supporting multi-stakeholderism in Internet Governance” with amendments op5-turkey-organization, op5-india-recognizing-a, op5-states-not-suggests",
            "Working Group 3 did not endorse “On The Role of Government in the Multistakeholder Framework for Internet Governance” (WTPF-13/5 rev. 1)",
            "Amendment op5-india-paragraph-61 by India",
        ],
    );
    // One body's report is that body's section.
    let one = env.run(&["report", "wtpf-13", "--body", "Working Group 2"]);
    assert_eq!(one.code, 0, "{}", one.golden());
    assert_eq!(section(&one.stdout, "Working Group 2"), wg2);
    assert!(!one.stdout.contains("## Working Group 1"));
}

#[test]
fn the_html_report_draws_the_timeline() {
    let env = TestEnv::new();
    let r = env.run_default(&["report", "wtpf-13", "--format", "html"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    let doc = roxmltree::Document::parse(r.stdout.trim_start_matches("<!DOCTYPE html>")).unwrap();
    let svg = doc.descendants().find(|n| n.has_tag_name("svg")).unwrap();
    let sessions = svg.descendants().filter(|n| n.attribute("class") == Some("session")).count();
    let endorsed = svg.descendants().filter(|n| n.attribute("class") == Some("endorsed")).count();
    let adopted = svg.descendants().filter(|n| n.attribute("class") == Some("adopted")).count();
    assert!(sessions >= 4, "sessions: {sessions}");
    assert_eq!(adopted, 6, "the six Opinions adopted");
    assert!(endorsed >= 6, "endorsed: {endorsed}");
    let r = env.run_default(&["report", "wtpf-13", "--body", "no-such-body"]);
    assert_eq!(r.code, 1, "{}", r.golden());
}

#[test]
fn golden_reports_of_a_working_group_and_the_example_meetings() {
    let env = TestEnv::new();
    insta::assert_snapshot!(
        "report_wtpf_wg_2",
        env.run_default(&["report", "wtpf-13", "--body", "wg-2"]).golden()
    );
    let harbour = example_store(5);
    insta::assert_snapshot!("report_harbour_md", harbour.run(&["report", "example-harbour"]).golden());
    insta::assert_snapshot!(
        "report_harbour_html",
        harbour.run(&["report", "example-harbour", "--format", "html"]).golden()
    );
    let riverton = riverton_store();
    let r = riverton.run(&["report", "example-riverton"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    has(
        &r.stdout,
        &[
            "## Finance Committee",
            "Councillor Jin Park was elected Chairman of Finance Committee.",
            "proposed amendment sixty-trees",
            "### Left for the chairman's report",
        ],
    );
}

/// The README shows the Working Group 2 section beside Annex I, 2: it is the report's own
/// output, kept current (its headings two levels down, inside the README's section).
#[test]
fn the_readme_shows_the_report_as_it_is() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("<!-- report wg-2: start").expect("the README holds the WG2 section");
    let block = &readme[start..];
    let block = &block[block.find("-->\n").unwrap() + 4..block.find("\n<!-- report wg-2: end -->").unwrap()];
    let env = TestEnv::new();
    let r = env.run_default(&["report", "wtpf-13", "--body", "wg-2"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    let section = &r.stdout[r.stdout.find("## Working Group 2\n").unwrap()..];
    let demoted: Vec<String> = section
        .trim_end()
        .lines()
        .map(|l| if l.starts_with('#') { format!("##{l}") } else { l.to_string() })
        .collect();
    assert_eq!(
        block,
        demoted.join("\n"),
        "refresh the README's block from `minutes report wtpf-13 --body wg-2`"
    );
}
