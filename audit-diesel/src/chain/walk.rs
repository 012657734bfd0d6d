//! Walking chains in memory: what `verify` finds in one object's rows, the digest of the chain
//! heads, and the new links of a re-anchored chain. No SQL here.

use std::collections::{HashMap, HashSet};

use diesel::sql_types::{BigInt, Binary, Nullable, Text};
use diesel::QueryableByName;
use sha2::{Digest, Sha256};

use super::{Finding, FindingKind};
use crate::schema::{Dialect, HistoryTableSpec};

/// One history row as the chain sees it.
#[derive(Debug, Clone, QueryableByName)]
pub(crate) struct ChainRow {
    /// The object's key, encoded (rows of one object are consecutive).
    #[diesel(sql_type = Text)]
    pub object: String,
    #[diesel(sql_type = BigInt)]
    pub history_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub prev_id: Option<i64>,
    #[diesel(sql_type = Nullable<Binary>)]
    pub hash: Option<Vec<u8>>,
    /// The base encoding (every column but the chain's).
    #[diesel(sql_type = Text)]
    pub encoding: String,
}

impl ChainRow {
    /// The row's hash when it has one (an empty hash is the insert's marker, never a value).
    pub fn stored(&self) -> Option<&[u8]> {
        self.hash.as_deref().filter(|h| !h.is_empty())
    }
}

/// `sha256(prev || base encoding || prev-id part)`: a row's hash.
pub(crate) fn link(
    dialect: Dialect,
    prev_hash: &[u8],
    base: &str,
    prev_id: Option<i64>,
) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash);
    hasher.update(base.as_bytes());
    hasher.update(HistoryTableSpec::chain_prev_encoding(dialect, prev_id).as_bytes());
    hasher.finalize().to_vec()
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks one object's rows (in chain order) and appends what is wrong to `findings`.
///
/// - no hash: `Unchained`, or `Inserted` when the row after it links past it;
/// - a link to a row the table no longer has: `Deleted` (at the row after the gap);
/// - a link that skips rows: those rows are `Inserted`;
/// - a link to a later row, or a first row that is not first: `Reordered`;
/// - a hash that is not `sha256(hash of the row it links to || its encoding)`: `Edited`. The
///   check uses the stored hash of the row linked to, so an edit is reported at the edited row
///   alone.
pub(crate) fn check_object(dialect: Dialect, rows: &[ChainRow], findings: &mut Vec<Finding>) {
    let index: HashMap<i64, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.history_id, i))
        .collect();
    // One link finding per row at most: the first that explains it.
    let mut linked: Vec<Option<FindingKind>> = vec![None; rows.len()];
    let mut edited: HashSet<usize> = HashSet::new();
    for (k, row) in rows.iter().enumerate() {
        let Some(stored) = row.stored() else {
            if linked[k].is_none() {
                linked[k] = Some(FindingKind::Unchained);
            }
            continue;
        };
        let expected = k.checked_sub(1).map(|j| rows[j].history_id);
        if row.prev_id != expected {
            match row.prev_id.map(|p| (p, index.get(&p).copied())) {
                Some((missing, None)) => {
                    linked[k].get_or_insert(FindingKind::Deleted { missing });
                }
                Some((_, Some(j))) if j < k => {
                    // Rows between the one it links to and itself: not in the chain.
                    for slot in &mut linked[j + 1..k] {
                        if !matches!(slot, Some(FindingKind::Reordered { .. })) {
                            *slot = Some(FindingKind::Inserted);
                        }
                    }
                }
                Some((to, Some(_))) => {
                    linked[k].get_or_insert(FindingKind::Reordered { links_to: Some(to) });
                }
                None => {
                    // It says it is the object's first row: the rows before it are not in its
                    // chain, unless it was moved.
                    let first_is_linked =
                        rows[..k].iter().any(|r| r.prev_id == Some(row.history_id));
                    if first_is_linked {
                        linked[k].get_or_insert(FindingKind::Reordered { links_to: None });
                    } else {
                        for slot in &mut linked[..k] {
                            if !matches!(slot, Some(FindingKind::Reordered { .. })) {
                                *slot = Some(FindingKind::Inserted);
                            }
                        }
                    }
                }
            }
        }
        let prev_hash: Option<&[u8]> = match row.prev_id {
            None => Some(&[]),
            Some(p) => index.get(&p).map(|&j| rows[j].stored().unwrap_or(&[])),
        };
        if let Some(prev_hash) = prev_hash {
            if link(dialect, prev_hash, &row.encoding, row.prev_id) != stored {
                edited.insert(k);
            }
        }
    }
    for (k, row) in rows.iter().enumerate() {
        if edited.contains(&k) {
            findings.push(Finding {
                history_id: row.history_id,
                object: object_label(&row.object),
                kind: FindingKind::Edited,
            });
        }
        if let Some(kind) = linked[k].take() {
            findings.push(Finding {
                history_id: row.history_id,
                object: object_label(&row.object),
                kind,
            });
        }
    }
}

