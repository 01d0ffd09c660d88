//! Code series: N unique codes from a pattern, sharing every other
//! parameter, stored as a group of their own by a background job.

mod job;
mod plan;
mod sheet;
mod store;

pub use job::{
    cancel, jobs, recover_interrupted, run, run_in_background, start, MAX_RUNNING_SERIES,
};
pub use plan::{plan, SeriesPlan, SeriesShape, SeriesSpec, MAX_SERIES};
pub use sheet::{sheet, SheetCode};
