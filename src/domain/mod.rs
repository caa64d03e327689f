//! Plain types and rules of the work-permit workflow. Nothing here knows about SQL, terminals or
//! files; every entry point (console, CLI, import, sync) goes through these rules.

pub mod action;
pub mod apply;
pub mod authority;
pub mod calendar;
pub mod case;
pub mod checklist;
pub mod clock;
pub mod deadline;
pub mod ids;
pub mod invisible;
pub mod model;
pub mod numbers;
pub mod permit;
pub mod precheck;
pub mod queue;
pub mod refusal;
pub mod review;
pub mod submission;
pub mod transition;

pub use action::{Action, Actor, Event};
pub use apply::{apply, next_stage, replay};
pub use authority::{
    AdminChange, AdminEvent, AdminKind, AdminRefusal, Authority, SettingsState, UserState, Users,
    Violation, check_admin_change, may_read_admin_log,
};
pub use calendar::Calendar;
pub use case::{Applicant, Case, Employer, Submission};
pub use checklist::Checklist;
pub use clock::Clock;
pub use deadline::{Clocks, Deadline, DeadlineState, Policy, TimerKind, Wait, Waiting};
pub use model::{ActionKind, Category, Kind, Presenter, Role, Stage, VisaKind};
pub use numbers::Series;
pub use permit::PermitRef;
pub use precheck::{Holding, holding_refusal, input_refusal, refusal_before_input};
pub use queue::{Filter, Queue};
pub use refusal::Refusal;
pub use transition::{
    Context, Directory, approval_bar, check_authority, decide, roles_for,
    signs_against_recommendation, submit,
};
