//! The timeline page in real headless Chromium (Debian's chromium and chromium-driver, driven
//! over WebDriver by fantoccini): on the bundled record it shows Opinion 2 at 14 May 18:00 with
//! "relevant" marked inserted and linked to Turkey's amendment and its quotes; a clerk signed in
//! on a temporary store records a proposal and its acceptance through the forms, and a refusal
//! is shown as the server words it. Screenshots go to `target/<profile>/artifacts/page/`.
//! Without chromium or chromedriver this test fails: `.ci/run` installs them.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use minutes_tests::{binary, root, Served, TestEnv};
use serde_json::json;

const TOKEN: &str = "page-clerk-token-0000001";

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs (Debian's chromium-driver; .ci/run installs it)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while ureq::get(&format!("http://127.0.0.1:{port}/status")).call().is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, port, _profile: tempfile::tempdir().unwrap() }
}

async fn browser(d: &Driver, width: u32) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", format!("--window-size={width},1100"),
                     format!("--user-data-dir={}", d._profile.path().join(width.to_string()).display())]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("chromium starts under chromedriver")
}

/// Where the screenshots go: beside the binary under test, in the target directory.
fn artifacts() -> std::path::PathBuf {
    let dir = binary().parent().unwrap().join("artifacts/page");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(artifacts().join(format!("{name}.png")), png).unwrap();
}

