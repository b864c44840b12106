//! What a PDF must be to be accepted (U2, U3). Its first bytes saying `%PDF-` is not enough: a
//! file can start so and go on as a web page, or be a real PDF that runs scripts or carries other
//! files. So the whole file is read with a PDF parser (`lopdf`, pure Rust), and it is accepted
//! only if
//!
//! - the parser reads it and finds its catalog (a file that merely starts like a PDF, or is cut
//!   short past repair, is not one);
//! - it is not encrypted (what it holds could not be inspected, nor read by an officer);
//! - no dictionary, in any object (those packed in object streams included), holds a key that
//!   only active or embedded content uses (`/JS`, `/JavaScript`, `/EmbeddedFile(s)`, `/EF`,
//!   `/RichMedia…`, `/XFA`), nor names an action that runs or fetches something (`/S /Launch`,
//!   `/JavaScript`, `/SubmitForm`, `/ImportData`, `/GoToR`, `/GoToE`, …); so `/OpenAction` and
//!   `/AA` may only go to a page, a link or a named viewer action;
//! - no web page markup (`<html`, `<script`, …) lies outside stream data, where a viewer or a
//!   browser sniffing the file could take it for a page.
//!
//! This is not a virus scan: a PDF that exploits a bug in a viewer's handling of fonts or images
//! passes. Files are served as attachments with their verified type, `nosniff` and a name ending
//! in the verified extension, so a browser never renders one as a page.

use std::panic::{AssertUnwindSafe, catch_unwind};

use lopdf::xref::XrefEntry;
use lopdf::{Document, LoadOptions, Object};

/// Most a single stream may inflate to while the file is read: bounds the memory a small
/// crafted file can take (a 10 MiB upload's own streams stay far below it).
const MAX_STREAM_BYTES: usize = 32 * 1024 * 1024;

/// Dictionary keys only scripts, attached files, rich media and XFA forms use.
const ACTIVE_KEYS: &[&[u8]] = &[
    b"JS",
    b"JavaScript",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"EF",
    b"RichMedia",
    b"RichMediaContent",
    b"RichMediaSettings",
    b"XFA",
];

/// Action types (`/S`) that run code, open or fetch other files, send data, or play media.
const ACTIVE_ACTIONS: &[&[u8]] = &[
    b"JavaScript",
    b"Launch",
    b"SubmitForm",
    b"ImportData",
    b"GoToR",
    b"GoToE",
    b"RichMediaExecute",
    b"Rendition",
    b"Movie",
    b"Sound",
];

/// Web page markup, lowercase; none of it can occur in PDF syntax outside a string or comment.
const MARKUP: &[&[u8]] = &[b"<html", b"<script", b"<!doctype", b"<body", b"<iframe", b"<svg", b"<meta"];

/// Why a file that starts like a PDF is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdfRefusal {
    /// The parser cannot read it as a PDF.
    Unreadable,
    /// It holds scripts, attached files, rich media, an XFA form or web markup, or is encrypted.
    ActiveContent,
}

/// Checks a whole file that starts like a PDF. The parser runs behind `catch_unwind`: in builds
/// that unwind (tests, debug), a file that makes it panic is refused. Release builds abort on
/// panic (`Cargo.toml`), so there such a file ends the invocation instead: the document stays
/// pending, never verified, and `scan`'s retries end in its dead-letter queue and alarm. The
/// property tests below feed the parser damaged files to keep that case theoretical.
pub fn check(bytes: &[u8]) -> Result<(), PdfRefusal> {
    catch_unwind(AssertUnwindSafe(|| inspect(bytes))).unwrap_or(Err(PdfRefusal::Unreadable))
}

fn inspect(bytes: &[u8]) -> Result<(), PdfRefusal> {
    let options = LoadOptions { max_decompressed_size: Some(MAX_STREAM_BYTES), ..LoadOptions::default() };
    let document = Document::load_mem_with_options(bytes, options).map_err(|_| PdfRefusal::Unreadable)?;
    document.catalog().map_err(|_| PdfRefusal::Unreadable)?;
    if document.is_encrypted() || document.was_encrypted() {
        return Err(PdfRefusal::ActiveContent);
    }
    if document.objects.values().any(is_active) || has_markup_outside_streams(bytes, &document) {
        return Err(PdfRefusal::ActiveContent);
    }
    Ok(())
}

