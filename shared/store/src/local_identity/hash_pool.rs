//! Password hashing on a bounded pool (D5): each Argon2id computation holds its whole memory
//! cost (19 MiB by default) while it runs, so a crowd of sign-ins to unknown addresses would
//! otherwise hash in parallel without end. At most `workers` run at once (one per core), at most
//! `queue` wait for a turn, and any further request is answered `Busy` (503 with Retry-After)
//! without doing any work.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use portal_domain::identity::IdentityError;
use tokio::sync::Semaphore;

use super::secrets::PasswordHashing;

/// Requests allowed to wait per worker.
const QUEUE_PER_WORKER: usize = 8;

/// Password hashing with bounded concurrency and a bounded queue.
pub struct HashPool {
    hashing: PasswordHashing,
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
}

/// A place in the queue, given back however the wait ends (a cancelled request included).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HashPool {
    /// A pool of `workers` hashers (at least one), with `QUEUE_PER_WORKER` places each to wait.
    pub fn new(hashing: PasswordHashing, workers: usize) -> Self {
        let workers = workers.max(1);
        Self {
            hashing,
            running: Arc::new(Semaphore::new(workers)),
            waiting: AtomicUsize::new(0),
            queue: workers * QUEUE_PER_WORKER,
        }
    }

    /// A pool with one worker per core of this machine.
    pub fn per_core(hashing: PasswordHashing) -> Self {
        Self::new(hashing, std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// Runs `job` on the blocking pool when a worker is free; `Busy` when the queue is full.
    pub async fn run<T, F>(&self, job: F) -> Result<T, IdentityError>
    where
        T: Send + 'static,
        F: FnOnce(&PasswordHashing) -> T + Send + 'static,
    {
        let permit = match Arc::clone(&self.running).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(IdentityError::Busy);
                }
                let _waiting = Waiting(&self.waiting);
                Arc::clone(&self.running).acquire_owned().await.map_err(|e| IdentityError::Unavailable(Box::new(e)))?
            }
        };
        let hashing = self.hashing.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job(&hashing)
        })
        .await
        .map_err(|e| IdentityError::Unavailable(Box::new(e)))
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
        let pool = Arc::new(HashPool::new(hashing, 1));
        let (release, held) = std::sync::mpsc::channel::<()>();
        let started = Arc::new(tokio::sync::Notify::new());
        let busy = {
            let (pool, started) = (Arc::clone(&pool), Arc::clone(&started));
            tokio::spawn(async move {
                pool.run(move |_| {
                    started.notify_one();
                    held.recv().ok();
                })
                .await
            })
        };
        started.notified().await;
        let queued: Vec<_> = (0..QUEUE_PER_WORKER)
            .map(|_| {
                let pool = Arc::clone(&pool);
                tokio::spawn(async move { pool.run(|hashing| hashing.hash("a queued passphrase")).await })
            })
            .collect();
        while pool.waiting.load(Ordering::SeqCst) < QUEUE_PER_WORKER {
            tokio::task::yield_now().await;
        }

        // WHEN one more arrives THEN it is refused at once
        assert!(matches!(pool.run(|_| ()).await, Err(IdentityError::Busy)));

        // AND the queued ones all run once the worker is free
        release.send(()).expect("release");
        busy.await.expect("task").expect("ran");
        for job in queued {
            assert!(job.await.expect("task").expect("ran").is_ok());
        }
        assert_eq!(pool.waiting.load(Ordering::SeqCst), 0);
    }
}
