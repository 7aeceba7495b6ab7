//! profdrop: a pprof profile analyzer that runs entirely in the browser.
//!
//! Data flows one way: `decode` (bytes → [`model::Profile`]) → `analysis` (tables, trees,
//! diffs, leaks) → `view` (pure layout, formatting, state) → `ui` (Yew, browser only, behind
//! the `web` feature). Everything but `ui` builds and is tested natively.
#![warn(missing_docs)]

pub mod analysis;
pub mod decode;
pub mod engine;
pub mod model;
pub mod protocol;
pub mod units;
pub mod view;

#[cfg(feature = "web")]
pub mod ui;
