//! Prints `EXPLAIN QUERY PLAN` of every queue query (each queue, filter and sort) and of the
//! search queries on the bench store, for docs/PERFORMANCE.md. Measures nothing; a plan that reads
//! the whole table or sorts in memory is flagged with `<-`.
//!
//! `cargo bench --bench plans` (PERMITDESK_BENCH_DB=PATH for the 1,000,000-case store). In quick
//! mode only the flagged plans and the totals are printed.

mod common;

use common::{USER, today};
use permitdesk::console::app::list::PAGE_ROWS;
use permitdesk::domain::{Filter, Queue};
use permitdesk::store::{QueueQuery, Sort, SortColumn};
use std::time::Instant;

fn main() {
    // `cargo bench` passes `--bench`; anything else (a filter) is ignored: this prints everything.
    let path = common::bench_db();
    let store = common::open_store(&path);
    let sorts = [
        ("deadline", Sort::default()),
        (
            "deadline desc",
            Sort {
                column: SortColumn::Deadline,
                descending: true,
            },
        ),
        (
            "case no",
            Sort {
                column: SortColumn::CaseNo,
                descending: false,
            },
        ),
        (
            "case no desc",
            Sort {
                column: SortColumn::CaseNo,
                descending: true,
            },
        ),
    ];
    let (largest, typical) = common::employer_codes(&common::raw_connection(&path));
    let searches: &[Option<&str>] = &[
        None,
        Some("hern"),
        Some("E12345678"),
        Some("王"),
        Some(&largest),
        Some(&typical),
    ];
    println!("# query plans on {}", path.display());
    let mut flagged = 0;
    let mut slow = 0;
    for search in searches {
        for queue in Queue::ALL {
            for filter in Filter::ALL {
                for (sort_name, sort) in sorts {
                    let q = QueueQuery {
                        queue,
                        filter,
                        search: search.map(str::to_string),
                        user: USER.into(),
                        today: today(),
                        sort,
                        after: None,
                        limit: PAGE_ROWS,
                    };
                    let plan = store.queue_plan(&q).expect("plan").join(" | ");
                    // The first page's time, best of two (the first run warms the cache).
                    let ms = (0..2)
                        .map(|_| {
                            let started = Instant::now();
                            store.page(&q).expect("page");
                            started.elapsed().as_secs_f64() * 1000.0
                        })
                        .fold(f64::MAX, f64::min);
                    slow += usize::from(ms > 5.0);
                    // Reading the whole table, or sorting in memory anything but the few
                    // matches of a search read from the full-text or the employer index
                    // (SEARCH_DRIVE_LIMIT).
                    let bad = plan
                        .split(" | ")
                        .any(|s| s.starts_with("SCAN cases") && !s.contains("INDEX"))
                        || (plan.contains("TEMP B-TREE")
                            && !plan.starts_with("SCAN case_search VIRTUAL TABLE")
                            && !plan.starts_with("SEARCH cases USING INDEX cases_by_employer"));
                    flagged += usize::from(bad);
                    if common::quick() && !bad {
                        continue;
                    }
                    println!(
                        "{:<15} {:<10} {sort_name:<14} {:<12} {ms:>8.2} ms  {plan}{}",
                        queue.as_str(),
                        filter.as_str(),
                        search.map(|s| format!("\"{s}\"")).unwrap_or_default(),
                        if bad { "   <-" } else { "" }
                    );
                }
            }
        }
    }
    println!("# {flagged} plan(s) read the whole table or sort in memory");
    println!("# {slow} first page(s) took over 5 ms");
}
