//! Payment receipts as PDF: one Letter page in the receipt's language, its fonts embedded
//! (Noto Sans, Latin subset), tagged for screen readers and checked by krilla against PDF/UA-1
//! (document title and language, headings, tables with header cells, every glyph mapped to
//! text). What the receipt says comes from `portal_domain::receipts`, so the PDF and the JSON
//! answer say the same.

mod fonts;
mod layout;

use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::tagging::{TableHeaderScope, TagTree};
use krilla::{Document, SerializeSettings};
use portal_domain::profile::Language;
use portal_domain::receipts::{Receipt, date, money};

use crate::layout::{Cell, Column, Layout, PAGE_HEIGHT, PAGE_WIDTH, Style};

/// Why a receipt could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A text holds a character the embedded fonts have no glyph for.
    #[error("the receipt's fonts have no glyph for {0:?}")]
    UnsupportedCharacter(char),
    /// The receipt does not fit on its one page.
    #[error("the receipt does not fit on one page")]
    TooLong,
    /// krilla could not write the PDF, or found it falls short of PDF/UA-1.
    #[error("the receipt's PDF could not be written")]
    Pdf(#[source] KrillaError),
}

/// The receipt as a one-page, tagged PDF.
pub fn render(receipt: &Receipt) -> Result<Vec<u8>, RenderError> {
    let layout = lay_out(receipt)?;
    let title = format!("{} – {}", receipt.texts.title, receipt.payment_id);
    let lang = match receipt.language {
        Language::En => "en",
        Language::Fr => "fr",
    };

    // PDF/UA-1 makes krilla refuse a document without a title, a language or an outline, and
    // any glyph a screen reader could not read out.
    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .expect("PDF/UA-1 alone allows PDF 1.4 to 1.7, so a version exists");
    let mut document = Document::new_with(SerializeSettings { configuration, ..SerializeSettings::default() });
    document.set_metadata(Metadata::new().title(title.clone()).language(lang.to_owned()));
    let letter = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("Letter is finite and not empty");
    let mut page = document.start_page_with(letter);
    let mut surface = page.surface();
    let nodes = layout.draw(&mut surface);
    surface.finish();
    page.finish();

    let mut tree = TagTree::new().with_lang(Some(lang.to_owned()));
    for node in nodes {
        tree.push(node);
    }
    document.set_tag_tree(tree);
    let mut outline = Outline::new();
    outline.push_child(OutlineNode::new(title, XyzDestination::new(0, Point::from_xy(0.0, 0.0))));
    document.set_outline(outline);
    document.finish().map_err(RenderError::Pdf)
}

/// What the receipt shows, top to bottom.
fn lay_out(receipt: &Receipt) -> Result<Layout, RenderError> {
    let (texts, language) = (&receipt.texts, receipt.language);
    let amount = |cents| money(cents, language);
    let mut page = Layout::new();
    page.paragraph(&texts.issuer, Style::SMALL)?;
    page.space(6.0);
    page.heading(&texts.title)?;
    page.rule();

    let details = [
        receipt.application_number.as_ref().map(|number| (&texts.application_number, number.clone())),
        Some((&texts.application, receipt.application_type.clone())),
        Some((&texts.payer, receipt.payer.clone())),
        Some((&texts.paid_at, date(receipt.paid_at, language))),
        Some((&texts.reference, receipt.payment_id.clone())),
        receipt.processor_reference.as_ref().map(|reference| (&texts.processor_reference, reference.clone())),
    ];
    page.table();
    for (label, value) in details.into_iter().flatten() {
        page.row(vec![
            cell(label, Style::STRONG, Column::LABEL, Some(TableHeaderScope::Row)),
            cell(&value, Style::BODY, Column::VALUE, None),
        ])?;
    }

    page.space(18.0);
    page.table();
    page.row(vec![
        cell(&texts.fee, Style::STRONG, Column::ITEM, Some(TableHeaderScope::Column)),
        cell(&texts.amount, Style::STRONG, Column::AMOUNT, Some(TableHeaderScope::Column)),
    ])?;
    page.rule();
    for line in &receipt.lines {
        page.row(vec![
            cell(&line.label, Style::BODY, Column::ITEM, None),
            cell(&amount(line.amount_cents), Style::BODY, Column::AMOUNT, None),
        ])?;
    }
    page.rule();
    let total = |page: &mut Layout, label: &str, cents| {
        page.row(vec![
            cell(label, Style::STRONG, Column::ITEM, Some(TableHeaderScope::Row)),
            cell(&amount(cents), Style::STRONG, Column::AMOUNT, None),
        ])
    };
    total(&mut page, &texts.total, receipt.total_cents)?;
    for refund in &receipt.refunds {
        let label = format!("{} ({})", texts.refunded, date(refund.at, language));
        page.row(vec![
            cell(&label, Style::BODY, Column::ITEM, Some(TableHeaderScope::Row)),
            cell(&amount(refund.amount_cents), Style::BODY, Column::AMOUNT, None),
        ])?;
    }
    if !receipt.refunds.is_empty() {
        total(&mut page, &texts.net, receipt.net_cents)?;
    }

    page.space(18.0);
    page.paragraph(&texts.no_tax, Style::BODY)?;
    Ok(page)
}

fn cell(text: &str, style: Style, column: Column, header: Option<TableHeaderScope>) -> Cell {
    Cell { text: text.to_owned(), style, column, header }
}
