//! A booked biometrics or interview appointment as an RFC 5545 iCalendar file (`.ics`), for the
//! applicant's "add to calendar" download: one `VEVENT` in one `VCALENDAR`, its times in UTC so
//! no time-zone definition has to travel with it, its free text escaped and its lines folded as
//! the RFC says, so any calendar reads it back exactly.
//!
//! Written here rather than with the `icalendar` crate: that crate escapes and folds correctly,
//! but brings chrono, iso8601, nom and uuid for what is about a hundred lines, and passes a
//! carriage return through unescaped, which breaks the line it is in.

use std::fmt::Write as _;

/// Who wrote the file (PRODID): a calendar shows or logs it, never the applicant.
const PRODID: &str = "-//Applicant Portal//Appointments//EN";

/// RFC 5545 §3.1: a content line is at most 75 octets, its line break excluded.
const LINE_OCTETS: usize = 75;

/// One appointment as a calendar event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// Stable across reschedules, e.g. "{appointmentId}@applicant-portal" (the caller builds it).
    pub uid: &'a str,
    /// 0 when booked, +1 at each reschedule or cancellation (RFC 5545 SEQUENCE).
    pub sequence: u32,
    /// When the file is made (DTSTAMP), seconds since the Unix epoch, UTC.
    pub stamp: u64,
    /// Start and end, seconds since the Unix epoch, UTC (written as UTC date-times, `…Z`).
    pub start: u64,
    pub end: u64,
    /// Title, place (name and street address), and description: free text in the reader's language (may hold commas, semicolons, backslashes, newlines, accents).
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    /// A cancelled booking: STATUS:CANCELLED (and the calendar METHOD:CANCEL); otherwise STATUS:CONFIRMED, METHOD:PUBLISH.
    pub cancelled: bool,
}

/// The whole VCALENDAR text, CRLF line endings, lines folded at 75 octets (never inside a UTF-8 character).
///
/// The caller keeps `end` after `start`, as RFC 5545 asks of DTEND. An instant after the year
/// 9999 would be written with a five-digit year, which no reader accepts; no booking is that far.
pub fn ics(event: &Event<'_>) -> String {
    // METHOD tells a calendar what to do with the file: PUBLISH adds (or, at a higher SEQUENCE,
    // updates) the event of that UID; CANCEL removes it.
    let (method, status) = if event.cancelled { ("CANCEL", "CANCELLED") } else { ("PUBLISH", "CONFIRMED") };
    let mut out = String::with_capacity(512 + event.description.len() * 2);
    for (name, value) in [
        ("BEGIN", "VCALENDAR".to_owned()),
        ("VERSION", "2.0".to_owned()),
        ("PRODID", text(PRODID)),
        ("CALSCALE", "GREGORIAN".to_owned()),
        ("METHOD", method.to_owned()),
        ("BEGIN", "VEVENT".to_owned()),
        ("UID", text(event.uid)),
        ("SEQUENCE", event.sequence.to_string()),
        ("DTSTAMP", utc_date_time(event.stamp)),
        ("DTSTART", utc_date_time(event.start)),
        ("DTEND", utc_date_time(event.end)),
        ("SUMMARY", text(event.summary)),
        ("LOCATION", text(event.location)),
        ("DESCRIPTION", text(event.description)),
        ("STATUS", status.to_owned()),
        // The applicant is busy then: a free/busy lookup must not offer the slot to anything else.
        ("TRANSP", "OPAQUE".to_owned()),
        ("END", "VEVENT".to_owned()),
        ("END", "VCALENDAR".to_owned()),
    ] {
        fold(&format!("{name}:{value}"), &mut out);
    }
    out
}

/// A TEXT value escaped as RFC 5545 §3.3.11 says: backslash, semicolon and comma behind a
/// backslash, a line break as `\n`. A line break may come as CRLF, LF or a lone CR (a form
/// posted from a browser sends CRLF); each is one `\n`. Other control characters, which TEXT
/// does not allow, are dropped; a tab is kept.
fn text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len() + value.len() / 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {
                chars.next_if_eq(&'\n');
                escaped.push_str("\\n");
            }
            '\t' => escaped.push('\t'),
            c if c.is_control() && c <= '\u{7f}' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Appends one content line to `out`, folded as RFC 5545 §3.1 says: at most 75 octets a line,
