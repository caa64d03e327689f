//! Cases about a permit the applicant already holds: an extension, a change, a cancellation or
//! the exchange of a physical permit for the e-certificate (FAQ Q10). The submission names the
//! permit; the case keeps its number (the e-card is registered with it, FAQ Q5), so approving
//! such a case issues no new one.

use super::case::Submission;
use super::model::Kind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The permit a case concerns, as the employer's submission names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitRef {
    pub permit_no: String,
    /// The last day the permit is valid.
    pub expires_on: NaiveDate,
    /// The physical card was collected; `false` for a permit approved but never collected
    /// (FAQ Q10).
    #[serde(default = "collected")]
    pub collected: bool,
}

fn collected() -> bool {
    true
}

impl Kind {
    /// Kinds about a permit the applicant already holds.
    pub fn concerns_existing_permit(self) -> bool {
        matches!(
            self,
            Kind::Extension | Kind::Change | Kind::Cancellation | Kind::ECertificate
        )
    }
}

/// A permit number as the office keeps it: surrounding spaces dropped, letters upper case.
pub fn normalize_permit_no(no: &str) -> String {
    no.trim().to_ascii_uppercase()
}

/// 8 to 24 digits or capital letters: numbers issued elsewhere than this office's register are
/// referred to as well, so no one office's pattern is required.
pub fn validate_permit_no(no: &str) -> Result<(), String> {
    let n = no.chars().count();
    if !(8..=24).contains(&n) {
        return Err(format!(
            "a permit number is 8-24 digits or capital letters, found {n} characters"
        ));
    }
    match no
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_digit() || c.is_ascii_uppercase()))
    {
        Some((i, ch)) => Err(format!(
            "a permit number is 8-24 digits or capital letters, found {ch:?} at position {}",
            i + 1
        )),
        None => Ok(()),
    }
}

/// Whether the submission names a permit exactly when its kind needs one: `Err((field,
/// message))` otherwise.
pub fn check_permit(s: &Submission) -> Result<(), (&'static str, String)> {
    match (&s.permit, s.kind.concerns_existing_permit()) {
        (None, true) => Err((
            "permit",
            format!(
                "a{} {} case concerns a permit the applicant holds: give permit.permit_no and \
                 permit.expires_on",
                if s.kind == Kind::ECertificate || s.kind == Kind::Extension {
                    "n"
                } else {
                    ""
                },
                s.kind
            ),
        )),
        (Some(_), false) => Err((
            "permit",
            format!(
                "a {} case applies for a new permit and names no existing one",
                s.kind
            ),
        )),
        (Some(permit), true) => {
            validate_permit_no(&permit.permit_no).map_err(|m| ("permit.permit_no", m))
        }
        (None, false) => Ok(()),
    }
}

/// Why an e-certificate exchange may not be accepted (FAQ Q10: only for a physical permit that
/// has not expired, or one approved but never collected), judged on the day it was submitted.
pub fn e_certificate_bar(permit: &PermitRef, submitted_on: NaiveDate) -> Option<NaiveDate> {
    (permit.collected && permit.expires_on < submitted_on).then_some(permit.expires_on)
}

/// A kind that no longer exists since the card integration, by the names it went by, with what
/// to say (FAQ Q2: cancelling a Notification is gone; a cancellation concerns a permit).
pub fn abolished_kind(name: &str) -> Option<&'static str> {
    let name = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    matches!(
        name.as_str(),
        "notification_cancellation"
            | "cancel_notification"
            | "cancellation_of_notification"
            | "notice_cancellation"
    )
    .then_some(
        "cancelling a Work Permit Notification (工作许可通知注销) no longer exists since the card \
         integration (FAQ Q2); a cancellation concerns a work permit: kind cancellation, with \
         its permit",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permit_numbers() {
        for ok in ["440100202500000001", "ABCD1234", "440100202550000123"] {
            assert_eq!(validate_permit_no(ok), Ok(()), "{ok}");
        }
        assert!(validate_permit_no("1234567").is_err());
        assert!(validate_permit_no("4401-0020").is_err());
        assert_eq!(normalize_permit_no(" ab12345678 "), "AB12345678");
    }

    #[test]
    fn the_exchange_is_barred_only_for_a_collected_expired_permit() {
        let on: NaiveDate = "2026-03-02".parse().expect("date");
        let mut permit = PermitRef {
            permit_no: "440100202400000001".into(),
            expires_on: "2026-03-01".parse().expect("date"),
            collected: true,
        };
        assert_eq!(e_certificate_bar(&permit, on), Some(permit.expires_on));
        permit.collected = false;
        assert_eq!(e_certificate_bar(&permit, on), None);
        permit.collected = true;
        permit.expires_on = on;
        assert_eq!(e_certificate_bar(&permit, on), None);
    }

    #[test]
    fn cancelling_a_notification_is_named() {
        for name in ["notification_cancellation", "Cancel-Notification"] {
            assert!(abolished_kind(name).is_some(), "{name}");
        }
        assert_eq!(abolished_kind("cancellation"), None);
    }
}
