//! Placing a receipt's texts on one Letter page, then drawing them, each into the tag (heading,
//! paragraph, table cell) a screen reader reads it by. Everything is placed before anything is
//! drawn, so a receipt that cannot be set (a missing glyph, too long for the page) fails before
//! krilla holds a half-drawn page.

use std::num::NonZeroU16;

use krilla::geom::{PathBuilder, Point};
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag, Node, SpanTag, TableHeaderScope, Tag, TagGroup, TagKind};

use crate::RenderError;
use crate::fonts::Face;

/// US Letter, in points.
pub(crate) const PAGE_WIDTH: f32 = 612.0;
pub(crate) const PAGE_HEIGHT: f32 = 792.0;
const MARGIN: f32 = 72.0;
const RIGHT: f32 = PAGE_WIDTH - MARGIN;
/// Space between the rows of a table.
const ROW_GAP: f32 = 4.0;

/// How a text is set.
#[derive(Clone, Copy)]
pub(crate) struct Style {
    bold: bool,
    size: f32,
}

impl Style {
    pub(crate) const TITLE: Self = Self { bold: true, size: 20.0 };
    pub(crate) const BODY: Self = Self { bold: false, size: 11.0 };
    pub(crate) const STRONG: Self = Self { bold: true, size: 11.0 };
    pub(crate) const SMALL: Self = Self { bold: false, size: 10.0 };

    /// Baseline to baseline.
    fn leading(self) -> f32 {
        self.size * 1.35
    }
}

/// A column of the page: where it starts, how wide it is, and which edge its lines keep to.
#[derive(Clone, Copy)]
pub(crate) struct Column {
    x: f32,
    width: f32,
    right_aligned: bool,
}

impl Column {
    pub(crate) const FULL: Self = Self { x: MARGIN, width: RIGHT - MARGIN, right_aligned: false };
    /// Label and value of the details.
    pub(crate) const LABEL: Self = Self { x: MARGIN, width: 160.0, right_aligned: false };
    pub(crate) const VALUE: Self = Self { x: MARGIN + 170.0, width: RIGHT - MARGIN - 170.0, right_aligned: false };
    /// What was paid, and its amount: wide enough for any amount `money` writes, 2^64 cents
    /// included, so an amount is never cut.
    pub(crate) const ITEM: Self = Self { x: MARGIN, width: RIGHT - MARGIN - 180.0, right_aligned: false };
    pub(crate) const AMOUNT: Self = Self { x: RIGHT - 170.0, width: 170.0, right_aligned: true };
}

/// A cell to set: its text, and whether it heads its row or its column.
pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) style: Style,
    pub(crate) column: Column,
    pub(crate) header: Option<TableHeaderScope>,
}

/// A text set on the page: each line and where its baseline starts.
struct Text {
    style: Style,
    lines: Vec<(Point, String)>,
}

enum Block {
    Heading(Text),
    Paragraph(Text),
    /// Rows of cells, each a header (`Some`) or a data cell.
    Table(Vec<Vec<(Option<TableHeaderScope>, Text)>>),
}

/// The page being set, from the top down.
pub(crate) struct Layout {
    regular: Face,
    bold: Face,
    y: f32,
    blocks: Vec<Block>,
    /// Where rules run across the page: layout only, so not in the tag tree.
    rules: Vec<f32>,
}

impl Layout {
    pub(crate) fn new() -> Self {
        Self { regular: Face::regular(), bold: Face::bold(), y: MARGIN, blocks: Vec::new(), rules: Vec::new() }
    }

    pub(crate) fn heading(&mut self, text: &str) -> Result<(), RenderError> {
        let text = self.set(text, Style::TITLE, Column::FULL)?;
        self.y += text.height();
        self.blocks.push(Block::Heading(text));
        Ok(())
    }

    pub(crate) fn paragraph(&mut self, text: &str, style: Style) -> Result<(), RenderError> {
        let text = self.set(text, style, Column::FULL)?;
        self.y += text.height();
        self.blocks.push(Block::Paragraph(text));
        Ok(())
    }

    /// Starts a table: the rows that follow belong to it.
    pub(crate) fn table(&mut self) {
        self.blocks.push(Block::Table(Vec::new()));
    }

