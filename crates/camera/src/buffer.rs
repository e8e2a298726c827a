//! Bounded per-group ring buffers of regions. Pushing past capacity drops the oldest region,
//! so memory stays at `groups × capacity × region bytes` however fast feeds arrive.
//! The lock is held only to push or copy one region, never across I/O.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::regions::Region;

/// One group's regions and whether they may be credited.
#[derive(Debug, Default)]
struct Ring {
    public: VecDeque<Region>,
    private: VecDeque<Region>,
}

/// Regions per group, public and private kept apart so credited samples only ever come from
/// private feeds.
#[derive(Debug)]
pub struct GroupBuffers {
    capacity: usize,
    rings: Mutex<BTreeMap<String, Ring>>,
    cursor: AtomicUsize,
}

impl GroupBuffers {
    /// Empty buffers for `groups`, `capacity` regions each.
    pub fn new(groups: &[String], capacity: usize) -> Self {
        let rings = groups
            .iter()
            .map(|g| (g.clone(), Ring::default()))
            .collect();
        GroupBuffers {
            capacity: capacity.max(1),
            rings: Mutex::new(rings),
            cursor: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Ring>> {
        self.rings.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds regions to `group`, dropping the oldest beyond capacity (the public and private
    /// rings share the group's capacity).
    pub fn push(&self, group: &str, regions: Vec<Region>, private: bool) {
        let mut rings = self.lock();
        let ring = rings.entry(group.to_string()).or_default();
        for region in regions {
            let queue = if private {
                &mut ring.private
            } else {
                &mut ring.public
            };
            queue.push_back(region);
            while ring.public.len() + ring.private.len() > self.capacity {
                // Drop from whichever ring holds more, oldest first.
                if ring.public.len() >= ring.private.len() {
                    ring.public.pop_front();
                } else {
                    ring.private.pop_front();
                }
            }
        }
    }

    /// One region from every group that has any (public or private), in group order,
    /// rotating through each buffer so consecutive calls use different regions.
    pub fn one_per_group(&self) -> Vec<Region> {
        self.pick(true)
    }

    /// One *public* region from every group that has any, rotating like
    /// [`one_per_group`](Self::one_per_group). Private regions are left alone: they are kept
    /// for credit, and a region mixed in uncredited must not be credited later.
    pub fn one_public_per_group(&self) -> Vec<Region> {
        self.pick(false)
    }

    /// The newest `per_group` *public* regions of every group, newest first, without moving
    /// the rotation; for display (a private feed's regions are never shown: they are kept
    /// for credit, and what is shown is no longer secret).
    pub fn newest_public(&self, per_group: usize) -> BTreeMap<String, Vec<Region>> {
        self.lock()
            .iter()
            .map(|(group, ring)| {
                let newest = ring.public.iter().rev().take(per_group).cloned().collect();
                (group.clone(), newest)
            })
            .collect()
    }

    fn pick(&self, with_private: bool) -> Vec<Region> {
        let turn = self.cursor.fetch_add(1, Ordering::Relaxed);
        let rings = self.lock();
        rings
            .values()
            .filter_map(|ring| {
                let private = if with_private { ring.private.len() } else { 0 };
                let len = ring.public.len() + private;
                (len > 0).then(|| {
                    let i = turn % len;
                    if i < private {
                        ring.private[i].clone()
                    } else {
                        ring.public[i - private].clone()
                    }
                })
            })
            .collect()
    }

    /// Removes and returns up to `max` private regions, oldest first across groups: the
    /// samples a creditable camera source hands to the health tests and the assessment.
    pub fn take_private(&self, max: usize) -> Vec<Region> {
        let mut rings = self.lock();
        let mut out = Vec::new();
        for ring in rings.values_mut() {
            while out.len() < max {
                match ring.private.pop_front() {
                    Some(r) => out.push(r),
                    None => break,
                }
            }
        }
        out
    }

    /// Removes and returns exactly `count` private regions (group by group, oldest first in
    /// each), or none at all, leaving the buffers untouched, when fewer are held. Taking
    /// all-or-nothing under one lock means a short buffer never wastes the regions it has.
    pub fn take_private_exact(&self, count: usize) -> Vec<Region> {
        let mut rings = self.lock();
        if rings.values().map(|r| r.private.len()).sum::<usize>() < count {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(count);
        for ring in rings.values_mut() {
            let k = (count - out.len()).min(ring.private.len());
            out.extend(ring.private.drain(..k));
        }
        out
    }

    /// Regions held per group.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        self.lock()
            .iter()
            .map(|(g, r)| (g.clone(), r.public.len() + r.private.len()))
            .collect()
    }

    /// Bytes in one region (0 before any region arrived).
    pub fn region_bytes(&self) -> usize {
        self.lock()
            .values()
            .find_map(|r| r.private.front().or(r.public.front()))
            .map_or(0, |r| r.rgb.len())
    }

    /// Regions held in all groups.
    pub fn total(&self) -> usize {
        self.counts().values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(tag: u8) -> Region {
        Region { rgb: vec![tag; 12] }
    }

    #[test]
    fn each_group_is_bounded_and_drops_the_oldest() {
        let b = GroupBuffers::new(&["europe".into(), "asia".into()], 3);
        b.push("europe", (0..5).map(region).collect(), false);
        b.push("asia", vec![region(9)], false);
        assert_eq!(b.counts()["europe"], 3);
        assert_eq!(b.total(), 4);
        // Oldest (0, 1) dropped: rotating picks see 2, 3, 4.
        let seen: Vec<u8> = (0..3).map(|_| b.one_per_group()[1].rgb[0]).collect();
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(sorted, [2, 3, 4], "{seen:?}");
    }

    #[test]
    fn only_private_regions_are_taken_for_credit() {
        let b = GroupBuffers::new(&["x".into()], 10);
        b.push("x", vec![region(1), region(2)], false);
        b.push("x", vec![region(3)], true);
        let taken = b.take_private(10);
        assert_eq!(taken, vec![region(3)]);
        assert!(b.take_private(10).is_empty());
        assert_eq!(b.total(), 2);
    }

    #[test]
    fn exact_takes_are_all_or_nothing_and_public_picks_skip_private() {
        let b = GroupBuffers::new(&["x".into(), "y".into()], 10);
        b.push("x", vec![region(1)], true);
        b.push("y", vec![region(2)], true);
        b.push("y", vec![region(3)], false);
        assert!(
            b.take_private_exact(3).is_empty(),
            "only two private regions"
        );
        assert_eq!(b.total(), 3, "a failed take consumes nothing");
        for _ in 0..4 {
            assert_eq!(b.one_public_per_group(), vec![region(3)]);
        }
        assert_eq!(b.take_private_exact(2), vec![region(1), region(2)]);
        assert_eq!(b.total(), 1);
    }
}
