//! Projections: pure folds over events. `apply` folds one event into state and cannot fail;
//! whether an event may be appended at all is decided before, in [`crate::rules`].

pub mod diff;
pub mod document;
pub mod meeting;
pub mod timeline;

use serde::Serialize;

use std::collections::{HashMap, HashSet};

use crate::event::{EventKind, Recorded};
use crate::id::EventId;
use crate::time::{Timestamp, Window};

/// A short reference to an event, as state and history print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRef {
    /// The event's id.
    pub id: EventId,
    /// Its type.
    #[serde(rename = "type")]
    pub type_name: &'static str,
    /// When it occurred.
    pub occurred: Window,
    /// Its place in the log.
    pub seq: u64,
}

impl EventRef {
    /// The reference to a recorded event.
    pub fn of(r: &Recorded) -> Self {
        Self::at(&r.event, r.seq)
    }

    /// The reference to an event recorded at `seq`.
    pub fn at(e: &crate::event::Event, seq: u64) -> Self {
        Self { id: e.id, type_name: e.type_name(), occurred: e.occurred, seq }
    }
}

/// Sorts events into replay order: by the start of their window (an open start first), then,
/// among events that share a start, in the order the record gives them (an event's `follows`
/// or `precedes`), then by `seq`.
pub fn replay_order(events: &mut [Recorded]) {
    replay_sort(events, |r| r);
}

/// Sorts `items` (events or references to them) into replay order, as [`replay_order`].
///
/// Events that share the start of their window form a group. In a group, an event whose
/// `follows` names another event of the group is placed right after it (after the events
/// placed there before it, by `seq`), one whose `precedes` names another right before it (in
/// the same way); every other event (no reference, a reference to an event outside the
/// group, or a loop of references) stands by its `seq`. The result is a total order that
/// depends only on the events, whatever order they come in.
pub fn replay_sort<T>(items: &mut [T], get: impl Fn(&T) -> &Recorded) {
    // Sorting positions instead of the items themselves: a recorded event is hundreds of bytes,
    // and a merge sort would move each of them many times.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| replay_cmp(get(&items[a]), get(&items[b])));
    if items.iter().any(|i| get(i).event.follows.is_some() || get(i).event.precedes.is_some()) {
        // The order within each group of events that share a start, computed group by group.
        let mut placed: Vec<usize> = Vec::with_capacity(order.len());
        let mut start = 0;
        while start < order.len() {
            let key = get(&items[order[start]]).event.occurred.sort_key();
            let mut end = start + 1;
            while end < order.len() && get(&items[order[end]]).event.occurred.sort_key() == key {
                end += 1;
            }
            let group: Vec<&Recorded> = order[start..end].iter().map(|&i| get(&items[i])).collect();
            placed.extend(group_order(&group).into_iter().map(|k| order[start + k]));
            start = end;
        }
        order = placed;
    }
    permute(items, &order);
}

/// Reorders `items` so that position `k` holds the item that was at `order[k]`.
fn permute<T>(items: &mut [T], order: &[usize]) {
    // Follow each cycle of the permutation with swaps.
    let mut done = vec![false; items.len()];
    for k in 0..items.len() {
        if done[k] {
            continue;
        }
        let mut cur = k;
        loop {
            done[cur] = true;
            let next = order[cur];
            if next == k {
                break;
            }
            items.swap(cur, next);
            cur = next;
        }
    }
}

/// The order of one group of events that share a start (already sorted by `seq`): indices into
/// `group`.
fn group_order(group: &[&Recorded]) -> Vec<usize> {
    let index: HashMap<EventId, usize> = group.iter().enumerate().map(|(i, r)| (r.event.id, i)).collect();
    let anchor = |i: usize| -> Option<(usize, bool)> {
        let e = &group[i].event;
        let (target, after) = match (e.follows, e.precedes) {
            (Some(f), _) => (f, true),
            (None, Some(p)) => (p, false),
            (None, None) => return None,
        };
        index.get(&target).copied().filter(|&t| t != i).map(|t| (t, after))
    };
    // A root stands by its seq: no anchor in the group, or on a loop of anchors.
    let on_loop = |i: usize| {
        let mut cur = i;
        for _ in 0..group.len() {
            match anchor(cur) {
                Some((t, _)) if t == i => return true,
                Some((t, _)) => cur = t,
                None => return false,
            }
        }
        false
    };
    let root: Vec<bool> = (0..group.len()).map(|i| anchor(i).is_none() || on_loop(i)).collect();
    let mut before: Vec<Vec<usize>> = vec![Vec::new(); group.len()];
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); group.len()];
    for (i, _) in root.iter().enumerate().filter(|(_, r)| !**r) {
        if let Some((t, is_after)) = anchor(i) {
            if is_after {
                after[t].push(i);
            } else {
                before[t].push(i);
            }
        }
    }
    fn emit(i: usize, before: &[Vec<usize>], after: &[Vec<usize>], out: &mut Vec<usize>) {
        for &b in &before[i] {
            emit(b, before, after, out);
        }
        out.push(i);
        for &a in &after[i] {
            emit(a, before, after, out);
        }
    }
    let mut out = Vec::with_capacity(group.len());
    for i in (0..group.len()).filter(|&i| root[i]) {
        emit(i, &before, &after, &mut out);
    }
    out
}