/// Whether an object, or anything nested in it, is active content. Walks with an explicit stack:
/// a deeply nested crafted object cannot overflow the call stack.
fn is_active(object: &Object) -> bool {
    let mut stack = vec![object];
    while let Some(object) = stack.pop() {
        let dictionary = match object {
            Object::Array(items) => {
                stack.extend(items);
                continue;
            }
            Object::Dictionary(dictionary) => dictionary,
            Object::Stream(stream) => &stream.dict,
            _ => continue,
        };
        for (key, value) in dictionary.iter() {
            if ACTIVE_KEYS.contains(&key.as_slice()) {
                return true;
            }
            if key == b"S"
                && let Object::Name(action) = value
                && ACTIVE_ACTIONS.contains(&action.as_slice())
            {
                return true;
            }
            stack.push(value);
        }
    }
    false
}

/// Whether web markup appears in the file's bytes outside the data of its streams (stream data
/// is compressed, or page content where such text is only text).
fn has_markup_outside_streams(bytes: &[u8], document: &Document) -> bool {
    let mut spans = stream_data(bytes, document);
    spans.sort_unstable();
    let mut position = 0;
    for (start, end) in spans.into_iter().chain([(bytes.len(), bytes.len())]) {
        let start = start.clamp(position, bytes.len());
        if has_markup(&bytes[position..start]) {
            return true;
        }
        position = end.clamp(start, bytes.len());
    }
    false
}

/// Where the data of each stream the cross-reference table points to lies in the file: after
/// the `stream` keyword and its end of line that follow the object's offset, as long as the data
/// the parser read. A span placed wrong only makes the scan look at more bytes, or other ones.
fn stream_data(bytes: &[u8], document: &Document) -> Vec<(usize, usize)> {
    let keyword = |from: usize| {
        let rest = bytes.get(from..)?;
        [&b"stream\r\n"[..], b"stream\n"]
            .iter()
            .filter_map(|k| rest.windows(k.len()).position(|w| w == *k).map(|at| from + at + k.len()))
            .min()
    };
    document
        .reference_table
        .entries
        .iter()
        .filter_map(|(number, entry)| {
            let XrefEntry::Normal { offset, generation } = entry else { return None };
            let Ok(Object::Stream(stream)) = document.get_object((*number, *generation)) else { return None };
            let start = keyword(usize::try_from(*offset).ok()?)?;
            Some((start, start.saturating_add(stream.content.len())))
        })
        .collect()
}

fn has_markup(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().filter(|(_, byte)| **byte == b'<').any(|(at, _)| {
        MARKUP.iter().any(|markup| bytes.get(at..at + markup.len()).is_some_and(|b| b.eq_ignore_ascii_case(markup)))
    })
}

#[cfg(test)]
mod tests {
    use lopdf::{Dictionary, Stream, dictionary};
    use proptest::prelude::*;

    use super::*;

