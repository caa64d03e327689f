//! The store worker: owns its own connection on its own thread and answers jobs. `execute` is
//! also what the tests call directly, so the console under test does exactly what it does live.

use crate::domain::review::ReviewSummary;
use crate::domain::{ActionKind, Case, Deadline, Event, Role, Stage, Wait};
use crate::store::review::ReviewTurn;
use crate::store::{
    Cursor, DashboardPart, DashboardSection, Figure, FigureCases, Outcome, Page, QueueQuery,
    Request, Store, StoreError, TabCounts,
};

/// Search totals count this far and then say "1000+".
pub const SEARCH_COUNT_CAP: i64 = 1000;

/// The most cases listed behind one dashboard figure.
pub const FIGURE_ROWS: usize = 1000;
use chrono::NaiveDate;

/// Which rows of the table a page job reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Fetch {
    /// The loaded window again (or a new query's first page), with the total.
    Replace,
    /// The page below the window.
    Append,
    /// The page above the window, read in the reverse order.
    Prepend,
    /// The queue's last page, read in the reverse order (`G`).
    Last,
    /// A new order's window around the case in `query.after`, with up to `above` rows before it
    /// (so a re-sort keeps the cursor on that case, where it was on screen), with the total.
    Around { above: u16 },
}

/// Which action on which case: what a draft is kept under, and what the reply to an action
/// names, so that the console applies it to that action and no other.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ActionKey {
    pub case_no: String,
    pub action: ActionKind,
}

impl ActionKey {
    pub fn new(case_no: &str, action: ActionKind) -> ActionKey {
        ActionKey {
            case_no: case_no.to_string(),
            action,
        }
    }

    /// The action a request asks for.
    pub fn of(request: &Request) -> ActionKey {
        ActionKey::new(&request.case_no, request.action.kind())
    }
}

/// Everything the console can ask of the store.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Job {
    Page {
        query: QueueQuery,
        fetch: Fetch,
    },
    Counts {
        user: String,
        today: NaiveDate,
    },
    Detail {
        case_no: String,
        today: NaiveDate,
    },
    Act {
        request: Request,
    },
    Bulk {
        requests: Vec<Request>,
    },
    Assignees,
    Poll,
    LoadDrafts {
        user: String,
    },
    Visit {
        user: String,
        today: NaiveDate,
    },
    /// One section of the dashboard; the console asks for each and draws it as it arrives.
    Dashboard {
        section: DashboardSection,
        today: NaiveDate,
    },
    Figure {
        figure: Figure,
        today: NaiveDate,
    },
    SaveDraft {
        user: String,
        case_no: String,
        action: ActionKind,
        text: String,
    },
    /// Starts a review session on the queue, filter and search of `query` and takes its first
    /// case (src/store/review.rs).
    ReviewStart {
        query: QueueQuery,
    },
    /// Closes the session's case on screen (released when nothing was done with it) and takes
    /// the next one.
    ReviewNext {
        session: i64,
        query: QueueQuery,
    },
    /// Ends the session as `ReviewNext` closes a case, and reads its summary back.
    ReviewEnd {
        session: i64,
        user: String,
        today: NaiveDate,
    },
    /// Whether the user may still act: an admin may have disabled them since the console opened.
    Standing {
        user: String,
    },
}

/// The detail panel's contents.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Detail {
    pub case: Case,
    pub events: Vec<Event>,
    pub deadlines: Vec<Deadline>,
    pub governing: Option<Deadline>,
    pub exam_expires_first: bool,
}

