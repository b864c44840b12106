//! The receipt PDF as its readers meet it: the text Debian's `pdftotext` extracts, the portal's
//! own upload check, and the catalog a screen reader starts from (tags, language, fonts).

use std::path::PathBuf;
use std::process::Command;

use lopdf::{Document, Object, decode_text_string};
use portal_domain::profile::Language;
use portal_domain::receipts::{Receipt, ReceiptLine, ReceiptRefund, ReceiptTexts};
use portal_receipt_pdf::{RenderError, render};

/// 2026-12-01 and 2026-12-03, UTC.
const PAID_AT: u64 = 1_796_083_200;
const REFUNDED_AT: u64 = 1_796_256_000;

fn receipt(language: Language, refunds: Vec<ReceiptRefund>) -> Receipt {
    let (processing, biometrics, application_type) = match language {
        Language::En => ("Processing fee", "Biometrics fee", "Work permit"),
        Language::Fr => ("Frais de traitement", "Frais de biométrie", "Permis de travail"),
    };
    let lines = vec![
        ReceiptLine { label: processing.to_owned(), amount_cents: 10_000 },
        ReceiptLine { label: biometrics.to_owned(), amount_cents: 8_500 },
    ];
    let total_cents = lines.iter().map(|line| line.amount_cents).sum();
    let net_cents = total_cents - refunds.iter().map(|refund| refund.amount_cents).sum::<u64>();
    Receipt {
        language,
        payment_id: "0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b".to_owned(),
        processor_reference: Some("pi_3QxYz2AbCdEf".to_owned()),
        application_number: Some("W-2026-000123".to_owned()),
        application_type: application_type.to_owned(),
        payer: "Zoé Côté-Tremblay".to_owned(),
        paid_at: PAID_AT,
        lines,
        total_cents,
        refunds,
        net_cents,
        texts: ReceiptTexts::new(language),
    }
}

/// Writes the PDF where cargo keeps test files (left there to be opened by hand).
fn save(bytes: &[u8], name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("receipt-{name}.pdf"));
    std::fs::write(&path, bytes).expect("PDF written");
    path
}