    /// A row of the table last started, as tall as its tallest cell.
    pub(crate) fn row(&mut self, cells: Vec<Cell>) -> Result<(), RenderError> {
        let cells = cells
            .into_iter()
            .map(|cell| Ok((cell.header, self.set(&cell.text, cell.style, cell.column)?)))
            .collect::<Result<Vec<_>, RenderError>>()?;
        self.y += cells.iter().map(|(_, text)| text.height()).fold(0.0, f32::max) + ROW_GAP;
        match self.blocks.last_mut() {
            Some(Block::Table(rows)) => rows.push(cells),
            _ => self.blocks.push(Block::Table(vec![cells])),
        }
        Ok(())
    }

    /// A thin rule across the page, then some space.
    pub(crate) fn rule(&mut self) {
        self.y += ROW_GAP;
        self.rules.push(self.y);
        self.y += ROW_GAP * 2.0;
    }

    pub(crate) fn space(&mut self, points: f32) {
        self.y += points;
    }

    fn face(&self, style: Style) -> &Face {
        if style.bold { &self.bold } else { &self.regular }
    }

    /// `text` wrapped to `column` from the current height; refused if it would run past the
    /// bottom margin, as the receipt is one page.
    fn set(&self, text: &str, style: Style, column: Column) -> Result<Text, RenderError> {
        let face = self.face(style);
        let lines = face.wrap(text, style.size, column.width)?;
        let mut baseline = self.y + style.size;
        let lines = lines
            .into_iter()
            .map(|line| {
                let x = if column.right_aligned {
                    column.x + column.width - face.width(line.trim_end(), style.size)
                } else {
                    column.x
                };
                let placed = (Point::from_xy(x, baseline), line);
                baseline += style.leading();
                placed
            })
            .collect();
        let text = Text { style, lines };
        if self.y + text.height() > PAGE_HEIGHT - MARGIN {
            return Err(RenderError::TooLong);
        }
        Ok(text)
    }

    /// Draws the page, and returns its tag tree's nodes in reading order.
    pub(crate) fn draw(&self, surface: &mut Surface<'_>) -> Vec<Node> {
        surface.set_stroke(Some(Stroke { width: 0.5, ..Stroke::default() }));
        for &y in &self.rules {
            let mut path = PathBuilder::new();
            path.move_to(MARGIN, y);
            path.line_to(RIGHT, y);
            // `finish` refuses only an empty path; this one has two points.
            if let Some(path) = path.finish() {
                surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout)));
                surface.draw_path(&path);
                surface.end_tagged();
            }
        }
        // Text is filled (black by default), not stroked.
        surface.set_stroke(None);
        let mut nodes = Vec::new();
        for block in &self.blocks {
            let group = match block {
                Block::Heading(text) => {
                    // PDF/UA wants a heading's title beside its content.
                    let title = text.lines.iter().map(|(_, line)| line.as_str()).collect();
                    self.tagged(surface, Tag::Hn(NonZeroU16::MIN, Some(title)).into(), text)
                }
                Block::Paragraph(text) => self.tagged(surface, Tag::P.into(), text),
                Block::Table(rows) => {
                    let mut table = TagGroup::new(Tag::Table);
                    for cells in rows {
                        let mut row = TagGroup::new(Tag::TR);
                        for (header, text) in cells {
                            let tag = match header {
                                Some(scope) => Tag::TH(*scope).into(),
                                None => Tag::TD.into(),
                            };
                            row.push(self.tagged(surface, tag, text));
                        }
                        table.push(row);
                    }
                    table
                }
            };
            nodes.push(group.into());
        }
        nodes
    }

    /// Draws a text's lines as one marked span, in a group tagged `tag`.
    fn tagged(&self, surface: &mut Surface<'_>, tag: TagKind, text: &Text) -> TagGroup {
        let face = self.face(text.style);
        let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
        for (start, line) in &text.lines {
            surface.draw_glyphs(*start, &face.glyphs(line), face.font.clone(), line, text.style.size, false);
        }
        surface.end_tagged();
        TagGroup::with_children(tag, vec![id.into()])
    }
}

impl Text {
    fn height(&self) -> f32 {
        self.style.leading() * self.lines.len() as f32
    }
}

#[cfg(test)]
mod tests {
    use portal_domain::profile::Language;
    use portal_domain::receipts::money;

    use super::*;

    #[test]
    fn the_amount_column_holds_the_largest_amount_on_one_line() {
        for language in [Language::En, Language::Fr] {
            let largest = money(u64::MAX, language);
            let width = Face::bold().width(&largest, Style::STRONG.size);
            assert!(width <= Column::AMOUNT.width, "{largest} is {width} pt wide");
        }
    }
}
