//! What the screen needs, still pure: number formatting, colours, flame-graph layout and hit
//! testing.

pub mod flame;
pub mod format;
pub mod state;