    /// A one-page PDF written by the parser's own writer, its catalog extended by `extend`, saved
    /// with or without object streams (where a scanner reading raw bytes would not see keys).
    fn pdf_with(extend: impl FnOnce(&mut Document, &mut Dictionary), object_streams: bool) -> Vec<u8> {
        let mut document = Document::with_version("1.7");
        let pages_id = document.new_object_id();
        let content =
            document.add_object(Stream::new(dictionary! {}, b"BT /F1 12 Tf 72 720 Td (Passport) Tj ET".to_vec()));
        let page = document.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        document.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            }),
        );
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
        extend(&mut document, &mut catalog);
        let catalog = document.add_object(catalog);
        document.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        if object_streams {
            document.save_modern(&mut bytes).expect("saved");
        } else {
            document.save_to(&mut bytes).expect("saved");
        }
        bytes
    }

    fn clean() -> Vec<u8> {
        pdf_with(|_, _| {}, false)
    }

    #[test]
    fn u2_a_plain_pdf_is_accepted_however_it_is_saved() {
        assert_eq!(check(&clean()), Ok(()));
        assert_eq!(check(&pdf_with(|_, _| {}, true)), Ok(()));
        let to_first_page = |_: &mut Document, catalog: &mut Dictionary| {
            catalog.set("OpenAction", dictionary! { "S" => "GoTo", "D" => vec![Object::Integer(0), "Fit".into()] });
        };
        assert_eq!(check(&pdf_with(to_first_page, false)), Ok(()), "opening at the first page is not active");
    }

    #[test]
    fn u2_a_pdf_that_runs_javascript_is_refused_even_inside_object_streams() {
        let open_action = |_: &mut Document, catalog: &mut Dictionary| {
            catalog
                .set("OpenAction", dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)") });
        };
        let name_tree = |document: &mut Document, catalog: &mut Dictionary| {
            let action = document.add_object(dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("x") });
            let tree = document.add_object(dictionary! { "Names" => vec![Object::string_literal("a"), action.into()] });
            catalog.set("Names", dictionary! { "JavaScript" => tree });
        };
        let launch = |_: &mut Document, catalog: &mut Dictionary| {
            catalog.set(
                "AA",
                dictionary! { "WC" => dictionary! { "S" => "Launch", "F" => Object::string_literal("cmd.exe") } },
            );
        };
        for object_streams in [false, true] {
            assert_eq!(check(&pdf_with(open_action, object_streams)), Err(PdfRefusal::ActiveContent));
            assert_eq!(check(&pdf_with(name_tree, object_streams)), Err(PdfRefusal::ActiveContent));
            assert_eq!(check(&pdf_with(launch, object_streams)), Err(PdfRefusal::ActiveContent));
        }
    }

    #[test]
    fn u2_a_pdf_carrying_another_file_or_an_xfa_form_is_refused() {
        let attachment = |document: &mut Document, catalog: &mut Dictionary| {
            let file = document.add_object(Stream::new(dictionary! { "Type" => "EmbeddedFile" }, b"MZ\x90\0".to_vec()));
            let spec = document.add_object(dictionary! { "Type" => "Filespec", "F" => Object::string_literal("a.exe"), "EF" => dictionary! { "F" => file } });
            let tree =
                document.add_object(dictionary! { "Names" => vec![Object::string_literal("a.exe"), spec.into()] });
            catalog.set("Names", dictionary! { "EmbeddedFiles" => tree });
        };
        let xfa = |document: &mut Document, catalog: &mut Dictionary| {
            let form = document.add_object(Stream::new(dictionary! {}, b"<xdp:xdp/>".to_vec()));
            catalog.set("AcroForm", dictionary! { "Fields" => Vec::<Object>::new(), "XFA" => form });
        };
        assert_eq!(check(&pdf_with(attachment, false)), Err(PdfRefusal::ActiveContent));
        assert_eq!(check(&pdf_with(xfa, true)), Err(PdfRefusal::ActiveContent));
    }

    #[test]
    fn u2_a_web_page_behind_a_pdf_header_is_refused() {
        assert_eq!(check(b"%PDF-1.7\n<html><script>alert(1)</script></html>"), Err(PdfRefusal::Unreadable));
        let mut polyglot = b"%PDF-1.7\n%<HTML><SCRIPT>alert(1)</SCRIPT>\n".to_vec();
        polyglot.extend_from_slice(&clean()[b"%PDF-1.7\n".len()..]);
        assert_eq!(check(&polyglot), Err(PdfRefusal::ActiveContent), "markup in a comment of a readable PDF");
    }

    #[test]
    fn u2_page_text_that_reads_like_markup_is_not_markup() {
        let text = |document: &mut Document, catalog: &mut Dictionary| {
            let content = document.add_object(Stream::new(dictionary! {}, b"BT (<html> <script>) Tj ET".to_vec()));
            catalog.set("Extra", content);
        };
        assert_eq!(check(&pdf_with(text, false)), Ok(()));
    }

    #[test]
    fn u2_truncated_empty_or_garbled_files_are_unreadable_and_never_panic() {
        let clean = clean();
        assert_eq!(check(&clean[..clean.len() / 2]), Err(PdfRefusal::Unreadable));
        assert_eq!(check(b"%PDF-"), Err(PdfRefusal::Unreadable));
        assert_eq!(check(b""), Err(PdfRefusal::Unreadable));
        // Every prefix and a spread of one-byte corruptions: refused or accepted, never a panic
        // (`check` would turn one into `Unreadable`, so run the parser bare here).
        for end in (0..clean.len()).step_by(7) {
            let _ = inspect(&clean[..end]);
        }
        for at in (0..clean.len()).step_by(5) {
            let mut garbled = clean.clone();
            garbled[at] ^= 0xA5;
            let _ = inspect(&garbled);
        }
    }

    proptest! {
        #[test]
        fn u2_damaged_pdfs_never_panic_the_parser(
            object_streams in any::<bool>(),
            cut in any::<prop::sample::Index>(),
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        ) {
            let mut bytes = pdf_with(|_, _| {}, object_streams);
            for (at, byte) in flips {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            bytes.truncate(cut.index(bytes.len()) + 1);
            // Bare, without `check`'s `catch_unwind`: a panic fails the test.
            let _ = inspect(&bytes);
        }
    }
}
