//! The page's components, one job each. They take plain values and `Callback`s: none knows
//! the store or the workers (the root, `ui::app`, wires them to the reducer).

pub mod context_menu;
pub mod diff_controls;
pub mod diff_table;
pub mod diff_view;
pub mod drop_zone;
pub mod errors;
pub mod export_menu;
pub mod flame_view;
pub mod graph_view;
pub mod keys;
pub mod labels_panel;
pub mod leak_table;
pub mod leaks_view;
pub mod link_notes;
pub mod merge_button;
pub mod peek_table;
pub mod peek_view;
pub mod pivot_view;
pub mod profile_list;
pub mod progress;
pub mod refine_bar;
pub mod share_panel;
pub mod source_view;
pub mod summary_line;
pub mod timeline;
pub mod toolbar;
pub mod top_table;
pub mod top_view;
pub mod welcome;
