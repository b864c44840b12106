//! Password hashing on a bounded pool (D5): each Argon2id computation holds its whole memory
//! cost (19 MiB by default) while it runs, so a crowd of sign-ins to unknown addresses would
//! otherwise hash in parallel without end. A fixed set of `workers` threads (one per core) does
//! all the hashing, at most `queue` jobs wait for one, and any further request is answered
//! `Busy` (503 with Retry-After) without doing any work.
//!
//! Dedicated threads rather than the runtime's blocking pool: the allocator keeps memory a thread
//! freed for that thread's next allocation, so hashing on whichever of hundreds of blocking
//! threads is free leaves 19 MiB behind on each of them; on a few fixed threads it stays a few.

use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use portal_domain::identity::IdentityError;
use tokio::sync::oneshot;

use super::secrets::{Memory, PasswordHashing};

/// Requests allowed to wait per worker.
const QUEUE_PER_WORKER: usize = 8;

type Job = Box<dyn FnOnce(&PasswordHashing, &mut Memory) + Send>;

/// Password hashing with bounded concurrency and a bounded queue.
pub struct HashPool {
    jobs: SyncSender<Job>,
}

impl HashPool {
    /// A pool of `workers` hashing threads (at least one), with `QUEUE_PER_WORKER` places each
    /// to wait. The threads end when the pool is dropped.
    pub fn new(hashing: PasswordHashing, workers: usize) -> Result<Self, IdentityError> {
        let workers = workers.max(1);
        let (jobs, queue) = sync_channel::<Job>(workers * QUEUE_PER_WORKER);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers {
            let (queue, hashing) = (Arc::clone(&queue), hashing.clone());
            std::thread::Builder::new()
                .name(format!("password-hashing-{n}"))
                .spawn(move || {
                    // Allocated at the first computation, then reused by every later one.
                    let mut memory = Memory::default();
                    loop {
                        // The lock is held only while taking a job, not while hashing.
                        let job = queue.lock().ok().and_then(|queue| queue.recv().ok());
                        let Some(job) = job else { return };
                        job(&hashing, &mut memory);
                    }
                })
                .map_err(|e| IdentityError::Unavailable(Box::new(e)))?;
        }
        Ok(Self { jobs })
    }

    /// A pool with one worker per core of this machine.
    pub fn per_core(hashing: PasswordHashing) -> Result<Self, IdentityError> {
        Self::new(hashing, std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// Queues `job` for a hashing thread at once (`Busy` when the queue is full) and returns
    /// the wait for its result.
    pub fn run<T, F>(&self, job: F) -> impl Future<Output = Result<T, IdentityError>> + Send + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce(&PasswordHashing, &mut Memory) -> T + Send + 'static,
    {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |hashing, memory| {
            // A caller that went away (a cancelled request) no longer wants the answer.
            let _ = done.send(job(hashing, memory));
        });
        let queued = match self.jobs.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(IdentityError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(IdentityError::Unavailable("no hashing thread".into())),
        };
        async move {
            queued?;
            result.await.map_err(|e| IdentityError::Unavailable(Box::new(e)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local_identity::secrets::HashCost;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn d5_hashing_beyond_the_queue_is_refused_without_work() {
        // GIVEN one worker held busy and its queue of eight filled
        let hashing =
            PasswordHashing::new(HashCost { memory_kib: 64, iterations: 1, parallelism: 1 }).expect("hashing");
        let pool = Arc::new(HashPool::new(hashing, 1).expect("pool"));
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel::<()>();
        let busy = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(move |_, _| {
                    let _ = started.send(());
                    held.recv().ok();
                })
                .await
            })
        };
        running.await.expect("the worker took the first job");
        let queued: Vec<_> = (0..QUEUE_PER_WORKER)
            .map(|_| pool.run(|hashing, memory| hashing.hash_in("a queued passphrase", memory)))
            .collect();

        // WHEN one more arrives THEN it is refused at once
        assert!(matches!(pool.run(|_, _| ()).await, Err(IdentityError::Busy)));

        // AND the queued ones all run once the worker is free
        release.send(()).expect("release");
        busy.await.expect("task").expect("ran");
        for job in queued {
            assert!(job.await.expect("ran").is_ok());
        }
    }
}
