//! One way to print an error: the error and every `source()` below it, on one line.
//! Used at every log site and in readiness answers, so no cause is lost to `%e`.

use std::error::Error;
use std::fmt;

/// Displays `error: cause: cause...`.
pub struct ErrorChain<'a>(pub &'a (dyn Error + 'a));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Middle);

    #[derive(Debug, thiserror::Error)]
    #[error("middle")]
    struct Middle(#[source] std::io::Error);

    #[test]
    fn prints_every_cause() {
        let e = Outer(Middle(std::io::Error::other("root cause")));
        assert_eq!(ErrorChain(&e).to_string(), "outer: middle: root cause");
        let lone = std::io::Error::other("alone");
        assert_eq!(ErrorChain(&lone).to_string(), "alone");
    }
}