/// each continuation starting with one space (which counts in its 75), every line ending in
/// CRLF. A fold never falls inside a UTF-8 character, which a reader would otherwise have to
/// put back together from two invalid halves.
fn fold(line: &str, out: &mut String) {
    let mut rest = line;
    let mut room = LINE_OCTETS;
    loop {
        if rest.len() <= room {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        // A UTF-8 character is at most 4 octets, so a boundary lies within the last 3 before
        // `room` and every line takes at least one character.
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (head, tail) = rest.split_at(cut);
        out.push_str(head);
        out.push_str("\r\n ");
        rest = tail;
        room = LINE_OCTETS - 1;
    }
}

/// Seconds since the Unix epoch as an RFC 5545 UTC DATE-TIME, `YYYYMMDDTHHMMSSZ`.
fn utc_date_time(seconds: u64) -> String {
    let (days, time) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    let mut formatted = String::with_capacity(16);
    // Writing to a String cannot fail.
    let _ = write!(formatted, "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z", time / 3600, time / 60 % 60, time % 60);
    formatted
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01: Howard
/// Hinnant's `civil_from_days` (<https://howardhinnant.github.io/date_algorithms.html>), on
/// unsigned numbers since no instant here is before the epoch. Days are counted in 400-year eras
/// from 0000-03-01, so that the leap day ends each year of the count.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let day_of_era = z % 146_097; // [0, 146096]
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // [0, 399]
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // [0, 365], from March 1
    let month_from_march = (5 * day_of_year + 2) / 153; // [0, 11]
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1; // [1, 31]
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 }; // [1, 12]
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2027-01-15T08:00:00Z, as `date -u -d @1800000000` says.
    const BOOKED_AT: u64 = 1_800_000_000;

    fn event<'a>(description: &'a str) -> Event<'a> {
        Event {
            uid: "0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b@applicant-portal",
            sequence: 0,
            stamp: BOOKED_AT - 86_400,
            start: BOOKED_AT,
            end: BOOKED_AT + 1_800,
            summary: "Biometrics appointment",
            location: "Service Centre, 123 Main St",
            description,
            cancelled: false,
        }
    }

    /// Undoes [`fold`]: RFC 5545 §3.1's unfolding, a CRLF followed by one space or tab removed.
    fn unfold(folded: &str) -> String {
        folded.replace("\r\n ", "").replace("\r\n\t", "")
    }

    /// The value of the content line named `name` in an unfolded calendar.
    fn value<'a>(unfolded: &'a str, name: &str) -> &'a str {
        let prefix = format!("{name}:");
        let mut lines = unfolded.split("\r\n").filter_map(|line| line.strip_prefix(prefix.as_str()));
        let found = lines.next().unwrap_or_else(|| panic!("no {name} line in {unfolded:?}"));
        assert_eq!(lines.next(), None, "two {name} lines in {unfolded:?}");
        found
    }

    /// Reverses [`text`], to check that escaping loses nothing.
    fn unescape(escaped: &str) -> String {
        let mut plain = String::new();
        let mut chars = escaped.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n' | 'N') => plain.push('\n'),
                    Some(other) => plain.push(other),
                    None => panic!("a lone backslash ends {escaped:?}"),
                }
            } else {
                plain.push(c);
            }
        }
        plain
    }

    #[test]
    fn the_whole_file_of_a_simple_booking() {
        let expected = "BEGIN:VCALENDAR\r\n\
            VERSION:2.0\r\n\
            PRODID:-//Applicant Portal//Appointments//EN\r\n\
            CALSCALE:GREGORIAN\r\n\
            METHOD:PUBLISH\r\n\
            BEGIN:VEVENT\r\n\
            UID:0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b@applicant-portal\r\n\
            SEQUENCE:0\r\n\
            DTSTAMP:20270114T080000Z\r\n\
            DTSTART:20270115T080000Z\r\n\
            DTEND:20270115T083000Z\r\n\
            SUMMARY:Biometrics appointment\r\n\
            LOCATION:Service Centre\\, 123 Main St\r\n\
            DESCRIPTION:Bring your passport.\r\n\
            STATUS:CONFIRMED\r\n\
            TRANSP:OPAQUE\r\n\
            END:VEVENT\r\n\
            END:VCALENDAR\r\n";
        assert_eq!(ics(&event("Bring your passport.")), expected);
    }

    #[test]
    fn text_escapes_backslash_semicolon_comma_and_newline() {
        assert_eq!(text("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
        // Already-escaped-looking input is escaped again, not taken as an escape.
        assert_eq!(text("\\n\\,"), "\\\\n\\\\\\,");
        // Colons and double quotes need no escape in a TEXT value.
        assert_eq!(text("Room: \"B\""), "Room: \"B\"");
        assert_eq!(text("Zoé, Côté"), "Zoé\\, Côté");
    }

    #[test]
    fn every_line_break_becomes_one_escaped_newline() {
        assert_eq!(text("one\r\ntwo\nthree\rfour"), "one\\ntwo\\nthree\\nfour");
        assert_eq!(text("blank\r\n\r\nline"), "blank\\n\\nline");
        assert_eq!(text("ends\r"), "ends\\n");
    }

    #[test]
    fn control_characters_are_dropped_but_a_tab_is_kept() {
        assert_eq!(text("a\u{0}b\u{7}c\u{1b}d\u{7f}e\tf"), "abcde\tf");
    }

    #[test]
    fn escaping_loses_nothing() {
        let original = "C:\\Documents; voir « Annexe A », p. 3\nFin\\";
        assert_eq!(unescape(&text(original)), original);
    }

    #[test]
    fn a_long_french_description_is_folded_within_75_octets_and_unfolds_exactly() {
        let description = "Présentez-vous 15 minutes à l’avance au Centre de service, 123 rue Principale, \
            Montréal (Québec). Apportez votre passeport, la lettre de convocation ; et, si vous en avez \
            une, votre photo d’identité récente.\nÀ noter : l’accès est réservé aux personnes convoquées. \
            Œuvres, façades, naïveté, garçon — ça déborde ! Fin\\";
        let calendar = ics(&event(description));
        let physical: Vec<&str> = calendar.strip_suffix("\r\n").expect("ends in CRLF").split("\r\n").collect();
        let description_line = physical.iter().position(|line| line.starts_with("DESCRIPTION:")).expect("DESCRIPTION");
        let continuations = physical[description_line + 1..].iter().take_while(|line| line.starts_with(' ')).count();
        assert!(continuations >= 4, "a description this long spans several lines, got {continuations} continuations");
        for (index, line) in physical.iter().enumerate() {
            assert!(line.len() <= LINE_OCTETS, "line {index} has {} octets: {line:?}", line.len());
            if (description_line..description_line + continuations).contains(&index) {
                // A folded line is cut only where the next character would not fit.
                assert!(line.len() > LINE_OCTETS - 4, "line {index} folded early ({} octets): {line:?}", line.len());
            }
        }
        let unfolded = unfold(&calendar);
        assert_eq!(value(&unfolded, "DESCRIPTION"), text(description));
        assert_eq!(unescape(value(&unfolded, "DESCRIPTION")), description);
    }

    #[test]
    fn a_fold_never_splits_a_utf8_character() {
        // "DESCRIPTION:" is 12 octets: 62 more ASCII octets put the two octets of "é" at 74 and 75,
        // straddling the limit, so the first line must end before it, at 74 octets.
        let description = format!("{}é{}", "x".repeat(62), "y".repeat(100));
        let calendar = ics(&event(&description));
        let start = calendar.find("DESCRIPTION:").expect("DESCRIPTION");
        let mut physical = calendar[start..].split("\r\n");
        let first = physical.next().expect("first line");
        let second = physical.next().expect("second line");
        assert_eq!(first.len(), 74, "{first:?}");
        assert!(first.ends_with('x'), "{first:?}");
        assert!(second.starts_with(" éy"), "{second:?}");
        assert_eq!(second.len(), 75, "{second:?}");

        // Wider characters too: every line of a description of 3- and 4-octet characters is
        // whole UTF-8, and they all come back in order.
        let wide = "€𝄞".repeat(60);
        let mut out = String::new();
        fold(&format!("DESCRIPTION:{wide}"), &mut out);
        let lines: Vec<&str> = out.split_terminator("\r\n").collect();
        let (last, full) = lines.split_last().expect("lines");
        assert!(full.len() >= 5, "{lines:?}");
        for line in full {
            assert!(line.len() <= LINE_OCTETS && line.len() > LINE_OCTETS - 4, "{} octets: {line:?}", line.len());
        }
        assert!(last.len() <= LINE_OCTETS, "{last:?}");
        assert!(lines[1..].iter().all(|line| line.starts_with(' ')), "{lines:?}");
        assert_eq!(unfold(&out), format!("DESCRIPTION:{wide}\r\n"));
    }

    #[test]
    fn a_line_of_exactly_75_octets_is_not_folded() {
        let mut out = String::new();
        fold(&"a".repeat(75), &mut out);
        assert_eq!(out, format!("{}\r\n", "a".repeat(75)));
        let mut out = String::new();
        fold(&"a".repeat(76), &mut out);
        assert_eq!(out, format!("{}\r\n a\r\n", "a".repeat(75)));
    }

    #[test]
    fn every_line_ends_in_crlf_and_nowhere_else_is_a_line_break() {
        let calendar = ics(&event("Line one\r\nline two\nline three\rline four, and a long tail ".repeat(4).as_str()));
        assert!(calendar.ends_with("\r\n"));
        let bytes = calendar.as_bytes();
        for (index, byte) in bytes.iter().enumerate() {
            match byte {
                b'\r' => assert_eq!(bytes.get(index + 1), Some(&b'\n'), "a CR without LF at {index}"),
                b'\n' => assert_eq!(index.checked_sub(1).map(|i| bytes[i]), Some(b'\r'), "an LF without CR at {index}"),
                _ => {}
            }
        }
    }

    #[test]
    fn the_dates_of_a_known_instant() {
        assert_eq!(utc_date_time(BOOKED_AT), "20270115T080000Z");
        assert_eq!(utc_date_time(0), "19700101T000000Z");
        assert_eq!(utc_date_time(951_782_400), "20000229T000000Z"); // a leap day of a 400-year leap
        assert_eq!(utc_date_time(4_107_542_399), "21000228T235959Z"); // 2100 is not a leap year
        assert_eq!(utc_date_time(4_107_542_400), "21000301T000000Z");
        assert_eq!(utc_date_time(253_402_300_799), "99991231T235959Z");
        let unfolded = unfold(&ics(&event("")));
        assert_eq!(value(&unfolded, "DTSTART"), "20270115T080000Z");
        assert_eq!(value(&unfolded, "DTEND"), "20270115T083000Z");
        assert_eq!(value(&unfolded, "DTSTAMP"), "20270114T080000Z");
    }

    #[test]
    fn civil_from_days_agrees_with_counting_day_by_day() {
        let leap = |year: u64| year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let (mut year, mut month, mut day) = (1970, 1, 1);
        // 1970 to past 2400: every month length, three non-leap centuries and two 400-year leaps.
        for days in 0..160_000 {
            assert_eq!(civil_from_days(days), (year, month, day), "day {days}");
            let length = match month {
                2 if leap(year) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            day += 1;
            if day > length {
                (day, month) = (1, month + 1);
                if month > 12 {
                    (month, year) = (1, year + 1);
                }
            }
        }
        assert!(year > 2400);
    }

    #[test]
    fn a_confirmed_booking_is_published() {
        let unfolded = unfold(&ics(&event("")));
        assert_eq!(value(&unfolded, "METHOD"), "PUBLISH");
        assert_eq!(value(&unfolded, "STATUS"), "CONFIRMED");
    }

    #[test]
    fn a_cancelled_booking_cancels() {
        let cancelled = Event { sequence: 2, cancelled: true, ..event("") };
        let unfolded = unfold(&ics(&cancelled));
        assert_eq!(value(&unfolded, "METHOD"), "CANCEL");
        assert_eq!(value(&unfolded, "STATUS"), "CANCELLED");
        assert_eq!(value(&unfolded, "SEQUENCE"), "2");
        assert_eq!(value(&unfolded, "UID"), event("").uid);
        assert_eq!(value(&unfolded, "TRANSP"), "OPAQUE");
    }

    #[test]
    fn the_uid_summary_and_location_are_escaped_too() {
        let special = Event {
            uid: "a,b;c@applicant-portal",
            summary: "Entrevue; étape 2, salle \\B",
            location: "Centre, 1 rue X\nMontréal",
            ..event("")
        };
        let unfolded = unfold(&ics(&special));
        assert_eq!(value(&unfolded, "UID"), "a\\,b\\;c@applicant-portal");
        assert_eq!(value(&unfolded, "SUMMARY"), "Entrevue\\; étape 2\\, salle \\\\B");
        assert_eq!(value(&unfolded, "LOCATION"), "Centre\\, 1 rue X\\nMontréal");
    }
}
