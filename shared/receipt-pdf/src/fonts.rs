//! The two embedded typefaces, and how wide a text set in them is, to wrap it to a column.

use std::mem;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use crate::RenderError;

/// Latin subsets of Noto Sans (`fonts/README.md` says how they were made).
const REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular-Latin.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold-Latin.ttf");

/// A typeface: the font krilla embeds, and its metrics to measure text before drawing it.
pub(crate) struct Face {
    pub(crate) font: Font,
    charmap: Charmap<'static>,
    /// Advances at a size of one point, so a width is a sum times the size.
    metrics: GlyphMetrics<'static>,
}

impl Face {
    pub(crate) fn regular() -> Self {
        Self::new(REGULAR)
    }

    pub(crate) fn bold() -> Self {
        Self::new(BOLD)
    }

    /// Both parsers read the crate's own files, which every test renders: they cannot fail at
    /// run time, whatever the receipt holds.
    fn new(data: &'static [u8]) -> Self {
        let font = Font::new(data.into(), 0).expect("krilla reads the embedded font");
        let face = FontRef::new(data).expect("skrifa reads the embedded font");
        Self { font, charmap: face.charmap(), metrics: face.glyph_metrics(Size::new(1.0), LocationRef::default()) }
    }

    /// The width of `text` at `size`, in points: exactly what [`Self::glyphs`] draws.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }

    /// The glyphs that draw `text`, one per character at its advance: no shaping (krilla's
    /// shaper, rustybuzz, would take a tenth of the function's budget for kerning and
    /// ligatures a receipt does without); a combining accent, which has no advance, lands on the
    /// letter before it. [`Self::wrap`] has refused any character the face lacks.
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(at, c)| {
                let glyph = self.charmap.map(c).map_or(0, |glyph| glyph.to_u32());
                KrillaGlyph {
                    glyph_id: GlyphId::new(glyph),
                    text_range: at..at + c.len_utf8(),
                    x_advance: self.advance(c),
                    x_offset: 0.0,
                    y_offset: 0.0,
                    y_advance: 0.0,
                    location: None,
                }
            })
            .collect()
    }

    fn advance(&self, c: char) -> f32 {
        self.charmap.map(c).and_then(|glyph| self.metrics.advance_width(glyph)).unwrap_or(0.0)
    }

    /// `text` in lines no wider than `width` at `size`: broken at spaces, and a word too long
    /// for a line of its own cut where it must be, so nothing runs off the page. Refuses a
    /// character the face has no glyph for, which a viewer would show as an empty box.
    pub(crate) fn wrap(&self, text: &str, size: f32, width: f32) -> Result<Vec<String>, RenderError> {
        if let Some(c) = text.chars().find(|&c| !breaks(c) && self.charmap.map(c).is_none()) {
            return Err(RenderError::UnsupportedCharacter(c));
        }
        let space = self.advance(' ') * size;
        let (mut lines, mut line, mut line_width) = (Vec::new(), String::new(), 0.0);
        for word in text.split(breaks).filter(|word| !word.is_empty()) {
            let word_width = self.width(word, size);
            let gap = if line.is_empty() { 0.0 } else { space };
            if line_width + gap + word_width <= width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_width += gap + word_width;
                continue;
            }
            if !line.is_empty() {
                // The space stays at the end of the line: invisible, it keeps the two words
                // apart for text extraction and screen readers.
                lines.push(mem::take(&mut line) + " ");
                line_width = 0.0;
            }
            for c in word.chars() {
                let advance = self.advance(c) * size;
                if line_width + advance > width && !line.is_empty() {
                    lines.push(mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(c);
                line_width += advance;
            }
        }
        lines.push(line);
        Ok(lines)
    }
}

/// Where a line may break: white space, except the no-break spaces French amounts hold.
fn breaks(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_wraps_at_spaces_and_a_long_word_is_cut_never_clipped() {
        let face = Face::regular();
        let text = "Frais de biométrie pour une demande de résidence permanente au Canada";
        let lines = face.wrap(text, 11.0, 120.0).expect("wrapped");
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|line| face.width(line.trim_end(), 11.0) <= 120.0), "{lines:?}");
        assert_eq!(lines.concat(), text, "only the breaks change");

        let word = "x".repeat(200);
        let lines = face.wrap(&word, 11.0, 100.0).expect("wrapped");
        assert!(lines.len() > 1 && lines.iter().all(|line| face.width(line, 11.0) <= 100.0));
        assert_eq!(lines.concat(), word);
    }

    #[test]
    fn no_break_spaces_hold_an_amount_together_and_missing_glyphs_are_refused() {
        let face = Face::regular();
        let amount = "1\u{a0}234,50\u{a0}$";
        let lines = face.wrap(&format!("Total {amount}"), 11.0, face.width(amount, 11.0)).expect("wrapped");
        assert_eq!(lines, ["Total ", amount]);
        assert_eq!(face.wrap("", 11.0, 100.0).expect("wrapped"), [""]);
        assert!(matches!(face.wrap("王芳", 11.0, 100.0), Err(RenderError::UnsupportedCharacter('王'))));
    }
}
