//! `portal-admin replay-dead-letters`: the notifications Lambda gave up on, sent again.
//!
//! Each message of the notify dead-letter queue points to a range of the table's stream. The
//! range is read again and handed to the same dispatcher the notify function runs, which tells
//! each event's recipient once however often it sees the event: a batch that partly went out
//! before it failed sends only what had not gone. A message is deleted only once every record
//! of its range went out; any other is kept on the queue, visible again, with the reason.

use std::collections::HashSet;

use anyhow::Result;
use portal_domain::notifications::Dispatcher;
use portal_store::dead_letters::{DeadLetter, DeadLetterQueue};

/// What a replay did.
#[derive(Debug, Default)]
pub struct Replay {
    /// Messages whose batch went out, and were deleted.
    pub replayed: usize,
    /// The stream records of their batches read again (new items; those that are not events
    /// are skipped, as notify skips them).
    pub records: usize,
    /// Messages left on the queue: their id and why.
    pub kept: Vec<(String, String)>,
}

impl std::fmt::Display for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "replayed {} dead letter(s) ({} stream record(s) read again)", self.replayed, self.records)?;
        if self.kept.is_empty() {
            return write!(f, "; the queue is empty");
        }
        write!(f, "; {} kept on the queue:", self.kept.len())?;
        for (id, why) in &self.kept {
            write!(f, "\n  {id}: {why}")?;
        }
        Ok(())
    }
}

/// Sends one message's batch again: the number of records in it, or why it stays.
async fn resend(queue: &DeadLetterQueue, dispatcher: &Dispatcher, letter: &DeadLetter) -> Result<usize, String> {
    let batch = letter.batch.as_ref().map_err(Clone::clone)?;
    let records = queue.records(batch).await.map_err(|e| e.to_string())?;
    let failed = dispatcher.handle_batch(&records).await;
    match failed.first() {
        None => Ok(records.len()),
        Some(first) => {
            Err(format!("{} of its {} records failed again, from sequence number {first}", failed.len(), records.len()))
        }
    }
}

/// Replays every message of the queue once. A message is hidden from other readers for five
/// minutes once received: one that comes back meanwhile (a long run) ends the run, so nothing is
/// tried twice, and its newer receipt is the one kept. Kept messages are made visible again at
/// the end, for the next replay.
pub async fn replay(queue: &DeadLetterQueue, dispatcher: &Dispatcher) -> Result<Replay> {
    let mut replay = Replay::default();
    let (mut kept, mut seen) = (Vec::<DeadLetter>::new(), HashSet::new());
    let mut came_back = false;
    while !came_back {
        let letters = queue.receive().await?;
        if letters.is_empty() {
            break;
        }
        for letter in letters {
            if !seen.insert(letter.message_id.clone()) {
                came_back = true;
                if let Some(earlier) = kept.iter_mut().find(|earlier| earlier.message_id == letter.message_id) {
                    *earlier = letter;
                }
                continue;
            }
            let outcome = match resend(queue, dispatcher, &letter).await {
                // Sent: a message left behind now is harmless (a later replay sends nothing twice).
                Ok(records) => queue.delete(&letter).await.map(|()| records).map_err(|error| {
                    format!(
                        "sent again, but the message could not be deleted ({error}): replaying it again sends nothing"
                    )
                }),
                Err(why) => Err(why),
            };
            match outcome {
                Ok(records) => {
                    replay.replayed += 1;
                    replay.records += records;
                }
                Err(why) => {
                    replay.kept.push((letter.message_id.clone(), why));
                    kept.push(letter);
                }
            }
        }
    }
    for letter in &kept {
        if let Err(error) = queue.keep(letter).await
            && let Some((_, why)) = replay.kept.iter_mut().find(|(id, _)| *id == letter.message_id)
        {
            why.push_str(&format!(" (and it stays hidden for up to five minutes: {error})"));
        }
    }
    Ok(replay)
}
