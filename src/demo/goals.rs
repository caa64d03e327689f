//! What a demo case is heading for: the stage it is in today and the state of its governing
//! timer, plus the kind and category that fit. A fixed set of goals guarantees that every store,
//! however small, shows every stage, timer state and special case; the rest follow the office's mix.

use super::plan::chance;
use super::timeline::Env;
use crate::domain::{Category, Kind};

/// The running state wanted for an open case's governing timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    OnTrack,
    DueSoon,
    Overdue,
    /// Overdue by more than 30 days (verification windows nobody closed).
    Late30,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    PreAudit,
    Returned,
    Review,
    Notified,
    Verification,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    Completed,
    Refused,
    NotAccepted,
    Withdrawn(At),
    Lapsed,
    /// Lapsed, reopened by a supervisor and then verified.
    ReopenedVerified,
    PreAudit {
        due: State,
        claimed: bool,
        after_return: bool,
    },
    Returned {
        from_review: bool,
    },
    Review {
        due: State,
        claimed: bool,
        extended: bool,
        sent_back: bool,
    },
    Decision {
        refuse: bool,
        due: State,
        extended: bool,
    },
    Notified,
    Verification {
        due: State,
        reopened: bool,
        exam_expiring: bool,
        returned: bool,
    },
}

impl Goal {
    pub(crate) fn is_open(self) -> bool {
        matches!(
            self,
            Goal::PreAudit { .. }
                | Goal::Returned { .. }
                | Goal::Review { .. }
                | Goal::Decision { .. }
                | Goal::Notified
                | Goal::Verification { .. }
        )
    }

    /// Goals only cases that issue a Notification can reach.
    pub(crate) fn needs_notification(self) -> bool {
        matches!(
            self,
            Goal::Notified
                | Goal::Verification { .. }
                | Goal::Lapsed
                | Goal::ReopenedVerified
                | Goal::Withdrawn(At::Notified | At::Verification)
        )
    }

    pub(crate) fn needs_verification(self) -> bool {
        matches!(
            self,
            Goal::Verification { .. }
                | Goal::Lapsed
                | Goal::ReopenedVerified
                | Goal::Withdrawn(At::Verification)
        )
    }
}

/// A goal with optional constraints on the case it applies to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    pub goal: Goal,
    pub kind: Option<Kind>,
    pub category: Option<Category>,
    pub legacy: bool,
    pub entered: Option<bool>,
}

const fn spec(goal: Goal) -> Spec {
    Spec {
        goal,
        kind: None,
        category: None,
        legacy: false,
        entered: None,
    }
}

const fn with(goal: Goal, kind: Kind, category: Category, entered: Option<bool>) -> Spec {
    Spec {
        goal,
        kind: Some(kind),
        category: Some(category),
        legacy: false,
        entered,
    }
}

use State::*;

/// Cases every demo store has, whatever its size: each stage, timer state and special case.
pub(crate) const COVERAGE: &[Spec] = &[
    spec(Goal::PreAudit {
        due: OnTrack,
        claimed: true,
        after_return: false,
    }),
    spec(Goal::PreAudit {
        due: DueSoon,
        claimed: false,
        after_return: false,
    }),
    spec(Goal::PreAudit {
        due: Overdue,
        claimed: true,
        after_return: false,
    }),
    spec(Goal::PreAudit {
        due: Overdue,
        claimed: false,
        after_return: true,
    }),
    spec(Goal::Returned { from_review: false }),
    spec(Goal::Returned { from_review: true }),
    spec(Goal::Review {
        due: OnTrack,
        claimed: true,
        extended: false,
        sent_back: false,
    }),
    spec(Goal::Review {
        due: DueSoon,
        claimed: true,
        extended: true,
        sent_back: false,
    }),
    spec(Goal::Review {
        due: Overdue,
        claimed: true,
        extended: false,
        sent_back: false,
    }),
    spec(Goal::Review {
        due: OnTrack,
        claimed: false,
        extended: false,
        sent_back: false,
    }),
    spec(Goal::Review {
        due: Overdue,
        claimed: true,
        extended: false,
        sent_back: true,
    }),
    spec(Goal::Decision {
        refuse: false,
        due: OnTrack,
        extended: false,
    }),
    spec(Goal::Decision {
        refuse: false,
        due: DueSoon,
        extended: false,
    }),
    spec(Goal::Decision {
        refuse: false,
        due: Overdue,
        extended: false,
    }),
    spec(Goal::Decision {
        refuse: true,
        due: OnTrack,
        extended: false,
    }),
    spec(Goal::Decision {
        refuse: true,
        due: Overdue,
        extended: true,
    }),
    with(Goal::Notified, Kind::OverseasNew, Category::B, None),
    with(Goal::Notified, Kind::OverseasNew, Category::A, None),
    with(
        Goal::Verification {
            due: OnTrack,
            reopened: false,
            exam_expiring: false,
            returned: false,
        },
        Kind::OverseasNew,
        Category::B,
        None,
    ),
    with(
        Goal::Verification {
            due: DueSoon,
            reopened: false,
            exam_expiring: false,
            returned: false,
        },
        Kind::OverseasNew,
        Category::C,
        None,
    ),
    with(
        Goal::Verification {
            due: Overdue,
            reopened: false,
            exam_expiring: false,
            returned: true,
        },
        Kind::OverseasNew,
        Category::B,
        None,
    ),
    with(
        Goal::Verification {
            due: Late30,
            reopened: false,
            exam_expiring: false,
            returned: false,
        },
        Kind::OverseasNew,
        Category::C,
        None,
    ),
    with(
        Goal::Verification {
            due: Late30,
            reopened: true,
            exam_expiring: false,
            returned: false,
        },
        Kind::OverseasNew,
        Category::B,
        None,
    ),
    with(
        Goal::Verification {
            due: OnTrack,
            reopened: false,
            exam_expiring: true,
            returned: false,
        },
        Kind::NewNotification,
        Category::B,
        Some(true),
    ),
    with(
        Goal::Verification {
            due: DueSoon,
            reopened: false,
            exam_expiring: true,
            returned: true,
        },
        Kind::NewNotification,
        Category::C,
        Some(true),
    ),
    with(Goal::Completed, Kind::OverseasNew, Category::B, None),
    with(Goal::Completed, Kind::OverseasNew, Category::A, None),
    with(
        Goal::Completed,
        Kind::NewNotification,
        Category::C,
        Some(true),
    ),
    with(Goal::Completed, Kind::ECertificate, Category::B, None),
    with(Goal::Completed, Kind::DomesticNew, Category::A, None),
    with(Goal::Completed, Kind::Extension, Category::B, None),
    with(Goal::Completed, Kind::Change, Category::C, None),
    with(Goal::Completed, Kind::Cancellation, Category::B, None),
    spec(Goal::Refused),
    spec(Goal::NotAccepted),
    spec(Goal::Withdrawn(At::PreAudit)),
    spec(Goal::Withdrawn(At::Review)),
    with(
        Goal::Withdrawn(At::Notified),
        Kind::OverseasNew,
        Category::B,
        None,
    ),
    with(Goal::Lapsed, Kind::OverseasNew, Category::C, None),
    with(Goal::ReopenedVerified, Kind::OverseasNew, Category::B, None),
    Spec {
        goal: Goal::Completed,
        kind: Some(Kind::OverseasNew),
        category: Some(Category::B),
        legacy: true,
        entered: Some(true),
    },
    Spec {
        goal: Goal::Returned { from_review: false },
        kind: Some(Kind::OverseasNew),
        category: Some(Category::C),
        legacy: true,
        entered: Some(true),
    },
];