/// Why an action did not commit, kept in words with its exit-code class.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActFailure {
    pub case_no: String,
    /// In English, as the command line says it.
    pub message: String,
    pub why: crate::console::i18n::Why,
    pub conflict: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Reply {
    Page {
        page: Page,
        total: i64,
        /// The total is a floor: a search matched more than it counted.
        more: bool,
        fetch: Fetch,
        /// `Around`: the row the window starts after (`None`: the queue's first row).
        start: Option<Cursor>,
        /// What each returned or notified case of the page waits on, and since when.
        waits: Vec<(String, Wait)>,
    },
    Counts(TabCounts),
    Detail(Box<Option<Detail>>),
    /// An action committed, or why not. `key` names the action it answers: the console applies
    /// the reply to that action and no other (its draft, its pending text).
    Acted {
        key: ActionKey,
        result: Box<Result<Outcome, ActFailure>>,
    },
    /// Each case of a bulk action with the event it committed, or why it did not.
    Bulk(Vec<(String, Result<Event, ActFailure>)>),
    Assignees(Vec<String>),
    Changed(i64),
    Drafts(Vec<(String, ActionKind, String)>),
    Visited {
        new_overdue: i64,
        last: Option<NaiveDate>,
    },
    Dashboard(Box<DashboardPart>),
    Figure(FigureCases),
    DraftSaved,
    /// A review session's turn: the case now on screen with its detail, or none left.
    Review {
        turn: ReviewTurn,
        detail: Box<Option<Detail>>,
    },
    ReviewEnded(Box<ReviewSummary>),
    /// The user's account is active (`false`: disabled since the console opened, or gone).
    Standing {
        active: bool,
    },
    Failed(String),
    /// The server ended the session: the console ends with this exit code and message.
    Closed {
        code: u8,
        message: String,
    },
}

/// Whether `later`, queued behind `job`, makes `job` pointless: a newer page, detail, count or
/// poll, or a newer draft of the same text. Actions are never superseded.
pub fn superseded(job: &Job, later: &Job) -> bool {
    match (job, later) {
        (
            Job::Page {
                fetch: Fetch::Replace,
                ..
            },
            Job::Page {
                fetch: Fetch::Replace,
                ..
            },
        )
        | (
            Job::Page {
                fetch: Fetch::Around { .. },
                ..
            },
            Job::Page {
                fetch: Fetch::Around { .. },
                ..
            },
        )
        | (Job::Detail { .. }, Job::Detail { .. })
        | (Job::Counts { .. }, Job::Counts { .. })
        | (Job::Standing { .. }, Job::Standing { .. })
        | (Job::Poll, Job::Poll) => true,
        (
            Job::SaveDraft {
                case_no, action, ..
            },
            Job::SaveDraft {
                case_no: later_case,
                action: later_action,
                ..
            },
        ) => case_no == later_case && action == later_action,
        _ => false,
    }
}

/// A job tagged with the generation it was asked under; stale replies are dropped by the app.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub generation: u64,
    pub job: Job,
}

fn failure(case_no: &str, err: StoreError) -> ActFailure {
    ActFailure {
        why: crate::console::i18n::Why::from_error(&err),
        case_no: case_no.to_string(),
        // A change made while the user looked (a stale version or stage), not a refusal the
        // store files under the same exit code, such as a case someone else holds.
        conflict: err.is_conflict() && !matches!(err, StoreError::Refused(_)),
        message: err.to_string(),
    }
}

pub fn execute(store: &mut Store, job: Job) -> Reply {
    match run(store, job) {
        Ok(reply) => reply,
        Err(err) => Reply::Failed(err.to_string()),
    }
}

