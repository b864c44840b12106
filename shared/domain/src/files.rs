//! Rules of uploaded documents: the kinds of file accepted, how a file is recognized from its
//! first bytes (never from its name or declared type alone) and a PDF from the whole file
//! (`pdf`), and how a file name sent by a browser is kept — only as sanitized metadata, never
//! as a storage key — and given back, with the extension of the verified kind (U2, U3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::pdf::{self, PdfRefusal};

/// Largest file accepted: 10 MiB.
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// Longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Name kept when nothing usable is left of the one sent.
const FALLBACK_NAME: &str = "document";
/// Bytes read from the start of an image to recognize its kind.
const SNIFF_BYTES: usize = 16;

/// The kinds of file the portal accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// PDF document.
    Pdf,
    /// JPEG image.
    Jpeg,
    /// PNG image.
    Png,
}

impl FileKind {
    /// The kind declared by a content type, if accepted.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        match content_type.trim().to_ascii_lowercase().as_str() {
            "application/pdf" => Some(FileKind::Pdf),
            "image/jpeg" => Some(FileKind::Jpeg),
            "image/png" => Some(FileKind::Png),
            _ => None,
        }
    }

    /// The content type it is stored and served with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    /// The extension a file of this kind is downloaded with.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }

    /// Every extension a file of this kind may have.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Png => &["png"],
        }
    }

    /// How much of a stored file [`verify`] needs: the first bytes of an image, all of a PDF
    /// (which can start right and go on as something else).
    pub fn bytes_to_verify(self) -> usize {
        match self {
            FileKind::Pdf => usize::try_from(MAX_UPLOAD_BYTES).unwrap_or(usize::MAX),
            FileKind::Jpeg | FileKind::Png => SNIFF_BYTES,
        }
    }

    /// The kind the first bytes of a file show, if any accepted kind.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else {
            None
        }
    }
}

/// Why an uploaded file stays in quarantine, in terms its applicant can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[serde(rename_all = "kebab-case")]
pub enum QuarantineReason {
    /// The content is not the declared kind (a renamed executable, a wrong file...).
    #[error("the file's content is not the declared type")]
    ContentMismatch,
    /// The stored size differs from the declared one.
    #[error("the file's size is not the declared size")]
    SizeMismatch,
    /// The file is empty.
    #[error("the file is empty")]
    Empty,
    /// A PDF holding scripts, attached files, rich media, an XFA form or web markup, or
    /// encrypted (`pdf` says why each is refused).
    #[error("the PDF holds scripts, attachments, an XFA form or encryption")]
    ActiveContent,
}

/// Checks a stored upload against what was declared: its size must be the declared size, its
/// first bytes must show the declared kind, and a PDF must pass [`pdf::check`]. `content` is
/// the file's start as [`FileKind::bytes_to_verify`] says (all of it for a PDF).
pub fn verify(
    declared: FileKind,
    declared_size: u64,
    stored_size: u64,
    content: &[u8],
) -> Result<(), QuarantineReason> {
    if stored_size == 0 {
        return Err(QuarantineReason::Empty);
    }
    if stored_size != declared_size {
        return Err(QuarantineReason::SizeMismatch);
    }
    match FileKind::sniff(content) {
        Some(FileKind::Pdf) if declared == FileKind::Pdf => pdf::check(content).map_err(|refusal| match refusal {
            PdfRefusal::Unreadable => QuarantineReason::ContentMismatch,
            PdfRefusal::ActiveContent => QuarantineReason::ActiveContent,
        }),
        Some(kind) if kind == declared => Ok(()),
        _ => Err(QuarantineReason::ContentMismatch),
    }
}

/// The name a verified file is downloaded under (U3): the kept name, with the extension of the
/// kind its content was verified to be, so what the name claims is what the file is. The last
/// extension is dropped unless it is already the verified one, then the verified one is added
/// unless the name already ends with it: `photo.html` → `photo.pdf`, `report.pdf.exe` →
/// `report.pdf`, `scan` → `scan.pdf`, `photo.JPEG` stays. The result is a sanitized name.
pub fn download_name(kept: &str, kind: FileKind) -> String {
    let name = sanitize_file_name(kept);
    let is_verified = |extension: &str| kind.extensions().iter().any(|e| extension.eq_ignore_ascii_case(e));
    let stem = match name.rsplit_once('.') {
        Some((_, extension)) if is_verified(extension) => return name,
        Some((stem, _)) => stem,
        None => name.as_str(),
    };
    if stem.rsplit_once('.').is_some_and(|(rest, extension)| !rest.is_empty() && is_verified(extension)) {
        return stem.trim_end().to_owned();
    }
    let suffix = format!(".{}", kind.extension());
    let stem: String = stem.chars().take(MAX_NAME_CHARS - suffix.len()).collect();
    sanitize_file_name(&format!("{}{suffix}", stem.trim_end()))
}

