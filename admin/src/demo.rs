//! `seed-demo`: a labelled demonstration data set for a local portal, so a newcomer sees real
//! processing-time estimates on every type and an officer queue with work in it. Local mode
//! only: a real deployment never gets made-up applications.
//!
//! Every application is the agency's own record with no applicant account (like a paper
//! application nobody has linked): no one is notified, and its answers say `DEMO`. Ids are fixed,
//! so a second run changes nothing.

use anyhow::Result;
use portal_domain::application_types::{ApplicationType, Catalog};
use portal_domain::applications::{Application, Applications, Decision, WriteError};
use portal_domain::clock::utc_date;
use portal_domain::declaration::DECLARATION;
use portal_domain::profile::Language;
use portal_domain::status::Status;
use serde_json::{Map, Value, json};

/// Decided applications per type: enough for a median and an 80th percentile.
const DECIDED_PER_TYPE: u64 = 12;
const DAY: u64 = 86_400;
/// Who the demo data set says acted (history entries name it).
const DEMO_ACTOR: &str = "demo-data";

/// Where a queued demo application is left, in the order they are made.
const QUEUED: [Status; 8] = [
    Status::Submitted,
    Status::Submitted,
    Status::Submitted,
    Status::Received,
    Status::Received,
    Status::InReview,
    Status::InReview,
    Status::InterviewScheduled,
];

/// Seeds the data set at `now`; says what it made (nothing, when it was there already).
pub async fn seed(applications: &Applications, now: u64) -> Result<String> {
    let catalog = Catalog::load()?;
    let mut made = 0;
    for application_type in catalog.all() {
        for n in 0..DECIDED_PER_TYPE {
            // Spread over the last year: 20 to 130 days to decide, a refusal in four.
            let submitted = now - 400 * DAY + n * 23 * DAY;
            let days = 20 + (n * 37 + application_type.code.len() as u64 * 11) % 110;
            let outcome = if n % 4 == 3 { Status::Refused } else { Status::Approved };
            let id = format!("demo-{}-decided-{n:02}", application_type.code);
            made += u64::from(
                walk(
                    applications,
                    application_type,
                    &id,
                    submitted,
                    &[(Status::Received, 1), (Status::InReview, 3), (outcome, days)],
                )
                .await?,
            );
        }
    }
    let visitor = catalog.get("visitor-visa").expect("the catalog has the visitor visa");
    for (n, status) in QUEUED.iter().enumerate() {
        let submitted = now - (20 - n as u64 * 2) * DAY;
        let steps: Vec<(Status, u64)> = [(Status::Received, 1), (Status::InReview, 2), (Status::InterviewScheduled, 4)]
            .into_iter()
            .take_while(|(step, _)| step <= status)
            .collect();
        let id = format!("demo-visitor-visa-queued-{n:02}");
        made += u64::from(walk(applications, visitor, &id, submitted, &steps).await?);
    }
    Ok(if made == 0 {
        "The demo data set is already there: nothing changed.".to_owned()
    } else {
        format!(
            "Seeded the DEMO data set: {made} applications without applicant accounts ({DECIDED_PER_TYPE} decided per \
             type, for processing-time estimates; {} in the officers' queue). Start the portal to see them.",
            QUEUED.len()
        )
    })
}

/// Makes one demo application submitted at `submitted`, then moved through `steps` (each a
/// status and the days after submission it was reached); `false` when it was already there.
async fn walk(
    applications: &Applications,
    application_type: &ApplicationType,
    id: &str,
    submitted: u64,
    steps: &[(Status, u64)],
) -> Result<bool> {
    if applications.get(id).await?.is_some() {
        return Ok(false);
    }
    let draft = applications.create_draft("", application_type, id.to_owned(), submitted - DAY).await?;
    let form = demo_answers(application_type);
    // The demo's answers meet the type's rules as the portal would check them.
    let problems = application_type.form_problems(&form, false, &utc_date(submitted));
    anyhow::ensure!(problems.is_empty(), "demo answers of {}: {problems:?}", application_type.code);
    let draft = applications.save_form(&draft, form, draft.version, submitted - DAY).await?;
    let declaration = DECLARATION.confirmed(Language::En, submitted);
    let mut application: Application =
        applications.submit(&draft, DEMO_ACTOR, application_type.number_prefix, declaration, submitted).await?;
    for (to, days) in steps {
        let decision = Decision {
            to: *to,
            officer: DEMO_ACTOR,
            reason: "DEMO data set".into(),
            note_to_applicant: None,
            expected_version: application.version,
            at: submitted + days * DAY,
        };
        application = match applications.decide(&application, decision).await {
            Ok(moved) => moved,
            Err(WriteError::Store(error)) => return Err(error.into()),
            Err(other) => anyhow::bail!("demo application {id}: {other}"),
        };
    }
    Ok(true)
}

/// Answers that say they are made up: the visitor visa's form filled in; other types' names only.
fn demo_answers(application_type: &ApplicationType) -> Map<String, Value> {
    let answers = match application_type.code.as_str() {
        "visitor-visa" => json!({
            "familyName": "DEMO", "givenNames": "Sample", "dateOfBirth": "1988-04-12",
            "countryOfCitizenship": "DEMO", "passportNumber": "DEMO12345", "passportExpiry": "2100-01-31",
            "purpose": "tourism", "arrivalDate": "2099-07-01", "lengthOfStayDays": 21, "fundsCad": 8000
        }),
        _ => json!({"familyName": "DEMO"}),
    };
    let mut answers = answers.as_object().cloned().unwrap_or_default();
    let fields: Vec<&str> = application_type.sections.iter().flat_map(|s| &s.fields).map(|f| f.id.as_str()).collect();
    answers.retain(|field, _| fields.contains(&field.as_str()));
    answers
}
