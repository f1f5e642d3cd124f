//! The log is an RFC 9162 Merkle tree: the proofs `minutes` prints check with an independent
//! RFC 9162 verifier, written here from the RFC's algorithms (2.1.3.2 verifying an inclusion
//! proof, 2.1.4.2 verifying consistency) and the documented leaf bytes, never calling the code
//! that made the proofs: through the library and through the binary's JSON, on every size of a
//! 70-event log; a log rewritten behind the triggers' back no longer proves consistent with a
//! root taken before; and the known answers of the empty and the one-leaf tree hold.

use minutes_store::Store;
use minutes_tests::TestEnv;
use serde_json::Value;
use sha2::{Digest, Sha256};

type Hash = [u8; 32];

// ---- The independent verifier (RFC 9162 section 2.1) ----

fn sha(parts: &[&[u8]]) -> Hash {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn leaf(bytes: &[u8]) -> Hash {
    sha(&[&[0], bytes])
}

fn node(l: &Hash, r: &Hash) -> Hash {
    sha(&[&[1], l, r])
}

/// MTH (2.1.1), from the definition.
fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => sha(&[]),
        1 => d[0],
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node(&mth(&d[..k]), &mth(&d[k..]))
        }
    }
}

/// 2.1.3.2: verifying an inclusion proof.
fn verify_inclusion(leaf_index: u64, tree_size: u64, hash: Hash, path: &[Hash], root: Hash) -> bool {
    if leaf_index >= tree_size {
        return false;
    }
    let (mut f, mut s) = (leaf_index, tree_size - 1);
    let mut r = hash;
    for p in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == root
}