/// The name a browser sent, made safe to keep and to show (and to put in a download's
/// `Content-Disposition`): its last path component only, letters, digits and a few
/// punctuation marks, no leading dots, at most 120 characters.
pub fn sanitize_file_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') { c } else { '_' })
        .collect();
    // Dots and spaces together: `" . .x"` must not keep a leading dot behind a space.
    let trimmed = cleaned.trim_start_matches(['.', ' ']).trim_end();
    let shortened: String = trimmed.chars().take(MAX_NAME_CHARS).collect();
    let shortened = shortened.trim_end();
    if shortened.chars().all(|c| c == '_' || c == '.') { FALLBACK_NAME.to_owned() } else { shortened.to_owned() }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn u2_files_are_known_by_their_first_bytes() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(FileKind::Png));
        assert_eq!(FileKind::sniff(b"MZ\x90\0"), None, "a Windows executable");
        assert_eq!(FileKind::sniff(b"\x7fELF"), None, "a Linux executable");
        assert_eq!(FileKind::sniff(b""), None);
    }

    #[test]
    fn u2_a_renamed_executable_stays_in_quarantine() {
        assert_eq!(verify(FileKind::Pdf, 4, 4, b"MZ\x90\0"), Err(QuarantineReason::ContentMismatch));
        assert_eq!(verify(FileKind::Png, 8, 8, b"%PDF-1.7"), Err(QuarantineReason::ContentMismatch));
        assert_eq!(verify(FileKind::Pdf, 9, 8, b"%PDF-1.7"), Err(QuarantineReason::SizeMismatch));
        assert_eq!(verify(FileKind::Pdf, 0, 0, b""), Err(QuarantineReason::Empty));
        assert_eq!(verify(FileKind::Png, 8, 8, b"\x89PNG\r\n\x1a\n"), Ok(()));
    }

    #[test]
    fn u2_a_pdf_header_alone_does_not_make_a_pdf() {
        let page = b"%PDF-1.7\n<html><script>alert(1)</script></html>";
        assert_eq!(
            verify(FileKind::Pdf, page.len() as u64, page.len() as u64, page),
            Err(QuarantineReason::ContentMismatch)
        );
        assert_eq!(FileKind::Pdf.bytes_to_verify() as u64, MAX_UPLOAD_BYTES, "the whole of the largest upload");
        assert_eq!(FileKind::Jpeg.bytes_to_verify(), SNIFF_BYTES);
    }

    #[test]
    fn u3_the_download_name_ends_with_the_verified_extension() {
        assert_eq!(download_name("photo.html", FileKind::Pdf), "photo.pdf");
        assert_eq!(download_name("report.pdf.exe", FileKind::Pdf), "report.pdf");
        assert_eq!(download_name("scan", FileKind::Pdf), "scan.pdf");
        assert_eq!(download_name("passeport été.PDF", FileKind::Pdf), "passeport été.PDF");
        assert_eq!(download_name("photo.JPEG", FileKind::Jpeg), "photo.JPEG");
        assert_eq!(download_name("photo.jpeg", FileKind::Png), "photo.png");
        assert_eq!(download_name("my.file.v2", FileKind::Jpeg), "my.file.jpg");
        assert_eq!(download_name("..", FileKind::Png), "document.png");
        let long = format!("{}.html", "a".repeat(200));
        assert_eq!(download_name(&long, FileKind::Pdf), format!("{}.pdf", "a".repeat(MAX_NAME_CHARS - 4)));
    }

    #[test]
    fn only_pdf_jpeg_and_png_are_accepted() {
        assert_eq!(FileKind::from_content_type("Application/PDF"), Some(FileKind::Pdf));
        assert_eq!(FileKind::from_content_type("image/gif"), None);
        assert_eq!(FileKind::from_content_type("application/x-msdownload"), None);
    }

    #[test]
    fn u3_path_tricks_leave_only_a_plain_name() {
        assert_eq!(sanitize_file_name("../../x"), "x");
        assert_eq!(sanitize_file_name("..\\..\\windows\\system.ini"), "system.ini");
        assert_eq!(sanitize_file_name(".."), FALLBACK_NAME);
        assert_eq!(sanitize_file_name(".bashrc"), "bashrc");
        assert_eq!(sanitize_file_name("passeport été 2026.pdf"), "passeport été 2026.pdf");
        assert_eq!(sanitize_file_name("a\"; filename=evil.exe\r\n.pdf"), "a__ filename_evil.exe__.pdf");
        assert_eq!(sanitize_file_name(""), FALLBACK_NAME);
    }

    #[test]
    fn u3_dots_behind_spaces_are_leading_dots_too() {
        // Found by the `file_names` fuzz target: trimming spaces, then dots, then spaces again
        // kept ". )".
        assert_eq!(sanitize_file_name(" .  . )"), ")");
        assert_eq!(sanitize_file_name(". .bashrc"), "bashrc");
    }

    proptest! {
        #[test]
        fn sanitized_names_are_safe_and_stable(sent in any::<String>()) {
            let name = sanitize_file_name(&sent);
            prop_assert!(!name.is_empty() && name.chars().count() <= MAX_NAME_CHARS);
            prop_assert!(!name.contains('/') && !name.contains('\\') && !name.contains('"'));
            prop_assert!(!name.chars().any(char::is_control));
            prop_assert!(!name.starts_with('.'));
            prop_assert_eq!(sanitize_file_name(&name), name.clone(), "sanitizing twice changes nothing");
        }

        #[test]
        fn u3_download_names_are_sanitized_and_end_with_the_verified_extension(sent in any::<String>()) {
            for kind in [FileKind::Pdf, FileKind::Jpeg, FileKind::Png] {
                let name = download_name(&sent, kind);
                prop_assert_eq!(sanitize_file_name(&name), name.clone());
                let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
                prop_assert!(extension.is_some_and(|e| kind.extensions().contains(&e.as_str())), "{name}");
            }
        }
    }
}