/// The replay order of two events as far as a comparison can tell: by the start of their
/// window (an open start first), then by `seq`. The order the record gives events that share a
/// start is applied by [`replay_sort`], which every replay uses.
pub fn replay_cmp(a: &Recorded, b: &Recorded) -> std::cmp::Ordering {
    a.event.occurred.sort_key().cmp(&b.event.occurred.sort_key()).then(a.seq.cmp(&b.seq))
}

/// The record as it stood: the events recorded by `as_recorded_at` (all of them when `None`),
/// less those a correction recorded by then withdrew. Corrections themselves stay, for replay
/// to show; the folds pass over them.
pub fn effective(events: &[Recorded], as_recorded_at: Option<&Timestamp>) -> Vec<Recorded> {
    effective_refs(events, as_recorded_at).into_iter().cloned().collect()
}

/// As [`effective`], borrowing the events instead of copying them.
pub fn effective_refs<'a>(events: &'a [Recorded], as_recorded_at: Option<&Timestamp>) -> Vec<&'a Recorded> {
    let known = |r: &Recorded| match (as_recorded_at, &r.event.recorded_at) {
        (Some(at), Some(rec)) => rec <= at,
        _ => true,
    };
    let corrected: HashSet<EventId> = events
        .iter()
        .filter(|r| known(r))
        .filter_map(|r| match &r.event.kind {
            EventKind::EventCorrected(c) => Some(c.corrects),
            _ => None,
        })
        .collect();
    events.iter().filter(|r| known(r) && !corrected.contains(&r.event.id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    /// An event at `seq` whose window starts at `from` (minutes past 09:00), with an order.
    fn ev(seq: u64, from: u32, follows: Option<u64>, precedes: Option<u64>) -> Recorded {
        let id = |n: u64| format!("0190f3a0-0000-7000-8000-{n:012}");
        let place = |k: &str, n: Option<u64>| n.map(|n| format!(r#""{k}":"{}","#, id(n))).unwrap_or_default();
        let json = format!(
            r#"{{"id":"{}","type":"MeetingOpened","v":1,"meeting":"m","document":null,{}{}"occurred":{{"from":"2030-01-01T09:{from:02}:00Z","to":"2030-01-01T10:00:00Z"}},"source":null,"data":{{}}}}"#,
            id(seq),
            place("follows", follows),
            place("precedes", precedes),
        );
        Recorded { seq, version: seq, hash: String::new(), event: Event::from_json(&json).unwrap() }
    }

    fn order(mut events: Vec<Recorded>) -> Vec<u64> {
        replay_order(&mut events);
        events.iter().map(|r| r.seq).collect()
    }

    #[test]
    fn follows_and_precedes_place_an_event_among_those_that_share_its_start() {
        // 4 follows 1, 5 precedes 2; 6 starts later and stays after the group.
        let evs = vec![
            ev(1, 0, None, None),
            ev(2, 0, None, None),
            ev(3, 0, None, None),
            ev(4, 0, Some(1), None),
            ev(5, 0, None, Some(2)),
            ev(6, 5, None, None),
        ];
        assert_eq!(order(evs.clone()), [1, 4, 5, 2, 3, 6]);
        // Whatever order they come in.
        assert_eq!(order(evs.into_iter().rev().collect()), [1, 4, 5, 2, 3, 6]);
        // A reference outside the group (another start) or to an absent event is ignored.
        assert_eq!(
            order(vec![
                ev(1, 0, None, None),
                ev(2, 0, None, None),
                ev(3, 5, None, Some(1)),
                ev(4, 0, Some(9), None)
            ]),
            [1, 2, 4, 3]
        );
        // A chain keeps its order; a loop of references stands by seq.
        assert_eq!(
            order(vec![
                ev(1, 0, None, None),
                ev(2, 0, None, None),
                ev(3, 0, Some(1), None),
                ev(4, 0, Some(3), None)
            ]),
            [1, 3, 4, 2]
        );
        assert_eq!(
            order(vec![ev(1, 0, None, None), ev(2, 0, Some(3), None), ev(3, 0, Some(2), None)]),
            [1, 2, 3]
        );
    }

    proptest::proptest! {
        /// Replay order depends only on the events: any arrangement of the same events (here
        /// starts among three moments, references to any of them) sorts to one order, and it
        /// sorts events with different starts by their start.
        #[test]
        fn the_order_depends_only_on_the_events(
            specs in proptest::collection::vec((0u32..3, proptest::option::of(1u64..12), proptest::bool::ANY), 1..12),
            turns in proptest::collection::vec(0usize..100, 0..20),
        ) {
            let evs: Vec<Recorded> = specs
                .iter()
                .enumerate()
                .map(|(k, &(from, r, after))| {
                    let (f, p) = if after { (r, None) } else { (None, r) };
                    ev(k as u64 + 1, from, f, p)
                })
                .collect();
            let mut shuffled = evs.clone();
            for t in &turns {
                let n = shuffled.len();
                shuffled.swap(t % n, (t / 7) % n);
            }
            let sorted = order(evs.clone());
            proptest::prop_assert_eq!(&sorted, &order(shuffled));
            let start = |seq: u64| evs[seq as usize - 1].event.occurred.sort_key();
            proptest::prop_assert!(sorted.windows(2).all(|w| start(w[0]) <= start(w[1])));
        }
    }
}
