"""Reads an .ics file with Python's `icalendar` package and prints, as JSON, what it found.

The Rust test `parses.rs` writes the file with `portal_calendar::ics` and compares each value
with what it wrote: a parser nobody here wrote is the check that the escaping, folding and dates
are what other calendars read.

Usage: parse_ics.py FILE.ics
"""

import json
import sys
from datetime import datetime, timezone

try:
    import icalendar
except ImportError:
    sys.exit("Python's icalendar package is not in this interpreter: run `make venv`")


def utc(prop):
    """A DATE-TIME as ISO 8601 UTC (`…Z`); anything else (a date, a floating or zoned time) fails."""
    value = prop.dt
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset().total_seconds() != 0:
        sys.exit(f"not a UTC date-time: {value!r}")
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main(path):
    with open(path, "rb") as file:
        calendar = icalendar.Calendar.from_ical(file.read())
    events = calendar.walk("VEVENT")
    if len(events) != 1:
        sys.exit(f"expected one VEVENT, found {len(events)}")
    event = events[0]
    print(
        json.dumps(
            {
                "icalendar": icalendar.__version__,
                # What the parser tolerated but found wrong: the test wants none.
                "errors": [list(error) for component in calendar.walk() for error in component.errors],
                "version": str(calendar["VERSION"]),
                "prodid": str(calendar["PRODID"]),
                "calscale": str(calendar["CALSCALE"]),
                "method": str(calendar["METHOD"]),
                "uid": str(event["UID"]),
                "sequence": int(event["SEQUENCE"]),
                "dtstamp": utc(event["DTSTAMP"]),
                "dtstart": utc(event["DTSTART"]),
                "dtend": utc(event["DTEND"]),
                "summary": str(event["SUMMARY"]),
                "location": str(event["LOCATION"]),
                "description": str(event["DESCRIPTION"]),
                "status": str(event["STATUS"]),
                "transp": str(event["TRANSP"]),
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
