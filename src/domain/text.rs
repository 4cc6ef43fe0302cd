//! The text policy for names people type: plain text without control characters or
//! invisible formatting characters, which could hide or reorder what a box office sees.
//!
//! # Caveats
//! - The policy is a list of ranges so that the OpenAPI description can state it as a
//!   pattern ([`NOT_PLAIN_TEXT`]); a change here changes what the description says.

/// The characters a name may not contain, as inclusive ranges: the control characters (what
/// `char::is_control` calls control: U+0000–U+001F and U+007F–U+009F) and the invisible
/// formatting characters that make one text pass for another. A zero-width space hides inside
/// a name ("Joe\u{200b} User" is not "Joe User" but looks it), and a bidirectional override
/// reverses what follows ("shop\u{202e}gnp.exe" shows as "shopexe.png") on every screen and
/// printed ticket that shows it.
///
/// Joiners (U+200C, U+200D) and the directional marks (U+200E, U+200F, U+061C) stay allowed:
/// Persian, Indic scripts and emoji need the joiners, and a mark only nudges the neutral
/// characters beside it, where an override or isolate reorders whole runs (the set rustc's
/// `text_direction_codepoint_in_literal` lint refuses).
pub const NOT_PLAIN_TEXT: &[(char, char)] = &[
    ('\u{0000}', '\u{001F}'), // C0 controls
    ('\u{007F}', '\u{009F}'), // delete and C1 controls
    ('\u{00AD}', '\u{00AD}'), // soft hyphen
    ('\u{180E}', '\u{180E}'), // Mongolian vowel separator
    ('\u{200B}', '\u{200B}'), // zero-width space
    ('\u{202A}', '\u{202E}'), // bidirectional embeddings and overrides
    ('\u{2060}', '\u{2064}'), // word joiner and invisible operators
    ('\u{2066}', '\u{2069}'), // bidirectional isolates
    ('\u{206A}', '\u{206F}'), // deprecated format characters
    ('\u{FEFF}', '\u{FEFF}'), // zero-width no-break space (a byte order mark)
    ('\u{FFF9}', '\u{FFFB}'), // interlinear annotation
];

/// Returns true when `text` is fit to store and show as a name: none of [`NOT_PLAIN_TEXT`].
pub fn is_plain_text(text: &str) -> bool {
    !text.chars().any(|c| {
        NOT_PLAIN_TEXT
            .iter()
            .any(|&(first, last)| (first..=last).contains(&c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_character_is_refused() {
        let controls = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_control());
        for c in controls {
            assert!(!is_plain_text(&c.to_string()), "U+{:04X}", u32::from(c));
        }
    }
}
