//! Signed checkpoints: a secretariat signs the log's tree head at the close of a session
//! (C2SP tlog-checkpoint as a signed note, Ed25519); an observer later checks, with the
//! published verifier key, that the record they hold extends it, and a rewrite is caught.

#[test]
fn an_observer_proves_the_record_extends_a_published_checkpoint_and_a_rewrite_fails() {
    let env = minutes_tests::example_store(2);
    let key = env.dir().join("board.key");
    let key = key.to_str().unwrap();
    let r = env.ok(&["keygen", "example-harbour.example/minutes", "--out", key]);
    let vkey = format!("{key}.pub");
    assert!(r.stdout.starts_with("example-harbour.example/minutes+"), "{}", r.golden());
    // The close of the morning session: a checkpoint published.
    let note = env.ok(&["checkpoint", "--key", key]).stdout;
    let lines: Vec<&str> = note.lines().collect();
    assert!(lines[0].starts_with("minutes/") && lines[1] == "6" && lines[3].is_empty(), "{note}");
    assert!(lines[4].starts_with("\u{2014} example-harbour.example/minutes "), "{note}");
    let published = env.file("morning.checkpoint", &note);
    let published = published.to_str().unwrap();
    // The record grows; the observer checks it extends what was published.
    for step in &minutes_tests::example_steps()[2..] {
        assert_eq!(env.run_with(&["append"], Some(step)).code, 0);
    }
    let v = env.ok(&["verify", "--checkpoint", published, "--pubkey", &vkey, "--json"]).json();
    assert_eq!(v["checkpoint"]["ok"], true, "{v}");
    assert_eq!(v["checkpoint"]["size"], 6);
    assert_eq!(v["checkpoint"]["signed_by"].as_str().unwrap().split('+').count(), 2);
    // Another key's verifier does not accept it.
    let other = env.dir().join("other.key");
    env.ok(&["keygen", "example-harbour.example/minutes", "--out", other.to_str().unwrap()]);
    let r = env.run(&["verify", "--checkpoint", published, "--pubkey", &format!("{}.pub", other.display())]);
    assert_eq!(r.code, 1, "{}", r.golden());
    // A checkpoint edited after signing does not verify.
    let forged = env.file("forged.checkpoint", &note.replacen("\n6\n", "\n5\n", 1));
    let r = env.run(&["verify", "--checkpoint", forged.to_str().unwrap(), "--pubkey", &vkey]);
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(r.stderr.contains("signature"), "{}", r.golden());
    // The log rewritten from an early row, re-hashed: the chain holds, the checkpoint does not.
    minutes_tests::rewrite_log(
        &env.db(),
        "UPDATE events SET payload = replace(payload, '10 per night', '99 per night') WHERE seq = 4",
    );
    assert_eq!(env.run(&["verify"]).code, 0, "the chain alone cannot see it");
    let r = env.run(&["verify", "--checkpoint", published, "--pubkey", &vkey]);
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(r.stderr.contains("rewritten"), "{}", r.golden());
    // keygen never overwrites a key.
    let r = env.run(&["keygen", "x", "--out", key]);
    assert_eq!(r.code, 1, "{}", r.golden());
}
