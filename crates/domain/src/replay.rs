//! Bulk replays: what a replay covers and where it stands.

use chrono::{DateTime, Duration, Utc};

use crate::{CorruptValue, ValidationError};

/// The longest window one bulk replay may cover.
pub const MAX_REPLAY_WINDOW_DAYS: i64 = 14;

/// Which deliveries of the window a replay sends again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayScope {
    /// Deliveries that ended `failed`.
    Failed,
    /// Every finished delivery (succeeded, failed or cancelled).
    All,
}

impl ReplayScope {
    pub fn parse(s: Option<&str>) -> Result<Self, ValidationError> {
        match s {
            None | Some("failed") => Ok(ReplayScope::Failed),
            Some("all") => Ok(ReplayScope::All),
            Some(_) => Err(ValidationError::new("status", "must be failed or all")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReplayScope::Failed => "failed",
            ReplayScope::All => "all",
        }
    }
}

/// The time window of a replay: `since <= created_at < until`, at most 14 days long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayWindow {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl ReplayWindow {
    /// `until` defaults to `now`.
    pub fn parse(
        since: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationError> {
        let until = until.unwrap_or(now);
        if since >= until {
            return Err(ValidationError::new("since", "must be before until"));
        }
        if until - since > Duration::days(MAX_REPLAY_WINDOW_DAYS) {
            return Err(ValidationError::new(
                "since",
                format!("the window may cover at most {MAX_REPLAY_WINDOW_DAYS} days"),
            ));
        }
        Ok(Self { since, until })
    }
}

/// Where a replay stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayState {
    Running,
    Completed,
    Failed,
    /// Stopped by the tenant before it finished.
    Cancelled,
}

impl ReplayState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplayState::Running => "running",
            ReplayState::Completed => "completed",
            ReplayState::Failed => "failed",
            ReplayState::Cancelled => "cancelled",
        }
    }

    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        match s {
            "running" => Ok(ReplayState::Running),
            "completed" => Ok(ReplayState::Completed),
            "failed" => Ok(ReplayState::Failed),
            "cancelled" => Ok(ReplayState::Cancelled),
            other => Err(CorruptValue::new("replay state", format!("{other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_checked() {
        let now = Utc::now();
        let day = Duration::days(1);
        let w = ReplayWindow::parse(now - day, None, now).expect("one day");
        assert_eq!(w.until, now);
        assert!(ReplayWindow::parse(now - day * 14, None, now).is_ok());
        let long = ReplayWindow::parse(now - day * 14 - Duration::seconds(1), None, now);
        assert_eq!(long.unwrap_err().field, "since");
        assert!(ReplayWindow::parse(now, Some(now), now).is_err());
        assert!(ReplayWindow::parse(now, Some(now - day), now).is_err());
        let old = now - day * 40;
        assert!(ReplayWindow::parse(old, Some(old + day), now).is_ok());
    }

    #[test]
    fn scopes_and_states() {
        assert_eq!(ReplayScope::parse(None), Ok(ReplayScope::Failed));
        assert_eq!(ReplayScope::parse(Some("all")), Ok(ReplayScope::All));
        assert_eq!(ReplayScope::parse(Some("x")).unwrap_err().field, "status");
        for s in [
            ReplayState::Running,
            ReplayState::Completed,
            ReplayState::Failed,
            ReplayState::Cancelled,
        ] {
            assert_eq!(ReplayState::from_stored(s.as_str()), Ok(s));
        }
        assert!(ReplayState::from_stored("done").is_err());
    }
}
