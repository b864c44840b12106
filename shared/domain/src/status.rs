//! The status machine of an application (DESIGN §4):
//!
//! `draft → submitted → received → (biometrics_requested → biometrics_completed)? → in_review ⇄
//! documents_requested → (interview_scheduled)? → approved | refused → closed`, and `withdrawn`
//! from any state before a decision.
//!
//! Every change goes through [`Status::apply`]: a command that does not fit the current status is
//! refused, so no sequence of commands can skip a step or leave a terminal status.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being filled in by the applicant.
    Draft,
    /// Sent by the applicant; waiting for the agency.
    Submitted,
    /// Accepted for processing by the agency.
    Received,
    /// The applicant must give fingerprints and a photo.
    BiometricsRequested,
    /// Biometrics given.
    BiometricsCompleted,
    /// An officer is assessing the application.
    InReview,
    /// The officer asked the applicant for more documents.
    DocumentsRequested,
    /// The applicant is invited to an interview.
    InterviewScheduled,
    /// Decision: approved.
    Approved,
    /// Decision: refused.
    Refused,
    /// The file is closed after its decision.
    Closed,
    /// The applicant withdrew it before a decision.
    Withdrawn,
}

/// Who may give a command (and, as `applicant` or `officer`, the role a history entry records).
#[derive(Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(rename_all = "lowercase")]
pub enum Actor {
    /// The applicant (or an authorized representative).
    Applicant,
    /// An agency officer.
    Officer,
}

/// A change an applicant or officer asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    /// The applicant sends the draft.
    Submit,
    /// The agency accepts the submission for processing.
    Receive,
    /// The agency asks for biometrics.
    RequestBiometrics,
    /// Biometrics were given.
    CompleteBiometrics,
    /// An officer starts the assessment.
    StartReview,
    /// The officer asks for more documents.
    RequestDocuments,
    /// The requested documents arrived; the assessment resumes.
    ResumeReview,
    /// The officer invites the applicant to an interview.
    ScheduleInterview,
    /// Decision: approve.
    Approve,
    /// Decision: refuse.
    Refuse,
    /// Close the decided file.
    Close,
    /// The applicant withdraws before a decision.
    Withdraw,
}

impl Command {
    /// Every command.
    pub const ALL: [Command; 12] = [
        Command::Submit,
        Command::Receive,
        Command::RequestBiometrics,
        Command::CompleteBiometrics,
        Command::StartReview,
        Command::RequestDocuments,
        Command::ResumeReview,
        Command::ScheduleInterview,
        Command::Approve,
        Command::Refuse,
        Command::Close,
        Command::Withdraw,
    ];

    /// Who may give the command.
    pub fn actor(self) -> Actor {
        match self {
            Command::Submit | Command::Withdraw => Actor::Applicant,
            _ => Actor::Officer,
        }
    }
}