fn run(store: &mut Store, job: Job) -> Result<Reply, StoreError> {
    Ok(match job {
        Job::Page { query, fetch } => {
            let (page, start) = match fetch {
                Fetch::Around { above } => around(store, &query, above)?,
                _ => (store.page(&query)?, None),
            };
            let (total, more) = match (fetch, query.search.is_some()) {
                (Fetch::Append | Fetch::Prepend | Fetch::Last, _) => (-1, false),
                // As-you-type totals stay cheap however much a short prefix matches.
                (Fetch::Replace | Fetch::Around { .. }, true) => {
                    let count = store.count_capped(&query, SEARCH_COUNT_CAP)?;
                    (count.n, count.more)
                }
                (Fetch::Replace | Fetch::Around { .. }, false) => (store.count(&query)?, false),
            };
            let waits = waits(store, &page, query.today)?;
            Reply::Page {
                page,
                total,
                more,
                fetch,
                start,
                waits,
            }
        }
        Job::Counts { user, today } => Reply::Counts(store.tab_counts(&user, today)?),
        Job::Detail { case_no, today } => Reply::Detail(Box::new(detail(store, &case_no, today)?)),
        Job::Act { request } => {
            let key = ActionKey::of(&request);
            let result = store.act(request).map_err(|e| failure(&key.case_no, e));
            Reply::Acted {
                key,
                result: Box::new(result),
            }
        }
        Job::Bulk { requests } => {
            let mut results = Vec::new();
            for request in requests {
                let case_no = request.case_no.clone();
                let result = store
                    .act(request)
                    .map(|o| o.event)
                    .map_err(|e| failure(&case_no, e));
                results.push((case_no, result));
            }
            Reply::Bulk(results)
        }
        Job::Assignees => {
            let names = store
                .users()?
                .into_iter()
                .filter(|u| {
                    u.active
                        && (u.roles.contains(&Role::Approver)
                            || u.roles.contains(&Role::Supervisor))
                })
                .map(|u| u.name)
                .collect();
            Reply::Assignees(names)
        }
        Job::Poll => {
            store.follow_calendar()?;
            Reply::Changed(store.data_version()?)
        }
        Job::LoadDrafts { user } => Reply::Drafts(store.drafts_of(&user)?),
        Job::Dashboard { section, today } => {
            Reply::Dashboard(Box::new(store.dashboard_part(section, today)?))
        }
        Job::Figure { figure, today } => {
            Reply::Figure(store.figure_cases(&figure, today, FIGURE_ROWS)?)
        }
        Job::Visit { user, today } => {
            let (new_overdue, last) = store.overdue_since_last_visit(&user, today)?;
            Reply::Visited { new_overdue, last }
        }
        Job::SaveDraft {
            user,
            case_no,
            action,
            text,
        } => {
            store.save_draft(&user, &case_no, action, &text)?;
            Reply::DraftSaved
        }
        Job::ReviewStart { query } => {
            let turn = store.review_start(&query)?;
            review_turn(store, turn, query.today)?
        }
        Job::ReviewNext { session, query } => {
            let turn = store.review_next(session, &query)?;
            review_turn(store, turn, query.today)?
        }
        Job::ReviewEnd {
            session,
            user,
            today,
        } => Reply::ReviewEnded(Box::new(store.review_end(session, &user, today)?)),
        Job::Standing { user } => Reply::Standing {
            active: store.find_actor(&user)?.is_some_and(|a| a.active),
        },
    })
}

/// The window of a new order around the case `query.after` names: the rows above it are read
/// backwards from it (one more, to anchor the window), then a page from just after the last of
/// them, which takes in the case itself while it is still in the query.
fn around(
    store: &Store,
    query: &QueueQuery,
    above: u16,
) -> Result<(Page, Option<Cursor>), StoreError> {
    // At most half a page above, so the case is in the window: a server caps `query.limit` for
    // its clients, and this keeps the read above within it too.
    let above = usize::from(above).min(query.limit / 2);
    let mut back = query.clone();
    back.sort.descending = !back.sort.descending;
    back.limit = above + 1;
    let before = store.page(&back)?.rows;
    let start = if before.len() > above {
        before.last().map(Cursor::after)
    } else {
        None
    };
    let mut forward = query.clone();
    forward.after = start.clone();
    Ok((store.page(&forward)?, start))
}

/// What the page's returned and notified cases wait on (the domain's `Clocks::waiting`): their
/// rows do not carry the day the wait began, so each such case is read (a page at most).
fn waits(store: &Store, page: &Page, today: NaiveDate) -> Result<Vec<(String, Wait)>, StoreError> {
    let clocks = store.clocks(today);
    let mut out = Vec::new();
    for row in &page.rows {
        if !matches!(row.stage, Stage::Returned | Stage::Notified) {
            continue;
        }
        match store.case(&row.case_no) {
            Ok(case) => out.extend(clocks.waiting(&case).map(|w| (row.case_no.clone(), w))),
            // Gone since the page was read: its row goes with the next refresh.
            Err(StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// A turn with the detail of the case it took, so the case shows without another round trip.
fn review_turn(store: &Store, turn: ReviewTurn, today: NaiveDate) -> Result<Reply, StoreError> {
    let detail = match &turn.taken {
        Some(taken) => detail(store, &taken.case_no, today)?,
        None => None,
    };
    Ok(Reply::Review {
        turn,
        detail: Box::new(detail),
    })
}

/// A case's detail, `None` when there is no such case (any more).
fn detail(store: &Store, case_no: &str, today: NaiveDate) -> Result<Option<Detail>, StoreError> {
    match store.case(case_no) {
        Ok(case) => {
            let events = store.events(case_no)?;
            let clocks = store.clocks(today);
            Ok(Some(Detail {
                deadlines: clocks.all(&case),
                governing: clocks.governing(&case),
                exam_expires_first: clocks.exam_report_expires_first(&case),
                case,
                events,
            }))
        }
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
