//! Jobs shared by two threads taking turns: each takes the next job not yet taken until none is
//! left, so both stay busy to the end whatever each job costs, and the results come back in the
//! jobs' order. The machine a city runs on has two cores; the commands that read a whole year
//! (`verify`, `check`, a month's `reconcile`, whose checks also run this way, the long tables'
//! first pass; see `app::in_two`) use both.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The jobs, and which is next to be taken.
pub struct Turns<'j, J> {
    jobs: &'j [J],
    next: AtomicUsize,
}

impl<'j, J> Turns<'j, J> {
    pub fn new(jobs: &'j [J]) -> Turns<'j, J> {
        Turns { jobs, next: AtomicUsize::new(0) }
    }

    /// Takes the next job not yet taken and does it, until none is left: what this taker did,
    /// each with its job's index. A failure ends the turns: the other taker stops after the job
    /// it is doing.
    pub fn take<T, E>(&self, mut work: impl FnMut(&J) -> Result<T, E>) -> Result<Vec<(usize, T)>, E> {
        let mut done = Vec::new();
        loop {
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = self.jobs.get(index) else { return Ok(done) };
            match work(job) {
                Ok(result) => done.push((index, result)),
                Err(e) => {
                    self.next.store(self.jobs.len(), Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
    }
}

/// What two takers did, in the jobs' order.
pub fn in_order<T>(mut mine: Vec<(usize, T)>, theirs: Vec<(usize, T)>) -> Vec<T> {
    mine.extend(theirs);
    mine.sort_by_key(|(index, _)| *index);
    mine.into_iter().map(|(_, result)| result).collect()
}

/// `work` done on every job by this thread and a second one taking turns, the results in the
/// jobs' order.
pub fn in_parallel<J: Sync, T: Send>(jobs: &[J], work: impl Fn(&J) -> T + Sync) -> Vec<T> {
    let turns = Turns::new(jobs);
    let take = || turns.take(|job| Ok::<T, std::convert::Infallible>(work(job)));
    let (mine, theirs) = std::thread::scope(|scope| {
        let theirs = scope.spawn(take);
        let mine = take();
        (mine, theirs.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let (Ok(mine), Ok(theirs)) = (mine, theirs);
    in_order(mine, theirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The jobs come back in their order, each done once — also when the first jobs take
    /// longest (the other thread then does most of the rest).
    #[test]
    fn jobs_done_in_parallel_come_back_in_their_order() {
        let jobs: Vec<u64> = (0..40).collect();
        let done = AtomicUsize::new(0);
        let results = in_parallel(&jobs, |job| {
            if *job < 3 {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            done.fetch_add(1, Ordering::Relaxed);
            job * 10
        });
        assert_eq!(results, (0..40).map(|job| job * 10).collect::<Vec<_>>());
        assert_eq!(done.load(Ordering::Relaxed), 40);
        assert!(in_parallel(&[] as &[u64], |job| *job).is_empty());
    }

    /// A failure ends the turns: no job is taken after it.
    #[test]
    fn a_failure_ends_the_turns() {
        let jobs: Vec<u32> = (0..10).collect();
        let turns = Turns::new(&jobs);
        let mut seen = Vec::new();
        let failed = turns.take(|job| {
            seen.push(*job);
            if *job == 3 {
                Err("job 3")
            } else {
                Ok(*job)
            }
        });
        assert_eq!(failed, Err("job 3"));
        assert_eq!(seen, vec![0, 1, 2, 3]);
        assert_eq!(turns.take(|job| Ok::<u32, ()>(*job)), Ok(Vec::new()), "nothing is left to take");
    }
}
