//! Scoring runs in the background (the server's API starts them): one at a time, each with its
//! state, step, counts and outcome for whoever asks while it runs and after.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use clientele_core::Day;
use clientele_store::Store;
use tokio::sync::OwnedMutexGuard;

use crate::score::{ScoreProgress, ScoreSettings, ScoreStep, score_store};
use crate::setting::InvalidSetting;

/// Runs remembered (the latest ones; older ones are forgotten).
pub const REMEMBERED_RUNS: usize = 20;

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Started, not yet begun.
    Queued,
    Running,
    /// The snapshot is written.
    Done,
    /// Stopped by an error; nothing of the snapshot was kept or it was written whole.
    Failed,
}

impl RunState {
    /// The state's code in the API: `queued`, `running`, `done`, `failed`.
    pub fn code(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::Done => "done",
            RunState::Failed => "failed",
        }
    }
}

/// A run as it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct RunStatus {
    /// 1, 2, ... in the order the runs were started (since the process started).
    pub id: u64,
    pub state: RunState,
    /// Who started it.
    pub started_by: String,
    /// The step under way, or the last one begun.
    pub step: Option<ScoreStep>,
    /// The day scored, once known (the settings' day, else today).
    pub as_of: Option<Day>,
    /// Customers summarised.
    pub customers: Option<u64>,
    /// Customers in the snapshot written.
    pub written: Option<u64>,
    /// What to know about the model (refused, or not converged).
    pub model_note: Option<String>,
    /// Why the run failed.
    pub error: Option<String>,
}

/// Why a run was not started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Invalid(#[from] InvalidSetting),
    /// Another run (`running`, when it is one of these runs) holds the scoring slot.
    #[error("a scoring run is under way{}: wait until it is done", .running.map(|id| format!(" (run {id})")).unwrap_or_default())]
    Busy { running: Option<u64> },
}

/// The runs of one process, shared by clones; one scores at a time.
#[derive(Clone, Debug, Default)]
pub struct ScoringRuns {
    runs: Arc<Mutex<Runs>>,
    /// Held by the run under way (or by [`ScoringRuns::try_hold`]'s caller).
    slot: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug, Default)]
struct Runs {
    last_id: u64,
    /// Oldest first, at most [`REMEMBERED_RUNS`].
    recent: VecDeque<RunStatus>,
}

/// The scoring slot held: no run starts until it is dropped.
#[derive(Debug)]
pub struct ScoringSlot(#[allow(dead_code)] OwnedMutexGuard<()>);

impl ScoringRuns {
    pub fn new() -> ScoringRuns {
        ScoringRuns::default()
    }

    /// Starts scoring `store` with `settings` in the background, as asked by `started_by`;
    /// refuses settings that do not check, and a second run while one is under way.
    pub fn start(
        &self,
        store: Store,
        settings: ScoreSettings,
        started_by: &str,
    ) -> Result<RunStatus, StartError> {
        settings.check()?;
        let slot = Arc::clone(&self.slot)
            .try_lock_owned()
            .map_err(|_| StartError::Busy {
                running: self.unfinished(),
            })?;
        let status = {
            let mut runs = self.lock();
            runs.last_id += 1;
            let status = RunStatus {
                id: runs.last_id,
                state: RunState::Queued,
                started_by: started_by.to_string(),
                step: None,
                as_of: settings.as_of,
                customers: None,
                written: None,
                model_note: None,
                error: None,
            };
            if runs.recent.len() == REMEMBERED_RUNS {
                runs.recent.pop_front();
            }
            runs.recent.push_back(status.clone());
            status
        };
        let (runs, id) = (self.clone(), status.id);
        tokio::spawn(async move {
            let _slot = slot;
            runs.update(id, |s| s.state = RunState::Running);
            let progress = |p: ScoreProgress| {
                runs.update(id, |s| {
                    s.step = Some(p.step);
                    s.as_of = Some(p.as_of);
                    s.customers = p.customers;
                })
            };
            let scored = score_store(&store, &settings, &progress).await;
            runs.update(id, |s| match scored {
                Ok(scored) => {
                    s.state = RunState::Done;
                    s.as_of = Some(scored.as_of);
                    s.written = Some(scored.customers);
                    s.model_note = scored.model.note();
                }
                Err(e) => {
                    s.state = RunState::Failed;
                    s.error = Some(format!("{e:#}"));
                }
            });
        });
        Ok(status)
    }

    /// The run `id`, if it is remembered.
    pub fn get(&self, id: u64) -> Option<RunStatus> {
        self.lock().recent.iter().find(|s| s.id == id).cloned()
    }

    /// The latest run, if any was started.
    pub fn latest(&self) -> Option<RunStatus> {
        self.lock().recent.back().cloned()
    }

    /// Holds the scoring slot, when no run is under way: until the answer is dropped, a start is
    /// refused as busy (for work that must not overlap a snapshot being written).
    pub fn try_hold(&self) -> Option<ScoringSlot> {
        Arc::clone(&self.slot)
            .try_lock_owned()
            .ok()
            .map(ScoringSlot)
    }

    /// The id of a run not yet done or failed, if any.
    fn unfinished(&self) -> Option<u64> {
        self.lock()
            .recent
            .iter()
            .rev()
            .find(|s| matches!(s.state, RunState::Queued | RunState::Running))
            .map(|s| s.id)
    }

    fn update(&self, id: u64, change: impl FnOnce(&mut RunStatus)) {
        if let Some(status) = self.lock().recent.iter_mut().find(|s| s.id == id) {
            change(status);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Runs> {
        // A panic while the lock was held left plain data behind: still readable.
        self.runs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