/// An encoded key as people read it: `id='7'` without the trailing comma.
pub(crate) fn object_label(encoded: &str) -> String {
    encoded.strip_suffix(',').unwrap_or(encoded).to_owned()
}

/// The heads of chains, folded into a digest: `sha256` over `"<id>:<hash hex>\n"` of each head,
/// in `history_id` order.
#[derive(Debug, Default)]
pub(crate) struct Heads {
    heads: Vec<(i64, Vec<u8>)>,
    pub rows: u64,
}

impl Heads {
    /// Counts one object's rows with id up to `cut` and keeps the last of them in chain order.
    pub fn add(&mut self, rows: &[ChainRow], cut: i64) {
        let kept = rows.iter().filter(|r| r.history_id <= cut);
        let mut head = None;
        for row in kept {
            self.rows = self.rows.saturating_add(1);
            head = Some(row);
        }
        if let Some(head) = head {
            self.heads
                .push((head.history_id, head.stored().unwrap_or(&[]).to_vec()));
        }
    }

    pub fn objects(&self) -> u64 {
        u64::try_from(self.heads.len()).unwrap_or(u64::MAX)
    }

    pub fn digest(&mut self) -> String {
        self.heads.sort_unstable_by_key(|(id, _)| *id);
        let mut hasher = Sha256::new();
        for (id, hash) in &self.heads {
            hasher.update(format!("{id}:{}\n", hex(hash)).as_bytes());
        }
        hex(&hasher.finalize())
    }
}

/// A row's new link after a re-anchoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Relink {
    pub history_id: i64,
    pub prev_id: Option<i64>,
    pub hash: Vec<u8>,
}

/// Why a chain cannot be re-anchored: its row `history_id` does not match its hash, so that
/// re-hashing would hide an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Broken {
    pub history_id: i64,
}

/// A row a maintenance operation removed: its hash and its link, from `DELETE ... RETURNING`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gone {
    pub hash: Vec<u8>,
    pub prev_id: Option<i64>,
}

