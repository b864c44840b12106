//! The calendar file as another program reads it: Python's `icalendar` package (a parser nobody
//! here wrote, from the workspace's venv) parses what `ics` wrote, and every value it reads back
//! must be the one written, special characters, accents and all.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use portal_calendar::{Event, ics};
use serde_json::Value;

/// 2027-01-15T08:00:00Z.
const BOOKED_AT: u64 = 1_800_000_000;

const UID: &str = "0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b@applicant-portal";
const SUMMARY: &str = "Rendez-vous de biométrie; étape 2, « Québec »";
const LOCATION: &str = "Centre de service, 123 rue Principale\nMontréal (Québec) H2X 1Y4";
/// Long enough to be folded many times, with a backslash, both kinds of line break and
/// characters of two, three and four octets.
const DESCRIPTION: &str = "Présentez-vous 15 minutes à l’avance. Apportez votre passeport, la lettre \
    de convocation; et, si vous en avez une, votre photo d’identité récente.\r\nÀ noter : l’accès est \
    réservé aux personnes convoquées — chemin C:\\Portail\\RDV.\nŒuvres, façades, naïveté, garçon €, 𝄞 !";

fn booked() -> Event<'static> {
    Event {
        uid: UID,
        sequence: 0,
        stamp: BOOKED_AT - 3 * 86_400,
        start: BOOKED_AT,
        end: BOOKED_AT + 1_800,
        summary: SUMMARY,
        location: LOCATION,
        description: DESCRIPTION,
        cancelled: false,
    }
}

/// The workspace's venv interpreter: `make venv` makes it, with `icalendar` from
/// infra/emulator/requirements.txt. Missing, the test fails: a skipped check would pass unseen.
fn python() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("shared/calendar is two levels down");
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `make venv` at the workspace root to install the Python icalendar package this test parses with",
        python.display()
    );
    python
}

/// What Python's `icalendar` reads from `calendar`, written to a temporary .ics file.
fn parse(calendar: &str) -> Value {
    let mut file = tempfile::Builder::new().suffix(".ics").tempfile().expect("a temporary .ics file");
    file.write_all(calendar.as_bytes()).expect("the .ics written");
    file.flush().expect("the .ics flushed");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parse_ics.py");
    let output = Command::new(python()).arg(&script).arg(file.path()).output().expect("the venv's python runs");
    assert!(
        output.status.success(),
        "parse_ics.py failed ({}): {}\n(run `make venv` if icalendar is missing)\n{calendar}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Value = serde_json::from_slice(&output.stdout).expect("parse_ics.py prints JSON");
    assert_eq!(parsed["errors"], Value::Array(Vec::new()), "icalendar found faults in:\n{calendar}");
    parsed
}

/// A string field of the parsed JSON.
fn field<'a>(parsed: &'a Value, name: &str) -> &'a str {
    parsed[name].as_str().unwrap_or_else(|| panic!("no string {name} in {parsed}"))
}

/// The text as a reader should get it back: a CRLF or lone CR is one line break.
fn lines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[test]
fn python_icalendar_reads_back_every_value_written() {
    let calendar = ics(&booked());
    let continuations = calendar.split("\r\n").filter(|line| line.starts_with(' ')).count();
    assert!(continuations >= 4, "the description is folded into several lines:\n{calendar}");
    let parsed = parse(&calendar);
    assert_eq!(field(&parsed, "version"), "2.0");
    assert_eq!(field(&parsed, "prodid"), "-//Applicant Portal//Appointments//EN");
    assert_eq!(field(&parsed, "calscale"), "GREGORIAN");
    assert_eq!(field(&parsed, "method"), "PUBLISH");
    assert_eq!(field(&parsed, "uid"), UID);
    assert_eq!(parsed["sequence"], 0);
    assert_eq!(field(&parsed, "dtstamp"), "2027-01-12T08:00:00Z");
    assert_eq!(field(&parsed, "dtstart"), "2027-01-15T08:00:00Z");
    assert_eq!(field(&parsed, "dtend"), "2027-01-15T08:30:00Z");
    assert_eq!(field(&parsed, "summary"), SUMMARY);
    assert_eq!(field(&parsed, "location"), LOCATION);
    assert_eq!(field(&parsed, "description"), lines(DESCRIPTION));
    assert_eq!(field(&parsed, "status"), "CONFIRMED");
    assert_eq!(field(&parsed, "transp"), "OPAQUE");
}

#[test]
fn a_reschedule_keeps_the_uid_and_raises_the_sequence() {
    let rescheduled = Event {
        sequence: 1,
        stamp: BOOKED_AT,
        start: BOOKED_AT + 7 * 86_400,
        end: BOOKED_AT + 7 * 86_400 + 2_700,
        ..booked()
    };
    let parsed = parse(&ics(&rescheduled));
    assert_eq!(field(&parsed, "uid"), UID);
    assert_eq!(parsed["sequence"], 1);
    assert_eq!(field(&parsed, "dtstamp"), "2027-01-15T08:00:00Z");
    assert_eq!(field(&parsed, "dtstart"), "2027-01-22T08:00:00Z");
    assert_eq!(field(&parsed, "dtend"), "2027-01-22T08:45:00Z");
    assert_eq!(field(&parsed, "method"), "PUBLISH");
    assert_eq!(field(&parsed, "status"), "CONFIRMED");
}

#[test]
fn a_cancellation_reads_as_cancelled_with_the_same_uid() {
    let cancelled = Event { sequence: 2, stamp: BOOKED_AT, cancelled: true, ..booked() };
    let parsed = parse(&ics(&cancelled));
    assert_eq!(field(&parsed, "uid"), UID);
    assert_eq!(parsed["sequence"], 2);
    assert_eq!(field(&parsed, "method"), "CANCEL");
    assert_eq!(field(&parsed, "status"), "CANCELLED");
    assert_eq!(field(&parsed, "summary"), SUMMARY);
}
