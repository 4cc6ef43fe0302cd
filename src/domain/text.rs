//! The text policy for names people type: plain text without control characters or
//! invisible formatting characters, which could hide or reorder what a box office sees.

/// Returns true when `text` is fit to store and show as a name: no control characters, and
/// none of the invisible formatting characters that make one text pass for another. A
/// zero-width space hides inside a name ("Joe\u{200b} User" is not "Joe User" but looks it),
/// and a bidirectional override reverses what follows ("shop\u{202e}gnp.exe" shows as
/// "shopexe.png") on every screen and printed ticket that shows it.
///
/// Joiners (U+200C, U+200D) and the directional marks (U+200E, U+200F, U+061C) stay allowed:
/// Persian, Indic scripts and emoji need the joiners, and a mark only nudges the neutral
/// characters beside it, where an override or isolate reorders whole runs (the set rustc's
/// `text_direction_codepoint_in_literal` lint refuses).
pub fn is_plain_text(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
}

/// The invisible formatting characters [`is_plain_text`] refuses.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' // soft hyphen
            | '\u{180E}' // Mongolian vowel separator
            | '\u{200B}' // zero-width space
            | '\u{202A}'..='\u{202E}' // bidirectional embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner and invisible operators
            | '\u{2066}'..='\u{2069}' // bidirectional isolates
            | '\u{206A}'..='\u{206F}' // deprecated format characters
            | '\u{FEFF}' // zero-width no-break space (a byte order mark)
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation
    )
}
