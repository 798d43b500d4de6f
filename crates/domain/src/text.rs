//! What a name may not hold: characters that do not show, or that change how the text
//! around them shows. A webhook named `billing\u{202E}gnp.exe` or `\u{3164}` looks like
//! something else, or like nothing, in the console and in logs.

use unicode_general_category::{get_general_category, GeneralCategory};

/// Whether `c` is invisible or reorders text: controls (Cc), format characters (Cf: zero
/// width spaces and joiners, bidi embeddings, overrides and isolates, the BOM), line and
/// paragraph separators, and the Hangul fillers, which are letters that render as nothing.
pub fn is_hidden(c: char) -> bool {
    matches!(c, '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}')
        || matches!(
            get_general_category(c),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_reordering_characters_are_hidden_and_letters_are_not() {
        for c in [
            '\u{0}',
            '\n',
            '\u{7F}',
            '\u{200B}',
            '\u{200D}',
            '\u{200E}',
            '\u{202E}',
            '\u{2066}',
            '\u{FEFF}',
            '\u{2028}',
            '\u{2029}',
            '\u{3164}',
            '\u{115F}',
            '\u{FFA0}',
            '\u{E0041}',
        ] {
            assert!(is_hidden(c), "U+{:04X}", c as u32);
        }
        for c in ['a', 'ж', 'с', '中', 'ö', ' ', '\u{3000}', '-', '😀'] {
            assert!(!is_hidden(c), "U+{:04X}", c as u32);
        }
    }
}