pub(crate) fn random_spec(rng: &mut fastrand::Rng, env: &Env) -> Spec {
    let due = |rng: &mut fastrand::Rng, on: u32, soon: u32| {
        let r = rng.u32(0..100);
        if r < on {
            OnTrack
        } else if r < on + soon {
            DueSoon
        } else {
            Overdue
        }
    };
    let r = rng.u32(0..10_000);
    let goal = match r {
        0..100 => Goal::PreAudit {
            due: due(rng, 40, 35),
            claimed: chance(rng, 60),
            after_return: chance(rng, 15),
        },
        100..200 => Goal::Returned {
            from_review: chance(rng, 40),
        },
        200..420 => Goal::Review {
            due: due(rng, 50, 25),
            claimed: chance(rng, 85),
            extended: chance(rng, 8),
            sent_back: chance(rng, 5),
        },
        420..490 => Goal::Decision {
            refuse: chance(rng, 15),
            due: due(rng, 50, 30),
            extended: chance(rng, 6),
        },
        490..830 => Goal::Notified,
        830..1080 => {
            let mut d = due(rng, 55, 20);
            if d == Overdue && chance(rng, 40) {
                d = Late30;
            }
            let reopened = d == Late30 && chance(rng, 8);
            Goal::Verification {
                due: d,
                reopened,
                exam_expiring: d != Overdue && d != Late30 && chance(rng, 5),
                returned: chance(rng, 12),
            }
        }
        1080..1480 => Goal::Refused,
        1480..1700 => Goal::NotAccepted,
        1700..1980 => Goal::Withdrawn(match rng.u8(0..10) {
            0..=2 => At::PreAudit,
            3..=4 => At::Returned,
            5..=6 => At::Review,
            7..=8 => At::Notified,
            _ => At::Verification,
        }),
        1980..2040 => Goal::Lapsed,
        2040..2050 => Goal::ReopenedVerified,
        _ => Goal::Completed,
    };
    let legacy = env.legacy_ok
        && !goal.is_open()
        && !matches!(goal, Goal::Withdrawn(At::PreAudit) | Goal::NotAccepted)
        && chance(rng, 2);
    let legacy_straggler =
        env.legacy_ok && matches!(goal, Goal::Returned { from_review: false }) && chance(rng, 2);
    Spec {
        goal,
        kind: None,
        category: None,
        legacy: legacy || legacy_straggler,
        entered: None,
    }
}

pub(crate) fn choose_kind(rng: &mut fastrand::Rng, spec: &Spec) -> Kind {
    if spec.legacy {
        return Kind::OverseasNew;
    }
    if let Some(kind) = spec.kind {
        return kind;
    }
    if spec.goal.needs_notification() {
        return if chance(rng, 87) {
            Kind::OverseasNew
        } else {
            Kind::NewNotification
        };
    }
    match rng.u32(0..100) {
        0..48 => Kind::OverseasNew,
        48..55 => Kind::NewNotification,
        55..64 => Kind::ECertificate,
        64..73 => Kind::DomesticNew,
        73..88 => Kind::Extension,
        88..96 => Kind::Change,
        _ => Kind::Cancellation,
    }
}

pub(crate) fn choose_category(rng: &mut fastrand::Rng, spec: &Spec) -> Category {
    if let Some(c) = spec.category {
        return c;
    }
    if spec.goal.needs_verification() {
        return if chance(rng, 59) {
            Category::B
        } else {
            Category::C
        };
    }
    match rng.u32(0..100) {
        0..15 => Category::A,
        15..65 => Category::B,
        _ => Category::C,
    }
}
