//! Rules of uploaded documents: the kinds of file accepted, how a file is recognized from its
//! first bytes (never from its name or declared type alone), and how a file name sent by a
//! browser is kept — only as sanitized metadata, never as a storage key (U2, U3).

use serde::{Deserialize, Serialize};

/// Largest file accepted: 10 MiB.
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// Longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 120;
/// Name kept when nothing usable is left of the one sent.
const FALLBACK_NAME: &str = "document";

/// The kinds of file the portal accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
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
}

/// Checks a stored upload against what was declared: its first bytes must show the declared
/// kind and its size must be the declared size.
pub fn verify(declared: FileKind, declared_size: u64, stored_size: u64, head: &[u8]) -> Result<(), QuarantineReason> {
    if stored_size == 0 {
        return Err(QuarantineReason::Empty);
    }
    if stored_size != declared_size {
        return Err(QuarantineReason::SizeMismatch);
    }
    match FileKind::sniff(head) {
        Some(kind) if kind == declared => Ok(()),
        _ => Err(QuarantineReason::ContentMismatch),
    }
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
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
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
        assert_eq!(verify(FileKind::Pdf, 8, 8, b"%PDF-1.7"), Ok(()));
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
    }
}
