//! What the screen needs, still pure: colours, flame-graph layout and hit
//! testing.

pub mod export;
pub mod flame;
pub mod flame_keys;
pub mod graph;
pub mod hash;
pub mod refining;
pub mod share;
pub mod source_files;
pub mod state;