/// A command that does not fit the application's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{command:?} is not possible while the application is {from:?}")]
pub struct NotAllowed {
    /// The current status.
    pub from: Status,
    /// The refused command.
    pub command: Command,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 12] = [
        Status::Draft,
        Status::Submitted,
        Status::Received,
        Status::BiometricsRequested,
        Status::BiometricsCompleted,
        Status::InReview,
        Status::DocumentsRequested,
        Status::InterviewScheduled,
        Status::Approved,
        Status::Refused,
        Status::Closed,
        Status::Withdrawn,
    ];

    /// The status as the API and the keys spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::BiometricsRequested => "biometrics_requested",
            Status::BiometricsCompleted => "biometrics_completed",
            Status::InReview => "in_review",
            Status::DocumentsRequested => "documents_requested",
            Status::InterviewScheduled => "interview_scheduled",
            Status::Approved => "approved",
            Status::Refused => "refused",
            Status::Closed => "closed",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// Whether a decision has been made (or the file withdrawn): nothing but closing follows.
    pub fn is_decided(self) -> bool {
        matches!(self, Status::Approved | Status::Refused | Status::Closed | Status::Withdrawn)
    }

    /// Whether no command applies any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Closed | Status::Withdrawn)
    }

    /// The officer's command that takes an application from this status to `to`, if there is
    /// one. Asking for documents is not among them: a document request says which ones.
    pub fn officer_command_to(self, to: Status) -> Option<Command> {
        Command::ALL
            .into_iter()
            .filter(|command| command.actor() == Actor::Officer && *command != Command::RequestDocuments)
            .find(|command| self.apply(*command) == Ok(to))
    }

    /// The statuses an officer may move an application to from this one, each by its own
    /// command (what the officer's case offers, so pages never copy the machine).
    pub fn officer_next(self) -> Vec<Status> {
        Status::ALL.into_iter().filter(|to| self.officer_command_to(*to).is_some()).collect()
    }

    /// Whether an officer may ask for documents now (a document request moves the application).
    pub fn takes_document_requests(self) -> bool {
        self.apply(Command::RequestDocuments).is_ok()
    }

    /// The status a command leads to from this one.
    pub fn apply(self, command: Command) -> Result<Status, NotAllowed> {
        use Command::*;
        use Status::*;
        let next = match (self, command) {
            (Draft, Submit) => Submitted,
            (Submitted, Receive) => Received,
            (Received, RequestBiometrics) => BiometricsRequested,
            (BiometricsRequested, CompleteBiometrics) => BiometricsCompleted,
            (Received | BiometricsCompleted, StartReview) => InReview,
            (InReview, RequestDocuments) => DocumentsRequested,
            (DocumentsRequested, ResumeReview) => InReview,
            (InReview, ScheduleInterview) => InterviewScheduled,
            (InReview | InterviewScheduled, Approve) => Approved,
            (InReview | InterviewScheduled, Refuse) => Refused,
            (Approved | Refused, Close) => Closed,
            (from, Withdraw) if !from.is_decided() => Withdrawn,
            (from, command) => return Err(NotAllowed { from, command }),
        };
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The edges of DESIGN §4, written out independently of `apply`.
    fn design_edges() -> Vec<(Status, Status)> {
        use Status::*;
        let mut edges = vec![
            (Draft, Submitted),
            (Submitted, Received),
            (Received, BiometricsRequested),
            (BiometricsRequested, BiometricsCompleted),
            (Received, InReview),
            (BiometricsCompleted, InReview),
            (InReview, DocumentsRequested),
            (DocumentsRequested, InReview),
            (InReview, InterviewScheduled),
            (InReview, Approved),
            (InReview, Refused),
            (InterviewScheduled, Approved),
            (InterviewScheduled, Refused),
            (Approved, Closed),
            (Refused, Closed),
        ];
        for from in [
            Draft,
            Submitted,
            Received,
            BiometricsRequested,
            BiometricsCompleted,
            InReview,
            DocumentsRequested,
            InterviewScheduled,
        ] {
            edges.push((from, Withdrawn));
        }
        edges
    }

    #[test]
    fn apply_allows_exactly_the_designed_edges() {
        let mut allowed: Vec<(Status, Status)> = Status::ALL
            .iter()
            .flat_map(|from| Command::ALL.iter().filter_map(move |c| from.apply(*c).ok().map(|to| (*from, to))))
            .collect();
        allowed.sort();
        allowed.dedup();
        let mut expected = design_edges();
        expected.sort();
        assert_eq!(allowed, expected);
    }

    #[test]
    fn names_match_the_serialized_form() {
        for status in Status::ALL {
            assert_eq!(serde_json::to_value(status).expect("json"), serde_json::json!(status.as_str()));
        }
    }

    #[test]
    fn the_officer_s_next_statuses_are_the_design_s_officer_edges() {
        use Status::*;
        for from in Status::ALL {
            let mut expected: Vec<Status> = design_edges()
                .into_iter()
                .filter(|(edge_from, to)| {
                    *edge_from == from && !matches!(to, Submitted | Withdrawn | DocumentsRequested)
                })
                .map(|(_, to)| to)
                .collect();
            expected.sort();
            assert_eq!(from.officer_next(), expected, "from {from:?}");
            assert_eq!(from.takes_document_requests(), from == InReview, "from {from:?}");
        }
        assert!(Closed.officer_next().is_empty() && Withdrawn.officer_next().is_empty());
    }

    #[test]
    fn officers_reach_each_next_status_by_its_command_but_documents_only_by_a_request() {
        assert_eq!(Status::Submitted.officer_command_to(Status::Received), Some(Command::Receive));
        assert_eq!(Status::InReview.officer_command_to(Status::DocumentsRequested), None);
        assert_eq!(Status::Submitted.officer_command_to(Status::Approved), None);
        assert_eq!(Status::Submitted.officer_command_to(Status::Withdrawn), None, "the applicant's alone");
    }

    #[test]
    fn only_the_applicant_submits_and_withdraws() {
        for command in Command::ALL {
            let applicant = matches!(command, Command::Submit | Command::Withdraw);
            assert_eq!(command.actor() == Actor::Applicant, applicant, "{command:?}");
        }
    }

    proptest! {
        #[test]
        fn no_sequence_of_commands_skips_a_step_or_leaves_a_terminal_status(
            // Each step is a command that fits the status (so sequences get far) or any command.
            steps in proptest::collection::vec((any::<bool>(), any::<prop::sample::Index>()), 0..60)
        ) {
            let edges = design_edges();
            let mut status = Status::Draft;
            let mut visited = vec![status];
            for (fitting, pick) in steps {
                let fits: Vec<Command> = Command::ALL.into_iter().filter(|c| status.apply(*c).is_ok()).collect();
                let command = if fitting && !fits.is_empty() { *pick.get(&fits) } else { *pick.get(&Command::ALL) };
                match status.apply(command) {
                    Ok(next) => {
                        prop_assert!(!status.is_terminal(), "left terminal {status:?}");
                        prop_assert!(edges.contains(&(status, next)), "skipped from {status:?} to {next:?}");
                        status = next;
                        visited.push(next);
                    }
                    Err(refused) => prop_assert_eq!(refused, NotAllowed { from: status, command }),
                }
            }
            // A decision is only ever reached through an assessment.
            if let Some(decided) = visited.iter().position(|s| matches!(s, Status::Approved | Status::Refused)) {
                prop_assert!(visited[..decided].contains(&Status::InReview));
                prop_assert!(visited[..decided].contains(&Status::Received));
            }
        }
    }
}
