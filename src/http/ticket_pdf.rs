//! Ticket PDFs: one A6 page per ticket of an order, with the event, venue, performance time,
//! seat (or standing place), ticket type and price, order number, and the ticket's barcode as
//! a QR code a phone scanner reads, drawn as vector squares so it prints sharp at any size.
//!
//! Written with `pdf-writer` (the PDF objects) and `qrcode` (the module matrix); the text uses
//! Helvetica, one of the fonts every PDF reader has, so nothing is embedded and a page is a
//! few kilobytes.
//!
//! # Caveats
//! - Helvetica in WinAnsi encoding writes Latin-1 text; other characters (Greek, CJK, emoji)
//!   print as `?`. Embedding a font would lift that.
//! - The layout is fixed; long names are cut to fit a line.

use chrono::{DateTime, Utc};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use qrcode::{Color, EcLevel, QrCode};

use crate::actor::Order;
use crate::domain::price_ticket;

/// A6 landscape, in points.
const PAGE: (f32, f32) = (420.0, 298.0);
/// The side of one QR module, in points.
const MODULE: f32 = 5.0;
/// Modules of white around the code, as the QR standard asks.
const QUIET_ZONE: usize = 4;
/// How wide a line of text may run before the QR code, in points.
const TEXT_WIDTH: f32 = 230.0;

/// What one page prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketPage {
    /// The event's name.
    pub event: String,
    /// The venue and city.
    pub venue: String,
    /// When the performance starts.
    pub starts: String,
    /// The seat (`STALLS row C seat 12`) or the standing pool.
    pub place: String,
    /// The ticket type's name and the price paid.
    pub price: String,
    /// The order and performance.
    pub order: String,
    /// The barcode.
    pub barcode: String,
}

/// The pages of an order's tickets: its seats, then its places, at each performance in turn.
pub fn ticket_pages(order: &Order) -> Vec<TicketPage> {
    let mut pages = Vec::new();
    for view in &order.transaction.holds {
        let (info, plan, hold) = (view.performance.as_ref(), view.plan.as_ref(), &view.hold);
        let Some(sale) = hold.sale.as_ref() else {
            continue;
        };
        let types = info.ticket_types(plan);
        let starts = DateTime::<Utc>::from_timestamp_millis(info.starts_at.0)
            .map_or_else(String::new, |time| {
                time.format("%A %-d %B %Y, %H:%M UTC").to_string()
            });
        let venue = [info.event.venue.as_str(), info.event.city.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let mut places = Vec::new();
        for &seat in &hold.seats {
            let location = plan.locate(seat);
            places.push((
                format!(
                    "{} row {} seat {}",
                    location.section, location.row, location.number
                ),
                plan.block(seat).price_band,
            ));
        }
        for place in &hold.places {
            let pool = &plan.pools()[usize::from(place.pool)];
            for _ in 0..place.quantity {
                places.push((format!("{} (standing)", pool.code), pool.price_band));
            }
        }
        for (index, ((place, band), barcode)) in places.into_iter().zip(&sale.barcodes).enumerate()
        {
            let priced = price_ticket(
                info,
                plan,
                hold.ticket_type(index),
                band,
                order.transaction.discount.as_deref(),
            );
            pages.push(TicketPage {
                event: info.event.name.clone(),
                venue: venue.clone(),
                starts: starts.clone(),
                place,
                price: format!(
                    "{}  {} {}",
                    types.name(priced.ticket_type),
                    priced.currency,
                    priced.price.full
                ),
                order: format!("Order {} / {}", order.number, info.id),
                barcode: barcode.clone(),
            });
        }
    }
    pages
}

/// Writes the pages as one PDF.
///
/// # Errors
/// When a barcode cannot be drawn as a QR code (never for holdfast's 16 digits).
pub fn render(pages: &[TicketPage]) -> Result<Vec<u8>, qrcode::types::QrError> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let font_name = Name(b"F1");
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|index| Ref::new(4 + 2 * index as i32))
        .collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(font)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    for (page, &id) in pages.iter().zip(&page_ids) {
        let contents = Ref::new(id.get() + 1);
        let mut writer = pdf.page(id);
        writer
            .parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
            .contents(contents);
        writer.resources().fonts().pair(font_name, font);
        writer.finish();
        let content = page_content(page, font_name)?;
        pdf.stream(contents, &content);
    }
    Ok(pdf.finish())
}

/// One page's drawing: the text on the left, the QR code on the right.
fn page_content(page: &TicketPage, font: Name) -> Result<Vec<u8>, qrcode::types::QrError> {
    let mut content = Content::new();
    let lines: [(f32, &str); 7] = [
        (16.0, &page.event),
        (10.0, &page.venue),
        (10.0, &page.starts),
        (13.0, &page.place),
        (11.0, &page.price),
        (9.0, &page.order),
        (9.0, &page.barcode),
    ];
    let mut y = PAGE.1 - 40.0;
    for (size, text) in lines {
        content.begin_text();
        content.set_font(font, size);
        content.next_line(24.0, y);
        // Helvetica averages about 0.55 em per character.
        let fits = (TEXT_WIDTH / (0.55 * size)) as usize;
        content.show(Str(&win_ansi(text, fits)));
        content.end_text();
        y -= size + 16.0;
    }
    let code = QrCode::with_error_correction_level(page.barcode.as_bytes(), EcLevel::M)?;
    let width = code.width();
    let side = (width + 2 * QUIET_ZONE) as f32 * MODULE;
    let (left, bottom) = (PAGE.0 - side - 16.0, (PAGE.1 - side) / 2.0);
    let origin = (
        left + QUIET_ZONE as f32 * MODULE,
        bottom + QUIET_ZONE as f32 * MODULE,
    );
    for (index, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (row, column) = (index / width, index % width);
            content.rect(
                origin.0 + column as f32 * MODULE,
                origin.1 + (width - 1 - row) as f32 * MODULE,
                MODULE,
                MODULE,
            );
        }
    }
    content.fill_nonzero();
    Ok(content.finish())
}

/// `text` in WinAnsi bytes, cut to `max` characters: Latin-1 as it is, a few typographic
/// marks mapped, anything else as `?`.
fn win_ansi(text: &str, max: usize) -> Vec<u8> {
    text.chars()
        .take(max)
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{A0}'..='\u{FF}' => c as u32 as u8,
            '€' => 0x80,
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_written_in_win_ansi_and_cut_to_a_line() {
        assert_eq!(win_ansi("Café — €5", 40), b"Caf\xe9 \x97 \x805");
        assert_eq!(win_ansi("Ωmega", 40), b"?mega");
        assert_eq!(win_ansi(&"x".repeat(100), 26).len(), 26);
    }
}