/// 2.1.4.2: verifying consistency between `first` and `second` (first < second); equal sizes
/// are consistent with the empty proof when the roots are equal.
fn verify_consistency(first: u64, second: u64, first_hash: Hash, second_hash: Hash, path: &[Hash]) -> bool {
    if first == second {
        return path.is_empty() && first_hash == second_hash;
    }
    if first == 0 || first > second || path.is_empty() {
        return false;
    }
    let mut path = path.to_vec();
    if first.is_power_of_two() {
        path.insert(0, first_hash);
    }
    let (mut f, mut s) = (first - 1, second - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node(c, &fr);
            sr = node(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == first_hash && sr == second_hash && s == 0
}

fn unhex(s: &str) -> Hash {
    assert_eq!(s.len(), 64, "a hash is 64 hex digits: {s}");
    let mut h = [0; 32];
    for (i, b) in h.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    h
}

fn hexes(v: &Value) -> Vec<Hash> {
    v.as_array().unwrap().iter().map(|h| unhex(h.as_str().unwrap())).collect()
}

/// The leaf hashes recomputed from the SQLite file with plain SQL and the documented leaf
/// bytes: `seq \n stream \n version \n payload`.
fn leaves_of(db: &std::path::Path) -> Vec<Hash> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut stmt = c.prepare("SELECT seq, stream, version, payload FROM events ORDER BY seq").unwrap();
    stmt.query_map([], |r| {
        let (seq, stream, version, payload): (i64, String, i64, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        Ok(leaf(format!("{seq}\n{stream}\n{version}\n{payload}").as_bytes()))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

// ---- Logs ----

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn id(k: usize) -> String {
    format!("00000000-0000-4000-8000-{k:012}")
}

/// `n` events as JSON lines: a meeting, a document, statements about it.
fn events(n: usize) -> Vec<String> {
    (1..=n)
        .map(|k| {
            let body = match k {
                1 => r#""type": "MeetingDeclared", "v": 1, "meeting": "w", "document": null, "occurred": {"from": "2030-01-01T09:00:00Z", "to": "2030-01-01T09:00:00Z"}, "phase": "preparatory", "source": null, "data": {"title": "W", "venue": "V", "time_zone": "UTC", "first_day": "2030-03-02", "last_day": "2030-03-02", "bodies": [{"id": "plenary", "name": "Plenary"}]}"#.to_string(),
                2 => r#""type": "DocumentTabled", "v": 1, "meeting": "w", "document": "w/a", "occurred": {"from": "2030-03-02T10:00:00Z", "to": "2030-03-02T10:00:00Z"}, "source": null, "data": {"kind": "draft", "title": "T", "text": null}"#.to_string(),
                _ => format!(r#""type": "StatementMade", "v": 1, "meeting": "w", "document": "w/a", "occurred": {{"from": "2030-03-02T11:00:00Z", "to": "2030-03-02T11:00:00Z"}}, "source": null, "data": {{"stance": "support", "summary": "statement {k}"}}"#),
            };
            format!(r#"{{"id": "{}", {body}}}"#, id(k))
        })
        .collect()
}

const N: usize = 70;

#[test]
fn library_proofs_check_with_an_independent_verifier_at_every_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let mut store = Store::create(&path).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").unwrap();
    let evs: Vec<_> = events(N).iter().map(|l| minutes_core::event::Event::from_json(l).unwrap()).collect();
    store.append(&evs, None, now).unwrap();
    let leaves = leaves_of(&path);
    assert_eq!(leaves.len(), N);
    // verify's root is the tree head of the whole log.
    let report = store.verify(None).unwrap();
    assert_eq!((report.size, unhex(&report.root)), (N as u64, mth(&leaves)));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for n in 1..=N {
        let root = mth(&leaves[..n]);
        for m in 0..n {
            let ev = evs[m].id;
            let p = store.inclusion_proof(&ev, Some(n as u64)).unwrap().unwrap();
            assert_eq!((p.index, p.size), (m as u64, n as u64));
            assert_eq!(leaf(p.leaf.as_bytes()), leaves[m], "the leaf bytes are the documented ones");
            assert!(verify_inclusion(m as u64, n as u64, p.leaf_hash, &p.path, root), "leaf {m} of {n}");
            // A proof of one leaf does not pass for another, nor under another size's root.
            if n > 1 {
                let other = (m + 1 + rng.below(n as u64 - 1) as usize) % n;
                assert!(!verify_inclusion(m as u64, n as u64, leaves[other], &p.path, root));
            }
        }
        for m in 1..=n {
            let c = store.consistency_proof(m as u64, Some(n as u64)).unwrap().unwrap();
            assert_eq!((c.from_root, c.root), (mth(&leaves[..m]), root));
            assert!(verify_consistency(m as u64, n as u64, c.from_root, root, &c.proof), "{m} -> {n}");
            if m < n && m > 1 {
                assert!(!verify_consistency(m as u64, n as u64, mth(&leaves[..m - 1]), root, &c.proof));
            }
        }
    }
    // Out of range: refused, not answered.
    assert!(store.inclusion_proof(&evs[10].id, Some(10)).unwrap().is_err());
    assert!(store.inclusion_proof(&evs[0].id, Some(N as u64 + 1)).unwrap().is_err());
    assert!(store.consistency_proof(0, None).unwrap().is_err());
    assert!(store.consistency_proof(5, Some(4)).unwrap().is_err());
}

/// A store of the first `n` events, each batch imported on its own, and the tree head that
/// `verify --json` printed after each batch (size -> root).
fn grown(cuts: &[usize]) -> (TestEnv, Vec<(u64, Hash)>) {
    let env = TestEnv::new();
    env.ok(&["init", "--empty"]);
    let all = events(*cuts.last().unwrap());
    let mut heads = Vec::new();
    let mut done = 0;
    for (i, &cut) in cuts.iter().enumerate() {
        let file = env.file(&format!("batch-{i}.jsonl"), &(all[done..cut].join("\n") + "\n"));
        env.ok(&["import", &file.display().to_string()]);
        done = cut;
        let v = env.ok(&["verify", "--json"]).json();
        assert_eq!(v["size"], cut as u64);
        heads.push((cut as u64, unhex(v["root"].as_str().unwrap())));
    }
    (env, heads)
}

#[test]
fn the_binarys_proofs_check_against_the_roots_verify_printed_then() {
    let mut rng = Rng(42);
    let mut cuts: Vec<usize> = (0..8).map(|_| 1 + rng.below(N as u64) as usize).collect();
    cuts.extend([1, 2, N]);
    cuts.sort();
    cuts.dedup();
    let (env, heads) = grown(&cuts);
    let leaves = leaves_of(&env.db());
    for &(size, root) in &heads {
        assert_eq!(root, mth(&leaves[..size as usize]), "verify's root at {size} is the RFC 9162 root");
    }
    for _ in 0..40 {
        let (a, b) = (rng.below(heads.len() as u64) as usize, rng.below(heads.len() as u64) as usize);
        let ((m, m_root), (n, n_root)) = (heads[a.min(b)], heads[a.max(b)]);
        let c = env
            .ok(&["proof", "consistency", "--from", &m.to_string(), "--size", &n.to_string(), "--json"])
            .json();
        assert_eq!((c["from"].as_u64(), c["size"].as_u64()), (Some(m), Some(n)));
        assert_eq!(
            (unhex(c["from_root"].as_str().unwrap()), unhex(c["root"].as_str().unwrap())),
            (m_root, n_root)
        );
        assert!(verify_consistency(m, n, m_root, n_root, &hexes(&c["proof"])), "{m} -> {n}");
        let k = rng.below(n) as usize;
        let p = env.ok(&["proof", "inclusion", &id(k + 1), "--size", &n.to_string(), "--json"]).json();
        assert_eq!(
            (p["index"].as_u64(), p["size"].as_u64(), p["seq"].as_u64()),
            (Some(k as u64), Some(n), Some(k as u64 + 1))
        );
        let leaf_bytes = p["leaf"].as_str().unwrap();
        assert!(leaf_bytes.contains(&id(k + 1)), "the leaf shows what the event says: {leaf_bytes}");
        assert_eq!(unhex(p["leaf_hash"].as_str().unwrap()), leaf(leaf_bytes.as_bytes()));
        assert!(verify_inclusion(k as u64, n, leaf(leaf_bytes.as_bytes()), &hexes(&p["path"]), n_root));
    }
    // The default size is the whole log.
    let p = env.ok(&["proof", "inclusion", &id(3), "--json"]).json();
    assert_eq!(p["size"], N as u64);
    let c = env.ok(&["proof", "consistency", "--from", "7", "--json"]).json();
    assert_eq!(unhex(c["root"].as_str().unwrap()), heads.last().unwrap().1);
}

#[test]
fn proofs_outside_the_log_are_refused() {
    let (env, _) = grown(&[5]);
    for (args, code) in [
        (vec!["proof", "inclusion", "00000000-0000-4000-8000-999999999999", "--json"], 1),
        (vec!["proof", "inclusion", "not-a-uuid", "--json"], 1),
        (vec!["proof", "inclusion", &id(5), "--size", "4", "--json"], 1),
        (vec!["proof", "inclusion", &id(1), "--size", "6", "--json"], 1),
        (vec!["proof", "consistency", "--from", "0", "--json"], 1),
        (vec!["proof", "consistency", "--from", "3", "--size", "2", "--json"], 1),
        (vec!["proof", "consistency", "--from", "3", "--size", "6", "--json"], 1),
        (vec!["proof", "consistency", "--from", "-1", "--json"], 2),
        (vec!["proof", "consistency", "--json"], 2),
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, code, "{args:?}: {}", r.golden());
        assert!(r.stdout.is_empty() && r.stderr.starts_with("minutes: ") || code == 2, "{}", r.golden());
    }
    // Without a store, the bundled record is proved like any log.
    let bare = TestEnv::new();
    let v = bare.run_default(&["verify", "--json"]).json();
    let c = bare.run_default(&["proof", "consistency", "--from", "1", "--json"]).json();
    assert_eq!((c["size"].clone(), c["root"].clone()), (v["size"].clone(), v["root"].clone()));
}

#[test]
fn a_proof_from_before_a_rewrite_fails_against_the_old_root() {
    let (env, heads) = grown(&[12, 20]);
    let (old_size, old_root) = heads[0];
    // Forge: change row 5's payload and re-hash the chain from it on, triggers dropped.
    minutes_tests::rewrite_log(
        &env.db(),
        "UPDATE events SET payload = replace(payload, 'statement 5', 'statement V') WHERE seq = 5",
    );
    // The chain holds: verify alone cannot tell; its root has changed.
    let v = env.ok(&["verify", "--json"]).json();
    assert_ne!(unhex(v["root"].as_str().unwrap()), heads[1].1);
    let new_root = unhex(v["root"].as_str().unwrap());
    let c = env.ok(&["proof", "consistency", "--from", &old_size.to_string(), "--json"]).json();
    assert!(!verify_consistency(old_size, 20, old_root, new_root, &hexes(&c["proof"])));
    let p = env.ok(&["proof", "inclusion", &id(3), "--size", &old_size.to_string(), "--json"]).json();
    let lh = unhex(p["leaf_hash"].as_str().unwrap());
    assert!(!verify_inclusion(2, old_size, lh, &hexes(&p["path"]), old_root));
}

#[test]
fn known_answers_the_empty_root_and_a_one_leaf_root() {
    let env = TestEnv::new();
    env.ok(&["init", "--empty"]);
    let v = env.ok(&["verify", "--json"]).json();
    assert_eq!(v["size"], 0);
    assert_eq!(v["root"], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    let (env, heads) = grown(&[1]);
    let leaves = leaves_of(&env.db());
    let c = rusqlite::Connection::open(env.db()).unwrap();
    let payload: String = c.query_row("SELECT payload FROM events WHERE seq = 1", [], |r| r.get(0)).unwrap();
    let want = sha(&[&[0], format!("1\nw\n1\n{payload}").as_bytes()]);
    assert_eq!((heads[0].1, leaves[0]), (want, want));
}