/// Waits until `f` gives Some, or fails naming `what`.
async fn until<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(t) = f().await {
            return t;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text_of(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn set_moment(c: &Client, t: &str) {
    let m = c.find(Locator::Css("#moment")).await.unwrap();
    m.clear().await.unwrap();
    m.send_keys(&format!("{t}\u{E007}")).await.unwrap();
}

async fn fill(c: &Client, css: &str, value: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

async fn choose(c: &Client, css: &str, value: &str) {
    let sel = c.find(Locator::Css(css)).await.unwrap();
    until(&format!("option {value} of {css}"), || {
        let sel = sel.clone();
        async move { sel.find(Locator::Css(&format!("option[value='{value}']"))).await.ok() }
    })
    .await;
    sel.select_by_value(value).await.unwrap();
}

async fn bundled_record(d: &Driver) {
    let env = TestEnv::new();
    env.ok(&["init"]);
    let s = env.serve("");
    let c = browser(d, 1280).await;
    c.goto(&s.url("/?meeting=wtpf-13")).await.unwrap();
    choose(&c, "#doc", "wtpf-13/opinion-2").await;
    set_moment(&c, "2013-05-14 18:00").await;
    let ins = until("“relevant” marked inserted", || async {
        for e in c.find_all(Locator::Css("#text ins")).await.ok()? {
            if e.text().await.ok()?.trim() == "relevant" {
                return Some(e);
            }
        }
        None
    })
    .await;
    let link = ins.find(Locator::Css("a")).await.unwrap();
    let href = link.attr("href").await.unwrap().unwrap();
    assert!(href.starts_with("#change-"), "{href}");
    let change = text_of(&c, &href).await;
    assert!(change.contains("op2-turkey-relevant"), "{change}");
    assert!(change.contains("turkey"), "{change}");
    assert!(
        change.contains("Turkey’s contribution proposed the addition of the word “relevant”"),
        "{change}"
    );
    assert!(change.contains("Working Group 1 endorsed Draft Opinion 2 with the addition"), "{change}");
    shot(&c, "0-opinion-2-at-14-may-18h-top").await;
    // Following the link goes to the change.
    link.click().await.unwrap();
    assert!(c.current_url().await.unwrap().as_str().ends_with(&href));
    assert!(text_of(&c, "#status").await.contains("2013-05-14 18:00"));
    // Uncertain events are shown as uncertain on the timeline.
    assert!(!c.find_all(Locator::Css(".tl-mark.uncertain")).await.unwrap().is_empty());
    shot(&c, "1-opinion-2-at-14-may-18h").await;
    // At a phone's width the page still works: the text is there, one column.
    c.set_window_size(390, 900).await.unwrap();
    shot(&c, "2-phone-width").await;
    assert!(text_of(&c, "#text").await.contains("relevant"));
    c.close().await.unwrap();
}

async fn a_clerk_records(d: &Driver) {
    let env = TestEnv::new();
    env.ok(&["init", "--empty"]);
    let dir = root().join("events/examples/harbour-board");
    env.ok(&["import", &dir.join("setup.toml").display().to_string()]);
    let taken = std::fs::read_to_string(dir.join("1-taken-up.json")).unwrap();
    assert_eq!(env.run_with(&["append"], Some(&taken)).code, 0);
    let s: Served = env.serve(&format!("Page Clerk {TOKEN}\n"));
    let c = browser(d, 1280).await;
    c.goto(&s.url("/")).await.unwrap();
    choose(&c, "#doc", "example-harbour/by-law-7").await;
    set_moment(&c, "2030-03-02 10:25").await;
    until("the by-law's text", || async {
        text_of(&c, "#text").await.contains("10 per night").then_some(())
    })
    .await;
    // Sign in with the token.
    fill(&c, "#token", TOKEN).await;
    c.find(Locator::Css("#signin-button")).await.unwrap().click().await.unwrap();
    until("signed in", || async { text_of(&c, "#clerk").await.contains("Page Clerk").then_some(()) }).await;
    // Select the words in the clause, as a reader would with the mouse or the keyboard.
    c.execute(
        r#"const words = document.querySelector('.line[data-path="decides/1"] .words');
           const node = [...words.childNodes].find((n) => n.nodeType === 3 && n.textContent.includes('10 per night'));
           const i = node.textContent.indexOf('10 per night');
           const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + '10 per night'.length);
           const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);"#,
        vec![],
    )
    .await
    .unwrap();
    c.find(Locator::Css("#use-selection")).await.unwrap().click().await.unwrap();
    let clause = c.find(Locator::Css("#prop-clause")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(clause.as_deref(), Some("decides/1"));
    choose(&c, "#prop-kind", "replace").await;
    fill(&c, "#prop-new", "8 per night").await;
    choose(&c, "#prop-by", "ben-okafor").await;
    fill(&c, "#rec-at", "2030-03-02 10:20").await;
    c.find(Locator::Css("#propose")).await.unwrap().click().await.unwrap();
    let said = until("the proposal recorded", || async {
        let m = text_of(&c, "#message").await;
        m.contains("recorded").then_some(m)
    })
    .await;
    assert!(said.contains("by-law-7-amendment-1"), "{said}");
    shot(&c, "3-clerk-proposed").await;
    // Record its acceptance with the button beside it.
    fill(&c, "#rec-at", "2030-03-02 10:30").await;
    let accept = until("the accept button", || async {
        c.find(Locator::Css("#pending li[data-amendment='by-law-7-amendment-1'] button[data-verb='accept']"))
            .await
            .ok()
    })
    .await;
    accept.click().await.unwrap();
    until("the acceptance recorded", || async {
        text_of(&c, "#message").await.contains("accepted").then_some(())
    })
    .await;
    let st = env.ok(&["state", "example-harbour/by-law-7", "--at", "2030-03-02 10:35", "--json"]).json();
    assert_eq!(st["amendments"][0]["status"], "accepted", "{st}");
    assert!(st["text"].as_str().unwrap().contains("8 per night"));
    let replay = env.ok(&["replay", "example-harbour", "--json"]).stdout;
    assert!(replay.lines().last().unwrap().contains("\"recorded_by\":\"Page Clerk\""), "{replay}");
    set_moment(&c, "2030-03-02 10:35").await;
    until("“8” marked inserted", || async {
        for e in c.find_all(Locator::Css("#text ins")).await.ok()? {
            if e.text().await.ok()?.contains('8') {
                return Some(());
            }
        }
        None
    })
    .await;
    shot(&c, "4-clerk-accepted").await;
    // A refusal is shown as the server words it. The test keeps the last answer the page got,
    // then opens a session on a day outside the meeting's dates, which the rules refuse.
    c.execute(
        "const f = window.fetch; window.lastAnswer = null;
         window.fetch = async (...a) => { const r = await f(...a); r.clone().json().then((j) => { window.lastAnswer = j; }); return r; };",
        vec![],
    )
    .await
    .unwrap();
    fill(&c, "#rec-at", "2031-05-01 10:00").await;
    choose(&c, "#session-body", "board").await;
    c.find(Locator::Css("#open-session")).await.unwrap().click().await.unwrap();
    let shown = until("a refusal shown", || async {
        let m = text_of(&c, "#message").await;
        (!m.contains("recorded:") && !m.is_empty()).then_some(m)
    })
    .await;
    let answer = c.execute("return window.lastAnswer;", vec![]).await.unwrap();
    assert_eq!(shown, answer["error"].as_str().unwrap(), "the page shows the refusal verbatim");
    shot(&c, "5-clerk-refused").await;
    c.close().await.unwrap();
}

#[test]
fn the_page_shows_the_record_moment_by_moment_and_a_clerk_records_through_it() {
    let d = driver();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        bundled_record(&d).await;
        a_clerk_records(&d).await;
    });
}