/// The new links of one object's rows (in chain order) from row `from` on: each row links to
/// the row before it and is hashed again. With `seal`, rows without a hash get one (the rows
/// written before the chain); otherwise they stay as they are.
///
/// Before anything changes, each chained row from `from` on must be where its chain says and
/// match its stored hash: its link, followed through the rows the operation removed (`gone`),
/// must reach the row before it now, and its hash must be that of its content after the hash
/// of the row it links to. A row that fails is [`Broken`], and nothing is re-hashed: re-hashing
/// would hide an edit, a deletion or an insertion made outside the library. `trust` names a row
/// whose content the operation itself just changed (a reason edit): its hash is not checked,
/// its place is.
pub(crate) fn relink(
    dialect: Dialect,
    rows: &[ChainRow],
    from: usize,
    gone: &HashMap<i64, Gone>,
    trust: Option<i64>,
    seal: bool,
) -> Result<Vec<Relink>, Broken> {
    let index: HashMap<i64, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.history_id, i))
        .collect();
    for (k, row) in rows.iter().enumerate().skip(from) {
        let Some(stored) = row.stored() else { continue };
        let broken = Broken {
            history_id: row.history_id,
        };
        // Where its link leads once the removed rows are skipped (at most one step per row
        // removed: a cycle of links is broken too).
        let before = k.checked_sub(1).map(|j| rows[j].history_id);
        let mut reached = row.prev_id;
        let mut steps = 0usize;
        while let Some(g) = reached.and_then(|p| gone.get(&p)) {
            steps = steps.saturating_add(1);
            if steps > gone.len() {
                return Err(broken);
            }
            if g.hash.is_empty() {
                // A removed row from before the chain: it kept no link to follow, and proves
                // nothing either way.
                reached = before;
                break;
            }
            reached = g.prev_id;
        }
        if reached != before {
            return Err(broken);
        }
        if Some(row.history_id) == trust {
            continue;
        }
        let prev_hash: Option<&[u8]> = match row.prev_id {
            None => Some(&[]),
            Some(p) => match index.get(&p) {
                Some(&j) => Some(rows[j].stored().unwrap_or(&[])),
                None => gone.get(&p).map(|g| g.hash.as_slice()),
            },
        };
        let matches =
            prev_hash.is_some_and(|prev| link(dialect, prev, &row.encoding, row.prev_id) == stored);
        if !matches {
            return Err(broken);
        }
    }
    let mut out = Vec::new();
    let mut prev: Option<(i64, Vec<u8>)> = from
        .checked_sub(1)
        .map(|j| (rows[j].history_id, rows[j].stored().unwrap_or(&[]).to_vec()));
    for row in rows.iter().skip(from) {
        let unchained = row.stored().is_none();
        if unchained && !seal {
            prev = Some((row.history_id, Vec::new()));
            continue;
        }
        let prev_id = prev.as_ref().map(|(id, _)| *id);
        let prev_hash = prev.as_ref().map_or(&[][..], |(_, h)| h.as_slice());
        let hash = link(dialect, prev_hash, &row.encoding, prev_id);
        if row.prev_id != prev_id || row.stored() != Some(hash.as_slice()) {
            out.push(Relink {
                history_id: row.history_id,
                prev_id,
                hash: hash.clone(),
            });
        }
        prev = Some((row.history_id, hash));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Dialect = Dialect::Sqlite;

    /// A well-formed chain of `n` rows with ids 1..=n.
    fn chain(n: i64) -> Vec<ChainRow> {
        let mut rows: Vec<ChainRow> = Vec::new();
        for id in 1..=n {
            let prev = rows
                .last()
                .map(|r: &ChainRow| (r.history_id, r.hash.clone().unwrap()));
            let encoding = format!("history_id={id},reason='r{id}',");
            let prev_id = prev.as_ref().map(|p| p.0);
            let hash = link(
                D,
                prev.as_ref().map_or(&[][..], |p| &p.1),
                &encoding,
                prev_id,
            );
            rows.push(ChainRow {
                object: "id=1,".into(),
                history_id: id,
                prev_id,
                hash: Some(hash),
                encoding,
            });
        }
        rows
    }

    fn found(rows: &[ChainRow]) -> Vec<(i64, FindingKind)> {
        let mut findings = Vec::new();
        check_object(D, rows, &mut findings);
        findings
            .into_iter()
            .map(|f| (f.history_id, f.kind))
            .collect()
    }

    #[test]
    fn a_clean_chain_has_no_finding() {
        assert!(found(&chain(5)).is_empty());
    }

    #[test]
    fn each_forgery_is_named_by_history_id() {
        let mut edited = chain(4);
        edited[1].encoding = "history_id=2,reason='forged',".into();
        assert_eq!(found(&edited), [(2, FindingKind::Edited)]);

        let mut deleted = chain(4);
        deleted.remove(2);
        assert_eq!(found(&deleted), [(4, FindingKind::Deleted { missing: 3 })]);

        let mut inserted = chain(3);
        inserted.insert(
            1,
            ChainRow {
                object: "id=1,".into(),
                history_id: 9,
                prev_id: None,
                hash: None,
                encoding: "history_id=9,".into(),
            },
        );
        assert_eq!(found(&inserted), [(9, FindingKind::Inserted)]);

        let mut reordered = chain(3);
        reordered.swap(1, 2);
        let kinds = found(&reordered);
        assert!(
            kinds.contains(&(3, FindingKind::Reordered { links_to: Some(2) })),
            "{kinds:?}"
        );
    }

    #[test]
    fn relinking_after_a_removal_checks_then_rehashes() {
        let mut rows = chain(4);
        let gone: HashMap<i64, Gone> = [(
            2,
            Gone {
                hash: rows[1].hash.clone().unwrap(),
                prev_id: Some(1),
            },
        )]
        .into();
        rows.remove(1);
        let links = relink(D, &rows, 1, &gone, None, false).unwrap();
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].prev_id, Some(1));
        for l in &links {
            let row = rows
                .iter_mut()
                .find(|r| r.history_id == l.history_id)
                .unwrap();
            row.prev_id = l.prev_id;
            row.hash = Some(l.hash.clone());
        }
        assert!(found(&rows).is_empty());

        // An edit already there is not hidden.
        let mut tampered = chain(4);
        tampered[3].encoding = "history_id=4,reason='forged',".into();
        let gone: HashMap<i64, Gone> = [(
            2,
            Gone {
                hash: tampered[1].hash.clone().unwrap(),
                prev_id: Some(1),
            },
        )]
        .into();
        tampered.remove(1);
        assert_eq!(
            relink(D, &tampered, 1, &gone, None, false),
            Err(Broken { history_id: 4 })
        );

        // A deletion made outside the library before the cleanup is not hidden either: row 2
        // was deleted by hand, the cleanup removes row 3, and row 4 does not lead back to 1.
        let mut rows = chain(4);
        let gone: HashMap<i64, Gone> = [(
            3,
            Gone {
                hash: rows[2].hash.clone().unwrap(),
                prev_id: Some(2),
            },
        )]
        .into();
        rows.remove(2);
        rows.remove(1);
        assert_eq!(
            relink(D, &rows, 1, &gone, None, false),
            Err(Broken { history_id: 4 })
        );

        // A removed row from before the chain (no hash, no link) is no reason to refuse.
        let mut rows = chain(3);
        rows[0].hash = None;
        rows[0].prev_id = None;
        rows[1].hash = None;
        rows[1].prev_id = None;
        rows[2].hash = Some(link(D, &[], &rows[2].encoding, Some(2)));
        let gone: HashMap<i64, Gone> = [(
            2,
            Gone {
                hash: Vec::new(),
                prev_id: None,
            },
        )]
        .into();
        rows.remove(1);
        let links = relink(D, &rows, 1, &gone, None, false).unwrap();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].prev_id, Some(1));

        // Nor an insertion: a row linked in after row 1, with a valid hash.
        let mut rows = chain(3);
        let forged_hash = link(
            D,
            rows[0].hash.as_deref().unwrap(),
            "history_id=9,",
            Some(1),
        );
        rows.insert(
            1,
            ChainRow {
                object: "id=1,".into(),
                history_id: 9,
                prev_id: Some(1),
                hash: Some(forged_hash),
                encoding: "history_id=9,".into(),
            },
        );
        assert_eq!(
            relink(D, &rows, 0, &HashMap::new(), None, false),
            Err(Broken { history_id: 2 })
        );
    }
}