/// `pdftotext` on the file, with `args` before it; a missing tool fails the test, never skips it.
fn pdftotext(path: &PathBuf, args: &[&str]) -> String {
    let output = Command::new("pdftotext").args(args).arg(path).arg("-").output().unwrap_or_else(|error| {
        panic!("cannot run pdftotext ({error}): install Debian's poppler-utils (apt-get install -y poppler-utils)")
    });
    assert!(output.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("pdftotext writes UTF-8")
}

/// Text with every run of white space (no-break spaces, which pdftotext may keep or not,
/// line ends and column gaps included) as one space, so wrapped or spaced text compares.
fn normalised(text: &str) -> String {
    text.split(|c: char| c.is_whitespace()).filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ")
}

fn assert_reads(text: &str, expected: &[&str]) {
    let text = normalised(text);
    for expected in expected {
        assert!(text.contains(&normalised(expected)), "{expected:?} not in the extracted text:\n{text}");
    }
}

/// The catalog says the file is tagged and in `lang`, and a font program is embedded.
fn assert_tagged(bytes: &[u8], lang: &str) {
    let document = Document::load_mem(bytes).expect("lopdf reads the receipt");
    let catalog = document.catalog().expect("a catalog");
    let Ok(Object::Dictionary(mark_info)) = catalog.get_deref(b"MarkInfo", &document) else {
        panic!("no /MarkInfo in {catalog:?}")
    };
    assert!(matches!(mark_info.get(b"Marked"), Ok(Object::Boolean(true))), "{mark_info:?}");
    assert!(catalog.has(b"StructTreeRoot"), "no /StructTreeRoot");
    let document_lang = catalog.get_deref(b"Lang", &document).and_then(decode_text_string).expect("a /Lang");
    assert_eq!(document_lang, lang);
    let embeds_a_font = document.objects.values().any(|object| match object {
        Object::Dictionary(dictionary) => dictionary.has(b"FontFile2") || dictionary.has(b"FontFile3"),
        _ => false,
    });
    assert!(embeds_a_font, "no /FontFile2 or /FontFile3");
}

fn title(bytes: &[u8]) -> String {
    let document = Document::load_mem(bytes).expect("lopdf reads the receipt");
    let info = document.trailer.get_deref(b"Info", &document).expect("an /Info dictionary");
    let Object::Dictionary(info) = info else { panic!("/Info is {info:?}") };
    info.get_deref(b"Title", &document).and_then(decode_text_string).expect("a /Title")
}

#[test]
fn an_english_receipt_reads_as_written_and_passes_the_upload_check() {
    // GIVEN a receipt in English with two fees and no refund
    let receipt = receipt(Language::En, Vec::new());

    // WHEN it is rendered
    let bytes = render(&receipt).expect("rendered");

    // THEN its text, title, check and tags are as expected
    let text = pdftotext(&save(&bytes, "en"), &["-layout"]);
    assert_reads(
        &text,
        &[
            "Applicant portal, Immigration services",
            "Payment receipt",
            "Application number W-2026-000123",
            "Application Work permit",
            "Paid by Zoé Côté-Tremblay",
            "Date paid December 1, 2026",
            "Payment reference 0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b",
            "Processor reference pi_3QxYz2AbCdEf",
            "Fee Amount (CAD)",
            "Processing fee $100.00",
            "Biometrics fee $85.00",
            "Total paid $185.00",
            "These fees are not subject to GST, HST or any other tax.",
        ],
    );
    assert!(!normalised(&text).contains("Refunded"), "no refund, no refund line");
    assert_eq!(portal_domain::pdf::check(&bytes), Ok(()));
    assert_tagged(&bytes, "en");
    assert_eq!(title(&bytes), "Payment receipt – 0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b");
}

#[test]
fn a_french_receipt_with_a_refund_shows_its_accents_the_refund_and_the_net() {
    // GIVEN a receipt in French whose biometrics fee was refunded
    let receipt = receipt(Language::Fr, vec![ReceiptRefund { at: REFUNDED_AT, amount_cents: 8_500 }]);

    // WHEN it is rendered
    let bytes = render(&receipt).expect("rendered");

    // THEN accents, amounts as French writes them, the refund and the net are all there
    let text = pdftotext(&save(&bytes, "fr"), &["-layout"]);
    assert_reads(
        &text,
        &[
            "Portail des demandeurs, Services d’immigration",
            "Reçu de paiement",
            "Numéro de demande W-2026-000123",
            "Payé par Zoé Côté-Tremblay",
            "Date du paiement 1er décembre 2026",
            "Frais de traitement 100,00 $",
            "Frais de biométrie 85,00 $",
            "Total payé 185,00 $",
            "Remboursé (3 décembre 2026) 85,00 $",
            "Payé après remboursements 100,00 $",
            "Ces frais ne sont assujettis ni à la TPS, ni à la TVH, ni à aucune autre taxe.",
        ],
    );
    assert_eq!(portal_domain::pdf::check(&bytes), Ok(()));
    assert_tagged(&bytes, "fr");
    assert_eq!(title(&bytes), "Reçu de paiement – 0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b");
}

#[test]
fn long_texts_wrap_inside_the_page_and_nothing_is_cut() {
    // GIVEN a fee label, a payer and a reference far wider than their columns
    let mut receipt = receipt(Language::Fr, Vec::new());
    let label = "Frais de biométrie pour chaque membre de la famille qui accompagne le demandeur principal au Canada";
    receipt.lines[1].label = label.to_owned();
    receipt.payer = "Marie-Ève Anne-Sophie Geneviève Élisabeth Côté-Tremblay-Beauchemin-Desrosiers".to_owned();
    receipt.processor_reference = Some("pi_".to_owned() + &"0123456789".repeat(8));

    // WHEN it is rendered
    let bytes = render(&receipt).expect("rendered");

    // THEN every word lies left of the right margin, and every text is there whole
    let path = save(&bytes, "long");
    let boxes = pdftotext(&path, &["-bbox"]);
    let right_edges: Vec<f32> = boxes
        .split("xMax=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().and_then(|value| value.parse().ok()).expect("a number"))
        .collect();
    assert!(right_edges.len() > 40, "words found: {}", right_edges.len());
    assert!(right_edges.iter().all(|&x| x <= 612.0 - 72.0 + 0.5), "a word passes the margin: {right_edges:?}");
    let text = normalised(&pdftotext(&path, &[]));
    assert!(text.contains(&normalised(label)) && text.contains("Desrosiers"), "{text}");
    assert!(text.replace(' ', "").contains(&receipt.processor_reference.expect("set")), "{text}");
}

#[test]
fn a_character_the_fonts_lack_or_a_receipt_longer_than_a_page_is_refused() {
    // Latin names beyond French are written (Latin Extended and combining accents are in).
    let mut polish = receipt(Language::En, Vec::new());
    polish.payer = "Łukasz Żółć, Nguyễn Văn An".to_owned();
    let path = save(&render(&polish).expect("rendered"), "latin-names");
    assert_reads(&pdftotext(&path, &["-layout"]), &["Łukasz Żółć, Nguyễn Văn An"]);
    let mut other_script = receipt(Language::En, Vec::new());
    other_script.payer = "王芳".to_owned();
    assert!(matches!(render(&other_script), Err(RenderError::UnsupportedCharacter('王'))));

    let mut long = receipt(Language::En, Vec::new());
    long.lines = (0..60).map(|i| ReceiptLine { label: format!("Fee {i}"), amount_cents: 100 }).collect();
    assert!(matches!(render(&long), Err(RenderError::TooLong)));
}
