//! Work shared by two connections that read the same state: the commands that read a whole
//! year (`verify`, `check`, a month's `reconcile`, the first pass of a long 明细账 or 序时账
//! table, the server's 明细账 page counting its months) cut it into pieces, and a second
//! connection takes pieces alongside the first (`turns`), so both cores are busy: SQLite's
//! reading and decoding, not the disk, is what those commands wait for.

use super::{Result, Session};
use crate::store::Reader;
use std::ops::RangeInclusive;

/// Does `work` on every piece, shared by two connections that read the same state: `reader`
/// and a second one that must see the same record-log head as `log_seq` (`reader`'s snapshot).
/// They take turns (`turns::Turns`); the results come back in the pieces' order. A failure on
/// either stops the other after its current piece. If a write landed between the two
/// snapshots, the second connection takes nothing and `reader` does it all.
pub(super) fn in_two<P: Sync, T: Send>(
    session: &Session,
    reader: &Reader<'_>,
    log_seq: i64,
    pieces: &[P],
    work: impl Fn(&Reader<'_>, &P) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    // Access was checked when `reader` was opened; this is a second connection for the same user.
    let other = session.read()?;
    let turns = crate::turns::Turns::new(pieces);
    let turns = &turns;
    let work = &work;
    let (mine, theirs) = std::thread::scope(|scope| {
        let theirs = scope.spawn(move || -> Result<Vec<(usize, T)>> {
            let reader = other.reader();
            let snapshot = reader.snapshot()?;
            if snapshot.log_seq != log_seq {
                return Ok(Vec::new());
            }
            turns.take(|piece| work(&reader, piece))
        });
        let mine = turns.take(|piece| work(reader, piece));
        (mine, theirs.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let done = crate::turns::in_order(mine?, theirs?);
    debug_assert_eq!(done.len(), pieces.len(), "every piece done once");
    Ok(done)
}

/// `range` cut into at most `count` consecutive pieces of (nearly) equal length that cover it
/// exactly. In 128 bits: the bounds are whatever ids the table holds, and an id written behind
/// the engine's back may be anything an `i64` holds.
pub(super) fn cut(range: RangeInclusive<i64>, count: i64) -> Vec<RangeInclusive<i64>> {
    let (first, last) = (i128::from(*range.start()), i128::from(*range.end()));
    if last < first {
        return vec![range];
    }
    let length = last - first + 1;
    let count = i128::from(count).clamp(1, length);
    // Every bound lies between `first` and `last`, so it fits back into an i64.
    let bound = |at: i128| i64::try_from(at).expect("a bound within the range");
    (0..count).map(|k| bound(first + length * k / count)..=bound(first + length * (k + 1) / count - 1)).collect()
}

#[cfg(test)]
mod tests {
    use super::cut;

    /// The pieces follow one another and cover the range exactly, whatever its bounds.
    #[test]
    fn pieces_cover_any_range_exactly() {
        for (first, last, count) in [
            (1, 1_000_000, 16),
            (5, 7, 16),
            (0, 0, 16),
            (-3, 3, 4),
            (i64::MIN, i64::MAX, 16),
            (1, i64::MAX, 8),
            (i64::MAX - 2, i64::MAX, 16),
        ] {
            let pieces = cut(first..=last, count);
            assert!(!pieces.is_empty() && pieces.len() as i64 <= count);
            assert_eq!(*pieces[0].start(), first);
            assert_eq!(*pieces[pieces.len() - 1].end(), last);
            for pair in pieces.windows(2) {
                assert!(pair[0].start() <= pair[0].end(), "{pieces:?}");
                assert_eq!(i128::from(*pair[0].end()) + 1, i128::from(*pair[1].start()), "{pieces:?}");
            }
        }
        assert_eq!(cut(1..=1_000_000, 16)[0], 1..=62_500);
        // An empty range (a log with no entries: 1..=0) is one empty piece.
        let (start, end) = (1, 0);
        assert_eq!(cut(start..=end, 8), vec![start..=end]);
    }
}
